"""Static typing of both clients, checked by mypy in the gates (never run).

Each ``assert_type`` is a claim about what an editor and the type checker infer for user code:
a model class in, model instances out; a table name in, dict records out.
"""

from __future__ import annotations

from typing import Any, assert_type

from pydantic import BaseModel

import onyx_database
from onyx_database import (
    AsyncEventStream,
    AsyncOnyxDatabase,
    AsyncQueryBuilder,
    AsyncStreamHandle,
    ChatStream,
    EventIterator,
    OnyxDatabase,
    Page,
    QueryBuilder,
    QueryResults,
    StreamEvent,
    StreamHandle,
    eq,
)

Record = dict[str, Any]


class User(BaseModel):
    id: str
    email: str | None = None


def init_is_typed() -> None:
    db = onyx_database.init(database_id="db", api_key="k", api_secret="s", max_retries=2)
    assert_type(db, OnyxDatabase)
    assert_type(onyx_database.init_async(databaseId="db", wireFormat="msgpack"), AsyncOnyxDatabase)
    assert_type(onyx_database.onyx.init(request_timeout_seconds=None), OnyxDatabase)
    onyx_database.init(wire_format="xml")  # type: ignore[arg-type]
    onyx_database.init(no_such_option=1)  # type: ignore[call-arg]
    onyx_database.init(max_retries="3")  # type: ignore[arg-type]
    with onyx_database.init() as same:
        assert_type(same, OnyxDatabase)
    assert_type(db.with_options(partition="p"), OnyxDatabase)


def sync_records(db: OnyxDatabase, user: User) -> None:
    assert_type(db.save(User, user), User)
    assert_type(db.save(User, {"id": "u1"}), User)
    assert_type(db.save(User, [user, {"id": "u2"}]), list[User])
    assert_type(db.save("User", {"id": "u1"}), Record)
    assert_type(db.save("User", [{"id": "u1"}]), list[Record])
    assert_type(db.insert(User, [user]), list[User])
    assert_type(db.insert("User", {"id": "u1"}), Record)
    assert_type(db.create(User, user), User)
    assert_type(db.create("User", {"id": "u1"}), Record)
    assert_type(db.find_by_id(User, "u1"), User | None)
    assert_type(db.find_by_id("User", "u1"), Record | None)
    assert_type(db.delete("User", "u1"), bool)
    assert_type(db.batch_save(User, [user]), int)


def sync_queries(db: OnyxDatabase) -> None:
    query = db.from_table(User).where(eq("email", "a@example.com"))
    assert_type(query, QueryBuilder[User])
    assert_type(query.list(), QueryResults[User])
    assert_type(query.first_or_none(), User | None)
    assert_type(query.page(), Page[User])
    page = query.page()
    assert_type(page.records, list[User])
    assert_type(page.next_page, str | None)
    for record in page:
        assert_type(record, User)
    assert_type(Page[User].model_validate({"records": []}), Page[User])
    assert_type(query.count(), int)
    assert_type(db.from_table("User").list(), QueryResults[Record])
    assert_type(db.from_table(User).select("id").list(), QueryResults[Record])
    for user in db.from_table(User):
        assert_type(user, User)
    assert_type(query.events(), EventIterator[User])
    assert_type(query.stream(), StreamHandle)
    assert_type(query.stream_callbacks(), StreamHandle)
    for event in query.events():
        assert_type(event, StreamEvent[User])
        assert_type(event.entity, User | None)
        assert_type(event.action, str)


def sync_ai(db: OnyxDatabase) -> None:
    assert_type(db.ai.chat("hi"), dict[str, Any])
    assert_type(db.ai.chat("hi", stream=True), ChatStream)
    assert_type(db.chat("hi"), str)


async def async_client(db: AsyncOnyxDatabase, user: User) -> None:
    async with onyx_database.init_async() as same:
        assert_type(same, AsyncOnyxDatabase)
    assert_type(await db.save(User, user), User)
    assert_type(await db.save("User", [{"id": "u1"}]), list[Record])
    assert_type(await db.create(User, {"id": "u1"}), User)
    assert_type(await db.find_by_id(User, "u1"), User | None)
    assert_type(await db.find_by_id("User", "u1"), Record | None)
    query = db.from_table(User)
    assert_type(query, AsyncQueryBuilder[User])
    assert_type(await query.list(), QueryResults[User])
    async for found in query:
        assert_type(found, User)
    assert_type(query.events(), AsyncEventStream[User])
    assert_type(await query.stream(), AsyncStreamHandle)
    async with query.events() as events:
        async for event in events:
            assert_type(event, StreamEvent[User])
