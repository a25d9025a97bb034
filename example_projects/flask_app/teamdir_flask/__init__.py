"""The Flask version of the team directory: an app factory, three blueprints (pages, a JSON API,
a live page), Flask-Admin at ``/admin/`` (``onyx_flask.admin.OnyxModelView``) and
``onyx_flask``'s helpers (``paginate``, ``get_or_404``).

Every form posts a CSRF token (Flask-WTF's ``CSRFProtect``; Flask-Admin's forms through
``FlaskForm``); a POST without one answers 400. The JSON API is exempt: it reads only
``application/json`` bodies, which a cross-site form cannot send.

Run it against Onyx Local with ``ONYX_CONFIG_PATH`` pointing at the credentials file Onyx Local
wrote (``python3 scripts/demo.py --flask`` from the repository root does all of it)::

    flask --app teamdir_flask run
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from onyx_flask import Onyx

onyx = Onyx()
csrf = CSRFProtect()
# The stylesheet and live-page script both examples share.
STATIC = Path(__file__).resolve().parents[2] / "static"


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, static_folder=STATIC)
    # Empty: ONYX_CONFIG_PATH (or the ONYX_DATABASE_* variables) fill it in.
    app.config["ONYX"] = {}
    app.config["ONYX_JSON_ERRORS"] = True
    # The session (Flask-Admin's messages, CSRF tokens) is signed with it; a real deployment
    # sets its own key.
    app.config["SECRET_KEY"] = secrets.token_hex(16)
    app.config.update(config or {})
    onyx.init_app(app)
    csrf.init_app(app)

    from . import api, live, people
    from .admin import init_admin

    app.register_blueprint(people.bp)
    csrf.exempt(api.bp)  # JSON only: see api.py
    app.register_blueprint(api.bp, url_prefix="/api")
    app.register_blueprint(live.bp, url_prefix="/live")
    init_admin(app)  # Flask-Admin at /admin/
    return app
