"""The instance API's writes and reads (save, delete, refresh), written once for sync and async.

Each operation is a generator (a queryset "flow", :mod:`onyx_django._ops`) that yields
:class:`Request` operations and receives their answers, or their errors, back; the queryset
drivers ``run`` / ``arun`` execute it with the alias's sync or async client. Signals are sent by
the flow itself, so both paths send exactly the same ones.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.db.models import signals
from pydantic import ValidationError as PydanticValidationError

from onyx_database import OnyxNotFoundError, eq

from ._connections import DEFAULT_ALIAS, connections
from ._errors import NotSupportedError, OnyxIntegrityError
from ._ops import Flow, Op

if TYPE_CHECKING:
    from .models import OnyxModel

__all__ = [
    "Request",
    "build_instance",
    "delete_flow",
    "instance_alias",
    "mark_loaded",
    "refresh_flow",
    "save_flow",
    "set_loaded",
    "validation_error",
]


@dataclass(frozen=True, slots=True)
class Request(Op):
    """One request of an instance flow. ``call(client)`` is written once: the SDK's sync and
    async clients share their method names, so it returns the answer with the one and an
    awaitable with the other."""

    call: Callable[[Any], Any]
    using: str

    def run(self, db: Any) -> Any:
        return self.call(db)

    async def arun(self, db: Any) -> Any:
        return await self.call(db)


def instance_alias(instance: Any, using: str | None, *, write: bool) -> str:
    """The alias an instance operation uses, as Django picks it: ``using``, else what a router
    of ``settings.ONYX_ROUTERS`` says (``db_for_write`` / ``db_for_read``), else the alias the
    instance was read through, else ``"default"``."""
    if using:
        return using
    if connections.routers():
        routed = connections.route(type(instance), write=write, instance=instance)
        if routed != DEFAULT_ALIAS or not instance._state.db:
            return routed
    return str(instance._state.db or DEFAULT_ALIAS)


def mark_loaded(instance: Any, alias: str) -> Any:
    """Mark ``instance`` as read from Onyx through ``alias`` (``_state.adding = False``), as
    Django does for rows a queryset returns. Returns it; non-Onyx-model records pass through."""
    state = getattr(instance, "_state", None)
    if state is not None:
        state.adding = False
        state.db = alias
    return instance


# -- validation -------------------------------------------------------------------------------


def validation_error(model: type[Any], exc: PydanticValidationError) -> ValidationError:
    """A pydantic validation error as Django's ``ValidationError`` keyed by field name."""
    aliases = {
        (info.alias or name): name for name, info in model.model_fields.items() if info.alias
    }
    errors: dict[str, list[ValidationError]] = {}
    for error in exc.errors(include_url=False):
        location = error.get("loc") or ()
        head = str(location[0]) if location else "__all__"
        name = aliases.get(head, head)
        code = "required" if error["type"] == "missing" else "invalid"
        message = "This field is required." if code == "required" else error["msg"]
        errors.setdefault(name, []).append(ValidationError(message, code=code))
    return ValidationError(errors)


def build_instance(model: type[Any], fields: Mapping[str, Any]) -> Any:
    """``model(**fields)`` with Django's errors: an unknown keyword is a ``TypeError``, an invalid
    or missing value a ``django.core.exceptions.ValidationError`` keyed by field name."""
    try:
        return model(**fields)
    except PydanticValidationError as exc:
        raise validation_error(model, exc) from exc


def validated_values(instance: OnyxModel, exclude: Collection[str] = ()) -> dict[str, Any]:
    """The instance's field values run through its pydantic validators (coerced), by field name.

    Raises Django's ``ValidationError`` for the fields not in ``exclude``.
    """
    model = type(instance)
    data = {name: instance.__dict__.get(name) for name in model.model_fields}
    try:
        validated = model.model_validate(data, by_name=True, by_alias=False)
    except PydanticValidationError as exc:
        error = validation_error(model, exc)
        kept = {k: v for k, v in error.error_dict.items() if k not in exclude}
        if kept:
            raise ValidationError(kept) from exc
        # only excluded fields are invalid: coerce the others one by one
        probe = model.model_construct()
        for name in model.model_fields:
            if name not in exclude:
                model.__pydantic_validator__.validate_assignment(probe, name, data[name])
                data[name] = probe.__dict__[name]
        return data
    return {name: getattr(validated, name) for name in model.model_fields}


