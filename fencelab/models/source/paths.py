"""Thread paths of a source litmus test: the events one thread performs for chosen read values.

An axiomatic model judges candidate executions built from one *path* per thread. A path is what
a thread does when every atomic read returns a chosen value: its events in program order (reads,
writes, read-modify-writes, fences) and its final local variables. Here the thread body (the
statements of `fencelab.litmus.ast`) is simply run with a list of choices; when the run needs a
choice the list does not have yet, it stops and names the options, and `thread_paths` explores
them depth first.

Read values range over a per-location *domain*: the initial value and every value some path
stores there. Stored values may depend on values read, so `value_domains` grows the domains to
a fixpoint, for at most as many rounds as an execution can have writes (a value first seen in
round k needs a chain of k writes, each reading the one before: more rounds only add values no
execution without a thin-air cycle can produce).

Loops are bounded three ways, and a path cut short by any of them is kept with `complete=False`
(executions containing one are reported as budget-exhausted, never as outcomes):
- an iteration that returns to the loop head with the same locals and wrote nothing is a spin
  that may go on forever: its repetitions add no behaviour, so the path stops there;
- more than `unroll` iterations of one loop entry;
- more than `budget` memory events in the thread (the machine's per-core budget).

Values are Python ints kept at the location's width (signed, as herd prints them); arithmetic
on locals wraps at 64 bits. A value may also be a location's address (`LocRef`, C's pointers):
it is stored whole, compared by name, offset within its array (`v + 1`), and an access through
one (`Load.via`, ...) takes the location its address names, so each path still names the
location of every access (a read of a pointer branches on the address read, like any value). A
path that dereferences a value that is no address, or computes with an address beyond moving
within its array, stops there (`Path.fault`); the model reports it as an error if an execution
it allows contains that path. C's plain (non-atomic) accesses keep their mark (`Event.plain`):
they read and write as Relaxed accesses, take no part in synchronisation, and the rc11 and c11
models flag a consistent execution in which one races (herd's `Undef`, axioms.py).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

from fencelab import reduce
from fencelab.atomics import Op, Order
from fencelab.errors import FencelabError, SourceError
from fencelab.litmus.ast import (
    AddrOf,
    Assign,
    BinOp,
    Break,
    Cas,
    Const,
    Expr,
    ExprStmt,
    Fence,
    If,
    LitmusTest,
    Load,
    LocRef,
    Loop,
    Pos,
    Rmw,
    Stmt,
    Store,
    Thread,
    UnOp,
    Value,
    Var,
    While,
    at_width,
    value_key,
)
from fencelab.values import signed

DEFAULT_UNROLL = 3  # iterations of one loop entry before the path counts as unbounded
MAX_DOMAIN = 48  # distinct values per location before the enumeration gives up
MAX_PATHS = 20000  # paths per thread before the enumeration gives up


@dataclass(frozen=True)
class Event:
    """One memory event of a thread path. `kind` is R, W, U (read-modify-write) or F."""

    kind: str
    loc: str  # "" for fences
    order: Order
    rval: int | None = None  # value read (R, U)
    wval: int | None = None  # value written (W, U)
    line: int = field(default=0, compare=False)  # the source line (execution graphs)
    plain: bool = False  # C's non-atomic `*x` (herd's `AN []`): it can race (axioms.data_race)

    @property
    def reads(self) -> bool:
        return self.kind in ("R", "U")

    @property
    def writes(self) -> bool:
        return self.kind in ("W", "U")


@dataclass(frozen=True)
class Path:
    """One thread's events in program order, its final locals, and whether it ran to its end."""

    tid: int
    events: tuple[Event, ...]
    env: tuple[tuple[str, Value], ...]
    complete: bool = True
    fault: str = ""  # why the path stopped: it dereferenced a value that is no address


class _Fault(Exception):
    """The path dereferenced a value that is no location's address (it stops there)."""


class _NeedChoice(Exception):
    def __init__(self, options: list):
        self.options = options


class _Stop(Exception):
    """The path hit a loop bound (spin, unroll or event budget)."""


