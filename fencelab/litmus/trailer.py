"""The common trailers read without lark: the tree lark's trailer grammar builds, made directly.

Nearly every test ends `exists (0:EAX=0 /\\ 1:EAX=0)`, or `locations [...]` and a condition of
equalities joined by `/\\`, `\\/`, `~`, `=>` and parentheses. lark reads that in ~0.5 M
instructions (its lexer and parser are generic), more than the rest of the test's parse;
`parse_common` reads it in a tenth of that and builds the same `Tree`s and `Token`s (types,
values, positions: what `parser.py` reads and names errors by).

It is sound by refusing: it takes only a subset of the grammar (`grammars.TRAILER_GRAMMAR`),
where every token is the one lark's contextual lexer makes (no filter, no `true`/`false`/`not`,
no name spelled like a keyword, every token one of the terminals listed below at a place the
grammar allows it), and answers None for anything else, and at the first token it does not
expect: lark then reads the text, and says what is wrong if something is.
tests/litmus/test_trailer.py compares both on every trailer of herd's tests and ours.
"""

from __future__ import annotations

import re

from lark import Token, Tree

# the terminals, as the grammar spells them (REG.2, NAME, SIGNED_INT; WS is common.WS)
_TOKENS = re.compile(
    r"(?P<WS>[ \t\f\r\n]+)"
    r"|(?P<REG>[0-9]+[ \t]*:[ \t]*%?[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<SIGNED_INT>-?(?:0[xX][0-9a-fA-F]+|[0-9]+)(?![A-Za-z0-9_]))"
    r"|(?P<NAME>[A-Za-z_][A-Za-z0-9_.]*(?:[ \t]*\[[ \t]*[0-9]+[ \t]*\])?)"
    r"|(?P<OP>/\\|\\/|=>|==|!=|<>|[=~()\[\];{},])"
)
_QUANT = re.compile(r"~[ \t]*exists(?![A-Za-z0-9_])|exists(?![A-Za-z0-9_])|forall(?![A-Za-z0-9_])")
_LOCATIONS = re.compile(r"locations(?![A-Za-z0-9_.])")
# a name lark may read otherwise: a keyword (the grammar's words; NOT.3 wins over NAME when
# `not` is followed by anything but a word character, `not.x` too)
_KEYWORDISH = re.compile(r"(?:true|false|exists|forall|locations|filter)$|not(?![A-Za-z0-9_])")
_OPS = {"=": "EQ", "==": "EQ", "!=": "NE", "<>": "NE", "~": "NOT"}  # the kept ones


class _Refused(Exception):
    """Not in the subset: lark reads it."""


def parse_common(text: str) -> Tree | None:
    """lark's tree for the trailer `text` (padded as `grammars.padded` makes it), or None when
    the text is outside the subset this reads (lark must read it)."""
    try:
        return _Reader(text).start()
    except _Refused:
        return None


