"""``manage.py onyx_schema``: ``onyx-py schema`` with an alias's config.

``python manage.py onyx_schema diff onyx.schema.json --exit-code --database analytics``
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onyx_database.codegen import main_schema

from ..._connections import DEFAULT_ALIAS
from .._onyx_py import run_onyx_py

_FLAGS = ("print", "json", "exit_code", "no_validate", "no_verify")
_ALLOWED = {
    "get": {"print"},
    "publish": {"no_validate"},
    "validate": set(),
    "diff": {"json", "exit_code"},
    "info": {"no_verify"},
    "history": set(),
}


class Command(BaseCommand):
    help = "Get, diff, validate or publish the Onyx schema (onyx-py schema)."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("command", choices=sorted(_ALLOWED))
        parser.add_argument("file", nargs="?", help="schema file (default ./onyx.schema.json)")
        parser.add_argument("--database", default=DEFAULT_ALIAS, help="settings.ONYX alias")
        parser.add_argument("--print", action="store_true", help="get: print, write nothing")
        parser.add_argument("--json", action="store_true", help="diff: machine-readable")
        parser.add_argument("--exit-code", action="store_true", help="diff: exit 1 on changes")
        parser.add_argument("--no-validate", action="store_true", help="publish: skip validate")
        parser.add_argument("--no-verify", action="store_true", help="info: do not connect")

    def handle(self, *args: Any, **options: Any) -> None:
        command: str = options["command"]
        argv = [command]
        if options["file"] and command != "info" and command != "history":
            argv.append(options["file"])
        for flag in _FLAGS:
            if options[flag]:
                if flag not in _ALLOWED[command]:
                    name = flag.replace("_", "-")
                    raise CommandError(f"--{name} does not apply to 'onyx_schema {command}'")
                argv.append("--" + flag.replace("_", "-"))
        run_onyx_py(main_schema, argv, options["database"], self.stdout, self.stderr)
