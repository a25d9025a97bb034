"""Content types and permissions of Onyx models in the project's SQL database.

Django's admin checks ``user.has_perm("app.view_model")`` and records ``LogEntry`` rows with a
foreign key to ``ContentType``; an Onyx model is not in Django's app registry, so ``migrate``
creates neither for it. These rows are created for every model registered with an
:class:`~onyx_django.admin.OnyxModelAdmin`, after ``migrate`` and on demand.
"""

from __future__ import annotations

from typing import Any

from django.db import DEFAULT_DB_ALIAS

__all__ = ["ensure_permissions", "registered_models"]

_ACTIONS = ("add", "change", "delete", "view")
_registered: dict[str, type[Any]] = {}


def registered_models() -> list[type[Any]]:
    """Onyx models registered with an ``OnyxModelAdmin`` on any admin site."""
    return list(_registered.values())


def remember(model: type[Any]) -> None:
    _registered[model._meta.label_lower] = model


def ensure_permissions(*models: type[Any], using: str = DEFAULT_DB_ALIAS) -> list[Any]:
    """Create (if missing) the ``ContentType`` and the ``add/change/delete/view`` ``Permission``
    rows of each Onyx model in SQL database ``using``; return the permissions, so they can be
    granted as for any model::

        from onyx_django.admin import ensure_permissions
        editor.user_permissions.add(*ensure_permissions(Member))
    """
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    permissions = []
    for model in models or registered_models():
        opts = model._meta
        content_type = ContentType.objects.db_manager(using).get_for_model(
            model, for_concrete_model=False
        )
        for action in opts.default_permissions or _ACTIONS:
            permission, _created = Permission.objects.using(using).get_or_create(
                content_type=content_type,
                codename=f"{action}_{opts.model_name}",
                defaults={"name": f"Can {action} {opts.verbose_name_raw}"},
            )
            permissions.append(permission)
    return permissions


def create_after_migrate(app_config: Any, using: str = DEFAULT_DB_ALIAS, **_kwargs: Any) -> None:
    """``post_migrate`` receiver: the rows of every registered Onyx model, once per migrate."""
    if app_config.label == "onyx_django" and _registered:
        ensure_permissions(using=using)
