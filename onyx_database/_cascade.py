"""Cascade specs: parsing, validation and the immutable relationship builder (no I/O).

A save cascade spec is ``attribute:TargetType(targetField, sourceField)``: save the children held
in the parent's ``attribute`` into ``TargetType``, setting each child's ``targetField`` to the
parent's ``sourceField``. A delete cascade names resolvers (``rolePermissions``). Specs are
normalised to the canonical form ``userRoles:UserRole(userId, id)`` and checked when they are
given, so a typo fails before anything is sent.

>>> cascade_specs(["userRoles:UserRole(userId,id)", "rolePermissions"])
('userRoles:UserRole(userId, id)', 'rolePermissions')
>>> str(CascadeRelationshipBuilder().graph("userRoles").graph_type("UserRole")
...     .target_field("userId").source_field("id"))
'userRoles:UserRole(userId, id)'
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from ._errors import OnyxUsageError

__all__ = ["CascadeRelationshipBuilder", "cascade_specs", "parse_cascade_spec"]

_IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
_IDENT_RE = re.compile(rf"{_IDENT}\Z")
_GRAPH_RE = re.compile(
    rf"\s*({_IDENT})\s*:\s*({_IDENT})\s*\(\s*({_IDENT})\s*,\s*({_IDENT})\s*\)\s*\Z"
)
_RESOLVER_RE = re.compile(rf"\s*({_IDENT}(?:\.{_IDENT})*)\s*\Z")


def parse_cascade_spec(spec: str) -> str:
    """One spec in canonical form; :class:`OnyxUsageError` if it is neither a graph spec
    (``a:B(c, d)``) nor a resolver name (``a`` or ``a.b``).

    >>> parse_cascade_spec(" userRoles : UserRole( userId ,id ) ")
    'userRoles:UserRole(userId, id)'
    """
    if not isinstance(spec, str):
        raise OnyxUsageError(f"a cascade spec must be a string, got {type(spec).__name__}")
    graph = _GRAPH_RE.match(spec)
    if graph:
        attribute, target_type, target_field, source_field = graph.groups()
        return f"{attribute}:{target_type}({target_field}, {source_field})"
    resolver = _RESOLVER_RE.match(spec)
    if resolver:
        return resolver.group(1)
    raise OnyxUsageError(
        f"invalid cascade spec {spec!r}: expected 'attribute:TargetType(targetField, "
        "sourceField)' (e.g. 'userRoles:UserRole(userId, id)') or a resolver name"
    )


def _split_top_level(text: str) -> list[str]:
    parts: list[str] = []
    depth = 0
    start = 0
    for index, char in enumerate(text):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(text[start:index])
            start = index + 1
    parts.append(text[start:])
    return parts


def cascade_specs(
    specs: Iterable[str | CascadeRelationshipBuilder] | str | CascadeRelationshipBuilder | None,
) -> tuple[str, ...]:
    """Every spec in canonical form. A string may hold several specs separated by commas outside
    parentheses (``"a:B(c, d), e"``); builders are built.

    >>> cascade_specs("userRoles:UserRole(userId, id), rolePermissions")
    ('userRoles:UserRole(userId, id)', 'rolePermissions')
    """
    if specs is None:
        return ()
    items: Iterable[str | CascadeRelationshipBuilder] = (
        [specs] if isinstance(specs, str | CascadeRelationshipBuilder) else specs
    )
    out: list[str] = []
    for item in items:
        if isinstance(item, CascadeRelationshipBuilder):
            out.append(item.build())
            continue
        if not isinstance(item, str):
            raise OnyxUsageError(
                f"a cascade spec must be a string or a cascade builder, got {type(item).__name__}"
            )
        pieces = [piece for piece in _split_top_level(item) if piece.strip()]
        if not pieces:
            raise OnyxUsageError(f"empty cascade spec {item!r}")
        out.extend(parse_cascade_spec(piece) for piece in pieces)
    return tuple(out)


def _ident(value: object, part: str) -> str:
    if not isinstance(value, str) or not _IDENT_RE.match(value):
        raise OnyxUsageError(
            f"cascade {part} must be an identifier ([A-Za-z_][A-Za-z0-9_]*), got {value!r}"
        )
    return value


@dataclass(frozen=True, slots=True)
class CascadeRelationshipBuilder:
    """Builds ``graph:GraphType(targetField, sourceField)`` one named part at a time.

    Immutable: each call returns a new builder. Parts are checked as they are set; ``build()``
    (or ``str()``) names any part still missing. Pass the builder itself to ``db.cascade(...)``.

    >>> spec = (CascadeRelationshipBuilder().graph("permissions").graph_type("Permission")
    ...         .target_field("roleId").source_field("id"))
    >>> spec.build()
    'permissions:Permission(roleId, id)'
    """

    graph_name: str | None = None
    type_name: str | None = None
    target: str | None = None
    source: str | None = None

    def graph(self, name: str) -> CascadeRelationshipBuilder:
        """The parent attribute that holds the children. ``.graph("userRoles")``"""
        return replace(self, graph_name=_ident(name, "graph"))

    def graph_type(self, table: str) -> CascadeRelationshipBuilder:
        """The children's table. ``.graph_type("UserRole")``"""
        return replace(self, type_name=_ident(table, "graph_type"))

    def target_field(self, field: str) -> CascadeRelationshipBuilder:
        """The foreign key on the child. ``.target_field("userId")``"""
        return replace(self, target=_ident(field, "target_field"))

    def source_field(self, field: str) -> CascadeRelationshipBuilder:
        """The parent field copied into the child's key. ``.source_field("id")``"""
        return replace(self, source=_ident(field, "source_field"))

    def build(self) -> str:
        """The spec string; :class:`OnyxUsageError` naming the parts not set yet."""
        missing = [
            name
            for name, value in (
                ("graph", self.graph_name),
                ("graph_type", self.type_name),
                ("target_field", self.target),
                ("source_field", self.source),
            )
            if value is None
        ]
        if missing:
            raise OnyxUsageError(f"cascade builder is missing: {', '.join(missing)}")
        return f"{self.graph_name}:{self.type_name}({self.target}, {self.source})"

    def __str__(self) -> str:
        return self.build()
