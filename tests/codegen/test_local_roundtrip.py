"""Generated models against real records: saved and read back through the SDK on Onyx Local."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import pytest

import onyx_database
from onyx_database.codegen import generate_package, write_package

from .helpers import EXAMPLE_SCHEMA, load


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    root = tmp_path_factory.mktemp("roundtrip")
    write_package(generate_package(load(EXAMPLE_SCHEMA), package="rt_models"), root / "rt_models")
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module("rt_models")
    finally:
        sys.path.remove(str(root))
        for name in [n for n in sys.modules if n == "rt_models" or n.startswith("rt_models.")]:
            del sys.modules[name]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[onyx_database.OnyxDatabase]:
    from onyx_database.local import LocalServer

    with (
        LocalServer(tmp_path_factory.mktemp("roundtrip-db"), schema=EXAMPLE_SCHEMA) as server,
        onyx_database.init(config_path=str(server.config_path)) as client,
    ):
        yield client


def test_records_from_onyx_local_validate(
    db: onyx_database.OnyxDatabase, models: ModuleType
) -> None:
    now = datetime(2024, 5, 1, 12, 30, tzinfo=UTC)
    db.save(
        "User",
        {
            "id": "u1",
            "username": "ann",
            "email": "ann@example.com",
            "isActive": True,
            "createdAt": now.isoformat(),
            "updatedAt": now.isoformat(),
        },
    )
    db.save(
        "UserProfile",
        {
            "id": "p1",
            "userId": "u1",
            "firstName": "Ann",
            "lastName": "Lee",
            "age": 33,
            "address": {"city": "Oslo"},
            "createdAt": now.isoformat(),
        },
    )
    raw = db.find_by_id("User", "u1")
    user = models.User.model_validate(raw)
    assert user.username == "ann" and user.createdAt == now and user.deletedAt is None
    profile = models.UserProfile.model_validate(db.find_by_id("UserProfile", "p1"))
    assert profile.address == {"city": "Oslo"} and profile.age == 33
    for row in db.from_table("User").list():
        models.User.model_validate(row)
    # resolvers come back typed
    with_profile = db.find_by_id("User", "u1", resolvers=["profile"])
    typed = models.User.model_validate(with_profile)
    assert isinstance(typed.profile, models.UserProfile) and typed.profile.firstName == "Ann"


def test_client_returns_and_accepts_models(
    db: onyx_database.OnyxDatabase, models: ModuleType
) -> None:
    tables = models.tables
    now = datetime(2024, 6, 1, tzinfo=UTC)
    role = models.Role(id="r1", name="admin", isSystem=False, createdAt=now, updatedAt=now)
    db.save(tables.Role, role)
    roles = db.from_table(tables.Role).list()
    assert roles and all(isinstance(r, models.Role) for r in roles)
    assert roles[0].name == "admin" and roles[0].createdAt == now
    found = db.find_by_id(tables.Role, "r1")
    assert isinstance(found, models.Role)
    first = db.from_table(tables.Role).first_or_none()
    assert isinstance(first, models.Role)


def test_models_dump_wire_names(models: ModuleType, tmp_path: Path) -> None:
    assert models.User.model_fields["id"].is_required()
    assert (
        "email"
        in models.User(
            id="x",
            username="u",
            email="e",
            isActive=True,
            createdAt=datetime.now(UTC),
            updatedAt=datetime.now(UTC),
        ).model_dump()
    )
