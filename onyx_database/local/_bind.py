"""The warning for serving plain HTTP beyond this machine."""

from __future__ import annotations

import ipaddress

__all__ = ["RemoteBindWarning", "remote_bind_warning"]


class RemoteBindWarning(UserWarning):
    """Onyx Local serves plain HTTP on an interface other machines can reach.

    >>> import warnings
    >>> warnings.simplefilter("error", RemoteBindWarning)  # doctest: +SKIP
    """


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


def remote_bind_warning(host: str, tls: bool) -> str | None:
    """The warning for binding ``host`` without TLS, or ``None`` when there is nothing to say.

    >>> remote_bind_warning("127.0.0.1", tls=False) is None
    True
    """
    if tls or _is_loopback(host):
        return None
    return (
        f"Onyx Local is listening on {host} over plain HTTP: other machines can reach it, and"
        " the API key and secret cross the network unencrypted. Serve HTTPS (--tls-cert and"
        " --tls-key) or bind 127.0.0.1"
    )
