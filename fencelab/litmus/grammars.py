"""The lark grammars of the litmus formats, and one way to turn lark's errors into ours.

Three small LALR grammars: the trailer of every test (`locations [...]`, `filter P`, and the
final condition), the body of a C thread, and the body of a Rust thread. The thread table of
assembly tests and the initial state are split by hand in `parser.py`: they are line- and
cell-oriented, which a grammar only makes harder to report on.

Sub-texts are parsed with padding in front (`padded`) so that lark's line and column numbers are
already those of the whole file.
"""

from __future__ import annotations

from functools import cache

from lark import Lark, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from fencelab.errors import SourceError

try:  # lark's own Cython build of its LALR parser and lexer: the same grammars, tables and
    # trees (its tokens are not `str`s: read them with str() or `.value`, tell them from trees
    # by `isinstance(x, Tree)`), at about half the cost of a C test's reading
    import lark_cython

    _PLUGINS: dict = {"_plugins": lark_cython.plugins}
except ImportError:  # pragma: no cover - a platform without its wheel: lark alone
    _PLUGINS = {}

# ---------------------------------------------------------------------------------------------
# Trailer: locations, filter and the final condition (herd's syntax)

TRAILER_GRAMMAR = r"""
start: locations? filter? final? kinds?

locations: "locations" "[" (loc_item (";" loc_item)* ";"?)? "]"
?loc_item: observable
filter: "filter" prop
// herd's constraint forms (its stateParser.mly `constr`): `final P`, a bare `(P)` and
// `observed a; b; and c;` (a disjunction of conjunctions of atoms) are all `exists`
final: QUANT prop ";"?
     | FINAL prop ";"? -> exists_final
     | "(" prop ")" ";"? -> exists_final
     | OBSERVED obs_and ("and" obs_and)* ";"? -> observed
obs_and: (obs_atom ";")*
?obs_atom: observable EQ value -> eq
         | observable NE value -> ne
// herd's `with k:exists; ...` after the condition: test kinds, which herd reads and ignores
kinds: "with" kind (";" kind)* ";"?
kind: NAME ":" QUANT
// `~` (or herd's `not`) and `exists` are two tokens to herd: any blank between them
QUANT: /(~\s*|not\s+)exists(?![A-Za-z0-9_])/ | /exists(?![A-Za-z0-9_])/ | /forall(?![A-Za-z0-9_])/
FINAL: /final(?![A-Za-z0-9_])/
OBSERVED: /[oO]bserved(?![A-Za-z0-9_])/

// herd's precedence (its stateParser.mly: %left OR, %left AND, %right IMPLIES, %nonassoc NOT,
// each binding tighter than the line before): `a /\ b => c` is `a /\ (b => c)`
?prop: disj
?disj: conj | disj "\\/" conj -> or_
?conj: impl | conj "/\\" impl -> and_
?impl: neg | neg "=>" impl -> implies_
?neg: atom | NOT neg -> not_
NOT.3: "~" | /not(?![A-Za-z0-9_])/
?atom: "(" prop ")"
     | "true" -> true
     | "false" -> false
     | observable EQ value -> eq
     | observable NE value -> ne
EQ: "=" | "=="
NE: "!=" | "<>"  // herd writes both

observable: REG -> reg
          | NAME -> loc
          | "[" NAME "]" -> loc

value: SIGNED_INT -> int
     | NAME -> locref
     | "{" SIGNED_INT ("," SIGNED_INT)* "}" -> ints

REG.2: /P?[0-9]+[ \t]*:[ \t]*%?[A-Za-z_][A-Za-z0-9_]*/
NAME: /[A-Za-z_][A-Za-z0-9_.]*([ \t]*\[[ \t]*[0-9]+[ \t]*\])?/
SIGNED_INT: /-?(0[xX][0-9a-fA-F]+|[0-9]+)(?![A-Za-z0-9_])/

%import common.WS
%ignore WS
"""

