"""The source-level memory models: RC11, C11 (= RC11 without no-thin-air) and SC, axiomatically.

`run_source(test, model)` judges a source litmus test (C or Rust spelling) directly, without
compiling it: every candidate execution is built from one path per thread
(`paths.py`), a reads-from choice for every read and a modification order per location,
and the model's axioms (`axioms.py`) keep the consistent ones. The outcomes of consistent
executions whose threads all ran to their end are the result's states; consistent executions
where some thread hit a loop bound are only counted (`TestResult.budget_exhausted`; those
where a thread was cut at a bound other than a spin, whose end nobody knows, apart:
`TestResult.cut_unexplored`).

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
model has no race check.

Counts: every candidate is judged, and the consistent ones whose threads all ran to their end
are counted by whether their outcome satisfies the condition (`TestResult.executions`, herd's
`Positive`/`Negative` and `Observation` counts: herd counts executions, not states). Without
them (`counts=False`: the checker, which compares outcome sets) an execution whose outcome is
already allowed is not judged again, unless a race may still be found in it (its threads have
plain accesses that conflict across threads and no race was found yet).

Efficiency: candidates are generated per location with the coherence constraints that follow
from sb and the rf choice (CoWR, CoRW, CoRR, CoWW, and each RMW right after the write it reads)
applied while the modification order is built, so incoherent orders are never produced (herd
counts no incoherent execution either). Work that depends
only on part of a candidate is done once per test: a path's events as columns, a location's
rf/mo choices (remembered by each path's accesses to it), the static relations (remembered by
the paths' shapes: kinds, locations, orders; with them whether the paths can race at all), how
each observable is read. A choice of thread paths is looked at location by location first, and
dropped before its events are laid out when one location has no coherent (rf, mo): in dense and
looping tests most have none (16,146 of the generated C set's 16,906 choices; a read whose value
no write it may read from writes, more RMWs reading a value than writes of it, cycles in
coherence). Paths that cannot be coherent with their own thread's accesses whatever the other
threads write are left out before that (`source-own-coherence`, `_own_coherent`: the generated
C set's 11,694 choices judged -> 7,145, the looping examples' 13,133 -> 1,982). Nearly every
candidate left is consistent (the generated set's 1,427 of 1,527, the diy7-style set's 234 of
253), so pruning partial rf/mo choices would save little: the cost is per candidate and per
choice of paths, not their number, and each candidate is judged without a transitive closure
(`source-axioms`, axioms.py), its coherence looked at only on hb's pairs beyond sb, which
the construction already makes coherent (`source-sb-coherence`), and the candidates of one
choice of paths with the same rf share no-thin-air, hb (sw found from each read's write), the
pairs of hb beyond sb that coherence must check and psc's rows but for mo and rb
(`source-rf-share`, axioms.rf_facts): a candidate itself is its mo's rows (made once per
location choice) and a few lookups in them. While paths
are combined, a choice for the first threads is dropped when a location no later thread
accesses has no coherent (rf, mo) for it (`source-dead-prefix`: the generated C set's 7,145
choices judged -> 4,955), and, before the last thread, when the reads chosen of a location the
last thread accesses too cannot be sourced by any of its paths (a value nobody chosen, nor the
last thread, writes there; more RMWs reading a value than writes of it can be:
`source-open-prefix`, 4,955 -> 2,911). Each location's mo orders for a set of constraints, its (rf, mo)
choices for a set of accesses and their structure (across tests too), each shape's event
layout, names and renumbered choices are found once.

Before any of that, at a location only RMWs write, a thread's RMW reads only a value a chain
of RMWs can write before it (`source-rmw-chains`, paths.py's `_Chains`): its paths no longer
guess values that no interleaving of the test's RMWs makes, which grew the value domains and
the paths round after round (3 threads of 3, 3 and 2 relaxed fetch_add(x,1): 14,450 paths a
thread and 140,172 choices of paths judged for 560 candidates, 3 min 40 s; with it 56 paths and
3,044 choices, a tenth of a second; the generated C set's choices judged above, 7,145 -> 4,955
-> 2,911, are 5,191 -> 3,747 -> 2,677 with it).
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable
from operator import itemgetter

from fencelab import reduce
from fencelab.errors import FencelabError
from fencelab.limits import DEFAULT_LIMITS, Limits, Meter
from fencelab.litmus.ast import (
    And,
    Eq,
    LitmusTest,
    LocObs,
    LocRef,
    Not,
    Or,
    RegObs,
    TrueProp,
    element_observable,
    location_name,
)
from fencelab.litmus.conditions import (
    Outcome,
    filter_observables,
    holds,
    observables,
    prop_atoms,
)
from fencelab.litmus.printer import event_names
from fencelab.litmus.types import ValueType, held, location_type, observable_type
from fencelab.models.combinations import feasible_combinations
from fencelab.models.relations import bits
from fencelab.models.source.axioms import Static, consistent, data_race, happens_before, static_of
from fencelab.models.source.paths import BOUNDS, DEFAULT_UNROLL, Path, value_domains
from fencelab.result import UNDEF, FinalState, TestResult

_AXIOMS = {"rc11": "rc11", "c11": "c11", "sc-source": "sc"}
_RACES = ("rc11", "c11")  # the axioms whose cat file flags data races (rc11.cat's Dr)


def run_source(
    test: LitmusTest, model: str = "rc11", budget: int = 40, unroll: int = DEFAULT_UNROLL,
    limits: Limits = DEFAULT_LIMITS, counts: bool = True,
) -> TestResult:  # fmt: skip
    """Every outcome `model` allows for the source test `test` (see the module docstring); at
    a limit (candidates checked, memory), the outcomes found so far (`partial`). With
    `counts`, herd's counts of the executions allowed (`TestResult.executions`); without, an
    outcome already allowed is not judged again (the checker compares outcome sets only)."""
    if model not in _AXIOMS:
        raise FencelabError(f"unknown source model {model!r}; valid: {', '.join(_AXIOMS)}")
    if not test.is_source:
        raise FencelabError(
            f"{test.name}: the {model} model judges source tests (C or RUST); "
            f"this is an {test.arch} test (use --model sc, tso or arm)"
        )
    started = time.perf_counter()
    enumerator = _Enumerator(test, _AXIOMS[model], limits.meter("candidate"), counts)
    result = TestResult(test=test, engine=model, target="", mode="axiomatic")
    prune = (enumerator.dead_prefix if reduce.enabled("source-dead-prefix")
             or reduce.enabled("source-open-prefix") else None)  # fmt: skip
    try:
        for combo in candidate_paths(test, model, budget, unroll, prune=prune):
            enumerator.judge(combo)
            if enumerator.partial:
                break
    except MemoryError:
        enumerator.partial = enumerator.meter.out_of_memory(enumerator.candidates)
    result.partial = enumerator.partial
    # (each outcome with its witness, not hashed: observables hash in Python)
    shown = _repr_of(enumerator.observed)
    result.states = [FinalState(o, space.describe(pick)) for o, _, space, pick
                     in sorted(enumerator._known.values(), key=lambda found: shown(found[0]))]
    if enumerator.race:
        result.flags = (UNDEF,)
        result.race = enumerator.race
    result.executions = tuple(enumerator.counts) if counts else None
    result.explored_states = enumerator.candidates
    result.budget_exhausted = enumerator.exhausted
    result.cut_unexplored = enumerator.unexplored
    result.cut_by = tuple(b for b in BOUNDS if b in enumerator.bounds)
    result.seconds = time.perf_counter() - started
    return result


def candidate_paths(test: LitmusTest, model: str, budget: int = 40,
                    unroll: int = DEFAULT_UNROLL, seeds: tuple[int, ...] | None = None,
                    coherent_reads: bool = True, prune=None):  # fmt: skip
    """Every feasible choice of one path per thread under `model` (see run_source); `seeds`
    overrides the values tried besides those written (c11: the condition's constants).
    `coherent_reads`: only choices where each read can read a write its coherence allows
    (`_feasible_combinations`) and each RMW a value a chain of RMWs gives it (the
    `source-rmw-chains` reduction, paths.py's `_Chains`); False for the graphs that show
    incoherent candidates too.
    `prune(paths)`: a `feasible_combinations` prune for these paths, or None (run_source's
    `_Enumerator.dead_prefix`)."""
    if seeds is None:
        seeds = _condition_constants(test) if model == "c11" else ()
    _, paths = value_domains(test, seeds, unroll, budget, chains=coherent_reads)
    return _feasible_combinations(test, paths, coherent_reads,
                                  prune(paths) if prune is not None else None)  # fmt: skip


def _feasible_combinations(test: LitmusTest, paths: list[list[Path]], coherent_reads: bool = True,
                           prune=None):  # fmt: skip
    """Choices of one path per thread where every value read is written by someone (or init):
    (location, value) facts, fencelab/models/combinations.py.

    With `coherent_reads` and the `source-other-writes` reduction (fencelab/reduce.py), a path
    is left out when it reads a value at a location, with no earlier write of its own there
    of that value, that neither the initial state nor any path of another thread writes there.
    Every final state is kept: a read may take its value only from a write that is not itself
    and not later in its own thread (`_location_choices`), so a choice of paths with that
    path has no (rf, mo) at that location, no candidate execution, no outcome. The path is
    left out after the paths are grouped (combinations.py, `keep`): the choices kept come in
    the same order, so the same candidates are checked in the same order (the same witnesses,
    the same count of candidates). In looping tests many paths are so (a spin or CAS loop
    reading its own thread's later write: 1,624 of the C examples' 4,366 paths, 910 of the
    generated C set's 2,223), and most choices of paths were dropped one by one by
    `local_choices` for them (26,841 of 39,974 and 5,212 of 16,906)."""

    def summary(p: Path):  # (`Event.reads` and `.writes` written out)
        return ([(e.loc, e.rval) for e in p.events if e.kind == "R" or e.kind == "U"],
                [(e.loc, e.wval) for e in p.events if e.kind == "W" or e.kind == "U"])  # fmt: skip

    init = [(loc.name, held(loc.init, location_type(loc))) for loc in test.locations]
    if not (coherent_reads and reduce.enabled("source-other-writes")):
        return feasible_combinations(paths, summary, init, prune=prune)
    written = [{(e.loc, e.wval) for p in thread_paths for e in p.events
                if e.kind == "W" or e.kind == "U"} for thread_paths in paths]  # fmt: skip

    if reduce.enabled("source-own-coherence"):
        others = {}  # tid -> the (location, value) any path of another thread writes
        for k, thread_paths in enumerate(paths):
            for p in thread_paths[:1]:
                others[p.tid] = set().union(*(w for j, w in enumerate(written) if j != k))
        inits = dict(init)

        def keep(p: Path) -> bool:
            return _own_coherent(p, inits, others[p.tid])
    else:
        sources = {}  # tid -> the (location, value) the initial state or another thread writes
        for k, thread_paths in enumerate(paths):
            for p in thread_paths[:1]:
                sources[p.tid] = set(init).union(*(w for j, w in enumerate(written) if j != k))

        def keep(p: Path) -> bool:
            own: set = set()
            theirs = sources[p.tid]
            for e in p.events:
                if e.kind != "W" and e.kind != "F" and (e.loc, e.rval) not in own \
                        and (e.loc, e.rval) not in theirs:  # fmt: skip
                    return False
                if e.kind == "W" or e.kind == "U":
                    own.add((e.loc, e.wval))
            return True

    return feasible_combinations(paths, summary, init, keep, prune)


def _condition_of(prop, where: dict) -> Callable[[tuple], bool]:
    """`holds(prop, outcome)` (fencelab/litmus/conditions.py) as a function of the outcome's
    values alone, `where` giving each observable's place among them: no observable is hashed
    again for each outcome."""
    if isinstance(prop, TrueProp):
        return lambda values: True
    if isinstance(prop, Eq):
        at, want = where.get(prop.obs), prop.value
        if at is None:  # (`holds` compares None, what its dict has for it, to the value)
            missing = want is None
            return lambda values: missing
        return lambda values: values[at] == want
    if isinstance(prop, Not):
        inner = _condition_of(prop.prop, where)
        return lambda values: not inner(values)
    if isinstance(prop, And | Or):
        parts = [_condition_of(p, where) for p in prop.parts]
        if isinstance(prop, And):
            return lambda values: all(part(values) for part in parts)
        return lambda values: any(part(values) for part in parts)
    raise TypeError(prop)


def _repr_of(observed: tuple) -> Callable[[Outcome], str]:
    """`repr` of outcomes of these observables (the states' order), each observable's `repr`
    made once."""
    shown = [repr(o) for o in observed]

    def key(outcome: Outcome) -> str:
        inner = ", ".join([f"({r}, {v!r})" for r, (_, v) in zip(shown, outcome)])
        return f"({inner},)" if len(outcome) == 1 else f"({inner})"

    return key


def _own_coherent(path: Path, inits: dict, others: set) -> bool:
    """Can each read of `path` read some write coherently with its own thread's accesses to
    that location (the `source-own-coherence` reduction, `_feasible_combinations`)? `others`:
    the (location, value) pairs other threads' paths write; `inits`: each location's initial
    value. A read of location x may take:
    - another thread's write of its value (here assumed always possible);
    - the initial write, only while its thread has not written x and has read there no value
      other than the initial one: else the read would read a write mo-before one its thread
      already wrote (CoWR) or read (CoRR; a value other than the initial one is not the
      initial write's);
    - its own thread's latest write to x before it, when it has that value and every read of
      x since took that value too: an earlier write of its own is mo-before the latest
      (CoWW, then CoWR), and a read since of another value read a write mo-after the latest
      (CoWR), which a later read cannot go back before (CoRR).
    (A write later in its own thread is no source; `_location_choices` makes the same
    choices, so a path failing here has no (rf, mo) at x in any choice of paths.)
    This keeps every path `source-other-writes` keeps but the ones it drops are a superset."""
    last: dict = {}  # location -> the value of the thread's latest write there, usable: or None
    past_init: set = set()  # locations where the initial write is no longer readable
    for e in path.events:
        kind = e.kind
        if kind == "F":
            continue
        loc = e.loc
        if kind != "W":
            value = e.rval
            if (loc, value) not in others:
                if loc in past_init:
                    if last.get(loc, _NONE) != value:
                        return False
                elif inits[loc] != value:
                    return False
            if last.get(loc, _NONE) != value:
                last[loc] = _NONE
            if value != inits[loc]:
                past_init.add(loc)
        if kind != "R":
            last[loc] = e.wval
            past_init.add(loc)
    return True


_NONE = object()  # no usable own write (`_own_coherent`)
# choices of paths (before any is dropped) from which `source-open-prefix` looks at the
# prefixes (of three threads or more: with two, the one thread before the last is checked
# against the last one's writes by `source-other-writes` already, but for RMWs, and the
# looping examples' thousands of paths cost more to look through than it saves): below it,
# finding the locations to look at costs more than it saves
_OPEN_FROM = 64


def _condition_constants(test: LitmusTest) -> tuple[int, ...]:
    atoms = prop_atoms(test.condition.prop) + prop_atoms(test.filter)
    return tuple(sorted({e.value for e in atoms if isinstance(e.value, int)}))


class _Enumerator:
    """Judges every candidate execution of one choice of thread paths."""

    def __init__(self, test: LitmusTest, axioms: str, meter: Meter | None = None,
                 count: bool = True):
        self.test = test
        self.count = count  # judge every candidate (herd's counts), or each outcome once
        self.axioms = axioms
        self.meter = meter or Limits().meter("candidate")
        self.partial = ""  # why judging stopped early (a limit), or ""
        self.observed = observables(test)
        self.extra = filter_observables(test)  # (what only the filter names)
        self.candidates = 0
        self.exhausted = 0
        self.unexplored = 0  # of those, cut at a bound, not only at spins (`Path.cut`)
        self.bounds: set[str] = set()  # the bounds that cut them ("budget", "unroll")
        self.locations = [loc.name for loc in test.locations]
        self.inits = {loc.name: held(loc.init, location_type(loc)) for loc in test.locations}
        self._init_values = [self.inits[name] for name in self.locations]
        self.counts = [0, 0]  # herd's pos, neg: allowed executions that satisfy it, that do not
        # the allowed outcomes by their values alone (`_values`: the observables are fixed),
        # with whether each satisfies the condition and a witness, (Candidates, pick): looked
        # up without hashing observables
        self._known: dict[tuple, tuple[Outcome, bool, Candidates, tuple]] = {}
        where = {o: i for i, o in enumerate(self.observed)}
        self._condition = _condition_of(test.condition.prop, where)  # values -> holds?
        self._reuse = reduce.enabled("reuse")
        self._choices: list[dict[tuple, list]] = [{} for _ in self.locations]  # per location
        self._access_ids: dict[tuple, int] = {(): 0}  # a path's accesses to a location -> id
        self._accesses: list[tuple] = [()]  # id -> the accesses
        self._summaries: dict[int, tuple] = {}  # id -> `_read_write_values` of the accesses
        self._access_columns: dict[int, tuple] = {}  # id -> the accesses' kinds, reads, writes
        self._found = [0, 0]  # locations' accesses found with no choice, with some
        self._types: dict[LocObs, ValueType] = {}
        self._columns: dict[int, tuple] = {}  # id(path) -> its events as parallel columns
        self._shapes: dict[tuple, int] = {}  # a path's (kinds, locations, orders, plain) -> a number
        self._statics: dict[tuple, Static] = {}  # the shapes of a choice of paths -> Static
        self._names: dict[tuple, list] = {}  # the shapes of a choice of paths -> event names
        self._layouts: dict[tuple, tuple] = {}  # the shapes of a choice of paths -> the layout
        self._kept: list[Path] = []  # the paths _columns names (ids stay theirs)
        self._plan = tuple(self._getter(o) for o in self.observed)
        self._filter_plan = (tuple(self._getter(o) for o in (*self.observed, *self.extra))
                             if test.filter is not None else ())  # fmt: skip
        self.races = axioms in _RACES
        self.race = ""  # one data race found (`race_text`), or ""
        # without a filter or whole arrays, `Candidates.values` reads the registers once per
        # choice of paths and the locations by their place among the locations: the plan
        # (register getters' places, location getters' places with their location's place)
        self._split_plan: tuple | None = None
        if test.filter is None and all(g[0] != 2 for g in self._plan):
            at = {name: j for j, name in enumerate(self.locations)}
            self._split_plan = (
                [(i, g) for i, g in enumerate(self._plan) if g[0] == 0],
                [(i, at.get(g[1], -1), g) for i, g in enumerate(self._plan) if g[0] == 1])

    def judge(self, combo: tuple[Path, ...]) -> None:
        cols = list(map(self._columns.get, map(id, combo)))
        if None in cols:
            cols = [c or self.columns(p) for p, c in zip(combo, cols)]
        local = self.local_choices(cols)
        if local is None:
            return  # some location has no coherent (rf, mo): no candidate
        space = Candidates(self, combo, cols, local)
        complete = space.complete
        # (once a race is found, no other is looked for: `racy` is only read with `not self.race`)
        racy = complete and self.races and not self.race and space.static.may_race
        known = self._known
        by_rf: dict | None = {} if reduce.enabled("source-rf-share") else None
        rels: dict[tuple, tuple] = {}  # a key of rf -> its rows and each read's write
        st, n = space.static, space.n
        due = self.meter.due
        for pick in space.picks():
            values = space.values(pick)
            if values is None:
                continue  # dropped by the test's filter
            if (not self.count and complete and values in known
                    and not (racy and not self.race)):
                continue
            if self.candidates >= due:  # (`Meter.due`: below it `over` says nothing)
                self.partial = self.meter.over(self.candidates)
                if self.partial:
                    return
                due = self.meter.due
            self.candidates += 1
            key = tuple(map(_RF_ID, pick))
            found = rels.get(key)
            if found is None:
                found = rels[key] = space.rf_relations(pick)
            rf, rf_src = found
            mo = [0] * n
            for c in pick:  # (each location's mo rows, `Candidates.__init__`)
                for w, later in c[2]:
                    mo[w] = later
            if consistent(self.axioms, st, rf, mo, rf_src, True,
                          None if by_rf is None else (by_rf, key)):
                if complete:  # herd counts every allowed execution
                    found = known.get(values)
                    if found is None:
                        found = known[values] = (tuple(zip(self.observed, values)),
                                                 self._condition(values), space, pick)
                    self.counts[not found[1]] += 1
                    if racy and not self.race:
                        pair = data_race(st, happens_before(st, rf))
                        if pair:
                            self.race = space.race_text(pick, pair, found[0])
                else:
                    fault = next((p.fault for p in combo if p.fault), "")
                    if fault:  # an execution dereferences a value that is no address
                        raise FencelabError(fault)
                    self.exhausted += 1
                    bounds = {p.cut for p in combo if p.cut in BOUNDS}
                    self.unexplored += bool(bounds)
                    self.bounds |= bounds
                    return  # one consistent execution is enough to count this choice of paths

    def columns(self, path: Path) -> tuple:
        """A path's events as parallel tuples (kinds, locations, orders, read values, written
        values, lines), then its shape (a number: paths with the same kinds, locations, orders
        and plain accesses have the same), its final locals as a dict, which events are plain
        (C's `*x`), per location of the test (in order), a number for the path's accesses
        there (kind, read value, written value; 0: none), and (thread, shape) and (thread,
        final locals) for `Candidates`; built once per path."""
        cols = self._columns.get(id(path))
        if cols is None:
            ev = path.events
            if ev:
                kinds, locs, orders, rvals, wvals, lines, plain = zip(
                    *[(e.kind, e.loc, e.order, e.rval, e.wval, e.line, e.plain) for e in ev])
            else:
                kinds = locs = orders = rvals = wvals = lines = plain = ()
            shape = self._shapes.setdefault((kinds, locs, orders, plain), len(self._shapes))
            at: dict[str, list] = {}
            for kind, loc, rval, wval in zip(kinds, locs, rvals, wvals):
                if loc:
                    at.setdefault(loc, []).append((kind, rval, wval))
            ids = self._access_ids
            numbers = {}
            for loc, a in at.items():
                a = tuple(a)
                number = ids.get(a)
                if number is None:
                    number = ids[a] = len(self._accesses)
                    self._accesses.append(a)
                numbers[loc] = number
            env = dict(path.env)
            cols = self._columns[id(path)] = (
                kinds, locs, orders, rvals, wvals, lines, shape, env, plain,
                tuple([numbers.get(loc, 0) for loc in self.locations]), (path.tid, shape),
                (path.tid, env))
            self._kept.append(path)
        return cols

    def static(self, key: tuple, kinds, tids, locs, orders, plain) -> Static:
        """`static_of` the candidate's events, remembered by the shapes of its paths (`key`):
        it depends on nothing else."""
        st = self._statics.get(key)
        if st is None:
            st = static_of(kinds, tids, locs, orders, plain)
            if self._reuse:
                self._statics[key] = st
        return st

    def local_choices(self, cols: list[tuple]) -> list[list] | None:
        """Per location, every coherent (rf, mo) of its accesses (`_location_choices`), in
        the location's own numbering (its initial write 0, then each path's accesses there in
        thread and program order), or None as soon as one location has none: most choices
        of thread paths have none (a read's only writer of its value is its own later write,
        coherence orders that contradict each other), and are dropped here before their
        events are laid out. Remembered by the location's accesses in each path (`columns`'
        numbers): combinations of thread paths share most locations' accesses, and the choices
        depend on nothing else."""
        memo = self._choices
        out: list = []
        missing = []
        for j, key in enumerate(zip(*map(_ACCESS_IDS, cols))):
            choices = memo[j].get(key)
            if choices is None:
                missing.append((j, key))
            elif not choices:
                return None
            out.append(choices)
        for j, key in missing:
            choices = out[j] = self._location_choices(j, key)
            if not choices:
                return None
        return out

    def dead_prefix(self, paths: list[list[Path]]):
        """The `source-dead-prefix` and `source-open-prefix` reductions: a
        `feasible_combinations` prune that drops a choice of paths for threads 0..k when some
        location has no coherent (rf, mo) in any choice of paths that starts so
        (`local_choices` would drop each of them, at that location). Every final state is
        kept: the choices dropped have no candidate execution, and the others come in the
        same order. The threads are the combination's positions, as in `local_choices`' keys.

        `source-dead-prefix`: a location no later thread's path accesses, whose accesses are
        then all chosen, has no coherent (rf, mo) with them.

        `source-open-prefix`: before the last thread, a location the last thread's paths
        access too cannot have its reads sourced whichever of them is chosen
        (`_open_sourced`): a read chosen takes, before any write of its own thread there of
        its value, a value that neither the initial state, another thread chosen nor any path
        of the last thread writes there; or more RMWs chosen read a value than there can be
        writes of it (the initial one, the chosen threads', and the most any one path of the
        last thread makes). Each choice of paths that starts so fails `_sourced` at that
        location (its last path writes a subset of those values, at most those counts, and
        its reads only add needs), and so has no (rf, mo) there. No location's choices are
        computed for it. (Looked at before the last thread only: on the generated C set,
        earlier prefixes so dropped are 45 of 1,533, against 1,440 of 2,769 there; and only
        in tests of three threads or more and `_OPEN_FROM` choices of paths.)"""
        n = len(paths)
        locations = self.locations
        last = [-1] * len(locations)  # location -> the last thread whose paths access it
        at = {name: j for j, name in enumerate(locations)}
        for k, thread_paths in enumerate(paths):
            seen: set = set()
            for p in thread_paths:
                for e in p.events:
                    if e.loc and e.loc not in seen:
                        seen.add(e.loc)
                        j = at.get(e.loc)
                        if j is not None:
                            last[j] = k
        dead = reduce.enabled("source-dead-prefix")
        closing = [[j for j in range(len(last)) if last[j] == k and dead] for k in range(n)]
        opening: list[int] = []  # the locations `source-open-prefix` looks at, before the last
        later: list[tuple] = []  # per location: the last thread's values there, most of each
        if (n > 2 and reduce.enabled("source-open-prefix") and n - 1 in last
                and math.prod([len(ps) for ps in paths]) >= _OPEN_FROM):  # fmt: skip
            opening, later = self._open_locations(paths, last)
        if not any(closing[:-1]) and not opening:
            return None
        built, columns, memo = self._columns, self.columns, self._choices
        zeros = [(0,) * (n - k - 1) for k in range(n)]
        groups: dict[int, tuple] = {}  # id(members) -> (members, per location their access ids)
        sourced: dict[tuple, bool] = {}  # (location, the chosen accesses) -> `_open_sourced`

        def ids_of(members: list) -> list:
            found = groups.get(id(members))
            if found is None:
                numbers = [(built.get(id(p)) or columns(p))[9] for p in members]
                found = groups[id(members)] = (members, [tuple({c[j] for c in numbers})
                                                         for j in range(len(last))])  # fmt: skip
            return found[1]

        def prune(k: int, chosen: tuple) -> bool:
            closed, still = closing[k], opening if k == n - 2 else ()
            if not closed and not still:
                return False
            ids = []
            for members in chosen:
                found = groups.get(id(members))
                ids.append(found[1] if found is not None else ids_of(members))
            for j in closed:
                for head in itertools.product(*[group[j] for group in ids]):
                    key = head + zeros[k]
                    choices = memo[j].get(key)
                    if choices is None:
                        choices = self._location_choices(j, key)
                    if choices:
                        break
                else:
                    return True  # (no completion has a choice at j)
            for j in still:
                for head in itertools.product(*[group[j] for group in ids]):
                    key = (j, head)
                    ok = sourced.get(key)
                    if ok is None:
                        ok = sourced[key] = self._open_sourced(
                            head, self.inits[locations[j]], *later[j])
                    if ok:
                        break
                else:
                    return True  # (no completion can source j's reads)
            return False

        return prune

    def _open_locations(self, paths: list[list[Path]], last: list[int]) -> tuple[list, list]:
        """For `source-open-prefix` (`dead_prefix`): the locations the last thread's paths
        access whose reads in the other threads might not be sourced (a value read there that
        neither the initial state nor the last thread writes, or more RMWs of one path each
        reading a value than writes of it there can be; the others always pass
        `_open_sourced`), and per location the values the last thread's paths write there
        with the most times one path writes each."""
        at = {name: j for j, name in enumerate(self.locations)}
        made: dict[tuple, int] = {}  # (location, value) -> the most a last thread's path writes
        for p in paths[-1]:
            counts: dict[tuple, int] = {}
            for e in p.events:
                if e.kind == "W" or e.kind == "U":
                    counts[(e.loc, e.wval)] = counts.get((e.loc, e.wval), 0) + 1
            for w, c in counts.items():
                if c > made.get(w, 0):
                    made[w] = c
        read: set = set()  # (location, value) the other threads' paths read
        taken: dict[tuple, int] = {}  # (location, value) -> RMWs reading it, the most a path has
        for thread_paths in paths[:-1]:
            most: dict[tuple, int] = {}
            for p in thread_paths:
                counts = {}
                for e in p.events:
                    if e.kind == "R" or e.kind == "U":
                        read.add((e.loc, e.rval))
                        if e.kind == "U":
                            counts[(e.loc, e.rval)] = counts.get((e.loc, e.rval), 0) + 1
                for w, c in counts.items():
                    if c > most.get(w, 0):
                        most[w] = c
            for w, c in most.items():
                taken[w] = taken.get(w, 0) + c
        later: list[tuple] = [(frozenset(), {}) for _ in self.locations]
        for (loc, value), c in made.items():
            j = at.get(loc)
            if j is not None:
                later[j][1][value] = c
        later = [(frozenset(most), most) for _, most in later]
        opening = set()
        for (loc, value) in read:
            j = at.get(loc)
            if j is not None and last[j] == len(paths) - 1 and value not in later[j][1] \
                    and value != self.inits[loc]:  # fmt: skip
                opening.add(j)
        for (loc, value), c in taken.items():
            j = at.get(loc)
            if j is not None and last[j] == len(paths) - 1 \
                    and c > int(value == self.inits[loc]) + later[j][1].get(value, 0):  # fmt: skip
                opening.add(j)
        return sorted(opening), later

    def _open_sourced(self, key: tuple, init, later: frozenset, most: dict) -> bool:
        """`_sourced` of the accesses `key` of the first threads to one location, with the
        later threads' paths writing there at most the values `later`, each at most `most`
        times (`dead_prefix`, `source-open-prefix`)."""
        summaries = self._summaries
        of = []
        for ident in key:
            summary = None
            if ident:
                summary = summaries.get(ident)
                if summary is None:
                    summary = summaries[ident] = _read_write_values(self._accesses[ident])
            of.append(summary)
        for tid, summary in enumerate(of):
            if summary is not None and summary[0]:
                written = {init} | later
                for other, theirs in enumerate(of):
                    if other != tid and theirs is not None:
                        written |= theirs[1]
                if not summary[0] <= written:
                    return False
        updates: dict = {}  # value -> the RMWs that read it: each needs a write of its own
        for summary in of:
            if summary is not None:
                for value, count in summary[2]:
                    updates[value] = updates.get(value, 0) + count
        for value, count in updates.items():
            writes = int(value == init) + most.get(value, 0)
            for summary in of:
                if summary is not None:
                    writes += summary[3].get(value, 0)
            if count > writes:
                return False
        return True

    def _location_choices(self, j: int, key: tuple) -> list:
        name = self.locations[j]
        # The quick check (`_sourced`) pays when most locations found have no choice (dense
        # tests, loops: 9 in 10), not when most have some (diy7-style cycles): it runs while
        # no more locations have had a choice than none.
        if self._found[0] >= self._found[1] and not self._sourced(key, self.inits[name]):
            self._found[0] += 1
            choices: list = []
            if self._reuse:
                self._choices[j][key] = choices
            return choices
        kinds, tids, rvals, wvals = ["W"], [-1], [None], [self.inits[name]]
        columns = self._access_columns
        for tid, ident in enumerate(key):
            if ident:
                found = columns.get(ident)
                if found is None:
                    found = columns[ident] = tuple(zip(*self._accesses[ident]))
                kinds += found[0]
                rvals += found[1]
                wvals += found[2]
                tids += [tid] * len(found[0])
        k = len(kinds)
        # (a pure function of the accesses, which tests share too: `_CHOICES`; so is the
        # part that depends on the kinds and threads alone, `_STRUCTURES`)
        shape = (tuple(kinds), tuple(tids))
        whole = (*shape, tuple(rvals), tuple(wvals))
        choices = _CHOICES.get(whole) if self._reuse else None
        if choices is None:
            structure = _STRUCTURES.get(shape) if self._reuse else None
            if structure is None:
                structure = _location_structure(k, name, kinds, [name] * k, tids)
                if self._reuse:
                    _remember(_STRUCTURES, shape, structure)
            choices = _location_choices(k, name, kinds, [name] * k, tids, rvals, wvals,
                                        structure)  # fmt: skip
            if self._reuse:
                _remember(_CHOICES, whole, choices)
        self._found[bool(choices)] += 1
        if self._reuse:
            self._choices[j][key] = choices
        return choices

    def _sourced(self, key: tuple, init) -> bool:
        """Can every read of these accesses to one location (`key`: each path's, by number)
        read a write of its value (the initial one, another thread's, or an earlier one of its
        own thread), and are there as many writes of each value as RMWs that read it (two
        cannot read the same write)? Most choices of thread paths with no candidate fail here,
        more cheaply than in `_location_choices` (which finds no choice for them either)."""
        summaries = self._summaries
        of = []  # the summaries of the threads' accesses there
        for ident in key:
            if ident:
                summary = summaries.get(ident)
                if summary is None:
                    summary = summaries[ident] = _read_write_values(self._accesses[ident])
                of.append(summary)
        writers: dict = {}  # value -> how many threads write it
        for summary in of:
            for value in summary[1]:
                writers[value] = writers.get(value, 0) + 1
        for needed, own, _, _ in of:
            for value in needed:  # another thread's write of it, or the initial one
                if writers.get(value, 0) <= (value in own) and value != init:
                    return False
        updates: dict = {}  # value -> the RMWs that read it: each needs a write of its own
        for summary in of:
            for value, count in summary[2]:
                updates[value] = updates.get(value, 0) + count
        for value, count in updates.items():
            if value == init:
                count -= 1
            for summary in of:
                count -= summary[3].get(value, 0)
            if count > 0:
                return False
        return True

    @property
    def executions(self) -> dict[Outcome, tuple[Candidates, tuple]]:
        """The outcomes allowed so far, each with a witness: (Candidates, pick)."""
        return {found[0]: (found[2], found[3]) for found in self._known.values()}

    @property
    def allowed(self) -> list[Outcome]:
        """The outcomes allowed so far."""
        return [found[0] for found in self._known.values()]

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

    def _getter(self, obs) -> tuple:
        """How an observable's final value is read (`_value`): (0, tid, register),
        (1, location, observable, the values it was seen to hold as shown) or (2, the getters
        of an array's elements)."""
        if isinstance(obs, RegObs):
            return (0, obs.tid, obs.reg)
        if isinstance(obs, LocObs):  # in its type: a 128-bit value prints in hex
            elements = self.test.array(obs.name)
            if elements:  # a whole array (`v={1,2}`)
                return (2, tuple(self._getter(LocObs(element_observable(obs.name, e.index)))
                                 for e in elements))  # fmt: skip
            return (1, location_name(obs.name), obs, {})  # {held: as shown}
        raise FencelabError(f"unsupported observable {obs!r}")  # pragma: no cover

    def _value(self, getter: tuple, envs: dict, final: dict):
        kind = getter[0]
        if kind == 0:
            env = envs.get(getter[1])
            return env.get(getter[2], 0) if env is not None else 0
        if kind == 1:
            held = final.get(getter[1], 0)
            shown = getter[3].get(held)
            if shown is None:
                shown = getter[3][held] = (held if isinstance(held, LocRef)
                                           else self.type_of(getter[2]).wrap(held))  # fmt: skip
            return shown
        return tuple(self._value(g, envs, final) for g in getter[1])

    def _outcome(self, envs: dict, final: dict) -> Outcome | None:
        values = self._values(envs, final)
        return None if values is None else tuple(zip(self.observed, values))

    def _values(self, envs: dict, final: dict) -> tuple | None:
        """The observables' values of an outcome (`_outcome`, without the observables), or
        None when the test's filter drops it."""
        value = self._value
        if self.test.filter is not None:
            values = tuple((o, value(g, envs, final))
                           for o, g in zip((*self.observed, *self.extra), self._filter_plan))
            if not holds(self.test.filter, values):
                return None
        return tuple([value(g, envs, final) for g in self._plan])


class Candidates:
    """The candidate executions of one choice of thread paths: its events (one initial write
    per location, tid -1, then each thread's in program order, as parallel lists) and, per
    location, every coherent (rf, mo) choice; a *pick* is one choice per location, each
    (rf pairs, mo order, ...): `picks` adds mo's rows, (write, the writes after it), a number
    for the rf pairs (the candidates of one choice of paths with the same number at each
    location have the same rf) and mo's last write."""

    def __init__(self, enumerator: _Enumerator, combo: tuple[Path, ...],
                 cols: list[tuple] | None = None, local: list[list] | None = None):
        """`cols` and `local`: the paths' `columns` and the locations' `local_choices`, when
        the caller has them (`local` None: found here)."""
        self.enumerator = enumerator
        self.combo = combo
        self.complete = all(p.complete for p in combo)
        locations = enumerator.locations
        m = len(locations)
        rvals = [None] * m
        wvals, lines = list(enumerator._init_values), [0] * m
        if cols is None:
            cols = [enumerator.columns(p) for p in combo]
        self._shape = tuple(map(_TID_SHAPE, cols))
        # kinds, locations, orders, threads and plain accesses: fixed by the paths' shapes,
        # with each location's events and its choices renumbered (remembered by them; these
        # lists are only read)
        layout = enumerator._layouts.get(self._shape)
        if layout is None:
            kinds, locs, orders = ["W"] * m, list(locations), [None] * m
            tids, plain = [-1] * m, [False] * m
            for p, (k, lo, o, _, _, _, _, _, pl, *_) in zip(combo, cols):
                kinds += k
                locs += lo
                orders += o
                tids += [p.tid] * len(k)
                plain += pl
            events_of: dict[str, list[int]] = {name: [] for name in locations}
            for i, loc in enumerate(locs):
                if loc:
                    events_of.setdefault(loc, []).append(i)
            renumbered: list[dict] = [{} for _ in locations]  # id(choices) -> renumbered
            layout = (kinds, locs, orders, tids, plain, events_of, renumbered, {})
            if enumerator._reuse:
                enumerator._layouts[self._shape] = layout
        for c in cols:
            rvals += c[3]
            wvals += c[4]
            lines += c[5]
        (self.kinds, self.locs, self.orders, self.tids, self.plain, events_of, renumbered,
         self._shown) = layout  # (`_shown`: `describe`'s texts of the renumbered choices)
        self.rvals, self.wvals, self.lines = rvals, wvals, lines
        self.n = len(self.kinds)
        if local is None:
            local = enumerator.local_choices(cols)
        self.per_loc: list[list] | None = None
        if local is not None:
            # renumbered to this candidate's events, which the shape of its paths places:
            # remembered by the shape and the location's choices (kept alive by
            # `local_choices`' memo while `reuse` is on, so their ids stay theirs)
            self.per_loc = []
            for j, choices in enumerate(local):
                memo = renumbered[j]
                found = memo.get(id(choices))
                if found is None:
                    events = events_of[locations[j]]
                    # (an rf shared by several mo orders stays one object: `judge` knows
                    # the candidates that share every location's rf by it); mo as the
                    # rows of its writes, (write, the writes after it), for `judge`
                    shared: dict[int, tuple] = {}
                    found = memo[id(choices)] = []
                    for rf, order in choices:
                        part = shared.get(id(rf))
                        if part is None:
                            part = shared[id(rf)] = tuple([(events[r], events[w]) for r, w in rf])
                        order = [events[w] for w in order]
                        rows = []
                        later = 0
                        for w in reversed(order):
                            rows.append((w, later))
                            later |= 1 << w
                        found.append((part, order, tuple(rows), id(part), order[-1]))
                self.per_loc.append(found)
        self.envs = dict(map(_TID_ENV, cols))
        self._values_of: dict[tuple, tuple | None] = {}  # final writes -> `values`
        self._registers: list | None = None  # `values`' registers (`_split_plan`)
        self._static: Static | None = None
        self._names: list[tuple[str, str]] | None = None

    @property
    def static(self) -> Static:
        if self._static is None:
            self._static = self.enumerator.static(self._shape, self.kinds, self.tids, self.locs,
                                                  self.orders, self.plain)  # fmt: skip
        return self._static

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
        final = {name: self.wvals[c[1][-1]]
                 for name, c in zip(self.enumerator.locations, pick)}  # fmt: skip
        return self.enumerator._outcome(self.envs, final)

    def values(self, pick) -> tuple | None:
        """`outcome(pick)`'s values alone (`_Enumerator._values`) for a pick of `picks`,
        remembered by the final write of each location: the picks of one choice of paths
        share most."""
        key = tuple(map(_LAST, pick))
        found = self._values_of.get(key, self)
        if found is self:
            enumerator = self.enumerator
            plan = enumerator._split_plan
            if plan is None:
                final = {name: self.wvals[w] for name, w in zip(enumerator.locations, key)}
                found = self._values_of[key] = enumerator._values(self.envs, final)
                return found
            values = self._registers
            if values is None:
                values = self._registers = [None] * len(enumerator._plan)
                for i, getter in plan[0]:
                    values[i] = enumerator._value(getter, self.envs, {})
            values = list(values)
            wvals = self.wvals
            for i, j, getter in plan[1]:  # (`_Enumerator._value` of a location, written out)
                held = wvals[key[j]] if j >= 0 else 0
                shown = getter[3].get(held)
                if shown is None:
                    shown = enumerator._value(getter, self.envs, {getter[1]: held})
                values[i] = shown
            found = self._values_of[key] = tuple(values)
        return found

    def names(self) -> list[tuple[str, str]]:
        """Each event's (read name, write name), herd's letters in thread order; an RMW (U)
        is two events, its read and its write (a, b); initial writes are `init:x`."""
        if self._names is not None:
            return self._names
        # (the same for every choice of paths of one shape: remembered by it)
        out = self._names = self.enumerator._names.get(self._shape)
        if out is not None:
            return out
        letters = iter(event_names(2 * self.n))
        out = self._names = self.enumerator._names[self._shape] = []
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
        # id(rf pairs or mo order) -> (it, its text): the shape's names fix the text (it is
        # kept so that its id stays its own: picks not of `picks` are made and dropped)
        shown = self._shown
        rf, mo = [], []
        for c in pick:
            part, order = c[0], c[1]
            found = shown.get(id(part))
            if found is None or found[0] is not part:
                found = shown[id(part)] = (part, " ".join(
                    [f"{names[w][1]}->{names[r][0]}" for r, w in sorted(part)]))
            if found[1]:
                rf.append(found[1])
            found = shown.get(id(order))
            if found is None or found[0] is not order:
                found = shown[id(order)] = (order, "->".join([names[w][1] for w in order]))
            mo.append(found[1])
        return f"rf: {' '.join(rf) or '-'}; mo: {' '.join(mo)}"

    def relations(self, pick) -> tuple[list[int], list[int], list[int]]:
        """rf and mo as bitmask rows, and each read's write (-1 for none)."""
        rf, rf_src = self.rf_relations(pick)
        mo = [0] * self.n
        for c in pick:
            later = 0
            for w in reversed(c[1]):
                mo[w] = later
                later |= 1 << w
        return rf, mo, rf_src

    def rf_relations(self, pick) -> tuple[list[int], list[int]]:
        """rf as bitmask rows, and each read's write (-1 for none)."""
        rf_src = [-1] * self.n
        rf = [0] * self.n
        for c in pick:
            for r, w in c[0]:
                rf_src[r] = w
                rf[w] |= 1 << r
        return rf, rf_src


def _read_write_values(accesses: tuple) -> tuple:
    """Of one thread's accesses to a location (kind, read value, written value), in program
    order: the values it reads that no earlier access of its own writes (they must come from
    the initial write or another thread), the values it writes, its RMWs' read values with
    their counts, and its written values with their counts."""
    own: set = set()
    needed = set()
    updates: dict = {}
    writes: dict = {}
    for kind, rval, wval in accesses:
        if kind != "W" and rval not in own:
            needed.add(rval)
        if kind == "U":
            updates[rval] = updates.get(rval, 0) + 1
        if kind != "R":
            own.add(wval)
            writes[wval] = writes.get(wval, 0) + 1
    return frozenset(needed), frozenset(own), tuple(updates.items()), writes


def _location_structure(n: int, name: str, kinds, locs, tids) -> tuple:
    """What `_location_choices` needs of a location's accesses besides their values: its
    writes (the initial one first) and reads, CoWW's orders (per event, the writes that
    must precede it), the writes' shape, and per read (in event order): the writes it may
    read from by their place alone (not itself, not later in its own thread), whether it is
    an RMW, its thread's writes there before it (CoWR), after it (CoRW) and its reads there
    after it (CoRR, as places among the reads). A function of the kinds, threads and
    locations alone, which many choices of paths share (`_Enumerator._location_choices`
    remembers it)."""
    events = [i for i in range(n) if locs[i] == name]
    writes = [i for i in events if kinds[i] in ("W", "U")]
    reads = [i for i in events if kinds[i] in ("R", "U")]
    # events are numbered thread by thread in program order: sb is a later event of the thread
    later = [0] * n  # the location's later events of the same thread
    earlier = [0] * n
    seen: dict[int, int] = {}  # tid -> its events so far
    for a in events:
        tid = tids[a]
        if tid >= 0:
            earlier[a] = seen.get(tid, 0)
            seen[tid] = earlier[a] | (1 << a)
    seen.clear()
    for a in reversed(events):
        tid = tids[a]
        if tid >= 0:
            later[a] = seen.get(tid, 0)
            seen[tid] = later[a] | (1 << a)
    write_mask = 0
    for w in writes:
        write_mask |= 1 << w
    coww = [earlier[w] & write_mask for w in range(n)]  # CoWW: sb-earlier writes come first
    shape = (tuple(writes), tuple([kinds[w] == "U" for w in writes]))
    place = {r: i for i, r in enumerate(reads)}
    per_read = tuple([(
        r,
        sum([1 << w for w in writes if w != r and not (w > r and tids[w] == tids[r])]),
        kinds[r] == "U",
        earlier[r] & write_mask,  # CoWR: a write before the read is not newer
        tuple([w for w in writes if (later[r] >> w) & 1]),  # CoRW: one after it is newer
        tuple([place[x] for x in reads if (later[r] >> x) & 1]),  # CoRR
    ) for r in reads])  # fmt: skip
    others = tuple([w for w in writes[1:] if kinds[w] != "U"])  # (an RMW: only as a reader)
    return writes, coww, shape, per_read, tuple(reads), others


def _location_choices(n: int, name: str, kinds, locs, tids, rvals, wvals,
                      structure: tuple | None = None) -> list:  # fmt: skip
    """Every coherent (rf, mo) for location `name`: rf as (read, write) pairs, mo as a list.

    rf: each read takes a write of its value, not itself and not one later in its own thread.
    mo: the init write first, then a linear extension of the orders coherence forces given sb
    and rf (CoWW, CoWR, CoRW, CoRR), with each RMW right after the write it reads.
    `structure`: `_location_structure` of the same arguments, when the caller has it.

    The hardware checkers enumerate per location too (`per_location_choices`,
    fencelab/models/axiomatic/candidates.py, whose docstring says why the two stay apart:
    their RMWs are two events, each model states its own atomicity, exclusives can fail).
    """
    if structure is None:
        structure = _location_structure(n, name, kinds, locs, tids)
    writes, coww, shape, per_read, reads, others = structure
    by_value: dict = {}  # value -> the writes of it
    for w in writes:
        value = wvals[w]
        by_value[value] = by_value.get(value, 0) | (1 << w)
    sources = []
    for r, allowed, _, _, _, _ in per_read:
        # (first: most choices of thread paths that have no choice fail here)
        options = allowed & by_value.get(rvals[r], 0)
        if not options:
            return []
        found = _BITS.get(options)
        if found is None:
            found = tuple(bits(options))
            _remember(_BITS, options, found)
        sources.append(found)
    init = writes[0]
    remember = "reuse" not in reduce.disabled()
    out = []
    for choice in itertools.product(*sources):
        before = list(coww)  # before[b]: writes that must precede b in mo
        reader_of = {}  # the write each RMW reads -> the RMW
        for (r, _, update, cowr, corw, corr), w in zip(per_read, choice):
            bit = 1 << w
            if update:
                if w in reader_of:
                    break  # two RMWs cannot both read the same write
                reader_of[w] = r
                before[r] |= bit
            before[w] |= cowr & ~bit  # CoWR: a write before the read is not newer
            for x in corw:  # CoRW: a write after the read is newer
                before[x] |= bit
            for j in corr:  # CoRR: a later read does not read an older write
                w2 = choice[j]
                if w2 != w:
                    before[w2] |= bit
        else:
            # the orders depend on the constraints alone, which many rf choices share
            # (and across locations and tests: `_EXTENSIONS`, a pure function of its key)
            key = (shape, tuple([before[w] for w in writes]), tuple(reader_of.items()))
            orders = _EXTENSIONS.get(key) if remember else None
            if orders is None:
                orders = _linear_extensions(init, others, len(writes), before, reader_of)
                if remember:
                    _remember(_EXTENSIONS, key, orders)
            if orders:
                rf_pairs = tuple(zip(reads, choice))
                for order in orders:
                    out.append((rf_pairs, order))
    return out


_ACCESS_IDS = itemgetter(9)  # a path's `columns`: per location, its accesses there by number
_TID_SHAPE, _TID_ENV = itemgetter(10), itemgetter(11)  # a path's `columns`: for Candidates
_RF_ID, _LAST = itemgetter(3), itemgetter(4)  # a pick's choice at a location: rf's number, mo's last

def _remember(cache: dict, key, value) -> None:
    """`cache[key] = value`, a full cache started again empty (`reduce.reused`'s limit)."""
    if len(cache) >= reduce.CACHE_LIMIT:
        cache.clear()
    cache[key] = value


_CHOICES: dict = {}  # a location's `_location_choices` by its accesses (`_Enumerator`)
_STRUCTURES: dict = {}  # `_location_structure` by the accesses' kinds and threads
_EXTENSIONS: dict = {}  # `_linear_extensions` by its writes, which are RMWs, the constraints
_BITS: dict[int, tuple[int, ...]] = {}  # a set of writes -> its events, lowest first


def _linear_extensions(init, others, total, before, reader_of) -> list[list[int]]:
    """mo orders of `total` writes: `init` first, `before` respected, an RMW only right after
    the write it reads (`reader_of`: the write -> the RMW), the other writes (`others`) after
    any; depth first, the writes tried in event order."""
    if before[init] & ~(1 << init):
        return []
    out: list[list[int]] = []
    stack = [(init, 1 << init, (init,))]  # (the last write placed, the placed, the order)
    while stack:
        last, placed, order = stack.pop()
        if len(order) == total:
            out.append(list(order))
            continue
        after = reader_of.get(last)
        for w in reversed(others) if after is None else (after,):
            if not (placed >> w) & 1 and not before[w] & ~placed:
                stack.append((w, placed | (1 << w), (*order, w)))
    return out
