"""Runs documentation blocks: in this process (:func:`run`), or in a Django project in a child
process (``python -m snippet_runner``), since Django is configured once per process and
tests/django configures the test process when the whole suite runs.

``python -m snippet_runner APP`` reads one JSON request a line on stdin (``{"code", "cwd"}``),
runs the block in the namespace of the ``APP.models`` module (the models the blocks declare belong
to the app ``APP``: ``people`` for docs/django.md, ``backoffice`` for docs/admin.md), and answers
one JSON line (``{"error": traceback or null}``). Its settings point every ``settings.ONYX``
alias at ``ONYX_CONFIG_PATH`` (the page's Onyx Local); its SQL database (users, permissions) is
migrated in memory.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import json
import os
import sys
import traceback
from typing import Any


def run(code: str, namespace: dict[str, Any]) -> None:
    """Run ``code`` in ``namespace``; top-level ``await`` runs in an event loop."""
    compiled = compile(  # not inheriting this module's `from __future__ import annotations`
        code, "<snippet>", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True
    )
    if compiled.co_flags & inspect.CO_COROUTINE:
        asyncio.run(eval(compiled, namespace))  # noqa: S307 (our own documentation's code)
    else:
        exec(compiled, namespace)  # noqa: S102


def configure_django(app: str) -> None:
    import django
    from django.conf import settings
    from django.core.management import call_command

    alias = {"config_path": os.environ["ONYX_CONFIG_PATH"]}
    settings.configure(
        INSTALLED_APPS=[
            "django.contrib.contenttypes",
            "django.contrib.auth",
            "django.contrib.sessions",
            "django.contrib.messages",
            "django.contrib.admin",
            "rest_framework",
            "django_filters",
            "onyx_django",
            app,
        ],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
        DEFAULT_AUTO_FIELD="django.db.models.AutoField",
        ONYX={"default": alias, "analytics": alias},
        ROOT_URLCONF=f"{app}.models",  # the urlpatterns a block declares
        USE_TZ=True,
        SECRET_KEY="snippets",
        MIDDLEWARE=[
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
            "django.contrib.messages.middleware.MessageMiddleware",
        ],
        TEMPLATES=[
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "APP_DIRS": True,
                "OPTIONS": {
                    "context_processors": [
                        "django.template.context_processors.request",
                        "django.contrib.auth.context_processors.auth",
                        "django.contrib.messages.context_processors.messages",
                    ]
                },
            }
        ],
    )
    django.setup()
    call_command("migrate", verbosity=0)


def system_check_errors() -> str | None:
    """Django's system check errors (admin registrations, model fields...) after a block."""
    from django.core import checks

    errors = [str(m) for m in checks.run_checks() if m.level >= checks.ERROR]
    return "\n".join(errors) or None


def serve(app: str) -> None:
    protocol = os.fdopen(os.dup(sys.stdout.fileno()), "w")
    sys.stdout = sys.stderr  # what the blocks print stays off the protocol
    configure_django(app)
    import types

    module = types.ModuleType(f"{app}.models")
    module.__package__ = app  # a block's `from .models import ...`
    module.urlpatterns = []  # type: ignore[attr-defined]  # until a block declares its own
    sys.modules[module.__name__] = module
    namespace = module.__dict__
    for line in sys.stdin:
        request = json.loads(line)
        os.chdir(request["cwd"])
        sys.path.insert(0, request["cwd"])
        try:
            run(request["code"], namespace)
            error = system_check_errors()
        except BaseException:
            error = traceback.format_exc()
        finally:
            sys.path.remove(request["cwd"])
        protocol.write(json.dumps({"error": error}) + "\n")
        protocol.flush()
    os._exit(0)  # a block's background threads (listen()) do not keep the worker alive


if __name__ == "__main__":
    serve(sys.argv[1])