class _Break(Exception):
    """A `break` leaving the innermost loop."""


_WRITES = ("W", "U")  # the kinds of events that write (Event.writes)
_SPURIOUS = "spurious"  # a weak CAS choice: the value matched but the CAS failed anyway


def _layout(test: LitmusTest, thread: Thread) -> tuple:
    """What every run of `thread` starts from: its initial locals, each location's width,
    array elements by (array, index) and each element's (array, index)."""
    env = {ri.reg: ri.value for ri in test.reg_inits if ri.tid == thread.tid}
    widths = {loc.name: loc.width for loc in test.locations}
    elements = {(loc.array, loc.index): loc.name for loc in test.locations if loc.array}
    element_of = {loc.name: (loc.array, loc.index) for loc in test.locations if loc.array}
    return env, widths, elements, element_of


class _Runner:
    """Runs one thread body deterministically along a list of choices."""

    def __init__(
        self,
        test: LitmusTest,
        thread: Thread,
        domains: dict[str, tuple[int, ...]],
        choices: list,
        unroll: int,
        budget: int,
        layout: tuple | None = None,
    ):
        self.test = test
        self.thread = thread
        self.domains = domains
        self.choices = list(choices)
        self.next_choice = 0
        self.branches: list[tuple[int, list]] = []  # (choices before, options) of new choices
        self.unroll = unroll
        self.budget = budget
        self.events: list[Event] = []
        env, self.widths, self.elements, self.element_of = layout or _layout(test, thread)
        self.env: dict[str, Value] = dict(env)
        self.fault = ""
        self.at = Pos()  # the statement (or access) running now, for a fault without a place
        self.consulted: set[str] = set()  # the locations whose domains this run read

    def domain(self, loc: str) -> tuple:
        """The values a read of `loc` may return (and `loc` noted as consulted)."""
        self.consulted.add(loc)
        return self.domains[loc]

    # -- choices and events ---------------------------------------------------------------

    def choose(self, options: list):
        """The next choice: the one given, or past them the first option (the others are
        remembered in `branches`, for `thread_paths` to run later)."""
        if self.next_choice < len(self.choices):
            choice = self.choices[self.next_choice]
            self.next_choice += 1
            return choice
        if not options:
            raise _NeedChoice(options)
        self.branches.append((len(self.choices), options))
        self.choices.append(options[0])
        self.next_choice += 1
        return options[0]

    def emit(self, event: Event) -> None:
        if len(self.events) >= self.budget:
            raise _Stop
        self.events.append(event)

    def width(self, loc: str, pos) -> int:
        if loc not in self.widths:
            raise self.error(f"unknown location {loc!r}", pos)
        return self.widths[loc]

    def error(self, message: str, pos) -> SourceError:
        return SourceError(message, self.test.file, pos.line, pos.col)

    # -- statements -----------------------------------------------------------------------

    def run(self) -> Path:
        complete = True
        try:
            self.stmts(self.thread.body)
        except _Stop:
            complete = False
        except _Fault:
            complete = False
        return Path(self.thread.tid, tuple(self.events), tuple(sorted(self.env.items())), complete,
                    self.fault)  # fmt: skip

    def place(self, e: Load | Store | Rmw | Cas) -> str:
        """The location an access through a pointer (`e.via`) names: the address the pointer
        holds now (a value that is no address stops the path: `Path.fault`)."""
        self.at = e.pos
        address = self.expr(e.via)
        if not isinstance(address, LocRef) or address.name not in self.widths:
            shown = address.name if isinstance(address, LocRef) else address
            self.stop(e.pos, f"dereferences {shown}, which is no location's address")
        return address.name

    def stmts(self, body: tuple[Stmt, ...]) -> None:
        for s in body:
            self.stmt(s)

    def stmt(self, s: Stmt) -> None:
        self.at = s.pos
        kind = type(s)  # (the AST's classes have no subclasses)
        if kind is Assign:
            self.env[s.var] = self.expr(s.expr)
        elif kind is Store:
            loc = s.loc if s.via is None else self.place(s)
            width = self.width(loc, s.pos)
            value = self.expr(s.value)
            self.emit(Event("W", loc, s.order, wval=at_width(value, width), line=s.pos.line,
                            plain=s.plain))  # fmt: skip
        elif kind is ExprStmt:
            self.expr(s.expr)
        elif kind is Fence:
            # a relaxed fence is no fence at all; a compiler fence orders nothing between
            # threads (C++'s atomic_signal_fence, which Rust's compiler_fence is)
            if s.order is not Order.RELAXED and not s.compiler_only:
                self.emit(Event("F", "", s.order, line=s.pos.line))
        elif kind is If:
            self.stmts(s.then if self.truth(s.cond, s.pos) else s.orelse)
        elif kind is While or kind is Loop:
            with contextlib.suppress(_Break):  # a `break` ends the loop it is in
                self.loop(s)
        elif kind is Break:
            raise _Break
        else:  # pragma: no cover - the AST has no other statements
            raise FencelabError(f"unsupported statement {s!r}")

    def loop(self, s: While | Loop) -> None:
        iterations = 0
        while isinstance(s, Loop) or self.truth(s.cond, s.pos):
            if iterations >= self.unroll:
                raise _Stop
            head_env = dict(self.env)
            head_events = len(self.events)
            self.stmts(s.body)
            iterations += 1
            new = self.events[head_events:]
            if self.env == head_env and not any(e.kind in _WRITES for e in new):
                # Back at the head with nothing changed: a spin that can repeat forever.
                # Checking the condition once more records its reads (what the spin waits on);
                # a `loop` has no condition: its body, run again, would do the same.
                if isinstance(s, Loop) or self.truth(s.cond, s.pos):
                    raise _Stop
                return

    # -- expressions ----------------------------------------------------------------------

    def truth(self, e: Expr, pos) -> bool:
        value = self.expr(e)
        if isinstance(value, LocRef):
            return True
        return value != 0

    def int_value(self, value: Value, pos, what: str) -> int:
        """`value` where a number is needed; an address there stops the path (`Path.fault`):
        arithmetic on addresses other than moving within an array is not modelled."""
        if isinstance(value, LocRef):
            self.stop(pos, f"uses the address of {value.name} as a number ({what}): arithmetic "
                           "on addresses is not modelled beyond `v + i` within an array")  # fmt: skip
        return value

    def stop(self, pos: Pos, message: str):
        """Stop the path at a fault; the model reports it if an execution contains the path."""
        pos = pos if pos.line else self.at  # an operator has no position: its statement's
        self.fault = f"{self.test.file}:{pos.line}:{pos.col}: P{self.thread.tid} {message}"
        raise _Fault

    def expr(self, e: Expr) -> Value:
        kind = type(e)  # (the AST's classes have no subclasses)
        if kind is Const:
            return e.value
        if kind is Var:
            return self.env.get(e.name, 0)
        if kind is BinOp:
            return self.binop(e)
        if kind is Load:
            loc = e.loc if e.via is None else self.place(e)
            self.width(loc, e.pos)  # an unknown location is an error here, not a KeyError
            value = self.choose(list(self.domain(loc)))
            self.emit(Event("R", loc, e.order, rval=value, line=e.pos.line, plain=e.plain))
            return value
        if kind is Rmw:
            loc = e.loc if e.via is None else self.place(e)
            width = self.width(loc, e.pos)
            operand = self.expr(e.operand)
            if e.op is not Op.SWAP and isinstance(operand, LocRef):
                operand = self.int_value(operand, e.pos, f"the operand of {e.op}")
            old = self.choose(list(self.domain(loc)))
            if e.op is Op.SWAP:
                new = at_width(operand, width)
            elif isinstance(old, LocRef):
                self.stop(e.pos, f"applies {e.op.value} to {loc}, which holds the address of "
                                 f"{old.name}: arithmetic on addresses is not modelled")  # fmt: skip
            else:
                new = signed(_rmw_result(e.op, old, operand), width)
            self.emit(Event("U", loc, e.order, rval=old, wval=new, line=e.pos.line))
            return old
        if kind is Cas:
            return self.cas(e)
        if kind is UnOp:
            v = self.expr(e.operand)
            if isinstance(v, LocRef):
                v = self.int_value(v, _pos_of(e), f"the operand of {e.op!r}")
            if e.op == "-":
                return _wrap64(-v)
            if e.op == "!":
                return int(v == 0)
            if e.op == "~":
                return _wrap64(~v)
            raise FencelabError(f"unsupported operator {e.op!r}")
        if kind is AddrOf:
            return LocRef(e.loc)
        raise FencelabError(f"unsupported expression {e!r}")  # pragma: no cover

    def cas(self, e: Cas) -> Value:
        loc = e.loc if e.via is None else self.place(e)
        width = self.width(loc, e.pos)
        expected = at_width(self.expr(e.expected), width)
        desired = self.expr(e.desired)
        options: list = list(self.domain(loc))
        if e.weak and expected in options:
            options.append(_SPURIOUS)
        choice = self.choose(options)
        if choice == _SPURIOUS:
            self.emit(Event("R", loc, e.failure, rval=expected, line=e.pos.line))
            return expected
        if choice == expected:
            self.emit(Event("U", loc, e.success, rval=choice, wval=at_width(desired, width),
                             line=e.pos.line))
        else:
            self.emit(Event("R", loc, e.failure, rval=choice, line=e.pos.line))
        return choice

    def binop(self, e: BinOp) -> Value:
        if e.op in ("&&", "||"):  # short-circuit, as C and Rust evaluate them
            left = self.truth(e.left, _pos_of(e))
            if e.op == "&&" and not left:
                return 0
            if e.op == "||" and left:
                return 1
            return int(self.truth(e.right, _pos_of(e)))
        a = self.expr(e.left)
        b = self.expr(e.right)
        if e.op in ("==", "!="):
            return int((a == b) == (e.op == "=="))
        if e.op in ("+", "-") and isinstance(a, LocRef) and isinstance(b, int):
            return self.offset(a, b if e.op == "+" else -b)
        if isinstance(a, LocRef):
            a = self.int_value(a, _pos_of(e), f"the left operand of {e.op!r}")
        if isinstance(b, LocRef):
            b = self.int_value(b, _pos_of(e), f"the right operand of {e.op!r}")
        if e.op in ("/", "%"):
            if b == 0:
                raise FencelabError(f"P{self.thread.tid}: division by zero")
            q = abs(a) // abs(b) * (1 if (a >= 0) == (b >= 0) else -1)  # C truncates
            return _wrap64(q if e.op == "/" else a - q * b)
        op = _BINARY.get(e.op)
        if op is None:
            raise FencelabError(f"unsupported operator {e.op!r}")
        return _wrap64(op(a, b))


    def offset(self, ref: LocRef, n: int) -> LocRef:
        """`v + n`: the address n elements on in the array `ref` is an element of."""
        if n == 0:
            return ref
        array, index = self.element_of.get(ref.name, (ref.name, 0))
        name = self.elements.get((array, index + n))
        if name is None:
            size = sum(1 for a, _ in self.elements if a == array)
            what = f"outside array {array!r} of {size}" if size else f"{array!r} is no array"
            self.stop(self.at, f"computes the address {array}[{index + n}]: {what}")
        return LocRef(name)


