"""The data directory: owner-only permissions, one server at a time, credentials never replaced.

The directory is 0700 and every file Onyx Local creates in it is 0600 (SQLite gives its ``-wal``
and ``-shm`` files the database file's mode, so creating that file 0600 first covers them). An
advisory lock (``flock``) on ``onyx-local.lock`` is held while a server runs; the file records
the holder's pid and URL so a second server can say who has it.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import IO, Any

__all__ = [
    "LOCK_FILE",
    "CredentialsUnreadable",
    "DataDirInUse",
    "DataDirLock",
    "prepare_dir",
    "private_file",
    "read_credentials",
]

LOCK_FILE = "onyx-local.lock"
_CREDENTIAL_KEYS = ("databaseId", "apiKey", "apiSecret")


class DataDirInUse(RuntimeError):
    """Another Onyx Local holds the data directory."""


class CredentialsUnreadable(ValueError):
    """The credentials file exists but cannot be used; it is left untouched."""


def prepare_dir(path: Path) -> None:
    """Create the data directory 0700 (and tighten an existing one to 0700)."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path, 0o700)


def private_file(path: Path) -> None:
    """Create ``path`` empty with mode 0600 unless it exists; make an existing one 0600."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


def read_credentials(path: Path) -> dict[str, str] | None:
    """The stored ``databaseId``, ``apiKey`` and ``apiSecret``; ``None`` when there is no file.

    A file that cannot be read, is not JSON, or lacks one of them raises
    :class:`CredentialsUnreadable`: generating new ones over it would lock out every client
    that holds the old ones, so the server stops instead.
    """
    remedy = (
        "it was left untouched. Restore it from a backup, or move it away to start with new"
        " credentials (clients holding the old ones will then get 401)"
    )
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or type(error).__name__
        message = f"cannot read credentials file {path} ({reason}); {remedy}"
        raise CredentialsUnreadable(message) from None
    try:
        loaded: Any = json.loads(text)
    except ValueError:
        raise CredentialsUnreadable(
            f"credentials file {path} is not valid JSON (corrupt or truncated); {remedy}"
        ) from None
    if not isinstance(loaded, dict):
        raise CredentialsUnreadable(
            f"credentials file {path} does not hold a JSON object; {remedy}"
        )
    missing = [k for k in _CREDENTIAL_KEYS if not isinstance(loaded.get(k), str) or not loaded[k]]
    if missing:
        raise CredentialsUnreadable(f"credentials file {path} lacks {', '.join(missing)}; {remedy}")
    return {key: str(loaded[key]) for key in _CREDENTIAL_KEYS}


class DataDirLock:
    """The exclusive lock a running server holds on its data directory."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / LOCK_FILE
        self._handle: IO[str] | None = None

    def acquire(self) -> None:
        """Take the lock, or raise :class:`DataDirInUse` naming the server that holds it."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        os.chmod(self.path, 0o600)
        handle = os.fdopen(fd, "r+", encoding="utf-8")
        if sys.platform != "win32":
            import fcntl

            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = self._holder(handle)
                handle.close()
                raise DataDirInUse(
                    f"data directory {self.path.parent} is in use by another Onyx Local"
                    f" ({holder}); stop it or choose another data directory"
                ) from None
        self._handle = handle

    @staticmethod
    def _holder(handle: IO[str]) -> str:
        try:
            handle.seek(0)
            info = json.loads(handle.read() or "{}")
        except (OSError, ValueError):
            info = {}
        if not isinstance(info, dict) or "pid" not in info:
            return "pid unknown: it is still starting"
        return f"pid {info.get('pid')}, {info.get('url')}"

    def record(self, url: str) -> None:
        """Write this process's pid and URL into the lock file for a second server to report."""
        if self._handle is None:
            return
        self._handle.seek(0)
        self._handle.truncate()
        self._handle.write(json.dumps({"pid": os.getpid(), "url": url}) + "\n")
        self._handle.flush()

    def release(self) -> None:
        if self._handle is None:
            return
        try:
            self._handle.seek(0)
            self._handle.truncate()
        finally:
            self._handle.close()  # closing the descriptor drops the flock
            self._handle = None
