"""The axioms of RC11, C11 (RC11 without no-thin-air) and SC over one candidate execution.

Relations are bitmask rows, the relation algebra of every axiomatic model here
(fencelab/models/relations.py): `rel[a]` has bit b set when (a, b) is in the relation.

The definitions are those of Lahav, Vafeiadis, Kang, Hur and Dreyer, "Repairing Sequential
Consistency in C/C++11" (PLDI 2017), as herdtools7's `herd/libdir/rc11.cat` writes them:

    rs    = [W]; (sb & loc)?; [W & atomic]; (rf; rmw)*
    sw    = [REL|ACQ_REL|SC]; ([F]; sb)?; rs; rf; [R & atomic]; (sb; [F])?; [ACQ|ACQ_REL|SC]
    hb    = (sb | sw)+
    rb    = (rf^-1; mo) \\ id              eco = (rf | mo | rb)+
    scb   = sb | (sb \\ loc); hb; (sb \\ loc) | (hb & loc) | mo | rb
    pscb  = ([SC] | [F & SC]; hb?); scb; ([SC] | hb?; [F & SC])
    pscf  = [F & SC]; (hb | hb; eco; hb); [F & SC]
    coherence     irreflexive hb; eco?
    atomicity     empty rmw & (rb; mo)      (and irreflexive rmw; eco)
    SC            acyclic pscb | pscf
    no-thin-air   acyclic sb | rf           (RC11 only)

Data races, as rc11.cat has them (an undefined-behaviour check, not an axiom):

    cnf = ((W * _) | (_ * W)) & loc \\ ((IW * _) | (_ * IW))
    dr  = (cnf & ext) \\ (hb | hb^-1 | A * A)
    undefined_unless empty dr as Dr

`A` is herd's atomic accesses: every access with a memory order and every RMW; C's plain
`*x` is not in A (herd's `AN []` annotation), nor are the initial writes. So a race needs two
accesses of different threads to one location, at least one a write and at least one plain, in
neither order of hb. herd keeps a racy execution (it only flags it: `Undef`), so `data_race`
is asked of consistent executions only. A plain access also takes no part in synchronisation:
rs's `[W & atomic]` and sw's `[R & atomic]` leave it out, where a Relaxed one would be in.

A read-modify-write is one event (kind U) that both reads and writes, so `rmw` is the identity
on U events; the candidate generator already places every U immediately after the write it
reads in mo, which is exactly atomicity plus `irreflexive rmw; eco`. The SC model is
acyclic(sb | rf | mo | rb) over the same candidates.
"""

from __future__ import annotations

from dataclasses import dataclass

from fencelab import reduce
from fencelab.atomics import Order
from fencelab.models.relations import Rel, acyclic, bits, image, plus


@dataclass
class Static:
    """What a choice of thread paths fixes: events' kinds, modes, locations, and sb."""

    n: int
    sb: Rel  # transitive
    same_loc: Rel  # accesses to the same location (not reflexive on fences)
    writes: int  # W | U | init
    updates: int  # U
    fences: int
    sc_events: int  # accesses and fences with SeqCst
    sc_fences: int
    release: int  # accesses and fences that release (Release, AcqRel, SeqCst)
    acquire: int  # reads and fences that acquire (Acquire, AcqRel, SeqCst)
    acquire_fences: int
    sbl: Rel  # sb \\ loc
    rs_base: list[int]  # per write: the atomic ones among itself and its thread's later writes there
    release_starts: list[tuple[int, int]]  # (release event, the writes its sw starts from)
    atomic: int = -1  # herd's A: accesses with a memory order and RMWs (not C's plain `*x`)
    plain: int = 0  # the threads' non-atomic accesses (C's plain `*x`)
    may_race: bool = False  # two threads' accesses conflict, one plain: `dr` unless hb orders them
    sb_into: Rel | None = None  # (sb?)^-1: per event, itself and the events sb-before it
    # sw from the reads' side (`_sw_rows`): per write, the releases whose rs holds it
    # whatever rf is; the atomic reads with what each adds to the sw of a release it reads
    # from (itself when it acquires, its thread's later acquire fences)
    released_by: list[int] | None = None
    sw_gains: tuple[tuple[int, int], ...] = ()


