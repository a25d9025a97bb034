"""The live page: new ``AuditLog`` records as server-sent events, from Onyx's change stream."""

from __future__ import annotations

import json
import queue
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, render_template, url_for

from onyx_database import ChangeBridge, desc, gte

from . import onyx

bp = Blueprint("live", __name__)
KEEP_ALIVE_SECONDS = 10.0


@bp.get("/")
def page() -> str:
    entries = onyx.db.from_table("AuditLog").order_by(desc("dateTime")).limit(15).list()
    return render_template("live.html", entries=entries)


@bp.get("/events")
def events() -> Response:
    client = onyx.client  # the app's pooled client: usable after the request's context ends
    detail_url = url_for("people.detail", user_id="__id__")
    changes: queue.SimpleQueue[dict[str, Any]] = queue.SimpleQueue()
    since = datetime.now(UTC)
    query = client.from_table("AuditLog").where(gte("dateTime", since))

    def deliver(action: str, record: Any) -> None:
        if action == "CREATE":
            changes.put(record)

    def stream() -> Iterator[str]:
        bridge = ChangeBridge(query, deliver).start()
        try:
            bridge.wait_connected(10)
            yield "retry: 2000\n\n"  # subscribed: the page's EventSource "open" means live
            while bridge.is_running:
                try:
                    entry = changes.get(timeout=KEEP_ALIVE_SECONDS)
                except queue.Empty:
                    yield ": keep-alive\n\n"
                    continue
                target = entry.get("targetId")
                data = {
                    "id": entry["id"],
                    "action": entry.get("action"),
                    "targetId": target,
                    "username": (entry.get("changes") or {}).get("username"),
                    "dateTime": entry["dateTime"],
                    "url": detail_url.replace("__id__", target)
                    if target and entry.get("action") != "DELETE"
                    else None,
                }
                yield f"event: audit\ndata: {json.dumps(data, default=str)}\n\n"
        finally:
            bridge.cancel()

    return Response(
        stream(),
        mimetype="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