# ---------------------------------------------------------------------------------------------
# C thread bodies (herd's C format)

_C_TYPES = (
    r"unsigned|signed|const|volatile|_Atomic|int|long|short|char|bool|_Bool"
    r"|__int128_t|__uint128_t|__int128|u?int(?:8|16|32|64)_t|u?intptr_t|size_t"
    r"|atomic_(?:u?int|u?long|u?llong|u?char|schar|u?short|bool|u?intptr_t|size_t"
    r"|u?int(?:8|16|32|64)_t)"
)

C_GRAMMAR = r"""
start: stmt*

?stmt: decl
     | assign
     | store
     | expr_stmt
     | if_stmt
     | while_stmt
     | block
     | ";" -> empty

decl: CTYPE+ declarator ("," declarator)* ";"
declarator: STAR* NAME ("=" expr)?
assign: NAME "=" expr ";"
store: STAR NAME "=" expr ";"
     | STAR "(" expr ")" "=" expr ";"
     | NAME "[" expr "]" "=" expr ";" -> index_store
expr_stmt: expr ";"
if_stmt: IF "(" expr ")" stmt ("else" stmt)?
while_stmt: WHILE "(" expr ")" stmt
block: "{" stmt* "}"

?expr: unary ((OROR | ANDAND | BAR | CARET | AMP | EQOP | RELOP | SHIFTOP | PLUS | MINUS
               | STAR | SLASH | PERCENT) unary)*
?unary: INT -> int
      | NAME -> var
      | LPAR expr ")" -> paren
      | NAME "(" [expr ("," expr)*] ")" -> call
      | STAR NAME -> deref
      | STAR "(" expr ")" -> deref
      | NAME "[" expr "]" -> index
      | AMP NAME -> addr
      | AMP NAME "[" expr "]" -> addr
      | (MINUS | BANG | TILDE) unary -> un
      | LPAR CTYPE+ STAR* ")" unary -> cast

CTYPE.2: /(?:__TYPES__)(?![A-Za-z0-9_])/
NAME: /[A-Za-z_][A-Za-z0-9_]*/
INT: /(0[xX][0-9a-fA-F]+|[0-9]+)[uUlL]*(?![A-Za-z0-9_])/
OROR: "||"
ANDAND: "&&"
BAR: "|"
CARET: "^"
AMP: "&"
EQOP: "==" | "!="
RELOP: "<=" | ">=" | "<" | ">"
SHIFTOP.2: "<<" | ">>"
PLUS: "+"
MINUS: "-"
STAR: "*"
SLASH: "/"
PERCENT: "%"
BANG: "!"
TILDE: "~"
IF: "if"
WHILE: "while"
LPAR: "("

COMMENT: /\/\/[^\n]*/ | /\/\*(.|\n)*?\*\//
%import common.WS
%ignore WS
%ignore COMMENT
""".replace("__TYPES__", _C_TYPES)

# C's binary operators by precedence, loosest first, each level left-associative. The grammar
# reads `a op b op c ...` flat (`expr`) and `CTrees.expr` nests it by this table: one rule per
# level made every operand climb all ten levels, ten reductions per argument, most of the time
# spent reading a C test.
_C_LEVELS = (("OROR",), ("ANDAND",), ("BAR",), ("CARET",), ("AMP",), ("EQOP",), ("RELOP",),
             ("SHIFTOP",), ("PLUS", "MINUS"), ("STAR", "SLASH", "PERCENT"))  # fmt: skip
_C_PRECEDENCE = {op: level for level, ops in enumerate(_C_LEVELS) for op in ops}


