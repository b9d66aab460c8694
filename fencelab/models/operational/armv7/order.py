"""`armv7-commit-order`: commits made ahead by different cores explored in one order where they commute.

While cores commit ahead (model.py's first phase), every interleaving of the cores' commits is
a different timeline, and exhaustive search walks them all. Many differ only in the order of
two commits that nothing orders. This reduction drops the commit of a *free* write of core j
made right after a commit of a core i > j.

Free writes. Core j's *binding point* is its first instruction that reads memory (a load, a
load- or store-exclusive) or is a DMB, DSB or DMB ST with a memory access before it. A write
of core j is free when it is made by a store before the binding point. (Which store makes a
commit is known only when it executes; `free` answers for a commit of location `loc` only when
no store of the core at or after the binding point can write `loc`: each of those writes one
fixed address — its address registers are written by no instruction of the core, or only by a
zero idiom such as `eor r1, r0, r0` of a register that starts at 0 — and has been seen writing
another location. Loops and jumps through registers: nothing is free.)

Why nothing is lost. In the timing of a consistent execution (the package docstring: the
points i(e) ≤ c(e) of events, t(F) of barriers, gp(w); its constraint graph G is acyclic), the
edges into a write's commit c(b) come only from events of b's core before it in program order
(the base orders ii0/ci0/cc0 run from reads, forward in program order, and a barrier from the
events before it to those after it) — rfe, coherence and propagation edges end at reads and
`gp` points. A free b has before it only stores (from which no order leaves but through a
later barrier), and barriers with nothing before them: no path of G from another core's commit
reaches c(b).
Let P be the order G induces on commits, and L* the linear extension of P chosen greedily: at
each step, of the commits whose P-predecessors are all placed, the one of the lowest core (ties
in any fixed way). If in L* a commit b of core j comes right after a commit a of core i > j,
then a <P b: otherwise every P-predecessor of b comes before b, hence before a, so b was
available when a was chosen, and has the lower core. So b is not free. The constraint graph
with L* added is still acyclic (a cycle would run between commits through G-paths, which are P
edges, in L* order), so a topological sort gives a timing whose commits follow L*, and the
machine reaches it committing in that order (package docstring: "Machine ⇔ timing") — a run
this reduction keeps, since it never commits a free write right after a higher core's commit.
Every execution, hence every final state, is still reached.
"""

from __future__ import annotations

import re

from fencelab.isa.insn import Barrier, Kind

READS = (Kind.LOAD, Kind.LOAD_EXCL, Kind.STORE_EXCL, Kind.RMW)
WRITES = (Kind.STORE, Kind.STORE_EXCL, Kind.RMW)
INSERTING = (Barrier.FULL, Barrier.STORE)
STORE_LOCS = "armv7_store_locs"  # ThreadContext entry: store address -> location it writes
ZERO_IDIOM = re.compile(r"^(eor|sub)\s+(\w+),\s*(\w+),\s*\3$")


class CommitOrder:
    """Per program: which commits are free (module docstring), from each core's code and the
    locations its stores were seen writing (`saw_store`)."""

    def __init__(self, program):
        self.bound = [_bound(program, tid) for tid in range(len(program.threads))]

    def free(self, ctx, loc: int) -> bool:
        """Is every commit of `loc` by the core of `ctx` free (made by a store before its
        binding point)? `ctx.store_locs`: where each store has been seen writing (thread.py)."""
        late = self.bound[ctx.tid]
        if late is None:
            return False
        seen = ctx.__dict__.get(STORE_LOCS, {})
        return all(seen.get(pc, loc) != loc for pc in late)  # unseen: it may write `loc`

    def keeps(self, ctx, st, loc: int) -> bool:
        """May the core of `ctx` commit a write of `loc` next, on this timeline?"""
        if not st.timeline:
            return True
        last = st.timeline[-1]
        return last.tid <= ctx.tid or not self.free(ctx, loc)


def _bound(program, tid: int) -> list[int] | None:
    """The stores at or after core `tid`'s binding point, each with a fixed address; None when
    the reduction cannot tell (a loop, an indirect jump, a late store without a fixed address)."""
    core = program.threads[tid].core
    infos = core.infos
    if program.has_loop(tid) or any(_indirect(core, pc, info) for pc, info in infos.items()):
        return None
    binding = None
    accessed = False
    for pc in sorted(infos):
        info = infos[pc]
        if info.kind in READS or (info.kind is Kind.FENCE and info.barrier in INSERTING
                                  and accessed):  # fmt: skip
            binding = pc
            break
        accessed = accessed or info.kind.touches_memory
    if binding is None:
        return []
    init = program.threads[tid].init_regs
    writers: dict[str, list] = {}
    for pc, info in infos.items():
        for reg in info.writes:
            writers.setdefault(reg, []).append(core.decoded[pc].text)
    fixed = {
        reg for reg, texts in writers.items()
        if init.get(reg, 0) == 0 and all(_zeroes(text, reg) for text in texts)
    }  # fmt: skip
    late = []
    for pc, info in infos.items():
        if pc < binding or info.kind not in WRITES:
            continue
        if any(reg in writers and reg not in fixed for reg in info.addr_regs):
            return None
        late.append(pc)
    return late


def _zeroes(text: str, reg: str) -> bool:
    m = ZERO_IDIOM.match(text.strip().lower())
    return m is not None and m.group(2) == reg


def _indirect(core, pc: int, info) -> bool:
    if info.kind is Kind.BRANCH:
        return not re.findall(r"0x[0-9a-fA-F]+", core.decoded[pc].op_str)
    return "pc" in info.writes
