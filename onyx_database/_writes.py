"""Write observation: every write a client made, as data, after the server accepted it.

Framework adapters turn these into their signals (Flask's ``records_written``, Django's
equivalent); tests and tooling may listen directly::

    from onyx_database import add_write_listener

    seen = []
    remove = add_write_listener(seen.append, client=db)   # only this client's pool
    db.save("User", {"id": "u1"})
    seen[0].operation, seen[0].table                      # ('save', 'User')
    remove()

A listener runs in the thread (or task) that made the write, after the answer came back and
before the write call returns; it is not called for a write that failed. What it receives
holds records and ids, never credentials.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from ._listeners import Listeners
from ._request import Request

__all__ = ["WriteEvent", "WriteOperation", "add_write_listener"]

WriteOperation = Literal["save", "insert", "delete", "update_query", "delete_query"]


@dataclass(frozen=True, slots=True)
class WriteEvent:
    """One accepted write.

    ``operation`` is ``"save"`` (upsert, also each chunk of ``batch_save`` and a cascade save),
    ``"insert"`` (``insert`` / ``create``), ``"delete"`` (one record by id, possibly cascading),
    ``"update_query"`` or ``"delete_query"`` (by query). ``records`` are the records the server
    answered (wire dicts) for saves and inserts, ``ids`` the deleted primary key for a delete,
    ``count`` how many records a query update/delete touched, ``relationships`` the cascade
    specs sent along.
    """

    database_id: str
    table: str
    operation: WriteOperation
    records: tuple[Any, ...] = ()
    ids: tuple[str, ...] = ()
    count: int | None = None
    relationships: tuple[str, ...] = ()


WriteListener = Callable[[WriteEvent], None]

# (transport the listener is bound to, or None for every client; the listener)
_listeners: Listeners[tuple[object | None, WriteListener]] = Listeners()


def observing() -> bool:
    """Whether any write listener is registered (the clients' fast path when none is)."""
    return bool(_listeners)


def add_write_listener(listener: WriteListener, *, client: Any = None) -> Callable[[], None]:
    """Call ``listener(event)`` after each accepted write of ``client`` (an ``OnyxDatabase`` or
    ``AsyncOnyxDatabase``; its ``with_options`` views share its pool, so they count too), or of
    every client when ``client`` is ``None``. Returns the function that removes it.

    >>> seen = []
    >>> remove = add_write_listener(seen.append)
    >>> remove()
    """
    owner = None if client is None else getattr(client, "_transport", client)
    return _listeners.add((owner, listener))


def _count(answer: Any) -> int | None:
    if isinstance(answer, bool):
        return None
    if isinstance(answer, int):
        return answer
    if isinstance(answer, dict):
        for key in ("updated", "deleted", "count"):
            if isinstance(answer.get(key), int):
                return int(answer[key])
    return None


def _specs(value: str) -> list[str]:
    """The cascade specs of a ``relationships`` parameter (commas inside ``(...)`` kept).

    >>> _specs("userRoles:UserRole(userId, id),profile")
    ['userRoles:UserRole(userId, id)', 'profile']
    """
    specs: list[str] = []
    depth, start = 0, 0
    for index, char in enumerate(value):
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(0, depth - 1)
        elif char == "," and depth == 0:
            specs.append(value[start:index])
            start = index + 1
    specs.append(value[start:])
    return [spec.strip() for spec in specs if spec.strip()]


def describe_write(request: Request, answer: Any) -> WriteEvent | None:
    """The :class:`WriteEvent` of an accepted ``request`` (``None`` for a read).

    >>> from onyx_database._request import save_request
    >>> describe_write(save_request("db", "User", {"id": "u1"}), {"id": "u1"}).records
    ({'id': 'u1'},)
    """
    path = request.path
    if len(path) < 3 or path[0] != "data" or request.method == "GET" or path[2] == "document":
        return None  # documents are the data APIs' files, not table records
    relationships = tuple(
        spec for name, value in request.params if name == "relationships" for spec in _specs(value)
    )
    database_id = path[1]
    if path[2] == "query":
        if len(path) == 5 and path[3] in ("update", "delete"):
            operation: WriteOperation = "update_query" if path[3] == "update" else "delete_query"
            return WriteEvent(database_id, path[4], operation, count=_count(answer))
        return None
    table = path[2]
    if request.method == "DELETE" and len(path) == 4:
        return WriteEvent(database_id, table, "delete", ids=(path[3],), relationships=relationships)
    if len(path) == 3 and request.method in ("PUT", "POST"):
        body = answer if isinstance(answer, dict | list) else request.body
        records = tuple(body) if isinstance(body, list) else (body,)
        operation = "save" if request.method == "PUT" else "insert"
        return WriteEvent(database_id, table, operation, records, relationships=relationships)
    return None


def notify_write(transport: object, request: Request, answer: Any) -> None:
    """Hand the write ``request`` (answered with ``answer``) to the listeners of ``transport``
    (called by the clients after a successful exchange)."""
    listeners = [
        listener for owner, listener in _listeners.items if owner is None or owner is transport
    ]
    if not listeners:
        return
    event = describe_write(request, answer)
    if event is None:
        return
    for listener in listeners:
        listener(event)
