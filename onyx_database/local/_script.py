"""The resolver script language: a tokenizer, a recursive-descent parser and an AST.

Resolvers are small builder chains stored in the schema, for example::

    db.from("Role")
      .where(inOp("id", db.from("UserRole").where(eq("userId", this.id)).list().values('roleId')))
      .list()

Grammar (whitespace and ``//`` / ``/* */`` comments are ignored)::

    script    := expr EOF
    expr      := primary ( "." NAME [ "(" args ")" ] )*
    primary   := "db" "." "from" "(" STRING ")" | "this" | STRING | NUMBER | "true" | "false"
               | "null" | "[" [ args ] "]" | NAME "(" [ args ] ")" | "(" expr ")"
    args      := expr ( "," expr )* [ "," ]

Nothing is ever evaluated as Python: the AST is interpreted by the executor.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = [
    "CONDITIONS",
    "Call",
    "Chain",
    "Literal",
    "Node",
    "ScriptError",
    "Step",
    "This",
    "parse_script",
]

# helper name -> (wire operator, number of arguments)
CONDITIONS: Final = {
    "eq": ("EQUAL", 2), "neq": ("NOT_EQUAL", 2), "gt": ("GREATER_THAN", 2),
    "gte": ("GREATER_THAN_EQUAL", 2), "lt": ("LESS_THAN", 2), "lte": ("LESS_THAN_EQUAL", 2),
    "between": ("BETWEEN", 3), "notBetween": ("NOT_BETWEEN", 3),
    "inOp": ("IN", 2), "within": ("IN", 2), "notIn": ("NOT_IN", 2), "notWithin": ("NOT_IN", 2),
    "like": ("LIKE", 2), "notLike": ("NOT_LIKE", 2), "contains": ("CONTAINS", 2),
    "notContains": ("NOT_CONTAINS", 2), "containsIgnoreCase": ("CONTAINS_IGNORE_CASE", 2),
    "notContainsIgnoreCase": ("NOT_CONTAINS_IGNORE_CASE", 2),
    "startsWith": ("STARTS_WITH", 2), "notStartsWith": ("NOT_STARTS_WITH", 2),
    "matches": ("MATCHES", 2), "notMatches": ("NOT_MATCHES", 2),
    "isNull": ("IS_NULL", 1), "notNull": ("NOT_NULL", 1),
}  # fmt: skip
SORTS: Final = frozenset({"asc", "desc"})
# query builder method -> accepted argument counts (None: any number >= 1)
METHODS: Final[dict[str, tuple[int, ...] | None]] = {
    "where": (1,), "and": (1,), "or": (1,), "orderBy": None, "sortBy": None, "limit": (1,),
    "select": None, "distinct": (0,), "partition": (1,), "list": (0,), "firstOrNull": (0,),
    "first": (0,), "values": (1,), "count": (0,),
}  # fmt: skip
CONDITION_METHODS: Final = frozenset({"and", "or"})
MAX_LENGTH: Final = 20_000
MAX_DEPTH: Final = 64


class ScriptError(ValueError):
    """A script that does not parse; ``position`` is the character offset of the problem."""

    def __init__(self, message: str, source: str, position: int) -> None:
        line = source.count("\n", 0, position) + 1
        column = position - (source.rfind("\n", 0, position) + 1) + 1
        super().__init__(f"{message} at line {line}, column {column} (character {position})")
        self.position = position
        self.line = line
        self.column = column


@dataclass(frozen=True)
class Literal:
    value: object


@dataclass(frozen=True)
class This:
    path: tuple[str, ...]


@dataclass(frozen=True)
class Call:
    """A condition helper (``eq(...)``) or sort helper (``asc("f")``), with chained and/or."""

    name: str
    args: tuple[Node, ...]
    chained: tuple[tuple[str, Node], ...] = ()


@dataclass(frozen=True)
class Step:
    method: str
    args: tuple[Node, ...]


@dataclass(frozen=True)
class Chain:
    """``db.from("Table")`` followed by builder steps."""

    table: str
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class ArrayLiteral:
    items: tuple[Node, ...]


Node = Literal | This | Call | Chain | ArrayLiteral


@dataclass(frozen=True)
class _Token:
    kind: str  # name, string, number, punct, end
    text: str
    position: int
    value: object = None


_PUNCT: Final = frozenset("().,[]")
_ESCAPES: Final = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "0": "\0"}


def _tokenize(source: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    length = len(source)
    while position < length:
        char = source[position]
        if char.isspace():
            position += 1
        elif source.startswith("//", position):
            end = source.find("\n", position)
            position = length if end < 0 else end
        elif source.startswith("/*", position):
            end = source.find("*/", position + 2)
            if end < 0:
                raise ScriptError("Unterminated comment", source, position)
            position = end + 2
        elif char in _PUNCT:
            tokens.append(_Token("punct", char, position))
            position += 1
        elif char in "\"'`":
            start = position
            position += 1
            chars: list[str] = []
            while True:
                if position >= length:
                    raise ScriptError("Unterminated string", source, start)
                current = source[position]
                if current == char:
                    position += 1
                    break
                if current == "\\":
                    if position + 1 >= length:
                        raise ScriptError("Unterminated string", source, start)
                    escaped = source[position + 1]
                    chars.append(_ESCAPES.get(escaped, escaped))
                    position += 2
                    continue
                chars.append(current)
                position += 1
            tokens.append(_Token("string", source[start:position], start, "".join(chars)))
        elif char.isdigit() or (
            char == "-" and position + 1 < length and source[position + 1].isdigit()
        ):
            start = position
            position += 1
            while position < length and (source[position].isdigit() or source[position] in "._"):
                position += 1
            text = source[start:position].replace("_", "")
            try:
                number: object = float(text) if "." in text else int(text)
            except ValueError:
                raise ScriptError(f"Invalid number {text!r}", source, start) from None
            tokens.append(_Token("number", text, start, number))
        elif char.isalpha() or char in "_$":
            start = position
            while position < length and (source[position].isalnum() or source[position] in "_$"):
                position += 1
            tokens.append(_Token("name", source[start:position], start))
        else:
            raise ScriptError(f"Unexpected character {char!r}", source, position)
    tokens.append(_Token("end", "", length))
    return tokens


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.tokens = _tokenize(source)
        self.index = 0
        self.depth = 0

    def peek(self) -> _Token:
        return self.tokens[self.index]

    def error(self, message: str, token: _Token | None = None) -> ScriptError:
        token = token or self.peek()
        return ScriptError(message, self.source, token.position)

    def take(self, kind: str, text: str | None = None) -> _Token:
        token = self.peek()
        if token.kind != kind or (text is not None and token.text != text):
            wanted = repr(text) if text is not None else kind
            found = "end of script" if token.kind == "end" else repr(token.text)
            raise self.error(f"Expected {wanted} but found {found}", token)
        self.index += 1
        return token

    def accept(self, text: str) -> bool:
        token = self.peek()
        if token.kind == "punct" and token.text == text:
            self.index += 1
            return True
        return False

    def args(self, closing: str) -> tuple[Node, ...]:
        items: list[Node] = []
        while not self.accept(closing):
            items.append(self.expression())
            if not self.accept(","):
                self.take("punct", closing)
                break
        return tuple(items)

    def expression(self) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error("Script is nested too deeply")
        try:
            node = self.primary()
            while self.accept("."):
                name = self.take("name")
                node = self.member(node, name)
            return node
        finally:
            self.depth -= 1

    def member(self, node: Node, name: _Token) -> Node:
        if isinstance(node, This):
            return This((*node.path, name.text))
        if isinstance(node, Chain):
            if name.text not in METHODS:
                raise self.error(f"Unknown query method {name.text!r}", name)
            self.take("punct", "(")
            args = self.args(")")
            counts = METHODS[name.text]
            if (counts is None and not args) or (counts is not None and len(args) not in counts):
                raise self.error(f"Wrong number of arguments to {name.text}()", name)
            return Chain(node.table, (*node.steps, Step(name.text, args)))
        if isinstance(node, Call) and name.text in CONDITION_METHODS and node.name in CONDITIONS:
            self.take("punct", "(")
            args = self.args(")")
            if len(args) != 1:
                raise self.error(f"Wrong number of arguments to {name.text}()", name)
            return Call(node.name, node.args, (*node.chained, (name.text, args[0])))
        raise self.error(f"Unexpected member {name.text!r}", name)

    def primary(self) -> Node:
        token = self.peek()
        if token.kind in ("string", "number"):
            self.index += 1
            return Literal(token.value)
        if token.kind == "punct" and token.text == "[":
            self.index += 1
            return ArrayLiteral(self.args("]"))
        if token.kind == "punct" and token.text == "(":
            self.index += 1
            node = self.expression()
            self.take("punct", ")")
            return node
        if token.kind != "name":
            found = "end of script" if token.kind == "end" else repr(token.text)
            raise self.error(f"Unexpected {found}")
        self.index += 1
        if token.text in ("true", "false"):
            return Literal(token.text == "true")
        if token.text in ("null", "undefined"):
            return Literal(None)
        if token.text == "this":
            return This(())
        if token.text == "db":
            self.take("punct", ".")
            self.take("name", "from")
            self.take("punct", "(")
            table = self.take("string")
            self.take("punct", ")")
            return Chain(str(table.value), ())
        if token.text in CONDITIONS or token.text in SORTS:
            self.take("punct", "(")
            args = self.args(")")
            wanted = CONDITIONS[token.text][1] if token.text in CONDITIONS else 1
            if len(args) != wanted:
                raise self.error(
                    f"{token.text}() takes {wanted} argument{'s' if wanted > 1 else ''}", token
                )
            return Call(token.text, args)
        raise self.error(f"Unknown name {token.text!r}", token)


def _check(node: Node, source: str, top: bool) -> None:
    """Structural rules the grammar alone does not enforce."""
    if isinstance(node, This) and not node.path:
        raise ScriptError("'this' needs a field, as in this.id", source, 0)
    if isinstance(node, Chain):
        if top and (
            not node.steps
            or node.steps[-1].method not in ("list", "firstOrNull", "first", "values", "count")
        ):
            raise ScriptError(
                "A resolver must end with .list(), .firstOrNull() or .values(...)",
                source,
                len(source.rstrip()),
            )
        for step in node.steps:
            for arg in step.args:
                _check(arg, source, False)
    elif isinstance(node, Call):
        for arg in node.args:
            _check(arg, source, False)
        for _, other in node.chained:
            _check(other, source, False)
    elif isinstance(node, ArrayLiteral):
        for item in node.items:
            _check(item, source, False)


def parse_script(source: str) -> Chain:
    """The AST of a resolver script; raises :class:`ScriptError` with the position of a problem.

    >>> parse_script('db.from("Role").where(eq("id", this.roleId)).firstOrNull()').table
    'Role'
    """
    if len(source) > MAX_LENGTH:
        raise ScriptError("Script is too long", source, MAX_LENGTH)
    parser = _Parser(source)
    node = parser.expression()
    parser.take("end")
    if not isinstance(node, Chain):
        raise ScriptError('A resolver must start with db.from("Table")', source, 0)
    _check(node, source, True)
    return node
