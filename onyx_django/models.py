"""``OnyxModel``: a pydantic model of an Onyx table that Django code treats as a Django model.

::

    from datetime import datetime
    from onyx_django.models import OnyxModel

    class Profile(OnyxModel):
        id: str
        firstName: str | None = None
        age: int | None = None
        createdAt: datetime | None = None

        class Meta:
            db_table = "UserProfile"        # the Onyx table (default: the class name)
            ordering = ["id"]

    ada = Profile(id="p1", firstName="Ada")
    ada.save()                              # pre_save, one create, post_save(created=True)
    Profile.onyx.get(pk="p1")               # also Profile.objects, Profile._default_manager
    ada.delete()

Every subclass gets, however and whenever it is declared: the ``onyx`` manager (also
``_default_manager``, and ``objects`` unless the class defines something by that name),
``DoesNotExist`` / ``MultipleObjectsReturned`` subclassing Django's, and a ``_meta`` with
Django field instances (:class:`~onyx_django._meta.OnyxOptions`). Instances are
``isinstance(obj, django.db.models.Model)``, so generic views, ``ModelForm``, DRF and
django-filter take them, but they are not in Django's app registry: no migrations, no admin,
no SQL. Field values live in the pydantic model; ``save()`` validates them and sends one request.

A resolver is a field declared with ``Field(default=None, exclude=True)``, read with the record
(``select_related``) or on first access, never written by ``save()``. Declared with
:func:`relation` and the cascade that saves it, it is also editable (admin inlines,
``relation_formset_factory``, ``onyx_django.rest_framework.CascadeModelSerializer``)::

    class User(OnyxModel):
        id: str
        userRoles: list[UserRole] | None = relation(cascade="UserRole(userId, id)")
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Self, TypeVar, overload

from django.db import models
from django.db.models.base import ModelBase, ModelState
from pydantic import BaseModel, ConfigDict, PrivateAttr

from ._connections import connections
from ._errors import MultipleObjectsReturned, ObjectDoesNotExist
from ._instances import (
    delete_flow,
    instance_alias,
    refresh_flow,
    save_flow,
    set_loaded,
    validated_values,
)
from ._manager import OnyxManager, manager_for
from ._meta import META_OPTIONS, OnyxOptions, choices_of, register_model, unwrap_annotation
from ._ops import Flow, arun, run
from ._relations import relation

__all__ = ["OnyxModel", "relation"]

M = TypeVar("M", bound="OnyxModel")


class _NotADjangoModelBase(ModelBase):
    """Keeps ``models.Model`` in the MRO while skipping Django's model construction (app
    registry, SQL fields, managers): the class is built by pydantic alone."""

    def __new__(mcs, name: str, bases: tuple[type, ...], namespace: dict[str, Any], **kw: Any):  # type: ignore[no-untyped-def]
        return type.__new__(mcs, name, bases, namespace, **kw)


# pydantic's metaclass, reached through its public model class rather than a private import
_PydanticModelMetaclass: Any = type(BaseModel)


class OnyxModelMetaclass(_PydanticModelMetaclass, _NotADjangoModelBase):  # type: ignore[misc]
    """pydantic's metaclass, also a Django ``ModelBase`` (so ``_default_manager`` resolves
    through ``_meta.default_manager`` as on Django models).

    Calling the class behaves as Django's ``Model(...)``: no arguments give an empty instance,
    an unknown keyword is a ``TypeError``. (``model_validate``, which decodes records, does not
    pass through here and keeps pydantic's handling of extra keys.)
    """

    def __call__(cls, *args: Any, **data: Any) -> Any:
        fields = cls.model_fields
        if not args and not data:
            values = {
                name: None
                if info.is_required()
                else info.get_default(call_default_factory=True, validated_data={})
                for name, info in fields.items()
            }
            return cls.model_construct(_fields_set=set(), **values)
        accepted = set(fields)
        accepted.update(info.alias for info in fields.values() if info.alias)
        if "pk" in data and "pk" not in accepted:
            # Django sets ``pk`` after the fields: it wins over the identifier's own keyword
            data[cls._meta.pk.name] = data.pop("pk")
        unknown = sorted(set(data) - accepted)
        if unknown:
            names = ", ".join(repr(name) for name in unknown)
            raise TypeError(f"{cls.__name__}() got unexpected keyword arguments: {names}")
        return super().__call__(*args, **data)


class _ManagerDescriptor:
    """``Model.onyx``: the model's own manager, typed ``OnyxManager[Model]``."""

    @overload
    def __get__(self, instance: None, owner: type[M]) -> OnyxManager[M]: ...
    @overload
    def __get__(self, instance: object, owner: type[M]) -> OnyxManager[M]: ...
    def __get__(self, instance: object, owner: type[M]) -> OnyxManager[M]:
        if instance is not None:
            raise AttributeError("Manager isn't accessible via model instances.")
        manager = owner._meta.default_manager
        if manager is None:
            raise AttributeError(f"{owner.__name__} is abstract: it has no manager.")
        result: OnyxManager[M] = manager
        return result


if TYPE_CHECKING:
    _Base = BaseModel
else:

    class _Base(BaseModel, models.Model, metaclass=OnyxModelMetaclass):
        __reduce__ = object.__reduce__  # pydantic pickling, not Django's app-registry lookup
        __eq__ = models.Model.__eq__
        __hash__ = models.Model.__hash__
        __str__ = models.Model.__str__


def _meta_attributes(model: type[Any]) -> dict[str, Any]:
    """Own ``class Meta`` options on top of the nearest parent's (``abstract`` not inherited)."""
    inherited: dict[str, Any] = {}
    for parent in model.__mro__[1:]:
        opts = parent.__dict__.get("_meta")
        if isinstance(opts, OnyxOptions):
            inherited = {k: v for k, v in opts.original_attrs.items() if k != "abstract"}
            break
    meta = model.__dict__.get("Meta")
    own: dict[str, Any] = {}
    if meta is not None:
        own = {k: v for k, v in vars(meta).items() if not k.startswith("_")}
        unknown = sorted(set(own) - set(META_OPTIONS))
        if unknown:
            raise TypeError(f"'class Meta' got invalid attribute(s): {','.join(unknown)}")
    return {**inherited, **own}


def _error_class(model: type[Any], name: str, base: type[Exception]) -> type[Exception]:
    parents = tuple(
        getattr(parent, name)
        for parent in model.__mro__[1:]
        if isinstance(opts := parent.__dict__.get("_meta"), OnyxOptions) and not opts.abstract
    )
    return type(
        name,
        parents[:1] or (base,),
        {"__module__": model.__module__, "__qualname__": f"{model.__qualname__}.{name}"},
    )


class OnyxModel(_Base):
    """Base of models of Onyx tables; see the module docstring.

    Options go in an inner ``class Meta`` (inherited by subclasses): ``db_table`` (the Onyx
    table; else ``__onyx_table__``, else the class name), ``identifier`` (the primary key field;
    else ``__onyx_identifier__``, else ``"id"``), ``partition``, ``app_label`` (else the installed
    app holding the module), ``verbose_name``, ``verbose_name_plural``, ``ordering``,
    ``get_latest_by``, ``abstract``.

    ``Model()`` with no arguments is an empty instance (what ``ModelForm`` and ``CreateView``
    build; required fields are ``None`` until set); with arguments the values are validated by
    pydantic, and an unknown keyword is a ``TypeError`` as in Django; ``pk=`` sets the primary
    key, as in Django.
    """

    model_config = ConfigDict(populate_by_name=True, protected_namespaces=())

    onyx: ClassVar[_ManagerDescriptor] = _ManagerDescriptor()
    _meta: ClassVar[OnyxOptions]
    DoesNotExist: ClassVar[type[ObjectDoesNotExist]] = ObjectDoesNotExist
    MultipleObjectsReturned: ClassVar[type[MultipleObjectsReturned]] = MultipleObjectsReturned
    _state: ModelState = PrivateAttr(default_factory=ModelState)
    _deferred: frozenset[str] = PrivateAttr(default=frozenset())

    class Meta:
        abstract = True

    if TYPE_CHECKING:
        # set per class at runtime unless the class defines ``objects`` itself
        objects: ClassVar[_ManagerDescriptor]

        @property
        def pk(self) -> Any: ...
        @pk.setter
        def pk(self, value: Any) -> None: ...
        def unique_error_message(
            self, model_class: type[Any], unique_check: tuple[str, ...]
        ) -> Any: ...
        def clean(self) -> None: ...
        def full_clean(
            self,
            exclude: Iterable[str] | None = None,
            validate_unique: bool = True,
            validate_constraints: bool = True,
        ) -> None: ...

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        _prepare(cls)

    @classmethod
    def from_db(cls, db: str | None, field_names: Iterable[str], values: Iterable[Any]) -> Self:
        """An instance from a record read through alias ``db`` (Django's hook, called by
        querysets): ``_state.adding`` is False, and the fields that were not fetched
        (``only()`` / ``defer()``) are ``None`` and listed by :meth:`get_deferred_fields`."""
        return cls.from_record(db, dict(zip(field_names, values, strict=True)))

    @classmethod
    def from_record(cls, db: str | None, record: Mapping[str, Any]) -> Self:
        """:meth:`from_db` for a record as decoded (a dict keyed by wire names); what the
        querysets call, without splitting the record into names and values."""
        opts = cls._meta
        wire = opts.names_by_column
        if wire:
            record = {wire.get(key, key): value for key, value in record.items()}
        if record.keys() >= opts.stored_names:
            instance: Self = cls.__pydantic_validator__.validate_python(record, by_name=bool(wire))
            deferred = opts.relation_names - record.keys() if opts.relation_names else None
        else:
            instance = cls()
            for name, value in record.items():
                if name in cls.model_fields:
                    cls.__pydantic_validator__.validate_assignment(instance, name, value)
            deferred = (opts.stored_names | opts.relation_names) - record.keys()
        private = instance.__pydantic_private__
        assert private is not None  # pydantic sets it on every instance
        if deferred:
            # Absent from __dict__, they load on first access (__getattr__), as Django's
            # deferred fields and relations do.
            for name in deferred:
                instance.__dict__.pop(name, None)
            private["_deferred"] = frozenset(deferred)
        state = private["_state"]
        state.adding = False
        state.db = db
        return instance

    def get_deferred_fields(self) -> set[str]:
        """The fields not fetched (``only()`` / ``defer()``); ``save()`` leaves them alone,
        and reading one loads it (one find by id)."""
        return set(self._deferred & self._meta.stored_names)

    if not TYPE_CHECKING:

        def __getattr__(self, name: str) -> Any:
            # Only reached for names missing from __dict__: a deferred field or an unresolved
            # relation loads on first access, as Django's DeferredAttribute does.
            if not name.startswith("_"):
                private = self.__pydantic_private__
                if private and name in private["_deferred"]:
                    self.refresh_from_db(fields=[name])
                    return self.__dict__[name]
            return super().__getattr__(name)

    # -- writes ------------------------------------------------------------------------------

    def _alias(self, using: str | None, *, write: bool = True) -> str:
        return instance_alias(self, using, write=write)

    def _save(
        self,
        force_insert: bool,
        force_update: bool,
        using: str | None,
        update_fields: Iterable[str] | None,
    ) -> Flow[None]:
        return save_flow(
            self,
            force_insert=force_insert,
            force_update=force_update,
            using=self._alias(using),
            update_fields=update_fields,
        )

    def save(
        self,
        *,
        force_insert: bool = False,
        force_update: bool = False,
        using: str | None = None,
        update_fields: Iterable[str] | None = None,
    ) -> None:
        """Insert or update the record, sending ``pre_save`` / ``post_save``.

        A new instance is created (``created=True``; when its id already exists that record's
        fields are updated, as Django updates the row); an instance read from Onyx updates its
        record's fields (attributes the model does not declare are kept), creating it if gone.
        ``force_insert=True`` raises :class:`~onyx_django.OnyxIntegrityError` (an
        ``IntegrityError``) on an existing id; ``update_fields=[...]`` and ``force_update=True``
        send an update of just those fields (``DatabaseError`` when the record is gone).
        Values are validated first: an invalid or missing one raises Django's
        ``ValidationError`` before anything is sent.
        """
        run(self._save(force_insert, force_update, using, update_fields))

    async def asave(
        self,
        *,
        force_insert: bool = False,
        force_update: bool = False,
        using: str | None = None,
        update_fields: Iterable[str] | None = None,
    ) -> None:
        """Async :meth:`save` (the alias's async client; the same signals)."""
        await arun(self._save(force_insert, force_update, using, update_fields))

    def delete(
        self, using: str | None = None, keep_parents: bool = False
    ) -> tuple[int, dict[str, int]]:
        """Delete the record (``pre_delete`` / ``post_delete``); ``(1, {label: 1})``, or
        ``(0, {label: 0})`` when it was already gone. The pk becomes ``None``, as in Django."""
        return run(delete_flow(self, using=self._alias(using)))

    async def adelete(
        self, using: str | None = None, keep_parents: bool = False
    ) -> tuple[int, dict[str, int]]:
        """Async :meth:`delete`."""
        return await arun(delete_flow(self, using=self._alias(using)))

    def refresh_from_db(
        self,
        using: str | None = None,
        fields: Iterable[str] | None = None,
        from_queryset: Any = None,
    ) -> None:
        """Reload the fields (or just ``fields``) from Onyx; ``DoesNotExist`` when gone."""
        run(refresh_flow(self, using=self._alias(using, write=False), fields=fields))

    async def arefresh_from_db(
        self,
        using: str | None = None,
        fields: Iterable[str] | None = None,
        from_queryset: Any = None,
    ) -> None:
        """Async :meth:`refresh_from_db`."""
        await arun(refresh_flow(self, using=self._alias(using, write=False), fields=fields))

    def serializable_value(self, field_name: str) -> Any:
        """The field's value as Django serializes it: for a to-one resolver (as for a
        ``ForeignKey``), the related record's pk."""
        opts = self._meta
        found = opts.relations.get(field_name)
        if found is not None and found.many_to_one and found.related_model is not None:
            related = getattr(self, field_name)
            return None if related is None else related.pk
        return models.Model.serializable_value(self, field_name)  # type: ignore[arg-type]

    # -- validation --------------------------------------------------------------------------

    def clean_fields(self, exclude: Iterable[str] | None = None) -> None:
        """Django's field validation (``null``, ``blank``, ``max_length``, ``choices``, the
        fields' validators), then the pydantic validators; Django ``ValidationError`` by field."""
        from django.core.exceptions import ValidationError

        skipped = set(exclude or ()) | set(self._meta.relation_names)
        errors: dict[str, Any] = {}
        try:
            models.Model.clean_fields(self, exclude=skipped)  # type: ignore[arg-type]
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        try:
            values = validated_values(self, skipped | set(errors))
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        else:
            set_loaded(self, {k: v for k, v in values.items() if k not in skipped | set(errors)})
        if errors:
            raise ValidationError(errors)

    def validate_unique(self, exclude: Iterable[str] | None = None) -> None:
        """For a new instance, that no record has its id (one find by id): Django's
        ``"<Model> with this <field> already exists."`` error otherwise."""
        opts = self._meta
        pk = self.pk
        if pk is None or opts.pk.name in set(exclude or ()) or not self._state.adding:
            return
        database = connections[self._alias(None, write=False)]
        if database.find_by_id(opts.db_table, pk, partition=opts.partition) is not None:
            from django.core.exceptions import ValidationError

            error = self.unique_error_message(type(self), (opts.pk.name,))
            raise ValidationError({opts.pk.name: [error]})

    def validate_constraints(self, exclude: Iterable[str] | None = None) -> None:
        """Onyx tables have no constraints besides the unique id (see :meth:`validate_unique`)."""


def _prepare(model: type[OnyxModel]) -> None:
    meta = _meta_attributes(model)
    opts = OnyxOptions(model, meta)
    type.__setattr__(model, "_meta", opts)
    if opts.abstract:
        return
    # The core and the querysets read the table, identifier and partition from these.
    for attribute, value in (
        ("__onyx_table__", opts.db_table),
        ("__onyx_identifier__", opts.identifier),
        ("__onyx_partition__", opts.partition),
    ):
        if model.__dict__.get(attribute) != value:
            type.__setattr__(model, attribute, value)
    for name, base in (
        ("DoesNotExist", ObjectDoesNotExist),
        ("MultipleObjectsReturned", MultipleObjectsReturned),
    ):
        if name not in model.__dict__:
            type.__setattr__(model, name, _error_class(model, name, base))
    register_model(model)
    for name, info in model.model_fields.items():
        if choices_of(unwrap_annotation(info.annotation)[0]) is not None and not hasattr(
            model, f"get_{name}_display"
        ):
            type.__setattr__(model, f"get_{name}_display", _display_method(name))
    manager = manager_for(model)
    manager.name = "onyx"  # Django's Manager.name: str(manager) is "people.Profile.onyx"
    opts.default_manager = opts.base_manager = manager
    opts.local_managers = [manager]
    if "objects" not in model.model_fields and not _user_defined(model, "objects"):
        type.__setattr__(model, "objects", manager)


_prepare(OnyxModel)  # the base itself: an abstract _meta


def _display_method(name: str) -> Any:
    def display(self: OnyxModel) -> Any:
        """The label of the field's value among its choices (Django's ``get_FOO_display()``)."""
        return models.Model._get_FIELD_display(self, self._meta.get_field(name))  # type: ignore[attr-defined]

    display.__name__ = f"get_{name}_display"
    return display


def _user_defined(model: type[Any], name: str) -> bool:
    for klass in model.__mro__:
        if name in klass.__dict__:
            value = klass.__dict__[name]
            return not (isinstance(value, OnyxManager) and klass is not model)
    return False
