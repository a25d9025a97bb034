"""Read-only admin inlines for resolver relations (``OnyxRelationInline``)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.checks import InlineModelAdminChecks
from django.forms.models import BaseModelFormSet, modelformset_factory
from django.http import HttpRequest

from ._errors import NotSupportedError
from .models import OnyxModel

__all__ = ["OnyxRelationInline"]


class _RelationChecks(InlineModelAdminChecks):
    """Django's inline checks, without the foreign key they look for: the relation is a
    resolver of the parent, not a key of the child."""

    def _check_relation(self, obj: Any, parent_model: Any) -> list[Any]:
        return []

    def _check_exclude_of_parent_model(self, obj: Any, parent_model: Any) -> list[Any]:
        return []


class RelationFormSet(BaseModelFormSet):  # type: ignore[type-arg]
    """The related records of one parent, read through its resolver, shown and never
    written: unbound even on POST, always valid, saving nothing."""

    relation = ""

    def __init__(
        self,
        data: Any = None,
        files: Any = None,
        instance: Any = None,
        prefix: str | None = None,
        queryset: Any = None,
        save_as_new: bool = False,
        **kwargs: Any,
    ) -> None:
        self.instance = instance
        related = getattr(instance, self.relation, None) if instance is not None else None
        if related is not None and not isinstance(related, list | tuple):
            related = [related]  # a to-one resolver
        self._related = list(related or [])
        self.new_objects: list[Any] = []
        self.changed_objects: list[Any] = []
        self.deleted_objects: list[Any] = []
        super().__init__(prefix=prefix or self.get_default_prefix(), **kwargs)

    @classmethod
    def get_default_prefix(cls) -> str:
        return cls.relation

    def get_queryset(self) -> Any:
        return self._related

    def initial_form_count(self) -> int:
        return len(self._related)

    def is_valid(self) -> bool:
        return True

    def has_changed(self) -> bool:
        return False

    def save(self, commit: bool = True) -> list[Any]:
        return []


class OnyxRelationInline(admin.TabularInline):  # type: ignore[type-arg]
    """A read-only inline listing the records of one of the parent's resolvers::

        class RoleInline(OnyxRelationInline):
            relation = "roles"                 # User.roles: list[Role] | None = Field(exclude=True)
            fields = ["id", "name"]            # default: every field of Role

        @admin.register(User)
        class UserAdmin(OnyxModelAdmin):
            inlines = [RoleInline]

    The records are read when the change form is shown (the resolver, one find by id unless
    ``get_object`` fetched it); nothing is written through the inline. ``relation`` must name
    a resolver field annotated with a model (``list[Role]`` or ``Role | None``):
    ``NotSupportedError`` otherwise, when the parent's admin is built. Shown to users who may
    view or change the parent.
    """

    relation = ""
    # the relation's model replaces it in __init__ (Django's checks want a model class here)
    model: Any = OnyxModel
    checks_class = _RelationChecks
    formset = RelationFormSet  # type: ignore[assignment]  # a model formset, no foreign key
    extra = 0
    max_num = 0
    can_delete = False

    def __init__(self, parent_model: type[Any], admin_site: Any) -> None:
        from ._meta import OnyxRelation

        field = parent_model._meta.get_field(self.relation) if self.relation else None
        if not isinstance(field, OnyxRelation) or field.related_model is None:
            raise NotSupportedError(
                f"{type(self).__name__}.relation = {self.relation!r}: name a resolver field of "
                f"{parent_model.__name__} annotated with its model (list[Model] | None)"
            )
        self.model = field.related_model
        super().__init__(parent_model, admin_site)
        if self.verbose_name_plural is None or not type(self).verbose_name_plural:
            self.verbose_name_plural = field.verbose_name

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        base = type(
            f"{self.model.__name__}RelationFormSet", (self.formset,), {"relation": self.relation}
        )
        return modelformset_factory(
            self.model, form=self.form, formset=base, fields=(), extra=0, max_num=0
        )

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.fields or [f.name for f in self.model._meta.concrete_fields]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.get_fields(request, obj)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        opts = self.parent_model._meta
        user: Any = request.user
        return bool(
            user.has_perm(f"{opts.app_label}.view_{opts.model_name}")
            or user.has_perm(f"{opts.app_label}.change_{opts.model_name}")
        )
