"""``Model._meta`` for Onyx models: Django field instances derived from the pydantic fields.

Django, DRF, django-filter and ``django.forms`` read a model through ``_meta``; this class answers
what they ask (``fields``, ``get_field``, ``pk``, ``verbose_name``, ``app_label``, ...) with real
``django.db.models.Field`` instances, so their type-driven code (form fields, serializer fields,
filters) picks the same classes it would for a Django model.
"""

from __future__ import annotations

import datetime
import decimal
import enum
import functools
import inspect
import types
import typing
import uuid
import weakref
from collections.abc import Callable, Mapping
from typing import Any

import annotated_types
from django.apps import apps
from django.core import validators
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.datastructures import ImmutableList
from django.utils.text import camel_case_to_spaces
from pydantic.fields import FieldInfo

__all__ = [
    "OnyxOptions",
    "OnyxRelation",
    "declared_models",
    "django_field",
    "model_for_table",
    "register_model",
]

# Meta options read from ``class Meta`` (and inherited by subclasses of a model).
META_OPTIONS = (
    "db_table",
    "identifier",
    "partition",
    "app_label",
    "verbose_name",
    "verbose_name_plural",
    "ordering",
    "get_latest_by",
    "abstract",
)

_SCALARS: tuple[tuple[type[Any], type[models.Field[Any, Any]]], ...] = (
    (bool, models.BooleanField),
    (int, models.BigIntegerField),
    (float, models.FloatField),
    (decimal.Decimal, models.DecimalField),
    (datetime.datetime, models.DateTimeField),
    (datetime.date, models.DateField),
    (datetime.time, models.TimeField),
    (datetime.timedelta, models.DurationField),
    (uuid.UUID, models.UUIDField),
    (str, models.CharField),
)


def unwrap_annotation(annotation: Any) -> tuple[Any, bool]:
    """``(inner type, nullable)`` of ``X | None`` / ``Optional[X]`` / ``Annotated[X, ...]``."""
    nullable = False
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
            continue
        if origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            nullable = nullable or len(args) < len(typing.get_args(annotation))
            if len(args) == 1:
                annotation = args[0]
                continue
            return Any, nullable
        return annotation, nullable


def choices_of(annotation: Any) -> list[tuple[Any, str]] | None:
    if typing.get_origin(annotation) is typing.Literal:
        return [(value, str(value)) for value in typing.get_args(annotation)]
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return [(member.value, member.name.replace("_", " ").title()) for member in annotation]
    return None


# pydantic's constrained types are marker classes, not subclasses of the values they hold
_PYDANTIC_TYPES: dict[str, type[Any]] = {
    "AwareDatetime": models.DateTimeField,
    "NaiveDatetime": models.DateTimeField,
    "PastDatetime": models.DateTimeField,
    "FutureDatetime": models.DateTimeField,
    "PastDate": models.DateField,
    "FutureDate": models.DateField,
    "EmailStr": models.EmailField,
}


def _field_class(annotation: Any, choices: list[tuple[Any, str]] | None) -> type[Any]:
    if choices is not None:
        values = [value for value, _label in choices]
        if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            return models.BigIntegerField
        return models.CharField
    if isinstance(annotation, type) and annotation.__module__.startswith("pydantic"):
        known = _PYDANTIC_TYPES.get(annotation.__name__)
        if known is not None:
            return known
    if isinstance(annotation, type):
        for python_type, field_class in _SCALARS:
            if issubclass(annotation, python_type):
                return field_class
        if issubclass(annotation, bytes):
            return models.BinaryField
    return models.JSONField


def verbose(name: str) -> str:
    """Django's lower-case spaced form: ``firstName`` → ``first name``, ``a_b`` → ``a b``."""
    return camel_case_to_spaces(name).replace("_", " ").strip()


def _default(info: FieldInfo) -> dict[str, Any]:
    if info.default_factory is not None:
        factory = info.default_factory
        takes_data = _takes_data(factory)
        return {} if takes_data else {"default": factory}
    if info.is_required() or info.default is None:
        return {}
    return {"default": info.default}


