"""Write litmus tests back in their own format, and herd7's spelling of results.

`format_test` prints assembly and C tests in herd's format and RUST tests in ours, such that
`parse_text(format_test(t))` means the same as `t` (`same_meaning`). `format_value`,
`format_observable`, `format_state` and `format_condition` are the one spelling of values,
registers, locations, final states and conditions, the way herd7 prints them in its results
(`0:X0=1; 1:X2=0; [x]=2;`, `Condition exists (1:X0=1 /\\ [y]=0)`): registers as `T:REG` (herd's
own register spelling: `0:rax`, `0:EAX`, `1:X2`), memory locations in brackets, and a final state
always in herd's order (registers by thread and number, then locations), whatever order the
condition named them in: every command prints a state as `run` does, so one is found in another's
output.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from functools import cache, lru_cache
from operator import itemgetter

from fencelab.atomics import Op
from fencelab.errors import FencelabError
from fencelab.isa.arch import ARCHES
from fencelab.litmus.ast import (
    AddrOf,
    And,
    Assign,
    BinOp,
    Break,
    Cas,
    Condition,
    Const,
    Eq,
    Expr,
    ExprStmt,
    Fence,
    If,
    LitmusTest,
    Load,
    LocObs,
    LocRef,
    Loop,
    Not,
    Observable,
    Or,
    Pos,
    Prop,
    RegObs,
    Rmw,
    Stmt,
    Store,
    Thread,
    TrueProp,
    UnOp,
    Value,
    Var,
    While,
    walk_statements,
)
from fencelab.litmus.source import (
    C_RMW_NAMES,
    CAS_PREFIX,
    EXPECTED_PREFIX,
    OK_PREFIX,
    UPDATE_PREFIX,
)

# ---------------------------------------------------------------------------------------------
# herd's spelling of observables, conditions and final states


def format_value(value: Value) -> str:
    """`1`, a location's name (its address), or an array's elements as herd prints them:
    `{1,0}`, `{x,0}` (an element may hold an address)."""
    if isinstance(value, tuple):
        return "{" + ",".join(format_value(v) for v in value) + "}"
    return (value.shown or value.name) if isinstance(value, LocRef) else str(value)


def herd_register(reg: str, arch: str | None) -> str:
    """A register as herd7 prints it: `rax` (X86_64), `EAX` (X86), `X0` (AArch64), `R0` (ARM);
    source tests' locals as written."""
    spelling = ARCHES.get(arch)
    return spelling.herd_register(reg) if spelling else reg


def format_observable(obs: Observable, arch: str | None = None) -> str:
    """`0:X0`, `1:rax`, `0:r0` for registers; `[x]` for memory locations (herd7's results).

    With `arch`, a register is spelled as herd7 prints it for that architecture; without, as
    the test (or the compiler) wrote it."""
    return _spelling(obs, arch)


@lru_cache(maxsize=4096)
def _spelling(obs: Observable, arch: str | None) -> str:
    """`format_observable`, once per observable and architecture (every final state of every
    result prints the same few)."""
    if isinstance(obs, RegObs):
        return f"{obs.tid}:{herd_register(obs.reg, arch) if arch else obs.reg}"
    return obs.name if "[" in obs.name else f"[{obs.name}]"  # an array element: `v[1]`


def format_binding(obs: Observable, value: Value, arch: str | None = None) -> str:
    """`0:X0=1`, `[x]=2`, `v[1]=2`, or a whole array as herd7 prints it: `v={1,2}`."""
    if isinstance(value, tuple) and isinstance(obs, LocObs):
        return f"{obs.name}={format_value(value)}"
    return f"{format_observable(obs, arch)}={format_value(value)}"


def _observed(obs: Observable) -> str:
    """An item of `locations [...]`: a location by its name (`x`, an element `t[1]`, a whole
    array `t`; herd's grammar has no `[x]` there: its stateParser.mly `rloc`), a register as in
    a state."""
    return obs.name if isinstance(obs, LocObs) else format_observable(obs)


def _natural(text: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text))


