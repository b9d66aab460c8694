"""`armv7-commit-order`: commits ahead by different cores, in one order where nothing orders them.

While cores commit ahead (model.py's first phase), every interleaving of the cores' commits is
a different timeline, and exhaustive search walks them all. Many differ only in the order of
two commits that nothing orders. This reduction drops the commit of a write of core j made
right after a commit of a core i > j when nothing can order the first before the second.

Independence. Which store makes a commit is known only when it executes, so the reduction
asks, of every store of core j that may write the commit's location, whether some order of G
may run from the other core's commit into it (`CommitOrder.depends`, below).

Edges of G (the package docstring's (1)-(5)): the base orders run forward in program order
from reads (dd, ctrl, addrpo, rdw, detour, ctrlisb); a barrier (DMB, DSB, DMB ST) orders the
events before it before t(F) and t(F) before those after; rfe runs from a write's commit to a
read of its location; coherence runs from a write's commit to the `gp` of a write of its
location; `gp(g)` runs to t(F) of a barrier whose group A holds g (a write of the location
accessed before the barrier by its core); staleness runs from a read's i to the `gp` of a
write of its location. So the edges into a write's commit c(b) come only from events of b's
core before it in program order, and from a commit c(a) a path reaches: the first barrier of
a's core after it (and everything after that barrier), reads of a's location, and barriers
after a write of a's location that may be coherence-after a (a core has one when one of its
commits there is, or when not every store of it that may write there has committed yet: in
code without loops each store runs once; coherence among commits made is final); from each
event reached, the events after it in its core; from each reached access (its commit or its
i), reads of its location and barriers after an access to it. `depends` computes this closure on the code (each access's location is the one
it was seen at, when its address registers are written by no instruction of the core or only
by a zero idiom such as `eor r1, r0, r0` of a register that starts at 0; any location
otherwise, or while it has not been seen). If no store that may make b has a reached event
of its core before it, no path of G runs from c(a) to c(b). Loops and jumps through
registers: every commit depends on every other.

Let P be the order G induces on commits, and L* the linear extension of P chosen greedily: at
each step, of the commits whose P-predecessors are all placed, the one of the lowest core (ties
in any fixed way). If in L* a commit b of core j comes right after a commit a of core i > j,
then a <P b: otherwise every P-predecessor of b comes before b, hence before a, so b was
available when a was chosen, and has the lower core. So a path of G runs from c(a) to c(b),
and `depends` says so. The constraint graph with L* added is still acyclic (a cycle would run between commits through G-paths, which are P
edges, in L* order), so a topological sort gives a timing whose commits follow L*, and the
machine reaches it committing in that order (package docstring: "Machine ⇔ timing") — a run
this reduction keeps, since it drops a commit only when no path can run into it from the one
before it.
Every execution, hence every final state, is still reached.

`armv7-commit-direct` (`CommitOrder._direct`): the path from c(a) to c(b) that L* needs passes
through no other commit: through c(w) it would give a <P w <P b, and w would come between a
and b in L*. So a path that can only run through another write's commit (a's barrier, a later
write of a's core, another core's barrier after a write of that location, ...) does not keep
the pair; `_direct` follows the points such a path may pass (i and c of reads, i of writes,
t(F), gp) and `depends` asks it first.
"""

from __future__ import annotations

import re

from fencelab.isa.insn import Barrier, Kind

READS = (Kind.LOAD, Kind.LOAD_EXCL, Kind.STORE_EXCL, Kind.RMW)
LOADS = (Kind.LOAD, Kind.LOAD_EXCL, Kind.RMW)  # `_follows`: a store-exclusive takes no value
WRITES = (Kind.STORE, Kind.STORE_EXCL, Kind.RMW)
INSERTING = (Barrier.FULL, Barrier.STORE)
ACCESS_LOCS = "armv7_access_locs"  # ThreadContext entry: access address -> location (thread.py)
ZERO_IDIOM = re.compile(r"^(eor|sub)\s+(\w+),\s*(\w+),\s*\3$")
ANY = -1  # an access whose location is not known