def _takes_data(factory: Callable[..., Any]) -> bool:
    try:
        return bool(inspect.signature(factory).parameters)
    except (TypeError, ValueError):
        return False


def _constraints(info: FieldInfo) -> tuple[int | None, list[Callable[[Any], None]]]:
    max_length: int | None = None
    extra: list[Callable[[Any], None]] = []
    for item in info.metadata:
        if isinstance(item, annotated_types.MaxLen):
            max_length = item.max_length
        elif isinstance(item, annotated_types.MinLen):
            extra.append(validators.MinLengthValidator(item.min_length))
        elif isinstance(item, annotated_types.Ge):
            extra.append(validators.MinValueValidator(item.ge))
        elif isinstance(item, annotated_types.Le):
            extra.append(validators.MaxValueValidator(item.le))
    return max_length, extra


def django_field(
    model: type[Any], name: str, info: FieldInfo, *, primary_key: bool = False
) -> models.Field[Any, Any]:
    """The Django field instance for the pydantic field ``name`` of ``model``.

    ``str`` → ``CharField``, ``int`` → ``BigIntegerField``, ``float`` → ``FloatField``,
    ``Decimal`` → ``DecimalField``, ``datetime``/``date``/``time`` → ``DateTimeField``/
    ``DateField``/``TimeField``, ``bool`` → ``BooleanField``, ``UUID`` → ``UUIDField``, a
    ``Literal`` or ``Enum`` → a field with ``choices``, anything else (dicts, lists, nested
    models) → ``JSONField``. ``X | None`` is ``null=True``; a field with a default is
    ``blank=True``.
    """
    annotation, nullable = unwrap_annotation(info.annotation)
    choices = choices_of(annotation)
    field_class = _field_class(annotation, choices)
    max_length, extra_validators = _constraints(info)
    kwargs: dict[str, Any] = {
        "verbose_name": info.title or verbose(name),
        "null": nullable,
        "blank": nullable or not info.is_required(),
        "primary_key": primary_key,
        **_default(info),
    }
    if info.description:
        kwargs["help_text"] = info.description
    if choices is not None:
        kwargs["choices"] = choices
    if extra_validators:
        kwargs["validators"] = extra_validators
    if info.alias and info.alias != name:
        kwargs["db_column"] = info.alias
    if field_class in (models.CharField, models.EmailField):
        kwargs["max_length"] = max_length
    elif field_class is models.DecimalField:
        kwargs.update(max_digits=info_digits(info), decimal_places=info_places(info))
    field: models.Field[Any, Any] = field_class(**kwargs)
    field.set_attributes_from_name(name)
    field.model = model
    if primary_key:
        field.serialize = False  # type: ignore[attr-defined]  # as Django's Options.setup_pk
    return field


class _Through:
    """What DRF reads of a many-to-many ``through`` model: an auto-created one (no extra
    fields), so the relation is a plain list of related records."""

    class _meta:  # Django's attribute name
        auto_created = True


class OnyxRelationRel:
    """``field.remote_field`` of an :class:`OnyxRelation` (what Django, DRF and the admin read
    of the far side of a relation)."""

    through = _Through
    # django-filter's fields = "__all__" leaves out parent links: a resolver is not a column
    # Onyx can filter on as a join, so it is left out there (never a filter that cannot work)
    parent_link = True
    symmetrical = False
    related_name = "+"
    limit_choices_to: dict[str, Any] = {}  # read-only, as Django's default

    def __init__(self, field: OnyxRelation, model: type[Any] | None) -> None:
        self.field = field
        self.model = model

    def get_limit_choices_to(self) -> dict[str, Any]:
        return {}

    def get_related_field(self) -> Any:
        return None if self.model is None else self.model._meta.pk


