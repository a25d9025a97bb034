"""What both clients share, with no I/O: configuration, views (``with_options``), request
construction and answer decoding. :mod:`._async_client` adds the awaited sends, and the sync
client (:mod:`._client`) is generated from it by ``scripts/unasync.py``.
"""

from __future__ import annotations

import builtins
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from os import PathLike
from pathlib import Path
from typing import Any, Generic, Protocol, Self, TypeVar

from . import _data_apis as apis
from ._cascade import CascadeRelationshipBuilder, cascade_specs
from ._conditions import search as search_condition
from ._config import ResolvedConfig
from ._errors import OnyxClientError, OnyxDecodeError, OnyxNotFoundError, OnyxUsageError
from ._flows import Flow, batch_flow
from ._models import as_mapped
from ._query import ALL_TABLES, QuerySpec, is_model_class, table_name, table_spec, validate_model
from ._request import Request, delete_request, find_request, insert_request, save_request
from ._schema_diff import SchemaDiff, diff_schemas
from ._serialize import to_wire, to_wire_list
from ._transport import UNSET, CallOptions, merge_headers

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "RECORD_MISS_CODES",
    "CascadeSpec",
    "DatabaseCore",
    "M",
    "ModelLike",
    "Record",
    "Relationships",
    "as_model",
    "count_of",
    "field_of",
    "is_record_miss",
    "relationships_of",
    "validation_result",
]

T = TypeVar("T")
Record = dict[str, Any]
CascadeSpec = str | CascadeRelationshipBuilder
Relationships = Sequence[CascadeSpec] | CascadeSpec | None


class ModelLike(Protocol):
    """A pydantic-style model class: ``from_table(Model)`` returns its instances."""

    @classmethod
    def model_validate(cls, obj: Any, /) -> Self: ...


M = TypeVar("M", bound=ModelLike)

RECORD_MISS_CODES = frozenset({"NOT_FOUND", "RECORD_NOT_FOUND", "ENTITY_NOT_FOUND"})
"""404 error codes that mean "no such record" (``find_by_id`` → ``None``). A 404 with any other
code (an unknown table or database) is raised. A 404 without a code is treated as a record miss,
as every official SDK does."""

DEFAULT_BATCH_SIZE = 1000


def is_record_miss(error: OnyxNotFoundError) -> bool:
    """Whether a 404 from ``GET /data/{db}/{table}/{pk}`` means the record does not exist."""
    return error.code is None or error.code.upper() in RECORD_MISS_CODES


def _names(value: Sequence[str] | str | None, what: str) -> builtins.list[str] | None:
    if value is None:
        return None
    items = [value] if isinstance(value, str) else builtins.list(value)
    for item in items:
        if not isinstance(item, str) or not item.strip():
            raise OnyxUsageError(f"{what} must be non-empty strings, got {item!r}")
    return items or None


def _relationships(value: Relationships) -> builtins.list[str] | None:
    return builtins.list(cascade_specs(value)) or None


def _resolvers(value: Sequence[str] | str | None) -> builtins.list[str] | None:
    if value is None:
        return None
    items = [value] if isinstance(value, str) else builtins.list(value)
    names: builtins.list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise OnyxUsageError(f"resolvers must be non-empty strings, got {item!r}")
        names.extend(part.strip() for part in item.split(","))
    return _names(names, "resolvers")


def relationships_of(options: Mapping[str, Any] | None, relationships: Relationships) -> Any:
    """The cascade specs of a write: the ``relationships`` keyword, or the official SDK's
    ``options={"relationships": [...]}`` (both given: both, in that order).

    >>> relationships_of({"relationships": ["a:A(x, id)"]}, None)
    ['a:A(x, id)']
    """
    if options is None:
        return relationships
    if not isinstance(options, Mapping):
        raise OnyxUsageError(f"options must be a dict, got {type(options).__name__}")
    extra = options.get("relationships")
    if not extra:
        return relationships
    extra_list = [extra] if isinstance(extra, str) else list(extra)
    if relationships is None:
        return extra_list
    mine = [relationships] if isinstance(relationships, str) else list(relationships)  # type: ignore[arg-type]
    return mine + extra_list