def format_state(
    state: Mapping[Observable, Value] | Iterable[tuple[Observable, Value]], arch: str | None = None
) -> str:
    """One final state the way herd7 lists it: `0:X0=1; 1:X2=0; [x]=2;`.

    Registers come first, by thread then register number; then locations by name (herd's order),
    in whatever order the state (an outcome: the condition's order) binds them. With `arch`, a
    register is spelled as herd7 prints it for that architecture; without, as the test (or the
    compiler) wrote it. A result's states bind the same observables: their order and spellings
    are found once (`_state_plan`), each state then only prints its values.
    """
    return format_states([state], arch)[0]


def format_states(states: Iterable[Mapping[Observable, Value] | Iterable[tuple[Observable, Value]]],
                  arch: str | None = None) -> list[str]:  # fmt: skip
    """`format_state` of each of `states`: a result's states, which bind the same observables
    (the same objects), share one plan, looked up again only where the observables differ."""
    out, seen, plan = [], None, ((), ())
    for state in states:
        items = state if isinstance(state, tuple) else \
            list(state.items()) if isinstance(state, Mapping) else list(state)  # fmt: skip
        observables = tuple(map(_FIRST, items))
        if observables != seen:
            seen, plan = observables, _state_plan(observables, arch)
        parts = []
        for i, (spelling, names) in zip(*plan):
            value = items[i][1]
            parts.append(f"{spelling}={value};" if type(value) is int else
                         f"{names if isinstance(value, tuple) else spelling}="
                         f"{format_value(value)};")  # fmt: skip
        out.append(" ".join(parts))
    return out


_FIRST = itemgetter(0)


@lru_cache(maxsize=1024)
def _state_plan(observables: tuple[Observable, ...],
                arch: str | None) -> tuple[tuple[int, ...], tuple]:  # fmt: skip
    """Where each of a state's bindings goes in herd's order (`herd_order`: the positions, in
    print order) and how each is spelled (`format_binding`): as an observable, and, for a
    whole array's value (a tuple), by its bare name."""
    order = tuple(sorted(range(len(observables)), key=lambda i: _order_key(observables[i], arch)))
    spellings = tuple((format_observable(observables[i], arch),
                       observables[i].name if isinstance(observables[i], LocObs)
                       else format_observable(observables[i], arch))
                      for i in order)  # fmt: skip
    return order, spellings


def herd_order(
    state: Mapping[Observable, Value] | Iterable[tuple[Observable, Value]], arch: str | None = None
) -> list[tuple[Observable, Value]]:
    """A final state's bindings in herd7's order: registers by thread then register number,
    then locations by name (an array `v` before its elements `v[0]`, `v[1]`)."""
    items = list(state.items()) if isinstance(state, Mapping) else list(state)
    return sorted(items, key=lambda item: _order_key(item[0], arch))


@lru_cache(maxsize=4096)
def _order_key(obs: Observable, arch: str | None) -> tuple:
    """Where `obs` comes in herd's order (`herd_order`), once per observable and architecture."""
    if isinstance(obs, RegObs):
        return (0, obs.tid, _natural(herd_register(obs.reg, arch)))
    return (1, 0, _natural(obs.name))


def format_prop(prop: Prop, arch: str | None = None) -> str:
    """A proposition in herd's syntax (`/\\` binds tighter than `\\/`)."""
    return _prop(prop, arch, "top")


def _prop(prop: Prop, arch: str | None, context: str) -> str:
    if isinstance(prop, TrueProp):
        return "true"
    if isinstance(prop, Eq):
        return format_binding(prop.obs, prop.value, arch)
    if isinstance(prop, Not):
        if isinstance(prop.prop, TrueProp):
            return "false"
        return f"~({_prop(prop.prop, arch, 'top')})"
    if isinstance(prop, And):
        if not prop.parts:
            return "true"
        text = " /\\ ".join(_prop(p, arch, "and") for p in prop.parts)
        return f"({text})" if context == "and" else text
    if isinstance(prop, Or):
        if not prop.parts:
            return "false"
        text = " \\/ ".join(_prop(p, arch, "or") for p in prop.parts)
        return f"({text})" if context in ("and", "or") else text
    raise FencelabError(f"cannot print proposition {prop!r}")


def format_condition(cond: Condition, arch: str | None = None) -> str:
    """`exists (1:X0=1 /\\ 1:X2=0)`; with `arch`, registers are spelled as herd7 prints them."""
    return f"{cond.quantifier} ({format_prop(cond.prop, arch)})"