def static_of(kinds, tids, locs, orders, plain=None) -> Static:
    """Build the static part from parallel lists (init writes have tid -1 and no order);
    `plain[i]` marks a non-atomic access (C's `*x`), None: every access is atomic."""
    n = len(kinds)
    sb = [0] * n
    last_of: dict[int, list[int]] = {}
    for i in range(n):
        if tids[i] >= 0:
            last_of.setdefault(tids[i], []).append(i)
    for thread in last_of.values():
        after = 0
        for i in reversed(thread):
            sb[i] = after
            after |= 1 << i
    by_loc: dict[str, int] = {}
    for i in range(n):
        if locs[i]:
            by_loc[locs[i]] = by_loc.get(locs[i], 0) | (1 << i)
    same_loc = [by_loc[locs[i]] if locs[i] else 0 for i in range(n)]

    rel = (Order.RELEASE, Order.ACQ_REL, Order.SEQ_CST)
    acq = (Order.ACQUIRE, Order.ACQ_REL, Order.SEQ_CST)
    writes = updates = fences = sc_events = sc_fences = release = acquire = acquire_fences = 0
    for i in range(n):  # one pass sets every event class (a mask each)
        bit, kind, order = 1 << i, kinds[i], orders[i]
        if kind in ("W", "U"):
            writes |= bit
        if kind == "U":
            updates |= bit
        if order is Order.SEQ_CST:
            sc_events |= bit
        if kind == "F":
            fences |= bit
            if order is Order.SEQ_CST:
                sc_fences |= bit
        if order is None:
            continue
        if kind != "R" and order in rel:
            release |= bit
        if kind != "W" and order in acq:
            acquire |= bit
            if kind == "F":
                acquire_fences |= bit
    plain_mask = atomic = 0
    for i in range(n):
        if not locs[i]:
            continue  # fences
        if plain is not None and plain[i]:
            plain_mask |= 1 << i
        elif tids[i] >= 0:  # herd's initial writes are not atomic (`AN []`) either
            atomic |= 1 << i
    may_race = False
    for a in bits(plain_mask):
        others = same_loc[a] & (atomic | plain_mask) & ~(1 << a)
        if not (writes >> a) & 1:
            others &= writes  # two reads do not conflict
        if any(tids[b] != tids[a] for b in bits(others)):
            may_race = True
            break
    rs_base = [0] * n
    for w in bits(writes):  # rc11.cat's rs starts [W];(sb & loc)?;[W & atomic]
        rs_base[w] = ((1 << w) | (sb[w] & same_loc[w] & writes)) & atomic
    release_starts = [(a, sb[a] & writes if (fences >> a) & 1 else (1 << a) & writes)
                      for a in bits(release)]  # fmt: skip
    sb_into = [1 << i for i in range(n)]
    for a in range(n):
        for b in bits(sb[a]):
            sb_into[b] |= 1 << a
    released_by = [0] * n
    for a, starts in release_starts:
        for w in bits(starts):
            for x in bits(rs_base[w]):
                released_by[x] |= 1 << a
    gains = []
    for r in bits(atomic):
        if kinds[r] in ("R", "U"):  # (the atomic reads)
            gain = ((1 << r) & acquire) | (sb[r] & acquire_fences)
            if gain:
                gains.append((r, gain))
    return Static(n=n, sb=sb, same_loc=same_loc, writes=writes, updates=updates, fences=fences,
                  sc_events=sc_events, sc_fences=sc_fences, release=release, acquire=acquire,
                  acquire_fences=acquire_fences,
                  sbl=[sb[i] & ~same_loc[i] for i in range(n)], rs_base=rs_base,
                  release_starts=release_starts, atomic=atomic, plain=plain_mask,
                  may_race=may_race, sb_into=sb_into, released_by=released_by,
                  sw_gains=tuple(gains))  # fmt: skip


