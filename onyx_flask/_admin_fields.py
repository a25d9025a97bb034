"""What the Flask-Admin backend needs to know of a pydantic model's fields."""

from __future__ import annotations

import datetime as dt
import enum
import typing
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, FutureDatetime, NaiveDatetime, PastDatetime
from typing_inspection.introspection import is_union_origin

__all__ = ["Kind", "ModelField", "model_fields"]

Kind = Literal["str", "int", "float", "bool", "datetime", "date", "choice", "json", "relation"]
"""``json``: embedded objects and lists (a JSON text area); ``relation``: a resolver's models,
read-only in the admin (never in a form, never saved back)."""

_DATETIMES: tuple[Any, ...] = (
    dt.datetime,
    AwareDatetime,
    NaiveDatetime,
    PastDatetime,
    FutureDatetime,
)
_SCALARS: dict[Any, Kind] = {bool: "bool", int: "int", float: "float", str: "str", dt.date: "date"}


@dataclass(frozen=True, slots=True)
class ModelField:
    """One field of the model: its Python ``name``, its ``wire`` name (the alias, else the
    name), its ``kind``, whether it accepts ``None``, whether it is ``required``, and for
    choices the allowed values."""

    name: str
    wire: str
    kind: Kind
    nullable: bool
    required: bool
    choices: tuple[Any, ...] = ()

    @property
    def scalar(self) -> bool:
        """Whether the field can be listed, sorted and filtered on."""
        return self.kind not in ("json", "relation")

    def coerce(self, text: str) -> Any:
        """A URL or form value (a string) as this field's Python value (``ValueError`` if not)."""
        if self.kind == "int":
            return int(text)
        if self.kind == "float":
            return float(text)
        if self.kind == "choice":
            for choice in self.choices:
                if str(choice) == text:
                    return choice
            raise ValueError(f"{text!r} is not one of the choices of {self.name}")
        return text


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """The annotation without ``None``, and whether ``None`` was allowed (pydantic has already
    moved ``Annotated`` metadata out of a field's annotation)."""
    if not is_union_origin(typing.get_origin(annotation)):
        return annotation, False
    members = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
    nullable = len(members) < len(typing.get_args(annotation))
    return (members[0] if len(members) == 1 else annotation), nullable


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _kind(annotation: Any) -> tuple[Kind, tuple[Any, ...]]:
    origin = typing.get_origin(annotation)
    if origin is Literal:
        return "choice", typing.get_args(annotation)
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return "choice", tuple(member.value for member in annotation)
    if annotation in _DATETIMES:
        return "datetime", ()
    if annotation in _SCALARS:
        return _SCALARS[annotation], ()
    if _is_model(annotation) or (
        origin in (list, tuple, set, frozenset)
        and any(_is_model(_unwrap(arg)[0]) for arg in typing.get_args(annotation))
    ):
        return "relation", ()
    if origin in (list, tuple, set, frozenset, dict) or annotation in (list, dict, Any):
        return "json", ()
    return "str", ()


def model_fields(model: type[BaseModel]) -> list[ModelField]:
    """The fields of ``model`` in declaration order.

    >>> from pydantic import BaseModel
    >>> class Book(BaseModel):
    ...     id: str
    ...     pages: int | None = None
    ...     kind: Literal["novel", "essay"] = "novel"
    >>> [(f.name, f.kind, f.nullable, f.required) for f in model_fields(Book)]
    [('id', 'str', False, True), ('pages', 'int', True, False), ('kind', 'choice', False, False)]
    """
    fields = []
    for name, info in model.model_fields.items():
        annotation, nullable = _unwrap(info.annotation)
        kind, choices = _kind(annotation)
        fields.append(
            ModelField(
                name=name,
                wire=info.alias or name,
                kind=kind,
                nullable=nullable,
                required=info.is_required(),
                choices=choices,
            )
        )
    return fields
