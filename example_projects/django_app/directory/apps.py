"""The directory app: Onyx models of the example schema, pages, API and admin."""

from __future__ import annotations

from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "directory"
    verbose_name = "Team directory"

    def ready(self) -> None:
        from . import audit  # noqa: F401  (connects the audit receivers)
