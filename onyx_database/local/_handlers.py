"""One function per endpoint. They touch storage synchronously: most run in a worker thread,
the cheap ones (:func:`runs_inline`) on the event loop."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from ._cascade import delete_cascade, parse_cascade, save_cascade, split_top_level
from ._dates import format_iso
from ._encoder import encode_batch
from ._errors import ApiError, bad_request, not_found
from ._executor import Executor, Reader, table_not_found
from ._paging import PageTokens
from ._records import coerce_updates, prepare_all, render
from ._schema import Entity, SchemaInvalid, normalize_document, validate_document
from ._schema_safety import ALLOW_PARAM, dry_run, refuse_data_loss
from ._secret_box import SecretBox
from ._storage import Conflict, Storage
from ._values import CoercionError, coerce_for_save

__all__ = ["Context", "Reply", "Services", "publish"]

MAX_PAGE = 1000


@dataclass
class Services:
    """What every handler may use."""

    storage: Storage
    database_id: str
    tokens: PageTokens
    secret_box: SecretBox | None = None  # None: secret values stored as given


@dataclass
class Context:
    services: Services
    params: dict[str, str]
    query: dict[str, str]
    headers: dict[str, str]
    body: Any = None
    raw_segments: list[str] = field(default_factory=list)
    # The body's checks when the app left them to the handler (batch saves, see _encoder).
    pending_check: Callable[[], None] | None = None

    def check_body(self) -> None:
        """Run the body's deferred checks, if any (400 when they fail)."""
        check, self.pending_check = self.pending_check, None
        if check is not None:
            check()

    def entity(self) -> Entity:
        name = self.params["table"]
        entity = self.services.storage.schema.entity(name)
        if entity is None:
            raise table_not_found(name)
        return entity


@dataclass
class Reply:
    value: Any
    status: int = 200
    negotiable: bool = True
    # Raw answers (document content) bypass encoding: bytes, their media type, extra headers.
    raw: bytes | None = None
    content_type: str = "application/octet-stream"
    headers: tuple[tuple[str, str], ...] = ()


Handler = Callable[[Context], Reply]


def not_implemented(ctx: Context) -> Reply:
    raise ApiError(501, "NOT_IMPLEMENTED", "this endpoint is not supported by Onyx Local yet")


# -- entities ----------------------------------------------------------------------------------
def _executor(ctx: Context, reader: Reader | None = None) -> Executor:
    storage = ctx.services.storage
    return Executor(storage.schema, reader if reader is not None else storage)


def _save_batch(ctx: Context, *, insert: bool) -> Reply | None:
    """A batch of plain records through its table's encoder, or ``None`` when the body needs the
    general path (which gives the same answer, only slower)."""
    body = ctx.body
    if type(body) is not list or len(body) < 2 or "relationships" in ctx.query:
        return None
    entity = ctx.services.storage.schema.entity(ctx.params["table"])
    if entity is None:
        return None
    batch = encode_batch(entity, body)
    if batch is None:
        return None
    try:
        wires = ctx.services.storage.save_batch(entity, batch, insert=insert)
    except Conflict as conflict:
        raise ApiError(409, "CONFLICT", str(conflict)) from None
    return Reply(wires, 201 if insert else 200)


def _save(ctx: Context, *, insert: bool) -> Reply:
    fast = _save_batch(ctx, insert=insert)
    if fast is not None:
        return fast
    ctx.check_body()
    entity = ctx.entity()
    body = ctx.body
    single = not isinstance(body, list)
    items = [body] if single else body
    status = 201 if insert else 200
    specs = parse_cascade(ctx.query.get("relationships", ""))
    if specs:
        saved = save_cascade(ctx.services.storage, entity, items, specs, insert=insert)
        rendered = [render(entity, record) for record in saved]
        return Reply(rendered[0] if single else rendered, status)
    prepared, failure = prepare_all(entity, items, numbered=not single)
    try:
        rendered = ctx.services.storage.save(entity, prepared, insert=insert)
    except Conflict as conflict:
        raise ApiError(409, "CONFLICT", str(conflict)) from None
    if failure is not None:
        raise failure
    return Reply(rendered[0] if single else rendered, status)


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


