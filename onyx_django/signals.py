"""Django signals sent for Onyx change-stream events (see :func:`onyx_django.listen`).

::

    from django.dispatch import receiver
    from onyx_django.signals import record_created

    @receiver(record_created, sender="User")      # or sender=User (the model class listened to)
    def welcome(sender, record, table, alias, action, **kwargs):
        ...

``sender`` is what was passed to ``listen()``: the table name or the model class. Keyword
arguments: ``record`` (a model instance, or a dict), ``table`` (the table name), ``alias`` (the
``settings.ONYX`` alias) and ``action`` (``"CREATE"``, ``"UPDATE"`` or ``"DELETE"``).
Receivers run in the stream's background thread, in event order, one at a time.
"""

from __future__ import annotations

from django.dispatch import Signal

__all__ = ["SIGNALS", "record_created", "record_deleted", "record_updated"]

record_created = Signal()
"""A record matching the listened query was inserted (``action="CREATE"``)."""

record_updated = Signal()
"""A record matching the listened query was updated and still matches (``action="UPDATE"``)."""

record_deleted = Signal()
"""A matching record was deleted, or updated so that it no longer matches (``action="DELETE"``)."""

SIGNALS: dict[str, Signal] = {
    "CREATE": record_created,
    "UPDATE": record_updated,
    "DELETE": record_deleted,
}
"""The signal sent for each stream action."""
