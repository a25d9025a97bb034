"""Building pydantic models from values already checked, without a validation pass.

``BaseModel.model_construct`` does this too, but inspects every default factory on every call;
on decode paths (documents, schema documents) that cost more than the decoding itself.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

__all__ = ["built"]

_M = TypeVar("_M", bound=BaseModel)


# The slots every BaseModel instance has, set through their descriptors: about twice as fast
# as ``object.__setattr__`` by name, which matters at tens of thousands of models per read.
_SLOTS = vars(BaseModel)
_set_dict = _SLOTS["__dict__"].__set__
_set_fields_set = _SLOTS["__pydantic_fields_set__"].__set__
_set_extra = _SLOTS["__pydantic_extra__"].__set__
_set_private = _SLOTS["__pydantic_private__"].__set__
_new = object.__new__


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
    model: _M = _new(cls)
    _set_dict(model, values)
    _set_fields_set(model, fields_set)
    _set_extra(model, extra)
    _set_private(model, None)
    return model
