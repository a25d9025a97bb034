"""``manage.py onyx_gen``: ``onyx-py gen`` with an alias's config, generating Django-style models.

``python manage.py onyx_gen --database default --out people/onyx_models [--check]``

The models are :class:`onyx_django.models.OnyxModel` subclasses (``--target pydantic`` for plain
pydantic ones): written into a package of an installed app, they are that app's models, ready
for ``Profile.onyx.filter(...)``, generic views, ``ModelForm``, DRF and django-filter.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from onyx_database.codegen import main_gen

from ..._connections import DEFAULT_ALIAS
from .._onyx_py import run_onyx_py


class Command(BaseCommand):
    help = "Generate Django-style models (onyx_django OnyxModel) from the Onyx schema."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--database", default=DEFAULT_ALIAS, help="settings.ONYX alias")
        parser.add_argument("--source", choices=("auto", "api", "file"), default="auto")
        parser.add_argument("--schema", metavar="PATH", help="schema file")
        parser.add_argument("--out", "-o", metavar="DIR", help="package directory to write")
        parser.add_argument("--tables", metavar="A,B", help="only these tables")
        parser.add_argument(
            "--target",
            choices=("django", "pydantic"),
            default="django",
            help="django (default): OnyxModel subclasses; pydantic: plain pydantic models",
        )
        parser.add_argument("--check", action="store_true", help="exit 1 when files are stale")

    def handle(self, *args: Any, **options: Any) -> None:
        argv = ["--source", options["source"], "--target", options["target"]]
        for flag in ("schema", "out", "tables"):
            if options[flag]:
                argv += [f"--{flag}", str(options[flag])]
        if options["check"]:
            argv.append("--check")
        if options["verbosity"] == 0:
            argv.append("--quiet")
        run_onyx_py(main_gen, argv, options["database"], self.stdout, self.stderr)
