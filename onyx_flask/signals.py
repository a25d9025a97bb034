"""Blinker signals of the Onyx Flask extension: the change-stream bridge's ``record_*`` signals,
``records_written`` for each of the app's own writes and ``models_committed`` for all the writes
of one app context.

:meth:`Onyx.listen <onyx_flask.Onyx.listen>` (and ``flask onyx listen``) subscribes to an
Onyx live query and sends one of these signals per change, inside an app context, with the Flask
app as the sender and the keyword arguments ``record`` (the entity: a dict, or a model instance
for a model class), ``table`` (the table name) and ``action`` (``"CREATE"``, ``"UPDATE"`` or
``"DELETE"``)::

    from onyx_flask.signals import record_created

    @record_created.connect_via(app)
    def welcome(sender, record, table, action, **extra):
        ...

Receivers run in the stream's background thread, one at a time, in commit order. A receiver
that raises stops the stream (the error is logged on ``app.logger``).
"""

from __future__ import annotations

from blinker import Namespace

__all__ = [
    "models_committed",
    "onyx_signals",
    "record_created",
    "record_deleted",
    "record_updated",
    "records_written",
]

onyx_signals = Namespace()
"""The namespace of the signals below (separate from blinker's default namespace)."""

record_created = onyx_signals.signal(
    "record-created", doc="A record was created (a ``CREATE`` event of a live stream)."
)
record_updated = onyx_signals.signal(
    "record-updated", doc="A record that matches the query was updated (``UPDATE``)."
)
record_deleted = onyx_signals.signal(
    "record-deleted",
    doc="A record was deleted, or updated so that it no longer matches the query (``DELETE``).",
)

records_written = onyx_signals.signal(
    "records-written",
    doc="""A write through the extension's client was accepted (in process, after the answer).

    Sent in the thread that wrote, before the write call returns, with the app as sender and
    ``table``, ``operation`` (``"save"``, ``"insert"``, ``"delete"``, ``"update_query"``,
    ``"delete_query"``), ``records`` (wire dicts the server answered, for saves and inserts),
    ``ids`` (for a delete), ``count`` (for query updates/deletes), ``relationships`` (cascade
    specs) and ``bind``. Flask-SQLAlchemy's ``models_committed`` for Onyx.""",
)

models_committed = onyx_signals.signal(
    "models-committed",
    doc="""All the writes through the extension's clients (any bind) during one app context, sent
    once when that context tears down, if it wrote anything.

    Sent with the app as sender and ``changes`` (a list of :class:`onyx_flask.Change`, in write
    order) and ``exception`` (the exception the app context is torn down with, else ``None``:
    Onyx has no transactions, so the writes are durable even when the request failed). Writes
    are collected only while the signal has a receiver for the app; writes outside an app
    context of that app (a background thread without one) are not batched, ``records_written``
    covers them. A receiver's exception propagates, like a ``teardown_appcontext`` function's.
    Flask-SQLAlchemy's ``models_committed`` for Onyx.

    >>> from flask import Flask
    >>> app = Flask("doc")
    >>> batches = []
    >>> @models_committed.connect_via(app)
    ... def audit(sender, changes, exception, **extra):
    ...     batches.append([(change.operation, change.table) for change in changes])
    >>> with app.app_context():
    ...     pass  # no writes: no signal
    >>> batches
    []
    >>> models_committed.disconnect(audit)
    """,
)
