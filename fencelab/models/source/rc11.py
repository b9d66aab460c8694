"""The source-level memory models: RC11, C11 (= RC11 without no-thin-air) and SC, axiomatically.

`run_source(test, model)` judges a source litmus test (C or Rust spelling) directly, without
compiling it: every candidate execution is built from one path per thread
(`paths.py`), a reads-from choice for every read and a modification order per location,
and the model's axioms (`axioms.py`) keep the consistent ones. The outcomes of consistent
executions whose threads all ran to their end are the result's states; consistent executions
where some thread hit a loop bound are only counted (`TestResult.budget_exhausted`).

Models:
- `rc11`: the full model of Lahav et al. (PLDI 2017): coherence, atomicity, the repaired SC
  axiom (psc) and no-thin-air (acyclic sb | rf), so load buffering of Relaxed accesses is
  forbidden.
- `c11`: RC11 without no-thin-air: the C++20 / Rust reading, which allows load buffering. A
  thin-air value can only come from nowhere, so for `c11` the read values also include the
  integer constants of the test's condition (`exists (0:r0=1 ...)` makes 1 a value any
  location may be read to hold); values nobody names are not invented.
- `sc-source`: sequential consistency over the same candidates, acyclic(sb | rf | mo | rb), for
  cross-checking (with only SeqCst accesses, RC11 gives exactly these outcomes). `--model sc`
  stays the operational SC machine on the compiled code.

Data races: rc11 and c11 flag a result as herd does with rc11.cat's `undefined_unless empty dr`
(axioms.data_race): when some consistent execution whose threads all ran to their end has a
data race, the result carries herd's flag `*undef*` (`TestResult.undefined`; herd prints
`Undef` for Ok / No and `Flag *undef*`) and one such race (`TestResult.race`). The states stay
every consistent execution's, racy or not, as herd's. sc-source flags nothing: herd's SC
model has no race check. Until a race is found, an execution whose outcome is already allowed
is still checked when its threads have plain accesses that conflict across threads.

Efficiency: candidates are generated per location with the coherence constraints that follow
from sb and the rf choice (CoWR, CoRW, CoRR, CoWW, and each RMW right after the write it reads)
applied while the modification order is built, so incoherent orders are never produced; and an
execution whose outcome is already known to be allowed is not checked again.
"""

from __future__ import annotations

import itertools
import time

from fencelab import reduce
from fencelab.errors import FencelabError
from fencelab.limits import DEFAULT_LIMITS, Limits, Meter
from fencelab.litmus.ast import (
    LitmusTest,
    LocObs,
    LocRef,
    RegObs,
    at_width,
    element_observable,
    location_name,
)
from fencelab.litmus.conditions import Outcome, holds, observables, prop_atoms, prop_observables
from fencelab.litmus.printer import event_names
from fencelab.litmus.types import ValueType, observable_type
from fencelab.models.combinations import feasible_combinations
from fencelab.models.source.axioms import Static, consistent, data_race, happens_before, static_of
from fencelab.models.source.paths import DEFAULT_UNROLL, Path, value_domains
from fencelab.result import UNDEF, FinalState, TestResult

_AXIOMS = {"rc11": "rc11", "c11": "c11", "sc-source": "sc"}
_RACES = ("rc11", "c11")  # the axioms whose cat file flags data races (rc11.cat's Dr)


