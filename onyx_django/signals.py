"""Django signals of Onyx writes that Django's model signals do not cover, and of change-stream
events (see :func:`onyx_django.listen`).

Model instances and single-record manager writes (``save``, ``delete``, ``create``,
``get_or_create``, ``update_or_create``, ``QuerySet.delete`` per row) send Django's own
``pre_save`` / ``post_save`` / ``pre_delete`` / ``post_delete`` with the model class as sender.
The bulk paths send no per-row signals, as in Django, but one of these, so that every write path
is observable::

    from django.dispatch import receiver
    from onyx_django.signals import bulk_created

    @receiver(bulk_created, sender=Profile)
    def index(sender, instances, using, **kwargs):
        ...

- ``bulk_created``: after ``bulk_create()``; ``instances`` (the list saved), ``using``.
- ``bulk_updated``: after ``bulk_update()``; ``instances``, ``fields`` (the field names), ``using``.
- ``queryset_updated``: after ``QuerySet.update()``; ``values`` (the dict set), ``count``,
  ``using``.
- ``queryset_deleted``: after ``QuerySet.delete()`` (and its per-row ``post_delete``); ``count``,
  ``using``.

Change-stream signals:

::

    from django.dispatch import receiver
    from onyx_django.signals import record_created

    @receiver(record_created, sender="User")      # or sender=User (the model class listened to)
    def welcome(sender, record, table, alias, action, **kwargs):
        ...

``sender`` is the model class when ``listen()`` was given one or when an :class:`OnyxModel`
subclass is declared for the table, else the table name. Keyword
arguments: ``record`` (a model instance, or a dict), ``table`` (the table name), ``alias`` (the
``settings.ONYX`` alias) and ``action`` (``"CREATE"``, ``"UPDATE"`` or ``"DELETE"``).
Receivers run in the stream's background thread, in event order, one at a time.
"""

from __future__ import annotations

from django.dispatch import Signal

__all__ = [
    "SIGNALS",
    "bulk_created",
    "bulk_updated",
    "queryset_deleted",
    "queryset_updated",
    "record_created",
    "record_deleted",
    "record_updated",
]

bulk_created = Signal()
"""``bulk_create()`` saved ``instances`` (``sender`` is the model, ``using`` the alias)."""

bulk_updated = Signal()
"""``bulk_update()`` saved ``fields`` of ``instances`` (``sender`` is the model)."""

queryset_updated = Signal()
"""``QuerySet.update(**values)`` changed ``count`` records (``sender`` is the model)."""

queryset_deleted = Signal()
"""``QuerySet.delete()`` removed ``count`` records, after their ``post_delete`` signals."""

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
