"""Settings of the team directory example.

Onyx: ``ONYX["default"]`` reads the credentials file Onyx Local writes into its data directory
(``ONYX_CONFIG_PATH``, else ``.onyx-local/onyx-database.json`` next to ``manage.py``); anything
it leaves out comes from the ``ONYX_DATABASE_*`` environment variables. ``python3
scripts/demo.py`` (repository root) starts Onyx Local and sets ``ONYX_CONFIG_PATH`` for you.

SQL (SQLite) holds only what Django itself keeps: users of the admin, sessions, permissions and
the admin's history. Every team record lives in Onyx.
"""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
STATE_DIR = Path(os.environ.get("TEAMDIR_STATE_DIR", BASE_DIR / ".onyx-local"))

# A development key: set DJANGO_SECRET_KEY for anything reachable from another machine.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "teamdir-example-not-for-production")
DEBUG = os.environ.get("DJANGO_DEBUG", "1") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "onyx_django",
    "directory",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "teamdir.urls"
WSGI_APPLICATION = "teamdir.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("TEAMDIR_SQLITE", str(STATE_DIR / "django.sqlite3")),
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

ONYX = {
    "default": {
        "config_path": os.environ.get("ONYX_CONFIG_PATH", str(STATE_DIR / "onyx-database.json")),
    },
}

REST_FRAMEWORK = {
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 10,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    # The example API is open for reading and writing on 127.0.0.1; add authentication
    # and permissions before exposing it.
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
# The stylesheet and live-page script both examples share (served by runserver under DEBUG).
STATICFILES_DIRS = [BASE_DIR.parent / "static"]
LOGIN_URL = "admin:login"
