"""The Django app: ``INSTALLED_APPS = [..., "onyx_django"]``."""

from __future__ import annotations

from django.apps import AppConfig
from django.core.signals import request_finished
from django.test.signals import setting_changed


class OnyxConfig(AppConfig):
    """Registers the system checks and the per-request client release. No network I/O here."""

    name = "onyx_django"
    label = "onyx_django"
    verbose_name = "Onyx Database"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the checks)
        from ._connections import connections

        request_finished.connect(connections.release_views, dispatch_uid="onyx_django.release")
        setting_changed.connect(connections.setting_changed, dispatch_uid="onyx_django.settings")
