"""Runs documentation blocks: in this process (:func:`run`), or in a Django project in a child
process (``python -m snippet_runner``), since Django is configured once per process and
tests/django configures the test process when the whole suite runs.

The child reads one JSON request a line on stdin (``{"code", "cwd"}``), runs the block in the
namespace of the ``people.models`` module (the models the blocks declare belong to the ``people``
app), and answers one JSON line (``{"error": traceback or null}``). Its settings point every
``settings.ONYX`` alias at ``ONYX_CONFIG_PATH`` (the page's Onyx Local).
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


def configure_django() -> None:
    import django
    from django.conf import settings

    alias = {"config_path": os.environ["ONYX_CONFIG_PATH"]}
    settings.configure(
        INSTALLED_APPS=[
            "django.contrib.contenttypes",
            "django.contrib.auth",
            "rest_framework",
            "django_filters",
            "onyx_django",
            "people",
        ],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
        DEFAULT_AUTO_FIELD="django.db.models.AutoField",
        ONYX={"default": alias, "analytics": alias},
        ROOT_URLCONF="people.models",  # the urlpatterns a block declares
        USE_TZ=True,
    )
    django.setup()


def serve() -> None:
    protocol = os.fdopen(os.dup(sys.stdout.fileno()), "w")
    sys.stdout = sys.stderr  # what the blocks print stays off the protocol
    configure_django()
    import types

    module = types.ModuleType("people.models")
    sys.modules["people.models"] = module
    namespace = module.__dict__
    for line in sys.stdin:
        request = json.loads(line)
        os.chdir(request["cwd"])
        sys.path.insert(0, request["cwd"])
        try:
            run(request["code"], namespace)
            error = None
        except BaseException:
            error = traceback.format_exc()
        finally:
            sys.path.remove(request["cwd"])
        protocol.write(json.dumps({"error": error}) + "\n")
        protocol.flush()
    os._exit(0)  # a block's background threads (listen()) do not keep the worker alive


if __name__ == "__main__":
    serve()