def derived(st: Static, rf: Rel, mo: Rel, rf_src: list[int]) -> Rel:
    """rb = (rf^-1; mo) \\ id."""
    rb = [0] * st.n
    for r, w in enumerate(rf_src):
        if w >= 0:
            rb[r] = mo[w] & ~(1 << r)
    return rb


def happens_before(st: Static, rf: Rel, sw: Rel | None = None) -> Rel:
    """hb = (sb | sw)+ with RC11's release sequences and fence synchronisation (sb itself when
    nothing synchronises: sb is transitive).

    With the `source-axioms` reduction (fencelab/reduce.py) the closure is taken through the
    events sw leaves from only: sb is transitive, so hb = sb | sb?; (sw; sb?)+, and a path of
    (sw; sb?) edges passes only through events sw leaves from (Warshall over those few)."""
    if sw is None:
        if not st.release_starts:
            return st.sb  # (nothing synchronises)
        step = _sw_rows(st, rf)
    else:
        step = {a: row for a, row in enumerate(sw) if row}
    return _closed(st, step)


def _closed(st: Static, step: dict[int, int]) -> Rel:
    """hb from sw's rows that are not empty (`step`, by the event they leave from: changed
    here), as `happens_before` says."""
    if not step:
        return st.sb
    sb = st.sb
    if not reduce.enabled("source-axioms"):
        rows = list(sb)
        for a, row in step.items():
            rows[a] |= row
        return plus(rows)
    # (sw; sb?) from each event sw leaves from (bit loops written out: `bits` costs 2x)
    for a, row in step.items():
        m = row
        while m:
            low = m & -m
            row |= sb[low.bit_length() - 1]
            m ^= low
        step[a] = row
    if len(step) > 1:
        for k, rk in step.items():  # (sw; sb?)+, Warshall over the sources
            bk = 1 << k
            for i, ri in step.items():
                if ri & bk:
                    step[i] = ri | rk
                    if i == k:
                        rk = step[k]
    # hb[a] = sb[a] | the rows of the sources among a and its sb-successors
    hb = list(sb)
    sb_into = st.sb_into
    for k, rk in step.items():
        m = sb_into[k]
        while m:
            low = m & -m
            i = low.bit_length() - 1
            hb[i] |= rk
            m ^= low
    return hb


def synchronises_with(st: Static, rf: Rel) -> Rel:
    """sw, through release sequences (rs) and release / acquire fences; only atomic accesses
    take part (rc11.cat's `[W & atomic]` in rs, `[R & atomic]` in sw)."""
    sw = [0] * st.n
    if st.release_starts:
        for a, row in _sw_rows(st, rf).items():
            sw[a] = row
    return sw


def _sw_of_reads(st: Static, rf_src: list[int]) -> dict[int, int]:
    """`_sw_rows` from each read's write (`rf_src`) instead of rf's rows: a release
    synchronises with an atomic read that reads a write of its rs (`Static.released_by`, and
    through rf; rmw an RMW reading a write of it), adding the read's `Static.sw_gains`."""
    released_by = st.released_by
    if st.updates:  # rs; rf; rmw: an RMW is in the rs the write it reads is in
        released_by = list(released_by)
        updates = [u for u in bits(st.updates) if rf_src[u] >= 0]
        changed = True
        while changed:
            changed = False
            for u in updates:
                row = released_by[u] | released_by[rf_src[u]]
                if row != released_by[u]:
                    released_by[u] = row
                    changed = True
    out: dict[int, int] = {}
    for r, gain in st.sw_gains:
        w = rf_src[r]
        if w >= 0:
            m = released_by[w]
            while m:  # (bit loop written out: `bits` costs 2x)
                low = m & -m
                a = low.bit_length() - 1
                out[a] = out.get(a, 0) | gain
                m ^= low
    return out


