"""Thread paths of a source litmus test: the events one thread performs for chosen read values.

An axiomatic model judges candidate executions built from one *path* per thread. A path is what
a thread does when every atomic read returns a chosen value: its events in program order (reads,
writes, read-modify-writes, fences) and its final local variables. Here the thread body (the
statements of `fencelab.litmus.ast`, turned once into Python closures: `compile_body`) is run
with a list of choices; past the list, the run takes the first option of each new choice and
remembers the others, which `thread_paths` runs later, depth first.

Read values range over a per-location *domain*: the initial value and every value some path
stores there. Stored values may depend on values read, so `value_domains` grows the domains to
a fixpoint, for at most as many rounds as an execution can have writes (a value first seen in
round k needs a chain of k writes, each reading the one before: more rounds only add values no
execution without a thin-air cycle can produce). At a location that only read-modify-writes
write, an RMW's read ranges over less: the values a chain of RMWs can write before it
(`_Chains`, the `source-rmw-chains` reduction).

Loops are bounded three ways, and a path cut short by any of them is kept with `complete=False`
(executions containing one are reported as budget-exhausted, never as outcomes):
- an iteration that returns to the loop head with the same locals and wrote nothing is a spin
  that may go on forever: its repetitions add no behaviour, so the path stops there
  (`Path.cut` "spin": what it would go on to do once a read returns another value, the path that
  reads that value an iteration sooner does, from the same locals: that path is explored);
- more than `unroll` iterations of one loop entry;
- more than `budget` memory events in the thread (the machine's per-core budget).

Values are Python ints held as the location's type holds them (its width, signed or unsigned:
an `AtomicU8` holds 200, an `AtomicI8` -56; `types.held`); arithmetic on locals wraps at 64
bits. A value may also be a location's address (`LocRef`, C's pointers):
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

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

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
    value_key,
    walk_expressions,
    walk_statements,
)
from fencelab.litmus.types import ValueType, held, location_type
from fencelab.values import signed

DEFAULT_UNROLL = 3  # iterations of one loop entry before the path counts as unbounded
BOUNDS = ("budget", "unroll")  # the cuts a path might have gone on past (`Path.cut`)
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
    # where an incomplete path was cut (module doc): "spin" (no outcome lies beyond it that
    # another path does not reach, so an execution cut only there hides none: the checker's
    # `unjudged`), or at a bound, which it might have gone on past: "unroll", "budget"
    cut: str = ""


class _Fault(Exception):
    """The path dereferenced a value that is no location's address (it stops there)."""


class _NeedChoice(Exception):
    """A choice with no option to take: the run makes no path."""

    def __init__(self, options: list):
        self.options = options


class _Stop(Exception):
    """The path hit a loop bound: which one is `Path.cut`'s word."""

    bound = ""


class _Spin(_Stop):
    bound = "spin"


class _Unrolled(_Stop):
    bound = "unroll"


class _OverBudget(_Stop):
    bound = "budget"


class _Break(Exception):
    """A `break` leaving the innermost loop."""


_NOWHERE = Pos()  # no statement yet (`_Runner.at`)
_WRITES = ("W", "U")  # the kinds of events that write (Event.writes)
_SPURIOUS = "spurious"  # a weak CAS choice: the value matched but the CAS failed anyway


def _layout(test: LitmusTest, thread: Thread) -> tuple:
    """What every run of `thread` starts from: its initial locals, each location's type,
    array elements by (array, index) and each element's (array, index)."""
    env = {ri.reg: ri.value for ri in test.reg_inits if ri.tid == thread.tid}
    types = {loc.name: location_type(loc) for loc in test.locations}
    elements = {(loc.array, loc.index): loc.name for loc in test.locations if loc.array}
    element_of = {loc.name: (loc.array, loc.index) for loc in test.locations if loc.array}
    return env, types, elements, element_of


_NO_WRITE = object()  # (`_Runner.own`) the thread has not written the location in this run
_GONE = object()  # ... it has, but read another value since: its own write is overwritten


def _own_reads(domain: tuple, own, others: frozenset) -> tuple:
    """The values a read may return once its own thread wrote the location in this run (the
    `source-own-reads` reduction): its own latest write's (`own`; `_GONE` after a read took
    another value since) or a value another thread's path writes there (`others`), in the
    domain's order, `own` among them even before the domain holds it. Coherence allows no
    other: CoWR keeps a read from a write coherence-before the latest one its thread made
    before it (the initial write, its own earlier ones; CoWW orders those), CoRW from a write
    its thread makes later, CoRR from its own latest once an earlier read took another thread's
    write (coherence-after it, by CoWR). Every read of a consistent execution reads one of
    these, so every path of one is still found; what goes are paths of no execution (whose
    writes made the domains, and so the paths, grow: 4 RMWs of one thread, 20,000 paths)."""
    kept = tuple(v for v in domain if v in others or v == own)
    if own is _GONE or own in kept:
        return kept
    return tuple(sorted((*kept, own), key=value_key))


_EVERY = object()  # (a chain's `only`) an RMW: every value it may read is checked (`_Chains`)