_BINARY = {  # the binary operators on integers but && || == != / % (Runner.binop)
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "&": lambda a, b: a & b,
    "|": lambda a, b: a | b,
    "^": lambda a, b: a ^ b,
    "<<": lambda a, b: a << (b & 63),
    ">>": lambda a, b: a >> (b & 63),
    "<": lambda a, b: int(a < b),
    "<=": lambda a, b: int(a <= b),
    ">": lambda a, b: int(a > b),
    ">=": lambda a, b: int(a >= b),
}


def _pos_of(e) -> Pos:
    return getattr(e, "pos", Pos())


def _wrap64(v: int) -> int:
    return signed(v, 64)


def _rmw_result(op: Op, old: int, operand: int) -> int:
    if op is Op.SWAP:
        return operand
    if op is Op.FETCH_ADD:
        return old + operand
    if op is Op.FETCH_SUB:
        return old - operand
    if op is Op.FETCH_AND:
        return old & operand
    if op is Op.FETCH_OR:
        return old | operand
    if op is Op.FETCH_XOR:
        return old ^ operand
    if op is Op.FETCH_NAND:
        return ~(old & operand)
    if op is Op.FETCH_MAX:
        return max(old, operand)
    if op is Op.FETCH_MIN:
        return min(old, operand)
    raise FencelabError(f"unsupported read-modify-write {op}")