def _sw_rows(st: Static, rf: Rel) -> dict[int, int]:
    """`synchronises_with`'s rows that are not empty, by the event they leave from."""
    updates, acquire, acquire_fences, sb = st.updates, st.acquire, st.acquire_fences, st.sb
    atomic = st.atomic
    # rs: from a write, the atomic ones among itself and later same-location writes of its
    # thread (`rs_base`), then rf;rmw*; found for the writes a release starts from only.
    # (Bit loops written out: `bits` costs 2x.)
    rs_base = st.rs_base
    rs: dict[int, int] = {}
    out: dict[int, int] = {}
    for a, starts in st.release_starts:
        heads = 0
        while starts:
            low = starts & -starts
            w = low.bit_length() - 1
            starts ^= low
            reach = rs.get(w)
            if reach is None:
                reach = frontier = rs_base[w]
                while updates and frontier:
                    nxt = 0
                    while frontier:
                        one = frontier & -frontier
                        nxt |= rf[one.bit_length() - 1] & updates
                        frontier ^= one
                    frontier = nxt & ~reach
                    reach |= nxt
                rs[w] = reach
            heads |= reach
        reads = 0  # rf's image of the heads
        while heads:
            low = heads & -heads
            reads |= rf[low.bit_length() - 1]
            heads ^= low
        reads &= atomic
        target = reads & acquire
        if acquire_fences:
            while reads:
                low = reads & -reads
                target |= sb[low.bit_length() - 1] & acquire_fences
                reads ^= low
        if target:
            out[a] = target
    return out


def extended_coherence(st: Static, rf: Rel, mo: Rel, rb: Rel) -> Rel:
    """eco = (rf | mo | rb)+.

    With the `source-axioms` reduction, without a closure: eco = rf | mo | rb | (mo | rb); rf,
    for the candidates here (mo a strict total order of each location's writes, rb = rf^-1;
    mo \\ id, each RMW right after the write it reads in mo). Every other two-step path is in
    these four: mo;mo and rb;mo are in mo and rb (mo transitive); rf;mo, rf;rb are in mo (a
    write read by an RMW is mo-before it, and rb from a read leaves to the writes mo-after
    its write); rf;rf is in mo;rf; mo;rb and rb;rb are in mo and rb (an RMW reading w is
    right after w, so every other write mo-after w is mo-after the RMW too). So the four
    are closed under another step: they are the closure."""
    n = st.n
    if not reduce.enabled("source-axioms"):
        return plus([rf[i] | mo[i] | rb[i] for i in range(n)])
    read_from = 0  # the writes some event reads
    for w, row in enumerate(rf):
        if row:
            read_from |= 1 << w
    eco = [0] * n
    for a in range(n):
        via = mo[a] | rb[a]
        row = rf[a] | via
        eco[a] = row | image(rf, via & read_from)
    return eco


def coherent(hb: Rel, eco: Rel, same_loc: Rel | None = None) -> bool:
    """irreflexive hb; eco? . With `same_loc` (the `source-axioms` reduction), only the
    same-location pairs of hb are looked at: eco relates only accesses to one location."""
    for a, row in enumerate(hb):
        if (row >> a) & 1:
            return False
        if same_loc is not None:
            row &= same_loc[a]
        while row:  # (bit loops written out: `bits` costs 2x)
            low = row & -row
            if (eco[low.bit_length() - 1] >> a) & 1:
                return False
            row ^= low
    return True


def psc_acyclic(st: Static, hb: Rel, mo: Rel, rb: Rel, eco: Rel) -> bool:
    """RC11's repaired SC axiom: acyclic (pscb | pscf)."""
    if not st.sc_events:
        return True
    return acyclic(psc(st, hb, mo, rb, eco))


