"""The public surface of onyx_django (update it when you add public names) and the docstring
examples of the queryset-side modules."""

from __future__ import annotations

import doctest
import importlib

import pytest

import onyx_django

PUBLIC = {
    "DEFAULT_ALIAS", "LOOKUPS", "ConnectionHandler", "MultipleObjectsReturned",
    "NotSupportedError", "ObjectDoesNotExist", "OnyxDataError", "OnyxIntegrityError",
    "OnyxManager", "OnyxModel", "OnyxModelOptions", "OnyxQuerySet", "connections", "db",
    "listen", "manager_for", "RelationChanges", "asave_with_children", "save_with_children",
    "CascadeRelation", "cascade_relation",
}  # fmt: skip


def test_public_surface_is_locked() -> None:
    assert set(onyx_django.__all__) == PUBLIC
    for name in PUBLIC:
        assert getattr(onyx_django, name) is not None


@pytest.mark.parametrize(
    "module_name",
    [
        "onyx_django._fields",
        "onyx_django._lookups",
        "onyx_django._manager",
        "onyx_django._connections",
        "onyx_django._relations",
        "onyx_django.testing",
    ],
)
def test_docstring_examples_run(module_name: str) -> None:
    module = importlib.import_module(module_name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