def chain_locations(test: LitmusTest) -> frozenset[str]:
    """The locations that only read-modify-writes write, and some may (`source-rmw-chains`):
    no statement of any thread stores to them (with a store through a pointer, which may
    store anywhere, none), an RMW or CAS names them or goes through a pointer."""
    stores = [s for t in test.threads for s in walk_statements(t.body) if type(s) is Store]
    if any(s.via is not None for s in stores):
        return frozenset()
    stored = {s.loc for s in stores}
    updates = [e for t in test.threads for e in walk_expressions(t.body)
               if type(e) is Rmw or type(e) is Cas]  # fmt: skip
    anywhere = any(e.via is not None for e in updates)
    named = {e.loc for e in updates}
    return frozenset(loc.name for loc in test.locations
                     if loc.name not in stored and (anywhere or loc.name in named))


class _Chains:
    """What the `source-rmw-chains` reduction lets thread `k`'s RMWs read in one round of
    `value_domains`, at the locations only RMWs write (`chain_locations`).

    At such a location every write but the initial one is an RMW, and an RMW reads its
    immediate mo-predecessor (atomicity), so in every consistent execution mo there is one
    chain: init, then each RMW reading the write before it. A thread's RMWs there are in mo
    as in sb (CoWW), so the writes mo-before its i-th RMW there are init, its own first i-1
    and a first part of each other thread's: their counts, one per thread, are the RMW's
    *vector* p (p[k] = i-1), and it reads the value the last of those writes wrote. The
    vector of its (i+1)-th contains it and the i-th itself (p' >= p componentwise, p'[k] =
    i). `vectors` holds, per location and value, the vectors that value was written with in
    the paths found so far (the initial value: all zero; an RMW whose read had vector p
    writes with p[k] = i). By induction along mo, every RMW of a consistent execution whose
    paths are found reads a value with its own vector there, and its thread's earlier RMWs
    there read theirs: `options` keeps exactly the values for which such vectors exist, so
    every path of such an execution is still found. What goes are paths of no execution
    (an RMW reading a value some path writes but no chain of the RMWs of one path per thread
    reaches before it: P0's third fetch_add(x,1) reading 7 when the test has 8), whose writes
    grew the domains round after round (3 threads of 3, 3 and 2 fetch_adds: 25 values and
    14,450 paths a thread, not 9 and 56)."""

    __slots__ = ("vectors", "k", "memo")

    def __init__(self, vectors: dict[str, dict[Any, frozenset]], k: int) -> None:
        self.vectors = vectors  # location -> value -> the vectors it was written with
        self.k = k
        self.memo: dict[tuple, frozenset] = {}  # (location, done, value) -> `after`

    def after(self, loc: str, done: tuple, value) -> frozenset:
        """The vectors with which the thread's next RMW at `loc` can read `value`, after its
        RMWs there read and wrote `done` ((read, written) pairs) in turn (empty: no chain
        reads so). Its own latest write there counts with the vectors it has in this run:
        the domains have it only once a round is over."""
        key = (loc, done, value)
        found = self.memo.get(key)
        if found is None:
            k, at = self.k, len(done)
            candidates = self.vectors[loc].get(value, ())
            if not done:
                found = frozenset([p for p in candidates if p[k] == 0])
            else:
                last = self.after(loc, done[:-1], done[-1][0])  # (the vectors of the one before)
                if done[-1][1] == value:  # (its own write: `last` with its own count one more)
                    candidates = {*candidates, *[(*p[:k], at, *p[k + 1:]) for p in last]}
                found = frozenset([
                    p for p in candidates
                    if p[k] == at and any(all([a >= b for a, b in zip(p, q)]) for q in last)])
            self.memo[key] = found
        return found

    def options(self, loc: str, done: tuple, options, only=_EVERY):
        """`options` of a read at `loc` by the thread's next RMW there, after its RMWs there
        read and wrote `done`, less the values no chain lets it read, with its own latest
        write's value (in value order) even before the domain holds it (as `_own_reads`: else
        a thread of two RMWs has no path in the first round, and the second never comes); for
        a CAS (`only`, its expected value) only that value is checked: another one makes it
        a plain read."""
        kept = [v for v in options
                if (only is not _EVERY and v != only) or self.after(loc, done, v)]
        if done and (only is _EVERY or done[-1][1] == only) and done[-1][1] not in kept:
            return tuple(sorted((*kept, done[-1][1]), key=value_key))
        return options if len(kept) == len(options) else tuple(kept)

    def writes(self, path: Path):
        """(location, value, vector) of each of `path`'s RMWs at a chain location, with
        each vector it writes with."""
        done: dict[str, tuple] = {}
        k = self.k
        for e in path.events:
            if e.kind == "U" and e.loc in self.vectors:
                before = done.get(e.loc, ())
                for p in self.after(e.loc, before, e.rval):
                    yield e.loc, e.wval, (*p[:k], len(before) + 1, *p[k + 1:])
                done[e.loc] = (*before, (e.rval, e.wval))


