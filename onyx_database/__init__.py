"""Typed sync and async client for Onyx Cloud Database (and Onyx Local).

>>> from onyx_database import onyx, eq, desc
>>> query_shape = eq("status", "active") & eq("role", "admin")
>>> query_shape.to_wire()["operator"]
'AND'

Quick start::

    import onyx_database
    from onyx_database import count, desc, eq

    with onyx_database.init(database_id="db", api_key="k", api_secret="s") as db:
        db.save("User", {"id": "u1", "email": "a@example.com", "status": "active"})
        active = db.from_table("User").where(eq("status", "active")).order_by(desc("id")).list()
        per_status = db.select("status", count("id")).from_table("User").group_by("status").list()
        hits = db.search("ada lovelace").list()           # full-text across SEARCHABLE tables
        db.cascade("userRoles:UserRole(userId, id)").save("User", user_with_roles)
        db.put_secret("stripe-key", "sk_live_...")        # never logged
        reply = db.chat("Summarize the newest users")     # on ai_base_url

See ``docs/queries.md``, ``docs/data-apis.md`` and ``docs/ai.md``.
"""

from __future__ import annotations

from . import _schema_document
from ._ai_client import ChatStream, OnyxAI
from ._async_ai_client import AsyncChatStream, AsyncOnyxAI
from ._async_client import AsyncCascadeWriter, AsyncOnyxDatabase, AsyncQueryBuilder
from ._async_facade import OnyxAsyncFacade, onyx_async
from ._bridge import ChangeBridge
from ._cascade import CascadeRelationshipBuilder
from ._client import CascadeWriter, OnyxDatabase, QueryBuilder
from ._conditions import (
    Condition,
    SearchMatch,
    SearchMode,
    SearchOptions,
    Sort,
    asc,
    between,
    contains,
    contains_ignore_case,
    desc,
    eq,
    gt,
    gte,
    in_op,
    is_null,
    like,
    lt,
    lte,
    matches,
    neq,
    not_between,
    not_contains,
    not_contains_ignore_case,
    not_in,
    not_like,
    not_matches,
    not_null,
    not_starts_with,
    not_within,
    search,
    starts_with,
    within,
)
from ._config import CONFIG_OPTIONS, ResolvedConfig, resolve_config
from ._data_apis import Document
from ._errors import (
    OnyxBatchError,
    OnyxClientError,
    OnyxConfigError,
    OnyxConflictError,
    OnyxConnectionError,
    OnyxDecodeError,
    OnyxError,
    OnyxHTTPError,
    OnyxNotFoundError,
    OnyxRateLimitedError,
    OnyxSerializationError,
    OnyxServerError,
    OnyxTimeoutError,
    OnyxUnauthorizedError,
    OnyxUsageError,
)
from ._facade import OnyxFacade, init, init_async, onyx
from ._listen_loop import OnyxListenError, event_line, listen_loop
from ._models import Record
from ._options import ClientOptions
from ._payloads import (
    SchemaRevision,
    SchemaValidationProblem,
    SchemaValidationResult,
    SearchHit,
    SecretMetadata,
    SecretRecord,
)
from ._query import Page, QueryResults, QuerySpec, table_name
from ._recording import RecordedRequest, RequestRecorder, add_request_listener, record_requests
from ._schema_diff import SchemaDiff
from ._schema_document import *  # noqa: F403  (the names of its __all__, listed once)
from ._selections import (
    avg,
    count,
    format,
    format_,
    lower,
    max,
    max_,
    median,
    min,
    min_,
    percentile,
    replace,
    std,
    substring,
    sum,
    sum_,
    upper,
    variance,
)
from ._serialize import to_wire
from ._settings import (
    FLAT_SETTINGS,
    OnyxSettingsError,
    config_from_options,
    settings_options,
)
from ._stream import AsyncEventStream, AsyncStreamHandle, EventIterator, StreamHandle
from ._stream_protocol import (
    OnyxStreamError,
    OnyxStreamOverflowError,
    ReconnectPolicy,
    StreamEvent,
)
from ._types import (
    DEFAULT_APPROXIMATE_INDEX_CANDIDATES,
    DEFAULT_HNSW_CANDIDATES,
    DEFAULT_HNSW_EF_SEARCH,
    HNSW_QUERY_FORMAT_VERSION,
    MAX_APPROXIMATE_INDEX_CANDIDATES,
    MAX_APPROXIMATE_INDEX_ROUTE_VALUES,
    MAX_HNSW_CANDIDATES,
    MAX_HNSW_EF_SEARCH,
    MAX_HNSW_VECTOR_DIMENSION,
    MAX_VECTOR_SEARCH_CANDIDATES,
    ApproximateIndexCandidateQuery,
    ApproximateSearchOptions,
    FullTextQuery,
    HnswSearchQuery,
    HnswSearchQueryInput,
    Int64WireInput,
    QueryCriteriaOperator,
    SchemaInput,
    SchemaTableDiff,
    SchemaUpsertRequest,
    SemanticVectorSignature,
    SemanticVectorSignatureInput,
    VectorSearchQuery,
    VectorSearchQueryInput,
    WireFormat,
)
from ._vector import (
    approximate_candidates,
    approximate_index_candidate_query,
    approximate_search,
    hnsw_candidates,
    hnsw_search_query,
    semantic_vector_signature,
    vector_search_query,
)
from ._version import __version__
from ._window import read_window
from ._writes import WriteEvent, add_write_listener