def set_loaded(instance: OnyxModel, values: Mapping[str, Any]) -> None:
    """Put ``values`` in the instance, except the deferred ones (they stay unloaded)."""
    deferred = instance._deferred
    instance.__dict__.update(
        (name, value) for name, value in values.items() if name not in deferred
    )


def _payload(instance: OnyxModel, values: Mapping[str, Any]) -> dict[str, Any]:
    """The record to send: wire names (aliases), ``None`` for unset nullable fields."""
    model = type(instance)
    record: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if info.exclude:
            continue
        record[info.alias or name] = values[name]
    return record


def _copy_answer(instance: OnyxModel, answer: Any) -> None:
    """Take what the server filled in (a generated id, defaults) into the instance."""
    if not isinstance(answer, Mapping):
        return
    model = type(instance)
    try:
        saved = model.model_validate(answer)
    except PydanticValidationError:
        return
    for name in model.model_fields:
        if instance.__dict__.get(name) is None:
            instance.__dict__[name] = saved.__dict__.get(name)


# -- flows ------------------------------------------------------------------------------------


def _check_update_fields(instance: OnyxModel, update_fields: Iterable[str]) -> frozenset[str]:
    opts = instance._meta
    names = frozenset(update_fields)
    known = {f.name for f in opts.concrete_fields} | {f.attname for f in opts.concrete_fields}
    unknown = sorted(names - known)
    if unknown:
        raise ValueError(
            "The following fields do not exist in this model, are m2m fields, or are "
            f"non-concrete fields: {', '.join(unknown)}"
        )
    if opts.pk.name in names:
        raise ValueError(
            f"{opts.pk.name!r} is the Onyx identifier of {opts.object_name}; it cannot be in "
            "update_fields (save a new record instead)"
        )
    return names


def save_flow(
    instance: OnyxModel,
    *,
    force_insert: bool,
    force_update: bool,
    using: str | None,
    update_fields: Iterable[str] | None,
) -> Flow[None]:
    """``instance.save()``: pre_save, one write, post_save."""
    model = type(instance)
    opts = instance._meta
    alias = instance_alias(instance, using, write=True)
    if force_insert and (force_update or update_fields):
        raise ValueError("Cannot force both insert and updating in model saving.")
    fields: frozenset[str] | None = None
    deferred = instance.get_deferred_fields()
    if update_fields is None and deferred and not force_insert and not instance._state.adding:
        # as Django: an instance loaded with only()/defer() saves the fields it loaded
        update_fields = {f.name for f in opts.concrete_fields} - deferred - {opts.pk.name}
    if update_fields is not None:
        fields = _check_update_fields(instance, update_fields)
        if not fields:
            return
    signals.pre_save.send(
        sender=model, instance=instance, raw=False, using=alias, update_fields=fields
    )
    _reject_expressions(instance)
    # with update_fields (given, or the loaded ones after only()/defer()) only those fields and
    # the pk are sent, so only they need to be valid
    unsent = set(model.model_fields) - fields - {opts.pk.name} if fields is not None else set()
    values = validated_values(instance, exclude=unsent)
    set_loaded(instance, values)
    record = _payload(instance, values)
    table, identifier = opts.db_table, opts.pk.column
    pk = record.get(identifier)
    created = False
    every = [f.name for f in opts.concrete_fields if f.name != opts.pk.name]

    def update(names: Iterable[str]) -> Request:
        updates = {opts.get_field(n).column: record[opts.get_field(n).column] for n in names}
        return _update(table, identifier, pk, opts.partition, updates, alias)

    if fields is not None or force_update:
        if pk is None:
            raise ValueError("Cannot force an update in save() with no primary key.")
        updated = yield update(fields if fields is not None else every)
        if not updated:
            raise DatabaseError(
                "Save with update_fields did not affect any rows."
                if fields is not None
                else "Forced update did not affect any rows."
            )
    elif force_insert or instance._state.adding or pk is None or not every:
        try:
            answer = yield _write("create", table, record, alias)
            created = True
            _copy_answer(instance, answer)
        except OnyxIntegrityError:
            if force_insert or not every:
                raise
            # Django's save() of a new instance whose pk exists updates that row.
            yield update(every)
    else:
        # As Django: update the record's fields (attributes the model does not declare are
        # kept), and create the record when it is gone.
        updated = yield update(every)
        if not updated:
            answer = yield _write("create", table, record, alias)
            created = True
            _copy_answer(instance, answer)
    instance._state.adding = False
    instance._state.db = alias
    signals.post_save.send(
        sender=model,
        instance=instance,
        created=created,
        update_fields=fields,
        raw=False,
        using=alias,
    )