class _Runner:
    """Runs one thread body deterministically along a list of choices."""

    __slots__ = ("test", "thread", "body", "domains", "choices", "next_choice", "branches",
                 "unroll", "budget", "events", "types", "elements", "element_of", "env",
                 "fault", "at", "consulted", "specs", "others", "own", "chains",
                 "history")  # fmt: skip

    def __init__(
        self,
        test: LitmusTest,
        thread: Thread,
        domains: dict[str, tuple[int, ...]],
        choices: list,
        unroll: int,
        budget: int,
        layout: tuple | None = None,
        body: Code | None = None,
        others: dict[str, frozenset] | None = None,
        chains: _Chains | None = None,
    ):
        self.test = test
        self.thread = thread
        self.body = body or compile_body(thread.body)
        self.domains = domains
        self.choices = list(choices)
        self.next_choice = 0
        self.branches: list[tuple[int, list]] = []  # (choices before, options) of new choices
        self.unroll = unroll
        self.budget = budget
        self.events: list[Event] = []
        env, self.types, self.elements, self.element_of = layout or _layout(test, thread)
        self.env: dict[str, Value] = dict(env)
        self.fault = ""
        self.at = _NOWHERE  # the statement (or access) running now, for a fault without a place
        self.consulted: set[str] = set()  # the locations whose domains this run read
        self.specs: list[tuple] = []  # per new choice (`branches`): location, CAS expected, own
        # `source-own-reads`: the values other threads' paths write, per location (None: off),
        # and this run's own latest write per location it wrote (`_GONE`: read past since)
        self.others = others
        self.own: dict = {}
        # `source-rmw-chains`: what this run's RMWs read and wrote at each chain location
        self.chains = chains
        self.history: dict[str, tuple] = {}

    def domain(self, loc: str) -> tuple:
        """The values a read of `loc` may return (and `loc` noted as consulted): its domain,
        or after this run's own write there only those coherence allows (`_own_reads`)."""
        self.consulted.add(loc)
        own = self.own.get(loc, _NO_WRITE)
        if own is _NO_WRITE:
            return self.domains[loc]
        return _own_reads(self.domains[loc], own, self.others[loc])

    def wrote(self, loc: str, value) -> None:
        """This run wrote `value` to `loc` (`source-own-reads`)."""
        if self.others is not None:
            self.own[loc] = value

    def chain(self, loc: str, options, only=_EVERY) -> tuple:
        """(`options` of an RMW's read at `loc` less those `source-rmw-chains` drops (a CAS:
        `only` its expected value is checked), what the choice remembers of it: None where
        the reduction does not act)."""
        chains = self.chains
        if chains is None or loc not in chains.vectors:
            return options, None
        done = self.history.get(loc, ())
        return chains.options(loc, done, options, only), (done, only)

    def updated(self, loc: str, old, new) -> None:
        """This run's RMW at `loc` read `old` and wrote `new` (`source-rmw-chains`)."""
        if self.chains is not None and loc in self.chains.vectors:
            self.history[loc] = (*self.history.get(loc, ()), (old, new))

    def read(self, loc: str, value) -> None:
        """This run read `value` at `loc`: another value than its own latest write there
        overwrites that one for its later reads (`source-own-reads`)."""
        own = self.own
        if own and loc in own and own[loc] != value:
            own[loc] = _GONE

    # -- choices and events ---------------------------------------------------------------

    def choose(self, options: list, loc: str, expected=None, chain=None):
        """The next choice, of a value read at `loc` (the options: its domain, with
        `_SPURIOUS` for a weak CAS whose `expected` value is in it, less what `chain` drops:
        `_options`): the one given, or past them the first option (the others are
        remembered in `branches`, for `thread_paths` to run later)."""
        if self.next_choice < len(self.choices):
            choice = self.choices[self.next_choice]
            self.next_choice += 1
            return choice
        if not options:
            raise _NeedChoice(options)
        self.branches.append((len(self.choices), options))
        self.specs.append((loc, expected, self.own.get(loc, _NO_WRITE), chain))
        self.choices.append(options[0])
        self.next_choice += 1
        return options[0]

    def emit(self, event: Event) -> None:
        if len(self.events) >= self.budget:
            raise _OverBudget
        self.events.append(event)

    def type_of(self, loc: str, pos) -> ValueType:
        if loc not in self.types:
            raise self.error(f"unknown location {loc!r}", pos)
        return self.types[loc]

    def error(self, message: str, pos) -> SourceError:
        return SourceError(message, self.test.file, pos.line, pos.col)

    # -- statements -----------------------------------------------------------------------

    def run(self) -> Path:
        complete, cut = True, ""
        try:
            self.body(self)
        except _Stop as stop:
            complete, cut = False, stop.bound
        except _Fault:
            complete = False
        return Path(self.thread.tid, tuple(self.events), tuple(sorted(self.env.items())), complete,
                    self.fault, cut)  # fmt: skip

    def address(self, e: Load | Store | Rmw | Cas, address: Value) -> str:
        """The location an access through a pointer (`e.via`) names, given the address the
        pointer holds now (a value that is no address stops the path: `Path.fault`)."""
        if not isinstance(address, LocRef) or address.name not in self.types:
            shown = address.name if isinstance(address, LocRef) else address
            self.stop(e.pos, f"dereferences {shown}, which is no location's address")
        return address.name

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


