"""``listen()``: a live Onyx change stream whose events are sent as Django signals."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from django.db.models import Q

from onyx_database import ChangeBridge, Condition, ReconnectPolicy, table_name

from ._connections import DEFAULT_ALIAS, connections
from ._lookups import condition_for_kwargs, condition_for_q
from ._meta import model_for_table
from .signals import SIGNALS

__all__ = ["listen"]

logger = logging.getLogger("onyx_django")

Where = Condition | Q | Mapping[str, Any] | None
EventCallback = Callable[[str, Any], object]
ErrorCallback = Callable[[BaseException], object]


def _condition(where: Where) -> Condition | None:
    if where is None or isinstance(where, Condition):
        return where
    if isinstance(where, Q):
        return condition_for_q(where)
    if isinstance(where, Mapping):
        return condition_for_kwargs(where)
    raise TypeError(
        f"where must be an Onyx condition, a Q or a dict of lookups, got {type(where).__name__}"
    )


def listen(
    table_or_model: str | type[Any],
    *,
    alias: str = DEFAULT_ALIAS,
    where: Where = None,
    on_event: EventCallback | None = None,
    on_error: ErrorCallback | None = None,
    reconnect: ReconnectPolicy | None = None,
) -> ChangeBridge:
    """Start a :class:`~onyx_database.ChangeBridge` on ``table_or_model`` that sends
    ``record_created`` / ``record_updated`` / ``record_deleted`` (:mod:`onyx_django.signals`)
    for each change, **at least once** across disconnects::

        bridge = listen(User, where={"isActive": True})     # or listen("User", alias="analytics")
        ...
        bridge.cancel()

    ``sender`` of the signals is the model class when one is given or when an
    :class:`~onyx_django.models.OnyxModel` is declared for the table (the last declared), else
    the table name; records are then model instances (a ``DELETE`` that carries only the key
    stays a dict). ``where`` is an Onyx condition, a ``Q`` or a dict of ``filter()`` lookups.
    Receivers run in the bridge's thread; one that raises is logged on the ``onyx_django``
    logger and does not stop the bridge. ``on_event(action, record)`` is called after the
    signal. Changes committed while the stream was disconnected (server restart, network cut,
    a stream overflow when receivers fell behind) are sent after it reconnects: the bridge
    re-reads the query and sends what changed (see :class:`~onyx_database.ChangeBridge`).
    Errors that stop it (auth, unknown table, invalid query) are logged on ``onyx_django``,
    passed to ``on_error`` and kept in ``bridge.error``.
    """
    table = table_name(table_or_model)
    model = table_or_model if isinstance(table_or_model, type) else model_for_table(table)
    sender: str | type[Any] = model if model is not None else table
    condition = _condition(where)

    def deliver(action: str, record: Any) -> None:
        results = SIGNALS[action].send_robust(
            sender=sender, record=record, table=table, alias=alias, action=action
        )
        for receiver, result in results:
            if isinstance(result, BaseException):
                logger.error(
                    "onyx_django: receiver %r of %s on %s failed",
                    receiver,
                    action,
                    table,
                    exc_info=result,
                )
        if on_event is not None:
            on_event(action, record)

    def error(exc: BaseException) -> None:
        logger.error("onyx_django: stream on %s (alias %r) stopped: %s", table, alias, exc)
        if on_error is not None:
            on_error(exc)

    query = connections.pool(alias).from_table(sender)
    if condition is not None:
        query = query.where(condition)
    key = getattr(model, "__onyx_identifier__", None) or "id"
    bridge = ChangeBridge(
        query,
        deliver,
        key=key,
        on_error=error,
        reconnect=reconnect,
        name=f"onyx-django-{table}",
    )
    return bridge.start()
