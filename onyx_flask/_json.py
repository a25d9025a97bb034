"""JSON for Onyx values in Flask: a JSON provider, views that return models, and the opt-in
handler that answers Onyx errors with JSON (404, 409, 422, 503) for API requests."""

from __future__ import annotations

import base64
import dataclasses
import datetime
import decimal
import uuid
from collections.abc import Callable
from typing import Any, NoReturn

from flask import Flask, abort, jsonify, request
from flask.json.provider import DefaultJSONProvider
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response

from onyx_database import (
    OnyxClientError,
    OnyxConflictError,
    OnyxConnectionError,
    OnyxError,
    OnyxHTTPError,
    OnyxNotFoundError,
    OnyxRateLimitedError,
    OnyxServerError,
)

__all__ = ["OnyxJSONProvider", "install_json", "not_found", "wants_json"]


def _model_data(value: Any) -> Any:
    dump = getattr(value, "model_dump", None)
    if callable(dump) and not isinstance(value, type):
        return dump(mode="json", by_alias=True)
    return None


def onyx_default(value: Any) -> Any:
    """JSON for what Onyx records hold that the ``json`` module does not know: pydantic models
    (by alias, as on the wire), datetimes and dates (ISO 8601, as on the wire, not Flask's HTTP
    dates), ``Decimal`` and ``UUID`` (strings), sets (lists), bytes (base64), dataclasses.

    >>> onyx_default(datetime.date(2026, 1, 2)), onyx_default(decimal.Decimal("1.50"))
    ('2026-01-02', '1.50')
    """
    data = _model_data(value)
    if data is not None:
        return data
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, set | frozenset):
        return sorted(value, key=repr)
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode("ascii")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


class OnyxJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider, plus Onyx values (see :func:`onyx_default`): ``jsonify(users)``
    and ``return [user, ...]`` work with generated models. Installed by ``init_app`` unless
    ``ONYX_JSON_PROVIDER`` is false or the app already has a custom provider."""

    default: Callable[[Any], Any] = staticmethod(onyx_default)


def wants_json() -> bool:
    """Whether the current request is an API request: a JSON body, or an ``Accept`` header that
    prefers JSON to HTML."""
    if not request:
        return False
    if request.is_json:
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json"


def _answer(status: int, code: str, message: str) -> Response:
    response = jsonify({"error": {"status": status, "code": code, "message": message}})
    response.status_code = status
    return response


def not_found(description: str | None, *, json_errors: bool) -> NoReturn:
    """Abort with 404: a JSON answer for API requests when the app maps Onyx errors to JSON
    (``json_errors``), else Flask's usual page."""
    if json_errors and wants_json():
        abort(_answer(404, "not_found", description or "Not found."))
    abort(404, description=description)


def _status(error: OnyxError) -> tuple[int, str, str] | None:
    if isinstance(error, OnyxNotFoundError):
        return 404, "not_found", error.message
    if isinstance(error, OnyxConflictError):
        return 409, "conflict", error.message
    if isinstance(error, OnyxRateLimitedError | OnyxServerError | OnyxConnectionError):
        # The database is the unavailable dependency; its own message stays in the logs.
        return 503, "unavailable", "The database is unavailable; try again later."
    if isinstance(error, OnyxClientError) and error.status in (400, 422):
        return 422, "invalid", error.message
    return None


def _handle(error: OnyxError) -> ResponseReturnValue:
    mapped = _status(error)
    if mapped is None or not wants_json():
        raise error
    status, code, message = mapped
    if status == 503:
        from flask import current_app

        current_app.logger.warning("Onyx unavailable: %s: %s", type(error).__name__, error)
    response = _answer(status, code, message)
    retry_after = getattr(error, "retry_after", None)
    if isinstance(error, OnyxHTTPError) and retry_after is not None:
        response.headers["Retry-After"] = str(max(1, round(retry_after)))
    return response


def _accept_models(app: Flask) -> None:
    original = app.make_response

    def make_response(rv: Any) -> Response:
        if isinstance(rv, tuple) and rv:
            data = _model_data(rv[0])
            if data is not None:
                rv = (data, *rv[1:])
        else:
            data = _model_data(rv)
            if data is not None:
                rv = data
        return original(rv)

    # Flask has no hook for return types; the wrapper only turns models into dicts.
    setattr(app, "make_response", make_response)  # noqa: B010


def install_json(app: Flask, *, provider: bool, errors: bool) -> None:
    """Install the JSON provider (when ``provider`` and the app has Flask's default one), let
    views return models, and (when ``errors``) the Onyx error handler."""
    if provider and type(app.json) is DefaultJSONProvider:
        app.json = OnyxJSONProvider(app)
    if provider:
        _accept_models(app)
    if errors:
        app.register_error_handler(OnyxError, _handle)
