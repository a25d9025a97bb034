"""The ``onyx-py`` verbs as plain functions, and the typer app that calls them.

Each verb takes a configuration (a :class:`~onyx_database.ResolvedConfig`, or a function
resolving one when first needed: :data:`ConfigSource`), an :class:`Output` and typed keyword
options, and returns an exit code; it raises on failure, and :func:`guarded` turns that into
one line on stderr and the code. ``manage.py onyx_*`` and ``flask onyx ...`` call them with the
framework's settings::

    from onyx_database.cli import Output, guarded, schema_get

    code = guarded("onyx-py schema", Output(), lambda out: schema_get(config, out, print_only=True))

>>> from onyx_database import ResolvedConfig
>>> import io
>>> config = ResolvedConfig(database_id="db1", api_key="key-123456", api_secret="s3cr3t")
>>> out = Output(io.StringIO(), io.StringIO())
>>> schema_info(config, out, verify=False)
0
>>> "s3cr3t" in out.stdout.getvalue(), "[REDACTED]" in out.stdout.getvalue()
(False, True)
"""

from ._app import build_app, version
from ._connect import ConfigSource, connect, layered, resolved
from ._formats import FileFormat, RecordWriter, read_records
from ._gen import gen
from ._listen import listen
from ._local import LocalDefaults, config_file_of, local_command, local_defaults
from ._output import Output
from ._run import (
    EXIT_DIFFERENT,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_SERVER,
    EXIT_USAGE,
    CommandError,
    guarded,
)
from ._schema import (
    schema_diff,
    schema_get,
    schema_history,
    schema_info,
    schema_publish,
    schema_validate,
)
from ._shell import shell
from ._transfer import ImportSummary, checkpoint_path, export_table, import_table

__all__ = [
    "EXIT_DIFFERENT",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_SERVER",
    "EXIT_USAGE",
    "CommandError",
    "ConfigSource",
    "FileFormat",
    "ImportSummary",
    "LocalDefaults",
    "Output",
    "RecordWriter",
    "build_app",
    "checkpoint_path",
    "config_file_of",
    "connect",
    "export_table",
    "gen",
    "guarded",
    "import_table",
    "layered",
    "listen",
    "local_command",
    "local_defaults",
    "read_records",
    "resolved",
    "schema_diff",
    "schema_get",
    "schema_history",
    "schema_info",
    "schema_publish",
    "schema_validate",
    "shell",
    "version",
]