class CTrees:
    """What lark calls while it parses a C body (`Lark(transformer=...)`), so that the trees
    come out as a grammar with one rule per precedence level would build them, without lark's
    `propagate_positions` (its bookkeeping on every reduction cost as much as the parse):

    - `expr` nests the flat `[a, op, b, op, c, ...]` into `Tree("bin", [left, op, right])`s;
    - `paren` (`(e)`) is `e` itself, which remembers where its `(` is (`meta.container_line`,
      `container_column`: where a tree it starts, a `bin` or a statement, starts);
    - `if_stmt`, `while_stmt` and `cast` drop their first token (`if`, `while`, `(`), kept by
      the grammar only for its place, which they keep in their `meta.line`/`column`.

    Every other tree starts where its first child starts (`source._pos`)."""

    def expr(self, children: list) -> Tree:
        operands, ops = [children[0]], []
        for i in range(1, len(children), 2):
            op = children[i]
            while ops and _C_PRECEDENCE[ops[-1].type] >= _C_PRECEDENCE[op.type]:
                right = operands.pop()
                operands.append(Tree("bin", [operands.pop(), ops.pop(), right]))
            ops.append(op)
            operands.append(children[i + 1])
        while ops:
            right = operands.pop()
            operands.append(Tree("bin", [operands.pop(), ops.pop(), right]))
        return operands[0]

    def paren(self, children: list) -> Tree:
        lpar, inner = children
        inner.meta.container_line, inner.meta.container_column = lpar.line, lpar.column
        return inner

    def if_stmt(self, children: list) -> Tree:
        return _placed("if_stmt", children)

    def while_stmt(self, children: list) -> Tree:
        return _placed("while_stmt", children)

    def cast(self, children: list) -> Tree:
        return _placed("cast", children)


def _placed(data: str, children: list) -> Tree:
    """Tree `data` of `children` but the first, a token, which says where it starts."""
    tree = Tree(data, children[1:])
    meta = tree.meta
    meta.line, meta.column, meta.empty = children[0].line, children[0].column, False
    return tree


# ---------------------------------------------------------------------------------------------
# Rust thread bodies (our spelling for the course)

RUST_GRAMMAR = r"""
start: stmt*

?stmt: let_stmt
     | assign
     | expr_stmt
     | if_stmt
     | if_let_stmt
     | while_stmt
     | loop_stmt
     | break_stmt
     | match_stmt
     | block
     | ";" -> empty

let_stmt: "let" MUT? NAME (":" path)? "=" expr ";"
MUT: "mut"
assign: NAME "=" expr ";"
expr_stmt: expr ";"
if_stmt: "if" expr block ("else" (block | if_stmt | if_let_stmt))?
if_let_stmt: "if" "let" pattern "=" expr block ("else" (block | if_stmt | if_let_stmt))?
while_stmt: "while" expr block
loop_stmt: "loop" block
break_stmt: "break" ";"
match_stmt: "match" expr "{" arm* "}"
arm: pattern "=>" arm_body ","?
?arm_body: block
         | NAME "=" expr -> assign_arm
         | "break" -> break_arm
         | expr
pattern: NAME ("(" NAME ")")?
block: "{" stmt* "}"

?expr: logor
?logor: logand | logor OROR logand -> bin
?logand: compare | logand ANDAND compare -> bin
?compare: bitor | bitor CMPOP bitor -> bin
?bitor: bitxor | bitor BAR bitxor -> bin
?bitxor: bitand | bitxor CARET bitand -> bin
?bitand: shift | bitand AMP shift -> bin
?shift: additive | shift SHIFTOP additive -> bin
?additive: mult | additive (PLUS | MINUS) mult -> bin
?mult: unary | mult (STAR | SLASH | PERCENT) unary -> bin
?unary: postfix | (MINUS | BANG) unary -> un
?postfix: primary
        | postfix "." NAME "(" [arg ("," arg)* ","?] ")" -> method
?arg: expr
    | BAR NAME BAR expr -> closure
?primary: INT -> int
        | path -> var
        | "(" expr ")"
        | path "(" [expr ("," expr)* ","?] ")" -> call
path: NAME ("::" NAME)*

NAME: /[A-Za-z_][A-Za-z0-9_]*/
INT: /(0[xX][0-9a-fA-F_]+|[0-9][0-9_]*)([ui](8|16|32|64|size))?(?![A-Za-z0-9_])/
OROR: "||"
ANDAND: "&&"
BAR: "|"
CARET: "^"
AMP: "&"
CMPOP: "==" | "!=" | "<=" | ">=" | "<" | ">"
SHIFTOP.2: "<<" | ">>"
PLUS: "+"
MINUS: "-"
STAR: "*"
SLASH: "/"
PERCENT: "%"
BANG: "!"

COMMENT: /\/\/[^\n]*/ | /\/\*(.|\n)*?\*\//
%import common.WS
%ignore WS
%ignore COMMENT
"""

