"""One core's state under the ARMv7 model: views that bound when its events may happen.

Each event of the core happens at times on the storage timeline (fencelab/models/operational/
armv7/storage.py). arm.cat's preserved program order is a fixpoint over four orders between
two points of every event (ppo.cat: `ii`, `ic`, `ci`, `cc` — "initiated" and "committed"): for
a read, `i` is when it takes its value and `c` when it can no longer be undone; for a write, `i`
is when its address and value are known (it may then be forwarded to later reads of its core)
and `c` its commit (its position on the timeline). The core executes in program order, and
each of its events gets the earliest times the orders allow, kept as views:

- a register carries `(i, c)` of the reads its value came from (`dd = addr | data` orders
  both points: ii0 and cc0);
- `vctrl`: `c` of the reads a branch depended on (`ctrl` in cc0: nothing after the branch
  commits before them); `vaddr`: `c` of the reads an access's address depended on (`addrpo`
  in cc0); `visb`: `vctrl` at the last ISB (`ctrlisb` in ci0: nothing after it is even
  initiated before the branch's reads commit);
- `vfence`: the time of the last DMB (everything after it happens after it); `vfence_w`: the
  time of the last DMB ST (later writes commit after it);
- per location, `coh` (the coherence floor: program-order coherence, uniproc), `fwd` (the
  core's last write there, with its `i`, for forwarding: `rfi` in ii0 orders only `i`) and `rdw`
  (what each earlier read took and when: a read that takes an external write must come after
  any earlier read of the location that took a coherence-older one, `rdw` in ii0);
- `ga`, `ga_w`: a barrier's group A — the core's writes, and the writes its reads took from
  other cores, since the last barrier. A DMB happens only once every write of its group A has
  reached every core (cumulativity); a DMB ST only once the core's own earlier writes have.

and `detour` (ci0): a read that takes another core's write coherence-after its own core's
earlier writes to the location comes after their commits (coherence need not follow commits,
so this is not implied).
"""

from __future__ import annotations

from typing import NamedTuple

from fencelab.models.operational.armv7.storage import Storage

Views = tuple[tuple[str, int, int], ...]  # (register, i, c), sorted, only non-zero


class Local(NamedTuple):
    regs: Views
    coh: tuple[int, ...]  # per location: position of the coherence floor
    fwd: tuple[tuple[int, int, int] | None, ...]  # per location: last own write's (position, i),
    # and the latest commit of an own write there
    rdw: tuple[tuple[tuple[int, int], ...], ...]  # per location: (position read, time) of reads
    promises: tuple[int, ...] = ()  # positions of own writes committed ahead (not yet executed)
    vctrl: int = 0
    vaddr: int = 0
    visb: int = 0
    vfence: int = 0
    vfence_w: int = 0
    vmax: int = 0  # latest time of any event so far (a DMB comes after all of them)
    vmax_w: int = 0  # latest commit of an own write (a DMB ST comes after all of them)
    ga: frozenset[int] = frozenset()
    ga_w: frozenset[int] = frozenset()
    exbank: tuple[int, int, int] | None = None  # last LDREX: (location, position read, value)
    excl: tuple[int, ...] = ()  # own successful store-exclusive writes, program order (scXX)
    stutter: tuple | None = None  # (thread state, local) after the last repeated loop move

    @classmethod
    def initial(cls, n: int) -> Local:
        return cls((), (0,) * n, (None,) * n, ((),) * n)

    def finished(self) -> Local:
        """A core that has run to its end keeps only what others may still check against:
        its reads (a propagation placed later must not make one stale), its store-exclusives
        (scXX) and its coherence floors (for display)."""
        n = len(self.coh)
        return Local((), self.coh, (None,) * n, self.rdw, self.promises, excl=self.excl)

    def shifted(self, at: int) -> Local:
        """This state after a propagation was inserted at timeline position `at`."""
        f = lambda x: x + 1 if x >= at else x  # noqa: E731 - storage.shifted, inlined
        (regs, coh, fwd, rdw, promises, vctrl, vaddr, visb, vfence, vfence_w, vmax, vmax_w, ga,
         ga_w, exbank, excl, _) = self  # fmt: skip
        # (list comprehensions, not generators: this runs for every propagation placed)
        return Local(
            tuple([(r, i + 1 if i >= at else i, c + 1 if c >= at else c) for r, i, c in regs]),
            tuple([p + 1 if p >= at else p for p in coh]),
            tuple([None if w is None else (f(w[0]), f(w[1]), f(w[2])) for w in fwd]),
            tuple([tuple([(f(p), f(t)) for p, t in reads]) if reads else reads
                   for reads in rdw]),
            tuple([p + 1 if p >= at else p for p in promises]),
            f(vctrl), f(vaddr), f(visb), f(vfence), f(vfence_w), f(vmax), f(vmax_w),
            frozenset([p + 1 if p >= at else p for p in ga]) if ga else ga,
            frozenset([p + 1 if p >= at else p for p in ga_w]) if ga_w else ga_w,
            None if exbank is None else (exbank[0], f(exbank[1]), exbank[2]),
            tuple([p + 1 if p >= at else p for p in excl]) if excl else excl,
            None,
        )  # fmt: skip

    def promise(self, pos: int) -> Local:
        return self.with_promises((*self.promises, pos))

    def with_promises(self, promises: tuple[int, ...]) -> Local:
        """`_replace(promises=...)`, without its keyword handling (each commit offered and
        each projection makes one)."""
        return tuple.__new__(Local, (*self[:4], promises, *self[5:]))


