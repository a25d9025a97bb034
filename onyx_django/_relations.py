"""Relations that Onyx can write: a resolver declared with the cascade that saves its records.

A resolver is a script Onyx evaluates when it reads a record; nothing in the record holds it. A
*cascade* (``userRoles:UserRole(userId, id)``) is how Onyx writes it back: the parent is saved
with its children inline, each child gets ``child.userId = parent.id`` and is saved (upserted)
into ``UserRole``, all in one request. A relation declared with :func:`relation` and a cascade
is editable: admin inlines, :func:`~onyx_django.forms.relation_formset_factory` and
:class:`~onyx_django.rest_framework.CascadeModelSerializer` save it through
:func:`save_with_children`. A cascade cannot remove a child, so removals are one delete by
query after the save (see ``docs/django.md``)::

    class User(OnyxModel):
        id: str
        userRoles: list[UserRole] | None = relation(cascade="UserRole(userId, id)")
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import signals
from pydantic import Field

from onyx_database import CascadeRelationshipBuilder, within

from ._errors import NotSupportedError
from ._instances import (
    Request,
    _copy_answer,
    _payload,
    instance_alias,
    set_loaded,
    validated_values,
)
from ._ops import Flow, arun, run

__all__ = [
    "CascadeRelation",
    "RelationChanges",
    "asave_with_children",
    "cascade_relation",
    "declared_cascade",
    "relation",
    "save_with_children",
]

CASCADE_KEY = "onyx_cascade"
_IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
_SPEC = re.compile(
    rf"\s*(?:({_IDENT})\s*:)?\s*({_IDENT})\s*\(\s*({_IDENT})\s*,\s*({_IDENT})\s*\)\s*"
)


def _parts(attribute: str, cascade: str) -> tuple[str, str, str, str]:
    """``(attribute, table, targetField, sourceField)`` of ``[attribute:]Table(target, source)``;
    ``ValueError`` for anything else."""
    match = _SPEC.fullmatch(cascade) if isinstance(cascade, str) else None
    if match is None:
        raise ValueError(
            f"invalid cascade {cascade!r}: expected 'Table(childKeyField, parentKeyField)', "
            "e.g. 'UserRole(userId, id)'"
        )
    named, table, target, source = match.groups()
    return named or attribute, table, target, source


def _canonical(attribute: str, cascade: str) -> str:
    named, table, target, source = _parts(attribute, cascade)
    builder = CascadeRelationshipBuilder().graph(named).graph_type(table)
    return builder.target_field(target).source_field(source).build()


def relation(*, cascade: str | None = None, **field_options: Any) -> Any:
    """A resolver field (``Field(default=None, exclude=True)``), editable when ``cascade``
    says how Onyx saves its records: ``"UserRole(userId, id)"`` (the children's table, their
    field that holds the parent's key, the parent's key field; wire names, as in
    ``db.cascade("userRoles:UserRole(userId, id)")``; the ``userRoles:`` prefix is optional).

    >>> field = relation(cascade="Grant(ownerId, id)")
    >>> field.exclude, field.default, field.json_schema_extra
    (True, None, {'onyx_cascade': 'Grant(ownerId, id)'})
    >>> relation(cascade="Grant(ownerId)")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: invalid cascade 'Grant(ownerId)': expected 'Table(childKeyField, ...
    """
    extra = dict(field_options.pop("json_schema_extra", None) or {})
    if cascade is not None:
        _canonical("relation", cascade)  # a malformed spec fails where it is written
        extra[CASCADE_KEY] = cascade
    field_options.setdefault("default", None)
    return Field(exclude=True, json_schema_extra=extra or None, **field_options)


def declared_cascade(model: type[Any], name: str) -> str | None:
    """``"Table(childKey, parentKey)"`` as declared on ``model``'s field ``name`` (wire names,
    canonical spacing), or ``None`` when it declares no cascade."""
    info = model.model_fields.get(name)
    extra = getattr(info, "json_schema_extra", None)
    declared = extra.get(CASCADE_KEY) if isinstance(extra, dict) else None
    if not isinstance(declared, str):
        return None
    _attribute, table, target, source = _parts(name, declared)
    return f"{table}({target}, {source})"


@dataclass(frozen=True, slots=True)
class CascadeRelation:
    """A relation Onyx can save: ``spec`` is the cascade sent with the parent; ``target`` the
    child's field (Python name) set to the parent's ``source`` field."""

    name: str
    spec: str
    parent: type[Any]
    child: type[Any]
    target: str
    source: str
    many: bool


def cascade_relation(model: type[Any], name: str, *, what: str = "") -> CascadeRelation:
    """The cascade of ``model``'s relation ``name``; :class:`NotSupportedError` saying why when
    Onyx cannot save it (``what`` names the caller in the message)."""
    from ._meta import OnyxRelation

    label = f"{what}: " if what else ""
    opts = model._meta
    found = opts.relations.get(name)
    if not isinstance(found, OnyxRelation):
        raise NotSupportedError(
            f"{label}{model.__name__} has no resolver field {name!r} (declare it with "
            "onyx_django.models.relation(cascade=...))"
        )
    child: Any = found.related_model
    info = model.model_fields[name]
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    declared = extra.get(CASCADE_KEY)
    if child is None or not isinstance(declared, str):
        raise NotSupportedError(
            f"{label}{model.__name__}.{name} cannot be saved by Onyx: only a resolver declared "
            "with its cascade, relation(cascade='Child(childKey, parentKey)'), and annotated "
            "with its model (list[Child] | None or Child | None) can be written; others are "
            "read-only"
        )
    wire = info.alias or name
    spec = _canonical(wire, declared)
    attribute, table, target_wire, source_wire = _parts(wire, declared)
    problems = []
    if attribute != wire:
        problems.append(f"the cascade names attribute {attribute!r}, the field is {wire!r}")
    if table != child._meta.db_table:
        problems.append(
            f"the cascade saves into {table!r}, but {child.__name__} is the table "
            f"{child._meta.db_table!r}"
        )
    target = _field_named(child, target_wire)
    source = _field_named(model, source_wire)
    if target is None:
        problems.append(f"{child.__name__} has no field {target_wire!r}")
    if source is None:
        problems.append(f"{model.__name__} has no field {source_wire!r}")
    if problems or target is None or source is None:
        raise NotSupportedError(f"{label}{model.__name__}.{name}: {'; '.join(problems)}")
    return CascadeRelation(name, spec, model, child, target, source, bool(found.many_to_many))


def _field_named(model: type[Any], wire: str) -> str | None:
    for field_obj in model._meta.concrete_fields:
        if wire in (field_obj.name, field_obj.column):
            return str(field_obj.name)
    return None


@dataclass
class RelationChanges:
    """What to write for one relation of a parent: children to save (new or changed) and
    children to delete."""

    relation: CascadeRelation
    save: list[Any] = field(default_factory=list)
    delete: list[Any] = field(default_factory=list)


def save_with_children_flow(
    parent: Any, changes: Sequence[RelationChanges], *, force_insert: bool, using: str | None
) -> Flow[None]:
    """pre_save (parent, then children), one cascade write, one delete by query per relation
    with removals (pre_delete / post_delete per child), post_save (parent, then children)."""
    model = type(parent)
    opts = parent._meta
    alias = instance_alias(parent, using, write=True)
    insert = force_insert or parent._state.adding
    saved = [(child, child._state.adding) for change in changes for child in change.save]
    signals.pre_save.send(sender=model, instance=parent, raw=False, using=alias, update_fields=None)
    for child, _adding in saved:
        signals.pre_save.send(
            sender=type(child), instance=child, raw=False, using=alias, update_fields=None
        )
    values = validated_values(parent)
    set_loaded(parent, values)
    record = _payload(parent, values)
    for change in changes:
        cascade = change.relation
        key = values[cascade.source]
        rows: list[Any] = []
        for child in change.save:
            child.__dict__[cascade.target] = key  # Onyx sets it too (after generating the id)
            child_values = validated_values(child, exclude={cascade.target})
            set_loaded(child, child_values)
            rows.append(_payload(child, child_values))
        record[cascade.spec.split(":", 1)[0]] = rows if cascade.many else (rows or [None])[0]
    specs = [change.relation.spec for change in changes]
    table = opts.db_table
    method = "insert" if insert else "save"
    answer = yield Request(
        lambda db: getattr(db, method)(table, record, relationships=specs), alias
    )
    _copy_answer(parent, answer)  # what Onyx filled in (a generated id, defaults)
    parent._state.adding = False
    parent._state.db = alias
    for change in changes:
        key = getattr(parent, change.relation.source)
        for child in change.save:
            child.__dict__[change.relation.target] = key
            child._state.adding = False
            child._state.db = alias
    for change in changes:
        yield from _delete_children(change, alias)
    signals.post_save.send(
        sender=model, instance=parent, created=insert, update_fields=None, raw=False, using=alias
    )
    for child, adding in saved:
        signals.post_save.send(
            sender=type(child),
            instance=child,
            created=adding,
            update_fields=None,
            raw=False,
            using=alias,
        )


def _delete_children(change: RelationChanges, alias: str) -> Flow[None]:
    kept = {child.pk for child in change.save}  # a saved row is never deleted after its save
    gone = [child for child in change.delete if child.pk is not None and child.pk not in kept]
    if not gone:
        return
    child_model = change.relation.child
    opts = child_model._meta
    for child in gone:
        signals.pre_delete.send(sender=child_model, instance=child, using=alias, origin=child)
    ids = [child.pk for child in gone]
    table, column, partition = opts.db_table, opts.pk.column, opts.partition

    def call(db: Any) -> Any:
        builder = db.from_table(table).where(within(column, ids))
        return (builder.in_partition(partition) if partition else builder).delete()

    yield Request(call, alias)
    for child in gone:
        signals.post_delete.send(sender=child_model, instance=child, using=alias, origin=child)
        child.__dict__[opts.pk.attname] = None
        child._state.adding = True


def save_with_children(
    parent: Any,
    changes: Iterable[RelationChanges],
    *,
    force_insert: bool = False,
    using: str | None = None,
) -> None:
    """Save ``parent`` and the children of each :class:`RelationChanges` in one cascade
    request (``insert`` when the parent is new or ``force_insert``: a 409 on an existing id;
    else ``save``, which writes every declared field of the parent), then delete the removed
    children (one delete by query per relation). Onyx Local runs the cascade in one
    transaction: a refused child leaves nothing written. The deletes follow the save: if one
    is refused, the save stands."""
    run(save_with_children_flow(parent, list(changes), force_insert=force_insert, using=using))


async def asave_with_children(
    parent: Any,
    changes: Iterable[RelationChanges],
    *,
    force_insert: bool = False,
    using: str | None = None,
) -> None:
    """Async :func:`save_with_children`."""
    await arun(
        save_with_children_flow(parent, list(changes), force_insert=force_insert, using=using)
    )
