"""The official SDK's ``onyx_database.helpers`` modules, for code that imports from them.

Each module re-exports this SDK's helpers under the official module path (the same functions
as ``onyx_database``'s)::

    from onyx_database.helpers.conditions import contains_ignore_case, eq

>>> from onyx_database.helpers import conditions
>>> conditions.contains_ignore_case("name", "ADA")["operator"]
'CONTAINS_IGNORE_CASE'
"""
