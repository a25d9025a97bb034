"""Per-app-context batches of the writes made through the extension's clients, sent as one
:data:`~onyx_flask.signals.models_committed` signal when the app context tears down.

The batch lives on the app context's ``flask.g`` (every pushed app context has its own), so
nested or manually pushed contexts batch separately, and a thread that has no app context (or
another app's) never adds to it. Nothing is collected while ``models_committed`` has no receiver
for the app.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Literal

from flask import Flask, current_app, g, has_app_context

from onyx_database import WriteEvent

from .signals import models_committed

__all__ = ["Change"]

_G_CHANGES = "_onyx_changes"
_SENDING = "sending"  # the batch was taken: writes of models_committed receivers are not batched


@dataclass(frozen=True, slots=True)
class Change:
    """One write of a :data:`~onyx_flask.signals.models_committed` batch: the same facts as the
    keyword arguments of :data:`~onyx_flask.signals.records_written`, frozen.

    ``operation`` is ``"save"``, ``"insert"``, ``"delete"``, ``"update_query"`` or
    ``"delete_query"``; ``records`` are the records the server answered (wire dicts) for saves
    and inserts, ``ids`` the deleted primary key of a delete, ``count`` how many records a query
    update/delete touched, ``relationships`` the cascade specs, ``bind`` the bind key (``None``
    for the default database).

    >>> change = Change("User", "save", records=({"id": "u001"},))
    >>> [record["id"] for record in change.records], change.ids, change.bind
    (['u001'], (), None)
    >>> Change("User", "delete", ids=("u002",), bind="analytics")
    Change(table='User', operation='delete', records=(), ids=('u002',), count=None, relationships=(), bind='analytics')
    """  # noqa: E501

    table: str
    operation: Literal["save", "insert", "delete", "update_query", "delete_query"]
    records: tuple[dict[str, Any], ...] = ()
    ids: tuple[str, ...] = ()
    count: int | None = None
    relationships: tuple[str, ...] = ()
    bind: str | None = None

    @classmethod
    def of(cls, event: WriteEvent, bind: str | None) -> Change:
        """The change of a core :class:`~onyx_database.WriteEvent` on ``bind``."""
        return cls(
            table=event.table,
            operation=event.operation,
            records=tuple(event.records),
            ids=tuple(event.ids),
            count=event.count,
            relationships=tuple(event.relationships),
            bind=bind,
        )

    def signal_kwargs(self) -> dict[str, Any]:
        """The keyword arguments of ``records_written`` (lists where this holds tuples)."""
        values = {field.name: getattr(self, field.name) for field in fields(self)}
        return {k: list(v) if isinstance(v, tuple) else v for k, v in values.items()}


def collect(app: Flask, change: Change) -> None:
    """Add ``change`` (a write of ``app``'s client) to the current app context's batch, when
    that context is ``app``'s and ``models_committed`` has a receiver for it."""
    if not models_committed.receivers or not has_app_context():
        return
    if current_app._get_current_object() is not app:  # type: ignore[attr-defined]
        return
    if not models_committed.has_receivers_for(app):
        return
    changes = g.setdefault(_G_CHANGES, [])
    if isinstance(changes, list):
        changes.append(change)


def send(app: Flask, exc: BaseException | None) -> None:
    """At app-context teardown: send ``models_committed`` once if the context wrote anything.

    An exception a receiver raises propagates, like any ``teardown_appcontext`` function's."""
    changes = g.get(_G_CHANGES)
    if not isinstance(changes, list):
        return
    setattr(g, _G_CHANGES, _SENDING)
    try:
        if changes:
            models_committed.send(app, changes=list(changes), exception=exc)
    finally:
        g.pop(_G_CHANGES, None)