def thread_paths(
    test: LitmusTest,
    thread: Thread,
    domains: dict[str, tuple[int, ...]],
    unroll: int = DEFAULT_UNROLL,
    budget: int = 40,
    consulted: set[str] | None = None,
) -> list[Path]:
    """Every path of `thread` whose reads return values from `domains`, depth first; the
    locations whose domains the runs read are added to `consulted`.

    A run takes the choices it is given, then the first option at every new choice; the
    other options are run later, from the same choices before them, deepest first: one run a
    path (not one a choice point too), in the order of choices."""
    paths: list[Path] = []
    stack: list[list] = [[]]
    layout = _layout(test, thread)
    while stack:
        choices = stack.pop()
        runner = _Runner(test, thread, domains, choices, unroll, budget, layout)
        try:
            paths.append(runner.run())
        except _NeedChoice:
            pass  # a choice without options: no path
        finally:
            if consulted is not None:
                consulted |= runner.consulted
        taken = runner.choices
        for before, options in runner.branches:  # the deepest last, on top
            for option in reversed(options[1:]):
                stack.append([*taken[:before], option])
        if len(paths) > MAX_PATHS:
            raise FencelabError(
                f"{test.name}: P{thread.tid} has more than {MAX_PATHS} paths; "
                "the source model cannot enumerate it (fewer loops or values?)"
            )
    return paths


