"""The one representation of a litmus test, whatever format it was read from.

Assembly tests (herdtools7's AArch64, ARM, X86_64 and X86 formats) keep each thread as a list of
instruction lines in the test's own syntax. Source tests (herd's C format and our Rust spelling)
keep each thread as a list of statements over atomic operations. The compiler, the source model
(RC11), the machine and the TUI all read this form; printers write it back in its own format.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property

from fencelab.atomics import Op, Order
from fencelab.values import signed

# ---------------------------------------------------------------------------------------------
# Places in a file (for error messages and the TUI's source view)


@dataclass(frozen=True)
class Pos:
    line: int = 0
    col: int = 0


# ---------------------------------------------------------------------------------------------
# Initial state, observables, final condition


@dataclass(frozen=True)
class LocRef:
    """A location's address used as a value (`0:X1=x;`). `shown` is herd's spelling of it where
    that is not the name: an array element's address in an assembly test is the array's plus a
    byte offset (`v+8` for `v[1]` of `int64_t v[2]`, herd's STR-postindex); it takes no part
    in comparisons."""

    name: str
    shown: str = field(default="", compare=False)


Value = int | LocRef | tuple[int, ...]  # a tuple: every element of an array (`x={1,0}`)


def value_key(value: Value) -> tuple:
    """A sort key for values: numbers first, in order, then addresses by name."""
    return (1, 0, value.name) if isinstance(value, LocRef) else (0, value, "")


@dataclass(frozen=True)
class Location:
    """A shared memory location: `name` with a C type (`int`, `uint64_t`, ...) and bit width.
    Its initial value may be another location's address (`x=y` in herd's assembly tests)."""

    name: str
    init: Value = 0
    ctype: str = ""  # as written (`int`, `atomic_int`, `uint64_t`), "" when not declared
    width: int = 32  # bits: 32 unless the type or the test's architecture says otherwise
    array: str = ""  # an element of an array: the array's name (element 0 is named so too)
    index: int = 0  # ... and its index (`v[1]`, laid out right after `v`)
    pos: Pos = field(default=Pos(), compare=False, repr=False)  # where its type was written


@dataclass(frozen=True)
class RegInit:
    """`T:REG = value` in the initial state, with its optional declared type."""

    tid: int
    reg: str  # as written, e.g. `X1`, `%rax`, `r0`, `%x0` (herd symbolic)
    value: Value
    ctype: str = ""
    pos: Pos = field(default=Pos(), compare=False)  # where the file writes it (errors)


@dataclass(frozen=True)
class RegObs:
    """`T:REG` in a condition or `locations [...]`."""

    tid: int
    reg: str
    pos: Pos = field(default=Pos(), compare=False, repr=False)  # where first written (errors)


@dataclass(frozen=True)
class LocObs:
    """`x` or `[x]` in a condition or `locations [...]`."""

    name: str


Observable = RegObs | LocObs


@dataclass(frozen=True)
class Eq:
    obs: Observable
    value: Value


@dataclass(frozen=True)
class Not:
    prop: Prop


@dataclass(frozen=True)
class And:
    parts: tuple[Prop, ...]


@dataclass(frozen=True)
class Or:
    parts: tuple[Prop, ...]


@dataclass(frozen=True)
class TrueProp:
    pass


Prop = Eq | Not | And | Or | TrueProp


@dataclass(frozen=True)
class Condition:
    """`exists P`, `~exists P` or `forall P`."""

    quantifier: str  # "exists" | "~exists" | "forall"
    prop: Prop


# ---------------------------------------------------------------------------------------------
# Source threads (C and Rust spellings): expressions and statements


@dataclass(frozen=True)
class Const:
    value: int


@dataclass(frozen=True)
class Var:
    """A thread-local variable (`r0`)."""

    name: str


@dataclass(frozen=True)
class AddrOf:
    """A location's address as a value: C's parameter `x` (or `&v[1]`) used as a pointer."""

    loc: str


@dataclass(frozen=True)
class BinOp:
    """Integer arithmetic / comparison / logic: + - * & | ^ << >> == != < <= > >= && ||."""

    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True)
class UnOp:
    op: str  # "-", "!", "~"
    operand: Expr


@dataclass(frozen=True)
class Load:
    """An atomic load; `plain` marks C's non-atomic `*x` (read as Relaxed, flagged)."""

    loc: str
    order: Order
    pos: Pos = Pos()
    plain: bool = False
    via: Expr | None = None  # a pointer read at run time (`*r0`); then `loc` is ""


@dataclass(frozen=True)
class Rmw:
    """swap / fetch_add / fetch_sub / fetch_and / fetch_or / fetch_xor / fetch_nand /
    fetch_max / fetch_min: returns the old value."""

    op: Op
    loc: str
    operand: Expr
    order: Order
    pos: Pos = Pos()
    via: Expr | None = None  # as Load.via