def as_model(table: object, answer: Any) -> Any:
    """``answer`` (a record or a list of records) as instances of ``table`` when it is a model
    class; unchanged otherwise."""
    if not is_model_class(table):
        return answer
    if isinstance(answer, dict):
        return validate_model(table, answer, f"the {table_name(table)} record")
    if isinstance(answer, builtins.list):
        return [
            validate_model(table, item, f"the {table_name(table)} record")
            if isinstance(item, dict)
            else item
            for item in answer
        ]
    return answer


def count_of(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise OnyxDecodeError(f"expected a number from the count endpoint, got {value!r}")
    try:
        return int(value)
    except ValueError as exc:
        raise OnyxDecodeError(f"expected a number from the count endpoint, got {value!r}") from exc


TransportT = TypeVar("TransportT")


class DatabaseCore(Generic[TransportT]):
    """Configuration, views, request construction and decoding shared by both clients (no I/O)."""

    _config: ResolvedConfig
    _partition: str | None
    _call: CallOptions
    _transport: TransportT
    _is_view: bool

    def _init_view(
        self,
        config: ResolvedConfig,
        partition: str | None,
        call: CallOptions,
        transport: TransportT,
    ) -> None:
        self._config = config
        self._partition = partition
        self._call = call
        self._transport = transport
        self._is_view = False

    def __repr__(self) -> str:
        view = " view" if self._is_view else ""
        return f"<{type(self).__name__}{view} {self.database_id!r} at {self._config.base_url}>"

    def with_options(
        self,
        *,
        partition: str | None = UNSET,
        request_timeout_seconds: float | None = UNSET,
        headers: Mapping[str, str] | None = None,
    ) -> Self:
        """A light view that shares this client's connection pool with other defaults.

        Closing a view does not close the pool. ``tenant_db = db.with_options(partition="t1")``
        """
        new_partition, call = self._view_options(partition, request_timeout_seconds, headers)
        view = object.__new__(type(self))
        view._init_view(self._config, new_partition, call, self._transport)
        view._is_view = True
        return view

    @property
    def config(self) -> ResolvedConfig:
        """The resolved configuration this client uses."""
        return self._config

    @property
    def database_id(self) -> str:
        return self._config.database_id

    @property
    def default_partition(self) -> str | None:
        """Partition sent on find/delete/query/count when the call names none."""
        return self._partition

    def _view_options(
        self, partition: Any, request_timeout_seconds: Any, headers: Mapping[str, str] | None
    ) -> tuple[str | None, CallOptions]:
        if partition is not UNSET and partition is not None and not isinstance(partition, str):
            raise OnyxUsageError(f"partition must be a string or None, got {partition!r}")
        if request_timeout_seconds is not UNSET and request_timeout_seconds is not None:
            if isinstance(request_timeout_seconds, bool) or not isinstance(
                request_timeout_seconds, int | float
            ):
                raise OnyxUsageError("request_timeout_seconds must be a number or None")
            if request_timeout_seconds <= 0:
                raise OnyxUsageError("request_timeout_seconds must be > 0")
        if headers is not None:
            for name, value in headers.items():
                if not isinstance(name, str) or not isinstance(value, str):
                    raise OnyxUsageError("headers must map str to str")
                if not name.isascii() or not value.isascii():
                    raise OnyxUsageError(f"header {name!r} must be ASCII")
        new_partition = self._partition if partition is UNSET else partition
        call = CallOptions(
            timeout=self._call.timeout
            if request_timeout_seconds is UNSET
            else (None if request_timeout_seconds is None else float(request_timeout_seconds)),
            headers=merge_headers(self._call.headers, headers),
        )
        return new_partition, call

    def _entity_body(self, entity: Any) -> Any:
        if isinstance(entity, list | tuple):
            return to_wire_list(entity)
        return to_wire(entity, "entity")

    def _write_request(
        self,
        make: Callable[..., Request],
        table: str | type[Any],
        entity: Any,
        relationships: Relationships,
    ) -> Request:
        """``make`` (``save_request`` or ``insert_request``) for one entity or a list."""
        body = self._entity_body(entity)
        return make(self.database_id, table_name(table), body, _relationships(relationships))

    def _create_request(self, table: str | type[Any], entity: Any) -> Request:
        if isinstance(entity, list | tuple | set | frozenset):
            raise OnyxUsageError(
                "create() takes exactly one entity; use insert() for a list of new records"
            )
        body = to_wire(entity, "entity")
        if not isinstance(body, dict):
            raise OnyxUsageError(
                f"create() takes one entity (a mapping, dataclass or model), got {type(entity)}"
            )
        return insert_request(self.database_id, table_name(table), body)

    def _find_request(
        self,
        table: str | type[Any],
        pk: object,
        partition: str | None,
        resolvers: Sequence[str] | str | None,
    ) -> Request:
        return find_request(
            self.database_id,
            table_name(table),
            pk,
            partition=partition if partition is not None else self._partition,
            resolvers=_resolvers(resolvers),
        )

    def _delete_request(
        self,
        table: str | type[Any],
        pk: object,
        partition: str | None,
        relationships: Relationships,
        return_graph: bool = False,
    ) -> Request:
        if not isinstance(return_graph, bool):
            raise OnyxUsageError(f"return_graph must be a bool, got {return_graph!r}")
        return delete_request(
            self.database_id,
            table_name(table),
            pk,
            partition=partition if partition is not None else self._partition,
            relationships=_relationships(relationships),
            return_graph=return_graph,
        )

    def _schema_diff(self, api_schema: Any, local: Any) -> SchemaDiff:
        if isinstance(local, str | PathLike):
            try:
                local = json.loads(Path(local).read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise OnyxUsageError(f"cannot read the schema file {local}: {exc}") from exc
        if not isinstance(local, Mapping):
            raise OnyxUsageError(
                f"diff_schema takes a schema mapping or a JSON file path, got {type(local)}"
            )
        if not isinstance(api_schema, Mapping):
            raise OnyxDecodeError(f"expected a schema object, got {type(api_schema).__name__}")
        return diff_schemas(apis.strip_entity_text(api_schema), apis.strip_entity_text(local))

    def _validation_answer(self, error: OnyxClientError) -> Record | None:
        """A 4xx validate answer that carries ``valid: false`` is a result, not a failure."""
        body = error.body
        if isinstance(body, dict) and body.get("valid") is False:
            return {"valid": False, "errors": body.get("errors") or [], **_schema_of(body)}
        return None

    def _batch_flow(
        self,
        table: str | type[Any],
        entities: Iterable[Any],
        batch_size: int,
        relationships: Relationships,
    ) -> Flow:
        if isinstance(entities, Mapping | str | bytes):
            raise OnyxUsageError("batch_save() takes an iterable of entities, not one entity")
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise OnyxUsageError(f"batch_size must be an int >= 1, got {batch_size!r}")
        name = table_name(table)
        rels = _relationships(relationships)
        return batch_flow(
            entities,
            batch_size,
            lambda body: save_request(self.database_id, name, body, rels),
        )

    def _query_spec(self, table: str | type[Any] | None) -> QuerySpec:
        return table_spec(table, self._config.models)

    def _as_model(self, table: object, answer: Any) -> Any:
        """:func:`as_model`, or for a table name the class ``init(schema=...)`` maps it to."""
        if isinstance(table, str):
            return as_mapped(table, answer, self._config.models)
        return as_model(table, answer)

    def _search_spec(self, text: str, min_score: Any, **options: Any) -> QuerySpec:
        return QuerySpec(table=ALL_TABLES, conditions=search_condition(text, min_score, **options))


def _schema_of(body: Record) -> Record:
    return {"schema": body["schema"]} if "schema" in body else {}


def validation_result(answer: Any) -> Record:
    if not isinstance(answer, dict):
        raise OnyxDecodeError(f"expected a validation object, got {type(answer).__name__}")
    result = dict(answer)
    result.setdefault("valid", True)
    result.setdefault("errors", [])
    if isinstance(result.get("schema"), dict):
        result["schema"] = apis.strip_entity_text(result["schema"])
    return result


def field_of(record: Any, field: str) -> Any:
    if isinstance(record, Mapping):
        return record.get(field)
    return getattr(record, field, None)
