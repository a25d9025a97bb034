"""``manage.py check --database <alias>``: the Onyx models against the published schemas.

Django runs checks tagged ``database`` only when ``--database`` is given, so this one (the only
check that contacts Onyx) never runs on ``runserver`` or a plain ``check``. It reads the
schema of every ``settings.ONYX`` alias once and compares each model routed to that alias
(``db_for_read``) with its table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.apps import AppConfig
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.db import models

from onyx_database import OnyxConfigError, OnyxError
from onyx_database.codegen import resolver_cascade

from ._connections import connections, onyx_settings
from ._meta import declared_models
from ._relations import declared_cascade

__all__ = ["check_onyx_schema"]

# The Onyx attribute types each Django field class can hold (JSONField: anything).
_STORED_AS: tuple[tuple[type[models.Field[Any, Any]], frozenset[str]], ...] = (
    (models.BooleanField, frozenset({"Boolean"})),
    (models.BigIntegerField, frozenset({"Int", "Long", "Short", "Byte"})),
    (models.FloatField, frozenset({"Double", "Float", "Int", "Long"})),
    (models.DecimalField, frozenset({"Double", "Float", "Int", "Long", "String"})),
    (models.DateTimeField, frozenset({"Timestamp"})),
    (models.DateField, frozenset({"Timestamp", "Date"})),
    (models.TimeField, frozenset({"String", "Timestamp"})),
    (models.DurationField, frozenset({"Long", "Int", "String"})),
    (models.UUIDField, frozenset({"String"})),
    (models.CharField, frozenset({"String", "Char"})),
    (models.BinaryField, frozenset({"String", "EmbeddedList"})),
)


def _types_for(field: models.Field[Any, Any]) -> frozenset[str] | None:
    """The Onyx types ``field`` can hold, or ``None`` for any (``JSONField``)."""
    for field_class, types in _STORED_AS:
        if isinstance(field, field_class):
            return types
    return None


def _compare(model: type[Any], entity: Mapping[str, Any] | None, alias: str) -> list[CheckMessage]:
    opts = model._meta
    where = f"settings.ONYX[{alias!r}]"
    if entity is None:
        return [
            Error(
                f"{opts.label}: the table {opts.db_table!r} is not in the schema of {where}.",
                hint="Publish a schema with that table (manage.py onyx_schema publish), or set "
                "Meta.db_table to an existing table.",
                obj=model,
                id="onyx_django.E011",
            )
        ]
    attributes = {str(a.get("name")): a for a in entity.get("attributes") or ()}
    scripts = {str(r.get("name")): r.get("resolver") for r in entity.get("resolvers") or ()}
    resolvers = set(scripts)
    messages: list[CheckMessage] = []
    for field in opts.concrete_fields:
        attribute = attributes.get(field.column)
        if attribute is None:
            messages.append(
                Error(
                    f"{opts.label}.{field.name}: the table {opts.db_table!r} has no attribute "
                    f"{field.column!r} ({where}).",
                    hint="Regenerate the models (manage.py onyx_gen) or add the attribute to "
                    "the schema.",
                    obj=model,
                    id="onyx_django.E012",
                )
            )
            continue
        kind = str(attribute.get("type"))
        accepted = _types_for(field)
        if accepted is not None and kind not in accepted:
            messages.append(
                Error(
                    f"{opts.label}.{field.name} is a {type(field).__name__}, but "
                    f"{opts.db_table}.{field.column} is {kind} ({where}).",
                    hint=f"Declare a type that holds {kind} values (manage.py onyx_gen writes "
                    "the matching models).",
                    obj=model,
                    id="onyx_django.E013",
                )
            )
        elif attribute.get("isNullable") and not field.null and not field.primary_key:
            messages.append(
                Warning(
                    f"{opts.label}.{field.name} does not accept None, but "
                    f"{opts.db_table}.{field.column} is nullable ({where}): reading a record "
                    "with a null there fails validation.",
                    hint=f"Declare it as `{field.name}: ... | None`.",
                    obj=model,
                    id="onyx_django.W014",
                )
            )
    for name in sorted(opts.relation_names - resolvers):
        messages.append(
            Error(
                f"{opts.label}.{name} is a resolver field, but the table {opts.db_table!r} "
                f"has no resolver {name!r} ({where}).",
                hint="Add the resolver to the schema, or remove Field(exclude=True).",
                obj=model,
                id="onyx_django.E015",
            )
        )
    messages.extend(_check_cascades(model, scripts, where))
    return messages


def _check_cascades(model: type[Any], scripts: Mapping[str, Any], where: str) -> list[CheckMessage]:
    """E016: a relation declared with a cascade must read what the cascade writes (its
    resolver is ``db.from("T").where(eq("childKey", this.parentKey))``, the same T and keys)."""
    messages: list[CheckMessage] = []
    for name in sorted(model._meta.relation_names & scripts.keys()):
        declared = declared_cascade(model, name)
        if declared is None:
            continue
        found = resolver_cascade(scripts[name])
        if found is not None and found == declared:
            continue
        reads = f"reads {found}" if found else "is not a plain db.from(T).where(eq(key, this.key))"
        messages.append(
            Error(
                f"{model._meta.label}.{name} is saved by the cascade {declared}, but its "
                f"resolver {reads} ({where}): what is saved would not be read back.",
                hint="Fix relation(cascade=...) to match the resolver, or drop the cascade.",
                obj=model,
                id="onyx_django.E016",
            )
        )
    return messages


@register(Tags.database)
def check_onyx_schema(
    app_configs: Sequence[AppConfig] | None = None,
    databases: Sequence[str] | None = None,
    **kwargs: Any,
) -> list[CheckMessage]:
    """Each Onyx model against its table in the published schema (``check --database``).

    Errors: ``onyx_django.E010`` an alias cannot be reached (or refuses the key),
    ``E011`` a model's table is missing, ``E012`` a field's attribute is missing, ``E013`` a
    field's type cannot hold the attribute's type, ``E015`` a resolver field names no resolver,
    ``E016`` a relation's declared cascade does not match its resolver's script;
    warning ``W014`` a field that does not accept ``None`` over a nullable attribute.
    """
    if not databases:
        return []
    labels = None if app_configs is None else {config.label for config in app_configs}
    chosen = [m for m in declared_models() if labels is None or m._meta.app_label in labels]
    messages: list[CheckMessage] = []
    for alias in onyx_settings():
        routed = [m for m in chosen if connections.route(m) == alias]
        try:
            schema = connections.pool(alias).get_schema()
        except OnyxConfigError:
            continue  # onyx_django.E003 (the settings check) reports it
        except OnyxError as exc:
            messages.append(
                Error(
                    f"settings.ONYX[{alias!r}]: Onyx cannot be reached or refused the request: "
                    f"{type(exc).__name__}: {exc}",
                    hint="Check base_url, the database id and the API key of that alias.",
                    id="onyx_django.E010",
                )
            )
            continue
        entities = {str(e.get("name")): e for e in schema.get("entities") or ()}
        for model in routed:
            messages.extend(_compare(model, entities.get(model._meta.db_table), alias))
    return messages