# ---------------------------------------------------------------------------------------------
# Whole tests


def format_test(test: LitmusTest, source_comments: bool = False) -> str:
    """The test in its own format: herd's for assembly and C, ours for RUST.

    `source_comments`: a compiled test gets, above each group of instructions, the source line
    they lower as a `(* ... *)` cell of its own, which herd's lexers skip in the code."""
    lines = [f"{test.arch} {test.name}"]
    if test.doc:
        lines.append(f'"{test.doc}"')
    lines += [f"{k}={v}" for k, v in test.info]
    lines += [f"(* {c} *)" for c in test.comments]
    lines += _init_block(test)
    if test.is_source:
        for thread in test.threads:
            lines.append("")
            lines += _source_thread(thread, test.arch)
        lines.append("")
    else:
        lines += _table(test.threads, source_notes(test) if source_comments else {})
    if test.observed:
        lines.append("locations [" + " ".join(f"{_observed(o)};" for o in test.observed) + "]")
    if test.filter is not None:
        lines.append(f"filter ({format_prop(test.filter)})")
    lines.append(format_condition(test.condition))
    return "\n".join(lines) + "\n"


def _init_block(test: LitmusTest) -> list[str]:
    items = []
    for loc in test.locations:
        prefix = f"{loc.ctype} " if loc.ctype else ""
        if loc.array and loc.index == 0:  # `int64_t v[2]={1,2};`
            values = [format_value(e.init) for e in test.locations if e.array == loc.name]
            prefix = f"{loc.ctype or 'int'} "  # herd declares an array with its type
            items.append(f"{prefix}{loc.name}[{len(values)}]={{{','.join(values)}}};")
        elif not loc.array:  # a pointer in memory as herd's tests write it: `p=&x`
            init = f"&{loc.init.name}" if isinstance(loc.init, LocRef) else format_value(loc.init)
            items.append(f"{prefix}{loc.name}={init};")
    by_thread: dict[int, list[str]] = {}
    for r in test.reg_inits:
        prefix = f"{r.ctype} " if r.ctype else ""
        by_thread.setdefault(r.tid, []).append(f"{prefix}{r.tid}:{r.reg}={format_value(r.value)};")
    lines = ["{"]
    lines += [f" {item}" for item in items]
    lines += [" " + " ".join(regs) for _tid, regs in sorted(by_thread.items())]
    lines.append("}")
    return lines


def _table(threads: tuple[Thread, ...], notes: dict[tuple[int, int], str]) -> list[str]:
    cells_of = []
    for t in threads:
        cells = []
        for line in t.asm:
            if (t.tid, line.row) in notes:
                cells.append(notes[(t.tid, line.row)])
            cells.append(line.text)
        cells_of.append(cells)
    rows = max((len(c) for c in cells_of), default=0)
    columns = []
    for t, cells in zip(threads, cells_of):
        cells = [f"P{t.tid}"] + cells + [""] * (rows - len(cells))
        width = max(len(c) for c in cells)
        columns.append([c.ljust(width) for c in cells])
    return [" " + " | ".join(col[r] for col in columns) + " ;" for r in range(rows + 1)]


def source_notes(test: LitmusTest) -> dict[tuple[int, int], str]:
    """(thread, row) -> `(* source line *)` for the first row of each group of rows a compiled
    test's source line lowers (Compiler Explorer's view, in herd's comment syntax)."""
    info = test.origin
    if info is None:
        return {}
    text = info.source.text.split("\n") if info.source.text else []
    notes = {}
    for t in test.threads:
        previous = 0
        for line in t.asm:
            origin = info.ops.get((t.tid, line.row))
            number = origin.pos.line if origin is not None else 0
            if number and number != previous and line.text:
                written = _statements(text[number - 1]) if number <= len(text) else origin.what
                notes[(t.tid, line.row)] = f"(* {_comment_safe(written)} *)"
            previous = number or previous
    return notes


_THREAD_HEAD = re.compile(r"\s*P\d+\s*(\([^)]*\))?\s*\{")


