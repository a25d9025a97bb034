"""WTForms forms generated from a pydantic model, and the record a submitted form describes."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any

from flask_admin.form import DateTimeField, JSONField
from pydantic import BaseModel, ValidationError
from wtforms import SelectChoice, fields, validators

from onyx_database import OnyxConflictError, OnyxHTTPError

from ._admin_fields import ModelField

__all__ = ["add_model_errors", "add_write_error", "build_form", "form_record"]

_FIELDS: dict[str, type[Any]] = {
    "str": fields.StringField,
    "int": fields.IntegerField,
    "float": fields.FloatField,
    "bool": fields.BooleanField,
    "datetime": DateTimeField,
    "date": fields.DateField,
    "json": JSONField,
}


def _empty_to_none(value: Any) -> Any:
    return None if value == "" else value


def _select_choice(choice: Any) -> Any:
    """A ``(value, label)`` pair (Flask-Admin's ``form_choices`` spelling) as WTForms 3.3 wants."""
    return choice if isinstance(choice, SelectChoice) else SelectChoice(*choice)


def _unbound(field: ModelField, label: str, choices: Any, args: Mapping[str, Any]) -> Any:
    kwargs: dict[str, Any] = {"label": label}
    if field.kind == "bool":
        kwargs["validators"] = []  # an unchecked box is False, never "missing"
    elif field.required and not field.nullable:
        kwargs["validators"] = [validators.InputRequired()]
    else:
        kwargs["validators"] = [validators.Optional()]
    if field.kind == "str" and field.nullable:
        kwargs["filters"] = [_empty_to_none]
    if choices is None and field.kind == "choice":
        choices = [(str(choice), str(choice)) for choice in field.choices]
    if choices is not None:
        choices = [_select_choice(choice) for choice in choices]
        if field.nullable:
            choices = [SelectChoice("", ""), *choices]
        field_class: type[Any] = fields.SelectField
        kwargs.update(choices=choices, coerce=lambda value: value)
    else:
        field_class = _FIELDS[field.kind]
    kwargs.update(args)
    return field_class, kwargs


def build_form(
    base: type[Any],
    model_fields: Iterable[ModelField],
    *,
    labels: Mapping[str, str],
    choices: Mapping[str, Any],
    overrides: Mapping[str, type[Any]],
    args: Mapping[str, Mapping[str, Any]],
) -> type[Any]:
    """A form class deriving from ``base`` with one field per model field given (resolver
    relations are never in a form). ``choices`` (Flask-Admin's ``form_choices``), ``overrides``
    (``form_overrides``) and ``args`` (``form_args``) are keyed by field name."""
    attributes: dict[str, Any] = {}
    for field in model_fields:
        if field.kind == "relation":
            continue
        field_class, kwargs = _unbound(
            field, labels[field.name], choices.get(field.name), args.get(field.name, {})
        )
        attributes[field.name] = overrides.get(field.name, field_class)(**kwargs)
    return type("OnyxModelForm", (base,), attributes)


def form_record(form: Any, model_fields: Iterable[ModelField]) -> dict[str, Any]:
    """The values of ``form`` keyed by wire name, for the fields the form has (naive times are
    taken as UTC; an empty choice is ``None``; a choice is given its model type back)."""
    record: dict[str, Any] = {}
    for field in model_fields:
        if field.name not in form:
            continue
        value = form[field.name].data
        if isinstance(value, dt.datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        if field.kind == "choice" and isinstance(value, str):
            value = None if value == "" else field.coerce(value)
        record[field.wire] = value
    return record


def _field_named(form: Any, model_fields: Iterable[ModelField], name: object) -> Any:
    for field in model_fields:
        if name in (field.name, field.wire) and field.name in form:
            return form[field.name]
    return None


def add_model_errors(
    form: Any, model_fields: list[ModelField], error: ValidationError
) -> list[str]:
    """Put each pydantic error on the form field it concerns; returns the errors that concern
    no field of the form."""
    orphans = []
    for item in error.errors():
        target = _field_named(form, model_fields, item["loc"][0] if item["loc"] else None)
        if target is None:
            orphans.append(f"{'.'.join(map(str, item['loc']))}: {item['msg']}")
        else:
            target.errors = [*target.errors, item["msg"]]
    return orphans


# Onyx names the attribute at the end of its validation messages ("... : email").
_ATTRIBUTE = re.compile(r"\b([A-Za-z_][A-Za-z0-9_]*)\s*$")


def add_write_error(
    form: Any, model_fields: list[ModelField], pk: ModelField, error: OnyxHTTPError
) -> bool:
    """Show a write Onyx refused on the form: a 409 on the primary key's field, a 400/422 on
    the field its message names. Returns ``False`` when no field of the form fits."""
    if isinstance(error, OnyxConflictError):
        target = _field_named(form, model_fields, pk.name)
        message = "A record with this primary key already exists."
    else:
        match = _ATTRIBUTE.search(error.message)
        target = _field_named(form, model_fields, match.group(1)) if match else None
        message = f"Onyx refused the value: {error.message}"
    if target is None:
        return False
    target.errors = [*target.errors, message]
    return True


def model_of(model: type[BaseModel], record: Mapping[str, Any]) -> BaseModel:
    """``model`` validated from a record keyed by wire names (raises ``ValidationError``)."""
    return model.model_validate(dict(record))
