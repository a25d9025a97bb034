"""Describe the public surface of an ``onyx_database`` as JSON (run in either SDK's venv).

``python signatures_script.py`` (in ``.venv-official``) prints the official 2.5.2 surface:
for each role (the client, builders, cascade, AI objects, results, facades, module exports,
``onyx_database.errors``, the four ``onyx_database.helpers`` modules) every public member, as
its parameters (name, kind, has a default) or, for a value, its kind.
``test_official_signatures.py`` imports :func:`describe` to build the same description of this
SDK in-process and compares the two.
"""

from __future__ import annotations

import enum
import inspect
import json
import sys
from typing import Any

Description = dict[str, Any]


def describe_callable(obj: Any) -> Description:
    try:
        signature = inspect.signature(obj)
    except (TypeError, ValueError):
        return {"kind": "callable", "params": None}
    params = [
        [p.name, p.kind.name, p.default is not inspect.Parameter.empty]
        for p in signature.parameters.values()
        if p.name not in ("self", "cls")
    ]
    return {"kind": "callable", "params": params}


def describe_value(obj: Any) -> Description:
    if inspect.isclass(obj):
        if issubclass(obj, enum.Enum):
            return {"kind": "enum", "values": sorted(str(m.value) for m in obj)}
        return {"kind": "class"}
    if inspect.ismodule(obj):
        return {"kind": "module"}
    if getattr(obj, "__origin__", None) is not None:
        return {"kind": "type alias"}
    if callable(obj):
        return describe_callable(obj)
    if isinstance(obj, (int, float, str, bool)) or obj is None:
        return {"kind": "constant", "value": obj}
    return {"kind": type(obj).__name__}


def describe_members(cls: Any) -> dict[str, Description]:
    out: dict[str, Description] = {}
    for name in dir(cls):
        if name.startswith("_"):
            continue
        member = inspect.getattr_static(cls, name)
        if isinstance(member, property):
            out[name] = {"kind": "property"}
        elif isinstance(member, (staticmethod, classmethod)):
            out[name] = describe_callable(getattr(cls, name))
        elif inspect.isfunction(member):
            out[name] = describe_callable(member)
    return out


def describe_module(module: Any, names: list[str]) -> dict[str, Description]:
    return {name: describe_value(getattr(module, name)) for name in names}


def describe(roles: dict[str, Any], modules: dict[str, tuple[Any, list[str]]]) -> Description:
    """``roles``: role name -> class; ``modules``: role name -> (module, exported names)."""
    out: Description = {role: describe_members(cls) for role, cls in roles.items()}
    for role, (module, names) in modules.items():
        out[role] = describe_module(module, names)
    return out


def official_surface() -> Description:
    import importlib

    import onyx_database

    def module(name: str) -> Any:
        return importlib.import_module(f"onyx_database.{name}")

    onyx, onyx_async = module("onyx"), module("onyx_async")
    query_builder, query_builder_async = module("query_builder"), module("query_builder_async")
    query_results, query_results_async = module("query_results"), module("query_results_async")

    roles = {
        "facade": onyx.OnyxFacade,
        "async_facade": onyx_async.OnyxAsyncFacade,
        "client": onyx.OnyxDatabase,
        "async_client": onyx_async.OnyxDatabaseAsync,
        "query": query_builder.QueryBuilder,
        "async_query": query_builder_async.AsyncQueryBuilder,
        "cascade": onyx._Cascade,
        "async_cascade": onyx_async._CascadeAsync,
        "ai": onyx._AiNamespace,
        "async_ai": onyx_async._AiNamespaceAsync,
        "chat_client": onyx._AiChatClient,
        "async_chat_client": onyx_async._AiChatClientAsync,
        "results": query_results.QueryResults,
        "async_results": query_results_async.AsyncQueryResults,
    }
    errors = module("errors")
    error_names = [n for n in dir(errors) if n.startswith("Onyx")]
    modules = {
        "exports": (onyx_database, list(onyx_database.__all__)),
        "errors": (errors, error_names),
    }
    for name in HELPER_MODULES:
        helpers = module(name)
        modules[name] = (helpers, [n for n in dir(helpers) if is_own_public(helpers, n)])
    return describe(roles, modules)


HELPER_MODULES = [
    "helpers.aggregates",
    "helpers.candidate_search",
    "helpers.conditions",
    "helpers.sort",
]


def is_own_public(module: Any, name: str) -> bool:
    """A public name of the SDK's own (not ``typing.Any`` or ``math`` imported by the module)."""
    value = getattr(module, name)
    if name.startswith("_") or inspect.ismodule(value):
        return False
    if isinstance(value, int) and name.isupper():
        return True
    return str(getattr(value, "__module__", "")).startswith("onyx_database")


if __name__ == "__main__":
    json.dump(official_surface(), sys.stdout, indent=1, sort_keys=True)