def _statements(line: str) -> str:
    """A source line as its statements: the whole line, but for a thread written on one line
    (`P1 { let r0 = x.load(Relaxed); }`) without its head and its closing brace."""
    head = _THREAD_HEAD.match(line)
    text = line[head.end():].strip() if head else line.strip()
    if "//" not in text and "/*" not in text:  # a `}` closing the thread (or a block) ends it
        while text.endswith("}") and text.count("}") > text.count("{"):
            text = text[:-1].rstrip()
    return text


def _comment_safe(text: str) -> str:
    """Text herd's comment lexer reads as a comment: no nested `(*` or closing `*)`. The whole
    text: herd reads a comment of any length."""
    return text.replace("(*", "( *").replace("*)", "* )")


# ---------------------------------------------------------------------------------------------
# Source threads

_C_PREC = {
    "||": 1, "&&": 2, "|": 3, "^": 4, "&": 5, "==": 6, "!=": 6,
    "<": 7, "<=": 7, ">": 7, ">=": 7, "<<": 8, ">>": 8, "+": 9, "-": 9, "*": 10, "/": 10, "%": 10,
}  # fmt: skip
_RUST_PREC = {
    "||": 1, "&&": 2, "==": 4, "!=": 4, "<": 4, "<=": 4, ">": 4, ">=": 4,
    "|": 5, "^": 6, "&": 7, "<<": 8, ">>": 8, "+": 9, "-": 9, "*": 10, "/": 10, "%": 10,
}  # fmt: skip
_RUST_NON_ASSOC = 4


def _source_thread(thread: Thread, arch: str) -> list[str]:
    if arch == "C":
        params = ", ".join(f"{t} {n}" for t, n in thread.params)
        return [f"P{thread.tid} ({params}) {{", *_CPrinter().stmts(thread.body, 1), "}"]
    printer = _RustPrinter(_reassigned(thread.body))
    return [f"P{thread.tid} {{", *printer.stmts(thread.body, 1), "}"]


def _reassigned(stmts: tuple[Stmt, ...]) -> set[str]:
    """Locals the user assigns again (`let mut`); `r = $cas0` is the Rust reader's own."""
    return {s.var for s in walk_statements(stmts) if isinstance(s, Assign) and not s.declared
            and not (isinstance(s.expr, Var) and s.expr.name.startswith("$"))}  # fmt: skip


class _SourcePrinter:
    prec: dict[str, int] = {}

    def stmts(self, stmts: tuple[Stmt, ...], depth: int) -> list[str]:
        out: list[str] = []
        i = 0
        while i < len(stmts):
            lines, used = self.stmt_at(stmts, i, depth)
            out += lines
            i += used
        return out

    def stmt_at(self, stmts: tuple[Stmt, ...], i: int, depth: int) -> tuple[list[str], int]:
        return self.stmt(stmts[i], depth), 1

    def stmt(self, s: Stmt, depth: int) -> list[str]:  # pragma: no cover - overridden
        raise NotImplementedError

    def block(
        self, head: str, body: tuple[Stmt, ...], depth: int, orelse: tuple[Stmt, ...] | None
    ) -> list[str]:
        pad = "  " * depth
        if not body and not orelse:
            return [f"{pad}{head} {{}}"]
        lines = [f"{pad}{head} {{", *self.stmts(body, depth + 1)]
        while orelse:
            if len(orelse) == 1 and isinstance(orelse[0], If):
                inner = orelse[0]
                lines.append(f"{pad}}} else if {self.cond(inner.cond)} {{")
                lines += self.stmts(inner.then, depth + 1)
                orelse = inner.orelse
            else:
                lines.append(f"{pad}}} else {{")
                lines += self.stmts(orelse, depth + 1)
                orelse = ()
        lines.append(f"{pad}}}")
        return lines

    def cond(self, e: Expr) -> str:  # pragma: no cover - overridden
        raise NotImplementedError

    def expr(self, e: Expr) -> str:  # pragma: no cover - overridden
        raise NotImplementedError

    def sub(self, e: Expr, parent: int, right: bool) -> str:
        text = self.expr(e)
        if isinstance(e, BinOp):
            mine = self.prec[e.op]
            if mine < parent or (mine == parent and (right or self.non_assoc(mine))):
                return f"({text})"
        return text

    def non_assoc(self, prec: int) -> bool:
        return False

    def binop(self, e: BinOp) -> str:
        p = self.prec.get(e.op)
        if p is None:
            raise FencelabError(f"cannot print operator {e.op!r}")
        return f"{self.sub(e.left, p, False)} {e.op} {self.sub(e.right, p, True)}"

    def unop(self, op: str, operand: Expr) -> str:
        text = self.expr(operand)
        if isinstance(operand, (BinOp, UnOp)) or (isinstance(operand, Const) and operand.value < 0):
            text = f"({text})"
        return f"{op}{text}"


