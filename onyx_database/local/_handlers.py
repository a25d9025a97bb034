"""One function per endpoint. They run in a worker thread and only touch storage synchronously."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import orjson

from ._dates import format_iso
from ._engine import (
    Query,
    matches,
    parse_query,
    partition_shortcut,
    pushdown_equalities,
    sort_records,
)
from ._errors import ApiError, bad_request, not_found
from ._paging import PageTokens
from ._records import prepare, render
from ._schema import Entity, SchemaInvalid, normalize_document, validate_document
from ._storage import Conflict, Storage
from ._values import CoercionError, coerce_for_save, to_wire

__all__ = ["Context", "Reply", "Services", "publish"]

MAX_PAGE = 1000


@dataclass
class Services:
    """What every handler may use."""

    storage: Storage
    database_id: str
    tokens: PageTokens


@dataclass
class Context:
    services: Services
    params: dict[str, str]
    query: dict[str, str]
    headers: dict[str, str]
    body: Any = None
    raw_segments: list[str] = field(default_factory=list)

    def entity(self) -> Entity:
        name = self.params["table"]
        entity = self.services.storage.schema.entity(name)
        if entity is None:
            # A distinct code lets clients tell "no such table" from "no such record".
            raise ApiError(
                404, "TABLE_NOT_FOUND", f"Table {name!r} is not defined in the published schema"
            )
        return entity


@dataclass
class Reply:
    value: Any
    status: int = 200
    negotiable: bool = True


Handler = Callable[[Context], Reply]


def not_implemented(ctx: Context) -> Reply:
    raise ApiError(501, "NOT_IMPLEMENTED", "this endpoint is not supported by Onyx Local yet")


# -- entities ----------------------------------------------------------------------------------
def _save(ctx: Context, *, insert: bool) -> Reply:
    entity = ctx.entity()
    if ctx.query.get("relationships"):
        raise ApiError(501, "NOT_IMPLEMENTED", "cascade saves are not supported by Onyx Local yet")
    body = ctx.body
    single = not isinstance(body, list)
    items = [body] if single else body
    prepared: list[dict[str, Any]] = []
    failure: ApiError | None = None
    for position, item in enumerate(items):
        try:
            prepared.append(prepare(entity, item))
        except ApiError as error:
            if not single:
                error.message = f"{error.message} (item {position})"
            failure = error
            break
    try:
        saved = ctx.services.storage.write(entity, prepared, insert=insert)
    except Conflict as conflict:
        raise ApiError(409, "CONFLICT", str(conflict)) from None
    if failure is not None:
        raise failure
    rendered = [render(entity, record) for record in saved]
    return Reply(rendered[0] if single else rendered, 201 if insert else 200)


def save(ctx: Context) -> Reply:
    return _save(ctx, insert=False)


def insert(ctx: Context) -> Reply:
    return _save(ctx, insert=True)


def _key_candidates(ctx: Context, entity: Entity) -> list[Any]:
    """The primary key from the path; Kotlin form-encodes spaces as ``+``, so try that too."""
    texts = [ctx.params["pk"]]
    raw = ctx.raw_segments[-1] if ctx.raw_segments else ""
    if "+" in raw:
        texts.append(unquote(raw.replace("+", " ")))
    keys = []
    for text in texts:
        try:
            keys.append(coerce_for_save(entity.id_attribute.type, text))
        except CoercionError:
            continue
    return keys


def _partition_param(ctx: Context, entity: Entity) -> str:
    return ctx.query.get("partition", "") if entity.partition else ""


def find(ctx: Context) -> Reply:
    entity = ctx.entity()
    if ctx.query.get("resolvers"):
        raise ApiError(501, "NOT_IMPLEMENTED", "resolvers are not supported by Onyx Local yet")
    partition = _partition_param(ctx, entity)
    for key in _key_candidates(ctx, entity):
        record = ctx.services.storage.find(entity, partition, key)
        if record is not None:
            return Reply(render(entity, record))
    raise not_found(f"{entity.name} {ctx.params['pk']!r} not found")


def delete(ctx: Context) -> Reply:
    entity = ctx.entity()
    if ctx.query.get("relationships"):
        raise ApiError(
            501, "NOT_IMPLEMENTED", "cascade deletes are not supported by Onyx Local yet"
        )
    partition = _partition_param(ctx, entity)
    for key in _key_candidates(ctx, entity):
        record = ctx.services.storage.delete(entity, partition, key)
        if record is not None:
            if "return=representation" in ctx.headers.get("prefer", "").lower():
                return Reply(render(entity, record))
            return Reply(True)
    raise not_found(f"{entity.name} {ctx.params['pk']!r} not found")


# -- queries -----------------------------------------------------------------------------------
def _run(ctx: Context, entity: Entity, query: Query) -> list[dict[str, Any]]:
    """Matching rows, sorted, projected and de-duplicated (limit not applied)."""
    scope = query.partition if entity.partition else None
    if scope is None:
        scope = partition_shortcut(entity, query.conditions)
    rows = ctx.services.storage.fetch(entity, scope, pushdown_equalities(query.conditions))
    predicate = matches(query.conditions)
    rows = sort_records(entity, [row for row in rows if predicate(row[1])], query.sort)
    if query.fields is None:
        return [render(entity, record) for _, record in rows]
    projected = [_project(entity, record, query.fields) for _, record in rows]
    if query.distinct:
        seen: set[bytes] = set()
        unique = []
        for row in projected:
            fingerprint = orjson.dumps(row, option=orjson.OPT_SORT_KEYS)
            if fingerprint not in seen:
                seen.add(fingerprint)
                unique.append(row)
        projected = unique
    return projected


def _project(entity: Entity, record: Mapping[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for selection in fields:
        if selection == "*":
            out.update(render(entity, record))
            continue
        path = selection.split(".")
        value: Any = record.get(path[0])
        if len(path) == 1:
            out[selection] = to_wire(entity.attributes[path[0]].type, value)
            continue
        for segment in path[1:]:
            if isinstance(value, list):
                value = [v.get(segment) if isinstance(v, Mapping) else None for v in value]
                break
            value = value.get(segment) if isinstance(value, Mapping) else None
        out[selection] = value
    return out


def _page_size(ctx: Context) -> int:
    raw = ctx.query.get("pageSize")
    if raw in (None, ""):
        return MAX_PAGE
    try:
        size = int(raw)
    except ValueError:
        raise bad_request(f"pageSize must be an integer, got {raw!r}") from None
    if size < 1 or size > MAX_PAGE:
        raise bad_request(f"pageSize must be between 1 and {MAX_PAGE}")
    return size


def query(ctx: Context) -> Reply:
    entity = ctx.entity()
    size = _page_size(ctx)
    parsed = parse_query(entity, ctx.body, ctx.query.get("partition"))
    tokens = ctx.services.tokens
    digest = tokens.digest(entity.name, ctx.body, ctx.query.get("partition"))
    token = ctx.query.get("nextPage")
    offset = tokens.offset(token, digest) if token else 0
    rows = _run(ctx, entity, parsed)
    if parsed.limit is not None:
        rows = rows[: parsed.limit]
    page = rows[offset : offset + size]
    following = offset + size
    next_token = tokens.issue(following, digest) if following < len(rows) else None
    return Reply({"records": page, "nextPage": next_token, "totalResults": len(rows)})


def count(ctx: Context) -> Reply:
    entity = ctx.entity()
    parsed = parse_query(entity, ctx.body, ctx.query.get("partition"))
    return Reply(len(_run(ctx, entity, parsed)))


# -- schema ------------------------------------------------------------------------------------
def _revision_json(ctx: Context, revision: Mapping[str, Any] | None) -> dict[str, Any]:
    if revision is None:
        meta: dict[str, Any] = {"revisionId": None, "createdAt": None, "publishedAt": None}
        doc: Mapping[str, Any] = {"revisionDescription": None, "entities": []}
    else:
        doc = revision["doc"]
        published = revision["publishedAt"]
        meta = {
            "revisionId": revision["revisionId"],
            "createdAt": format_iso(revision["createdAt"]),
            "publishedAt": None if published is None else format_iso(published),
        }
    return {
        "databaseId": ctx.services.database_id,
        "revisionDescription": doc.get("revisionDescription"),
        "entities": list(doc.get("entities", [])),
        "meta": meta,
    }


def schema_get(ctx: Context) -> Reply:
    revision = _revision_json(ctx, ctx.services.storage.current_revision())
    tables = ctx.query.get("tables")
    if tables:
        # A second decode per item undoes double encoding; names cannot contain "%" or ",".
        wanted = {n.strip() for item in tables.split(",") for n in unquote(item).split(",")}
        revision["entities"] = [e for e in revision["entities"] if e.get("name") in wanted]
    return Reply(revision, negotiable=False)


def schema_history(ctx: Context) -> Reply:
    revisions = ctx.services.storage.revisions()
    return Reply([_revision_json(ctx, r) for r in revisions], negotiable=False)


def _schema_errors(body: object) -> dict[str, Any]:
    errors = validate_document(body)
    message = "Invalid schema: " + "; ".join(errors)
    return {
        "valid": False,
        "errors": [{"message": e} for e in errors],
        "error": {"message": message, "code": "INVALID_SCHEMA"},
        "code": "INVALID_SCHEMA",
        "message": message,
    }


def publish(storage: Storage, body: object, *, publish: bool) -> dict[str, Any]:
    """Validate and store a schema document; raises :class:`SchemaInvalid`."""
    errors = validate_document(body)
    if errors:
        raise SchemaInvalid(errors)
    assert isinstance(body, Mapping)
    return storage.save_revision(normalize_document(body), publish=publish)


def schema_put(ctx: Context) -> Reply:
    flag = ctx.query.get("publish", "").lower() == "true"
    try:
        revision = publish(ctx.services.storage, ctx.body, publish=flag)
    except SchemaInvalid:
        return Reply(_schema_errors(ctx.body), 400, negotiable=False)
    return Reply(_revision_json(ctx, revision), negotiable=False)


def schema_validate(ctx: Context) -> Reply:
    if validate_document(ctx.body):
        return Reply(_schema_errors(ctx.body), 400, negotiable=False)
    assert isinstance(ctx.body, Mapping)
    doc = normalize_document(ctx.body)
    schema = {
        "databaseId": ctx.services.database_id,
        "revisionDescription": doc["revisionDescription"],
        "entities": doc["entities"],
    }
    return Reply({"valid": True, "errors": [], "schema": schema}, negotiable=False)
