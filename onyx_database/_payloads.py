"""Answers of the data APIs as pydantic models: secrets, schema revisions and validation
results, full-text search hits.

Each model reads the wire shape (camelCase keys, unknown keys kept) with ``from_wire`` and gives
it back with ``to_wire``. Decoding an answer the server sent is lenient: a missing optional field
is ``None``, extra keys stay available in ``model_extra``.

>>> hit = SearchHit.from_wire({"id": "u1", "entityType": "User", "entity": {"id": "u1"}})
>>> hit.entity_type, hit.entity
('User', {'id': 'u1'})
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from ._schema_document import SchemaDocument

__all__ = [
    "SchemaRevision",
    "SchemaValidationProblem",
    "SchemaValidationResult",
    "SearchHit",
    "SecretMetadata",
    "SecretRecord",
]


class _Payload(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True, frozen=True)

    @classmethod
    def from_wire(cls, body: Mapping[str, Any]) -> Any:
        """The model of one JSON object the server sent."""
        return cls.model_validate(body)

    def to_wire(self) -> dict[str, Any]:
        """The JSON object (camelCase keys; unset optional fields left out)."""
        return self.model_dump(by_alias=True, exclude_unset=True, mode="json")


class SecretMetadata(_Payload):
    """A secret without its value: ``{key, purpose?, updatedAt?}`` (what ``list_secrets`` and
    ``put_secret`` answer).

    >>> SecretMetadata.from_wire({"key": "stripe", "updatedAt": "2025-01-02T03:04:05Z"}).key
    'stripe'
    """

    key: str
    purpose: str | None = None
    updated_at: str | None = Field(None, alias="updatedAt")


class SecretRecord(SecretMetadata):
    """A secret with its value; the value is a ``SecretStr``, so ``repr``/``str`` never show it.

    >>> record = SecretRecord.from_wire({"key": "stripe", "value": "sk_live_123"})
    >>> record
    SecretRecord(key='stripe', purpose=None, updated_at=None, value=SecretStr('**********'))
    >>> record.value.get_secret_value()
    'sk_live_123'
    """

    value: SecretStr

    def to_wire(self) -> dict[str, Any]:
        out = super().to_wire()
        out["value"] = self.value.get_secret_value()
        return out


class SchemaRevision(SchemaDocument):
    """A stored schema revision (``GET /schemas/{db}``): a :class:`SchemaDocument` with ``meta``
    (``revisionId``, ``createdAt``, ``publishedAt``), also accepted at the top level.

    >>> rev = SchemaRevision.from_wire({"entities": [], "revisionId": "r1",
    ...                                 "meta": {"publishedAt": "2025-01-01T00:00:00Z"}})
    >>> rev.revision_id, rev.published_at, rev.created_at
    ('r1', '2025-01-01T00:00:00Z', None)
    """

    @classmethod
    def from_wire(cls, body: Mapping[str, Any]) -> SchemaRevision:
        revision = cls.read(body)
        for key in ("revisionId", "createdAt", "publishedAt"):
            if key in body and (revision.meta is None or key not in revision.meta):
                revision.meta = {**(revision.meta or {}), key: body[key]}
        return revision

    def _meta_value(self, key: str) -> str | None:
        value = (self.meta or {}).get(key)
        return None if value is None else str(value)

    @property
    def revision_id(self) -> str | None:
        return self._meta_value("revisionId")

    @property
    def created_at(self) -> str | None:
        return self._meta_value("createdAt")

    @property
    def published_at(self) -> str | None:
        return self._meta_value("publishedAt")


class SchemaValidationProblem(_Payload):
    """One ``{"message": ...}`` of a validation answer."""

    message: str


class SchemaValidationResult(_Payload):
    """The answer of ``POST /schemas/{db}/validate``: ``valid`` (true when absent, as the TS
    SDK reads it), ``errors`` and the normalized ``schema`` when valid.

    >>> result = SchemaValidationResult.from_wire(
    ...     {"valid": False, "errors": [{"message": "entities[0].name: ..."}]})
    >>> bool(result), result.messages
    (False, ['entities[0].name: ...'])
    """

    valid: bool = True
    errors: list[SchemaValidationProblem] = Field(default_factory=list)
    schema_: SchemaDocument | None = Field(None, alias="schema")

    @field_validator("schema_", mode="before")
    @classmethod
    def _read_schema(cls, value: object) -> object:
        return SchemaDocument.read(value) if isinstance(value, Mapping) else None

    @field_validator("errors", mode="before")
    @classmethod
    def _errors(cls, value: object) -> object:
        if not isinstance(value, list):
            return []
        return [{"message": str(e)} if not isinstance(e, Mapping) else e for e in value]

    @property
    def messages(self) -> list[str]:
        return [e.message for e in self.errors]

    def __bool__(self) -> bool:
        return self.valid


class SearchHit(_Payload):
    """One record of a search across every table (``table = ALL``):
    ``{"id", "entityType", "entity"}``; ``score`` when the server sends one."""

    id: Any = None
    entity_type: str | None = Field(None, alias="entityType")
    entity: dict[str, Any] = Field(default_factory=dict)
    score: float | None = None
