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
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.db import DataError, IntegrityError
from django.forms import models as model_forms

from onyx_database import OnyxHTTPError

__all__ = ["OnyxModelForm", "add_write_error", "modelform_factory"]

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
