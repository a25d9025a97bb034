"""Django REST framework: writable nested relations saved by cascade.

DRF's own ``ModelSerializer`` already serializes Onyx models (``fields = "__all__"`` lists
the stored fields, a to-many resolver as a read-only list of pks, a to-one resolver as a
read-only pk; ``depth = 1`` nests them read-only). :class:`CascadeModelSerializer` adds
writes: a nested serializer declared on a relation Onyx can save (``relation(cascade=...)``)
is written with the parent in one cascade request (see
:func:`~onyx_django.save_with_children`)::

    from onyx_django.rest_framework import CascadeModelSerializer
    from rest_framework import serializers

    class UserRoleSerializer(serializers.ModelSerializer):
        class Meta:
            model = UserRole
            fields = ["id", "roleId"]          # userId comes from the parent

    class UserSerializer(CascadeModelSerializer):
        userRoles = UserRoleSerializer(many=True, required=False)

        class Meta:
            model = User
            fields = ["id", "email", "userRoles"]

``create()`` inserts the user with its roles (a 409 on an existing id); ``update()`` saves the
user, its listed roles (matched to the saved ones by id), and deletes the saved roles the list
leaves out (a ``PATCH`` without ``userRoles`` leaves them alone). A write Onyx refuses is a
``ValidationError`` (HTTP 400), not a 500. A nested writable serializer on a relation Onyx
cannot save raises :class:`~onyx_django.NotSupportedError` when the class is defined.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import DataError, IntegrityError
from rest_framework import serializers  # type: ignore[import-untyped]
from rest_framework.validators import UniqueValidator  # type: ignore[import-untyped]

from onyx_database import OnyxHTTPError

from ._relations import CascadeRelation, RelationChanges, cascade_relation, save_with_children

__all__ = ["CascadeModelSerializer"]


def _nested(field: Any) -> Any:
    """The child serializer of a nested field (``many=True`` wraps it in a list serializer)."""
    return field.child if isinstance(field, serializers.ListSerializer) else field


class CascadeModelSerializer(serializers.ModelSerializer):  # type: ignore[misc]
    """``ModelSerializer`` whose nested serializers on cascade relations are writable."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        meta = getattr(cls, "Meta", None)
        model = getattr(meta, "model", None)
        if model is None:
            return
        for name, field in getattr(cls, "_declared_fields", {}).items():
            if isinstance(field, serializers.BaseSerializer) and not field.read_only:
                source = field.source or name
                cascade_relation(model, source, what=f"{cls.__name__}.{name}")

    def _cascades(self) -> dict[str, tuple[str, CascadeRelation]]:
        """Relation name → (serializer field name, cascade) of the writable nested fields."""
        found: dict[str, tuple[str, CascadeRelation]] = {}
        model = self.Meta.model
        for name, field in self.fields.items():
            if isinstance(field, serializers.BaseSerializer) and not field.read_only:
                source = field.source or name
                found[source] = (name, cascade_relation(model, source))
        return found

    def get_fields(self) -> dict[str, Any]:
        fields: dict[str, Any] = super().get_fields()
        model = self.Meta.model
        for name, field in fields.items():
            if isinstance(field, serializers.BaseSerializer) and not field.read_only:
                cascade = cascade_relation(model, field.source or name)
                child_fields = _nested(field).fields
                key = child_fields.get(cascade.target)
                if key is not None:  # set from the parent, never taken from the request
                    key.read_only, key.required = True, False
                pk = child_fields.get(cascade.child._meta.pk.name)
                if pk is not None:  # a listed child may be a saved one: checked in _taken()
                    pk.validators = [v for v in pk.validators if not isinstance(v, UniqueValidator)]
        return fields

    def create(self, validated_data: dict[str, Any]) -> Any:
        cascades = self._cascades()
        nested = {
            source: validated_data.pop(source) for source in cascades if source in validated_data
        }
        instance = self.Meta.model()
        for attr, value in validated_data.items():
            setattr(instance, attr, value)
        changes = [
            RelationChanges(cascades[source][1], save=self._children(cascades[source][1], rows, {}))
            for source, rows in nested.items()
        ]
        self._refuse_taken_ids(changes, cascades)
        self._write(instance, changes, insert=True)
        return instance

    def update(self, instance: Any, validated_data: dict[str, Any]) -> Any:
        cascades = self._cascades()
        nested = {
            source: validated_data.pop(source) for source in cascades if source in validated_data
        }
        for attr, value in validated_data.items():
            setattr(instance, attr, value)
        changes = []
        for source, rows in nested.items():
            cascade = cascades[source][1]
            saved = self._saved_children(instance, cascade)
            children = self._children(cascade, rows, saved)
            kept = {id(child) for child in children}
            gone = [child for child in saved.values() if id(child) not in kept]
            changes.append(RelationChanges(cascade, save=children, delete=gone))
        self._refuse_taken_ids(changes, cascades)
        self._write(instance, changes, insert=False)
        return instance

    # -- helpers ---------------------------------------------------------------------------------

    @staticmethod
    def _saved_children(instance: Any, cascade: CascadeRelation) -> dict[Any, Any]:
        current = instance.__dict__.get(cascade.name)
        if current is None:
            instance.refresh_from_db(fields=[cascade.name])
            current = instance.__dict__.get(cascade.name)
        if current is not None and not isinstance(current, list | tuple):
            current = [current]
        from ._instances import mark_loaded

        alias = instance._state.db or "default"
        return {child.pk: mark_loaded(child, alias) for child in current or ()}

    @staticmethod
    def _children(cascade: CascadeRelation, rows: Any, saved: Mapping[Any, Any]) -> list[Any]:
        if rows is None:
            return []
        pk = cascade.child._meta.pk.name
        children = []
        for row in rows if isinstance(rows, list) else [rows]:
            child = saved.get(row.get(pk)) if row.get(pk) is not None else None
            if child is None and not cascade.many and pk not in row and len(saved) == 1:
                child = next(iter(saved.values()))  # the one related record, changed
            if child is None:
                child = cascade.child()
            for attr, value in row.items():
                setattr(child, attr, value)
            children.append(child)
        return children

    @staticmethod
    def _refuse_taken_ids(
        changes: list[RelationChanges], cascades: Mapping[str, tuple[str, CascadeRelation]]
    ) -> None:
        """A new child must not take the id of a record of another parent (a cascade save
        upserts): one query per relation with new children."""
        for change in changes:
            cascade = change.relation
            new = [child.pk for child in change.save if child._state.adding and child.pk]
            if not new:
                continue
            pk_name = cascade.child._meta.pk.name
            found = cascade.child.onyx.filter(pk__in=new).values_list(pk_name, flat=True)
            taken = sorted(found)
            if taken:
                label = cascade.child._meta.verbose_name
                raise serializers.ValidationError(
                    {
                        cascades[cascade.name][0]: [
                            f"A {label} with id {pk!r} already exists." for pk in taken
                        ]
                    }
                )

    @staticmethod
    def _write(instance: Any, changes: list[RelationChanges], *, insert: bool) -> None:
        try:
            if changes:
                save_with_children(instance, changes, force_insert=insert)
            else:
                instance.save(force_insert=insert)
        except (IntegrityError, DataError) as exc:
            text = exc.message if isinstance(exc, OnyxHTTPError) else str(exc)
            raise serializers.ValidationError(
                {"non_field_errors": [f"The record was refused: {text}"]}
            ) from exc
        for change in changes:
            cascade = change.relation
            instance.__dict__[cascade.name] = (
                change.save if cascade.many else (change.save or [None])[0]
            )