class CommitOrder:
    """Per program: whether a commit may depend on the commit before it (module docstring),
    from each core's code and the locations its accesses were seen at."""

    def __init__(self, program, contexts, deps: bool = False, direct: bool = False):
        self.contexts = contexts  # per core: its ThreadContext (where accesses are recorded)
        self.code = [_code(program, tid) for tid in range(len(program.threads))]
        # a core with a loop has no event list (`_code`): a path of G may run through it in
        # ways not followed here, so with one, any commit may depend on any other
        self.looping = any(code is None for code in self.code)
        self.deps = deps  # `armv7-commit-deps`: follow a core's dependencies (`_depends`)
        self.direct = direct  # `armv7-commit-direct`: paths through no other commit (`_direct`)
        self.stores_barriers = [{pc: info.barrier is Barrier.STORE
                                 for pc, info in program.threads[t].core.infos.items()
                                 if info.kind is Kind.FENCE}
                                for t in range(len(program.threads))]  # fmt: skip
        self.insns = [_insns(program, tid) for tid in range(len(program.threads))]
        self._memo: dict = {}
        self._seen = -1
        self._co_after_of: tuple = (None, -1, frozenset())  # `_co_after`'s last answer

    def keeps(self, st, tid: int, loc: int) -> bool:
        """May core `tid` commit a write of `loc` next, on this timeline?"""
        if not st.timeline:
            return True
        last = st.timeline[-1]
        if last.tid <= tid:
            return True
        if self.looping:
            return True
        return self.depends(last.tid, last.loc, tid, loc, self._co_after(st, last.tid, last.loc))

    def _co_after(self, st, ta: int, la: int) -> frozenset[int]:
        """The cores that may have a write of `la` coherence-after the last commit (by `ta`,
        at the end of the timeline), other than it: one of their commits there is, or not all
        the stores that may write `la` have committed (each store runs at most once)."""
        seen = self._epoch()
        if self._co_after_of[0] is st and self._co_after_of[1] == seen:
            return self._co_after_of[2]  # (every candidate of a state asks of one timeline)
        pos = st.end
        rank = st.rank(pos)
        out = set()
        for k, code in enumerate(self.code):
            stores = [self._loc(k, pc, fixed) for pc, kind, _, fixed in code if kind in WRITES]
            may = [loc for loc in stores if loc in (la, ANY)]
            done = [p for p in st.co[la] if p and p != pos and st.tid(p) == k]
            if ANY in may or len(done) + (k == ta) < len(may) or any(st.rank(p) > rank
                                                                      for p in done):  # fmt: skip
                out.add(k)
        found = frozenset(out)
        self._co_after_of = (st, seen, found)
        return found

    def _epoch(self) -> int:
        """How many accesses' locations have been seen (answers sharpen as it grows)."""
        return sum(len(c.__dict__.get(ACCESS_LOCS, ())) for c in self.contexts)

    def depends(self, ta: int, la: int, tb: int, lb: int,
                co_after: frozenset[int] | None = None) -> bool:  # fmt: skip
        """May a path of G run from a commit of `la` by core `ta` to one of `lb` by core `tb`?
        `co_after`: the cores that may have a write of `la` coherence-after it (None: any)."""
        if self.looping:
            return True
        seen = self._epoch()
        if seen != self._seen:  # more accesses seen: answers may now be sharper
            self._memo.clear()
            self._seen = seen
        if co_after is None:
            co_after = frozenset(range(len(self.code)))
        key = (ta, la, tb, lb, co_after)
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = self._depends(ta, la, tb, lb, co_after)
        return found

    def _loc(self, tid: int, pc: int, fixed: bool) -> int:
        return self.contexts[tid].__dict__.get(ACCESS_LOCS, {}).get(pc, ANY) if fixed else ANY

    def _depends(self, ta: int, la: int, tb: int, lb: int, co_after: frozenset[int]) -> bool:
        cores = range(len(self.code))
        events = [[(pc, kind, barrier, self._loc(t, pc, fixed))
                   for pc, kind, barrier, fixed in self.code[t]] for t in cores]  # fmt: skip
        if self.direct and not self._direct(events, ta, la, tb, lb, co_after):
            return False
        if self.deps:
            return self._follows(events, ta, la, tb, lb, co_after)
        never = 1 << 62
        start = [never] * len(events)  # per core: from this address on, every event is reached
        # from c(a): the barriers of a's core after it; reads of `la` (rfe, detour); barriers
        # after a write of `la` that may be coherence-after a (gp of it, in their group A)
        for pc, kind, _, loc in events[ta]:
            if kind in WRITES and loc in (la, ANY):  # a store that may make a
                start[ta] = min(start[ta], _next_barrier(events[ta], pc))
        for t in cores:
            wrote = False
            for pc, kind, barrier, loc in events[t]:
                if (kind in READS and loc in (la, ANY)) or (barrier and wrote):
                    start[t] = min(start[t], pc)
                    break
                wrote = wrote or (t in co_after and kind in WRITES and loc in (la, ANY))
        locs: set[int] = set()  # locations of reached accesses
        changed = True
        while changed:
            changed = False
            for t in cores:
                accessed: set[int] = set()
                for pc, kind, barrier, loc in events[t]:
                    reached = pc >= start[t] or (
                        kind in READS and _meets(loc, locs)
                    ) or (barrier and any(_meets(x, locs) for x in accessed))  # fmt: skip
                    if kind.touches_memory:
                        accessed.add(loc)
                    if not reached:
                        continue
                    if pc < start[t]:
                        start[t], changed = pc, True
                    if kind.touches_memory and loc not in locs:
                        locs.add(loc)  # its commit, or its read (staleness), is reached
                        changed = True
        return any(kind in WRITES and loc in (lb, ANY) and start[tb] < pc
                   for pc, kind, _, loc in events[tb])  # fmt: skip

    def _direct(self, events, ta: int, la: int, tb: int, lb: int,
                co_after: frozenset[int]) -> bool:  # fmt: skip
        """`armv7-commit-direct`: may a path of G run from c(a) to c(b) through no other
        commit (no c(w) of a write w but a and b)? Only such a path counts: in L* (module
        docstring), if b comes right after a and a path runs from c(a) to c(b) through c(w),
        then a <P w <P b, so w comes between a and b in L*, which it does not. So where no
        commit-free path can run, `depends` is false, and the reduction keeps L* as before.

        The points a commit-free path may pass (the package docstring's (1)-(5), as the
        machine computes them, local.py): i and c of reads, i of writes, t(F) of barriers and
        gp(g) of writes. From c(a): i of reads of a's location (rfe, detour), t(F) of a's
        core's barriers after it, and gp of a and of the writes coherence-after it. From a
        read's i or c: the points of its core's events after it (dd, ctrl, addrpo, rdw,
        ctrlisb; taken coarsely: every read and barrier after it, and the commit of every
        write after it, which counts only if it is b), and gp of every write of its location
        (staleness). From t(F): the points after it (a DMB or DSB: every read and barrier
        after it, the commit of every write after it; a DMB ST: the commits of writes after
        it). From i(w): reads of its core after it (rfi), already reached from whatever
        reached i(w). From gp(g): t(F) of a barrier whose group A may hold g (a barrier after
        a write of g's location by its core, or, a DMB or DSB, after a read of it). Nothing
        leaves a commit but a's: the path ends at b's. A store-exclusive's status carries no
        time (thread.py), so it is a write here, not a read (`_follows` says the same)."""
        cores = range(len(events))
        never = 1 << 62
        hot = [never] * len(events)  # per core: reads and barriers after this are reached
        cold = [never] * len(events)  # per core: commits of writes after this are reached
        stale: set[int] = set()  # locations whose writes' gp are reached (reads there reached)
        changed = True
        while changed:
            changed = False
            for t in cores:
                store_barriers = self.stores_barriers[t]
                read: set[int] = set()  # locations read before, in program order
                wrote: set[int] = set()  # locations whose gp of a write before is reached
                made_a = False  # a store of core `ta` before here may make a
                for pc, kind, barrier, loc in events[t]:
                    if kind in LOADS:
                        if pc > hot[t] or loc in (la, ANY):  # rfe, detour: reads of a's
                            if pc < hot[t]:
                                hot[t], changed = pc, True
                            if loc not in stale:
                                stale.add(loc)
                                changed = True
                        read.add(loc)
                    if kind in WRITES:
                        if t == ta and loc in (la, ANY):
                            made_a = True
                        if loc in (la, ANY) and t in co_after:
                            wrote.add(la)
                        if _meets(loc, stale):
                            wrote.add(loc)
                    if not barrier:
                        continue
                    store = store_barriers.get(pc, False)
                    reached = (pc > hot[t] or made_a
                               or any(_meets(x, stale) or x == la for x in wrote)
                               or (not store and any(_meets(x, stale) or x in (la, ANY)
                                                     for x in read)))  # fmt: skip
                    if not reached:
                        continue
                    if store:
                        if pc < cold[t]:
                            cold[t], changed = pc, True
                    elif pc < hot[t]:
                        hot[t], changed = pc, True
        edge = min(hot[tb], cold[tb])
        return any(kind in WRITES and loc in (lb, ANY) and pc > edge
                   for pc, kind, _, loc in events[tb])  # fmt: skip

    def _follows(self, events, ta: int, la: int, tb: int, lb: int,
                 co_after: frozenset[int]) -> bool:  # fmt: skip
        """`armv7-commit-deps`: `_depends`, each core's events reached found by following G's
        edges within the core instead of taking every event after a reached one.

        Within a core, G's edges are the base orders (1) and the barriers (3) of the package
        docstring, as the machine computes them (local.py, thread.py): a read's times go to
        the registers it loads (and a base-register writeback to those it writes), every
        register an instruction writes gets the join of what it reads, and from there into
        the address (dd, and addrpo: every event after it) or the data (dd) of a later
        access, into a branch (ctrl, ctrlisb: every event after it), into the condition of a
        predicated access (the access itself, not what follows it: arm.cat's condition is
        no dependency, `as_executed`, and since certification may guess it, guess.py, G has
        no such edge either: following one only finds more events reached, which keeps more
        orders, never fewer);
        rfi, rdw and detour go to a later read of a location accessed, which is reached in
        every core anyway (a reached access adds its location, whose reads are reached); a
        barrier follows every event before it and precedes every event after it. A
        store-exclusive's status register carries no time (thread.py sets it to 0), and no
        edge of G enters a store-exclusive's commit from another core's write: `atomic` is
        a condition on coherence, which a commit's place in the commit order does not fix
        (its coherence place is chosen apart, model.py `_ranks`; a store-exclusive is
        committed ahead of the write its load-exclusive reads when the machine needs it,
        tests/models/test_armv7_commit_deps.py). Registers are followed in address order
        and never cleared (code without loops or jumps through registers: `_code`), so
        every register whose time a reached point may be is marked: the events found reached
        include every event G reaches from c(a), and `_depends`'s argument holds as it is."""
        cores = range(len(events))
        never = 1 << 62
        start = [never] * len(events)  # per core: from this address on, every event is reached
        for pc, kind, _, loc in events[ta]:  # the barriers of a's core after it
            if kind in WRITES and loc in (la, ANY):
                start[ta] = min(start[ta], _next_barrier(events[ta], pc))
        for t in cores:  # barriers after a write of `la` that may be coherence-after a
            wrote = False
            for pc, kind, barrier, loc in events[t]:
                if barrier and wrote:
                    start[t] = min(start[t], pc)
                    break
                wrote = wrote or (t in co_after and kind in WRITES and loc in (la, ANY))
        locs: set[int] = set()  # locations of reached accesses
        hit: list[set[int]] = [set() for _ in cores]  # addresses of reached events
        changed = True
        while changed:
            changed = False
            for t in cores:
                where = {pc: (barrier, loc) for pc, _, barrier, loc in events[t]}
                accessed: set[int] = set()
                marked: set[str] = set()  # registers a reached point may reach
                for pc, info in self.insns[t]:
                    kind = info.kind
                    if kind.touches_memory:
                        loc = where[pc][1] if pc in where else ANY
                        accessed.add(loc)
                        addr = bool(info.addr_regs & marked)
                        if addr and pc < start[t]:  # addrpo: all from here
                            start[t], changed = pc, True
                        happens = bool(info.predicate) and "cpsr" in marked  # (its condition)
                        if (pc >= start[t] or bool(info.data_regs & marked) or happens
                                or (kind in LOADS and (loc in (la, ANY) or _meets(loc, locs)))):  # fmt: skip
                            if pc not in hit[t]:
                                hit[t].add(pc)
                                changed = True
                            if loc not in locs:
                                locs.add(loc)
                                changed = True
                            marked |= info.dest_regs
                        skip = info.data_regs | info.dest_regs | info.status_regs
                        if (info.reads - skip) & marked:  # a base-register writeback
                            marked |= info.writes - skip
                    elif pc in where and where[pc][0]:  # a barrier that inserts propagations
                        if pc < start[t] and (any(h < pc for h in hit[t])
                                              or any(_meets(x, locs) for x in accessed)):
                            start[t], changed = pc, True
                    elif kind is Kind.BRANCH:
                        if info.reads & marked and pc < start[t]:
                            start[t], changed = pc, True
                    elif info.reads & marked:  # (a predicated one's condition too: its
                        marked |= info.writes  # writes keep their old values where it fails)
        return any(kind in WRITES and loc in (lb, ANY) and (start[tb] <= pc or pc in hit[tb])
                   for pc, kind, _, loc in events[tb])  # fmt: skip


