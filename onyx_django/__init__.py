"""Django integration for Onyx Cloud Database and Onyx Local.

::

    # settings.py
    INSTALLED_APPS = [..., "onyx_django"]
    ONYX = {"default": {"database_id": "...", "api_key": "...", "api_secret": "..."}}

    # people/models.py (or generated: manage.py onyx_gen --target django --out people/onyx_models)
    from onyx_django import OnyxModel

    class User(OnyxModel):
        id: str
        email: str
        isActive: bool = True

    recent = User.onyx.filter(isActive=True).order_by("-email")[:20]
    User(id="u1", email="ada@example.com").save()

See ``docs/django.md``.
"""

from __future__ import annotations

from ._connections import DEFAULT_ALIAS, ConnectionHandler, connections, db
from ._errors import (
    MultipleObjectsReturned,
    NotSupportedError,
    ObjectDoesNotExist,
    OnyxDataError,
    OnyxIntegrityError,
)
from ._listen import listen
from ._lookups import LOOKUPS
from ._manager import OnyxManager, OnyxModelOptions, manager_for
from ._queryset import OnyxQuerySet
from ._relations import (
    CascadeRelation,
    RelationChanges,
    asave_with_children,
    cascade_relation,
    save_with_children,
)
from .models import OnyxModel

__all__ = [
    "DEFAULT_ALIAS",
    "LOOKUPS",
    "CascadeRelation",
    "ConnectionHandler",
    "MultipleObjectsReturned",
    "NotSupportedError",
    "ObjectDoesNotExist",
    "OnyxDataError",
    "OnyxIntegrityError",
    "OnyxManager",
    "OnyxModel",
    "OnyxModelOptions",
    "OnyxQuerySet",
    "RelationChanges",
    "asave_with_children",
    "cascade_relation",
    "connections",
    "db",
    "listen",
    "manager_for",
    "save_with_children",
]