# ---------------------------------------------------------------------------------------------

_GRAMMARS = {"trailer": TRAILER_GRAMMAR, "c": C_GRAMMAR, "rust": RUST_GRAMMAR}

# How an expected terminal is named in an error message.
_READABLE = {
    "NAME": "a name",
    "INT": "a number",
    "SIGNED_INT": "a number",
    "REG": "a register (T:REG)",
    "CTYPE": "a type",
    "QUANT": "'exists', '~exists' or 'forall'",
    "FINAL": "'final'",
    "OBSERVED": "'observed'",
    "NOT": "'~'",
    "EQ": "'='",
    "NE": "'!=' or '<>'",
    "EQOP": "'=='",
    "RELOP": "'<'",
    "CMPOP": "'=='",
    "SHIFTOP": "'<<'",
    "MUT": "'mut'",
    "$END": "end of input",
}


@cache
def parser(kind: str, compiled: bool = True, lexer: str = "contextual") -> Lark:
    """The LALR parser for `kind` ("trailer", "c" or "rust"), built once; with `compiled`,
    lark-cython's where it is installed (`compiled=False`: lark's own, to compare them)."""
    positions = kind == "rust"  # C places its trees itself (CTrees); the trailer by its tokens
    return Lark(_GRAMMARS[kind], parser="lalr", propagate_positions=positions,
                maybe_placeholders=False, transformer=CTrees() if kind == "c" else None,
                lexer=lexer, cache=True,  # the tables are kept in a temporary file, for the next process
                **(_PLUGINS if compiled else {}))  # fmt: skip


def padded(text: str, line: int, col: int) -> str:
    """`text` prefixed so that its first character sits at (line, col) of the whole file."""
    return "\n" * (line - 1) + " " * (col - 1) + text


# Trees already read, by grammar and exact text: a catalogue repeats thread bodies and
# conditions (diy7's tests share them), and the same text always makes the same tree. Each
# entry keeps where its text stood; read at another place, the tree is shared as it is with a
# `Place` that says where its positions are in this file, as lark would have placed them
# (copying the tree with its positions moved cost more than the rest of reading a C test).
_PARSED: dict[tuple[str, str], tuple[Tree, int, int]] = {}
_PARSED_MAX = 1024
_PARSED_TEXT_MAX = 4096  # longer texts (no thread body or condition of a catalogue) not kept


class Place:
    """Where the positions of a shared tree (read with its text's first character on line
    `first`) are in this file: `lines` lines further down and, on that first line, `cols`
    columns further right (as `padded` at the new place would have had lark read it). (A plain
    class: a dataclass's generated methods cost more to make at import than every test's
    places.)"""

    __slots__ = ("lines", "cols", "first")

    def __init__(self, lines: int = 0, cols: int = 0, first: int = 0):
        self.lines, self.cols, self.first = lines, cols, first

    def of(self, line: int | None, column: int | None) -> tuple[int | None, int | None]:
        """(line, column) of a token or tree of the shared tree, in this file."""
        if line is None or not (self.lines or self.cols):
            return line, column
        return line + self.lines, column + self.cols if column is not None and line == self.first \
            else column  # fmt: skip


