"""The Django app the blocks of docs/admin.md are written in (``backoffice``): its models are the
ones the blocks declare, in the Django worker of ``snippet_runner``."""
