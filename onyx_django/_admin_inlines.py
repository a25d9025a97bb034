"""Admin inlines for resolver relations (``OnyxRelationInline``): read-only, or editable
where Onyx can save the relation by cascade."""

from __future__ import annotations

from functools import partial
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.checks import InlineModelAdminChecks
from django.contrib.admin.utils import flatten_fieldsets
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

    ``editable = True`` makes the inline edit the records (add, change, delete rows in the
    parent's change form) when Onyx can save the relation: a resolver declared with its
    cascade (``relation(cascade="UserRole(userId, id)")``); ``NotSupportedError`` when the
    parent's admin is registered otherwise. The rows are validated with the parent's form;
    the parent and the new and changed rows are then written in one cascade request, and
    removed rows deleted in one more (see ``docs/admin.md``). Adding, changing and deleting
    rows needs the child model's ``add`` / ``change`` / ``delete`` permissions, as for a
    Django inline.
    """

    editable = False

    relation = ""
    # the relation's model replaces it in __init__ (Django's checks want a model class here)
    model: Any = OnyxModel
    checks_class = _RelationChecks
    formset = RelationFormSet  # type: ignore[assignment]  # a model formset, no foreign key
    extra = 0
    max_num = 0
    can_delete = False

    @classmethod
    def relation_field(cls, parent_model: type[Any]) -> Any:
        """The parent's relation field this inline shows; ``NotSupportedError`` when it
        names no resolver with a model, or (``editable``) one Onyx cannot save."""
        from ._meta import OnyxRelation
        from ._relations import cascade_relation

        field = parent_model._meta.relations.get(cls.relation) if cls.relation else None
        if not isinstance(field, OnyxRelation) or field.related_model is None:
            raise NotSupportedError(
                f"{cls.__name__}.relation = {cls.relation!r}: name a resolver field of "
                f"{parent_model.__name__} annotated with its model (list[Model] | None)"
            )
        if cls.editable:
            cascade_relation(parent_model, cls.relation, what=f"{cls.__name__}.editable")
        return field

    def __init__(self, parent_model: type[Any], admin_site: Any) -> None:
        field = self.relation_field(parent_model)
        self.model = field.related_model
        if self.editable:
            # an editable inline adds rows, unless the class says otherwise
            cls = type(self)
            self.extra = cls.__dict__.get("extra", 1)
            self.max_num = cls.__dict__.get("max_num", None if field.many_to_many else 1)
            self.can_delete = cls.__dict__.get("can_delete", True)
        super().__init__(parent_model, admin_site)
        if self.verbose_name_plural is None or not type(self).verbose_name_plural:
            self.verbose_name_plural = field.verbose_name

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        if self.editable:
            return self._editable_formset(request, obj, **kwargs)
        base = type(
            f"{self.model.__name__}RelationFormSet", (self.formset,), {"relation": self.relation}
        )
        return modelformset_factory(
            self.model, form=self.form, formset=base, fields=(), extra=0, max_num=0
        )

    def _editable_formset(self, request: HttpRequest, obj: Any, **kwargs: Any) -> Any:
        from .forms import OnyxModelForm, relation_formset_factory

        readonly = set(self.get_readonly_fields(request, obj))
        fields = list(flatten_fieldsets(self.get_fieldsets(request, obj)))
        fields = [name for name in fields if name not in readonly]
        can_delete = self.can_delete and self.has_delete_permission(request, obj)
        can_add = self.has_add_permission(request, obj) if request else True
        can_change = self.has_change_permission(request, obj) if request else True
        base: Any = self.form if self.form is not forms.ModelForm else OnyxModelForm

        class PermittedForm(base):  # type: ignore[misc]
            """A row the user may not add (or change) is never written, as in Django."""

            def has_changed(self) -> bool:
                allowed = can_add if self.instance._state.adding else can_change
                return allowed and bool(super().has_changed())

        PermittedForm.__name__ = base.__name__
        form = PermittedForm
        return relation_formset_factory(
            self.parent_model,
            self.relation,
            form=form,
            formfield_callback=partial(self.formfield_for_dbfield, request=request),
            fields=fields,
            exclude=[*(self.exclude or ()), *readonly],
            extra=self.get_extra(request, obj),
            min_num=self.get_min_num(request, obj),
            max_num=self.get_max_num(request, obj),
            can_delete=can_delete,
            **kwargs,
        )

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if self.fields:
            return self.fields
        names = [f.name for f in self.model._meta.concrete_fields]
        if self.editable:
            from ._relations import cascade_relation

            target = cascade_relation(self.parent_model, self.relation).target
            names = [name for name in names if name != target]
        return names

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if self.editable:
            return super().get_readonly_fields(request, obj)
        return self.get_fields(request, obj)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.editable and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.editable and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.editable and super().has_delete_permission(request, obj)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if self.editable:
            return super().has_view_permission(request, obj)
        opts = self.parent_model._meta
        user: Any = request.user
        return bool(
            user.has_perm(f"{opts.app_label}.view_{opts.model_name}")
            or user.has_perm(f"{opts.app_label}.change_{opts.model_name}")
        )
