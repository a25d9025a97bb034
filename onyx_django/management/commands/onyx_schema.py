"""``manage.py onyx_schema``: the schema verbs with an alias's config.

``python manage.py onyx_schema diff onyx.schema.json --exit-code --database analytics``
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onyx_database import ResolvedConfig, cli
from onyx_database.cli import Output

from ..._connections import DEFAULT_ALIAS
from .._onyx_py import alias_config, run_verb

_FLAGS = ("print", "json", "exit_code", "no_validate", "no_verify")
_ALLOWED = {
    "get": {"print"},
    "publish": {"no_validate"},
    "validate": set(),
    "diff": {"json", "exit_code"},
    "info": {"no_verify"},
    "history": set(),
}
DEFAULT_FILE = "onyx.schema.json"


def _verb(command: str, options: dict[str, Any], config: ResolvedConfig, out: Output) -> int:
    file: str = options["file"] or DEFAULT_FILE
    if command == "get":
        return cli.schema_get(config, out, file=options["file"], print_only=options["print"])
    if command == "publish":
        return cli.schema_publish(config, out, file=file, validate=not options["no_validate"])
    if command == "validate":
        return cli.schema_validate(config, out, file=file)
    if command == "diff":
        return cli.schema_diff(
            config,
            out,
            file=file,
            format="json" if options["json"] else "table",
            exit_code=options["exit_code"],
        )
    if command == "info":
        return cli.schema_info(config, out, verify=not options["no_verify"])
    return cli.schema_history(config, out)


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
        for flag in _FLAGS:
            if options[flag] and flag not in _ALLOWED[command]:
                name = flag.replace("_", "-")
                raise CommandError(f"--{name} does not apply to 'onyx_schema {command}'")
        config = alias_config(options["database"])
        run_verb(
            f"onyx_schema {command}",
            self.stdout,
            self.stderr,
            lambda out: _verb(command, options, config, out),
        )
