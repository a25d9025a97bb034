"""The ``shell`` verb: an interactive Python shell with ``db`` connected."""

from __future__ import annotations

import code
import sys
from typing import Any

import onyx_database

from ._connect import ConfigSource, connect
from ._output import Output
from ._run import EXIT_OK

__all__ = ["shell"]


def shell(config: ConfigSource, out: Output, *, plain: bool = False) -> int:
    """Run IPython (when installed, unless ``plain``) or the standard interactive console with
    ``db`` (an :class:`~onyx_database.OnyxDatabase` for ``config``) and ``onyx_database`` in the
    namespace; ``db`` is closed when the shell exits. Reads standard input, so a piped script
    runs too: ``echo 'print(db.from_table("User").count())' | onyx-py shell``."""
    with connect(config) as db:
        namespace: dict[str, Any] = {"db": db, "onyx_database": onyx_database}
        banner = (
            f"onyx-py shell: `db` is connected to database {db.database_id} ({db.config.base_url})"
        )
        if not plain:
            try:
                from IPython import start_ipython
            except ImportError:
                pass
            else:
                out.error(banner)
                start_ipython(argv=["--no-banner"], user_ns=namespace)
                return EXIT_OK
        if sys.stdin.isatty():
            code.interact(banner=banner, local=namespace, exitmsg="")
            return EXIT_OK
        # A piped script: no prompts in its output, the banner on stderr.
        out.error(banner)
        prompts = {name: getattr(sys, name) for name in ("ps1", "ps2") if hasattr(sys, name)}
        sys.ps1 = sys.ps2 = ""
        try:
            code.InteractiveConsole(namespace).interact(banner="", exitmsg="")
        finally:
            for name in ("ps1", "ps2"):
                if name in prompts:
                    setattr(sys, name, prompts[name])
                else:
                    delattr(sys, name)
    return EXIT_OK