_RESULTS = {  # a read-modify-write's new value from the old one and its operand (`_rmw`)
    Op.FETCH_ADD: lambda old, operand: old + operand,
    Op.FETCH_SUB: lambda old, operand: old - operand,
    Op.FETCH_AND: lambda old, operand: old & operand,
    Op.FETCH_OR: lambda old, operand: old | operand,
    Op.FETCH_XOR: lambda old, operand: old ^ operand,
    Op.FETCH_NAND: lambda old, operand: ~(old & operand),
    Op.FETCH_MAX: max,
    Op.FETCH_MIN: min,
}


def _rmw_result(op: Op, old: int, operand: int) -> int:
    if op is Op.SWAP:
        return operand
    result = _RESULTS.get(op)
    if result is None:
        raise FencelabError(f"unsupported read-modify-write {op}")
    return result(old, operand)


# -- the thread body as Python closures ---------------------------------------------------
# A body is run once for every path (thousands of times in a looping test): it is turned once
# into nested closures, each a statement or expression with its fields read beforehand, that
# take the runner. What a run does is what walking the statements would do, step for step
# (the same events, choices, errors and faults, in the same order).

Code = Callable[["_Runner"], Any]


def compile_body(body: tuple[Stmt, ...]) -> Code:
    """A statement list as one closure."""
    parts = tuple(_statement(s) for s in body)
    if len(parts) == 1:
        return parts[0]

    def run(r):
        for part in parts:
            part(r)

    return run


def _event(kind: str, loc: str, order, line: int, plain: bool = False):
    """`Event(kind, loc, order, rval, wval, ...)` for the values given, made once for each
    (events are immutable values: a run may share them)."""
    made: dict = {}

    def event(rval, wval, loc=loc):
        if isinstance(rval, LocRef) or isinstance(wval, LocRef):  # (their `shown` may differ)
            return Event(kind, loc, order, rval=rval, wval=wval, line=line, plain=plain)
        key = (loc, rval, wval)
        e = made.get(key)
        if e is None:
            e = made[key] = Event(kind, loc, order, rval=rval, wval=wval, line=line, plain=plain)
        return e

    return event


def _location(e: Load | Store | Rmw | Cas) -> Code:
    """The location an access names: its own, or the one its pointer (`via`) holds now."""
    if e.via is None:
        loc = e.loc
        return lambda r: loc
    via, pos = _expression(e.via), e.pos

    def place(r):
        r.at = pos
        return r.address(e, via(r))

    return place


def _statement(s: Stmt) -> Code:
    kind = type(s)  # (the AST's classes have no subclasses)
    pos = s.pos
    if kind is Assign:
        var, value = s.var, _expression(s.expr)

        def assign(r):
            r.at = pos
            r.env[var] = value(r)

        return assign
    if kind is Store:
        where, value, event = _location(s), _expression(s.value), _event("W", s.loc, s.order,
                                                                         pos.line, s.plain)

        def store(r):
            r.at = pos
            loc = where(r)
            written = held(value(r), r.type_of(loc, pos))
            r.emit(event(None, written, loc))
            if r.others is not None:
                r.own[loc] = written  # (`r.wrote`)

        return store
    if kind is ExprStmt:
        value = _expression(s.expr)

        def expr_stmt(r):
            r.at = pos
            value(r)

        return expr_stmt
    if kind is Fence:
        # a relaxed fence is no fence at all; a compiler fence orders nothing between
        # threads (C++'s atomic_signal_fence, which Rust's compiler_fence is)
        if s.order is Order.RELAXED or s.compiler_only:
            def no_fence(r):
                r.at = pos

            return no_fence
        fence = Event("F", "", s.order, line=pos.line)

        def fence_stmt(r):
            r.at = pos
            r.emit(fence)

        return fence_stmt
    if kind is If:
        cond, then, orelse = _truth(s.cond), compile_body(s.then), compile_body(s.orelse)

        def if_stmt(r):
            r.at = pos
            (then if cond(r) else orelse)(r)

        return if_stmt
    if kind is While or kind is Loop:
        return _loop(s)
    if kind is Break:
        def break_stmt(r):
            r.at = pos
            raise _Break

        return break_stmt
    raise FencelabError(f"unsupported statement {s!r}")  # pragma: no cover


def _loop(s: While | Loop) -> Code:
    pos, body = s.pos, compile_body(s.body)
    cond = _truth(s.cond) if isinstance(s, While) else (lambda r: True)

    def loop(r):
        r.at = pos
        iterations = 0
        try:
            while cond(r):
                if iterations >= r.unroll:
                    raise _Unrolled
                head_env = dict(r.env)
                head_events = len(r.events)
                body(r)
                iterations += 1
                if r.env == head_env and not any(e.kind in _WRITES
                                                 for e in r.events[head_events:]):  # fmt: skip
                    # Back at the head with nothing changed: a spin that can repeat forever.
                    # Checking the condition once more records its reads (what the spin
                    # waits on); a `loop` has no condition: its body, run again, would do
                    # the same.
                    if cond(r):
                        raise _Spin
                    return
        except _Break:  # a `break` ends the loop it is in
            pass

    return loop