def views_of(regs: Views, names) -> tuple[int, int]:
    """The join of the views of registers `names` (a set)."""
    i = c = 0
    for r, a, b in regs:
        if r in names:
            if a > i:
                i = a
            if b > c:
                c = b
    return i, c


def set_views(regs: Views, names, i: int, c: int) -> Views:
    kept = [v for v in regs if v[0] not in names]
    if i or c:
        kept += [(n, i, c) for n in names]
    return tuple(sorted(kept))


# -- reads --------------------------------------------------------------------------------------


class ReadChoice(NamedTuple):
    pos: int  # the write read (timeline position; 0: initial)
    value: int
    t: int  # when the read takes its value (`i`)
    c: int  # when it commits
    external: bool  # from another core (rfe)


def stale(st: Storage, tid: int, loc: int, pos: int, t: int) -> bool:
    """Observation: reading `pos` at time `t` is too late if a write of another core that is
    coherence-after it is coherence-before (or equal to) one that had reached every core by `t`
    (arm.cat: irreflexive fre; prop; hb*)."""
    chain = st.co[loc]
    r = st.rank(pos)
    top = max(i for i, p in enumerate(chain) if (g := st.gp(p)) is not None and g <= t)
    return any(st.tid(p) != tid for p in chain[r + 1 : top + 1])


def makes_stale(local: Local, st: Storage, tid: int, pos: int, at: int) -> bool:
    """Would the write at `pos` reaching every core at `at` make one of this core's executed
    reads stale (read at a time from `at` on, coherence-before another core's write that is
    coherence-before or equal to it)?"""
    loc = st.msg(pos).loc
    chain = st.co[loc]
    top = st.rank(pos)
    for src, t in local.rdw[loc]:
        if t >= at and any(st.tid(p) != tid for p in chain[st.rank(src) + 1 : top + 1]):
            return True
    return False


def rdw_bound(local: Local, st: Storage, loc: int, pos: int) -> int:
    """`rdw = po-loc & (fre; rfe)`: after every earlier read of the location that took a write
    coherence-before the external one at `pos`."""
    r = st.rank(pos)
    return max((t for p, t in local.rdw[loc] if st.rank(p) < r), default=0)


def detour_bound(local: Local, st: Storage, loc: int, pos: int) -> int:
    """`detour = po-loc & (coe; rfe)`: a read taking another core's write coherence-after this
    core's own last write to the location comes after that write's commit."""
    own = local.fwd[loc]
    if own is None or st.rank(own[0]) >= st.rank(pos):
        return 0
    return own[2]


def read_choices(
    local: Local, st: Storage, tid: int, loc: int, init: int, addr: tuple[int, int]
) -> list[ReadChoice]:
    """Every write a read of `loc` may take, with the read's times."""
    ibound = max(addr[0], local.visb, local.vfence)
    cbound = max(addr[1], local.vctrl, local.vaddr, local.vfence)
    floor = st.rank(local.coh[loc])
    own = local.fwd[loc]
    out = []
    for pos in st.co[loc][floor:]:
        if pos in local.promises:
            continue  # an own write not executed yet
        if pos and st.tid(pos) == tid:
            if own is None or own[0] != pos:
                continue
            t = max(ibound, own[1])  # rfi: forwarded once its address and value are known
            external = False
        else:
            t = max(ibound, pos, rdw_bound(local, st, loc, pos), detour_bound(local, st, loc, pos))
            external = True
        if stale(st, tid, loc, pos, t):
            continue
        value = st.msg(pos).value if pos else init
        out.append(ReadChoice(pos, value, t, max(t, cbound), external))
    return out


def after_read(local: Local, loc: int, ch: ReadChoice, addr: tuple[int, int]) -> Local:
    (regs, coh, fwd, rdw, promises, vctrl, vaddr, visb, vfence, vfence_w, vmax, vmax_w, ga,
     ga_w, exbank, excl, stutter) = local  # fmt: skip
    coh = list(coh)
    coh[loc] = ch.pos
    rdw = list(rdw)
    kept = [(p, t) for p, t in rdw[loc] if p != ch.pos]
    best = max([ch.t] + [t for p, t in rdw[loc] if p == ch.pos])
    rdw[loc] = tuple(sorted((*kept, (ch.pos, best))))  # one entry per write read
    if ch.external and ch.pos:
        ga = ga | {ch.pos}
    return Local(regs, tuple(coh), fwd, tuple(rdw), promises, vctrl, max(vaddr, addr[1]), visb,
                 vfence, vfence_w, max(vmax, ch.c), vmax_w, ga, ga_w, exbank, excl,
                 stutter)  # fmt: skip


