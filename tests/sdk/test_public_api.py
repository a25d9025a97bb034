from __future__ import annotations

import doctest
import importlib

import pytest

import onyx_database

PUBLIC = {
    "AsyncOnyxDatabase", "AsyncQueryBuilder", "Condition", "OnyxBatchError", "OnyxClientError",
    "OnyxConfigError", "OnyxConflictError", "OnyxConnectionError", "OnyxDatabase",
    "OnyxDecodeError", "OnyxError", "OnyxFacade", "OnyxHTTPError", "OnyxNotFoundError",
    "OnyxRateLimitedError", "OnyxSerializationError", "OnyxServerError", "OnyxTimeoutError",
    "OnyxUnauthorizedError", "OnyxUsageError", "Page", "QueryBuilder", "ResolvedConfig", "Sort",
    "__version__", "asc", "between", "contains", "contains_ignore_case", "desc", "eq", "gt",
    "gte", "in_op", "init", "init_async", "is_null", "like", "lt", "lte", "matches", "neq",
    "not_between", "not_contains", "not_contains_ignore_case", "not_in", "not_like",
    "not_matches", "not_null", "not_starts_with", "onyx", "resolve_config", "starts_with",
    "to_wire",
    # sub-queries and full-text search
    "within", "not_within", "search",
    # selections (sum/min/max/format shadow builtins, as in the official SDK; _ aliases are safe)
    "avg", "count", "format", "format_", "lower", "max", "max_", "median", "min", "min_",
    "percentile", "replace", "std", "substring", "sum", "sum_", "upper", "variance",
    # cascade, documents, schema diff, AI
    "CascadeRelationshipBuilder", "CascadeWriter", "AsyncCascadeWriter", "Document",
    "SchemaDiff", "OnyxAI", "AsyncOnyxAI", "ChatStream", "AsyncChatStream",
    # live query streams
    "StreamEvent", "StreamHandle", "EventIterator", "AsyncEventStream", "AsyncStreamHandle",
    "ReconnectPolicy", "OnyxStreamError", "OnyxStreamOverflowError",
    # request recording (tests, debug tooling, framework adapters)
    "RecordedRequest", "RequestRecorder", "add_request_listener", "record_requests",
    # framework adapters' core: settings, write observation, table names
    "FLAT_SETTINGS", "OnyxSettingsError", "config_from_options", "settings_options",
    "WriteEvent", "add_write_listener", "table_name",
    # change-stream bridge (at least once) and the foreground listen loop
    "ChangeBridge", "OnyxListenError", "event_line", "listen_loop", "read_window",
    # adapters' query layers: option names, query specs (flow drivers: onyx_database.flows)
    "CONFIG_OPTIONS", "QuerySpec",
    # the typed options of init() / init_async()
    "ClientOptions",
    # drop-in for the official SDK: its async facade, records, exported types and limits
    "OnyxAsyncFacade", "onyx_async", "Record", "QueryResults", "SearchMatch", "SearchMode",
    "SearchOptions",
    "WireFormat", "QueryCriteriaOperator", "FullTextQuery", "Int64WireInput",
    "SchemaInput", "SchemaTableDiff", "SchemaUpsertRequest", "SemanticVectorSignature",
    "SemanticVectorSignatureInput",
    "VectorSearchQuery", "VectorSearchQueryInput", "HnswSearchQuery", "HnswSearchQueryInput",
    "ApproximateIndexCandidateQuery", "ApproximateSearchOptions",
    "DEFAULT_APPROXIMATE_INDEX_CANDIDATES", "DEFAULT_HNSW_CANDIDATES", "DEFAULT_HNSW_EF_SEARCH",
    "HNSW_QUERY_FORMAT_VERSION", "MAX_APPROXIMATE_INDEX_CANDIDATES",
    "MAX_APPROXIMATE_INDEX_ROUTE_VALUES", "MAX_HNSW_CANDIDATES", "MAX_HNSW_EF_SEARCH",
    "MAX_HNSW_VECTOR_DIMENSION", "MAX_VECTOR_SEARCH_CANDIDATES",
    "approximate_candidates", "approximate_index_candidate_query", "approximate_search",
    "hnsw_candidates", "hnsw_search_query", "semantic_vector_signature", "vector_search_query",
    # the schema document (pydantic models; one reader and one validator)
    "SchemaDocument", "SchemaEntity", "SchemaAttribute", "SchemaIdentifier", "SchemaIndex",
    "SchemaResolver", "SchemaTrigger", "SchemaEntityType", "SchemaSearchSupport", "SchemaProblem",
    "SchemaDocumentError",
    # payload models
    "SchemaRevision", "SchemaValidationProblem", "SchemaValidationResult", "SearchHit",
    "SecretMetadata", "SecretRecord",
}  # fmt: skip


