"""The keyword options of :func:`~onyx_database.init` as a ``TypedDict``, so a type checker and an
editor know every option, its spellings (snake_case and the official camelCase) and its type.

>>> from onyx_database._config import CONFIG_OPTIONS
>>> from onyx_database._models import MODEL_MAP_OPTIONS
>>> sorted(ClientOptions.__annotations__) == sorted(CONFIG_OPTIONS + MODEL_MAP_OPTIONS)
True
"""

from __future__ import annotations

from collections.abc import Mapping
from os import PathLike
from types import ModuleType
from typing import Any, Literal, TypedDict

__all__ = ["ClientOptions"]


class ClientOptions(TypedDict, total=False):
    """Options of ``init(**options)`` / ``init_async(**options)``; any option not given is found
    through the config chain (environment, ``onyx-database.json``, home file). Spellings of one
    option are alternatives: pass one of them."""

    database_id: str
    databaseId: str
    base_url: str
    baseUrl: str
    databaseBaseUrl: str
    api_key: str
    apiKey: str
    api_secret: str
    apiSecret: str
    ai_base_url: str
    aiBaseUrl: str
    default_model: str
    defaultModel: str
    partition: str | None
    default_partition: str | None
    defaultPartition: str | None
    request_timeout_seconds: float | None
    requestTimeoutSeconds: float | None
    request_deadline_seconds: float | None
    requestDeadlineSeconds: float | None
    max_retries: int
    maxRetries: int
    retry_backoff_seconds: float
    retryBackoffSeconds: float
    wire_format: Literal["json", "msgpack"]
    wireFormat: Literal["json", "msgpack"]
    request_logging_enabled: bool
    requestLoggingEnabled: bool
    response_logging_enabled: bool
    responseLoggingEnabled: bool
    debug: bool
    ttl: float
    ttl_seconds: float
    ttlSeconds: float
    config_path: str | PathLike[str]
    configPath: str | PathLike[str]
    # the table -> class map of the official SDK (see onyx_database._models.model_map)
    model_map: Mapping[str, type[Any]]
    schema: Mapping[str, type[Any]] | ModuleType
    models: ModuleType