def name_list(raw: str) -> list[str]:
    """``a,b``, Kotlin's ``[a, b]`` and per-item encoded forms of a list of names."""
    text = raw.strip()
    if not text:
        return []
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    return [unquote(item).strip() for item in split_top_level(text) if item.strip()]


def find(ctx: Context) -> Reply:
    entity = ctx.entity()
    names = name_list(ctx.query.get("resolvers", ""))
    for name in names:
        if name.split(".")[0] not in entity.resolvers:
            raise bad_request(f"Resolver {name.split('.')[0]!r} is not defined on {entity.name}")
    partition = _partition_param(ctx, entity)
    for key in _key_candidates(ctx, entity):
        if not names:
            found = ctx.services.storage.find_wire(entity, partition, key)
            if found is not None:
                return Reply(found)
            continue
        record = ctx.services.storage.find(entity, partition, key)
        if record is not None:
            wire = render(entity, record)
            if names:
                _executor(ctx).attach(entity, wire, record, names)
            return Reply(wire)
    raise not_found(f"{entity.name} {ctx.params['pk']!r} not found")


def find_plain(
    services: Services, params: dict[str, str], raw_segments: list[str]
) -> dict[str, Any] | None:
    """What :func:`find` answers for a request without query parameters when the record exists
    and its key needs no second reading; ``None`` otherwise (then :func:`find` answers)."""
    entity = services.storage.schema.entity(params["table"])
    if entity is None or (raw_segments and "+" in raw_segments[-1]):
        return None
    try:
        key = coerce_for_save(entity.id_attribute.type, params["pk"])
    except CoercionError:
        return None
    return services.storage.find_wire(entity, "", key)


def runs_inline(handler: Handler, ctx: Context) -> bool:
    """Whether a request is cheap enough to answer on the event loop: a find by id without
    resolvers is one index lookup on a pooled reader (readers never wait for the writer)."""
    return handler is find and not ctx.query.get("resolvers")


def delete(ctx: Context) -> Reply:
    entity = ctx.entity()
    names = name_list(ctx.query.get("relationships", ""))
    for name in names:
        if name not in entity.resolvers:
            raise bad_request(
                f"Invalid cascade relationship {name!r}: not a resolver of {entity.name}"
            )
    partition = _partition_param(ctx, entity)
    representation = "return=representation" in ctx.headers.get("prefer", "").lower()
    for key in _key_candidates(ctx, entity):
        deleted = delete_cascade(ctx.services.storage, entity, partition, key, names)
        if deleted is not None:
            return Reply(deleted if representation else True)
    raise not_found(f"{entity.name} {ctx.params['pk']!r} not found")


# -- queries -----------------------------------------------------------------------------------
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


def _search_all(ctx: Context, executor: Executor) -> list[Any]:
    """``query/ALL``: every SEARCHABLE table in schema order, each capped by the limit."""
    body = ctx.body if isinstance(ctx.body, Mapping) else {}
    limit = body.get("limit")
    per_table = (
        limit if isinstance(limit, int) and not isinstance(limit, bool) and limit >= 0 else 100
    )
    rows: list[Any] = []
    for entity in ctx.services.storage.schema.entities.values():
        if not entity.searchable:
            continue
        scoped = {
            k: v for k, v in body.items() if k not in ("table", "fields", "groupBy", "resolvers")
        }
        parsed = executor.parse(entity, scoped, ctx.query.get("partition"))
        found = executor.select(entity, parsed)[:per_table]
        rows += [
            {"id": record.get(entity.identifier), "entityType": entity.name, "entity": record}
            for record in found
        ]
    return rows