class OnyxRelation(models.Field):  # type: ignore[type-arg]
    """A resolver of the table as a read-only relation field of ``_meta``.

    ``many_to_many`` for a resolver that gives a list (``list[Role] | None``), ``many_to_one``
    for one that gives one record (``Profile | None``); ``related_model`` is the model class the
    annotation names (``None`` for ``dict`` values). Never editable as a field: Onyx computes a
    resolver from the records it reads, and a record's save does not write it; a relation
    declared with its cascade (``relation(cascade=...)``) is written by admin inlines, formsets
    and DRF serializers through the parent (see ``docs/django.md``).
    The value is read with the record by ``select_related`` / ``prefetch_related``, else on
    first access (one find by id per instance, as Django loads a relation).
    """

    concrete = False

    def __init__(self, model: type[Any], name: str, info: FieldInfo) -> None:
        annotation = unwrap_annotation(info.annotation)[0]
        many = typing.get_origin(annotation) in (list, tuple, set, frozenset)
        target = (typing.get_args(annotation) or (None,))[0] if many else annotation
        target = unwrap_annotation(target)[0]
        related = target if isinstance(getattr(target, "_meta", None), OnyxOptions) else None
        super().__init__(
            verbose_name=info.title or verbose(name),
            help_text=info.description or "",
            null=True,
            blank=True,
            editable=False,
            rel=OnyxRelationRel(self, related),  # type: ignore[arg-type]
        )
        self.set_attributes_from_name(name)
        self.model = model
        self.related_model = related
        self.many_to_many = many
        self.many_to_one = not many
        self.one_to_many = self.one_to_one = False
        self.column = None  # type: ignore[assignment]  # not an attribute of the table
        self.concrete = False

    def get_attname_column(self) -> tuple[str, None]:  # type: ignore[override]
        return self.get_attname(), None

    def value_from_object(self, obj: Any) -> Any:
        return getattr(obj, self.attname)

    def get_limit_choices_to(self) -> dict[str, Any]:
        return {}


def info_digits(info: FieldInfo) -> int | None:
    for item in info.metadata:
        digits = getattr(item, "max_digits", None)
        if isinstance(digits, int):
            return digits
    return None


def info_places(info: FieldInfo) -> int | None:
    for item in info.metadata:
        places = getattr(item, "decimal_places", None)
        if isinstance(places, int):
            return places
    return None


def _app_label(model: type[Any]) -> str:
    if apps.ready:
        config = apps.get_containing_app_config(model.__module__)
        if config is not None:
            return str(config.label)
    return model.__module__.partition(".")[0]