class _CPrinter(_SourcePrinter):
    prec = _C_PREC

    def stmt_at(self, stmts: tuple[Stmt, ...], i: int, depth: int) -> tuple[list[str], int]:
        match = _match_cas(stmts, i)
        if match is None:
            return self.stmt(stmts[i], depth), 1
        cas_assign, ok_assign, used, expected = match
        pad = "  " * depth
        call = self.cas_call(cas_assign.expr, expected)
        if ok_assign is None:
            return [f"{pad}{call};"], used
        if not ok_assign.var.startswith(OK_PREFIX):
            decl = "int " if ok_assign.declared else ""
            return [f"{pad}{decl}{ok_assign.var} = {call};"], used
        nxt = stmts[i + used] if i + used < len(stmts) else None
        cond = _ok_condition(nxt.cond, ok_assign.var) if isinstance(nxt, (If, While)) else None
        if cond is None:
            raise FencelabError(
                "cannot print a compare-exchange whose result is used this way in C"
            )
        head = f"!{call}" if cond == "not" else call
        if isinstance(nxt, If):
            return self.block(f"if ({head})", nxt.then, depth, nxt.orelse), used + 1
        assert isinstance(nxt, While)
        tail = strip_positions(stmts[i : i + used])
        if len(nxt.body) < used or strip_positions(nxt.body[-used:]) != tail:
            raise FencelabError("cannot print this compare-exchange loop in C")
        return self.block(f"while ({head})", nxt.body[:-used], depth, None), used + 1

    def stmt(self, s: Stmt, depth: int) -> list[str]:
        pad = "  " * depth
        if isinstance(s, Assign):
            decl = ("int *" if s.pointer else "int ") if s.declared else ""
            return [f"{pad}{decl}{self.var(s.var)} = {self.expr(s.expr)};"]
        if isinstance(s, Store):
            if s.plain:
                return [f"{pad}{self.object(s)} = {self.expr(s.value)};"]
            return [f"{pad}atomic_store_explicit({self.pointer(s)}, {self.expr(s.value)}, "
                    f"{s.order.c});"]  # fmt: skip
        if isinstance(s, ExprStmt):
            return [f"{pad}{self.expr(s.expr)};"]
        if isinstance(s, Fence):
            return [f"{pad}atomic_thread_fence({s.order.c});"]
        if isinstance(s, If):
            return self.block(f"if ({self.expr(s.cond)})", s.then, depth, s.orelse)
        if isinstance(s, While):
            return self.block(f"while ({self.expr(s.cond)})", s.body, depth, None)
        raise FencelabError(f"cannot print statement {s!r} in C")

    def cond(self, e: Expr) -> str:
        return f"({self.expr(e)})"

    def var(self, name: str) -> str:
        if name.startswith("$"):
            raise FencelabError(f"cannot print the internal variable {name!r} in C")
        return name

    def cas_call(self, cas: Cas, expected: str) -> str:
        name = (
            "atomic_compare_exchange_weak_explicit"
            if cas.weak
            else "atomic_compare_exchange_strong_explicit"
        )
        return f"{name}({self.pointer(cas)}, {expected}, {self.expr(cas.desired)}, {cas.success.c}, {cas.failure.c})"

    def pointer(self, e: Load | Store | Rmw | Cas) -> str:
        """The place an access names as C's atomics take it: `x`, `&v[1]`, a pointer `r0`."""
        return _c_pointer(e.loc) if e.via is None else self.expr(e.via)

    def object(self, e: Load | Store) -> str:
        """The place a plain access names: `*x`, `v[1]`, `*r0`, `*(r0 + 1)`."""
        if e.via is None:
            return _c_object(e.loc)
        inner = self.expr(e.via)
        return f"*{inner}" if isinstance(e.via, Var) else f"*({inner})"

    def expr(self, e: Expr) -> str:
        if isinstance(e, Const):
            return str(e.value)
        if isinstance(e, Var):
            return self.var(e.name)
        if isinstance(e, AddrOf):
            return _c_pointer(e.loc)
        if isinstance(e, BinOp):
            return self.binop(e)
        if isinstance(e, UnOp):
            return self.unop(e.op, e.operand)
        if isinstance(e, Load):
            if e.plain:
                return self.object(e)
            return f"atomic_load_explicit({self.pointer(e)}, {e.order.c})"
        if isinstance(e, Rmw):
            return f"{C_RMW_NAMES[e.op]}({self.pointer(e)}, {self.expr(e.operand)}, {e.order.c})"
        if isinstance(e, Cas):
            raise FencelabError("cannot print a compare-exchange inside a C expression")
        raise FencelabError(f"cannot print expression {e!r} in C")


