"""pytest support for projects that use Onyx: fixtures backed by a real Onyx Local server.

The plugin registers itself through the ``pytest11`` entry point, so installing ``onyx-py[local]``
makes these fixtures available in every test suite:

- ``onyx_server``: a session-wide :class:`~onyx_database.local.LocalServer` on a free port of
  127.0.0.1, with a temporary data directory and the schema named by the ``onyx_schema`` ini
  option (or ``./onyx.schema.json`` when it exists).
- ``onyx_db``: a configured :class:`~onyx_database.OnyxDatabase`; every table is emptied before
  the test, so tests never see each other's data.
- ``onyx_async_db``: the same for :class:`~onyx_database.AsyncOnyxDatabase`; an
  ``async def`` test using it needs no marker (it runs on anyio's pytest plugin; tests marked
  ``anyio``, ``asyncio`` or ``trio`` are left to their plugin).
- ``onyx_publish_schema``: a function that publishes a schema document to the server.

Example ``pytest.ini``::

    [pytest]
    onyx_schema = onyx.schema.json

Example test::

    def test_save_and_find(onyx_db):
        onyx_db.save("User", {"id": "u1", "email": "a@example.com"})
        assert onyx_db.find_by_id("User", "u1")["email"] == "a@example.com"
"""

from __future__ import annotations

__all__: list[str] = []
