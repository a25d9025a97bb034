"""The test app's models: an :class:`OnyxModel` declared as a developer would (no views, so
importing it needs no Onyx connection settings)."""

from __future__ import annotations

from datetime import UTC, datetime

from django.urls import reverse
from pydantic import Field

from onyx_django.models import OnyxModel


def _now() -> datetime:
    return datetime.now(UTC)


class Profile(OnyxModel):
    """The ``UserProfile`` table, as a developer would declare it."""

    id: str = Field(max_length=40)
    firstName: str
    lastName: str
    age: int | None = None
    bio: str | None = None
    userId: str = "u0"
    createdAt: datetime = Field(default_factory=_now)

    class Meta:
        db_table = "UserProfile"
        app_label = "people"
        ordering = ["id"]
        get_latest_by = "createdAt"

    def get_absolute_url(self) -> str:
        return reverse("person-detail", args=[self.pk])
