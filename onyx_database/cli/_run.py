"""Exit codes, the one-line error of a failed verb, and the wrapper that maps exceptions to both.

Exit codes (docs/codegen-and-cli.md):

* 0 — success
* 1 — a difference, an invalid schema or rejected records: ``gen --check`` found stale files,
  ``schema diff --exit-code`` found differences, ``schema validate``/``publish`` got validation
  errors, ``import`` had a chunk refused by the server
* 2 — usage or configuration error: bad flags, unreadable file, missing credentials
* 3 — the server answered with an error, or could not be reached
* 130 — interrupted (Ctrl-C)
"""

from __future__ import annotations

from collections.abc import Callable

from ._output import Output

EXIT_OK = 0
EXIT_DIFFERENT = 1
EXIT_USAGE = 2
EXIT_SERVER = 3
EXIT_INTERRUPTED = 130


class CommandError(Exception):
    """A failure reported as one line on stderr with an exit code.

    >>> CommandError("schema file not found: x.json").code
    2
    """

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.code = code


def one_line(exc: BaseException) -> str:
    """``exc`` as one line (multi-line server messages folded)."""
    return " ".join(str(exc).split()) or type(exc).__name__


def guarded(prog: str, out: Output, call: Callable[[], int]) -> int:
    """Run ``call`` (a verb); its failure becomes one line on ``out``'s stderr, prefixed with
    ``prog``, and an exit code.

    >>> import io
    >>> def missing() -> int:
    ...     raise CommandError("schema file not found: x.json")
    >>> err = io.StringIO()
    >>> guarded("onyx-py schema", Output(io.StringIO(), err), missing), err.getvalue()
    (2, 'onyx-py schema: schema file not found: x.json\\n')
    """
    from onyx_database import (
        OnyxConfigError,
        OnyxConnectionError,
        OnyxError,
        OnyxHTTPError,
        OnyxUsageError,
    )

    try:
        return call()
    except CommandError as exc:
        message = str(exc)
        out.error(message if message.startswith("onyx-py") else f"{prog}: {message}")
        return exc.code
    except (OnyxConfigError, OnyxUsageError) as exc:
        out.error(f"{prog}: configuration error: {one_line(exc)}")
        return EXIT_USAGE
    except (OnyxHTTPError, OnyxConnectionError) as exc:
        out.error(f"{prog}: server error: {one_line(exc)}")
        return EXIT_SERVER
    except OnyxError as exc:
        out.error(f"{prog}: {one_line(exc)}")
        return EXIT_SERVER
    except KeyboardInterrupt:
        out.error(f"{prog}: interrupted")
        return EXIT_INTERRUPTED
