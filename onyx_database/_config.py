"""Configuration resolution: where the database id, key, secret and settings come from.

Per field, the first source that defines it wins:

1. explicit keyword arguments (``onyx.init(database_id=...)``)
2. environment variables (``ONYX_DATABASE_ID``, ``ONYX_DATABASE_API_KEY``, ...)
3. the file named by ``ONYX_CONFIG_PATH`` (or the explicit ``config_path`` argument)
4. project files: ``./onyx-database-<id>.json``, ``./config/onyx-database-<id>.json``,
   ``./config/onyx-database.json``, ``./onyx-database.json``
5. Onyx Local's credentials: ``./.onyx-local/onyx-database.json`` (what ``onyx-py local`` writes
   when started from this directory with its default ``--data .onyx-local``)
6. home files: ``~/.onyx/onyx-database-<id>.json``, ``~/.onyx/onyx-database.json``,
   ``~/onyx-database.json``
7. defaults (``https://api.onyx.dev``, ``https://ai.onyx.dev``, model ``onyx``)

A file whose ``databaseId`` differs from the id already known is skipped, so a key and a secret
are never mixed from two databases. The environment, home directory and working directory are
injectable, so tests never touch the real ones. The merged values are checked by a pydantic model
(:class:`ConfigValues`) whose ``api_secret`` is a ``SecretStr``.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import json
import logging
import os
import threading
import time
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, ParamSpec, TypeVar, cast

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    create_model,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from ._errors import OnyxConfigError
from ._models import MODEL_MAP_OPTIONS, model_map

__all__ = [
    "CONFIG_OPTIONS",
    "LOCAL_CREDENTIALS",
    "ConfigResolver",
    "ConfigValues",
    "ResolvedConfig",
    "SealedOptions",
    "WireFormat",
    "clear_cache_config",
    "resolve_config",
]

WireFormat = Literal["json", "msgpack"]

DEFAULT_BASE_URL = "https://api.onyx.dev"
DEFAULT_AI_BASE_URL = "https://ai.onyx.dev"
DEFAULT_MODEL = "onyx"
DEFAULT_TIMEOUT_SECONDS = 30.0
DEFAULT_DEADLINE_SECONDS = 40.0
DEFAULT_MAX_RETRIES = 3
DEFAULT_RETRY_BACKOFF_SECONDS = 0.25
DEFAULT_TTL_SECONDS = 300.0

LOCAL_CREDENTIALS = Path(".onyx-local") / "onyx-database.json"
"""Where ``onyx-py local`` (default ``--data .onyx-local``) writes its credentials, relative to the
directory it was started from; the chain reads it after the project files."""

logger = logging.getLogger("onyx_database.config")


@dataclass(frozen=True)
class ResolvedConfig:
    """Every setting the client needs, after the config chain ran.

    ``sources`` names where each field came from: ``explicit``, ``env <NAME>``,
    ``ONYX_CONFIG_PATH <path>``, ``file <path>`` or ``default``.

    >>> cfg = ResolvedConfig(database_id="db1", api_key="key-1234", api_secret="s3cr3t")
    >>> cfg.base_url
    'https://api.onyx.dev'
    >>> "s3cr3t" in repr(cfg) or "key-1234" in repr(cfg)
    False
    """

    database_id: str
    api_key: str = field(repr=False)
    api_secret: str = field(repr=False)
    base_url: str = DEFAULT_BASE_URL
    ai_base_url: str = DEFAULT_AI_BASE_URL
    default_model: str = DEFAULT_MODEL
    partition: str | None = None
    request_timeout_seconds: float | None = DEFAULT_TIMEOUT_SECONDS
    request_deadline_seconds: float | None = DEFAULT_DEADLINE_SECONDS
    max_retries: int = DEFAULT_MAX_RETRIES
    retry_backoff_seconds: float = DEFAULT_RETRY_BACKOFF_SECONDS
    wire_format: WireFormat = "json"
    request_logging_enabled: bool = False
    response_logging_enabled: bool = False
    debug: bool = False
    ttl_seconds: float = DEFAULT_TTL_SECONDS
    models: Mapping[str, type[Any]] = field(default_factory=dict, repr=False, compare=False)
    """Table name -> class of its records (``init(schema=SCHEMA)``, see ``_models``)."""
    sources: dict[str, str] = field(default_factory=dict, compare=False)


# Canonical option name -> accepted spellings (explicit arguments and file keys).
_ALIASES: dict[str, tuple[str, ...]] = {
    "database_id": ("database_id", "databaseId"),
    "base_url": ("base_url", "baseUrl", "databaseBaseUrl"),
    "api_key": ("api_key", "apiKey"),
    "api_secret": ("api_secret", "apiSecret"),
    "ai_base_url": ("ai_base_url", "aiBaseUrl"),
    "default_model": ("default_model", "defaultModel"),
    "partition": ("partition", "default_partition", "defaultPartition"),
    "request_timeout_seconds": ("request_timeout_seconds", "requestTimeoutSeconds"),
    "request_deadline_seconds": ("request_deadline_seconds", "requestDeadlineSeconds"),
    "max_retries": ("max_retries", "maxRetries"),
    "retry_backoff_seconds": ("retry_backoff_seconds", "retryBackoffSeconds"),
    "wire_format": ("wire_format", "wireFormat"),
    "request_logging_enabled": ("request_logging_enabled", "requestLoggingEnabled"),
    "response_logging_enabled": ("response_logging_enabled", "responseLoggingEnabled"),
    "debug": ("debug",),
    "ttl_seconds": ("ttl", "ttl_seconds", "ttlSeconds"),
}
_EXPLICIT_ONLY = ("config_path", "configPath")

CONFIG_OPTIONS: tuple[str, ...] = tuple(
    sorted({name for names in _ALIASES.values() for name in names} | set(_EXPLICIT_ONLY))
)
"""Every keyword ``resolve_config`` (and ``onyx.init``) accepts."""

_SPELLING_TO_FIELD = {spelling: name for name, names in _ALIASES.items() for spelling in names}

_ENV: dict[str, tuple[str, ...]] = {
    "database_id": ("ONYX_DATABASE_ID",),
    "base_url": ("ONYX_DATABASE_BASE_URL",),
    "api_key": ("ONYX_DATABASE_API_KEY",),
    "api_secret": ("ONYX_DATABASE_API_SECRET",),
    "ai_base_url": ("ONYX_AI_BASE_URL",),
    "default_model": ("ONYX_DEFAULT_MODEL",),
    "partition": ("ONYX_PARTITION",),
    "request_timeout_seconds": ("ONYX_REQUEST_TIMEOUT_SECONDS",),
    "request_deadline_seconds": ("ONYX_REQUEST_DEADLINE_SECONDS",),
    "max_retries": ("ONYX_MAX_RETRIES",),
    "retry_backoff_seconds": ("ONYX_RETRY_BACKOFF_SECONDS",),
    "wire_format": ("ONYX_DATABASE_WIRE_FORMAT", "ONYX_WIRE_FORMAT"),
    "debug": ("ONYX_DEBUG",),
}
# Fields that identify one database: taken from the env only when its database id agrees.
_DATABASE_FIELDS = ("database_id", "base_url", "api_key", "api_secret")
_REQUIRED = ("database_id", "api_key", "api_secret")
_SECRET_FIELDS = ("api_secret",)
_MASKED_FIELDS = ("api_key",)

_DEFAULTS: dict[str, Any] = {
    "base_url": DEFAULT_BASE_URL,
    "ai_base_url": DEFAULT_AI_BASE_URL,
    "default_model": DEFAULT_MODEL,
    "partition": None,
    "request_timeout_seconds": DEFAULT_TIMEOUT_SECONDS,
    "request_deadline_seconds": DEFAULT_DEADLINE_SECONDS,
    "max_retries": DEFAULT_MAX_RETRIES,
    "retry_backoff_seconds": DEFAULT_RETRY_BACKOFF_SECONDS,
    "wire_format": "json",
    "request_logging_enabled": False,
    "response_logging_enabled": False,
    "debug": False,
    "ttl_seconds": DEFAULT_TTL_SECONDS,
}


class SealedOptions:
    """Config options kept where a traceback with frame locals cannot show the key or secret:
    ``repr`` masks them, and error reporters that walk dicts and lists (Sentry) see one opaque
    object. ``values`` is the plain dict.

    >>> SealedOptions({"api_key": "key-12345", "api_secret": "s3cr3t", "partition": "p"})
    SealedOptions({'api_key': 'key-****', 'api_secret': '[REDACTED]', 'partition': 'p'})
    """

    __slots__ = ("values",)

    def __init__(self, values: Mapping[str, Any]) -> None:
        self.values: dict[str, Any] = dict(values)

    def __repr__(self) -> str:
        def shown(key: Any, value: Any) -> str:
            name = _SPELLING_TO_FIELD.get(key) if isinstance(key, str) else None
            if name in _SECRET_FIELDS or name in _MASKED_FIELDS:
                return repr(_display(str(name), value))
            return repr(value)

        items = ", ".join(f"{key!r}: {shown(key, value)}" for key, value in self.values.items())
        return f"SealedOptions({{{items}}})"


_P = ParamSpec("_P")
_R = TypeVar("_R")


def _clean_errors(function: Callable[_P, _R]) -> Callable[_P, _R]:
    """Raise a config error of ``function`` with nothing attached but its message.

    The resolver's frames hold the raw key and secret in their locals (and a chained exception
    may hold the file text), so the error leaves with no traceback below this wrapper, no
    ``__cause__`` and no ``__context__``.
    """

    @functools.wraps(function)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return function(*args, **kwargs)
        except OnyxConfigError as exc:
            error = exc
        del args, kwargs
        error.__traceback__ = None
        error.__cause__ = None
        error.__context__ = None
        raise error

    return wrapper


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        value = value.replace("\r", "").replace("\n", "").strip()
        return value or None
    return value


def _normalize_explicit(explicit: Mapping[str, Any]) -> tuple[dict[str, Any], str | None]:
    values: dict[str, Any] = {}
    config_path: str | None = None
    for key, value in explicit.items():
        if key in _EXPLICIT_ONLY:
            config_path = None if value is None else str(value)
            continue
        name = _SPELLING_TO_FIELD.get(key)
        if name is None:
            close = difflib.get_close_matches(key, CONFIG_OPTIONS, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise OnyxConfigError(
                f"Unknown config option {key!r}.{hint} Valid options: {', '.join(CONFIG_OPTIONS)}."
            )
        if name in values and values[name] != value:
            raise OnyxConfigError(f"Config option {name!r} was given twice with different values.")
        cleaned = _clean(value)
        if cleaned is not None:
            values[name] = cleaned
    return values, config_path


def _normalize_file(data: Mapping[str, Any]) -> dict[str, Any]:
    """Map a config file's keys (camelCase or snake_case, nested ``auth`` / ``defaults``)."""
    values: dict[str, Any] = {}
    auth = data.get("auth")
    if isinstance(auth, Mapping):
        auth_type = auth.get("type", "inline")
        if auth_type != "inline":
            raise OnyxConfigError(
                f"Unsupported auth type {auth_type!r} in a config file; only inline keys are "
                "supported (put apiKey and apiSecret in the file or the environment)."
            )
        for key in ("apiKey", "api_key", "apiSecret", "api_secret"):
            if key in auth:
                values[_SPELLING_TO_FIELD[key]] = _clean(auth[key])
    defaults = data.get("defaults")
    if isinstance(defaults, Mapping):
        for key in ("partition", "ttl"):
            if key in defaults:
                values[_SPELLING_TO_FIELD[key]] = _clean(defaults[key])
    for key, value in data.items():
        name = _SPELLING_TO_FIELD.get(key)
        if name is not None:
            values[name] = _clean(value)
    return {k: v for k, v in values.items() if v is not None}


