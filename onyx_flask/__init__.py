"""Flask integration for Onyx Cloud Database (and Onyx Local).

::

    from flask import Flask
    from onyx_flask import Onyx

    onyx = Onyx()

    def create_app():
        app = Flask(__name__)
        app.config["ONYX"] = {"database_id": "db", "api_key": "k", "api_secret": "s"}
        onyx.init_app(app)

        @app.get("/users/<user_id>")
        def user(user_id):
            return onyx.get_or_404("User", user_id)

        return app

See ``docs/flask.md``.
"""

from __future__ import annotations

from ._batches import Change
from ._extension import EXTENSION_KEYS, FLAT_CONFIG_KEYS, Onyx, get_recorded_requests
from ._json import OnyxJSONProvider
from ._pagination import Pagination
from .signals import (
    models_committed,
    onyx_signals,
    record_created,
    record_deleted,
    record_updated,
    records_written,
)

__all__ = [
    "EXTENSION_KEYS",
    "FLAT_CONFIG_KEYS",
    "Change",
    "Onyx",
    "OnyxJSONProvider",
    "Pagination",
    "get_recorded_requests",
    "models_committed",
    "onyx_signals",
    "record_created",
    "record_deleted",
    "record_updated",
    "records_written",
]
