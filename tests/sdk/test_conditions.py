from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from onyx_database import (
    OnyxUsageError,
    asc,
    between,
    contains,
    contains_ignore_case,
    desc,
    eq,
    gt,
    gte,
    in_op,
    is_null,
    like,
    lt,
    lte,
    matches,
    neq,
    not_between,
    not_contains,
    not_contains_ignore_case,
    not_in,
    not_like,
    not_matches,
    not_null,
    not_starts_with,
    starts_with,
)


def single(field: str, operator: str, value: Any) -> dict[str, Any]:
    return {
        "conditionType": "SingleCondition",
        "criteria": {"field": field, "operator": operator, "value": value},
    }


@pytest.mark.parametrize(
    ("condition", "operator", "value"),
    [
        (eq("f", 1), "EQUAL", 1),
        (neq("f", 1), "NOT_EQUAL", 1),
        (gt("f", 1), "GREATER_THAN", 1),
        (gte("f", 1), "GREATER_THAN_EQUAL", 1),
        (lt("f", 1), "LESS_THAN", 1),
        (lte("f", 1), "LESS_THAN_EQUAL", 1),
        (between("f", 1, 5), "BETWEEN", [1, 5]),
        (not_between("f", 1, 5), "NOT_BETWEEN", [1, 5]),
        (in_op("f", ["a", "b"]), "IN", ["a", "b"]),
        (not_in("f", ("a",)), "NOT_IN", ["a"]),
        (like("f", "x"), "LIKE", "x"),
        (not_like("f", "x"), "NOT_LIKE", "x"),
        (contains("f", "x"), "CONTAINS", "x"),
        (not_contains("f", "x"), "NOT_CONTAINS", "x"),
        (contains_ignore_case("f", "x"), "CONTAINS_IGNORE_CASE", "x"),
        (not_contains_ignore_case("f", "x"), "NOT_CONTAINS_IGNORE_CASE", "x"),
        (starts_with("f", "x"), "STARTS_WITH", "x"),
        (not_starts_with("f", "x"), "NOT_STARTS_WITH", "x"),
        (matches("f", "^x$"), "MATCHES", "^x$"),
        (not_matches("f", "^x$"), "NOT_MATCHES", "^x$"),
    ],
)
def test_every_operator_compiles_to_its_wire_string(
    condition: Any, operator: str, value: Any
) -> None:
    assert condition.to_wire() == single("f", operator, value)


def test_null_tests_carry_no_value_key() -> None:
    assert is_null("f").to_wire() == {
        "conditionType": "SingleCondition",
        "criteria": {"field": "f", "operator": "IS_NULL"},
    }
    assert not_null("f").to_wire()["criteria"] == {"field": "f", "operator": "NOT_NULL"}


def test_values_are_serialized_when_the_condition_is_built() -> None:
    when = dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    assert gt("createdAt", when).to_wire()["criteria"]["value"] == "2025-01-02T03:04:05.000Z"
    assert between("d", dt.date(2025, 1, 1), dt.date(2025, 2, 1)).to_wire()["criteria"][
        "value"
    ] == ["2025-01-01", "2025-02-01"]


def test_in_accepts_comma_strings_and_sets() -> None:
    assert in_op("s", " a, b ,,c ").to_wire()["criteria"]["value"] == ["a", "b", "c"]
    assert not_in("s", {"z", "y"}).to_wire()["criteria"]["value"] == ["y", "z"]
    with pytest.raises(OnyxUsageError):
        in_op("s", 5)  # type: ignore[arg-type]


def test_and_or_flatten_same_operator_chains() -> None:
    a, b, c, d = eq("a", 1), eq("b", 2), eq("c", 3), eq("d", 4)
    tree = ((a & b) & c) | d
    assert tree.to_wire() == {
        "conditionType": "CompoundCondition",
        "operator": "OR",
        "conditions": [
            {
                "conditionType": "CompoundCondition",
                "operator": "AND",
                "conditions": [a.to_wire(), b.to_wire(), c.to_wire()],
            },
            d.to_wire(),
        ],
    }
    assert a.and_(b).or_(c) == (a & b) | c


def test_negation_uses_not_operators_and_de_morgan() -> None:
    assert (~eq("a", 1)).to_wire() == single("a", "NOT_EQUAL", 1)
    assert (~gt("a", 1)).to_wire() == single("a", "LESS_THAN_EQUAL", 1)
    assert (~~lt("a", 1)) == lt("a", 1)
    assert (~is_null("a")).to_wire()["criteria"]["operator"] == "NOT_NULL"
    assert ~(eq("a", 1) & in_op("b", [1])) == neq("a", 1) | not_in("b", [1])


def test_bad_arguments_fail_when_built() -> None:
    with pytest.raises(OnyxUsageError):
        eq("", 1)
    with pytest.raises(OnyxUsageError):
        eq(3, 1)  # type: ignore[arg-type]
    with pytest.raises(OnyxUsageError):
        _ = eq("a", 1) & "b = 2"  # type: ignore[operator]


def test_sorts() -> None:
    assert asc("name").to_wire() == {"field": "name", "order": "ASC"}
    assert desc("createdAt").to_wire() == {"field": "createdAt", "order": "DESC"}
