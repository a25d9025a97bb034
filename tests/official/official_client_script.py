"""Runs inside .venv-official with the official ``onyx-database`` 2.5.2 SDK (not ours).

Reads the Onyx Local config from ONYX_CONFIG_PATH, exercises save / find / query / page / count
with the wire format given as argv[1], and prints one JSON document with what it observed.
"""

from __future__ import annotations

import json
import sys

from onyx_database import asc, desc, eq, gte, onyx


def user(i: int) -> dict[str, object]:
    return {
        "id": f"official_{i:02d}",
        "username": f"official-user-{i:02d}",
        "email": f"u{i}@example.com",
        "isActive": i % 2 == 0,
        "createdAt": f"2026-01-{i + 1:02d}T10:00:00.000Z",
        "updatedAt": "2026-02-01T10:00:00.000Z",
        "lastLoginAt": None,
        "deletedAt": None,
    }


def main() -> int:
    wire_format = sys.argv[1]
    db = onyx.init(wire_format=wire_format)
    out: dict[str, object] = {"module": onyx.__class__.__module__}
    saved = db.save("User", user(0))
    out["saved_one"] = saved["id"]
    saved_many = db.save("User", [user(i) for i in range(1, 7)])
    out["saved_many"] = [r["id"] for r in saved_many]
    db.batch_save("User", [user(i) for i in range(7, 12)], batch_size=2)
    found = db.find_by_id("User", "official_03")
    out["found"] = {"id": found["id"], "username": found["username"], "isActive": found["isActive"]}
    out["missing"] = db.find_by_id("User", "nope")
    active = db.from_table("User").where(eq("isActive", True)).order_by(desc("username")).list()
    out["active_desc"] = [r["id"] for r in active]
    since = db.from_table("User").where(gte("createdAt", "2026-01-05T00:00:00.000Z"))
    out["count_since"] = since.count()
    pages = []
    by_id = db.from_table("User").order_by(asc("id"))
    page = by_id.page(page_size=5)
    pages.append([r["id"] for r in page["records"]])
    while page.get("nextPage"):
        page = db.from_table("User").order_by(asc("id")).page(5, page["nextPage"])
        pages.append([r["id"] for r in page["records"]])
    out["pages"] = pages
    out["count_all"] = db.from_table("User").count()
    db.delete("User", "official_00")
    out["count_after_delete"] = db.from_table("User").count()
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