def value_domains(
    test: LitmusTest,
    seeds: tuple[int, ...] = (),
    unroll: int = DEFAULT_UNROLL,
    budget: int = 40,
) -> tuple[dict[str, tuple[int, ...]], list[list[Path]]]:
    """The values each location can hold (to a fixpoint) and every thread's paths over them.

    With the `source-paths-reuse` reduction (fencelab/reduce.py), a thread's paths are found
    again in a round only if the domain of a location its runs read has grown since: a run
    depends on the domains only through the reads it makes (`_Runner.domain`), so while those
    domains stay the same, every run of the depth-first search, and so every path, is the same
    as in the round before."""
    domains: dict[str, set[int]] = {}
    for loc in test.locations:
        domains[loc.name] = {at_width(loc.init, loc.width)} | {signed(s, loc.width) for s in seeds}
    reuse = reduce.enabled("source-paths-reuse")
    found: list[tuple[list[Path], dict[str, tuple]] | None] = [None] * len(test.threads)
    rounds = 0
    while True:
        frozen = {name: tuple(sorted(vals, key=value_key)) for name, vals in domains.items()}
        paths = []
        for k, t in enumerate(test.threads):
            before = found[k]
            if reuse and before is not None and all(frozen[loc] == seen
                                                    for loc, seen in before[1].items()):  # fmt: skip
                paths.append(before[0])
                continue
            consulted: set[str] = set()
            paths.append(thread_paths(test, t, frozen, unroll, budget, consulted))
            found[k] = (paths[-1], {loc: frozen[loc] for loc in consulted})
        max_writes = 0
        grown = False
        for ps in paths:
            most = 0
            for p in ps:
                writes = [e for e in p.events if e.kind in _WRITES]
                most = max(most, len(writes))
                for e in writes:
                    if e.wval not in domains[e.loc]:
                        domains[e.loc].add(e.wval)
                        grown = True
            max_writes += most
        rounds += 1
        if not grown or rounds > max_writes:
            return frozen, paths
        for name, vals in domains.items():
            if len(vals) > MAX_DOMAIN:
                raise FencelabError(
                    f"{test.name}: more than {MAX_DOMAIN} distinct values can be stored to "
                    f"{name}; the source model enumerates values and gives up"
                )