@dataclass(frozen=True)
class Cas:
    """compare_exchange(expected, desired, success, failure): evaluates to the value observed.

    It succeeded exactly when the value observed equals `expected`. C's
    `atomic_compare_exchange_*_explicit(x, &r0, d, s, f)` is read as
    `tmp = Cas(x, r0, d, s, f); ok = tmp == r0; r0 = tmp` (see the C parser).
    """

    loc: str
    expected: Expr
    desired: Expr
    success: Order
    failure: Order
    weak: bool = False
    pos: Pos = Pos()
    via: Expr | None = None  # as Load.via


Expr = Const | Var | AddrOf | BinOp | UnOp | Load | Rmw | Cas


@dataclass(frozen=True)
class Assign:
    """`int r0 = e;` / `r0 = e;` / `let r0 = e;` (declared tells whether it introduced r0)."""

    var: str
    expr: Expr
    declared: bool = False
    pos: Pos = Pos()
    pointer: bool = False  # C: declared as a pointer (`int *r0 = ...;`)


@dataclass(frozen=True)
class Store:
    """An atomic store; `plain` marks C's non-atomic `*x = v` (read as Relaxed, flagged)."""

    loc: str
    value: Expr
    order: Order
    pos: Pos = Pos()
    plain: bool = False
    via: Expr | None = None  # as Load.via


@dataclass(frozen=True)
class ExprStmt:
    """An atomic operation whose result is dropped (`x.fetch_add(1, Relaxed);`)."""

    expr: Expr
    pos: Pos = Pos()


@dataclass(frozen=True)
class Fence:
    """A fence; `compiler_only` is Rust's `compiler_fence` (C's `atomic_signal_fence`): it
    stops the compiler reordering across it, emits no instruction, and orders nothing between
    threads in the source model."""

    order: Order
    pos: Pos = Pos()
    compiler_only: bool = False


@dataclass(frozen=True)
class If:
    cond: Expr
    then: tuple[Stmt, ...]
    orelse: tuple[Stmt, ...] = ()
    pos: Pos = Pos()


@dataclass(frozen=True)
class While:
    """A loop; the machine bounds it at run time (per-thread step budget)."""

    cond: Expr
    body: tuple[Stmt, ...]
    pos: Pos = Pos()


@dataclass(frozen=True)
class Loop:
    """Rust's `loop { ... }`: runs until a `break` (the machine bounds it, as `While`)."""

    body: tuple[Stmt, ...]
    pos: Pos = Pos()


@dataclass(frozen=True)
class Break:
    """`break;`: leaves the innermost `loop` or `while`."""

    pos: Pos = Pos()


Stmt = Assign | Store | ExprStmt | Fence | If | While | Loop | Break


def walk_statements(body: tuple[Stmt, ...]) -> Iterator[Stmt]:
    """Every statement of a thread body, nested ones included, in source order (an `if`
    before its branches, `then` before `else`, a `while` before its body)."""
    for stmt in body:
        yield stmt
        if isinstance(stmt, If):
            yield from walk_statements(stmt.then)
            yield from walk_statements(stmt.orelse)
        elif isinstance(stmt, (While, Loop)):
            yield from walk_statements(stmt.body)


def walk_expressions(body: tuple[Stmt, ...]) -> Iterator[Expr]:
    """Every expression of a thread body and every part of each (a pointer an access goes
    through included), outermost first."""
    todo: list = []
    for s in walk_statements(body):
        if isinstance(s, Assign):
            todo.append(s.expr)
        elif isinstance(s, Store):
            todo += [s.value, s.via]
        elif isinstance(s, ExprStmt):
            todo.append(s.expr)
        elif isinstance(s, (If, While)):
            todo.append(s.cond)
    while todo:
        e = todo.pop()
        if e is None:
            continue
        yield e
        if isinstance(e, BinOp):
            todo += [e.left, e.right]
        elif isinstance(e, UnOp):
            todo.append(e.operand)
        elif isinstance(e, Load):
            todo.append(e.via)
        elif isinstance(e, Rmw):
            todo += [e.operand, e.via]
        elif isinstance(e, Cas):
            todo += [e.expected, e.desired, e.via]


def uses_pointers(thread: Thread) -> bool:
    """Whether a source thread takes an address as a value or accesses memory through one."""
    return any(isinstance(e, AddrOf) or getattr(e, "via", None) is not None
               for e in walk_expressions(thread.body)) or any(
        isinstance(s, Store) and s.via is not None for s in walk_statements(thread.body))  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Threads and tests


@dataclass(frozen=True)
class AsmLine:
    """One cell of a herd thread table: an instruction, a label (`L0:`), or both."""

    text: str  # as written, stripped, a line break in it one blank; "" for an empty cell
    row: int  # row index in the thread table (0-based)
    pos: Pos = Pos()
    lines: int = 1  # the lines of the file it takes (herd reads a row's line breaks as blanks)