def _truth(e: Expr) -> Code:
    if type(e) is BinOp and e.op in ("==", "!="):  # (its value is 0 or 1: the test itself)
        left, right, equal = _expression(e.left), _expression(e.right), e.op == "=="
        if type(e.right) is Const:
            const = e.right.value
            return lambda r: (left(r) == const) == equal
        return lambda r: (left(r) == right(r)) == equal
    value = _expression(e)

    def truth(r):
        v = value(r)
        return True if isinstance(v, LocRef) else v != 0

    return truth


def _expression(e: Expr) -> Code:
    kind = type(e)  # (the AST's classes have no subclasses)
    if kind is Const:
        const = e.value
        return lambda r: const
    if kind is Var:
        name = e.name
        return lambda r: r.env.get(name, 0)
    if kind is BinOp:
        return _binary(e)
    if kind is Load:
        return _load(e)
    if kind is Rmw:
        return _rmw(e)
    if kind is Cas:
        return _cas(e)
    if kind is UnOp:
        return _unary(e)
    if kind is AddrOf:
        loc = e.loc
        return lambda r: LocRef(loc)
    raise FencelabError(f"unsupported expression {e!r}")  # pragma: no cover


def _load(e: Load) -> Code:
    where, pos = _location(e), e.pos
    event = _event("R", e.loc, e.order, pos.line, e.plain)
    if e.via is not None:
        def load_via(r):
            loc = where(r)
            r.type_of(loc, pos)  # an unknown location is an error here, not a KeyError
            value = r.choose(r.domain(loc), loc)
            r.emit(event(value, None, loc))
            r.read(loc, value)
            return value

        return load_via
    loc = e.loc
    made: dict = {}  # value read -> the event (ints only: an address's `shown` may differ)

    def load(r):  # (`load_via`, with the runner's width, domain, choose and emit written out)
        if loc not in r.types:
            r.type_of(loc, pos)
        r.consulted.add(loc)
        i = r.next_choice
        if i < len(r.choices):
            value = r.choices[i]
            r.next_choice = i + 1
        else:
            value = r.choose(r.domain(loc), loc)
        if r.own:
            r.read(loc, value)
        ev = made.get(value) if type(value) is int else None
        if ev is None:
            ev = event(value, None, loc)
            if type(value) is int:
                made[value] = ev
        events = r.events
        if len(events) >= r.budget:
            raise _OverBudget
        events.append(ev)
        return value

    return load


def _rmw(e: Rmw) -> Code:
    where, operand_of, pos, op = _location(e), _expression(e.operand), e.pos, e.op
    event = _event("U", e.loc, e.order, pos.line)
    if e.via is not None or (op is not Op.SWAP and op not in _RESULTS):
        def rmw(r):
            loc = where(r)
            vtype = r.type_of(loc, pos)
            operand = operand_of(r)
            if op is not Op.SWAP and isinstance(operand, LocRef):
                operand = r.int_value(operand, pos, f"the operand of {op}")
            options, chain = r.chain(loc, r.domain(loc))
            old = r.choose(options, loc, None, chain)
            if op is Op.SWAP:
                new = held(operand, vtype)
            elif isinstance(old, LocRef):
                r.stop(pos, f"applies {op.value} to {loc}, which holds the address of "
                            f"{old.name}: arithmetic on addresses is not modelled")  # fmt: skip
            else:
                new = held(_rmw_result(op, old, operand), vtype)
            r.emit(event(old, new, loc))
            r.read(loc, old)
            r.wrote(loc, new)
            r.updated(loc, old, new)
            return old

        return rmw
    loc, swap, result = e.loc, op is Op.SWAP, _RESULTS.get(op)
    made: dict = {}  # (old, new) -> the event (ints only: an address's `shown` may differ)

    def rmw_at(r):  # (`rmw` with the width, choice, result and emit written out)
        if loc not in r.types:
            r.type_of(loc, pos)
        vtype = r.types[loc]
        operand = operand_of(r)
        if not swap and isinstance(operand, LocRef):
            operand = r.int_value(operand, pos, f"the operand of {op}")
        r.consulted.add(loc)
        i = r.next_choice
        if i < len(r.choices):
            old = r.choices[i]
            r.next_choice = i + 1
        else:
            options, chain = r.chain(loc, r.domain(loc))
            old = r.choose(options, loc, None, chain)
        if swap:
            new = held(operand, vtype)
        elif isinstance(old, LocRef):
            r.stop(pos, f"applies {op.value} to {loc}, which holds the address of "
                        f"{old.name}: arithmetic on addresses is not modelled")  # fmt: skip
        else:
            new = held(result(old, operand), vtype)
        if type(old) is int and type(new) is int:
            key = (old, new)
            ev = made.get(key)
            if ev is None:
                ev = made[key] = event(old, new, loc)
        else:
            ev = event(old, new, loc)
        events = r.events
        if len(events) >= r.budget:
            raise _OverBudget
        events.append(ev)
        if r.others is not None:
            r.own[loc] = new  # (`r.wrote`; a read just before a write of its own changes nothing)
        if r.chains is not None:
            r.updated(loc, old, new)
        return old

    return rmw_at