HERE = Place()  # a tree read at this very place


def parse(kind: str, text: str, line: int, col: int) -> tuple[Tree, Place]:
    """The tree of `text`, a part of a file whose first character sits at (line, col), read by
    `kind`'s parser, and the `Place` of its positions (`Place.of`: those of the whole file).
    Raises lark's `UnexpectedInput` (report it with `lark_error` on `padded(text, line, col)`).
    The tree is shared: read it, never change it."""
    key = (kind, text)
    known = _PARSED.get(key)
    if known is not None:
        tree, at_line, at_col = known
        if at_line == line and at_col == col:
            return tree, HERE
        return tree, Place(line - at_line, col - at_col, at_line)
    tree = _read(kind, padded(text, line, col))
    if len(text) > _PARSED_TEXT_MAX:
        return tree, HERE
    if len(_PARSED) >= _PARSED_MAX:
        del _PARSED[next(iter(_PARSED))]  # the oldest
    _PARSED[key] = (tree, line, col)
    return tree, HERE


# C statements read line by line (`statements`): a line's text -> (the children of its tree,
# where its first character stood), read by the basic lexer alone; None: that lexer cannot read
# the line by itself (it does not hold whole statements, or needs the contextual lexer).
_LINES: dict[str, tuple[list, int, int] | None] = {}
_LINE_BLANKS = " \t\f\r"  # lark's WS but the newline: what may stand around a line's statements


def statements(text: str, line: int, col: int) -> list[tuple[list, Place]]:
    """The statements of the C body `text` (its first character at (line, col) of the file),
    as runs of the trees `parse("c", ...)` would give as `start`'s children, each run with the
    `Place` of its positions. Raises lark's `UnexpectedInput` as `parse` does.

    A catalogue's bodies are new combinations of few statement lines (diy7's 40 C tests: 85
    bodies, 33 lines), so a body is read line by line, each line's trees shared by every body
    that has the line, where every line can be read alone by the basic lexer. That is the tree
    of the whole body: no token but a `/* */` comment (such a body is read whole) or blank
    space spans a newline, and the lookaheads of CTYPE and INT see the same non-word end of a
    line, so the basic lexer's tokens of the body are those of its lines one after another;
    the grammar is `start: stmt*`, and each line's tokens read as statements, so the body's
    read as those statements, one after another (an LALR grammar reads a text one way only),
    which is the tree `parse` gives (the basic lexer's, when it reads the body). Where a line
    cannot be read alone (a statement over several lines, an `else` on its own line, a keyword
    used as a name), the body is read whole (`parse`), with the same tree or error as ever."""
    if "/*" in text or ("c", text) in _PARSED:
        tree, place = parse("c", text, line, col)
        return [(tree.children, place)]
    runs = []
    for k, piece in enumerate(text.split("\n")):
        code = piece.strip(_LINE_BLANKS)
        if not code:
            continue
        at_col = (col if k == 0 else 1) + len(piece) - len(piece.lstrip(_LINE_BLANKS))
        known = _LINES.get(code, False)
        if known is False:
            known = _read_line(code, line + k, at_col)
        if known is None:
            tree, place = parse("c", text, line, col)
            return [(tree.children, place)]
        children, at_line, at_col_then = known
        same = at_line == line + k and at_col_then == at_col
        runs.append((children, HERE if same else
                     Place(line + k - at_line, at_col - at_col_then, at_line)))  # fmt: skip
    return runs


def _read_line(code: str, line: int, col: int) -> tuple[list, int, int] | None:
    """One line of a C body read alone by the basic lexer (`statements`), remembered."""
    try:
        known = (parser("c", lexer="basic").parse(padded(code, line, col)).children, line, col)
    except UnexpectedInput:
        known = None
    if len(code) > _PARSED_TEXT_MAX:
        return known
    if len(_LINES) >= _PARSED_MAX:
        del _LINES[next(iter(_LINES))]  # the oldest
    _LINES[code] = known
    return known


