"""``OnyxManager``: the entry point of querysets on a model, generated from ``OnyxQuerySet``.

::

    class Profile(BaseModel):                  # OnyxModel subclasses get one automatically
        __onyx_table__: ClassVar[str] = "UserProfile"
        id: str
        onyx: ClassVar[OnyxManager[Profile]] = OnyxManager()

    Profile.onyx.filter(age__gte=18).count()
    profiles = manager_for(Profile)            # the same without touching the class

The manager's methods are made from the queryset class by Django's own
``BaseManager.from_queryset`` (one list of methods, never two): every public queryset method
except ``delete``/``adelete`` (as in Django). A custom queryset gets its manager with
``MyQuerySet.as_manager()`` or ``OnyxManager.from_queryset(MyQuerySet)``.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any, TypeVar, overload

from django.db.models.manager import BaseManager

from onyx_database import table_name

from . import _fields
from ._connections import DEFAULT_ALIAS
from ._errors import MultipleObjectsReturned, ObjectDoesNotExist
from ._queryset import OnyxQuerySet

__all__ = ["OnyxManager", "OnyxModelOptions", "manager_for"]

M = TypeVar("M")
_O = TypeVar("_O")


class OnyxModelOptions:
    """The slice of Django's ``Model._meta`` that generic views and ``get_object_or_404`` read,
    for plain pydantic classes (``onyx_django.models.OnyxModel`` has a complete ``_meta``).

    >>> class Role: ...
    >>> OnyxModelOptions(Role).model_name
    'role'
    """

    def __init__(self, model: type[Any]) -> None:
        self.model = model
        self.object_name = model.__name__
        self.model_name = model.__name__.lower()
        self.app_label = "onyx"
        self.verbose_name = model.__name__
        self.verbose_name_plural = f"{model.__name__}s"
        self.db_table = table_name(model)
        self.pk_name = _fields.identifier(model)
        self.ordering: list[str] = []
        self.get_latest_by: str | None = None

    @property
    def label(self) -> str:
        return f"{self.app_label}.{self.object_name}"


_installed: set[type[Any]] = set()


def _install(model: type[Any], manager: OnyxManager[Any]) -> None:
    """Give ``model`` Django's ``DoesNotExist``, ``MultipleObjectsReturned``, ``_meta`` and
    ``_default_manager``, each only if the class does not define it already."""
    if model in _installed:
        return
    name = model.__name__
    not_found = type(
        "DoesNotExist", (ObjectDoesNotExist,), {"__qualname__": f"{name}.DoesNotExist"}
    )
    multiple = type(
        "MultipleObjectsReturned",
        (MultipleObjectsReturned,),
        {"__qualname__": f"{name}.MultipleObjectsReturned"},
    )
    for attribute, value in (
        ("DoesNotExist", not_found),
        ("MultipleObjectsReturned", multiple),
        ("_meta", OnyxModelOptions(model)),
        ("_default_manager", manager),
    ):
        if attribute not in vars(model):
            with contextlib.suppress(TypeError, AttributeError):  # built-in or slotted classes
                setattr(model, attribute, value)
    _installed.add(model)


class _OnyxBaseManager(BaseManager):  # type: ignore[type-arg]
    """Django's ``BaseManager`` as a class-attribute descriptor that learns its model."""

    _queryset_class: Any

    def __init__(self, model: type[Any] | None = None, *, using: str | None = None) -> None:
        super().__init__()
        self._using = using
        self._subclass_managers: dict[type[Any], Any] = {}
        if model is not None:
            self._attach(model)

    def _attach(self, model: type[Any]) -> None:
        self.model = model
        _install(model, self)  # type: ignore[arg-type]

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self.name = name
        if self.model is None:
            self._attach(owner)

    def contribute_to_class(self, cls: type[Any], name: str) -> None:
        """Attach to ``cls`` as ``name`` (what ``OnyxModel`` does for its subclasses)."""
        self.name = name
        self._attach(cls)
        setattr(cls, name, self)

    def __get__(self, instance: object, owner: type[Any]) -> Any:
        if instance is not None:
            raise AttributeError(
                f"Manager isn't accessible via {owner.__name__} instances; use the class"
            )
        if self.model is None:
            self._attach(owner)
        if self.model is owner:
            return self
        manager = self._subclass_managers.get(owner)
        if manager is None:
            manager = type(self)(owner, using=self._using)
            manager.name = self.name
            self._subclass_managers[owner] = manager
        return manager

    @property
    def db(self) -> str:
        """The alias reads go to: ``using=``, else ``settings.ONYX_ROUTERS``, else default."""
        if self._using:
            return self._using
        from ._connections import connections

        return connections.route(self.model) if self.model is not None else DEFAULT_ALIAS

    @property
    def DoesNotExist(self) -> type[Exception]:
        """The model's ``DoesNotExist``."""
        error: type[Exception] = getattr(self.model, "DoesNotExist", ObjectDoesNotExist)
        return error

    @property
    def MultipleObjectsReturned(self) -> type[Exception]:
        """The model's ``MultipleObjectsReturned``."""
        error: type[Exception] = getattr(
            self.model, "MultipleObjectsReturned", MultipleObjectsReturned
        )
        return error

    def db_manager(self, using: str | None = None, hints: Any = None) -> Any:
        """A copy of this manager on another alias (Django's ``db_manager``)."""
        manager = type(self)(self.model, using=using or self._using)
        manager.name = self.name
        return manager

    def get_queryset(self) -> Any:
        """A new queryset of all records (the override point for custom managers)."""
        if self.model is None:
            raise TypeError("This OnyxManager is not attached to a model; use manager_for(Model).")
        return self._queryset_class(self.model, using=self._using)

    def __repr__(self) -> str:
        model = self.model.__name__ if self.model is not None else "unattached"
        return f"<OnyxManager of {model}>"

    def __class_getitem__(cls, *args: Any, **kwargs: Any) -> Any:
        return cls


