"""The playlist query language, parsed into a small tree:

    query      := or
    or         := and ("or" and)*
    and        := unary ("and" unary)*
    unary      := "not" unary | "(" or ")" | comparison
    comparison := TAG "is" ["not"] value | TAG ("=" | "!=" | ">" | ">=" | "<" | "<=") value
                | TAG ["not"] "contains" value | TAG "between" number "and" number
    value      := number | "quoted text" | word | true | false

TAG is a namespace tag as written in files (`nom:danceability`, `nom:mood-strict`). Words are
case-insensitive. A mistake is a QueryError naming the position (1-based character) and what
was expected there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nomarr_site.domain import Invalid

TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>"(?:[^"\\]|\\.)*")
      | (?P<number>[+-]?(?:\d+\.?\d*|\.\d+)(?![\w:.-]))
      | (?P<op>>=|<=|!=|[=<>()])
      | (?P<word>[A-Za-z0-9_][A-Za-z0-9_.:-]*)
      | (?P<bad>\S)
    )""",
    re.VERBOSE,
)
KEYWORDS = {"and", "or", "not", "is", "contains", "between", "true", "false"}
MAX_QUERY = 2000
MAX_DEPTH = 32


class QueryError(Invalid):
    """A query that does not parse; the message names the position and what was expected."""


@dataclass(frozen=True)
class Token:
    kind: str  # string, number, op, word, end
    text: str
    position: int  # 1-based


@dataclass(frozen=True)
class Comparison:
    tag: str
    op: str  # is, isnot, gt, ge, lt, le, contains, notcontains, between
    value: object  # str, float, bool, or (low, high) for between
    position: int


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class Group:
    kind: str  # "all" or "any"
    children: tuple[Node, ...]


Node = Comparison | Not | Group
SYMBOLS = {"=": "is", "!=": "isnot", ">": "gt", ">=": "ge", "<": "lt", "<=": "le"}


def tokenize(text: str) -> list[Token]:
    tokens, index = [], 0
    while index < len(text):
        match = TOKEN.match(text, index)
        if match is None or match.end() == index:
            break
        kind = match.lastgroup or "bad"
        value = match.group(kind)
        position = match.start(kind) + 1
        if kind == "bad":
            raise QueryError(f"Unexpected character {value!r} at position {position}")
        tokens.append(Token(kind, value, position))
        index = match.end()
    tokens.append(Token("end", "", len(text) + 1))
    return tokens


class Parser:
    def __init__(self, text: str):
        if not text.strip():
            raise QueryError("The query is empty")
        if len(text) > MAX_QUERY:
            raise QueryError(f"The query is longer than {MAX_QUERY} characters")
        self.tokens = tokenize(text)
        self.index = 0
        self.depth = 0

    @property
    def current(self) -> Token:
        return self.tokens[self.index]

    def word(self, *words: str) -> bool:
        token = self.current
        return token.kind == "word" and token.text.lower() in words

    def take(self) -> Token:
        token = self.current
        self.index += 1
        return token

    def fail(self, expected: str) -> QueryError:
        token = self.current
        found = "the end of the query" if token.kind == "end" else repr(token.text)
        return QueryError(
            f"Expected {expected} at position {token.position}, found {found}",
            details={"position": token.position, "expected": expected},
        )

    def parse(self) -> Node:
        node = self.or_()
        if self.current.kind != "end":
            raise self.fail("'and', 'or' or the end of the query")
        return node

    def or_(self) -> Node:
        children = [self.and_()]
        while self.word("or"):
            self.take()
            children.append(self.and_())
        return children[0] if len(children) == 1 else Group("any", tuple(children))

    def and_(self) -> Node:
        children = [self.unary()]
        while self.word("and"):
            self.take()
            children.append(self.unary())
        return children[0] if len(children) == 1 else Group("all", tuple(children))

    def unary(self) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.fail(f"at most {MAX_DEPTH} nested parts")
        try:
            if self.word("not"):
                self.take()
                return Not(self.unary())
            if self.current.kind == "op" and self.current.text == "(":
                self.take()
                node = self.or_()
                if not (self.current.kind == "op" and self.current.text == ")"):
                    raise self.fail("')'")
                self.take()
                return node
            return self.comparison()
        finally:
            self.depth -= 1

    def comparison(self) -> Comparison:
        token = self.current
        if token.kind != "word" or token.text.lower() in KEYWORDS or ":" not in token.text:
            raise self.fail("a tag such as nom:danceability, 'not' or '('")
        self.take()
        tag = token.text.lower()
        op = self.operator()
        if op == "between":
            low = self.number()
            if not self.word("and"):
                raise self.fail("'and' (between LOW and HIGH)")
            self.take()
            high = self.number()
            if low > high:
                raise QueryError(f"The range at position {token.position} runs from high to low")
            return Comparison(tag, op, (low, high), token.position)
        value = self.number() if op in ("gt", "ge", "lt", "le") else self.value()
        return Comparison(tag, op, value, token.position)

    def operator(self) -> str:
        token = self.current
        if token.kind == "op" and token.text in SYMBOLS:
            self.take()
            return SYMBOLS[token.text]
        if self.word("is"):
            self.take()
            if self.word("not"):
                self.take()
                return "isnot"
            return "is"
        if self.word("not"):
            self.take()
            if not self.word("contains"):
                raise self.fail("'contains' after 'not'")
            self.take()
            return "notcontains"
        if self.word("contains", "between"):
            return self.take().text.lower()
        raise self.fail("an operator (is, is not, =, !=, >, >=, <, <=, contains, between)")

    def number(self) -> float:
        if self.current.kind != "number":
            raise self.fail("a number")
        return float(self.take().text)

    def value(self) -> object:
        token = self.current
        if token.kind == "number":
            return float(self.take().text)
        if token.kind == "string":
            self.take()
            return re.sub(r"\\(.)", r"\1", token.text[1:-1])
        if token.kind == "word" and token.text.lower() in ("true", "false"):
            self.take()
            return token.text.lower() == "true"
        if token.kind == "word" and token.text.lower() not in KEYWORDS:
            return self.take().text
        raise self.fail('a value (a number, "text", a word, true or false)')


def parse(text: str) -> Node:
    """The query's tree, or QueryError naming the position and what was expected."""
    if not isinstance(text, str):
        raise QueryError("The query must be text")
    return Parser(text).parse()