def run_source(
    test: LitmusTest, model: str = "rc11", budget: int = 40, unroll: int = DEFAULT_UNROLL,
    limits: Limits = DEFAULT_LIMITS,
) -> TestResult:  # fmt: skip
    """Every outcome `model` allows for the source test `test` (see the module docstring); at
    a limit (candidates checked, memory), the outcomes found so far (`partial`)."""
    if model not in _AXIOMS:
        raise FencelabError(f"unknown source model {model!r}; valid: {', '.join(_AXIOMS)}")
    if not test.is_source:
        raise FencelabError(
            f"{test.name}: the {model} model judges source tests (C or RUST); "
            f"this is an {test.arch} test (use --model sc, tso or arm)"
        )
    started = time.perf_counter()
    enumerator = _Enumerator(test, _AXIOMS[model], limits.meter("candidate"))
    result = TestResult(test=test, engine=model, target="", mode="axiomatic")
    try:
        for combo in candidate_paths(test, model, budget, unroll):
            enumerator.judge(combo)
            if enumerator.partial:
                break
    except MemoryError:
        enumerator.partial = enumerator.meter.out_of_memory(enumerator.candidates)
    result.partial = enumerator.partial
    result.states = [FinalState(o, enumerator.witness(o))
                     for o in sorted(enumerator.allowed, key=repr)]  # fmt: skip
    if enumerator.race:
        result.flags = (UNDEF,)
        result.race = enumerator.race
    result.explored_states = enumerator.candidates
    result.budget_exhausted = enumerator.exhausted
    result.seconds = time.perf_counter() - started
    return result


def candidate_paths(test: LitmusTest, model: str, budget: int = 40,
                    unroll: int = DEFAULT_UNROLL, seeds: tuple[int, ...] | None = None):  # fmt: skip
    """Every feasible choice of one path per thread under `model` (see run_source); `seeds`
    overrides the values tried besides those written (c11: the condition's constants)."""
    if seeds is None:
        seeds = _condition_constants(test) if model == "c11" else ()
    _, paths = value_domains(test, seeds, unroll, budget)
    return _feasible_combinations(test, paths)


def _feasible_combinations(test: LitmusTest, paths: list[list[Path]]):
    """Choices of one path per thread where every value read is written by someone (or init):
    (location, value) facts, fencelab/models/combinations.py."""

    def summary(p: Path):
        return ([(e.loc, e.rval) for e in p.events if e.reads],
                [(e.loc, e.wval) for e in p.events if e.writes])  # fmt: skip

    init = [(loc.name, at_width(loc.init, loc.width)) for loc in test.locations]
    return feasible_combinations(paths, summary, init)


def _condition_constants(test: LitmusTest) -> tuple[int, ...]:
    atoms = prop_atoms(test.condition.prop) + prop_atoms(test.filter)
    return tuple(sorted({e.value for e in atoms if isinstance(e.value, int)}))