def psc(st: Static, hb: Rel, mo: Rel, rb: Rel, eco: Rel) -> Rel:
    """psc = pscb | pscf (empty rows when there is no SC event). Only SC events have rows
    (`[SC] | [F & SC]; hb?` on the left), so only the rows of scb they reach are built.
    (Bit loops written out: `bits` costs 2x.)"""
    n = st.n
    sb, same_loc, sbl = st.sb, st.same_loc, st.sbl
    sc_events, sc_fences = st.sc_events, st.sc_fences
    scb: dict[int, int] = {}  # scb = sb | (sb \ loc); hb; (sb \ loc) | (hb & loc) | mo | rb

    def scb_row(j: int) -> int:
        row = scb.get(j)
        if row is None:
            via = image(hb, sbl[j])
            row = sb[j] | (hb[j] & same_loc[j]) | mo[j] | rb[j] | image(sbl, via)
            scb[j] = row
        return row

    out = [0] * n
    events = sc_events
    while events:
        low = events & -events
        i = low.bit_length() - 1
        events ^= low
        left = low  # [SC] | [F & SC]; hb?
        if sc_fences & low:
            left |= hb[i]
        reach = 0
        while left:
            one = left & -left
            reach |= scb_row(one.bit_length() - 1)
            left ^= one
        row = reach & sc_events  # ; ([SC] | hb?; [F & SC])
        if sc_fences:
            m = reach
            while m:
                one = m & -m
                row |= hb[one.bit_length() - 1] & sc_fences
                m ^= one
        out[i] = row
    for f in bits(sc_fences):  # pscf = [F & SC]; (hb | hb; eco; hb); [F & SC]
        via = 0
        for k in bits(hb[f]):
            via |= eco[k]
        row = hb[f]
        for m in bits(via):
            row |= hb[m]
        out[f] |= row & sc_fences
    return out


def coherent_beyond_sb(st: Static, hb: Rel, rf: Rel, mo: Rel, rb: Rel, rf_src: list[int]) -> bool:
    """irreflexive hb; eco? for a candidate already coherent with sb (`consistent`'s
    `sb_coherent`): only hb's pairs beyond sb are looked at, and eco = rf | mo | rb |
    (mo | rb); rf (`extended_coherence`) is asked of those pairs alone, without building it."""
    sb, same_loc = st.sb, st.same_loc
    for a in range(st.n):
        extra = hb[a] & ~sb[a]
        if not extra:
            continue
        bit = 1 << a
        if extra & bit:
            return False  # a hb a
        extra &= same_loc[a]
        w = rf_src[a]
        source = 1 << w if w >= 0 else 0  # the write a reads: (mo | rb); rf leads to a from
        while extra:  # does b eco a? (bit loop written out: `bits` costs 2x)
            low = extra & -extra
            b = low.bit_length() - 1
            extra ^= low
            if (rf[b] | mo[b] | rb[b]) & bit or (mo[b] | rb[b]) & source:
                return False
    return True


