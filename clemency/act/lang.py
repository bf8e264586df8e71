"""The condition language of act files: a small, typed expression language.

    condition := or
    or        := and ('or' and)*
    and       := not ('and' not)*
    not       := 'not' not | compare
    compare   := atom (('==' | '!=' | '<' | '<=' | '>' | '>=') atom | ['not'] 'in' list)?
    atom      := NUMBER | 'string' | DATE (2025-12-19) | true | false | NAME | NAME '(' args ')' | '(' condition ')'
    list      := '[' atom (',' atom)* ']'

It is parsed into a tree of frozen dataclasses; nothing in it is ever executed as Python or passed on as
raw SQL. Engines translate the tree (`clemency.engines.sqlgen`, `clemency.engines.reference`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field


class ParseError(Exception):
    """A syntax error at a column of a condition; the act loader turns it into a positioned problem."""

    def __init__(self, message: str, column: int, source: str):
        self.column = column
        self.source = source
        caret = " " * column + "^"
        super().__init__(f"{message} at column {column + 1}:\n      {source}\n      {caret}")
        self.short = f"{message} at column {column + 1}"


# ---- the tree -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Lit:
    value: object  # bool, int, float, str, datetime.date, or None (unknown)
    type: str      # bool, int, number, string, date, null


@dataclass(frozen=True)
class Name:
    name: str
    column: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Call:
    fn: str
    args: tuple
    column: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Not:
    arg: object


@dataclass(frozen=True)
class And:
    args: tuple


@dataclass(frozen=True)
class Or:
    args: tuple


@dataclass(frozen=True)
class Cmp:
    op: str  # == != < <= > >=
    left: object
    right: object


@dataclass(frozen=True)
class In:
    left: object
    items: tuple  # of Lit
    negated: bool = False


TRUE = Lit(True, "bool")
FALSE = Lit(False, "bool")
UNKNOWN = Lit(None, "null")

# ---- tokens ---------------------------------------------------------------------------------------------

_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<date>\d{4}-\d{2}-\d{2}(?![\d-]))
  | (?P<number>\d+(\.\d+)?(?![\w-]))
  | (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
  | (?P<op>==|!=|<=|>=|<|>|\(|\)|\[|\]|,)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
""", re.VERBOSE)

KEYWORDS = {"and", "or", "not", "in", "true", "false", "unknown"}


def tokenize(source: str) -> list[tuple[str, str, int]]:
    tokens, pos = [], 0
    while pos < len(source):
        m = _TOKEN.match(source, pos)
        if not m:
            ch = source[pos]
            hint = " (use == to compare)" if ch == "=" else ""
            raise ParseError(f"unexpected character {ch!r}{hint}", pos, source)
        kind = m.lastgroup
        text = m.group()
        if kind != "ws":
            if kind == "name" and text in KEYWORDS:
                kind = text
            tokens.append((kind, text, pos))
        pos = m.end()
    tokens.append(("end", "", len(source)))
    return tokens


# ---- parser ---------------------------------------------------------------------------------------------