def query(ctx: Context) -> Reply:
    size = _page_size(ctx)
    executor = _executor(ctx)
    tokens = ctx.services.tokens
    search_all = ctx.params["table"] == "ALL" and ctx.services.storage.schema.entity("ALL") is None
    entity = None if search_all else ctx.entity()
    # Tokens are bound to the query, its scope and the table's definition when issued.
    digest = tokens.digest(ctx.params["table"], ctx.body, ctx.query.get("partition"), repr(entity))
    token = ctx.query.get("nextPage")
    state = tokens.state(token, digest) if token else None
    if entity is None:
        rows = _search_all(ctx, executor)
        offset = int(state.get("o", -1)) if state is not None else 0
        if offset < 0:
            raise not_found("nextPage token is invalid or expired")
        end = offset + size
        following = {"o": end} if end < len(rows) else None
        page, total = rows[offset:end], len(rows)
    else:
        parsed = executor.parse(entity, ctx.body, ctx.query.get("partition"))
        page, following, total = executor.page(entity, parsed, size, state)
    next_token = tokens.issue(following, digest) if following is not None else None
    return Reply({"records": page, "nextPage": next_token, "totalResults": total})


def count(ctx: Context) -> Reply:
    entity = ctx.entity()
    executor = _executor(ctx)
    parsed = executor.parse(entity, ctx.body, ctx.query.get("partition"))
    if parsed.selections or parsed.group_by:
        return Reply(len(executor.select(entity, parsed)))
    return Reply(executor.count(entity, parsed))


def update_query(ctx: Context) -> Reply:
    entity = ctx.entity()
    body = ctx.body if ctx.body is not None else {}
    if not isinstance(body, Mapping):
        raise bad_request("the update body must be a JSON object")
    updates = coerce_updates(entity, body.get("updates"))
    select = {k: v for k, v in body.items() if k not in ("updates", "type", "fields", "groupBy")}
    storage = ctx.services.storage
    with storage.writing() as writer:
        executor = Executor(storage.schema, writer)
        parsed = executor.parse(entity, select, ctx.query.get("partition"))
        rowids = executor.rowids(entity, parsed)
        for rowid in rowids:
            found = writer.at(entity, rowid)
            if found is None:
                continue
            partition, record = found
            writer.put(entity, {**record, **updates}, moved_from=partition)
    return Reply(len(rowids))


def delete_query(ctx: Context) -> Reply:
    entity = ctx.entity()
    storage = ctx.services.storage
    with storage.writing() as writer:
        executor = Executor(storage.schema, writer)
        parsed = executor.parse(entity, ctx.body, ctx.query.get("partition"))
        if parsed.conditions is None:
            scope = parsed.partition if entity.partition else None
            return Reply(writer.truncate(entity, scope))
        rowids = executor.rowids(entity, parsed)
        for rowid in rowids:
            found = writer.at(entity, rowid)
            if found is not None:
                partition, record = found
                writer.remove(entity, partition, record.get(entity.identifier))
    return Reply(len(rowids))


def ai_unavailable(ctx: Context) -> Reply:
    raise ApiError(
        501,
        "AI_NOT_AVAILABLE",
        "Onyx Local has no language model; point ai_base_url at Onyx Cloud",
    )


def stream(ctx: Context) -> Reply:
    """A marker: the app serves streams itself (see ``_streams.serve_stream``)."""
    raise ApiError(500, "INTERNAL", "the stream route is served by the app")


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


def publish(
    storage: Storage, body: object, *, publish: bool, allow_data_loss: bool = False
) -> dict[str, Any]:
    """Validate and store a schema document; raises :class:`SchemaInvalid`, and
    :class:`DataLossRefused` when publishing would lose stored data and that is not allowed."""
    errors = validate_document(body)
    if errors:
        raise SchemaInvalid(errors)
    assert isinstance(body, Mapping)
    guard = None if allow_data_loss else refuse_data_loss
    return storage.save_revision(normalize_document(body), publish=publish, guard=guard)


def schema_put(ctx: Context) -> Reply:
    flag = ctx.query.get("publish", "").lower() == "true"
    allow = ctx.query.get(ALLOW_PARAM, "").lower() == "true"
    try:
        revision = publish(ctx.services.storage, ctx.body, publish=flag, allow_data_loss=allow)
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
    losses = [loss.to_json() for loss in dry_run(ctx.services.storage, doc)]
    answer = {"valid": True, "errors": [], "schema": schema, "dataLoss": losses}
    return Reply(answer, negotiable=False)
