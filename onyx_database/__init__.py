"""Typed sync and async client for Onyx Cloud Database (and Onyx Local).

>>> from onyx_database import onyx, eq, desc
>>> query_shape = eq("status", "active") & eq("role", "admin")
>>> query_shape.to_wire()["operator"]
'AND'

Quick start::

    import onyx_database
    from onyx_database import eq, desc

    with onyx_database.init(database_id="db", api_key="k", api_secret="s") as db:
        db.save("User", {"id": "u1", "email": "a@example.com", "status": "active"})
        active = db.from_table("User").where(eq("status", "active")).order_by(desc("id")).list()
"""

from __future__ import annotations

from ._async_client import AsyncOnyxDatabase, AsyncQueryBuilder
from ._client import OnyxDatabase, QueryBuilder
from ._conditions import (
    Condition,
    Sort,
    asc,
    between,
    contains,
    contains_ignore_case,
    desc,
    eq,
    gt,
    gte,
    in_op,
    is_null,
    like,
    lt,
    lte,
    matches,
    neq,
    not_between,
    not_contains,
    not_contains_ignore_case,
    not_in,
    not_like,
    not_matches,
    not_null,
    not_starts_with,
    starts_with,
)
from ._config import ResolvedConfig, resolve_config
from ._errors import (
    OnyxBatchError,
    OnyxClientError,
    OnyxConfigError,
    OnyxConflictError,
    OnyxConnectionError,
    OnyxDecodeError,
    OnyxError,
    OnyxHTTPError,
    OnyxNotFoundError,
    OnyxRateLimitedError,
    OnyxSerializationError,
    OnyxServerError,
    OnyxTimeoutError,
    OnyxUnauthorizedError,
    OnyxUsageError,
)
from ._facade import OnyxFacade, init, init_async, onyx
from ._query import Page
from ._serialize import to_wire
from ._transport import __version__

__all__ = [
    "AsyncOnyxDatabase",
    "AsyncQueryBuilder",
    "Condition",
    "OnyxBatchError",
    "OnyxClientError",
    "OnyxConfigError",
    "OnyxConflictError",
    "OnyxConnectionError",
    "OnyxDatabase",
    "OnyxDecodeError",
    "OnyxError",
    "OnyxFacade",
    "OnyxHTTPError",
    "OnyxNotFoundError",
    "OnyxRateLimitedError",
    "OnyxSerializationError",
    "OnyxServerError",
    "OnyxTimeoutError",
    "OnyxUnauthorizedError",
    "OnyxUsageError",
    "Page",
    "QueryBuilder",
    "ResolvedConfig",
    "Sort",
    "__version__",
    "asc",
    "between",
    "contains",
    "contains_ignore_case",
    "desc",
    "eq",
    "gt",
    "gte",
    "in_op",
    "init",
    "init_async",
    "is_null",
    "like",
    "lt",
    "lte",
    "matches",
    "neq",
    "not_between",
    "not_contains",
    "not_contains_ignore_case",
    "not_in",
    "not_like",
    "not_matches",
    "not_null",
    "not_starts_with",
    "onyx",
    "resolve_config",
    "starts_with",
    "to_wire",
]
