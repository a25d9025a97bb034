"""The directory's models: the generated ones (``onyx_models/``, written by ``manage.py
onyx_gen``) with defaults, ordering, ``__str__`` and URLs added by subclassing.

Regenerate after a schema change with::

    python manage.py onyx_gen --source file --schema ../onyx.schema.json --out directory/onyx_models
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.urls import reverse
from pydantic import Field

from onyx_django.models import relation

from . import onyx_models as generated


def now() -> datetime:
    return datetime.now(UTC)


def new_id(prefix: str) -> Any:
    return lambda: f"{prefix}-{uuid.uuid4().hex[:10]}"


class UserRole(generated.UserRole):
    """A role given to a user (the admin edits them inline on the user's page)."""

    id: str = Field(default_factory=new_id("grant"), max_length=40)
    createdAt: datetime = Field(default_factory=now)

    class Meta:
        ordering = ["id"]
        verbose_name = "role assignment"

    def __str__(self) -> str:
        return self.roleId or str(self.pk)


class User(generated.User):
    id: str = Field(default_factory=new_id("user"), max_length=40)
    isActive: bool = True
    createdAt: datetime = Field(default_factory=now)
    updatedAt: datetime = Field(default_factory=now)
    # saved with the user by the cascade userRoles:UserRole(userId, id) (an admin inline)
    userRoles: list[UserRole] | None = relation(cascade="UserRole(userId, id)")

    class Meta:
        ordering = ["username"]
        verbose_name = "member"

    def __str__(self) -> str:
        return self.username or str(self.pk)

    def get_absolute_url(self) -> str:
        return reverse("user-detail", args=[self.pk])


class Role(generated.Role):
    id: str = Field(default_factory=new_id("role"), max_length=40)
    isSystem: bool = False
    createdAt: datetime = Field(default_factory=now)
    updatedAt: datetime = Field(default_factory=now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name or str(self.pk)


class AuditLog(generated.AuditLog):
    class Meta:
        ordering = ["-dateTime"]
        get_latest_by = "dateTime"
        verbose_name = "audit entry"
        verbose_name_plural = "audit log"

    def __str__(self) -> str:
        return f"{self.action} {self.resource} {self.targetId}"


UserProfile = generated.UserProfile


@receiver(pre_save, sender=User)
def touch(sender: type[User], instance: User, update_fields: Any = None, **kwargs: Any) -> None:
    """Every full save of a user (``save()``, or the admin's save with its roles) bumps
    ``updatedAt``; a save of chosen fields leaves it alone."""
    if update_fields is None:
        instance.updatedAt = now()
