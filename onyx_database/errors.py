"""The exceptions of the SDK, importable as ``onyx_database.errors`` like the official SDK's.

>>> from onyx_database.errors import OnyxError, OnyxNotFoundError
>>> issubclass(OnyxNotFoundError, OnyxError)
True

The tree and what each error means is documented in :mod:`onyx_database` (``OnyxError``).
"""

from __future__ import annotations

from ._errors import (
    OnyxBatchError,
    OnyxClientError,
    OnyxConfigError,
    OnyxConflictError,
    OnyxConnectionError,
    OnyxDecodeError,
    OnyxError,
    OnyxHTTPError,
    OnyxNotFoundError,
    OnyxRateLimitedError,
    OnyxSerializationError,
    OnyxServerError,
    OnyxTimeoutError,
    OnyxUnauthorizedError,
    OnyxUsageError,
)

__all__ = [
    "OnyxBatchError",
    "OnyxClientError",
    "OnyxConfigError",
    "OnyxConflictError",
    "OnyxConnectionError",
    "OnyxDecodeError",
    "OnyxError",
    "OnyxHTTPError",
    "OnyxNotFoundError",
    "OnyxRateLimitedError",
    "OnyxSerializationError",
    "OnyxServerError",
    "OnyxTimeoutError",
    "OnyxUnauthorizedError",
    "OnyxUsageError",
]
