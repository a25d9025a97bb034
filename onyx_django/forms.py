"""Model forms for Onyx models.

Django's own ``ModelForm`` and ``modelform_factory`` already work with an
:class:`~onyx_django.models.OnyxModel` (they read its ``_meta``; a duplicate id is caught by
``validate_unique()`` as for a Django model). ``OnyxModelForm`` adds what Django cannot know:
when the write itself is refused (a record created with the same id meanwhile: 409; a value
the server rejects: 400/422), ``save()`` records the refusal as a form error before re-raising,
and :class:`~onyx_django.views.OnyxFormMixin` turns that into a re-rendered form, not a 500::

    from onyx_django.forms import OnyxModelForm

    class ProfileForm(OnyxModelForm):
        class Meta:
            model = Profile
            fields = ["id", "firstName", "lastName"]

    form = ProfileForm(data={"id": "p1", "firstName": "Ada", "lastName": "King"})
    if form.is_valid():
        try:
            form.save()
        except OnyxIntegrityError:
            ...                          # form.errors["id"] says why

:func:`relation_formset_factory` is ``inlineformset_factory`` for a relation Onyx saves by
cascade (``relation(cascade=...)``): a formset of a parent's children, written with the parent
in one cascade request (see ``docs/django.md``, "Relations saved by cascade").
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.db import DataError, IntegrityError
from django.forms import models as model_forms
from django.forms.models import BaseModelFormSet

from onyx_database import OnyxHTTPError

__all__ = [
    "OnyxModelForm",
    "OnyxRelationFormSet",
    "add_write_error",
    "modelform_factory",
    "relation_formset_factory",
]

_ATTRIBUTE = re.compile(r":\s*([A-Za-z_][A-Za-z0-9_]*)\s*$")


def add_write_error(form: forms.BaseForm, exc: BaseException) -> None:
    """Record an Onyx write refusal on ``form``: a 409 on the id field, a 400/422 that names an
    attribute on that field, anything else as a non-field error."""
    instance: Any = getattr(form, "instance", None)
    opts = getattr(instance, "_meta", None)
    if isinstance(exc, IntegrityError) and opts is not None:
        pk_name = opts.pk.name
        error = instance.unique_error_message(type(instance), (pk_name,))
        form.add_error(pk_name if pk_name in form.fields else None, error)
        return
    text = exc.message if isinstance(exc, OnyxHTTPError) else str(exc)
    field: str | None = None
    match = _ATTRIBUTE.search(text)
    if match and opts is not None:
        candidates = {f.name: f.name for f in opts.concrete_fields} | {
            f.column: f.name for f in opts.concrete_fields
        }
        name = candidates.get(match.group(1))
        field = name if name in form.fields else None
    form.add_error(field, f"The record was refused: {text}")


class OnyxModelForm(forms.ModelForm):  # type: ignore[type-arg]
    """``ModelForm`` for Onyx models. A form that creates a record never replaces one: a new
    instance is saved with ``force_insert=True``, so an id taken meanwhile is a 409. ``save()``
    records a 409/400/422 as a form error, then re-raises it as the ``IntegrityError`` /
    ``DataError`` it is."""

    def save(self, commit: bool = True) -> Any:
        instance = super().save(commit=False)
        if commit:
            try:
                instance.save(force_insert=instance._state.adding)
            except (IntegrityError, DataError) as exc:
                add_write_error(self, exc)
                raise
            self._save_m2m()  # type: ignore[attr-defined]
        return instance


def modelform_factory(model: type[Any], form: type[Any] = OnyxModelForm, **kwargs: Any) -> Any:
    """Django's ``modelform_factory`` with :class:`OnyxModelForm` as the default base::

    ProfileForm = modelform_factory(Profile, fields=["firstName", "age"])
    """
    return model_forms.modelform_factory(model, form=form, **kwargs)


class OnyxRelationFormSet(BaseModelFormSet):  # type: ignore[type-arg]
    """The children of one parent through a relation Onyx can save (see
    :func:`relation_formset_factory`): Django's ``BaseInlineFormSet`` for Onyx models.

    ``instance`` is the parent. Its related records are read through the resolver (none for
    a new parent). The children's key field (the cascade's target) is left out of the forms
    and set from the parent. ``save()`` writes the parent and the new and changed children
    in one cascade request, then deletes the removed children (see
    :func:`~onyx_django.save_with_children`); ``save(commit=False)`` only fills
    ``new_objects`` / ``changed_objects`` / ``deleted_objects`` and :meth:`changes`.
    """

    relation: Any = None  # a CascadeRelation, set by relation_formset_factory
    save_as_new = False

    def __init__(
        self,
        data: Any = None,
        files: Any = None,
        instance: Any = None,
        save_as_new: bool = False,
        prefix: str | None = None,
        queryset: Any = None,
        **kwargs: Any,
    ) -> None:
        cascade = self.relation
        self.instance = instance if instance is not None else cascade.parent()
        self.save_as_new = save_as_new
        related: Any = None
        if not self.instance._state.adding and not save_as_new:
            related = self.instance.__dict__.get(cascade.name)
            if related is None:  # not read yet (or set by hand): read it through the resolver
                self.instance.refresh_from_db(fields=[cascade.name])
                related = self.instance.__dict__.get(cascade.name)
        if related is not None and not isinstance(related, list | tuple):
            related = [related]
        from ._instances import mark_loaded

        alias = self.instance._state.db or "default"
        self._related = [mark_loaded(record, alias) for record in related or ()]
        self.new_objects: list[Any] = []
        self.changed_objects: list[tuple[Any, list[str]]] = []
        self.deleted_objects: list[Any] = []
        super().__init__(data, files, prefix=prefix or self.get_default_prefix(), **kwargs)

    @classmethod
    def get_default_prefix(cls) -> str:
        return str(cls.relation.name)

    def get_queryset(self) -> Any:
        return self._related

    def initial_form_count(self) -> int:
        if self.save_as_new:
            return 0
        return int(super().initial_form_count())

    def _construct_form(self, i: int, **kwargs: Any) -> Any:
        form = super()._construct_form(i, **kwargs)  # type: ignore[misc]
        cascade = self.relation
        form.instance.__dict__[cascade.target] = self.instance.__dict__.get(cascade.source)
        pk = cascade.child._meta.pk.name
        if self.save_as_new and form.is_bound and _generated_id(cascade.child):
            # copied as new records, as Django does: Onyx gives each its id
            data: Any = self.data
            if getattr(data, "_mutable", True) is False:  # request.POST: copied once
                data = self.data = data.copy()
            form.data = data
            data[form.add_prefix(pk)] = ""
        if i < self.initial_form_count() and pk in form.fields:
            # the id of a saved child is shown, not changed: a new id would be a new record
            form.fields[pk].widget.attrs["readonly"] = True
        return form

    def clean(self) -> None:
        super().clean()
        pk = self.relation.child._meta.pk.name
        if self.save_as_new:
            self._check_copied_ids(pk)
        for form in self.initial_forms:
            if form in self.deleted_forms:
                continue
            if form.instance._state.adding:
                raise forms.ValidationError(
                    "A related record was removed or its id changed meanwhile; reload the "
                    "page and try again.",
                    code="stale",
                )
            cleaned = getattr(form, "cleaned_data", {}) or {}
            value = cleaned.get(pk)
            value = getattr(value, "pk", value)  # a hidden id field holds the record
            if pk in cleaned and value != form.instance.pk:
                form.add_error(pk, "The id of a saved record cannot be changed.")

    def _check_copied_ids(self, pk: str) -> None:
        """``save_as_new`` copies every row as a new record, as Django does; Django gives the
        copies new keys, but Onyx generates none here, so a row still carrying a taken id
        (the one it was copied from) is refused with a request for a new one."""
        deleted = set(map(id, self.deleted_forms)) if self.can_delete else set()
        copied = []
        for form in self.forms:
            if id(form) in deleted or not hasattr(form, "cleaned_data"):
                continue
            errors = form.errors.as_data().get(pk, [])
            if any(error.code == "unique" for error in errors):
                del form.errors[pk]
                form.add_error(
                    pk,
                    forms.ValidationError(
                        "This id is taken (the row copied from): give the copy a new id.",
                        code="copy_needs_id",
                    ),
                )
                copied.append(form)
        if copied:
            raise forms.ValidationError(
                "Save as new copies these rows as new records, and Onyx does not generate "
                "their ids: give each copied row a new id, or tick Delete to leave it out.",
                code="copy_needs_id",
            )

    def save(self, commit: bool = True) -> list[Any]:
        from ._relations import save_with_children

        self.new_objects, self.changed_objects, self.deleted_objects = [], [], []
        deleted = set(map(id, self.deleted_forms)) if self.can_delete else set()
        for form in self.initial_forms:
            if id(form) in deleted:
                if not form.instance._state.adding:
                    self.deleted_objects.append(form.instance)
            elif form.has_changed():
                self.changed_objects.append((form.save(commit=False), form.changed_data))
        for form in self.extra_forms:
            if form.has_changed() and id(form) not in deleted:
                self.new_objects.append(form.save(commit=False))
        if commit and self.has_changes():
            save_with_children(self.instance, [self.changes()])
        return [*self.new_objects, *(obj for obj, _changed in self.changed_objects)]

    def has_changes(self) -> bool:
        """Whether :meth:`save` (after ``save(commit=False)``) has anything to write."""
        return bool(self.new_objects or self.changed_objects or self.deleted_objects)

    def changes(self) -> Any:
        """What ``save(commit=False)`` found, for :func:`~onyx_django.save_with_children`."""
        from ._relations import RelationChanges

        saved = [*(obj for obj, _changed in self.changed_objects), *self.new_objects]
        return RelationChanges(self.relation, save=saved, delete=list(self.deleted_objects))


def _generated_id(model: type[Any]) -> bool:
    """Whether Onyx makes the model's ids: its identifier is optional (``id: str | None =
    None``, as ``onyx_gen`` declares an identifier with a UUID or sequence generator)."""
    field = model.model_fields.get(model._meta.pk.name)
    return field is not None and not field.is_required()


def relation_formset_factory(
    parent_model: type[Any],
    relation: str,
    form: type[Any] = OnyxModelForm,
    fields: Any = None,
    exclude: Any = None,
    extra: int = 3,
    can_delete: bool = True,
    formset: type[Any] = OnyxRelationFormSet,
    **kwargs: Any,
) -> Any:
    """Django's ``inlineformset_factory`` for an Onyx relation declared with its cascade
    (``relation(cascade="UserRole(userId, id)")``): a formset editing a parent's children.
    :class:`~onyx_django.NotSupportedError` when Onyx cannot save the relation::

        RoleFormSet = relation_formset_factory(User, "userRoles", fields=["id", "roleId"])
        formset = RoleFormSet(request.POST or None, instance=user)
        if formset.is_valid():
            formset.save()        # one cascade save of the user with its roles, then deletes
    """
    from ._relations import cascade_relation

    cascade = cascade_relation(parent_model, relation, what="relation_formset_factory")
    child = cascade.child
    skipped = [*(exclude or ()), cascade.target]
    if fields is not None and fields != model_forms.ALL_FIELDS:
        fields = [name for name in fields if name != cascade.target]
    elif fields is None and exclude is None:
        fields = [f.name for f in child._meta.concrete_fields if f.name != cascade.target]
    base = type(f"{child.__name__}RelationFormSet", (formset,), {"relation": cascade})
    if not cascade.many:
        kwargs.setdefault("max_num", 1)
    return model_forms.modelformset_factory(
        child,
        form=form,
        formset=base,
        fields=fields,
        exclude=skipped,
        extra=extra,
        can_delete=can_delete,
        **kwargs,
    )