def _read(kind: str, text: str) -> Tree:
    """`text` read by `kind`'s parser. C bodies are lexed first by one scanner of all the
    grammar's terminals (lark's `basic` lexer, built once) rather than one per parser state
    (the `contextual` lexer's, each a regular expression compiled on the state's first use).
    Where the basic lexer's tokens parse, the contextual lexer picks the same ones (it tries
    the same terminals in the same order, only fewer of them); where they do not (a keyword
    used as a name, `int if;`, or a syntax error), the contextual parser reads the text again
    and gives its tree or its error."""
    if kind == "c":
        try:
            return parser(kind, lexer="basic").parse(text)
        except UnexpectedInput:
            pass
    return parser(kind).parse(text)


def _describe_terminal(lark: Lark, name: str) -> str:
    if name in _READABLE:
        return _READABLE[name]
    for term in lark.terminals:
        if term.name == name and term.pattern.type == "str":
            return repr(term.pattern.value)
    return name.lower()


def _found(text: str, pos: int) -> str:
    if pos >= len(text):
        return "end of input"
    snippet = text[pos : pos + 12].split("\n")[0].strip() or text[pos]
    return repr(snippet)


# listed first, so that a list cut at eight still names them: what a statement or call most
# often lacks (`atomic_store_explicit(x, 1, memory_order_relaxed) }`: its ';' came tenth)
CLOSERS = ("';'", "')'", "'}'", "']'", "','")


def lark_error(
    error: UnexpectedInput,
    lark: Lark,
    text: str,
    file: str,
    what: str,
    end: tuple[int, int, str] | None = None,
    prefer: tuple[str, ...] = (),
) -> SourceError:
    """One readable SourceError for a lark error while parsing `what` (e.g. "the condition").

    `prefer`: tokens (as described, `"';'"`) that, when one of them would have fitted, make
    the message name that one alone, as rustc does (`expected ';', found 'r0'`). `end` is (line, col, description) of what follows the parsed text (the `}` closing a thread
    body), reported instead of "end of input".
    """
    line = getattr(error, "line", 0) or 0
    col = getattr(error, "column", 0) or 0
    if isinstance(error, UnexpectedToken):
        expected = sorted({_describe_terminal(lark, t) for t in error.expected})
        found = "end of input" if error.token.type == "$END" else repr(str(error.token))
        if error.token.type == "$END":
            line, col = _end_position(text)
    elif isinstance(error, UnexpectedCharacters):
        expected = sorted({_describe_terminal(lark, t) for t in error.allowed or ()})
        found = _found(text, error.pos_in_stream)
    elif isinstance(error, UnexpectedEOF):
        expected = sorted({_describe_terminal(lark, t) for t in error.expected})
        found = "end of input"
        line, col = _end_position(text)
    else:  # pragma: no cover - lark has no other kind
        expected, found = [], "?"
    if found == "end of input" and end is not None:
        line, col, found = end
    missing = next((p for p in prefer if p in expected), None)
    if missing is not None:  # as rustc says it: the one token that would have fitted
        return SourceError(f"expected {missing}, found {found}", file, max(line, 0), max(col, 0))
    expected.sort(key=lambda t: CLOSERS.index(t) if t in CLOSERS else len(CLOSERS))  # (stable)
    if len(expected) > 8:
        expected = expected[:8] + ["..."]
    message = f"syntax error in {what}: found {found}"
    if expected:
        message += f"; expected {', '.join(expected)}"
    return SourceError(message, file, max(line, 0), max(col, 0))


def _end_position(text: str) -> tuple[int, int]:
    stripped = text.rstrip()
    line = stripped.count("\n") + 1
    col = len(stripped) - (stripped.rfind("\n") + 1) + 1
    return line, col