def consistent(model: str, st: Static, rf: Rel, mo: Rel, rf_src: list[int],
               sb_coherent: bool = False, shared: tuple[dict, tuple] | None = None) -> bool:  # fmt: skip
    """Is this candidate execution allowed by `model` ("rc11", "c11" or "sc")?

    `sb_coherent`: the caller built rf and mo coherent with sb (rc11.py's `_location_choices`:
    no read reads a write sb-after it, CoWW, CoWR, CoRW, CoRR), so irreflexive sb; eco? holds
    already. With the `source-sb-coherence` reduction (fencelab/reduce.py) the coherence
    axiom then looks only at hb's pairs beyond sb (`coherent_beyond_sb`; none when nothing
    synchronises), and eco is built only for pscf, when there are SC fences: the same verdict.
    Why sb; eco? is irreflexive for such a candidate, a sb b at one location, b eco a ruled
    out case by case: b rf a (a reads a later write of its thread) is never chosen; b mo a
    (two writes) contradicts CoWW; b rb a (b reads w, w mo a, a write sb-before b) contradicts
    CoWR, which puts a mo-before w (or a is w, and rb leaves out w); b mo c rf a (a reads c,
    b a later write) contradicts CoRW, which puts b mo-after c; b rb c rf a (a reads c, b a
    later read of w mo-before c) contradicts CoRR, which puts c mo-before w. An RMW is both
    a read and a write in each of these cases; hb's own irreflexivity is sb's there.

    `shared`: (a memo, a key of rf) when the caller judges several candidates with the same
    rf and statics (the `source-rf-share` reduction: candidates of one choice of thread paths
    that differ in mo only): no-thin-air and hb depend on sb and rf alone, so they are found
    once for each rf (`RfFacts`), and so, for candidates coherent with sb, are the part of
    the coherence check and of psc that does not depend on mo (`RfFacts.beyond`,
    `RfFacts.psc_base`): what is left for each candidate is a few row lookups in mo."""
    if model == "sc":
        rb = derived(st, rf, mo, rf_src)
        sb = st.sb
        return acyclic([sb[i] | rf[i] | mo[i] | rb[i] for i in range(st.n)])
    if shared is not None:
        memo, key = shared
        facts = memo.get(key)
        if facts is None:
            facts = memo[key] = rf_facts(model, st, rf, rf_src)
    else:
        facts = rf_facts(model, st, rf, rf_src)
    if facts is False:
        return False
    hb = facts.hb
    if sb_coherent and reduce.enabled("source-sb-coherence"):
        beyond = facts.beyond
        if beyond is None:
            beyond = facts.beyond = beyond_sb(st, hb, rf_src, facts.grown)
        if beyond is False:
            return False
        for b, s, mask in beyond:  # (`beyond_sb`: b eco a for a pair a hb b beyond sb)
            if (mo[b] | mo[s]) & mask:
                return False
        if not st.sc_events:
            return True
        if st.sc_fences:  # (pscf's eco, and hb's reach from each SC fence: psc itself)
            rb = derived(st, rf, mo, rf_src)
            return acyclic(psc(st, hb, mo, rb, extended_coherence(st, rf, mo, rb)))
        base = facts.psc_base
        if base is None:
            base = facts.psc_base = psc_base(st, hb, rf_src)
        return psc_acyclic_with(base, st.sc_events, mo)
    rb = derived(st, rf, mo, rf_src)
    eco = extended_coherence(st, rf, mo, rb)
    if not coherent(hb, eco, st.same_loc if reduce.enabled("source-axioms") else None):
        return False
    return psc_acyclic(st, hb, mo, rb, eco)


class RfFacts:
    """What the candidates with one rf (and statics) share, found once for them
    (`consistent`'s `shared`): hb; for candidates coherent with sb, `beyond_sb`'s checks
    (None: not found yet) and `psc_base`'s rows (None: not found yet)."""

    __slots__ = ("hb", "grown", "beyond", "psc_base")

    def __init__(self, hb: Rel):
        self.hb = hb
        self.grown = -1  # the events whose hb row may be more than their sb row
        self.beyond: list[tuple[int, int, int]] | bool | None = None
        self.psc_base: list[tuple[int, int, int, int]] | None = None


def rf_facts(model: str, st: Static, rf: Rel, rf_src: list[int]) -> RfFacts | bool:
    """False when the rf breaks no-thin-air (rc11: acyclic sb | rf), else its `RfFacts`.
    A cycle of sb | rf needs an rf edge to an event numbered lower than its write (sb only
    goes to higher numbers: events are numbered thread by thread in program order), so
    without one the closure is not looked at."""
    if model == "rc11":
        for r, w in enumerate(rf_src):
            if w > r:
                if not _sb_rf_acyclic(st, rf):
                    return False
                break
    if st.release_starts and reduce.enabled("source-axioms"):
        step = _sw_of_reads(st, rf_src)
        facts = RfFacts(_closed(st, step))
        sb_into = st.sb_into
        grown = 0  # (`_closed` grows the rows of the sources and the events sb-before them)
        for k in step:
            grown |= sb_into[k]
        facts.grown = grown
        return facts
    return RfFacts(happens_before(st, rf))


def _sb_rf_acyclic(st: Static, rf: Rel) -> bool:
    """acyclic sb | rf, on the two relations' rows (building the union's costs 2% of a
    generated C test): the threads' events only, as no edge leads to an initial write (a cycle
    cannot pass through one)."""
    return acyclic(st.sb, rf, st.atomic | st.plain | st.fences)