def _c_pointer(loc: str) -> str:
    """A location as C's atomics take it: the parameter `x`, an array element `&v[1]`."""
    return f"&{loc}" if "[" in loc else loc


def _c_object(loc: str) -> str:
    """A location as a plain C access names it: `*x`, an array element `v[1]`."""
    return loc if "[" in loc else f"*{loc}"


def _match_cas(
    stmts: tuple[Stmt, ...], i: int
) -> tuple[Assign, Assign | None, int, str] | None:
    """The C compare-exchange desugaring starting at stmts[i] (see source.py), if any: the
    CAS, the assignment of its result (if used), how many statements, the expected argument
    as C writes it (`&r0`, or `e` for a shared location)."""
    at = lambda k: stmts[i + k] if i + k < len(stmts) else None  # noqa: E731
    first, expected_loc = stmts[i], None  # the read of a shared expected value
    if (
        isinstance(first, Assign)
        and first.var.startswith(EXPECTED_PREFIX)
        and isinstance(first.expr, Load)
        and first.expr.plain
    ):
        expected_loc, first = first.expr, at(1)
    if not (
        isinstance(first, Assign)
        and first.var.startswith(CAS_PREFIX)
        and isinstance(first.expr, Cas)
        and isinstance(first.expr.expected, Var)
    ):
        return None
    tmp, expected = first.var, first.expr.expected.name
    base = 1 if expected_loc is None else 2

    def writes_back(s: Stmt | None) -> bool:
        if expected_loc is not None:
            return (isinstance(s, If) and s.cond == BinOp("!=", Var(tmp), Var(expected))
                    and not s.orelse and len(s.then) == 1 and isinstance(s.then[0], Store)
                    and (s.then[0].loc, s.then[0].via) == (expected_loc.loc, expected_loc.via)
                    and s.then[0].value == Var(tmp)
                    and s.then[0].plain)  # fmt: skip
        return isinstance(s, Assign) and s.var == expected and s.expr == Var(tmp) and not s.declared

    arg = f"&{expected}" if expected_loc is None else _CPrinter().pointer(expected_loc)
    second, third = at(base), at(base + 1)
    if writes_back(second):
        return first, None, base + 1, arg  # type: ignore[return-value]
    if (
        isinstance(second, Assign)
        and second.expr == BinOp("==", Var(tmp), Var(expected))
        and writes_back(third)
    ):
        return first, second, base + 2, arg  # type: ignore[return-value]
    return None


def _ok_condition(cond: Expr, ok: str) -> str | None:
    if cond == Var(ok):
        return "is"
    if cond == UnOp("!", Var(ok)):
        return "not"
    return None


