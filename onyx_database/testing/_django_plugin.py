"""The ``onyx_django`` pytest plugin entry point: the fixtures of :mod:`onyx_django.testing`,
registered only when Django is installed (so projects without Django run pytest unaffected)."""

from __future__ import annotations

import importlib.util

if importlib.util.find_spec("django") is not None:
    from onyx_django.testing import (
        _django_onyx_blocker,
        django_assert_max_num_onyx_requests,
        django_assert_num_onyx_requests,
        django_onyx,
        onyx_django_settings,
        pytest_configure,
    )

    __all__ = [
        "_django_onyx_blocker",
        "django_assert_max_num_onyx_requests",
        "django_assert_num_onyx_requests",
        "django_onyx",
        "onyx_django_settings",
        "pytest_configure",
    ]
