"""The official SDK's exported types and limits, so code that imports them keeps working.

>>> from onyx_database import WireFormat, SchemaEntity
>>> WireFormat("msgpack") is WireFormat.MSGPACK
True
>>> entity: SchemaEntity = {"name": "User", "type": "SEARCHABLE"}

The schema shapes are ``TypedDict`` views of the schema JSON (``get_schema()``,
``update_schema()``); the vector-search shapes and limits describe Onyx Cloud payloads that
this SDK does not build (see ``docs/migrating.md``).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import Any, Final, Literal, NotRequired, Required, TypeAlias, TypedDict

__all__ = [
    "DEFAULT_APPROXIMATE_INDEX_CANDIDATES",
    "DEFAULT_HNSW_CANDIDATES",
    "DEFAULT_HNSW_EF_SEARCH",
    "HNSW_QUERY_FORMAT_VERSION",
    "MAX_APPROXIMATE_INDEX_CANDIDATES",
    "MAX_APPROXIMATE_INDEX_ROUTE_VALUES",
    "MAX_HNSW_CANDIDATES",
    "MAX_HNSW_EF_SEARCH",
    "MAX_HNSW_VECTOR_DIMENSION",
    "MAX_VECTOR_SEARCH_CANDIDATES",
    "ApproximateIndexCandidateQuery",
    "ApproximateSearchOptions",
    "FullTextQuery",
    "HnswSearchQuery",
    "HnswSearchQueryInput",
    "Int64WireInput",
    "QueryCriteriaOperator",
    "SchemaAttribute",
    "SchemaEntity",
    "SchemaEntityType",
    "SchemaIdentifier",
    "SchemaIndex",
    "SchemaInput",
    "SchemaResolver",
    "SchemaSearchSupport",
    "SchemaTableDiff",
    "SchemaTrigger",
    "SchemaUpsertRequest",
    "SemanticVectorSignature",
    "SemanticVectorSignatureInput",
    "VectorSearchQuery",
    "VectorSearchQueryInput",
    "WireFormat",
]


class WireFormat(enum.StrEnum):
    """The body encoding of data requests (``wire_format=`` accepts a member or its value)."""

    JSON = "json"
    MSGPACK = "msgpack"


QueryCriteriaOperator: TypeAlias = Literal[
    "EQUAL",
    "NOT_EQUAL",
    "IN",
    "NOT_IN",
    "GREATER_THAN",
    "GREATER_THAN_EQUAL",
    "LESS_THAN",
    "LESS_THAN_EQUAL",
    "MATCHES",
    "NOT_MATCHES",
    "BETWEEN",
    "NOT_BETWEEN",
    "LIKE",
    "NOT_LIKE",
    "CONTAINS",
    "CONTAINS_IGNORE_CASE",
    "NOT_CONTAINS",
    "NOT_CONTAINS_IGNORE_CASE",
    "STARTS_WITH",
    "NOT_STARTS_WITH",
    "IS_NULL",
    "NOT_NULL",
    "CANDIDATES",
    "SEARCH_CANDIDATES",
    "HNSW_CANDIDATES",
    "SEARCH",
]
"""Every criterion operator of the wire (``{"field", "operator", "value"}``)."""


class FullTextQuery(TypedDict):
    """The value of a ``__full_text__ MATCHES`` criterion (what ``search(text)`` sends)."""

    queryText: str
    minScore: float | None


# -- schema documents -------------------------------------------------------------------------

SchemaEntityType: TypeAlias = Literal["DEFAULT", "SEARCHABLE"]
SchemaSearchSupport: TypeAlias = Literal["LEXICAL", "SEMANTIC", "BOTH"]


class SchemaIdentifier(TypedDict, total=False):
    name: Required[str]
    generator: str
    type: str


class SchemaAttribute(TypedDict, total=False):
    name: Required[str]
    type: Required[str]
    isNullable: bool


class SchemaIndex(TypedDict, total=False):
    name: Required[str]
    type: str
    minimumScore: float


class SchemaResolver(TypedDict, total=False):
    name: Required[str]
    resolver: Required[str]


class SchemaTrigger(TypedDict, total=False):
    name: Required[str]
    event: Required[str]
    trigger: Required[str]


class SchemaEntity(TypedDict, total=False):
    """One table of a schema document (``searchSupport`` only matters when SEARCHABLE)."""

    name: Required[str]
    type: SchemaEntityType
    searchSupport: SchemaSearchSupport
    identifier: SchemaIdentifier
    partition: str
    attributes: list[SchemaAttribute]
    indexes: list[SchemaIndex]
    resolvers: list[SchemaResolver]
    triggers: list[SchemaTrigger]
    entityText: str


class SchemaUpsertRequest(TypedDict, total=False):
    databaseId: str
    revisionDescription: str
    entities: Required[list[SchemaEntity]]


SchemaInput: TypeAlias = SchemaUpsertRequest | dict[str, Any]


class SchemaTableDiff(TypedDict, total=False):
    """One changed table of a schema diff (``type``/``searchSupport``: ``{"from", "to"}``)."""

    name: Required[str]
    type: dict[str, SchemaEntityType]
    searchSupport: dict[str, SchemaSearchSupport]
    attributes: dict[str, list[Any]]


# -- Onyx Cloud vector search payloads (built by onyx_database._vector) -----------------------

HNSW_QUERY_FORMAT_VERSION: Final = 1
DEFAULT_HNSW_CANDIDATES: Final = 1_000
DEFAULT_HNSW_EF_SEARCH: Final = 1_000
MAX_HNSW_CANDIDATES: Final = 5_000
MAX_HNSW_EF_SEARCH: Final = 20_000
MAX_HNSW_VECTOR_DIMENSION: Final = 16_384
DEFAULT_APPROXIMATE_INDEX_CANDIDATES: Final = 1_000
MAX_APPROXIMATE_INDEX_CANDIDATES: Final = 5_000
MAX_APPROXIMATE_INDEX_ROUTE_VALUES: Final = 5_000
MAX_VECTOR_SEARCH_CANDIDATES: Final = 5_000

Int64WireInput: TypeAlias = int | str


class SemanticVectorSignature(TypedDict):
    calibrationId: str
    bucketId: int
    cells: list[int]
    cellCounts: list[int]
    fingerprint: list[str]
    bands: list[str]
    boundaryConfidence: float


class SemanticVectorSignatureInput(TypedDict, total=False):
    calibrationId: Required[Int64WireInput]
    bucketId: Required[int]
    cells: Required[Sequence[int]]
    cellCounts: Required[Sequence[int]]
    fingerprint: Required[Sequence[Int64WireInput]]
    bands: NotRequired[Sequence[Int64WireInput]]
    boundaryConfidence: NotRequired[float]


class VectorSearchQuery(TypedDict):
    text: str | None
    semantic: SemanticVectorSignature | None
    minScore: float | None
    nearbyBucketRadius: int
    maxCandidates: int
    requireAllTerms: bool


class VectorSearchQueryInput(TypedDict, total=False):
    text: str | None
    semantic: SemanticVectorSignatureInput | None
    minScore: float | None
    nearbyBucketRadius: int
    maxCandidates: int
    requireAllTerms: bool


class HnswSearchQuery(TypedDict):
    calibrationId: str
    vector: list[float]
    maxCandidates: int
    efSearch: int
    minScore: float | None
    formatVersion: Literal[1]


class HnswSearchQueryInput(TypedDict, total=False):
    calibrationId: Required[Int64WireInput]
    vector: Required[Sequence[float]]
    maxCandidates: int
    efSearch: int
    minScore: float | None
    formatVersion: int


class ApproximateIndexCandidateQuery(TypedDict):
    values: list[Any]
    maxCandidates: int


class ApproximateSearchOptions(TypedDict, total=False):
    minScore: float | None
    maxCandidates: int
    requireAllTerms: bool