def _cas(e: Cas) -> Code:
    where, pos, weak = _location(e), e.pos, e.weak
    expected_of, desired_of = _expression(e.expected), _expression(e.desired)
    failed = _event("R", e.loc, e.failure, pos.line)
    succeeded = _event("U", e.loc, e.success, pos.line)

    def cas(r):
        loc = where(r)
        vtype = r.type_of(loc, pos)
        expected = held(expected_of(r), vtype)
        desired = desired_of(r)
        domain = r.domain(loc)
        options, chain = r.chain(loc, domain, expected)
        if weak and expected in domain:
            options = [*options, _SPURIOUS]
        choice = r.choose(options, loc, expected if weak else None, chain)
        if choice == _SPURIOUS:
            r.emit(failed(expected, None, loc))
            r.read(loc, expected)
            return expected
        r.read(loc, choice)
        if choice == expected:
            new = held(desired, vtype)
            r.emit(succeeded(choice, new, loc))
            r.wrote(loc, new)
            r.updated(loc, choice, new)
        else:
            r.emit(failed(choice, None, loc))
        return choice

    return cas


def _unary(e: UnOp) -> Code:
    operand, op, pos = _expression(e.operand), e.op, _pos_of(e)
    if op not in ("-", "!", "~"):
        def unsupported(r):
            v = operand(r)
            if isinstance(v, LocRef):
                r.int_value(v, pos, f"the operand of {op!r}")
            raise FencelabError(f"unsupported operator {op!r}")

        return unsupported

    def unary(r):
        v = operand(r)
        if isinstance(v, LocRef):
            v = r.int_value(v, pos, f"the operand of {op!r}")
        if op == "-":
            return _wrap64(-v)
        if op == "!":
            return int(v == 0)
        return _wrap64(~v)

    return unary


def _binary(e: BinOp) -> Code:
    op, pos = e.op, _pos_of(e)
    if op in ("&&", "||"):  # short-circuit, as C and Rust evaluate them
        left_true, right_true = _truth(e.left), _truth(e.right)
        if op == "&&":
            return lambda r: int(right_true(r)) if left_true(r) else 0
        return lambda r: 1 if left_true(r) else int(right_true(r))
    left, right = _expression(e.left), _expression(e.right)
    if op in ("==", "!="):
        equal = op == "=="
        if type(e.right) is Const:
            const = e.right.value
            return lambda r: int((left(r) == const) == equal)
        return lambda r: int((left(r) == right(r)) == equal)
    fn = _BINARY.get(op)

    def binary(r):
        a = left(r)
        b = right(r)
        if op in ("+", "-") and isinstance(a, LocRef) and isinstance(b, int):
            return r.offset(a, b if op == "+" else -b)
        if isinstance(a, LocRef):
            a = r.int_value(a, pos, f"the left operand of {op!r}")
        if isinstance(b, LocRef):
            b = r.int_value(b, pos, f"the right operand of {op!r}")
        if op in ("/", "%"):
            if b == 0:
                raise r.error(f"P{r.thread.tid}: division by zero", pos if pos.line else r.at)
            q = abs(a) // abs(b) * (1 if (a >= 0) == (b >= 0) else -1)  # C truncates
            return _wrap64(q if op == "/" else a - q * b)
        if fn is None:
            raise FencelabError(f"unsupported operator {op!r}")
        return _wrap64(fn(a, b))

    return binary


class _Node:
    """One node of a thread's tree of runs (`PathTree`): the choices taken so far lead either
    to a next choice, of a value read at `loc` (for a weak CAS, `expected` too: `_options`),
    with a child per option taken, or to the run's end (`loc` None), whose `path` (None: a
    choice without options, no path)."""

    __slots__ = ("loc", "expected", "own", "chain", "children", "path")

    def __init__(self) -> None:
        self.loc: str | None = None
        self.expected = None
        self.own = _NO_WRITE  # the run's own latest write of `loc` there (`_Runner.domain`)
        self.chain = None  # an RMW's: (its RMWs' (read, written) there so far, only:
        # `_Runner.chain`)
        self.children: dict = {}
        self.path: Path | None = None


class PathTree:
    """Every run of one thread met so far, as a tree of its choices (`thread_paths`'s memo
    across the rounds of `value_domains`, the `source-paths-tree` reduction)."""

    __slots__ = ("root",)

    def __init__(self) -> None:
        self.root: _Node | None = None


def _options(node: _Node, domains: dict, others: dict | None,
             chains: _Chains | None = None) -> list | tuple:  # fmt: skip
    """The options of a choice, as the run that made it had them (`_Runner.choose`'s callers:
    the location's domain, or what `_own_reads` keeps of it, less what `_Chains.options`
    drops, and `_SPURIOUS` after it for a weak CAS whose expected value is in the former),
    under `domains`, `others` and `chains`."""
    options = domains[node.loc]
    if node.own is not _NO_WRITE:
        options = _own_reads(options, node.own, others[node.loc])
    base = options
    if node.chain is not None and chains is not None:
        done, only = node.chain
        options = chains.options(node.loc, done, options, only)
    if node.expected is not None and node.expected in base:
        return [*options, _SPURIOUS]
    return options