if TYPE_CHECKING:
    _ManagerBase = OnyxQuerySet
else:
    _ManagerBase = _OnyxBaseManager.from_queryset(OnyxQuerySet, "_GeneratedOnyxManager")


class OnyxManager(_ManagerBase[M]):
    """The entry point of querysets on a model: ``Profile.onyx.filter(...)``.

    ``onyx = OnyxManager()`` in a class body (a descriptor that learns its model; subclasses get
    their own), or ``manager_for(Profile)``. Every queryset method is here too (made from
    :class:`OnyxQuerySet`), except ``delete()`` (``Profile.onyx.all().delete()``, as Django).
    Also gives a plain class Django's ``DoesNotExist``, ``MultipleObjectsReturned``, a minimal
    ``_meta`` and ``_default_manager`` when it does not define them.
    """

    if TYPE_CHECKING:

        def __init__(self, model: type[M] | None = None, *, using: str | None = None) -> None: ...

        @overload
        def __get__(self, instance: None, owner: type[_O]) -> OnyxManager[_O]: ...
        @overload
        def __get__(self, instance: object, owner: type[Any]) -> OnyxManager[M]: ...
        def __get__(self, instance: object, owner: type[Any]) -> Any: ...

        def get_queryset(self) -> OnyxQuerySet[M]: ...

        def db_manager(self, using: str | None = None, hints: Any = None) -> OnyxManager[M]: ...

        @classmethod
        def from_queryset(
            cls, queryset_class: type[OnyxQuerySet[Any]], class_name: str | None = None
        ) -> type[OnyxManager[Any]]: ...

        def contribute_to_class(self, cls: type[Any], name: str) -> None: ...

        name: str | None


def manager_for(model: type[M], *, using: str | None = None) -> OnyxManager[M]:
    """A manager of ``model`` without touching the class: ``profiles = manager_for(Profile)``."""
    return OnyxManager(model, using=using)