class _Parser:
    def __init__(self, source: str):
        self.source = source
        self.tokens = tokenize(source)
        self.i = 0

    def peek(self) -> tuple[str, str, int]:
        return self.tokens[self.i]

    def take(self, kind: str | None = None, text: str | None = None) -> tuple[str, str, int]:
        tok = self.tokens[self.i]
        if (kind and tok[0] != kind) or (text and tok[1] != text):
            want = text or kind
            found = tok[1] or "the end of the condition"
            raise ParseError(f"expected {want!r}, found {found!r}", tok[2], self.source)
        self.i += 1
        return tok

    def parse(self):
        node = self.or_()
        kind, text, col = self.peek()
        if kind != "end":
            raise ParseError(f"unexpected {text!r} (missing 'and' / 'or'?)", col, self.source)
        return node

    def or_(self):
        args = [self.and_()]
        while self.peek()[0] == "or":
            self.take()
            args.append(self.and_())
        return args[0] if len(args) == 1 else Or(tuple(args))

    def and_(self):
        args = [self.not_()]
        while self.peek()[0] == "and":
            self.take()
            args.append(self.not_())
        return args[0] if len(args) == 1 else And(tuple(args))

    def not_(self):
        if self.peek()[0] == "not":
            self.take()
            return Not(self.not_())
        return self.compare()

    def compare(self):
        left = self.atom()
        kind, text, _ = self.peek()
        if kind == "op" and text in ("==", "!=", "<", "<=", ">", ">="):
            self.take()
            return Cmp(text, left, self.atom())
        if kind == "in":
            self.take()
            return In(left, self.list_())
        if kind == "not" and self.tokens[self.i + 1][0] == "in":
            self.take()
            self.take()
            return In(left, self.list_(), negated=True)
        return left

    def list_(self):
        self.take("op", "[")
        items = [self.atom()]
        while self.peek()[1] == ",":
            self.take()
            items.append(self.atom())
        self.take("op", "]")
        for item in items:
            if not isinstance(item, Lit):
                raise ParseError("a list may hold only literal values", 0, self.source)
        return tuple(items)

    def atom(self):
        kind, text, col = self.peek()
        if kind == "number":
            self.take()
            return Lit(float(text), "number") if "." in text else Lit(int(text), "int")
        if kind == "date":
            self.take()
            try:
                return Lit(dt.date.fromisoformat(text), "date")
            except ValueError:
                raise ParseError(f"{text!r} is not a valid date", col, self.source) from None
        if kind == "string":
            self.take()
            body = text[1:-1]  # escapes decoded without garbling letters beyond ASCII
            return Lit(body.encode("latin-1", "backslashreplace").decode("unicode_escape") if "\\" in body
                       else body, "string")
        if kind in ("true", "false"):
            self.take()
            return TRUE if kind == "true" else FALSE
        if kind == "unknown":
            self.take()
            return UNKNOWN
        if kind == "name":
            self.take()
            if self.peek()[1] == "(":
                self.take()
                args = []
                if self.peek()[1] != ")":
                    args.append(self.or_())
                    while self.peek()[1] == ",":
                        self.take()
                        args.append(self.or_())
                self.take("op", ")")
                return Call(text, tuple(args), col)
            return Name(text, col)
        if text == "(":
            self.take()
            node = self.or_()
            self.take("op", ")")
            return node
        found = text or "the end of the condition"
        raise ParseError(f"expected a value, a name or '(', found {found!r}", col, self.source)


def parse(source: str):
    """Parse a condition into its tree; raises ParseError with the column of the mistake."""
    if not isinstance(source, str) or not source.strip():
        raise ParseError("empty condition", 0, str(source))
    return _Parser(source).parse()


def names_in(node) -> set[str]:
    """Every variable name a condition refers to (not function names)."""
    out: set[str] = set()

    def walk(n):
        if isinstance(n, Name):
            out.add(n.name)
        elif isinstance(n, Call):
            for a in n.args:
                walk(a)
        elif isinstance(n, Not):
            walk(n.arg)
        elif isinstance(n, (And, Or)):
            for a in n.args:
                walk(a)
        elif isinstance(n, Cmp):
            walk(n.left)
            walk(n.right)
        elif isinstance(n, In):
            walk(n.left)
    walk(node)
    return out


def render(node) -> str:
    """The condition back as text (for manifests, golden files and messages)."""
    if isinstance(node, Lit):
        if node.type == "string":
            return repr(node.value)
        if node.type == "date":
            return node.value.isoformat()
        if node.type == "bool":
            return "true" if node.value else "false"
        if node.type == "null":
            return "unknown"
        return str(node.value)
    if isinstance(node, Name):
        return node.name
    if isinstance(node, Call):
        return f"{node.fn}({', '.join(render(a) for a in node.args)})"
    if isinstance(node, Not):
        return f"not {_paren(node.arg, (And, Or))}"
    if isinstance(node, And):
        return " and ".join(_paren(a, Or) for a in node.args)
    if isinstance(node, Or):
        return " or ".join(render(a) for a in node.args)
    if isinstance(node, Cmp):
        return f"{_paren(node.left, _COMPOUND)} {node.op} {_paren(node.right, _COMPOUND)}"
    if isinstance(node, In):
        return (f"{_paren(node.left, _COMPOUND)} {'not in' if node.negated else 'in'} "
                f"[{', '.join(render(i) for i in node.items)}]")
    raise TypeError(node)


_COMPOUND = (And, Or, Not, Cmp, In)   # written in parentheses where a comparison takes them as an operand


def _paren(node, kind) -> str:
    return f"({render(node)})" if isinstance(node, kind) else render(node)
