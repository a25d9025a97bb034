"""The public surface of onyx_flask (update it when you add public names)."""

from __future__ import annotations

import onyx_flask

PUBLIC = {
    "Change", "EXTENSION_KEYS", "FLAT_CONFIG_KEYS", "Onyx", "OnyxJSONProvider", "Pagination",
    "get_recorded_requests", "models_committed", "onyx_signals", "record_created",
    "record_deleted", "record_updated", "records_written",
}  # fmt: skip


def test_public_surface_is_locked() -> None:
    assert set(onyx_flask.__all__) == PUBLIC
    for name in PUBLIC:
        assert getattr(onyx_flask, name) is not None