def _reject_expressions(instance: OnyxModel) -> None:
    for name in type(instance).model_fields:
        value = instance.__dict__.get(name)
        if hasattr(value, "resolve_expression"):
            raise NotSupportedError(
                f"{type(instance).__name__}.{name} is a query expression ({value!r}); Onyx "
                "cannot evaluate expressions in a save: read the record, compute the value "
                "in Python, and save that"
            )


def _write(method: str, table: str, record: dict[str, Any], using: str) -> Request:
    return Request(lambda db: getattr(db, method)(table, record), using)


def _update(
    table: str,
    identifier: str,
    pk: Any,
    partition: str | None,
    updates: dict[str, Any],
    using: str,
) -> Request:
    def call(db: Any) -> Any:
        builder = db.from_table(table).where(eq(identifier, pk)).set_updates(updates)
        return (builder.in_partition(partition) if partition else builder).update()

    return Request(call, using)


def delete_flow(instance: OnyxModel, *, using: str | None) -> Flow[tuple[int, dict[str, int]]]:
    """``instance.delete()``: pre_delete, one delete by id, post_delete; ``(1, {label: 1})``."""
    model = type(instance)
    opts = instance._meta
    pk = instance.pk
    if pk is None:
        raise ValueError(
            f"{opts.object_name} object can't be deleted because its {opts.pk.attname} "
            "attribute is set to None."
        )
    alias = instance_alias(instance, using, write=True)
    signals.pre_delete.send(sender=model, instance=instance, using=alias, origin=instance)
    partition = opts.partition
    try:
        yield Request(lambda db: db.delete(opts.db_table, pk, partition=partition), alias)
        deleted = 1
    except OnyxNotFoundError:
        deleted = 0
    signals.post_delete.send(sender=model, instance=instance, using=alias, origin=instance)
    instance.__dict__[opts.pk.attname] = None
    instance._state.adding = True
    return deleted, {opts.label: deleted}


def refresh_flow(
    instance: OnyxModel, *, using: str | None, fields: Iterable[str] | None
) -> Flow[None]:
    """``instance.refresh_from_db()``: one find by id; ``DoesNotExist`` when it is gone."""
    model = type(instance)
    opts = instance._meta
    alias = instance_alias(instance, using, write=False)
    if fields is None:
        names = [f.name for f in opts.concrete_fields]
    else:
        names = [opts.pk.name if name == "pk" else opts.get_field(name).name for name in fields]
    relations = [name for name in names if name in opts.relation_names] or None
    pk, partition = instance.pk, opts.partition
    fresh = yield Request(
        lambda db: db.find_by_id(model, pk, partition=partition, resolvers=relations), alias
    )
    if fresh is None:
        raise model.DoesNotExist(f"{model.__name__} matching query does not exist.")
    for name in names:
        instance.__dict__[name] = fresh.__dict__.get(name)
    if instance._deferred:
        instance._deferred = instance._deferred - set(names)
    instance._state.adding = False
    instance._state.db = alias