def test_public_surface_is_locked() -> None:
    assert set(onyx_database.__all__) == PUBLIC
    for name in PUBLIC:
        assert getattr(onyx_database, name) is not None


def test_official_facade_names() -> None:
    from onyx_database import onyx

    assert onyx.init is onyx_database.init
    assert onyx.init_async is onyx_database.init_async
    onyx.clear_cache_config()


def test_init_rejects_config_plus_options(config: onyx_database.ResolvedConfig) -> None:
    with pytest.raises(onyx_database.OnyxConfigError):
        onyx_database.init(config=config, databse_id="typo")
    with onyx_database.init(config=config, partition="p2", max_retries=0) as db:
        assert (db.config.partition, db.config.max_retries) == ("p2", 0)
        assert db.config.api_secret == config.api_secret
    with pytest.raises(onyx_database.OnyxConfigError):
        onyx_database.init(config={"database_id": "x"})  # type: ignore[arg-type]


def test_init_resolves_explicit_options() -> None:
    db = onyx_database.init(
        database_id="db9", api_key="k", api_secret="s", base_url="http://127.0.0.1:9", partition="p"
    )
    with db:
        assert db.config.database_id == "db9"
        assert db.default_partition == "p"


MODULES = [
    "onyx_database._serialize", "onyx_database._codec", "onyx_database._conditions",
    "onyx_database._query", "onyx_database._request", "onyx_database._retry",
    "onyx_database._logging", "onyx_database._facade", "onyx_database",
    "onyx_database._selections", "onyx_database._cascade", "onyx_database._data_apis",
    "onyx_database._ai", "onyx_database._stream_protocol", "onyx_database._recording",
    # the adapter core
    "onyx_database._settings", "onyx_database._writes", "onyx_database._listen_loop",
    "onyx_database._window", "onyx_database._bridge", "onyx_database._listeners",
    "onyx_database.flows", "onyx_database.otel", "onyx_database._schema_document",
    "onyx_database._schema_diff", "onyx_database._payloads",
    # the core
    "onyx_database._options", "onyx_database._version",
    # drop-in for the official SDK
    "onyx_database._models", "onyx_database._types", "onyx_database._async_facade",
    "onyx_database._handle_dict", "onyx_database._fenced", "onyx_database._errors",
    "onyx_database.errors", "onyx_database._ai_request", "onyx_database._core",
    "onyx_database._vector",
    # the official SDK's helper modules
    "onyx_database.helpers", "onyx_database.helpers.aggregates", "onyx_database.helpers.sort",
    "onyx_database.helpers.candidate_search", "onyx_database.helpers.conditions",
]  # fmt: skip


@pytest.mark.parametrize("module_name", MODULES)
def test_docstring_examples_run(module_name: str) -> None:
    module = importlib.import_module(module_name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0


SANS_IO = [
    "_stream_protocol",
    "_serialize",
    "_codec",
    "_conditions",
    "_query",
    "_request",
    "_retry",
    "_flows",
    "_logging",
    "_selections",
    "_cascade",
    "_data_apis",
    "_ai",
    "_ai_client",
]


@pytest.mark.parametrize("module_name", SANS_IO)
def test_the_core_does_no_io(module_name: str) -> None:
    import ast
    from pathlib import Path

    source = Path(onyx_database.__file__).with_name(f"{module_name}.py").read_text()
    imported: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            imported.add(node.module.split(".")[0])
    assert imported.isdisjoint({"httpx", "anyio", "asyncio", "socket", "time", "urllib3"})


def test_sync_and_async_clients_have_the_same_method_names() -> None:
    def names(cls: type) -> set[str]:
        return {name for name in dir(cls) if not name.startswith("_")}

    sync_only = {"close"}
    async_only = {"aclose"}
    assert names(onyx_database.OnyxDatabase) - sync_only == (
        names(onyx_database.AsyncOnyxDatabase) - async_only
    )
    assert names(onyx_database.QueryBuilder) == names(onyx_database.AsyncQueryBuilder)
    assert names(onyx_database.CascadeWriter) == names(onyx_database.AsyncCascadeWriter)
    assert names(onyx_database.OnyxAI) == names(onyx_database.AsyncOnyxAI)
