"""Building pydantic models from values already checked, without a validation pass.

``BaseModel.model_construct`` does this too, but inspects every default factory on every call;
on decode paths (documents, schema documents) that cost more than the decoding itself.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

__all__ = ["built"]

_M = TypeVar("_M", bound=BaseModel)


def built(
    cls: type[_M],
    values: dict[str, Any],
    fields_set: set[str],
    extra: dict[str, Any] | None = None,
) -> _M:
    """A ``cls`` holding ``values`` (every field, in field order) as if validated.

    >>> from pydantic import BaseModel
    >>> class Point(BaseModel):
    ...     x: int
    ...     y: int = 0
    >>> built(Point, {"x": 1, "y": 0}, {"x"}).model_dump(exclude_unset=True)
    {'x': 1}
    """
    model = cls.__new__(cls)
    object.__setattr__(model, "__dict__", values)
    object.__setattr__(model, "__pydantic_fields_set__", fields_set)
    object.__setattr__(model, "__pydantic_extra__", extra)
    object.__setattr__(model, "__pydantic_private__", None)
    return model