__all__ = [
    "CONFIG_OPTIONS",
    "DEFAULT_APPROXIMATE_INDEX_CANDIDATES",
    "DEFAULT_HNSW_CANDIDATES",
    "DEFAULT_HNSW_EF_SEARCH",
    "FLAT_SETTINGS",
    "HNSW_QUERY_FORMAT_VERSION",
    "MAX_APPROXIMATE_INDEX_CANDIDATES",
    "MAX_APPROXIMATE_INDEX_ROUTE_VALUES",
    "MAX_HNSW_CANDIDATES",
    "MAX_HNSW_EF_SEARCH",
    "MAX_HNSW_VECTOR_DIMENSION",
    "MAX_VECTOR_SEARCH_CANDIDATES",
    "ApproximateIndexCandidateQuery",
    "ApproximateSearchOptions",
    "AsyncCascadeWriter",
    "AsyncChatStream",
    "AsyncEventStream",
    "AsyncOnyxAI",
    "AsyncOnyxDatabase",
    "AsyncQueryBuilder",
    "AsyncStreamHandle",
    "CascadeRelationshipBuilder",
    "CascadeWriter",
    "ChangeBridge",
    "ChatStream",
    "ClientOptions",
    "Condition",
    "Document",
    "EventIterator",
    "FullTextQuery",
    "HnswSearchQuery",
    "HnswSearchQueryInput",
    "Int64WireInput",
    "OnyxAI",
    "OnyxAsyncFacade",
    "OnyxBatchError",
    "OnyxClientError",
    "OnyxConfigError",
    "OnyxConflictError",
    "OnyxConnectionError",
    "OnyxDatabase",
    "OnyxDecodeError",
    "OnyxError",
    "OnyxFacade",
    "OnyxHTTPError",
    "OnyxListenError",
    "OnyxNotFoundError",
    "OnyxRateLimitedError",
    "OnyxSerializationError",
    "OnyxServerError",
    "OnyxSettingsError",
    "OnyxStreamError",
    "OnyxStreamOverflowError",
    "OnyxTimeoutError",
    "OnyxUnauthorizedError",
    "OnyxUsageError",
    "Page",
    "QueryBuilder",
    "QueryCriteriaOperator",
    "QueryResults",
    "QuerySpec",
    "ReconnectPolicy",
    "Record",
    "RecordedRequest",
    "RequestRecorder",
    "ResolvedConfig",
    "SchemaDiff",
    "SchemaInput",
    "SchemaRevision",
    "SchemaTableDiff",
    "SchemaUpsertRequest",
    "SchemaValidationProblem",
    "SchemaValidationResult",
    "SearchHit",
    "SearchMatch",
    "SearchMode",
    "SearchOptions",
    "SecretMetadata",
    "SecretRecord",
    "SemanticVectorSignature",
    "SemanticVectorSignatureInput",
    "Sort",
    "StreamEvent",
    "StreamHandle",
    "VectorSearchQuery",
    "VectorSearchQueryInput",
    "WireFormat",
    "WriteEvent",
    "__version__",
    "add_request_listener",
    "add_write_listener",
    "approximate_candidates",
    "approximate_index_candidate_query",
    "approximate_search",
    "asc",
    "avg",
    "between",
    "config_from_options",
    "contains",
    "contains_ignore_case",
    "count",
    "desc",
    "eq",
    "event_line",
    "format",
    "format_",
    "gt",
    "gte",
    "hnsw_candidates",
    "hnsw_search_query",
    "in_op",
    "init",
    "init_async",
    "is_null",
    "like",
    "listen_loop",
    "lower",
    "lt",
    "lte",
    "matches",
    "max",
    "max_",
    "median",
    "min",
    "min_",
    "neq",
    "not_between",
    "not_contains",
    "not_contains_ignore_case",
    "not_in",
    "not_like",
    "not_matches",
    "not_null",
    "not_starts_with",
    "not_within",
    "onyx",
    "onyx_async",
    "percentile",
    "read_window",
    "record_requests",
    "replace",
    "resolve_config",
    "search",
    "semantic_vector_signature",
    "settings_options",
    "starts_with",
    "std",
    "substring",
    "sum",
    "sum_",
    "table_name",
    "to_wire",
    "upper",
    "variance",
    "vector_search_query",
    "within",
]
__all__ += _schema_document.__all__
