"""Onyx Local: a server on 127.0.0.1 that answers the Onyx Cloud HTTP API, stored in SQLite.

In a program or a test, :class:`LocalServer` runs it on a background thread:

>>> from onyx_database.local import LocalServer
>>> with LocalServer(".onyx-local", schema="onyx.schema.json") as server:  # doctest: +SKIP
...     print(server.config()["baseUrl"])

In the foreground until Ctrl-C, as ``onyx-py local`` does, :func:`serve` runs it:

>>> from onyx_database.local import serve
>>> serve(".onyx-local", port=8787, schema="onyx.schema.json")  # doctest: +SKIP
"""

from ._bind import RemoteBindWarning
from ._budget import QueryStats
from ._faults import Faults
from ._serve import serve
from ._server import LocalServer

__all__ = ["Faults", "LocalServer", "QueryStats", "RemoteBindWarning", "serve"]
