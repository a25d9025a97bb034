"""Running parsed queries: scope, resolvers, sub-queries, full-text, result shapes (section 5.5).

An :class:`Executor` reads through a :class:`Reader` (the storage's pooled readers, or the writer
of an open transaction so that update and delete queries see what they change). Sub-queries and
resolver scripts run in a nested executor one level deeper; past :data:`MAX_DEPTH` the request
fails with 400 instead of recursing forever.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Final, Protocol

import orjson

from ._engine import (
    SCORE_FIELD,
    FullText,
    Query,
    SortKey,
    compare_nulls_first,
    criteria,
    extract,
    matches,
    parse_query,
    partition_shortcut,
    pushdown_equalities,
    sort_records,
)
from ._errors import ApiError, bad_request
from ._functions import Selection, aggregate, apply_scalar
from ._records import render
from ._schema import Entity, Schema
from ._script import CONDITIONS, ArrayLiteral, Call, Chain, Literal, Node, This, parse_script
from ._search import fallback_expression, translate
from ._storage import fts_column
from ._values import CoercionError, coerce_for_save, to_wire

__all__ = ["MAX_DEPTH", "Executor", "Reader", "table_not_found"]

MAX_DEPTH: Final = 12
Row = tuple[str, dict[str, Any]]


class Reader(Protocol):
    """Where rows come from: :class:`~._storage.Storage` or an open :class:`~._storage.Writer`."""

    def fetch(
        self, entity: Entity, partition: str | None, equals: Sequence[tuple[str, Any]] = ()
    ) -> list[Row]: ...

    def search(self, entity: Entity, expression: str) -> list[tuple[str, str, float]]: ...


class _Everything(Mapping[tuple[str, str], float]):
    """The hits of an empty search text: every record, score 0."""

    def __getitem__(self, key: tuple[str, str]) -> float:
        return 0.0

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(())

    def __len__(self) -> int:
        return 0


def table_not_found(name: str) -> ApiError:
    # A distinct code lets clients tell "no such table" from "no such record".
    return ApiError(
        404, "TABLE_NOT_FOUND", f"Table {name!r} is not defined in the published schema"
    )


def _fingerprint(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)


def _dedupe(rows: list[Any]) -> list[Any]:
    seen: set[bytes] = set()
    unique = []
    for row in rows:
        fingerprint = _fingerprint(row)
        if fingerprint not in seen:
            seen.add(fingerprint)
            unique.append(row)
    return unique


def _attr_type(entity: Entity, path: Sequence[str]) -> str | None:
    attribute = entity.attributes.get(path[0])
    return attribute.type if attribute is not None and len(path) == 1 else None


class Executor:
    """Runs SelectQueries and resolver scripts against one schema and one reader."""

    def __init__(self, schema: Schema, reader: Reader, depth: int = 0) -> None:
        self.schema = schema
        self.reader = reader
        self.depth = depth

    def entity(self, name: object) -> Entity:
        entity = self.schema.entity(name) if isinstance(name, str) else None
        if entity is None:
            raise table_not_found(str(name))
        return entity

    def _nested(self) -> Executor:
        if self.depth + 1 > MAX_DEPTH:
            raise bad_request(
                "Resolver or sub-query nesting is too deep (a resolver that refers to itself?)"
            )
        return Executor(self.schema, self.reader, self.depth + 1)

    def parse(self, entity: Entity, body: object, partition: str | None = None) -> Query:
        return parse_query(entity, body, partition, self)

    # -- runtime services for parsing ------------------------------------------------------------
    def subquery(self, raw: Mapping[str, Any]) -> list[Any]:
        """Run a nested SelectQuery and turn its rows into IN values (engine section 3.5)."""
        table = raw.get("table")
        if not isinstance(table, str) or not table:
            raise bad_request("a sub-query needs its table")
        entity = self.entity(table)
        child = self._nested()
        body = {k: v for k, v in raw.items() if k not in ("updates", "type")}
        query = child.parse(entity, body, None)
        rows = child.select(entity, query)
        if query.limit is not None:
            rows = rows[: query.limit]
        return _in_values(rows, entity.identifier)

    def full_text(
        self, entity: Entity, text: str, min_score: float | None
    ) -> Mapping[tuple[str, str], float]:
        """The hits of a full-text search on one table (none for a table that is not
        SEARCHABLE; every record for empty text)."""
        if not entity.searchable:
            return {}
        if not text.strip():
            return _Everything()

        def column(field: str) -> str | None:
            return fts_column(field) if field in entity.attributes else None

        rows: list[tuple[str, str, float]] = []
        expression = translate(text, column)
        try:
            rows = self.reader.search(entity, expression) if expression else []
        except sqlite3.OperationalError:
            fallback = fallback_expression(text)
            try:
                rows = self.reader.search(entity, fallback) if fallback else []
            except sqlite3.OperationalError:
                rows = []
        return {
            (part, key): score
            for part, key, score in rows
            if min_score is None or score >= min_score
        }

    # -- matching ----------------------------------------------------------------------------------
    def _referenced_resolvers(self, entity: Entity, query: Query) -> list[str]:
        paths = [c.path for c in criteria(query.conditions)]
        paths += [k.path for k in query.sort]
        paths += [s.path for s in (*query.selections, *query.group_by)]
        names: list[str] = []
        for path in paths:
            if path and path[0] in entity.resolvers and path[0] not in names:
                names.append(path[0])
        return names

    def matching(self, entity: Entity, query: Query) -> list[Row]:
        """The matching rows in sort order (records may carry resolver values and ``__score__``)."""
        scope = query.partition if entity.partition else None
        if scope is None:
            scope = partition_shortcut(entity, query.conditions)
        rows = self.reader.fetch(entity, scope, pushdown_equalities(query.conditions))
        names = self._referenced_resolvers(entity, query)
        searches = [c.value for c in criteria(query.conditions) if isinstance(c.value, FullText)]
        if names or searches:
            augmented = []
            for partition, record in rows:
                extra = dict(record)
                for name in names:
                    extra[name] = self.resolve(entity, record, name)
                if searches:
                    scores = [s for s in (f.score(record) for f in searches) if s is not None]
                    extra[SCORE_FIELD] = max(scores) if scores else None
                augmented.append((partition, extra))
            rows = augmented
        predicate = matches(query.conditions)
        return sort_records(entity, [row for row in rows if predicate(row[1])], query.sort)

    # -- shapes ----------------------------------------------------------------------------------
    def select(self, entity: Entity, query: Query) -> list[Any]:
        """The result rows of a query in order, before ``limit`` and paging."""
        rows = self.matching(entity, query)
        if not query.selections and not query.group_by:
            out = [render(entity, record) for _, record in rows]
            if query.resolvers:
                for wire, (_, record) in zip(out, rows, strict=True):
                    self.attach(entity, wire, record, query.resolvers)
            return out
        has_aggregate = any(s.is_aggregate for s in query.selections)
        if not query.group_by and not has_aggregate:
            projected = [self._project(entity, record, query.selections) for _, record in rows]
            return _dedupe(projected) if query.distinct else projected
        records = [record for _, record in rows]
        groups: dict[bytes, list[dict[str, Any]]] = {}
        if query.group_by:
            for record in records:
                key = _fingerprint([self._value(entity, record, g) for g in query.group_by])
                groups.setdefault(key, []).append(record)
        else:
            groups[b""] = records
        shaped = [self._group_row(entity, members, query) for members in groups.values()]
        if query.group_by and query.sort:
            shaped = _sort_maps(shaped, query.sort)
        return _dedupe(shaped) if query.distinct else shaped

    def _value(self, entity: Entity, record: Mapping[str, Any], selection: Selection) -> Any:
        value, _ = extract(record, selection.path)
        return apply_scalar(selection, value, _attr_type(entity, selection.path))

    def _project(
        self, entity: Entity, record: Mapping[str, Any], selections: Sequence[Selection]
    ) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for selection in selections:
            if selection.path == ("*",) and selection.function is None:
                out.update(render(entity, record))
                continue
            attr_type = _attr_type(entity, selection.path)
            value, _ = extract(record, selection.path)
            if selection.function is None:
                out[selection.text] = to_wire(attr_type, value) if attr_type else value
            else:
                out[selection.text] = apply_scalar(selection, value, attr_type)
        return out

    def _group_row(
        self, entity: Entity, members: list[dict[str, Any]], query: Query
    ) -> dict[str, Any]:
        if not query.selections:
            return render(entity, members[0]) if members else {}
        results: dict[str, Any] = {}
        winner: dict[str, Any] | None = None
        for selection in query.selections:
            if not selection.is_aggregate:
                continue
            attr_type = _attr_type(entity, selection.path)
            values: list[Any] = []
            owners: list[dict[str, Any]] = []
            for record in members:
                value, fans_out = extract(record, selection.path)
                items = value if fans_out and isinstance(value, list) else [value]
                if selection.path == ("*",):
                    items = [record.get(entity.identifier)]
                values += items
                owners += [record] * len(items)
            if selection.function == "count" and not query.distinct:
                values = [record.get(entity.identifier) for record in members]
            result, index = aggregate(selection, values, attr_type, distinct=query.distinct)
            if attr_type and selection.function not in ("count", "std", "variance"):
                result = to_wire(attr_type, result)
            if selection.function in ("min", "max") and index is not None:
                winner = owners[index]
            results[selection.text] = result
        source = members[0] if query.group_by and members else winner
        out: dict[str, Any] = {}
        for selection in query.selections:
            if selection.is_aggregate:
                out[selection.text] = results[selection.text]
            elif source is not None:
                out.update(self._project(entity, source, [selection]))
        return out

    # -- resolvers ---------------------------------------------------------------------------------
    def resolve(self, entity: Entity, record: Mapping[str, Any], name: str) -> Any:
        """The value of one resolver for one record (wire-form records)."""
        value, _ = self.resolve_target(entity, record, name)
        return value

    def resolve_target(
        self, entity: Entity, record: Mapping[str, Any], name: str
    ) -> tuple[Any, Entity | None]:
        script = entity.resolver_scripts.get(name)
        if script is None:
            raise bad_request(f"Resolver {name!r} is not defined on {entity.name}")
        try:
            tree = parse_script(script)
        except ValueError as error:
            raise bad_request(f"Resolver {name!r} of {entity.name} is invalid: {error}") from None
        return self._nested()._run_chain(tree, record)

    def attach(
        self,
        entity: Entity,
        wire: dict[str, Any],
        record: Mapping[str, Any],
        names: Sequence[str],
    ) -> None:
        """Attach requested resolvers (``roles``, ``roles.permissions``) to a rendered record."""
        tree: dict[str, Any] = {}
        for name in names:
            node = tree
            for part in name.split("."):
                if part:
                    node = node.setdefault(part, {})
        self._attach_tree(entity, wire, record, tree)

    def _attach_tree(
        self, entity: Entity, wire: dict[str, Any], record: Mapping[str, Any], tree: dict[str, Any]
    ) -> None:
        for name, subtree in tree.items():
            if name not in entity.resolvers:
                raise bad_request(f"Resolver {name!r} is not defined on {entity.name}")
            value, target = self.resolve_target(entity, record, name)
            wire[name] = value
            if not subtree or target is None:
                continue
            items = value if isinstance(value, list) else [value]
            nested = self._nested()
            for item in items:
                if isinstance(item, dict):
                    nested._attach_tree(target, item, dict(item), subtree)

    def _evaluate(self, node: Node, this: Mapping[str, Any]) -> Any:
        if isinstance(node, Literal):
            return node.value
        if isinstance(node, ArrayLiteral):
            return [self._evaluate(item, this) for item in node.items]
        if isinstance(node, This):
            value: Any = this
            for part in node.path:
                value = value.get(part) if isinstance(value, Mapping) else None
            return value
        if isinstance(node, Chain):
            value, target = self._nested()._run_chain(node, this)
            if isinstance(value, list) and target is not None:
                return _in_values(value, target.identifier)
            if isinstance(value, dict) and target is not None:
                return value.get(target.identifier)
            return value
        raise bad_request(f"{node.name}() is a condition, not a value")

    def _condition(self, node: Node, this: Mapping[str, Any]) -> dict[str, Any]:
        if not isinstance(node, Call) or node.name not in CONDITIONS:
            raise bad_request('where() needs a condition such as eq("field", value)')
        operator, arity = CONDITIONS[node.name]
        field = self._evaluate(node.args[0], this)
        if not isinstance(field, str):
            raise bad_request(f"{node.name}() needs a field name as its first argument")
        criterion: dict[str, Any] = {"field": field, "operator": operator}
        if arity == 2:
            criterion["value"] = self._evaluate(node.args[1], this)
        elif arity == 3:
            criterion["value"] = [self._evaluate(a, this) for a in node.args[1:]]
        condition: dict[str, Any] = {"conditionType": "SingleCondition", "criteria": criterion}
        for joiner, other in node.chained:
            condition = _join(condition, joiner, self._condition(other, this))
        return condition

    def _run_chain(self, chain: Chain, this: Mapping[str, Any]) -> tuple[Any, Entity | None]:
        entity = self.entity(chain.table)
        body: dict[str, Any] = {}
        terminal = "list"
        values_field: str | None = None
        for step in chain.steps:
            method, args = step.method, step.args
            if method in ("where", "and", "or"):
                condition = self._condition(args[0], this)
                current = body.get("conditions")
                joiner = "or" if method == "or" else "and"
                body["conditions"] = (
                    condition if current is None else _join(current, joiner, condition)
                )
            elif method in ("orderBy", "sortBy"):
                body.setdefault("sort", []).extend(self._sort(arg, this) for arg in args)
            elif method == "limit":
                body["limit"] = self._evaluate(args[0], this)
            elif method == "select":
                body["fields"] = [self._evaluate(arg, this) for arg in args]
            elif method == "distinct":
                body["distinct"] = True
            elif method == "partition":
                body["partition"] = self._evaluate(args[0], this)
            elif method == "values":
                field = self._evaluate(args[0], this)
                if not isinstance(field, str):
                    raise bad_request("values() needs a field name")
                values_field = field
            else:
                terminal = method
        query = self.parse(entity, body, None)
        rows = self.select(entity, query)
        if query.limit is not None:
            rows = rows[: query.limit]
        if terminal == "count":
            return len(rows), None
        if terminal in ("firstOrNull", "first"):
            return (rows[0] if rows else None), entity
        if values_field is not None:
            return [r.get(values_field) if isinstance(r, dict) else None for r in rows], None
        return rows, entity

    def _sort(self, node: Node, this: Mapping[str, Any]) -> dict[str, Any]:
        if isinstance(node, Call) and node.name in ("asc", "desc"):
            return {"field": self._evaluate(node.args[0], this), "order": node.name.upper()}
        return {"field": self._evaluate(node, this), "order": "ASC"}


def _join(left: dict[str, Any], joiner: str, right: dict[str, Any]) -> dict[str, Any]:
    return {
        "conditionType": "CompoundCondition",
        "operator": joiner.upper(),
        "conditions": [left, right],
    }


def _in_values(rows: Sequence[Any], identifier: str) -> list[Any]:
    """Rows as IN values: entities give identifiers, one-key maps their value (section 3.5)."""
    values: list[Any] = []
    seen: set[bytes] = set()
    for row in rows:
        value = row
        if isinstance(row, dict):
            value = next(iter(row.values())) if len(row) == 1 else row.get(identifier, row)
        if value is None:
            continue
        fingerprint = _fingerprint(value)
        if fingerprint not in seen:
            seen.add(fingerprint)
            values.append(value)
    return values


def _sort_maps(rows: list[dict[str, Any]], keys: Sequence[SortKey]) -> list[dict[str, Any]]:
    def lookup(row: dict[str, Any], key: SortKey) -> Any:
        if key.selection is not None:
            return row.get(key.selection.text)
        return row.get(".".join(key.path))

    def compare(left: dict[str, Any], right: dict[str, Any]) -> int:
        for key in keys:
            result = compare_nulls_first(lookup(left, key), lookup(right, key))
            if result:
                return -result if key.descending else result
        return 0

    return sorted(rows, key=functools.cmp_to_key(compare))


def wire_key(entity: Entity, wire: Mapping[str, Any], name: str) -> Any:
    """An attribute of a rendered record back in storage form (ids and partitions)."""
    try:
        return coerce_for_save(entity.attributes[name].type, wire.get(name))
    except CoercionError:
        return None