class _Enumerator:
    """Judges every candidate execution of one choice of thread paths."""

    def __init__(self, test: LitmusTest, axioms: str, meter: Meter | None = None):
        self.test = test
        self.axioms = axioms
        self.meter = meter or Limits().meter("candidate")
        self.partial = ""  # why judging stopped early (a limit), or ""
        self.observed = observables(test)
        self.extra = _filter_observables(test)
        self.allowed: set[Outcome] = set()
        self.candidates = 0
        self.exhausted = 0
        self.locations = [loc.name for loc in test.locations]
        self.inits = {loc.name: at_width(loc.init, loc.width) for loc in test.locations}
        self.executions: dict[Outcome, tuple[Candidates, tuple]] = {}  # a witness per outcome
        self._memo: dict[tuple, list] = {}
        self._types: dict[LocObs, ValueType] = {}
        self.races = axioms in _RACES
        self.race = ""  # one data race found (`race_text`), or ""

    def judge(self, combo: tuple[Path, ...]) -> None:
        complete = all(p.complete for p in combo)
        space = Candidates(self, combo)
        racy = complete and self.races and space.may_race
        for pick in space.picks():
            outcome = space.outcome(pick)
            if outcome is None:
                continue  # dropped by the test's filter
            if complete and outcome in self.allowed and not (racy and not self.race):
                continue
            self.partial = self.meter.over(self.candidates)
            if self.partial:
                return
            self.candidates += 1
            rf, mo, rf_src = space.relations(pick)
            if consistent(self.axioms, space.static, rf, mo, rf_src):
                if complete:
                    self.allowed.add(outcome)
                    self.executions.setdefault(outcome, (space, pick))
                    if racy and not self.race:
                        pair = data_race(space.static, happens_before(space.static, rf))
                        if pair:
                            self.race = space.race_text(pick, pair, outcome)
                else:
                    fault = next((p.fault for p in combo if p.fault), "")
                    if fault:  # an execution dereferences a value that is no address
                        raise FencelabError(fault)
                    self.exhausted += 1
                    return  # one consistent execution is enough to count this choice of paths

    def location_choices(self, n: int, name: str, kinds, locs, tids, rvals, wvals) -> list:
        """`_location_choices`, remembered by the location's events (kind, thread, values, in
        order) and renumbered to this candidate's events: combinations of thread paths share
        most locations' events, and the choices depend on nothing else."""
        if not reduce.enabled("reuse"):
            return list(_location_choices(n, name, kinds, locs, tids, rvals, wvals))
        events = [i for i in range(n) if locs[i] == name]
        signature = (name, tuple((kinds[i], tids[i], rvals[i], wvals[i]) for i in events))
        local = self._memo.get(signature)
        if local is None:
            k = len(events)
            sig = signature[1]
            local = self._memo[signature] = list(_location_choices(
                k, name, [e[0] for e in sig], [name] * k, [e[1] for e in sig],
                [e[2] for e in sig], [e[3] for e in sig]))  # fmt: skip
        return [(tuple((events[r], events[w]) for r, w in rf), [events[w] for w in order])
                for rf, order in local]  # fmt: skip

    def witness(self, outcome: Outcome) -> str:
        """The consistent execution found for `outcome`, as its rf and mo (Candidates.describe)."""
        found = self.executions.get(outcome)
        return found[0].describe(found[1]) if found else ""

    def type_of(self, obs: LocObs) -> ValueType:
        """The type a location's final value is shown in (`observable_type`), looked up once."""
        typ = self._types.get(obs)
        if typ is None:
            typ = self._types[obs] = observable_type(self.test, obs)
        return typ

    def _outcome(self, envs: dict, final: dict) -> Outcome | None:
        def value(obs):
            if isinstance(obs, RegObs):
                return envs.get(obs.tid, {}).get(obs.reg, 0)
            if isinstance(obs, LocObs):  # in its type: a 128-bit value prints in hex
                elements = self.test.array(obs.name)
                if elements:  # a whole array (`v={1,2}`)
                    return tuple(value(LocObs(element_observable(obs.name, e.index)))
                                 for e in elements)  # fmt: skip
                held = final.get(location_name(obs.name), 0)
                return held if isinstance(held, LocRef) else self.type_of(obs).wrap(held)
            raise FencelabError(f"unsupported observable {obs!r}")  # pragma: no cover

        if self.test.filter is not None:
            values = tuple((o, value(o)) for o in (*self.observed, *self.extra))
            if not holds(self.test.filter, values):
                return None
        return tuple((o, value(o)) for o in self.observed)


