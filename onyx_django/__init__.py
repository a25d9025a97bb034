"""Django integration for Onyx Cloud Database and Onyx Local.

::

    # settings.py
    INSTALLED_APPS = [..., "onyx_django"]
    ONYX = {"default": {"database_id": "...", "api_key": "...", "api_secret": "..."}}

    # anywhere
    from onyx_django import OnyxManager, connections, db
    User.onyx = OnyxManager()
    recent = User.onyx.filter(isActive=True).order_by("-createdAt")[:20]

See ``docs/django.md``.
"""

from __future__ import annotations

from ._connections import DEFAULT_ALIAS, ConnectionHandler, connections, db
from ._errors import MultipleObjectsReturned, NotSupportedError, ObjectDoesNotExist
from ._listen import listen
from ._lookups import LOOKUPS
from ._manager import OnyxManager, OnyxModelOptions, manager_for
from ._queryset import OnyxQuerySet

__all__ = [
    "DEFAULT_ALIAS",
    "LOOKUPS",
    "ConnectionHandler",
    "MultipleObjectsReturned",
    "NotSupportedError",
    "ObjectDoesNotExist",
    "OnyxManager",
    "OnyxModelOptions",
    "OnyxQuerySet",
    "connections",
    "db",
    "listen",
    "manager_for",
]
