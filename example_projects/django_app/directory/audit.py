"""Every write of a team member through Django (pages, API, admin) leaves an ``AuditLog`` record.

Django's own ``post_save`` / ``post_delete`` signals fire for Onyx models as for SQL models; the
live page (``/live/``) shows the new ``AuditLog`` records as they are committed, through the
change stream.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import AuditLog, User


def record(action: str, user: User, **changes: Any) -> AuditLog:
    """Save one audit entry about ``user`` and return it."""
    return AuditLog.onyx.create(
        id=f"audit-{uuid.uuid4().hex[:12]}",
        action=action,
        resource="User",
        targetId=user.pk,
        status="ok",
        changes=changes or None,
        dateTime=datetime.now(UTC),
    )


@receiver(post_save, sender=User)
def _saved(sender: type[User], instance: User, created: bool, **kwargs: Any) -> None:
    record("CREATE" if created else "UPDATE", instance, username=instance.username)


@receiver(post_delete, sender=User)
def _deleted(sender: type[User], instance: User, **kwargs: Any) -> None:
    record("DELETE", instance, username=instance.username)
