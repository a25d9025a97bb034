"""``manage.py onyx_gen``: the ``gen`` verb with an alias's config, generating Django-style models.

``python manage.py onyx_gen --database default --out people/onyx_models [--check]``

The models are :class:`onyx_django.models.OnyxModel` subclasses (``--target pydantic`` for plain
pydantic ones): written into a package of an installed app, they are that app's models, ready
for ``Profile.onyx.filter(...)``, generic views, ``ModelForm``, DRF and django-filter.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from onyx_database.cli import gen

from ..._connections import DEFAULT_ALIAS
from .._onyx_py import alias_config, run_verb


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
        alias: str = options["database"]
        run_verb(
            "onyx_gen",
            self.stdout,
            self.stderr,
            lambda out: gen(
                lambda: alias_config(alias),
                out,
                source=options["source"],
                schema=options["schema"],
                outs=[options["out"]] if options["out"] else [],
                tables=[options["tables"]] if options["tables"] else None,
                target=options["target"],
                check=options["check"],
                quiet=options["verbosity"] == 0,
            ),
        )
