"""The slice of JQL the simulated site understands, and clear errors for the rest.

Supported: clauses joined by ``AND`` (parentheses allowed) on ``project`` (``=``, ``in``) and
``updated`` / ``created`` (``>=``, ``>``, ``<=``, ``<``), then ``ORDER BY`` on ``updated``,
``created``, ``id`` or ``key`` with ``ASC``/``DESC``. Field and keyword names are case-insensitive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SEARCH_FIELDS = {
    "project": "project",
    "updated": "updated",
    "updateddate": "updated",
    "created": "created",
    "createddate": "created",
}
ORDER_FIELDS = {
    "updated": "updated",
    "updateddate": "updated",
    "created": "created",
    "createddate": "created",
    "id": "id",
    "key": "key",
    "issuekey": "key",
}
OPERATORS = {"project": ("=", "in"), "updated": (">=", ">", "<=", "<"), "created": (">=", ">", "<=", "<")}
KNOWN_UNSUPPORTED = {
    "status",
    "statuscategory",
    "issuetype",
    "type",
    "assignee",
    "reporter",
    "labels",
    "resolution",
    "resolved",
    "resolutiondate",
    "key",
    "issuekey",
    "id",
    "parent",
    "summary",
    "text",
    "sprint",
    "priority",
    "component",
    "fixversion",
    "statuscategorychangeddate",
}
KEYWORDS = {"and", "or", "not", "in", "order", "by", "asc", "desc", "is", "was", "changed"}

_TOKEN = re.compile(
    r"""\s*(?:(?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|(?P<op>>=|<=|!=|!~|=|>|<|~)
                        |(?P<punct>[(),])|(?P<word>[^\s(),=<>!~"']+))""",
    re.VERBOSE,
)


class JqlError(ValueError):
    """The query cannot be run; the message says why (it becomes a 400 ``errorMessages`` entry)."""


@dataclass(frozen=True)
class Condition:
    field: str  # project | updated | created
    operator: str  # = in >= > <= <
    values: tuple[str, ...]


@dataclass(frozen=True)
class Jql:
    conditions: tuple[Condition, ...]
    order: tuple[tuple[str, bool], ...]  # (field, descending)


@dataclass(frozen=True)
class _Token:
    kind: str  # string | op | punct | word | end
    text: str

    def is_word(self, *words: str) -> bool:
        return self.kind == "word" and self.text.lower() in words


def tokenize(text: str) -> list[_Token]:
    tokens, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise JqlError(
                f"Error in the JQL Query: the character '{text[pos]}' is a reserved JQL character."
            )
        kind = match.lastgroup or "word"
        value = match.group(kind)
        if kind == "string":
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        tokens.append(_Token(kind, value))
        pos = match.end()
    tokens.append(_Token("end", ""))
    return tokens


class _Parser:
    def __init__(self, text: str):
        self.tokens, self.n = tokenize(text), 0

    @property
    def peek(self) -> _Token:
        return self.tokens[self.n]

    def take(self) -> _Token:
        token = self.tokens[self.n]
        self.n += 1
        return token

    def expect(self, what: str, ok: bool) -> _Token:
        token = self.take()
        if not ok:
            got = token.text or "end of query"
            raise JqlError(f"Error in the JQL Query: Expecting {what} but got '{got}'.")
        return token

    def query(self) -> Jql:
        conditions: list[Condition] = []
        if not (self.peek.kind == "end" or self.peek.is_word("order")):
            self.expression(conditions)
        order: list[tuple[str, bool]] = []
        if self.peek.is_word("order"):
            self.take()
            self.expect("'by'", self.peek.is_word("by"))
            order.append(self.sort_key())
            while self.peek.kind == "punct" and self.peek.text == ",":
                self.take()
                order.append(self.sort_key())
        self.expect("either 'AND', 'ORDER BY' or the end of the query", self.peek.kind == "end")
        return Jql(tuple(conditions), tuple(order))

    def expression(self, into: list[Condition]) -> None:
        self.term(into)
        while self.peek.is_word("and", "or"):
            if self.peek.is_word("or"):
                raise JqlError("The simulated Jira does not support OR in JQL; use AND.")
            self.take()
            self.term(into)

    def term(self, into: list[Condition]) -> None:
        if self.peek.kind == "punct" and self.peek.text == "(":
            self.take()
            self.expression(into)
            self.expect("')'", self.peek.kind == "punct" and self.peek.text == ")")
            return
        if self.peek.is_word("not"):
            raise JqlError("The simulated Jira does not support NOT in JQL.")
        into.append(self.clause())

    def clause(self) -> Condition:
        name = self.expect("a field name", self.peek.kind in ("word", "string")).text
        field = SEARCH_FIELDS.get(name.lower())
        if field is None:
            if name.lower() in KNOWN_UNSUPPORTED:
                raise JqlError(
                    f"The simulated Jira does not support the field '{name}' in JQL; supported fields "
                    "are project, updated and created."
                )
            raise JqlError(f"Field '{name}' does not exist or you do not have permission to view it.")
        token = self.take()
        operator = token.text.lower() if token.kind in ("op", "word") else ""
        if operator not in OPERATORS[field]:
            raise JqlError(
                f"The operator '{token.text}' is not supported by the simulated Jira for the field "
                f"'{name}'; use one of: {', '.join(OPERATORS[field])}."
            )
        if operator == "in":
            self.expect("'('", self.peek.kind == "punct" and self.peek.text == "(")
            values = [self.value()]
            while self.peek.kind == "punct" and self.peek.text == ",":
                self.take()
                values.append(self.value())
            self.expect("')'", self.peek.kind == "punct" and self.peek.text == ")")
            return Condition(field, operator, tuple(values))
        return Condition(field, operator, (self.value(),))

    def value(self) -> str:
        token = self.peek
        ok = token.kind == "string" or (token.kind == "word" and token.text.lower() not in KEYWORDS)
        return self.expect("a value", ok).text

    def sort_key(self) -> tuple[str, bool]:
        name = self.expect("a field to order by", self.peek.kind in ("word", "string")).text
        field = ORDER_FIELDS.get(name.lower())
        if field is None:
            raise JqlError(f"The simulated Jira cannot order by '{name}'; use updated, created, id or key.")
        descending = False
        if self.peek.is_word("asc", "desc"):
            descending = self.take().text.lower() == "desc"
        return field, descending


def parse_jql(text: str) -> Jql:
    """Parse a query; raises :class:`JqlError` naming the problem."""
    return _Parser(text or "").query()
