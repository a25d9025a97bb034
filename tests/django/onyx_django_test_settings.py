"""Django settings of tests/django (``DJANGO_SETTINGS_MODULE``, set by tests/django/conftest.py).

``ONYX`` is rewired to the session's Onyx Local by ``onyx_django.testing``'s
``onyx_django_settings`` fixture; the aliases here only carry their non-connection options.
"""

SECRET_KEY = "onyx-django-tests"
DEBUG = False
ALLOWED_HOSTS = ["testserver"]
INSTALLED_APPS = ["django.contrib.contenttypes", "onyx_django"]
DATABASES: dict[str, dict[str, str]] = {}
ROOT_URLCONF = "onyx_django_testapp"
MIDDLEWARE: list[str] = []
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
        "OPTIONS": {"loaders": [("django.template.loaders.locmem.Loader", TEMPLATE_SOURCES)]},
    }
]

ONYX = {
    "default": {"retry_backoff_seconds": 0.01},
    "analytics": {"retry_backoff_seconds": 0.01, "request_timeout_seconds": 7.0},
}