class OnyxOptions:
    """``Model._meta`` of an Onyx model, read from its pydantic fields and its ``class Meta``.

    >>> from onyx_django.models import OnyxModel
    >>> class TeamMember(OnyxModel):
    ...     id: str
    ...     fullName: str | None = None
    ...     class Meta:
    ...         app_label = "people"
    ...         db_table = "Member"
    >>> opts = TeamMember._meta
    >>> opts.label, opts.db_table, opts.verbose_name, opts.pk.name
    ('people.TeamMember', 'Member', 'team member', 'id')
    >>> type(opts.get_field("fullName")).__name__, opts.get_field("fullName").null
    ('CharField', True)
    """

    # What Django's own Options says about a model without relations, inheritance or SQL.
    abstract_fields: tuple[()] = ()
    proxy = False
    proxy_for_model = None
    swapped = None
    swappable = None
    managed = False
    auto_created = False
    auto_field = None
    select_on_save = False
    order_with_respect_to = None
    default_related_name = None
    db_tablespace = ""
    db_table_comment = ""
    required_db_features: tuple[str, ...] = ()
    required_db_vendor = None
    default_permissions: tuple[str, ...] = ()
    permissions: tuple[Any, ...] = ()
    unique_together: tuple[Any, ...] = ()
    index_together: tuple[Any, ...] = ()
    indexes: tuple[Any, ...] = ()
    constraints: tuple[Any, ...] = ()
    total_unique_constraints: tuple[Any, ...] = ()
    parents: Mapping[Any, Any] = types.MappingProxyType({})
    all_parents: tuple[Any, ...] = ()
    local_many_to_many: ImmutableList[Any] = ImmutableList(())
    related_objects: ImmutableList[Any] = ImmutableList(())
    private_fields: list[Any] = []
    is_composite_pk = False
    apps = apps

    def __init__(self, model: type[Any], meta: Mapping[str, Any]) -> None:
        self.model = model
        self.concrete_model = model
        self.meta = meta
        self.original_attrs = dict(meta)
        self.object_name = model.__name__
        self.model_name = model.__name__.lower()
        self.abstract = bool(meta.get("abstract", False))
        self.db_table: str = meta.get("db_table") or _class_attribute(
            model, "__onyx_table__", model.__name__
        )
        self.identifier: str = meta.get("identifier") or _class_attribute(
            model, "__onyx_identifier__", "id"
        )
        self.partition: str | None = meta.get("partition") or _class_attribute(
            model, "__onyx_partition__", None
        )
        self.verbose_name: str = meta.get("verbose_name") or verbose(model.__name__)
        self.verbose_name_raw = self.verbose_name
        self.verbose_name_plural: str = meta.get("verbose_name_plural") or f"{self.verbose_name}s"
        self.ordering: list[str] = list(meta.get("ordering", ()))
        self.get_latest_by: str | list[str] | None = meta.get("get_latest_by")
        self._app_label: str | None = meta.get("app_label")
        self.default_manager: Any = None
        self.base_manager: Any = None
        self.local_managers: list[Any] = []

    def __repr__(self) -> str:
        return f"<Options for {self.object_name}>"

    def __str__(self) -> str:
        return self.label_lower

    # -- names -------------------------------------------------------------------------------

    @property
    def app_label(self) -> str:
        """The label of the installed app whose package holds the model's module (or
        ``Meta.app_label``); outside any installed app, the module's top-level package."""
        if self._app_label is None:
            if not apps.ready:
                return _app_label(self.model)
            self._app_label = _app_label(self.model)
        return self._app_label

    @app_label.setter
    def app_label(self, value: str) -> None:
        self._app_label = value

    @property
    def app_config(self) -> Any:
        return apps.get_containing_app_config(self.model.__module__)

    @property
    def label(self) -> str:
        return f"{self.app_label}.{self.object_name}"

    @property
    def label_lower(self) -> str:
        return f"{self.app_label}.{self.model_name}"

    @property
    def onyx_table(self) -> str:
        """The Onyx table (``Meta.db_table``, ``__onyx_table__`` or the class name)."""
        return self.db_table

    # -- fields ------------------------------------------------------------------------------

    @functools.cached_property
    def _fields(self) -> dict[str, models.Field[Any, Any]]:
        fields: dict[str, models.Field[Any, Any]] = {}
        for name, info in self.model.model_fields.items():
            if info.exclude:  # resolver results: read with the record, never a table attribute
                continue
            fields[name] = django_field(self.model, name, info, primary_key=name == self.identifier)
        return fields

    @functools.cached_property
    def relations(self) -> dict[str, OnyxRelation]:
        """The resolvers (fields declared with ``Field(exclude=True)``) as relation fields."""
        return {
            name: OnyxRelation(self.model, name, info)
            for name, info in self.model.model_fields.items()
            if info.exclude
        }

    @functools.cached_property
    def relation_names(self) -> frozenset[str]:
        """The resolver fields' names (read with ``select_related()`` or on access)."""
        return frozenset(n for n, info in self.model.model_fields.items() if info.exclude)

    @functools.cached_property
    def many_to_many(self) -> ImmutableList[Any]:
        """The to-many resolvers whose records have a model (DRF lists their pks)."""
        return ImmutableList(
            f for f in self.relations.values() if f.many_to_many and f.related_model is not None
        )

    @functools.cached_property
    def stored_names(self) -> frozenset[str]:
        """The fields read and written with the record (resolver results excluded)."""
        return frozenset(n for n, info in self.model.model_fields.items() if not info.exclude)

    @functools.cached_property
    def names_by_column(self) -> dict[str, str]:
        """Wire name → field name, for the fields whose wire name differs (aliases)."""
        return {
            info.alias: name
            for name, info in self.model.model_fields.items()
            if info.alias and info.alias != name
        }

    @functools.cached_property
    def pk(self) -> models.Field[Any, Any]:
        try:
            return self._fields[self.identifier]
        except KeyError:
            raise FieldDoesNotExist(
                f"{self.object_name} has no field {self.identifier!r} (its Onyx identifier); "
                "declare it or set Meta.identifier"
            ) from None

    @functools.cached_property
    def fields(self) -> ImmutableList[Any]:
        """The stored fields, then the to-one resolvers whose record has a model (as Django
        lists a ``ForeignObject`` without a column of its own)."""
        to_one = (f for f in self.relations.values() if f.many_to_one and f.related_model)
        return ImmutableList(
            (*self._fields.values(), *to_one), warning="Onyx model fields are read-only"
        )

    @functools.cached_property
    def concrete_fields(self) -> ImmutableList[Any]:
        """The fields stored in the table (what a record's save writes)."""
        return ImmutableList(self._fields.values(), warning="Onyx model fields are read-only")

    @property
    def local_fields(self) -> ImmutableList[Any]:
        return self.concrete_fields

    @property
    def local_concrete_fields(self) -> ImmutableList[Any]:
        return self.concrete_fields

    @property
    def fields_map(self) -> dict[str, models.Field[Any, Any]]:
        return dict(self._fields)

    @property
    def _forward_fields_map(self) -> dict[str, models.Field[Any, Any]]:
        mapping = dict(self._fields)
        mapping.update((f.attname, f) for f in self._fields.values())
        return mapping

    @property
    def managers(self) -> list[Any]:
        return [m for m in (self.default_manager,) if m is not None]

    @property
    def managers_map(self) -> dict[str, Any]:
        return {getattr(m, "name", "onyx"): m for m in self.managers}

    def get_fields(
        self, include_parents: bool = True, include_hidden: bool = False
    ) -> ImmutableList[Any]:
        """Every field, then the resolvers as relation fields (no parents: Onyx models have
        no model inheritance)."""
        return ImmutableList((*self._fields.values(), *self.relations.values()))

    def get_field(self, field_name: str) -> models.Field[Any, Any]:
        """The field named ``field_name`` (its Python name or its wire name; a resolver's
        relation field), else ``FieldDoesNotExist`` as Django raises."""
        field = self._fields.get(field_name) or self.relations.get(field_name)
        if field is None:
            field = next((f for f in self._fields.values() if f.column == field_name), None)
        if field is None:
            raise FieldDoesNotExist(f"{self.object_name} has no field named '{field_name}'")
        return field

    def add_manager(self, manager: Any) -> None:
        """Django's hook for ``Manager.contribute_to_class``: the first manager is the default."""
        self.local_managers.append(manager)
        if self.default_manager is None:
            self.default_manager = self.base_manager = manager

    def get_parent_list(self) -> list[Any]:
        return []

    def get_ancestor_link(self, ancestor: Any) -> None:
        return None

    def get_path_to_parent(self, parent: Any) -> list[Any]:
        return []

    def get_path_from_parent(self, parent: Any) -> list[Any]:
        return []

    def get_base_chain(self, model: Any) -> list[Any]:
        return []

    def can_migrate(self, connection: Any) -> bool:
        return False


_models_by_table: dict[str, type[Any]] = {}
_declared: weakref.WeakSet[type[Any]] = weakref.WeakSet()


def register_model(model: type[Any]) -> None:
    """Remember ``model`` as the model of its table (the last one declared wins, so a subclass
    of a generated model that adds methods takes over from it)."""
    _models_by_table[model._meta.db_table] = model
    _declared.add(model)


def declared_models() -> list[type[Any]]:
    """Every (non-abstract) Onyx model declared so far, by label."""
    return sorted(_declared, key=lambda model: (model._meta.label, id(model)))


def model_for_table(table: str) -> type[Any] | None:
    """The :class:`~onyx_django.models.OnyxModel` declared for ``table``, if any."""
    return _models_by_table.get(table)


def _class_attribute(model: type[Any], name: str, default: Any) -> Any:
    value = getattr(model, name, None)
    return value if isinstance(value, str) and value else default