class Candidates:
    """The candidate executions of one choice of thread paths: its events (one initial write
    per location, tid -1, then each thread's in program order, as parallel lists) and, per
    location, every coherent (rf, mo) choice; a *pick* is one choice per location."""

    def __init__(self, enumerator: _Enumerator, combo: tuple[Path, ...]):
        self.enumerator = enumerator
        self.combo = combo
        self.complete = all(p.complete for p in combo)
        kinds, locs, orders, tids, rvals, wvals, lines = [], [], [], [], [], [], []
        plain = []
        for name in enumerator.locations:
            kinds.append("W")
            locs.append(name)
            orders.append(None)
            tids.append(-1)
            rvals.append(None)
            wvals.append(enumerator.inits[name])
            lines.append(0)
            plain.append(False)
        for p in combo:
            for e in p.events:
                kinds.append(e.kind)
                locs.append(e.loc)
                orders.append(e.order)
                tids.append(p.tid)
                rvals.append(e.rval)
                wvals.append(e.wval)
                lines.append(e.line)
                plain.append(e.plain)
        self.kinds, self.locs, self.orders, self.tids = kinds, locs, orders, tids
        self.rvals, self.wvals, self.lines, self.plain = rvals, wvals, lines, plain
        self.n = len(kinds)
        self.per_loc: list[list] | None = []
        for name in enumerator.locations:
            choices = enumerator.location_choices(self.n, name, kinds, locs, tids, rvals, wvals)
            if not choices:
                self.per_loc = None
                break
            self.per_loc.append(choices)
        self.envs = {p.tid: dict(p.env) for p in combo}
        self._static: Static | None = None

    @property
    def static(self) -> Static:
        if self._static is None:
            self._static = static_of(self.kinds, self.tids, self.locs, self.orders, self.plain)
        return self._static

    @property
    def may_race(self) -> bool:
        """Do two threads' accesses conflict, one of them plain (a race unless hb orders them)?"""
        if not any(self.plain):
            return False
        by_loc: dict[str, list[int]] = {}
        for i in range(self.n):
            if self.tids[i] >= 0 and self.locs[i]:
                by_loc.setdefault(self.locs[i], []).append(i)
        for events in by_loc.values():
            for a in events:
                for b in events:
                    if (a < b and self.tids[a] != self.tids[b] and (self.plain[a] or self.plain[b])
                            and (self.kinds[a] != "R" or self.kinds[b] != "R")):
                        return True
        return False

    def race_text(self, pick, pair: tuple[int, int], outcome) -> str:
        """`P0's plain read of x (line 8) and P1's plain write of x (line 15), unordered by hb,
        in the execution of 0:r0=0; 1:r0=0; (rf: ...; mo: ...)`: one data race, for reports."""
        from fencelab.litmus.printer import format_state

        def access(i: int) -> str:
            what = {"R": "read", "W": "write", "U": "read-modify-write"}[self.kinds[i]]
            mode = "plain" if self.plain[i] else str(self.orders[i])
            line = f" (line {self.lines[i]})" if self.lines[i] else ""
            return f"P{self.tids[i]}'s {mode} {what} of {self.locs[i]}{line}"

        a, b = pair
        return (f"{access(a)} and {access(b)}, unordered by hb, in the execution of "
                f"{format_state(outcome, self.enumerator.test.arch)} ({self.describe(pick)})")

    def picks(self):
        if self.per_loc is None:
            return iter(())
        return itertools.product(*self.per_loc)

    def outcome(self, pick) -> Outcome | None:
        """The final state of a pick (None when the test's filter drops it)."""
        final = {name: self.wvals[order[-1]]
                 for name, (_, order) in zip(self.enumerator.locations, pick)}  # fmt: skip
        return self.enumerator._outcome(self.envs, final)

    def names(self) -> list[tuple[str, str]]:
        """Each event's (read name, write name), herd's letters in thread order; an RMW (U)
        is two events, its read and its write (a, b); initial writes are `init:x`."""
        letters = iter(event_names(2 * self.n))
        out = []
        for i in range(self.n):
            if self.tids[i] < 0:
                out.append(("", f"init:{self.locs[i]}"))
            elif self.kinds[i] == "U":
                out.append((next(letters), next(letters)))
            else:
                name = next(letters)
                out.append((name, name))
        return out

    def describe(self, pick) -> str:
        """`rf: init:x->b a->d; mo: init:x->a init:y->c`: the witness line of an execution."""
        names = self.names()
        rf = [f"{names[w][1]}->{names[r][0]}" for part, _ in pick for r, w in sorted(part)]
        mo = ["->".join(names[w][1] for w in order) for _, order in pick]
        return f"rf: {' '.join(rf) or '-'}; mo: {' '.join(mo)}"

    def relations(self, pick) -> tuple[list[int], list[int], list[int]]:
        """rf and mo as bitmask rows, and each read's write (-1 for none)."""
        rf_src = [-1] * self.n
        for rf_part, _ in pick:
            for r, w in rf_part:
                rf_src[r] = w
        rf = [0] * self.n
        for r, w in enumerate(rf_src):
            if w >= 0:
                rf[w] |= 1 << r
        mo = [0] * self.n
        for _, order in pick:
            later = 0
            for w in reversed(order):
                mo[w] = later
                later |= 1 << w
        return rf, mo, rf_src