def thread_paths(
    test: LitmusTest,
    thread: Thread,
    domains: dict[str, tuple[int, ...]],
    unroll: int = DEFAULT_UNROLL,
    budget: int = 40,
    consulted: set[str] | None = None,
    body: Code | None = None,
    tree: PathTree | None = None,
    layout: tuple | None = None,
    others: dict[str, frozenset] | None = None,
    chains: _Chains | None = None,
) -> list[Path]:
    """Every path of `thread` whose reads return values from `domains`, depth first; the
    locations whose domains the runs read are added to `consulted`.

    A run takes the choices it is given, then the first option at every new choice; the
    other options are run later, from the same choices before them, deepest first: one run a
    path (not one a choice point too), in the order of choices.

    With `tree` (the `source-paths-tree` reduction, fencelab/reduce.py), a run already met in
    it is not run again: the search follows the tree instead, and runs the body only from a
    choice the tree has not seen (a value new in `domains`), adding that run to the tree. The
    paths are the same, in the same order: a run given its choices does the same whatever the
    domains (they are read only for the options of a new choice, `_Runner.choose`), so a node
    of the tree, the choices before it, fixes whether the run ends there (and its path) or
    which location's value it chooses next; the options there are found again from `domains`
    (`_options`), as the run would find them, and taken in the same order. `layout`: the
    thread's `_layout`, when the caller has it. `others`: with the `source-own-reads`
    reduction, the values other threads' paths write to each location (`_own_reads`).
    `chains`: with the `source-rmw-chains` reduction, what the thread's RMWs may read at the
    locations only RMWs write (`_Chains`)."""
    paths: list[Path] = []
    layout = layout or _layout(test, thread)
    body = body or compile_body(thread.body)
    if tree is None:
        stack: list[list] = [[]]
        while stack:
            choices = stack.pop()
            runner = _Runner(test, thread, domains, choices, unroll, budget, layout, body,
                             others, chains)  # fmt: skip
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
            _check_paths(test, thread, paths)
        return paths
    # (choices, the node of all but the last, the last: the node of all) to search from
    frames: list[tuple[list, _Node | None, Any]] = [([], None, None)]
    while frames:
        taken, parent, last = frames.pop()
        node = tree.root if parent is None else parent.children.get(last)
        branches = []  # (choices before, options, the node choosing) of the choices after
        while node is not None and node.loc is not None:  # taken before: follow the tree
            options = _options(node, domains, others, chains)
            branches.append((len(taken), options, node))
            if consulted is not None:
                consulted.add(node.loc)
            last = options[0]
            taken.append(last)
            parent, node = node, node.children.get(last)
        if node is None:  # new: run it, and add it to the tree
            runner = _Runner(test, thread, domains, taken, unroll, budget, layout, body,
                             others, chains)  # fmt: skip
            path = None
            try:
                path = runner.run()
            except _NeedChoice:
                pass  # a choice without options: no path
            finally:
                if consulted is not None:
                    consulted |= runner.consulted
            node = _Node()
            if parent is None:
                tree.root = node
            else:
                parent.children[last] = node
            taken = runner.choices
            for (before, options), (loc, expected, own, chain) in zip(runner.branches,
                                                                       runner.specs):
                node.loc, node.expected, node.own, node.chain = loc, expected, own, chain
                branches.append((before, options, node))
                parent, last = node, taken[before]
                node = parent.children[last] = _Node()
            node.path = path
            if path is None:  # (not kept: a run without a path is run again, as it was)
                if parent is None:
                    tree.root = None
                else:
                    del parent.children[last]
        if node.path is not None:
            paths.append(node.path)
        for before, options, chooser in branches:  # the deepest last, on top
            for option in reversed(options[1:]):
                frames.append(([*taken[:before], option], chooser, option))
        _check_paths(test, thread, paths)
    return paths


def _check_paths(test: LitmusTest, thread: Thread, paths: list) -> None:
    if len(paths) > MAX_PATHS:
        raise SourceError(
            f"P{thread.tid} has more than {MAX_PATHS} paths; "
            "the source model cannot enumerate it (fewer loops or values?)",
            test.file or test.name, thread.span[0])  # fmt: skip


class _Others(dict):
    """Per location, the values the paths of the threads but `k` write there (`_own_reads`),
    found when first asked: most threads never read a location after writing it."""

    __slots__ = ("writes_of", "k")

    def __init__(self, writes_of: list[dict[str, set]], k: int) -> None:
        super().__init__()
        self.writes_of, self.k = writes_of, k

    def __missing__(self, loc: str) -> frozenset:
        got = self[loc] = frozenset().union(*(w[loc] for j, w in enumerate(self.writes_of)
                                              if j != self.k))  # fmt: skip
        return got


