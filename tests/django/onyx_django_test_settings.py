"""Django settings of tests/django (``DJANGO_SETTINGS_MODULE``, set by tests/django/conftest.py).

``ONYX`` is rewired to the session's Onyx Local by ``onyx_django.testing``'s
``onyx_django_settings`` fixture; the aliases here only carry their non-connection options.
"""

SECRET_KEY = "onyx-django-tests"
DEBUG = False
ALLOWED_HOSTS = ["testserver"]
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "onyx_django",
    # the Django admin beside Onyx tables (test_django_admin.py): SQL holds users, sessions,
    # content types, permissions and LogEntry; the Onyx models live in onyx_django_admin_app
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.admin",
    "onyx_django_admin_app.BackofficeConfig",
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
ROOT_URLCONF = "onyx_django_testapp"
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
USE_TZ = True

TEMPLATE_SOURCES = {
    "onyx/profile_list.html": (
        "{% for p in profile_list %}{{ p.id }},{% endfor %}"
        "|page={{ page_obj.number }}/{{ paginator.num_pages }}"
    ),
}
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "OPTIONS": {
            "loaders": [
                ("django.template.loaders.locmem.Loader", TEMPLATE_SOURCES),
                "django.template.loaders.app_directories.Loader",
            ],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

ONYX = {
    "default": {"retry_backoff_seconds": 0.01},
    "analytics": {"retry_backoff_seconds": 0.01, "request_timeout_seconds": 7.0},
}
STATIC_URL = "/static/"  # for django-debug-toolbar (test_django_debug_toolbar.py)