def beyond_sb(st: Static, hb: Rel, rf_src: list[int],
              grown: int = -1) -> list[tuple[int, int, int]] | bool:  # fmt: skip
    """`coherent_beyond_sb` split into what hb and rf decide and what is left to mo: False
    when every mo breaks coherence (a hb a; b hb a, a reading b: b rf a), else the checks
    left, (b, s, mask) for each pair a hb b beyond sb at one location: b eco a when
    (mo[b] | mo[s]) & mask, s the write b reads (b itself when b reads nothing: b's rb row is
    mo[s] without b), mask a and the write a reads (mo | rb); rf leads to a from it)
    without b. `grown`: the events whose hb row may be more than their sb row (-1: any)."""
    if hb is st.sb:
        return []
    sb, same_loc = st.sb, st.same_loc
    out = []
    grown &= (1 << st.n) - 1
    while grown:  # (lowest first; bit loops written out: `bits` costs 2x)
        bit = grown & -grown
        grown ^= bit
        a = bit.bit_length() - 1
        extra = hb[a] ^ sb[a]  # (hb holds sb)
        if not extra:
            continue
        if extra & bit:
            return False  # a hb a
        extra &= same_loc[a]
        w = rf_src[a]
        source = bit | (1 << w if w >= 0 else 0)
        while extra:  # (bit loop written out: `bits` costs 2x)
            low = extra & -extra
            b = low.bit_length() - 1
            extra ^= low
            if w == b:
                return False  # b rf a
            s = rf_src[b]
            out.append((b, s if s >= 0 else b, source & ~low))
    return out


def psc_base(st: Static, hb: Rel, rf_src: list[int]) -> list[tuple[int, int, int, int]]:
    """psc's rows without SC fences (`psc`: pscb = [SC]; scb; [SC]) but for mo and rb, for
    `psc_acyclic_with`: (i, row, s, mask) for each SC event i, last first, row the SC events
    (sb | (sb \\ loc); hb; (sb \\ loc) | (hb & loc)) leads to from i, s the write i reads
    (i itself when it reads nothing), mask the SC events but i: i's psc row is
    row | ((mo[i] | mo[s]) & mask)."""
    sc = st.sc_events
    sb, same_loc, sbl = st.sb, st.same_loc, st.sbl
    out = []
    for i in bits(sc):
        if hb is sb:  # (sb is transitive: every part of the row is in sb)
            row = sb[i] & sc
        else:
            via = 0  # hb's image of (sb \ loc) from i (bit loops written out)
            m = sbl[i]
            while m:
                low = m & -m
                via |= hb[low.bit_length() - 1]
                m ^= low
            row = sb[i] | (hb[i] & same_loc[i])
            while via:
                low = via & -via
                row |= sbl[low.bit_length() - 1]
                via ^= low
            row &= sc
        s = rf_src[i]
        out.append((i, row, s if s >= 0 else i, sc & ~(1 << i)))
    out.reverse()
    return out


def psc_acyclic_with(base: list[tuple[int, int, int, int]], sc: int, mo: Rel) -> bool:
    """acyclic psc for a candidate without SC fences, from `psc_base`'s rows and its mo
    (`acyclic` on the SC events alone: no other event has a psc row)."""
    rows = [(1 << i, row | ((mo[i] | mo[s]) & mask)) for i, row, s, mask in base]
    alive = sc
    changed = True
    while alive and changed:
        changed = False
        for bit, row in rows:
            if alive & bit and not row & alive:
                alive ^= bit
                changed = True
    return not alive


def data_race(st: Static, hb: Rel) -> tuple[int, int] | None:
    """A pair of events in rc11.cat's `dr` (module docstring), the first in event order, or
    None: conflicting accesses of two threads, not both atomic, unordered by hb."""
    threads = st.atomic | st.plain  # the threads' accesses (initial writes are neither)
    for a in bits(st.plain):
        for b in bits(st.same_loc[a] & threads & ~(1 << a)):
            if not (st.writes >> a) & 1 and not (st.writes >> b) & 1:
                continue  # two reads do not conflict
            if (hb[a] >> b) & 1 or (hb[b] >> a) & 1 or (st.sb[a] >> b) & 1 or (st.sb[b] >> a) & 1:
                continue  # ordered (sb is in hb; same-thread pairs are not ext)
            return (a, b) if a < b else (b, a)
    return None