class _Reader:
    """The tokens of the subset (`types[i]`, and for the terminals the tree keeps, `kept[i]`,
    their lark `Token`), then the rules read them."""

    def __init__(self, text: str):
        self.text = text
        self.types: list[str] = []
        self.kept: list[Token | None] = []
        self.i = 0
        self.line, self.line_start = 1, 0
        pos = self._space(0)
        if _LOCATIONS.match(text, pos):  # `locations [...]`, read up to its closing `]`
            self.types.append("LOCATIONS")
            self.kept.append(None)
            pos = self._lex(pos + len("locations"), in_locations=True)
            pos = self._space(pos)
        quant = _QUANT.match(text, pos)
        if quant is None:
            raise _Refused  # no condition, a filter, ...: lark's
        self.quant_at = len(self.types)
        self._keep("QUANT", quant.group(0), pos)
        self._lex(quant.end(), in_locations=False)

    def _space(self, pos: int) -> int:
        m = _TOKENS.match(self.text, pos)
        if m is not None and m.lastgroup == "WS":
            self._newlines(m.group(0), pos)
            return m.end()
        return pos

    def _newlines(self, space: str, pos: int) -> None:
        newlines = space.count("\n")
        if newlines:
            self.line += newlines
            self.line_start = pos + space.rfind("\n") + 1

    def _lex(self, pos: int, in_locations: bool) -> int:
        """Tokens from `pos` to the end (or, `in_locations`, to the `]` closing the list)."""
        text, n, types, kept = self.text, len(self.text), self.types, self.kept
        depth = 0
        while pos < n:
            m = _TOKENS.match(text, pos)
            if m is None:
                raise _Refused
            kind, value = m.lastgroup, m.group(0)
            if kind == "WS":
                self._newlines(value, pos)
            elif kind == "OP":
                kind = _OPS.get(value)
                if kind is not None:
                    self._keep(kind, value, pos)
                else:
                    types.append(value)
                    kept.append(None)
                    if in_locations:
                        if value == "[":
                            depth += 1
                        elif value == "]":
                            depth -= 1
                            if depth == 0:
                                return m.end()
            else:
                if kind == "NAME" and _KEYWORDISH.match(value):
                    raise _Refused
                self._keep(kind, value, pos)
            pos = m.end()
        if in_locations:
            raise _Refused
        return pos

    def _keep(self, kind: str, value: str, pos: int) -> None:
        column = pos - self.line_start + 1
        self.types.append(kind)
        self.kept.append(Token(kind, value, pos, self.line, column, self.line,
                               column + len(value), pos + len(value)))  # fmt: skip

    # -- the grammar's rules (the subset) ------------------------------------------------------

    def _peek(self) -> str:
        return self.types[self.i] if self.i < len(self.types) else ""

    def _take(self, kind: str) -> Token | None:
        if self._peek() != kind:
            raise _Refused
        self.i += 1
        return self.kept[self.i - 1]

    def start(self) -> Tree:
        parts = []
        if self._peek() == "LOCATIONS":
            parts.append(self._locations())
        if self.i != self.quant_at:
            raise _Refused
        quant = self._take("QUANT")
        parts.append(Tree("final", [quant, self._impl()]))
        if self._peek() == ";":
            self.i += 1
        if self.i != len(self.types):
            raise _Refused
        return Tree("start", parts)

    def _locations(self) -> Tree:
        self._take("LOCATIONS")
        self._take("[")
        items = []
        while self._peek() != "]":
            items.append(self._observable())
            if self._peek() == ";":
                self.i += 1
            elif self._peek() != "]":
                raise _Refused
        self.i += 1
        return Tree("locations", items)

    def _impl(self) -> Tree:
        left = self._disj()
        if self._peek() == "=>":
            self.i += 1
            return Tree("implies_", [left, self._impl()])
        return left

    def _disj(self) -> Tree:
        tree = self._conj()
        while self._peek() == "\\/":
            self.i += 1
            tree = Tree("or_", [tree, self._conj()])
        return tree

    def _conj(self) -> Tree:
        tree = self._neg()
        while self._peek() == "/\\":
            self.i += 1
            tree = Tree("and_", [tree, self._neg()])
        return tree

    def _neg(self) -> Tree:
        if self._peek() == "NOT":
            tok = self._take("NOT")
            return Tree("not_", [tok, self._neg()])
        return self._atom()

    def _atom(self) -> Tree:
        if self._peek() == "(":
            self.i += 1
            inner = self._impl()
            self._take(")")
            return inner
        obs = self._observable()
        kind = self._peek()
        if kind not in ("EQ", "NE"):
            raise _Refused
        op = self._take(kind)
        return Tree("eq" if kind == "EQ" else "ne", [obs, op, self._value()])

    def _observable(self) -> Tree:
        kind = self._peek()
        if kind == "REG":
            return Tree("reg", [self._take("REG")])
        if kind == "NAME":
            return Tree("loc", [self._take("NAME")])
        self._take("[")
        name = self._take("NAME")
        self._take("]")
        return Tree("loc", [name])

    def _value(self) -> Tree:
        kind = self._peek()
        if kind == "SIGNED_INT":
            return Tree("int", [self._take("SIGNED_INT")])
        if kind == "NAME":
            return Tree("locref", [self._take("NAME")])
        self._take("{")
        ints = [self._take("SIGNED_INT")]
        while self._peek() == ",":
            self.i += 1
            ints.append(self._take("SIGNED_INT"))
        self._take("}")
        return Tree("ints", ints)