@dataclass(frozen=True)
class Thread:
    tid: int
    name: str = ""  # `P0`
    asm: tuple[AsmLine, ...] = ()  # assembly tests
    body: tuple[Stmt, ...] = ()  # source tests
    params: tuple[tuple[str, str], ...] = ()  # C: (type, name) of `P0(atomic_int* x, ...)`
    # source tests: the lines of `P0 ... {` and of its closing `}` in the file (the TUI's source
    # pane shows them); (0, 0) when unknown
    span: tuple[int, int] = field(default=(0, 0), compare=False)


ASM_ARCHES = ("AArch64", "ARM", "X86_64", "X86")
SOURCE_ARCHES = ("C", "RUST")


@dataclass(frozen=True)
class LitmusTest:
    arch: str  # one of ASM_ARCHES or SOURCE_ARCHES, as written in the header
    name: str
    threads: tuple[Thread, ...]
    locations: tuple[Location, ...] = ()  # every shared location, in first-seen order
    reg_inits: tuple[RegInit, ...] = ()
    condition: Condition = Condition("forall", TrueProp())  # none written: herd's `forall (true)`
    observed: tuple[Observable, ...] = ()  # the `locations [...]` clause
    doc: str = ""  # the quoted cycle line / free text after the name
    info: tuple[tuple[str, str], ...] = ()  # Key=Value metadata lines, in order
    comments: tuple[str, ...] = ()  # `(* ... *)` comments, kept for printing
    file: str = "<input>"
    filter: Prop | None = None  # herd's `filter P` clause: executions not satisfying P are dropped
    # a compiled test: its source, registers of locals, origins of rows (fencelab.compiler.compile)
    origin: CompileInfo | None = field(default=None, compare=False, repr=False)
    text: str = field(default="", compare=False, repr=False)  # the file as read (source lines)

    @property
    def is_source(self) -> bool:
        return self.arch in SOURCE_ARCHES

    def location(self, name: str) -> Location:
        """The location `name` names; an array's element 0 also as herd spells it, `v[0]`."""
        name = location_name(name)
        for loc in self.locations:
            if loc.name == name:
                return loc
        raise KeyError(name)

    def array(self, name: str) -> tuple[Location, ...]:
        """The elements of array `name` by index; () if `name` is no array."""
        if not name:
            return ()
        return tuple(sorted((loc for loc in self.locations if loc.array == name),
                            key=lambda loc: loc.index))  # fmt: skip


def location_name(name: str) -> str:
    """The location an observable's name names: herd's `v[0]` is element 0, the location `v`."""
    return name[:-3] if name.endswith("[0]") else name


def element_observable(array: str, index: int) -> str:
    """An array element as herd prints it in a final state or condition: `v[0]`, `v[1]`."""
    return f"{array}[{index}]"


# ---------------------------------------------------------------------------------------------
# What a compiled test remembers of its source: registers of locals, origins of rows


@dataclass(frozen=True)
class OpOrigin:
    """Where one assembly row comes from: the source operation it lowers (or glue around one)."""

    pos: Pos  # the source operation (or statement) in the source file
    what: str  # `store y Release`, `if`, `r0 = ...`
    op: Op | None = None  # None for glue: constants, arithmetic, compares, branches
    order: Order | None = None
    failure: Order | None = None  # CAS failure ordering
    rationale: str = ""  # the lowering entry's why (or what the glue is for)
    scheme: str = ""  # the scheme the entry came from (`default` when an overlay fell back)

    @property
    def is_atomic(self) -> bool:
        return self.op is not None


@dataclass(frozen=True, eq=False)
class CompileInfo:
    """The map from a compiled test back to its source."""

    source: LitmusTest
    target: str
    scheme: str
    registers: dict[tuple[int, str], str]  # (tid, source local) -> register as in the condition
    ops: dict[tuple[int, int], OpOrigin]  # (tid, asm row) -> what it lowers
    types: dict = field(default_factory=dict)  # (tid, local) -> its ValueType (litmus/types.py)

    def source_obs(self, obs: Observable) -> Observable:
        """`1:X0` back to `1:r0` (locations are unchanged)."""
        if isinstance(obs, RegObs):
            back = self._back.get((obs.tid, obs.reg))
            if back is not None:
                return RegObs(obs.tid, back)
        return obs

    def source_value(self, obs: Observable, value):
        """A register value re-read in the source local's type (a 32-bit -1 in X0 is -1, an
        `AtomicU32`'s 3000000000 in W0 is 3000000000)."""
        if isinstance(obs, RegObs) and isinstance(value, int):
            vtype = self.types.get((obs.tid, obs.reg))
            if vtype is None:
                return signed(value, 64)
            return vtype.wrap(value)
        return value

    def source_outcome(self, outcome):
        """An outcome of the compiled test in source terms: `0:r0=1` instead of `0:X0=1`."""
        out = []
        for obs, value in outcome:
            src = self.source_obs(obs)
            out.append((src, self.source_value(src, value)))
        return tuple(out)

    @cached_property
    def _back(self) -> dict[tuple[int, str], str]:
        """(tid, register) -> source local, made once (a result's every state asks it)."""
        return {(tid, reg): local for (tid, local), reg in self.registers.items()}
