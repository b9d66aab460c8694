"""A core running alone: what it could commit ahead, and whether its commits certify.

As in Promising-ARM (fencelab/models/operational/arm/certify.py), a core may commit a write
ahead of executing it only if, running alone from its current state against the current
storage, it can then execute every write it committed ahead (certification). Alone, every
write either fulfils one of its commits or is committed at once at the end of the timeline,
a barrier places the propagations its group A needs as early as it can (thread.py), and a
predicated instruction whose flags the run's own reads decided may run the other way
(guess.py: such a run certifies and offers commits, but is never the core's run to its end).

`explore_alone` walks every such solo run (breadth first, up to `budget` memory instructions)
and reports:
- `certified`: some run reaches a point where every commit made ahead has been executed;
- `complete`: some run reaches the end of the core committing nothing new — execution starts
  only when every core is complete;
- `candidates`: the writes it could commit next (a fresh commit of a solo run whose views are
  within the current timeline — its dependencies, not its core's earlier writes of the
  location, which may come later in the timeline and go before it in coherence; propagations
  the run inserted do not count, since the barrier will insert them before it when it
  executes), and for each, `before`: in each run that wrote it, which of the core's commits
  made ahead it had executed first (its own writes to a location go in coherence in program
  order, so this fixes where it may go among them).

Loops: a core with a loop never commits ahead a spin: a store-exclusive that puts back the
value its load-exclusive read (a failed attempt on a spinlock) after which, had it succeeded,
the core would only retry: pass barriers and reach the very point, with the same registers
but dead ones, that failing reaches (thread.py, `retries_anyway`). Executing, such an attempt
fails and retries instead (its store-exclusive fails only when it cannot succeed), which
re-reads the location just as the put-back would have. Without this, every spin would be
committed ahead, at every place in coherence, and a two-thread spinlock would not finish. A
put-back after which the core goes on otherwise (Rust's `fetch_max` when the old value is the
maximum: the loop ends) is a write like any other; pruning it would leave the loop no way
out. Pruning spins is the one place the model departs from arm.cat, only on tests with loops
(where herd unrolls instead): the put-back's write, with the value already there, is left out
of coherence, and the registers' views on the retry path are not compared (only their
values). And a solo run skips a loop iteration that returns to a loop head with the same
registers and no lower views than an earlier visit, when every move since was silent
(`dominates`) and the earlier visit's taint (guess.py) holds the later one's (`may_guess_all`:
its registers, and no pin the later one lacks): from there it can guess whatever the later
visit can.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass

from fencelab import reduce
from fencelab.errors import FencelabError
from fencelab.isa.insn import Kind
from fencelab.limits import SideStates
from fencelab.models.operational.armv7.guess import NO_TAINT, may_guess_all, solo_guesses
from fencelab.models.operational.armv7.local import Local
from fencelab.models.operational.armv7.order import ACCESS_LOCS
from fencelab.models.operational.armv7.storage import Msg, Storage, shifted
from fencelab.models.operational.armv7.thread import ThreadContext, thread_moves

SOLO_BUDGET = 40  # memory instructions per solo run (the machine's default step budget)
SOLO_STATES = 200_000  # outside an exploration's limits (`side`), a solo search larger than
# this is refused, not silently cut


@dataclass(frozen=True)
class Alone:
    certified: bool
    complete: bool
    candidates: tuple[Msg, ...]
    before: tuple[frozenset[frozenset[int]], ...] = ()  # per candidate: see `explore_alone`
    # per candidate, the sets of `before` whose run can go on to execute every commit made
    # ahead (`armv7-viable-commits`; None: not computed, every one counts)
    viable: tuple[frozenset[frozenset[int]], ...] | None = None


def explore_alone(ctx: ThreadContext, tstate, local: Local, st: Storage,
                  budget: int = SOLO_BUDGET, viable: bool = False,
                  side: SideStates | None = None) -> Alone:  # fmt: skip
    """Every solo run (module docstring); with `viable` (`armv7-viable-commits`, for a core
    without loops and without barriers that insert propagations: apart.py's `may_insert`),
    also which candidates' runs could go on to certify (`Alone.viable`).

    Why a commit ahead whose every run is not viable never certifies, so that not asking
    loses nothing: take a run R' certifying a commit p of write m (at the end of the timeline,
    end + 1, coherence rank r) from the storage with p. Run the same moves from the storage
    without p, the write that executes p committing m fresh instead (at the end, just above
    the core's coherence floor): a run R. Before that write, R' cannot read p (an own commit
    not yet executed) and has not passed it in coherence (else p is lost); the ranks of the
    other writes keep their order, and fresh commits keep theirs, one position lower. So
    every read takes the same write with the same times up to the end of the timeline, and
    a time past it (a fresh commit's position) bars every old commit either way (each is at
    or below end). The write: p's slot needs its floor <= end, so m's fresh commit is a
    candidate (floor below the first fresh commit); a store-exclusive's check (no other
    core's write coherence-between its load-exclusive's write and it) holds at r, hence just
    above the floor. After it, a write coherence-after p is coherence-after m's fresh place
    (just above the floor, below everything p is below), so every later read and every later
    commit made ahead that R' executes, R executes too; a failing store-exclusive is always
    offered (no loop). So R commits m as a candidate with the same commits executed before
    it (`before`) and goes on to a state with every old commit executed: its run is viable.
    Barriers that insert propagations, loops (pruned iterations, spins) are not covered.

    Except at one store-exclusive: one whose load-exclusive read m (or a write committed
    fresh after it at m's location x: just above p in R', just above m in R) and which
    fulfils a commit made ahead q at x. Its check held in R' (no other core's write between
    p and q), but the other cores' writes between the floor and r are, in R, between m and
    q: it fails, and reading one of them instead gives the load-exclusive another value
    (which a fetch-add's store-exclusive writes, or a later commit made ahead depends on). R
    is then not viable, nor need any run from the storage without p be (LDREX-FRESH in
    tests/models/test_armv7_viable_exclusive.py: a place that certifies was dropped; its
    outcomes were kept, the commits reaching them in another order, which is not argued
    here). So at a location where this can happen every run counts (`_exclusive_locations`:
    a commit made ahead at x with another core's write coherence-between it and the place a
    fresh commit takes now, and a write followed by a load-exclusive of x in the core's code
    from here). Elsewhere every store-exclusive's check compares the same places in R as
    in R': places at other locations do not move; at x, a fresh write has no other core's
    write between it and a commit made ahead (the floor only rises along a run, no
    propagation is inserted, and the core's own writes do not count); a load-exclusive that
    read an older write, or whose store-exclusive commits fresh (just above the floor),
    does not see where m went.
    The same candidates are reported (transition keys do not change); `_commits`
    (model.py) only skips the coherence places that no viable run allows."""
    # with no commit made ahead, every solo state has executed them all: every run is viable
    viable = viable and bool(local.promises)
    return _solo_runs(ctx, tstate, local, st, budget, viable=viable, side=side)  # type: ignore[return-value]


def certifies(ctx: ThreadContext, tstate, local: Local, st: Storage,
              budget: int = SOLO_BUDGET, guess: bool = True,
              side: SideStates | None = None) -> bool:  # fmt: skip
    """`explore_alone(...).certified`, sooner: it stops at the first run that has executed
    every commit made ahead, and drops every solo state with more commits ahead still to
    execute than the most writes the core can still execute on any path of its code
    (`writes_left`: each write executes at most one commit, so no run from there certifies;
    nor from any state after it, which has executed at most as many commits as writes), and,
    with `armv7-certify-locations`, the same counted location by location and value by value
    (`_short_of_writes`).
    Without `guess`, by runs that guess no condition (guess.py): once cores execute, the
    timeline is fixed, and a guess stood for reading a write committed later, which no
    longer comes (model.py asks so there)."""
    found = _solo_runs(ctx, tstate, local, st, budget, only_certify=True, guess=guess,
                       side=side)  # fmt: skip
    return found  # type: ignore[return-value]


def _solo_runs(ctx: ThreadContext, tstate, local: Local, st: Storage, budget: int,
               only_certify: bool = False, viable: bool = False, guess: bool = True,
               side: SideStates | None = None) -> Alone | bool:  # fmt: skip
    """The solo search (`explore_alone`, `certifies`); its states count in `side`, the
    exploration's (limits.py), which stops it at the exploration's limits."""
    seen: dict = {}
    try:
        return _solo_search(ctx, tstate, local, st, budget, only_certify, viable, guess, side,
                            seen)  # fmt: skip
    finally:
        if side is not None:
            side.count += len(seen)


def _solo_search(ctx: ThreadContext, tstate, local: Local, st: Storage, budget: int,
                 only_certify: bool, viable: bool, guess: bool, side: SideStates | None,
                 seen: dict) -> Alone | bool:  # fmt: skip
    certified = complete = False
    candidates: dict[Msg, set[frozenset[int]]] = {}
    # `viable`: each candidate's (message, `before` set, number of the solo state its run
    # goes to), and each solo state's successors, by number (the order states are first seen)
    offered: list[tuple[Msg, frozenset[int], int]] = []
    succ: list[list[int]] = []
    core = ctx.core
    # (thread state, local, storage, position of the first fresh commit: what the core
    # committed alone, not in the real timeline; propagations it inserted do not count)
    never = 1 << 60
    # ... the loop heads visited since the last move that was not silent (each with its
    # local state and taint), the registers a solo read tainted and whether the run guessed
    # a condition (guess.py)
    # `armv7-solo-heads`: a solo state is known without its loop heads, which ride along in
    # the queue (`_solo_search_heads` says why)
    merge = reduce.enabled("armv7-solo-heads")
    by_location = only_certify and reduce.enabled("armv7-certify-locations")
    start = (tstate, local, st, never, (), NO_TAINT, False)
    seen[_without_heads(start) if merge else start] = 0
    queue = deque([(start, 0, 0)])
    while queue:
        (ts, lc, storage, first_fresh, heads, taint, guessed), depth, number = queue.popleft()
        fresh = first_fresh != never
        if not lc.promises:
            certified = True
            if only_certify:
                return True
        if core.halted(ts):
            # (a run that guessed is no run of the core: guess.py)
            complete = complete or (not lc.promises and not fresh and not guessed)
            continue
        if depth >= budget:
            continue
        pc = core.pc(ts)
        if only_certify and len(lc.promises) > writes_left(ctx, pc):
            continue
        if by_location and _short_of_writes(ctx, pc, lc, storage):
            continue
        nexts = None
        if viable:
            succ.extend([] for _ in range(number + 1 - len(succ)))
            nexts = succ[number]
        for mv, tainted, guessed_now in solo_moves(ctx, ts, lc, storage, taint, guess):
            grown = mv.storage if mv.storage is not None else storage
            after = heads if mv.silent else ()
            if mv.inserted and after:
                after = _unmoved(after, mv.inserted)
            if mv.local.exbank is None and not core.halted(mv.tstate) and core.pc(mv.tstate) <= pc:
                if any(t == mv.tstate and may_guess_all(t0, tainted)
                       and dominates(l0, mv.local, grown) for t, l0, t0 in after):  # fmt: skip
                    continue  # a repeated loop iteration: the earlier visit can do all it can
                after = (*after, (mv.tstate, mv.local, tainted))
            offers = mv.floor < first_fresh and not mv.spin and not only_certify
            done = frozenset()
            if offers:
                done = frozenset(p for p in local.promises if p not in lc.promises)
                for msg in mv.fresh_writes:
                    candidates.setdefault(msg, set()).add(done)
            first = first_fresh
            for at in mv.inserted:
                first = shifted(first, at) if first != never else never
            if mv.fresh_writes and first == never:
                first = grown.end
            nxt = (mv.tstate, mv.local, grown, first, after, tainted, guessed or guessed_now)
            known = _without_heads(nxt) if merge else nxt
            found = seen.get(known)
            if found is None:
                found = seen[known] = len(seen)
                queue.append((nxt, depth + 1, found))
            if nexts is not None:
                nexts.append(found)
                if offers:
                    offered.extend((msg, done, found) for msg in mv.fresh_writes)
        if side is not None:
            side.check(len(seen))
        elif len(seen) > SOLO_STATES:
            raise FencelabError(
                f"model armv7: P{ctx.tid} alone has more than {SOLO_STATES} states to certify "
                "its commits; the test is too large for the model"
            )
    if only_certify:
        return certified
    kept = None
    if viable:
        live = _certifying(succ, [not state[1].promises for state in seen])
        found: dict[Msg, set[frozenset[int]]] = {msg: set() for msg in candidates}
        for msg, done, nxt in offered:
            if nxt in live:
                found[msg].add(done)
        # a store-exclusive may fulfil a commit made ahead at the location (`explore_alone`:
        # the argument does not hold there): every run counts
        exposed = _exclusive_locations(ctx, tstate, local, st)
        kept = tuple(frozenset(candidates[msg] if msg.loc in exposed else b)
                     for msg, b in found.items())  # fmt: skip
    return Alone(certified, complete, tuple(candidates),
                 tuple(frozenset(b) for b in candidates.values()), kept)


def _exclusive_locations(ctx: ThreadContext, tstate, local: Local,
                         st: Storage) -> frozenset[int]:  # fmt: skip
    """`armv7-viable-commits`: the locations where a store-exclusive of a run committing a
    write fresh may fail to fulfil a commit made ahead that it fulfils after the same write
    committed ahead (`explore_alone`): those with a commit made ahead and, coherence-between
    it and the place a fresh commit takes now (just above the core's floor; later in a run the
    floor is only higher), a write of another core, where the core's code from here has a
    write followed by a load-exclusive of the location (`_write_then_exclusive`)."""
    core = ctx.core
    if not local.promises or core.halted(tstate):
        return frozenset()
    out = set()
    for pos in local.promises:
        loc = st.msg(pos).loc
        if loc in out or not _write_then_exclusive(ctx, core.pc(tstate), loc):
            continue
        fresh = max(st.rank(local.coh[loc]) + 1, st.first_free_rank(loc))
        if any(st.tid(w) != ctx.tid for w in st.co[loc][fresh : st.rank(pos)]):
            out.add(loc)
    return frozenset(out)


def _write_then_exclusive(ctx: ThreadContext, pc: int, loc: int) -> bool:
    """Has the core's code, at or after `pc` (a core without loops runs forward), a write
    that may be of `loc` and, after it, a load-exclusive that may read `loc` (an access whose
    location `_known_locations` does not know may be of any)? Code with an instruction whose
    next is not known (a branch to a register) may have it anywhere."""
    known = _known_locations(ctx)
    if known is None:
        return True
    infos = ctx.core.infos
    first = None
    for at in sorted(infos):
        info = infos[at]
        if at < pc or info.kind not in WRITES and info.kind is not Kind.LOAD_EXCL:
            continue
        if known.get(at, loc) != loc:
            continue
        if first is None and info.kind in WRITES:
            first = at
        elif first is not None and info.kind is Kind.LOAD_EXCL:
            return True
    return False


def _unmoved(heads: tuple, inserted: tuple[int, ...]) -> tuple:
    """The loop heads whose state names no position that the propagations a barrier inserted
    (at `inserted`, in order) moved up: their views, floors and recorded reads are positions
    of the storage before the move, which `dominates` compares with the grown storage's, so
    a head whose positions moved would be compared with the wrong writes (once, a KeyError
    out of `Storage.rank` where a write's old position had become a propagation). The others
    are dropped: they only pruned."""
    def moved(local: Local) -> bool:  # (`shifted` resets the last field, `stutter`)
        return any(local.shifted(at)[:-1] != local[:-1] for at in inserted)

    return tuple(head for head in heads if not moved(head[1]))


def _without_heads(state: tuple) -> tuple:
    """A solo state without its loop heads (`armv7-solo-heads`): the states that differ only
    there are searched once, from the first found (at the least depth, breadth first).

    Why no answer changes: the heads are the loop-head visits on the path to the state since
    its last move that was not silent; they only prune (a move back to a loop head that one of
    them dominates is not followed). What a run from the state finds (a point with every
    commit made ahead executed, the end reached without a fresh commit, a candidate with the
    commits executed before it) depends on the rest of the state (the core's state, local
    state, storage, first fresh position, taint, whether it guessed), never on the path to it.
    So the state reached along two paths has the same runs on, whose answers are found as in
    the search that keeps both: a run from it that meets a move pruned by one of the first
    path's heads is, there, matched by a run from that head (an earlier state on the first
    path, which the search expanded: this is the pruning's own argument, `dominates`) that is
    shorter than the path plus the run, so replacing pruned suffixes ends, and the answers
    found are every answer of the unpruned runs. The first path is at the least depth, so
    every run within the budget from the second is within it from the first. (A core without
    loops never has heads: its searches are unchanged.)"""
    return (*state[:4], *state[5:])


def _certifying(succ: list[list[int]], done: list[bool]) -> set[int]:
    """The solo states (numbers) from which a state with every commit made ahead executed
    (`done`) is reachable (`succ`: each expanded state's successors; each state is expanded at
    its least depth, so every run within the budget is there)."""
    preds: dict[int, list[int]] = {}
    for state, nexts in enumerate(succ):
        for nxt in nexts:
            preds.setdefault(nxt, []).append(state)
    live = {state for state, yes in enumerate(done) if yes}
    todo = list(live)
    while todo:
        for prev in preds.get(todo.pop(), ()):
            if prev not in live:
                live.add(prev)
                todo.append(prev)
    return live


def solo_moves(ctx: ThreadContext, tstate, local: Local, st: Storage,
               taint: frozenset[str] = NO_TAINT, guess: bool = True) -> list:  # fmt: skip
    """`guess.solo_guesses`: `thread_moves(..., certify=True)` and the moves that guess a
    condition the registers `taint` decide, remembered per core (the `reuse` switch of
    fencelab/reduce.py): a pure function of the core's state and the storage, and solo searches
    meet the same states again (the search that certifies a commit and the one that explores
    the state the commit makes start alike; a third of the solo moves of the diy7-style set
    were asked before). What raised (`UnseenRead`, a refusal) is not remembered. A remembered
    answer hides no `UnseenRead`: the projector's locations (project.py) only grow, and the
    answer was computed once every location it touches was among them, so computed again it
    would not raise either."""
    if not guess:  # (`certifies`' runs that guess nothing)
        cache = ctx.__dict__.setdefault("armv7_solo_moves_unguessed", {})
        return reduce.reused(cache, (tstate, local, st), lambda: [
            (m, NO_TAINT, False) for m in thread_moves(ctx, tstate, local, st, certify=True)])
    cache = ctx.__dict__.setdefault("armv7_solo_moves", {})
    pins = reduce.enabled("armv7-guess-branches")  # (guess.py `_walk`: it changes the answer)
    return reduce.reused(cache, (tstate, local, st, taint, pins),
                         lambda: solo_guesses(ctx, tstate, local, st, taint))  # fmt: skip


WRITES = (Kind.STORE, Kind.STORE_EXCL, Kind.RMW)
READS = (Kind.LOAD, Kind.LOAD_EXCL, Kind.STORE_EXCL, Kind.RMW)  # a store-exclusive reads its
# monitor: whether it succeeds depends on the storage


def writes_left(ctx: ThreadContext, pc: int) -> int:
    """The most writes the core can execute from `pc` on, over every path of its code
    (`UNBOUNDED` when a path holds a loop with a write, or an instruction whose next is not
    known: a branch to a register, a load into pc). Computed once per core: the least
    fixpoint of `left(i) = write(i) + max(left(next of i))`, capped, the cap read as
    unbounded (`_left_where`). Once the cap itself, one more than the core's write
    instructions, was the bound: a core whose loop stores more times than that could not
    commit them all ahead, and never started executing (LB+loop3, tests/models/test_armv7.py:
    no final state at all)."""
    return _left_table(ctx, "armv7_writes_left", WRITES).get(pc, 0)  # outside: finished


def _short_of_writes(ctx: ThreadContext, pc: int, local: Local, st: Storage) -> bool:
    """`armv7-certify-locations`: has the core, at `pc`, more commits made ahead to some
    location (or of some value to it) than writes that could execute them on any path of its
    code from `pc` (`_writes_left_for`)?

    Then no solo run from this state certifies, nor from any state after it, and `certifies`
    drops it: a commit made ahead leaves `promises` only when a write of the core executes it,
    one write at most one commit, and only a write of the commit's location, value and size
    (`local.write_slots`); nothing else removes one. So the commits outnumber the writes that
    could ever execute them. This is `writes_left`'s cut, by location and by value: it counts
    in a core with loops too, where the loop writes other locations or other values
    (examples/c's spinlock+rlx compiled for armv7, whose failed certifications were most of
    its solo states: a core with two commits of `lock`=0 and one store of 0 to `lock`, its
    retry loop storing 1; or past the loop with two commits of `lock` left and one store)."""
    locs: dict[int, int] = {}
    pairs: dict[tuple[int, int], int] = {}
    for pos in local.promises:
        msg = st.msg(pos)
        locs[msg.loc] = locs.get(msg.loc, 0) + 1
        pairs[(msg.loc, msg.value)] = pairs.get((msg.loc, msg.value), 0) + 1
    return (any(n > _writes_left_for(ctx, loc, None, pc) for loc, n in locs.items())
            or any(n > _writes_left_for(ctx, loc, value, pc)
                   for (loc, value), n in pairs.items()))  # fmt: skip


def _writes_left_for(ctx: ThreadContext, loc: int, value: int | None, pc: int) -> int:
    """The most writes that may write `value` (None: any value) to location `loc` the core
    can execute from `pc` on, over every path of its code (`_left`'s fixpoint, capped: a loop
    that holds one is unbounded). A write counts unless it is known to write elsewhere or
    another value (`_write_facts`). Where the next instruction is not known (a branch to a
    register, a load into pc), or `pc` is not decoded, every write counts, unbounded."""
    facts = _write_facts(ctx)
    if facts is None or pc not in ctx.core.infos:
        return UNBOUNDED
    tables = facts[1]
    table = tables.get((loc, value))
    if table is None:
        writes = facts[0]

        def counts(info) -> bool:
            if info.kind not in WRITES:
                return False
            at, val = writes.get(info.address, (None, None))
            return (at is None or at == loc) and (value is None or val is None or val == value)

        table = tables[(loc, value)] = _left_where(ctx.core, counts, UNBOUNDED)
    return table.get(pc, 0)


def _write_facts(ctx: ThreadContext):
    """({address of a write: (its location, its value), each None where not known}, the
    tables `_writes_left_for` computed from them), or None for code with an unknown next
    instruction. A write's location as `_known_locations` knows it (the facts are computed
    again when a solo run meets an access for the first time); its value when it is a word
    store of a register that every path gives the same constant (`_constants`)."""
    seen = ctx.__dict__.get(ACCESS_LOCS, {})
    cached = ctx.__dict__.get("armv7_write_facts")
    if cached is not None and cached[0] == len(seen):  # (entries are only ever added)
        return cached[1]
    facts = None
    known = _known_locations(ctx)
    if known is not None:
        consts = _constants(ctx)
        writes = {}
        for pc, info in ctx.core.infos.items():
            if info.kind not in WRITES:
                continue
            value = None
            if info.width == 4 and len(info.data_regs) == 1:
                value = consts.get(pc, {}).get(next(iter(info.data_regs)))
            writes[pc] = (known.get(pc), value)
        facts = (writes, {})
    ctx.__dict__["armv7_write_facts"] = (len(seen), facts)
    return facts


def _known_locations(ctx: ThreadContext) -> dict[int, int] | None:
    """{address of an access: its location} where it is known: no instruction of the core
    writes a register that forms its address (so the address is the one the core started
    with) and it has run once (thread.py records it: ACCESS_LOCS); None for code with an
    unknown next instruction. Computed again when a run meets an access for the first time."""
    seen = ctx.__dict__.get(ACCESS_LOCS, {})
    cached = ctx.__dict__.get("armv7_known_locations")
    if cached is not None and cached[0] == len(seen):  # (entries are only ever added)
        return cached[1]
    infos = ctx.core.infos
    known = None
    if all(info.next_pcs is not None for info in infos.values()):
        written = frozenset().union(*(info.writes for info in infos.values()))
        known = {pc: seen[pc] for pc, info in infos.items()
                 if pc in seen and not info.addr_regs & written}  # fmt: skip
    ctx.__dict__["armv7_known_locations"] = (len(seen), known)
    return known


MOV_IMM = re.compile(r"^mov\s+(\w+),\s*#(0x[0-9a-f]+|\d+)$")


def _constants(ctx: ThreadContext) -> dict[int, dict[str, int]]:
    """Per pc, the registers that hold the same constant on every path of the core's code to
    it (before the instruction there runs): given at the start (the test's initial registers)
    or by a `MOV rd, #imm` not predicated; any other instruction's written registers are not
    known after it. A forward fixpoint over the code's successors (values only meet: a
    register known at a pc keeps its value or becomes unknown, so this ends)."""
    core = ctx.core
    infos = core.infos
    start = min(infos, default=None)
    if start is None:
        return {}
    given = ctx.program.threads[ctx.tid].init_regs
    init = {r: v for r, v in given.items() if 0 <= v < 1 << 31}  # (as a word store writes it)
    state: dict[int, dict[str, int]] = {start: init}
    todo = [start]
    while todo:
        pc = todo.pop()
        info = infos.get(pc)
        if info is None:
            continue
        out = {r: v for r, v in state[pc].items() if r not in info.writes}
        m = MOV_IMM.match(core.decoded[pc].text.strip().lower())
        # (the register as the instruction's writes name it: an alias, `ip`, is left unknown)
        if m is not None and not info.predicate and m.group(1) in info.writes:
            value = int(m.group(2), 0)
            if value < 1 << 31:
                out[m.group(1)] = value
        for nxt in info.next_pcs or ():
            old = state.get(nxt)
            new = out if old is None else {r: v for r, v in old.items() if out.get(r) == v}
            if old is None or new != old:
                state[nxt] = new
                todo.append(nxt)
    return state


def reads_left(ctx: ThreadContext, pc: int) -> bool:
    """May the core still read memory from `pc` on, on some path of its code (`writes_left`'s
    fixpoint over loads and store-exclusives; an unknown next instruction counts as one)?"""
    return _left_table(ctx, "armv7_reads_left", READS).get(pc, 0) > 0


def _left_table(ctx: ThreadContext, name: str, kinds) -> dict[int, int]:
    table = ctx.__dict__.get(name)
    if table is None:
        table = ctx.__dict__[name] = _left(ctx.core, kinds)
    return table


UNBOUNDED = 1 << 30  # the most writes left on a path through a loop holding a write


def _left(core, kinds) -> dict[int, int]:
    return _left_where(core, lambda info: info.kind in kinds, UNBOUNDED)


def _left_where(core, counts, unbounded: int | None = None) -> dict[int, int]:
    """`left(i) = counts(i) + max(left(next of i))`'s least fixpoint, capped. With
    `unbounded`, the cap is read as what it stands for: a path holding more counted
    instructions than the code has passes one of them twice, on a loop it may take again as
    often, so where the cap is reached (only so) the count is `unbounded`."""
    infos = core.infos
    cap = 1 + sum(bool(counts(info)) for info in infos.values())  # "unbounded"
    succ = {pc: info.next_pcs for pc, info in infos.items()}
    left = dict.fromkeys(infos, 0)

    def at(pc: int) -> int:  # outside the code the core has finished; inside, not decoded: ?
        return left.get(pc, cap if core.base <= pc < core.end else 0)

    changed = True
    while changed:  # values only grow, and are capped: this ends
        changed = False
        for pc, info in infos.items():
            nxt = succ[pc]
            best = cap if nxt is None else max(at(n) for n in nxt)
            value = min(cap, best + bool(counts(info)))
            if value != left[pc]:
                left[pc], changed = value, True
    if unbounded is not None:
        return {pc: unbounded if n >= cap else n for pc, n in left.items()}
    return left


def dominates(earlier: Local, later: Local, st: Storage) -> bool:
    """Can a core back at a loop head with the same registers and state `earlier` do all it
    could with `later`, only silent moves in between? Every bound of the model is a lower
    bound (a read may take more writes, a write more places, when views are lower), so it can
    when none of `earlier`'s views, floors and recorded reads is above `later`'s, and its own
    last writes differ at most by a put-back of the same value."""
    scalars = ("vctrl", "vaddr", "visb", "vfence", "vfence_w", "vmax", "vmax_w")
    if earlier.promises != later.promises or any(
        getattr(earlier, f) > getattr(later, f) for f in scalars
    ):
        return False
    if not (earlier.ga <= later.ga and earlier.ga_w <= later.ga_w):
        return False
    views = {r: (i, c) for r, i, c in later.regs}
    if any(i > views.get(r, (0, 0))[0] or c > views.get(r, (0, 0))[1]
           for r, i, c in earlier.regs):  # fmt: skip
        return False
    rank = st.rank
    for x, (a, b) in enumerate(zip(earlier.coh, later.coh)):
        if rank(a) > rank(b):
            return False
        fa, fb = earlier.fwd[x], later.fwd[x]
        if fa is not None and fa != fb and (
            fb is None or st.msg(fa[0]).value != st.msg(fb[0]).value or fa[1] > fb[1]
        ):
            return False
        for p, t in earlier.rdw[x]:
            if not any(rank(q) <= rank(p) and u >= t for q, u in later.rdw[x]):
                return False
    return True
