# Examples package for the Onyx Database Python SDK.