class _RustPrinter(_SourcePrinter):
    """Our Rust spelling, the `$` shapes of the Rust reader (source.py's `_RustBuilder`)
    printed back as the Result methods, match and fetch_update they came from."""

    prec = _RUST_PREC

    def __init__(self, mutable: set[str]):
        self.mutable = mutable

    def non_assoc(self, prec: int) -> bool:
        return prec == _RUST_NON_ASSOC

    def let(self, s: Assign, value: str, pad: str) -> str:
        if s.declared:
            mut = "mut " if s.var in self.mutable else ""
            return f"{pad}let {mut}{s.var} = {value};"
        return f"{pad}{s.var} = {value};"

    def stmt_at(self, stmts: tuple[Stmt, ...], i: int, depth: int) -> tuple[list[str], int]:
        at = lambda k: stmts[i + k] if i + k < len(stmts) else None  # noqa: E731
        first, second, third = at(0), at(1), at(2)
        pad = "  " * depth
        update = _match_update(first, second)
        if update is not None:
            call = self.update_call(update, first.var)
            if isinstance(third, Assign) and third.expr == Var(first.var):
                return [self.let(third, f"{call}.unwrap()", pad)], 3
            return [f"{pad}{call};"], 2
        if not (isinstance(first, Assign) and first.var.startswith(CAS_PREFIX)
                and isinstance(first.expr, Cas)):  # fmt: skip
            return self.stmt(stmts[i], depth), 1
        cas, tmp = first.expr, Var(first.var)
        call = self.cas(cas)
        if (isinstance(second, Assign) and isinstance(third, If) and not third.orelse
                and third.cond == BinOp("==", tmp, cas.expected)
                and third.then == (Assign(second.var, tmp, False, third.then[0].pos),)):  # fmt: skip
            return [self.let(second, f"{call}.unwrap_or({self.expr(second.expr)})", pad)], 3
        if isinstance(second, If) and second.cond in (BinOp("==", tmp, cas.expected),
                                                      BinOp("!=", tmp, cas.expected)):  # fmt: skip
            first_arm, then = _binding(second.then, tmp)
            other_arm, orelse = _binding(second.orelse, tmp)
            if second.cond.op == "!=":
                return self.block(f"if let Err({first_arm}) = {call}", then, depth,
                                  second.orelse), 2  # fmt: skip
            return [f"{pad}match {call} {{",
                    *self.block(f"Ok({first_arm}) =>", then, depth + 1, None),
                    *self.block(f"Err({other_arm}) =>", orelse, depth + 1, None),
                    f"{pad}}}"], 2  # fmt: skip
        raise FencelabError(f"cannot print the compare_exchange of {first.var!r} in Rust")

    def update_call(self, update: tuple, prev: str) -> str:
        load, cas = update
        param = next(n for n in ("v", "old", "prev", "current", "v0", "v1")
                     if n not in _variables(cas.desired))  # fmt: skip
        body = self.expr(_renamed(cas.desired, prev, param))
        return (f"{cas.loc}.fetch_update({cas.success.rust}, {load.order.rust}, "
                f"|{param}| Some({body}))")

    def stmt(self, s: Stmt, depth: int) -> list[str]:
        pad = "  " * depth
        if isinstance(s, Assign):
            return [self.let(s, self.expr(s.expr), pad)]
        if isinstance(s, Store):
            return [f"{pad}{s.loc}.store({self.expr(s.value)}, {s.order.rust});"]
        if isinstance(s, ExprStmt):
            if isinstance(s.expr, Cas):
                return [f"{pad}{self.cas(s.expr)};"]
            return [f"{pad}{self.expr(s.expr)};"]
        if isinstance(s, Fence):
            name = "compiler_fence" if s.compiler_only else "fence"
            return [f"{pad}{name}({s.order.rust});"]
        if isinstance(s, If):
            return self.block(f"if {self.expr(s.cond)}", s.then, depth, s.orelse)
        if isinstance(s, While):
            return self.block(f"while {self.expr(s.cond)}", s.body, depth, None)
        if isinstance(s, Loop):
            return self.block("loop", s.body, depth, None)
        if isinstance(s, Break):
            return [f"{pad}break;"]
        raise FencelabError(f"cannot print statement {s!r} in Rust")

    def cond(self, e: Expr) -> str:
        return self.expr(e)

    def expr(self, e: Expr) -> str:
        if isinstance(e, Const):
            return str(e.value)
        if isinstance(e, Var):
            return e.name
        if (isinstance(e, BinOp) and e.op in ("==", "!=") and isinstance(e.left, Cas)
                and e.right == e.left.expected):  # fmt: skip
            return f"{self.cas(e.left)}.{'is_ok' if e.op == '==' else 'is_err'}()"
        if isinstance(e, BinOp):
            return self.binop(e)
        if isinstance(e, UnOp):
            return self.unop("!" if e.op in ("!", "~") else e.op, e.operand)
        if isinstance(e, Load):
            return f"{e.loc}.load({e.order.rust})"
        if isinstance(e, Rmw):
            return f"{e.loc}.{e.op.value}({self.expr(e.operand)}, {e.order.rust})"
        if isinstance(e, Cas):  # the value it saw, either way
            return f"{self.cas(e)}.unwrap_or_else(|v| v)"
        raise FencelabError(f"cannot print expression {e!r} in Rust")

    def cas(self, e: Cas) -> str:
        name = Op.CAS_WEAK.value if e.weak else Op.CAS.value
        return (f"{e.loc}.{name}({self.expr(e.expected)}, {self.expr(e.desired)}, "
                f"{e.success.rust}, {e.failure.rust})")