def _insns(program, tid: int) -> list:
    """Core `tid`'s instructions in address order: (address, InsnInfo)."""
    return sorted(program.threads[tid].core.infos.items())


def _meets(loc: int, locs: set[int]) -> bool:
    return loc in locs or (loc == ANY and bool(locs)) or ANY in locs


def _next_barrier(events, pc: int) -> int:
    """The address of the first inserting barrier after `pc` (never: none)."""
    return next((p for p, _, barrier, _ in events if p > pc and barrier), 1 << 62)


def accesses(program, tid: int) -> list[tuple] | None:
    """`_code`: core `tid`'s accesses and inserting barriers (model.py, `_reads`)."""
    return _code(program, tid)


def _code(program, tid: int) -> list[tuple] | None:
    """Core `tid`'s memory accesses and inserting barriers in address order, each as (address,
    kind, inserting barrier?, fixed address?); None when the reduction cannot tell (a loop, a
    jump through a register)."""
    core = program.threads[tid].core
    infos = core.infos
    if program.has_loop(tid) or any(info.next_pcs is None for info in infos.values()):
        return None
    init = program.threads[tid].init_regs
    writers: dict[str, list] = {}
    for pc, info in infos.items():
        for reg in info.writes:
            writers.setdefault(reg, []).append(core.decoded[pc].text)
    fixed = {
        reg for reg, texts in writers.items()
        if init.get(reg, 0) == 0 and all(_zeroes(text, reg) for text in texts)
    }  # fmt: skip
    out = []
    for pc in sorted(infos):
        info = infos[pc]
        barrier = info.kind is Kind.FENCE and info.barrier in INSERTING
        if info.kind.touches_memory or barrier:
            steady = not any(reg in writers and reg not in fixed for reg in info.addr_regs)
            out.append((pc, info.kind, barrier, steady))
    return out


def _zeroes(text: str, reg: str) -> bool:
    m = ZERO_IDIOM.match(text.strip().lower())
    return m is not None and m.group(2) == reg
