"""Cascade builder: the same cascade spec built one named part at a time."""

from __future__ import annotations

from _seed import NOW, connect, expect, seed_rbac

with connect() as db:
    seed_rbac(db)
    spec = (
        db.cascade_builder()
        .graph("rolePermissions")
        .graph_type("RolePermission")
        .target_field("roleId")
        .source_field("id")
    )
    print(f"spec: {spec}")
    expect(str(spec), "rolePermissions:RolePermission(roleId, id)", "built spec")
    role = {
        "id": "role-auditor",
        "name": "Auditor",
        "isSystem": False,
        "createdAt": NOW,
        "updatedAt": NOW,
        "rolePermissions": [
            {"id": "role-auditor:perm-read", "permissionId": "perm-read", "createdAt": NOW}
        ],
    }
    db.cascade(spec).save("Role", role)
    auditor = db.find_by_id("Role", "role-auditor", resolvers=["permissions"])
    assert auditor is not None
    names = [permission["name"] for permission in auditor["permissions"]]
    print(f"auditor permissions: {names}")
    expect(names, ["read"], "permissions linked by the cascade")