# -- writes -------------------------------------------------------------------------------------


def write_times(local: Local, addr: tuple[int, int], data: tuple[int, int]) -> tuple[int, int]:
    """(i, floor): when the write is initiated, and the time its commit must exceed."""
    i = max(addr[0], data[0], local.visb, local.vfence)
    floor = max(addr[1], data[1], local.vctrl, local.vaddr, local.vfence, local.vfence_w, i)
    return i, floor


def exclusive_ok(st: Storage, tid: int, loc: int, read_pos: int, pos: int) -> bool:
    """atomic: no other core's write coherence-between the LDREX's write and the STREX's."""
    chain = st.co[loc]
    lo, hi = st.rank(read_pos), st.rank(pos)
    return lo < hi and all(st.tid(p) == tid for p in chain[lo + 1 : hi])


def write_slots(local: Local, st: Storage, tid: int, loc: int, value: int, size: int, floor: int,
                exclusive_from: int | None) -> list[int]:  # fmt: skip
    """Own promises the write may fulfil: same write, committed after `floor`, coherence-after
    the floor of its location (and atomic for a store-exclusive)."""
    out = []
    for pos in local.promises:
        m = st.msg(pos)
        if (m.loc, m.value, m.size) != (loc, value, size) or pos <= floor:
            continue
        if st.rank(pos) <= st.rank(local.coh[loc]):
            continue
        if exclusive_from is not None and not exclusive_ok(st, tid, loc, exclusive_from, pos):
            continue
        out.append(pos)
    return out


def after_write(local: Local, loc: int, pos: int, i: int, addr: tuple[int, int],
                exclusive: bool) -> Local:  # fmt: skip
    (regs, coh, fwd, rdw, promises, vctrl, vaddr, visb, vfence, vfence_w, vmax, vmax_w, ga,
     ga_w, exbank, excl, stutter) = local  # fmt: skip
    coh, fwd = list(coh), list(fwd)
    last = fwd[loc]
    latest = last[2] if last and last[2] > pos else pos
    coh[loc], fwd[loc] = pos, (pos, i, latest)
    if pos in promises:
        promises = tuple([p for p in promises if p != pos])
    if exclusive:
        excl, exbank = (*excl, pos), None
    # (conditionals, not max(): this runs for every write of every solo search)
    return Local(regs, tuple(coh), tuple(fwd), rdw, promises, vctrl,
                 addr[1] if addr[1] > vaddr else vaddr, visb, vfence, vfence_w,
                 pos if pos > vmax else vmax, pos if pos > vmax_w else vmax_w, ga | {pos},
                 ga_w | {pos}, exbank, excl, stutter)  # fmt: skip


# -- barriers -----------------------------------------------------------------------------------


def dmb_time(local: Local, st: Storage) -> int | None:
    """When a DMB happens: after every earlier event and after its group A has reached every
    core. None when some write of the group has not (yet) reached every core."""
    gps = [st.gp(p) for p in local.ga]
    if any(g is None for g in gps):
        return None
    return max([local.vmax, *gps])  # type: ignore[list-item]


def after_dmb(local: Local, t: int) -> Local:
    return local._replace(vfence=t, vmax=max(local.vmax, t), ga=frozenset(), ga_w=frozenset())


def dmb_st_time(local: Local, st: Storage) -> int | None:
    gps = [st.gp(p) for p in local.ga_w]
    if any(g is None for g in gps):
        return None
    return max([local.vmax_w, *gps])  # type: ignore[list-item]


def after_dmb_st(local: Local, t: int) -> Local:
    return local._replace(vfence_w=max(local.vfence_w, t), ga_w=frozenset())


def after_isb(local: Local) -> Local:
    return local._replace(visb=max(local.visb, local.vctrl))


def xx_cycle(st: Storage, excl: list[tuple[int, ...]]) -> bool:
    """scXX: is there a cycle in co | xx over the successful store-exclusives (each core's in
    program order, `excl`)?"""
    succ: dict[int, set[int]] = {}
    for seq in excl:
        for k, a in enumerate(seq):
            succ.setdefault(a, set()).update(seq[k + 1 :])
    nodes = {p for seq in excl for p in seq}
    for a in nodes:
        for b in nodes:
            if a != b and st.msg(a).loc == st.msg(b).loc and st.rank(a) < st.rank(b):
                succ.setdefault(a, set()).add(b)
    state: dict[int, int] = {}

    def visit(n: int) -> bool:
        state[n] = 1
        for m in succ.get(n, ()):
            if state.get(m) == 1 or (m not in state and visit(m)):
                return True
        state[n] = 2
        return False

    return any(n not in state and visit(n) for n in nodes)