def _filter_observables(test: LitmusTest) -> tuple:
    if test.filter is None:
        return ()
    return tuple(prop_observables(test.filter))


def _location_choices(n: int, name: str, kinds, locs, tids, rvals, wvals):
    """Every coherent (rf, mo) for location `name`: rf as (read, write) pairs, mo as a list.

    rf: each read takes a write of its value, not itself and not one later in its own thread.
    mo: the init write first, then a linear extension of the orders coherence forces given sb
    and rf (CoWW, CoWR, CoRW, CoRR), with each RMW right after the write it reads.

    The hardware checkers enumerate per location too (`per_location_choices`,
    fencelab/models/axiomatic/candidates.py, whose docstring says why the two stay apart:
    their RMWs are two events, each model states its own atomicity, exclusives can fail).
    """

    def sb(a: int, b: int) -> bool:  # events are numbered thread by thread in program order
        return a < b and tids[a] == tids[b] >= 0

    events = [i for i in range(n) if locs[i] == name]
    writes = [i for i in events if kinds[i] in ("W", "U")]
    reads = [i for i in events if kinds[i] in ("R", "U")]
    init = writes[0]
    sources = []
    for r in reads:
        options = [w for w in writes if wvals[w] == rvals[r] and w != r and not sb(r, w)]
        if not options:
            return
        sources.append(options)
    for choice in itertools.product(*sources):
        src = dict(zip(reads, choice))
        taken = [src[u] for u in reads if kinds[u] == "U"]
        if len(taken) != len(set(taken)):
            continue  # two RMWs cannot both read the same write
        before = {w: 0 for w in writes}  # before[b]: writes that must precede b in mo
        for w in writes:
            for w2 in writes:
                if sb(w, w2):
                    before[w2] |= 1 << w
        for r, w in src.items():
            if kinds[r] == "U":
                before[r] |= 1 << w
            for w2 in writes:
                if w2 in (w, r):
                    continue
                if sb(w2, r):  # CoWR: a write before the read is not newer
                    before[w] |= 1 << w2
                if sb(r, w2):  # CoRW: a write after the read is newer
                    before[w2] |= 1 << w
            for r2, w2 in src.items():
                if w2 != w and sb(r, r2):  # CoRR
                    before[w2] |= 1 << w
        reader_of = {src[u]: u for u in reads if kinds[u] == "U"}
        rf_pairs = tuple(src.items())
        for order in _linear_extensions(init, writes, before, reader_of, kinds):
            yield rf_pairs, order


def _linear_extensions(init, writes, before, reader_of, kinds):
    """mo orders: init first, `before` respected, an RMW only right after the write it reads."""
    rest = [w for w in writes if w != init]
    order = [init]
    placed = 1 << init

    def extend():
        if len(order) == len(writes):
            yield list(order)
            return
        last = order[-1]
        if last in reader_of:
            candidates = [reader_of[last]]
        else:
            candidates = [w for w in rest if kinds[w] != "U"]
        nonlocal placed
        for w in candidates:
            if (placed >> w) & 1 or before[w] & ~placed:
                continue
            order.append(w)
            placed |= 1 << w
            yield from extend()
            placed &= ~(1 << w)
            order.pop()

    if before[init] & ~(1 << init):
        return
    yield from extend()
