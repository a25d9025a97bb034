# ruff: noqa: S608  (SQL text only ever holds quoted identifiers and compiled placeholders)
"""Running parsed queries: scope, resolvers, sub-queries, full-text, result shapes (section 5.5).

An :class:`Executor` reads through a :class:`Reader` (the storage's pooled readers, or the writer
of an open transaction so that update and delete queries see what they change). Sub-queries and
resolver scripts run in a nested executor one level deeper; past :data:`MAX_DEPTH` the request
fails with 400 instead of recursing forever.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import sqlite3
from array import array
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass
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
    sort_records,
)
from ._errors import ApiError, bad_request, not_found
from ._functions import Selection, aggregate, apply_scalar
from ._records import render
from ._schema import PARTITION_COLUMN, Entity, Schema
from ._script import CONDITIONS, ArrayLiteral, Call, Chain, Literal, Node, This, parse_script
from ._search import fallback_expression, translate
from ._sql import Order, Where, compile_order, compile_where, keyset_phases, q
from ._storage import decode, fts_column, select_columns, wire_row
from ._values import CoercionError, coerce_for_save, to_wire

__all__ = ["MAX_DEPTH", "Executor", "Reader", "table_not_found"]

MAX_DEPTH: Final = 12
Row = tuple[str, dict[str, Any]]


class Reader(Protocol):
    """Where rows come from: :class:`~._storage.Storage` or an open :class:`~._storage.Writer`."""

    def rows(self, sql: str, params: Sequence[Any] = ()) -> Generator[tuple[Any, ...]]: ...

    def search(self, entity: Entity, expression: str) -> list[tuple[str, str, float]]: ...


class _Everything(Mapping[tuple[str, str], float]):
    """The hits of an empty search text: every record, score 0."""

    def __getitem__(self, key: tuple[str, str]) -> float:
        return 0.0

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(())

    def __len__(self) -> int:
        return 0


_Hit = tuple[int, Row]  # (rowid, row)


@dataclass(frozen=True)
class _Plan:
    """How one query reads: the compiled WHERE and ORDER BY (``None``: sort in Python), the
    resolvers and searches to add to each record, and the Python predicate for what SQL left
    undecided (``None`` when SQL decides alone)."""

    entity: Entity
    where: Where
    order: Order | None
    names: tuple[str, ...]
    searches: tuple[FullText, ...]
    residual: Callable[[Mapping[str, Any]], bool] | None

    @property
    def columns(self) -> tuple[str, ...]:
        """The names of the selected columns (rowid, partition, attributes)."""
        return ("rowid", PARTITION_COLUMN, *self.entity.attributes)


def _stale() -> ApiError:
    return not_found("nextPage token is invalid or expired")


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
        rows = child.select(entity, query, limited=True)
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

    def _plan(self, entity: Entity, query: Query, *, ordered: bool = True) -> _Plan:
        scope = query.partition if entity.partition else None
        if scope is None:
            scope = partition_shortcut(entity, query.conditions)
        where = compile_where(entity, query, scope)
        order = compile_order(entity, query.sort) if ordered else None
        names = self._referenced_resolvers(entity, query)
        searches = [c.value for c in criteria(query.conditions) if isinstance(c.value, FullText)]
        residual = None if where.exact else matches(query.conditions)
        return _Plan(entity, where, order, tuple(names), tuple(searches), residual)

    def _candidates(
        self, plan: _Plan, after: Sequence[Any] | None = None, *, decoded: bool = True
    ) -> Generator[tuple[tuple[Any, ...], Row]]:
        """Matching rows as ``(raw row, (partition, record))``, in the plan's SQL order; the raw
        row starts with the rowid. Rows are decoded one at a time as SQLite yields them; with
        ``decoded=False`` rows SQL decided alone are not decoded at all (record ``{}``)."""
        entity = plan.entity
        base = (
            f"SELECT rowid, {select_columns(entity)} FROM {q(entity.name)} WHERE {plan.where.sql}"
        )
        order = "" if plan.order is None else f" ORDER BY {plan.order.sql()}"
        phases: list[tuple[str, tuple[Any, ...]]] = [("", ())]
        if after is not None and plan.order is not None:
            phases = [(f" AND {t[0]}", t[1]) for t in keyset_phases(plan.order, after)]
        augment = bool(plan.names or plan.searches)
        raw_only = not decoded and plan.residual is None and not augment
        for extra, extra_params in phases:
            sql, params = base + extra + order, plan.where.params + extra_params
            with contextlib.closing(self.reader.rows(sql, params)) as cursor:
                for raw in cursor:
                    if raw_only:
                        yield raw, ("", {})
                        continue
                    partition, record = decode(entity, raw[1:])
                    if augment:
                        record = self._augment(plan, record)
                    if plan.residual is not None and not plan.residual(record):
                        continue
                    yield raw, (partition, record)

    def _augment(self, plan: _Plan, record: dict[str, Any]) -> dict[str, Any]:
        extra = dict(record)
        for name in plan.names:
            extra[name] = self.resolve(plan.entity, record, name)
        if plan.searches:
            scores = [s for s in (f.score(record) for f in plan.searches) if s is not None]
            extra[SCORE_FIELD] = max(scores) if scores else None
        return extra

    def _ordered(self, entity: Entity, query: Query, limit: int | None = None) -> list[_Hit]:
        plan = self._plan(entity, query)
        hits = plan.order is not None
        rows: list[_Hit] = []
        candidates = self._candidates(plan)
        with contextlib.closing(candidates):
            for raw, row in candidates:
                if hits and limit is not None and len(rows) >= limit:
                    break
                rows.append((raw[0], row))
        if plan.order is None:
            # A sort SQL cannot express (functions, resolvers, score): sort in Python.
            by_row = {id(row): rowid for rowid, row in rows}
            ordered = sort_records(entity, [row for _, row in rows], query.sort)
            rows = [(by_row[id(row)], row) for row in ordered]
            if limit is not None:
                rows = rows[:limit]
        return rows

    def matching(self, entity: Entity, query: Query, limit: int | None = None) -> list[Row]:
        """The matching rows in sort order, at most ``limit`` (records may carry resolver values
        and ``__score__``)."""
        return [row for _, row in self._ordered(entity, query, limit)]

    def rowids(self, entity: Entity, query: Query) -> array[int]:
        """The SQLite rowids of the matching rows in order, honouring ``limit`` (update and
        delete queries: eight bytes per match, whatever the records weigh)."""
        if query.sort or query.limit is not None:
            return array("q", (rowid for rowid, _ in self._ordered(entity, query, query.limit)))
        plan = self._plan(entity, query, ordered=False)
        candidates = self._candidates(plan)
        with contextlib.closing(candidates):
            return array("q", (raw[0] for raw, _ in candidates))

    def count(self, entity: Entity, query: Query) -> int:
        """The number of matching records (``limit`` ignored, as the engine does)."""
        plan = self._plan(entity, query, ordered=False)
        if plan.residual is None:
            sql = f"SELECT COUNT(*) FROM {q(entity.name)} WHERE {plan.where.sql}"
            with contextlib.closing(self.reader.rows(sql, plan.where.params)) as cursor:
                return int(next(cursor)[0])
        candidates = self._candidates(plan)
        with contextlib.closing(candidates):
            return sum(1 for _ in candidates)

    def _count_upto(self, plan: _Plan, limit: int | None) -> int:
        if plan.residual is not None:
            candidates = self._candidates(plan)
            with contextlib.closing(candidates):
                return sum(1 for _ in itertools.islice(candidates, limit))
        sql = (
            f"SELECT COUNT(*) FROM (SELECT 1 FROM {q(plan.entity.name)}"
            f" WHERE {plan.where.sql} LIMIT ?)"
        )
        params = (*plan.where.params, -1 if limit is None else limit)
        with contextlib.closing(self.reader.rows(sql, params)) as cursor:
            return int(next(cursor)[0])

    def page(
        self,
        entity: Entity,
        query: Query,
        size: int,
        state: Mapping[str, Any] | None,
        *,
        total: bool = True,
    ) -> tuple[list[Any], dict[str, Any] | None, int]:
        """One page of a query: its records, the state of the next page (``None`` on the last)
        and the total number of results (``limit`` applied).

        Entity and plain projection queries page by keyset: the state holds the sort position
        of the last row returned, so a page costs the same at any depth and rows inserted or
        deleted meanwhile shift nothing. Other shapes (aggregates, groups, distinct, sorts SQL
        cannot express) are computed whole and paged by offset."""
        plan = self._plan(entity, query) if self.keyset(entity, query) else None
        if plan is None or plan.order is None:
            if state is not None and "o" not in state:
                raise _stale()
            offset = 0 if state is None else int(state["o"])
            rows = self.select(entity, query, limited=True)
            if query.limit is not None:
                rows = rows[: query.limit]
            end = offset + size
            return rows[offset:end], ({"o": end} if end < len(rows) else None), len(rows)
        if state is not None and ("k" not in state or len(state["k"]) != len(plan.order.sources)):
            raise _stale()
        seen = 0 if state is None else int(state["n"])
        remaining = size if query.limit is None else min(size, query.limit - seen)
        found: list[tuple[tuple[Any, ...], Row]] = []
        # Plain records SQL decided alone go from the row to the wire in one pass.
        direct = not query.selections and not query.resolvers
        if remaining > 0:
            after = None if state is None else state["k"]
            candidates = self._candidates(plan, after, decoded=not direct)
            with contextlib.closing(candidates):
                found = list(itertools.islice(candidates, remaining + 1))
        more = len(found) > remaining and (query.limit is None or seen + remaining < query.limit)
        found = found[:remaining]
        if state is not None:
            results = int(state["t"])
        elif more and total:
            results = self._count_upto(plan, query.limit)
        else:
            results = len(found)
        following: dict[str, Any] | None = None
        if more:
            following = {
                "k": self._position(plan, found[-1][0]),
                "n": seen + len(found),
                "t": results,
            }
        if direct:
            return [self._wire(plan, raw, row) for raw, row in found], following, results
        return [self._shape(entity, query, row) for _, row in found], following, results

    @staticmethod
    def _wire(plan: _Plan, raw: tuple[Any, ...], row: Row) -> dict[str, Any]:
        return render(plan.entity, row[1]) if row[1] else wire_row(plan.entity, raw[1:])

    @staticmethod
    def keyset(entity: Entity, query: Query) -> bool:
        """Whether :meth:`page` pages this query by keyset (else by offset over the whole)."""
        plain = not query.group_by and not query.distinct
        plain = plain and not any(s.is_aggregate for s in query.selections)
        return plain and compile_order(entity, query.sort) is not None

    @staticmethod
    def _position(plan: _Plan, raw: Sequence[Any]) -> list[Any]:
        assert plan.order is not None
        columns = {name: index for index, name in enumerate(plan.columns)}
        position = []
        for name, presence in plan.order.sources:
            value = raw[columns[name]]
            position.append(int(value is not None) if presence else value)
        return position

    def _shape(self, entity: Entity, query: Query, row: Row) -> Any:
        record = row[1]
        if query.selections:
            return self._project(entity, record, query.selections)
        wire = render(entity, record)
        if query.resolvers:
            self.attach(entity, wire, record, query.resolvers)
        return wire

    # -- shapes ----------------------------------------------------------------------------------
    def select(self, entity: Entity, query: Query, *, limited: bool = False) -> list[Any]:
        """The result rows of a query in order, before paging; ``limited`` applies ``limit``
        (reading no further than it when the rows come straight from SQL)."""
        simple = not query.group_by and not query.distinct
        simple = simple and not any(s.is_aggregate for s in query.selections)
        rows = self.matching(entity, query, query.limit if limited and simple else None)
        if not query.selections and not query.group_by:
            out = [render(entity, record) for _, record in rows]
            if query.resolvers:
                for wire, (_, record) in zip(out, rows, strict=True):
                    self.attach(entity, wire, record, query.resolvers)
            return out[: query.limit] if limited and query.limit is not None else out
        has_aggregate = any(s.is_aggregate for s in query.selections)
        if not query.group_by and not has_aggregate:
            projected = [self._project(entity, record, query.selections) for _, record in rows]
            projected = _dedupe(projected) if query.distinct else projected
            return projected[: query.limit] if limited and query.limit is not None else projected
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
        shaped = _dedupe(shaped) if query.distinct else shaped
        return shaped[: query.limit] if limited and query.limit is not None else shaped

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
        rows = self.select(entity, query, limited=True)
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