def _invalid(message: str) -> PydanticCustomError:
    return PydanticCustomError("onyx_config", "{message}", {"message": message})


def _parse_bool(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "on"):
        return True
    if text in ("false", "0", "no", "off", ""):
        return False
    raise _invalid(f"Config option {name!r} must be true or false, got {value!r}.")


def _parse_number(name: str, value: Any, kind: Callable[[Any], float | int]) -> Any:
    if isinstance(value, bool):
        raise _invalid(f"Config option {name!r} must be a number, got {value!r}.")
    try:
        number = kind(value)
    except (TypeError, ValueError):
        raise _invalid(f"Config option {name!r} must be a number, got {value!r}.") from None
    if number < 0:
        raise _invalid(f"Config option {name!r} must not be negative, got {value!r}.")
    return number


_field_rule = functools.partial(field_validator, check_fields=False)


class _ConfigRules(BaseModel):
    """``ConfigValues``: the merged settings of the chain, validated (URLs, numbers, booleans,
    the wire format). Its fields are :class:`ResolvedConfig`'s, with ``SecretStr`` for the key
    and the secret; the checks live here.

    The secret is a ``SecretStr`` and the key is masked, so neither shows in ``repr``, ``str``
    or a validation error (inputs are hidden from errors). ``OnyxConfigError`` messages name the
    option and, when known, the source it came from.

    >>> values = ConfigValues(database_id="db", api_key="key-1234", api_secret="s3cr3t",
    ...                       base_url="http://127.0.0.1:8787/", max_retries="2")
    >>> values.base_url, values.max_retries, values.api_secret
    ('http://127.0.0.1:8787', 2, SecretStr('**********'))
    >>> "s3cr3t" in repr(values) or "key-1234" in repr(values)
    False
    """

    model_config = ConfigDict(frozen=True, hide_input_in_errors=True, extra="forbid")

    def __repr_args__(self) -> Any:
        for name, value in super().__repr_args__():
            yield name, (_display(name, value.get_secret_value()) if name == "api_key" else value)

    @_field_rule("database_id", "api_key", "api_secret", "default_model", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return (
            str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value
        )

    @_field_rule("partition", mode="before")
    @classmethod
    def _partition(cls, value: Any) -> Any:
        return None if value is None else str(value)

    @_field_rule("base_url", "ai_base_url", mode="before")
    @classmethod
    def _url(cls, value: Any, info: ValidationInfo) -> str:
        text = str(value).rstrip("/")
        if not text.startswith(("http://", "https://")):
            raise _invalid(
                f"Config option {info.field_name!r} must be an http:// or https:// URL, "
                f"got {text!r}."
            )
        return text

    @_field_rule("request_timeout_seconds", "request_deadline_seconds", mode="before")
    @classmethod
    def _seconds(cls, value: Any, info: ValidationInfo) -> float | None:
        if value is None or (isinstance(value, str) and value.lower() in ("none", "off")):
            return None
        return float(_parse_number(str(info.field_name), value, float)) or None

    @_field_rule("max_retries", mode="before")
    @classmethod
    def _retries(cls, value: Any) -> int:
        retries = _parse_number("max_retries", value, float)
        if retries != int(retries):
            raise _invalid(f"Config option 'max_retries' must be a whole number, got {retries}.")
        return int(retries)

    @_field_rule("retry_backoff_seconds", "ttl_seconds", mode="before")
    @classmethod
    def _non_negative(cls, value: Any, info: ValidationInfo) -> float:
        name = "ttl" if info.field_name == "ttl_seconds" else str(info.field_name)
        return float(_parse_number(name, value, float))

    @_field_rule("wire_format", mode="before")
    @classmethod
    def _wire(cls, value: Any) -> str:
        wire = str(value).lower().replace("-", "").replace("_", "")
        if wire in ("messagepack", "msgpack"):
            return "msgpack"
        if wire == "json":
            return "json"
        raise _invalid(f"Config option 'wire_format' must be 'json' or 'msgpack', got {value!r}.")

    @_field_rule("request_logging_enabled", "response_logging_enabled", "debug", mode="before")
    @classmethod
    def _flag(cls, value: Any, info: ValidationInfo) -> bool:
        return _parse_bool(str(info.field_name), value)

    @model_validator(mode="after")
    def _debug_logs_everything(self) -> _ConfigRules:
        if getattr(self, "debug", False):
            object.__setattr__(self, "request_logging_enabled", True)
            object.__setattr__(self, "response_logging_enabled", True)
        return self

    def plain(self) -> dict[str, Any]:
        """The values with the key and secret revealed (what :class:`ResolvedConfig` holds)."""
        out = dict(self)
        for name in ("api_key", "api_secret"):
            out[name] = out[name].get_secret_value()
        return out


def _fields_of_resolved_config() -> dict[str, Any]:
    try:
        hints = typing.get_type_hints(ResolvedConfig)
    except NameError:  # a field typed with a name only type checkers import: not checked here
        hints = {}
    fields: dict[str, Any] = {}
    for item in dataclasses.fields(ResolvedConfig):
        if item.name == "sources" or not item.init:
            continue
        kind = SecretStr if item.name in ("api_key", "api_secret") else hints.get(item.name, Any)
        if item.default_factory is not dataclasses.MISSING:
            fields[item.name] = (kind, Field(default_factory=item.default_factory))
        else:
            fields[item.name] = (kind, ... if item.default is dataclasses.MISSING else item.default)
    return fields


ConfigValues = create_model(
    "ConfigValues",
    __base__=_ConfigRules,
    __module__=__name__,
    **_fields_of_resolved_config(),
)


def _coerce(values: dict[str, Any], sources: Mapping[str, str] | None = None) -> dict[str, Any]:
    """``values`` checked by :class:`ConfigValues`; a bad value raises ``OnyxConfigError``
    naming the option and where it came from (never the secret)."""
    try:
        return ConfigValues.model_validate(values).plain()
    except ValidationError as exc:
        first = exc.errors(include_url=False, include_input=False)[0]
        name = str(first["loc"][0]) if first["loc"] else ""
        message = (
            first["msg"]
            if first["type"] == "onyx_config"
            else (f"Config option {name!r} is invalid: {first['msg']}.")
        )
    source = (sources or {}).get(name)
    if source and source not in ("default", "explicit"):
        message += f" (from {source})"
    raise OnyxConfigError(message)


def _display(name: str, value: Any) -> str:
    if name in _SECRET_FIELDS:
        return "[REDACTED]"
    if name in _MASKED_FIELDS:
        text = str(value)
        return text[:4] + "****" if len(text) > 4 else "****"
    return repr(value)


@dataclass
class _Layer:
    label: str
    values: dict[str, Any]


class ConfigResolver:
    """Resolves configuration against one environment, home and working directory, with a cache.

    >>> resolver = ConfigResolver(environ={"ONYX_DATABASE_API_KEY": "k",
    ...                                    "ONYX_DATABASE_API_SECRET": "s"},
    ...                           home=Path("/nonexistent"), cwd=Path("/nonexistent"))
    >>> resolver.resolve({"database_id": "db1"}).api_key
    'k'
    """

    def __init__(
        self,
        *,
        environ: Mapping[str, str] | None = None,
        home: Path | None = None,
        cwd: Path | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._environ = environ
        self._home = home
        self._cwd = cwd
        self._clock = clock
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[float, ResolvedConfig]] = {}

    @property
    def environ(self) -> Mapping[str, str]:
        return os.environ if self._environ is None else self._environ

    @property
    def home(self) -> Path:
        return Path.home() if self._home is None else self._home

    @property
    def cwd(self) -> Path:
        return Path.cwd() if self._cwd is None else self._cwd

    def clear_cache(self) -> None:
        """Forget every cached resolution; the next ``resolve`` reads env and files again."""
        with self._lock:
            self._cache.clear()

    @_clean_errors
    def resolve(self, explicit: Mapping[str, Any] | None = None) -> ResolvedConfig:
        """Resolve ``explicit`` through the chain; cached per explicit settings for the TTL."""
        explicit = dict(explicit or {})
        values, _ = _normalize_explicit(explicit)
        key = json.dumps(
            [values.get("database_id"), values.get("api_key"), sorted(map(str, explicit.items()))]
        )
        now = self._clock()
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None and hit[0] > now:
                return hit[1]
        config = self.resolve_uncached(explicit)
        with self._lock:
            self._cache[key] = (now + config.ttl_seconds, config)
        return config

    @_clean_errors
    def resolve_uncached(self, explicit: Mapping[str, Any] | None = None) -> ResolvedConfig:
        """Resolve without reading or filling the cache."""
        explicit_values, explicit_path = _normalize_explicit(dict(explicit or {}))
        tried: list[str] = ["explicit arguments"]
        layers: list[_Layer] = [_Layer("explicit", explicit_values)]

        env_values, env_labels = self._read_env()
        tried.append(
            "environment (ONYX_DATABASE_ID, ONYX_DATABASE_API_KEY, ONYX_DATABASE_API_SECRET, "
            "ONYX_DATABASE_BASE_URL and the other ONYX_* variables)"
        )
        explicit_id = explicit_values.get("database_id")
        env_id = env_values.get("database_id")
        if explicit_id is not None and env_id is not None and str(env_id) != str(explicit_id):
            # The environment describes another database: never borrow its key or secret.
            logger.debug(
                "ignoring ONYX_DATABASE_ID/_BASE_URL/_API_KEY/_API_SECRET from the environment: "
                "ONYX_DATABASE_ID differs from the explicit database_id"
            )
            for name in _DATABASE_FIELDS:
                env_values.pop(name, None)
        for name, value in env_values.items():
            layers.append(_Layer(env_labels[name], {name: value}))

        config_path = explicit_path or _clean(self.environ.get("ONYX_CONFIG_PATH"))
        if config_path:
            path = Path(config_path)
            if not path.is_absolute():
                path = self.cwd / path
            label = f"ONYX_CONFIG_PATH {path}" if not explicit_path else f"config_path {path}"
            tried.append(label)
            data = self._read_file(path, required=True)
            layers.append(_Layer(label, data or {}))
        else:
            tried.append("ONYX_CONFIG_PATH (unset)")

        known_id = self._first(layers, "database_id")
        visited: set[Path] = set()
        progressed = True
        while progressed:
            progressed = False
            for path in self._candidate_files(known_id):
                if path in visited:
                    continue
                visited.add(path)
                tried.append(self._label(path))
                data = self._read_file(path, required=False)
                if data is None:
                    continue
                file_id = data.get("database_id")
                if known_id is not None and file_id is not None and str(file_id) != str(known_id):
                    logger.debug("skipping %s: it belongs to another database", path)
                    continue
                layers.append(_Layer(f"file {path}", data))
                if known_id is None and file_id is not None:
                    # The id is known now: id-specific files become eligible, so look again.
                    known_id = file_id
                    progressed = True
                    break
        return self._finish(layers, tried)

    def _finish(self, layers: list[_Layer], tried: list[str]) -> ResolvedConfig:
        merged: dict[str, Any] = {}
        sources: dict[str, str] = {}
        for layer in layers:
            for name, value in layer.values.items():
                if name not in merged and value is not None:
                    merged[name] = value
                    sources[name] = layer.label
        tried.append("defaults")
        missing = [name for name in _REQUIRED if not merged.get(name)]
        if missing:
            raise OnyxConfigError(_missing_message(missing, tried))
        for name, default in _DEFAULTS.items():
            if name not in merged:
                merged[name] = default
                sources[name] = "default"
        values = _coerce(merged, sources)
        config = ResolvedConfig(**values, sources=sources)
        if config.debug:
            for name in sorted(sources):
                logger.info(
                    "config %s = %s (from %s)", name, _display(name, values[name]), sources[name]
                )
        return config

    @staticmethod
    def _first(layers: list[_Layer], name: str) -> Any:
        for layer in layers:
            if layer.values.get(name) is not None:
                return layer.values[name]
        return None

    def _read_env(self) -> tuple[dict[str, Any], dict[str, str]]:
        values: dict[str, Any] = {}
        labels: dict[str, str] = {}
        for name, variables in _ENV.items():
            for variable in variables:
                value = _clean(self.environ.get(variable))
                if value is not None:
                    values[name] = value
                    labels[name] = f"env {variable}"
                    break
        if "debug" in values:
            # ONYX_DEBUG is on only for the literal true/1/yes; anything else is off, not an error.
            values["debug"] = str(values["debug"]).lower() in ("true", "1", "yes")
        return values, labels

    def _candidate_files(self, database_id: Any) -> list[Path]:
        cwd, home = self.cwd, self.home
        paths: list[Path] = []
        if database_id is not None:
            paths += [
                cwd / f"onyx-database-{database_id}.json",
                cwd / "config" / f"onyx-database-{database_id}.json",
            ]
        paths += [
            cwd / "config" / "onyx-database.json",
            cwd / "onyx-database.json",
            cwd / LOCAL_CREDENTIALS,
        ]
        if database_id is not None:
            paths.append(home / ".onyx" / f"onyx-database-{database_id}.json")
        paths += [home / ".onyx" / "onyx-database.json", home / "onyx-database.json"]
        return paths

    def _label(self, path: Path) -> str:
        if path == self.cwd / LOCAL_CREDENTIALS:
            return f"{path} (Onyx Local's credentials, written by `onyx-py local`)"
        return str(path)

    @staticmethod
    def _read_file(path: Path, *, required: bool) -> dict[str, Any] | None:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            if required:
                raise OnyxConfigError(f"Config file {path} does not exist.") from None
            return None
        except OSError as exc:
            raise OnyxConfigError(f"Config file {path} cannot be read: {exc.strerror}.") from None
        try:
            # Console downloads sometimes carry stray newlines inside values.
            data = json.loads(text.replace("\r", "").replace("\n", ""))
        except json.JSONDecodeError as exc:
            raise OnyxConfigError(
                f"Config file {path} is not valid JSON (line {exc.lineno}, column {exc.colno})."
            ) from None
        if not isinstance(data, Mapping):
            raise OnyxConfigError(f"Config file {path} must hold a JSON object.")
        return _normalize_file(cast(Mapping[str, Any], data))


def _missing_message(missing: list[str], tried: list[str]) -> str:
    """A few lines: what is missing, how to set it, every source tried (one per line)."""
    variables = ", ".join(_ENV[name][0] for name in missing)
    them = "them" if len(missing) > 1 else "it"
    return "\n".join(
        [
            f"Missing required config: {', '.join(missing)}.",
            f"Set {them} with explicit arguments, the environment ({variables}) or a config "
            "file (onyx-database.json).",
            "For Onyx Local: start the app where `onyx-py local` was started, or set "
            f"ONYX_CONFIG_PATH to its {LOCAL_CREDENTIALS.as_posix()}.",
            "Sources tried, in order:",
            *(f"  {source}" for source in tried),
        ]
    )


_default_resolver = ConfigResolver()


@_clean_errors
def resolve_config(
    explicit: Mapping[str, Any] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    home: Path | None = None,
    cwd: Path | None = None,
) -> ResolvedConfig:
    """Resolve a configuration through the chain.

    With no injected ``environ``/``home``/``cwd`` the process-wide cache is used (TTL from the
    ``ttl`` option, 300 s by default); injected sources resolve fresh every time.

    >>> cfg = resolve_config({"database_id": "db1", "api_key": "k", "api_secret": "s"},
    ...                      environ={}, home=Path("/nonexistent"), cwd=Path("/nonexistent"))
    >>> cfg.sources["api_key"], cfg.sources["base_url"]
    ('explicit', 'default')
    """
    explicit = dict(explicit or {})
    # The class map is not a setting of the chain: kept out of it (and of its cache).
    models = model_map({key: explicit.pop(key, None) for key in MODEL_MAP_OPTIONS})
    if environ is None and home is None and cwd is None:
        resolved = _default_resolver.resolve(explicit)
    else:
        resolved = ConfigResolver(environ=environ, home=home, cwd=cwd).resolve_uncached(explicit)
    return dataclasses.replace(resolved, models=models) if models else resolved


def clear_cache_config() -> None:
    """Forget cached configurations so env and file changes are seen at the next ``init``."""
    _default_resolver.clear_cache()
