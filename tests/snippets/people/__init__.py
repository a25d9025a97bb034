"""The Django app the blocks of docs/django.md are written in (``people``): its models are the
ones the blocks declare, in the Django worker of ``snippet_runner``."""
