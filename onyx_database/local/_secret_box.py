"""Secret values at rest: encrypted (Fernet: AES-128-CBC + HMAC-SHA256) with a key file kept
beside the credentials, mode 0600. The SQLite file and its WAL only ever see ciphertext."""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from ._datadir import CredentialsUnreadable

__all__ = ["KEY_FILE", "SecretBox", "SecretUnreadable"]

KEY_FILE = "onyx-secrets.key"
_PREFIX = "enc:v1:"


class SecretUnreadable(Exception):
    """A stored value does not decrypt with this data directory's key."""


class SecretBox:
    """Encrypts secret values for storage and decrypts them on read.

    >>> box = SecretBox.open(Path("/tmp/onyx-demo"))  # doctest: +SKIP
    >>> box.decrypt(box.encrypt("s3cret"))  # doctest: +SKIP
    's3cret'
    """

    def __init__(self, key: bytes) -> None:
        self._fernet = Fernet(key)

    def __repr__(self) -> str:
        return "SecretBox(<key hidden>)"

    @classmethod
    def open(cls, data_dir: Path) -> SecretBox:
        """Read ``data_dir/onyx-secrets.key``, creating it (0600) on first start.

        An unreadable or malformed key file stops the server: a new key could not decrypt the
        secrets already stored."""
        path = data_dir / KEY_FILE
        try:
            key = path.read_bytes().strip()
        except FileNotFoundError:
            key = Fernet.generate_key()
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(key + b"\n")
        except OSError as error:
            raise CredentialsUnreadable(
                f"cannot read the secrets key file {path} ({error.strerror}); it was left untouched"
            ) from None
        os.chmod(path, 0o600)
        try:
            return cls(key)
        except ValueError:
            raise CredentialsUnreadable(
                f"the secrets key file {path} is corrupt; it was left untouched. Restore it from"
                " a backup: stored secrets cannot be read without it"
            ) from None

    def encrypt(self, value: str) -> str:
        return _PREFIX + self._fernet.encrypt(value.encode("utf-8")).decode("ascii")

    def decrypt(self, stored: str) -> str:
        """The plain value; values stored before encryption existed pass through."""
        if not stored.startswith(_PREFIX):
            return stored
        try:
            return self._fernet.decrypt(stored[len(_PREFIX) :].encode("ascii")).decode("utf-8")
        except (InvalidToken, ValueError):
            raise SecretUnreadable(
                "the secret does not decrypt with this data directory's key"
            ) from None

    @staticmethod
    def is_encrypted(stored: str) -> bool:
        return stored.startswith(_PREFIX)