def _match_update(first, second) -> tuple | None:
    """The Rust reader's fetch_update shape at (first, second): (its load, its CAS)."""
    if not (isinstance(first, Assign) and first.var.startswith(UPDATE_PREFIX)
            and isinstance(first.expr, Load) and isinstance(second, Loop)
            and len(second.body) == 3):  # fmt: skip
        return None
    prev = Var(first.var)
    tmp_assign, test, back = second.body
    if not (isinstance(tmp_assign, Assign) and isinstance(tmp_assign.expr, Cas)
            and tmp_assign.expr.expected == prev and not tmp_assign.expr.weak
            and isinstance(test, If) and test.cond == BinOp("==", Var(tmp_assign.var), prev)
            and len(test.then) == 1 and isinstance(test.then[0], Break) and not test.orelse
            and isinstance(back, Assign) and back.var == first.var
            and back.expr == Var(tmp_assign.var)):  # fmt: skip
        return None
    return first.expr, tmp_assign.expr


def _binding(body: tuple[Stmt, ...], tmp: Var) -> tuple[str, tuple[Stmt, ...]]:
    """A match arm's binding (`v` of `Ok(v)`, or `_`) and the rest of its statements."""
    if body and isinstance(body[0], Assign) and body[0].expr == tmp and body[0].declared:
        return body[0].var, body[1:]
    return "_", body


def _variables(e: Expr) -> set[str]:
    if isinstance(e, Var):
        return {e.name}
    if isinstance(e, BinOp):
        return _variables(e.left) | _variables(e.right)
    if isinstance(e, (UnOp, Rmw)):
        return _variables(e.operand)
    if isinstance(e, Cas):
        return _variables(e.expected) | _variables(e.desired)
    return set()


def _renamed(e: Expr, old: str, new: str) -> Expr:
    """`e` with the variable `old` read as `new` (a closure's parameter)."""
    if isinstance(e, Var):
        return Var(new) if e.name == old else e
    if isinstance(e, BinOp):
        return dataclasses.replace(e, left=_renamed(e.left, old, new),
                                   right=_renamed(e.right, old, new))  # fmt: skip
    if isinstance(e, (UnOp, Rmw)):
        return dataclasses.replace(e, operand=_renamed(e.operand, old, new))
    return e


# ---------------------------------------------------------------------------------------------
# Meaning


def strip_positions(node):
    """`node` with every Pos reset, recursively (dataclasses and tuples)."""
    if isinstance(node, Pos):
        return Pos()
    if isinstance(node, tuple):
        return tuple(strip_positions(x) for x in node)
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        changes = {f.name: strip_positions(getattr(node, f.name)) for f in dataclasses.fields(node)}
        return dataclasses.replace(node, **changes)
    return node


def same_meaning(a: LitmusTest, b: LitmusTest) -> bool:
    """Equal tests once positions, comments, the file name and the order of register
    initialisations (the printer groups them by thread) are set aside."""

    def norm(t: LitmusTest) -> LitmusTest:
        inits = tuple(sorted(t.reg_inits, key=lambda r: (r.tid, r.reg)))
        return dataclasses.replace(strip_positions(t), comments=(), file="", reg_inits=inits)

    return norm(a) == norm(b)


@cache
def event_names(count: int) -> tuple[str, ...]:
    """herd's event letters: a ... z, then aa, ab ... (remembered: every candidate execution
    of a test names its events)."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    out = []
    for i in range(count):
        name = ""
        i += 1
        while i:
            i, r = divmod(i - 1, 26)
            name = letters[r] + name
        out.append(name)
    return tuple(out)