def value_domains(
    test: LitmusTest,
    seeds: tuple[int, ...] = (),
    unroll: int = DEFAULT_UNROLL,
    budget: int = 40,
    chains: bool = True,
) -> tuple[dict[str, tuple[int, ...]], list[list[Path]]]:
    """The values each location can hold (to a fixpoint) and every thread's paths over them.

    With the `source-paths-reuse` reduction (fencelab/reduce.py), a thread's paths are found
    again in a round only if the domain of a location its runs read has grown since: a run
    depends on the domains only through the reads it makes (`_Runner.domain`), so while those
    domains stay the same, every run of the depth-first search, and so every path, is the same
    as in the round before. With `source-paths-tree`, a thread found again keeps the runs of
    the rounds before in its `PathTree` and runs its body only from values new in the round
    (`thread_paths`). With `source-rmw-chains` (and `chains`: False for the graphs that show
    incoherent candidates too), the RMWs at locations only RMWs write read only what a chain
    of RMWs can give them (`_Chains`), and the vectors the values are written with grow to
    the fixpoint with the values."""
    domains: dict[str, set[int]] = {}
    for loc in test.locations:
        vtype = location_type(loc)
        domains[loc.name] = {held(loc.init, vtype)} | {held(s, vtype) for s in seeds}
    reuse = reduce.enabled("source-paths-reuse")
    trees = [PathTree() if reduce.enabled("source-paths-tree") else None for _ in test.threads]
    found: list[tuple[list[Path], dict[str, tuple]] | None] = [None] * len(test.threads)
    bodies = [compile_body(t.body) for t in test.threads]
    layouts = [_layout(test, t) for t in test.threads]
    written: dict[int, list] = {}  # id(path) -> its writes' (location, value)
    kept: list[Path] = []  # the paths `written` names (ids stay theirs)
    most_writes = [0] * len(test.threads)  # per thread: the most writes of one of its paths
    # `source-own-reads`: per thread, the values each location is written by its paths so far
    own_reads = reduce.enabled("source-own-reads")
    writes_of: list[dict[str, set]] = [{loc.name: set() for loc in test.locations}
                                       for _ in test.threads]  # fmt: skip
    # `source-rmw-chains`: per location only RMWs write, value -> the vectors it is written with
    chained = chain_locations(test) if chains and reduce.enabled("source-rmw-chains") else ()
    zero = (0,) * len(test.threads)
    vectors: dict[str, dict[Any, set]] = {
        loc.name: {held(loc.init, location_type(loc)): {zero}}
        for loc in test.locations if loc.name in chained}  # fmt: skip
    rounds = 0
    while True:
        frozen = {name: tuple(sorted(vals, key=value_key)) for name, vals in domains.items()}
        chains_now = {loc: {v: frozenset(ps) for v, ps in by.items()}
                      for loc, by in vectors.items()}  # fmt: skip
        views = [_Chains(chains_now, k) if vectors else None for k in range(len(test.threads))]
        paths = []
        for k, t in enumerate(test.threads):
            others = _Others(writes_of, k) if own_reads else None
            before = found[k]
            # (a run asks `others` only where it read after writing: what it did not ask for,
            # its paths do not depend on; nor on the vectors of a location it did not read)
            if reuse and before is not None and all(
                    frozen[loc] == seen and (also is None or others[loc] == also)
                    and chains_now.get(loc) == chain
                    for loc, (seen, also, chain) in before[1].items()):  # fmt: skip
                paths.append(before[0])
                continue
            consulted: set[str] = set()
            paths.append(thread_paths(test, t, frozen, unroll, budget, consulted, bodies[k],
                                      trees[k], layouts[k], others, views[k]))  # fmt: skip
            found[k] = (paths[-1], {loc: (frozen[loc], others.get(loc) if others else None,
                                          chains_now.get(loc))
                                    for loc in consulted})  # fmt: skip
        grown = False
        for k, ps in enumerate(paths):  # (`source-rmw-chains`: each round, the vectors grow)
            if views[k] is not None:
                for p in ps:
                    for loc, value, vector in views[k].writes(p):
                        got = vectors[loc].setdefault(value, set())
                        if vector not in got:
                            got.add(vector)
                            grown = True
        for k, ps in enumerate(paths):
            most = most_writes[k]
            for p in ps:
                # (a path's writes found once: the tree keeps a path from round to round,
                # and the values of a path met in an earlier round are in the domains)
                if id(p) in written:
                    continue
                writes = written[id(p)] = [(e.loc, e.wval) for e in p.events
                                           if e.kind in _WRITES]  # fmt: skip
                kept.append(p)
                most = max(most, len(writes))
                for loc, value in writes:
                    if own_reads and value not in writes_of[k][loc]:
                        writes_of[k][loc].add(value)  # (another thread's reads may take it now)
                        grown = True
                    if value not in domains[loc]:
                        domains[loc].add(value)
                        grown = True
            most_writes[k] = most  # (a round's paths include every earlier round's)
        max_writes = sum(most_writes)
        rounds += 1
        if not grown or rounds > max_writes:
            return frozen, paths
        for name, vals in domains.items():
            if len(vals) > MAX_DOMAIN:
                raise FencelabError(
                    f"{test.name}: more than {MAX_DOMAIN} distinct values can be stored to "
                    f"{name}; the source model enumerates values and gives up"
                )
