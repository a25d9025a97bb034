"""One ``AuditLog`` record per write of a member, as the Django example does with signals."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from . import onyx


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def record(action: str, user: dict[str, Any]) -> dict[str, Any]:
    entry = {
        "id": f"audit-{uuid.uuid4().hex[:12]}",
        "action": action,
        "resource": "User",
        "targetId": user["id"],
        "status": "ok",
        "changes": {"username": user.get("username")},
        "dateTime": now(),
    }
    return onyx.db.save("AuditLog", entry)
