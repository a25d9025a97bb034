"""Onyx Local: a server on 127.0.0.1 that answers the Onyx Cloud HTTP API, stored in SQLite.

>>> from onyx_database.local import LocalServer
>>> with LocalServer(".onyx-local", schema="onyx.schema.json") as server:  # doctest: +SKIP
...     print(server.config()["baseUrl"])
"""

from ._bind import RemoteBindWarning
from ._budget import QueryStats
from ._faults import Faults
from ._server import LocalServer

__all__ = ["Faults", "LocalServer", "QueryStats", "RemoteBindWarning"]
