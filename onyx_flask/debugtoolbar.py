"""A Flask-DebugToolbar panel listing the Onyx requests of the page.

::

    from flask_debugtoolbar import DebugToolbarExtension

    app.config["DEBUG_TB_PANELS"] = [
        "flask_debugtoolbar.panels.timer.TimerDebugPanel",
        "flask_debugtoolbar.panels.request_vars.RequestVarsDebugPanel",
        "onyx_flask.debugtoolbar.OnyxDebugPanel",
    ]
    DebugToolbarExtension(app)

It shows what :func:`onyx_flask.get_recorded_requests` returns for the request (so
``ONYX_RECORD_REQUESTS`` must be on; it is under ``DEBUG``): method, templated path, status,
duration, table, operation, records on a query page, response size and the server's request id.
Recorded requests never hold a key, a secret, a body, a query string or the database id. Needs
``flask-debugtoolbar`` (a development dependency, not an extra of onyx-py).
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_debugtoolbar.panels import DebugPanel
from jinja2 import Environment

from onyx_database import RecordedRequest

from ._extension import get_recorded_requests

__all__ = ["OnyxDebugPanel"]

_TEMPLATE = """\
{% if not recording %}
<p>Onyx request recording is off for this app: set
<code>app.config["ONYX_RECORD_REQUESTS"] = True</code> (the default under DEBUG or TESTING).</p>
{% elif not requests %}
<p>No Onyx request in this page.</p>
{% else %}
<table class="flDebugTablesorter">
  <thead><tr>
    <th>#</th><th>Method</th><th>Path</th><th>Status</th><th>Time (ms)</th><th>Table</th>
    <th>Operation</th><th>Records</th><th>Bytes</th><th>Request id</th>
  </tr></thead>
  <tbody>
  {% for r in requests %}
    <tr class="{{ loop.cycle('flDebugOdd', 'flDebugEven') }}">
      <td>{{ loop.index }}</td><td>{{ r.method }}</td><td>{{ r.path }}</td>
      <td>{{ r.status if r.status is not none else "no answer" }}</td>
      <td>{{ "%.2f"|format(r.duration * 1000) }}</td><td>{{ r.table or "" }}</td>
      <td>{{ r.operation }}</td>
      <td>{{ r.records if r.records is not none else "" }}</td><td>{{ r.response_bytes }}</td>
      <td>{{ r.request_id or "" }}</td>
    </tr>
  {% endfor %}
  </tbody>
</table>
<p>{{ requests|length }} requests, {{ "%.2f"|format(total * 1000) }} ms in total.</p>
{% endif %}
"""

_environment = Environment(autoescape=True)


class OnyxDebugPanel(DebugPanel):
    """The "Onyx" panel: the page's Onyx requests (see the module's docstring)."""

    name = "Onyx"

    @property
    def has_content(self) -> bool:  # type: ignore[override]
        return True

    @staticmethod
    def _requests() -> list[RecordedRequest]:
        return get_recorded_requests()

    def nav_title(self) -> str:
        return "Onyx"

    def nav_subtitle(self) -> str:
        requests = self._requests()
        total = sum(r.duration for r in requests)
        noun = "request" if len(requests) == 1 else "requests"
        return f"{len(requests)} {noun} in {total * 1000:.2f} ms"

    def title(self) -> str:
        return "Onyx requests"

    def url(self) -> str:
        return ""

    def content(self) -> str:
        requests = self._requests()
        context: dict[str, Any] = {
            "recording": bool(current_app.config.get("ONYX_RECORD_REQUESTS")),
            "requests": requests,
            "total": sum(r.duration for r in requests),
        }
        return _environment.from_string(_TEMPLATE).render(**context)
