"""Each hardware model's axioms over a candidate execution, with labelled edges.

The operational models (sc, tso, arm) decide by running; to say *why* an outcome is forbidden we
need their axiomatic twins, and to name each edge of a forbidding cycle by the clause that puts
it there. A `View` lists a model's axioms over an `Execution` (fencelab/models/axiomatic/
candidates.py) as labelled edge sets:

- `arm`: herdtools7's aarch64.cat, the relations of fencelab/models/axiomatic/arm.py:
  `internal` (acyclic po-loc | ca | rf), `atomic` (empty rmw & (fre; coe)) and `external`
  (irreflexive ob, ob = obs | haz-ob | lob | DSB-ob | IFB-ob with lob's clauses named: addr, dmb.full ...);
- `tso`: herdtools7's x86tso.cat: `uniproc` (acyclic po-loc | amo | com), `atomic`
  (empty rmw & (fre; coe)) and `tso` (acyclic ghb, ghb = mfence | implied | po_ghb | rfe | fr
  | co, po_ghb = WW(po) | RM(po), implied = the W->R pairs of po with a locked end);
- `sc`: `sc` (acyclic po | rf | co | fr) with `atomic` (empty rmw & (fr; co)) and `internal`;
- `armv7`: herdtools7's arm.cat, the relations of fencelab/models/axiomatic/arm_cat.py:
  `uniproc`, `atomic`, `thinair` (acyclic hb, hb = ppo | dmb | dmb.st | rfe), `propagation`
  (acyclic co | prop), `observation` (irreflexive fre; prop; hb*) and `scXX`; its candidates
  use herd's register-only dependencies (`register_deps`).

An acyclicity axiom fails with a cycle, found as a shortest cycle over the labelled edges
(a cycle of a closure is a cycle of its edges); an emptiness axiom fails with the three edges
of the pattern. `local_order` is the model's intra-thread order (lob, po_ghb | mfence |
implied, po), which the graphs draw as the relation that decides.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from fencelab.isa.insn import Barrier
from fencelab.models.axiomatic import arm_cat
from fencelab.models.axiomatic.arm import arm_static, lob_parts, monitors_broken
from fencelab.models.axiomatic.candidates import Execution
from fencelab.models.relations import (
    Rel,
    from_pairs,
    has,
    ident,
    minus,
    pairs,
    plus,
    restrict,
    seq,
    union,
)

Labelled = dict[tuple[int, int], str]  # edge -> the clause that puts it there


@dataclass(frozen=True)
class Violation:
    axiom: str
    rule: str
    edges: tuple[tuple[int, int, str], ...]  # (src, dst, label) in cycle order


@dataclass(frozen=True)
class Axiom:
    name: str
    rule: str
    check: Callable[[Execution], Violation | None]


def _add(out: Labelled, rel: Rel, label: str) -> None:
    for pair in pairs(rel):
        out.setdefault(pair, label)


def _com(x: Execution, rels=("rf", "co", "fr"), ext_only: tuple[str, ...] = ()) -> Labelled:
    """rf / co / fr edges labelled with herd's internal/external suffix."""
    out: Labelled = {}
    for name in rels:
        rel = getattr(x, name)
        for a, b in pairs(rel):
            external = x.sk.events[a].tid != x.sk.events[b].tid
            if name in ext_only and not external:
                continue
            out.setdefault((a, b), name + ("e" if external else "i"))
    return out


def shortest_cycle(edges: Labelled) -> tuple[tuple[int, int, str], ...] | None:
    """A shortest cycle of the graph (BFS from every node), as labelled edges."""
    succ: dict[int, list[int]] = {}
    for a, b in sorted(edges):
        if a == b:
            return ((a, b, edges[(a, b)]),)
        succ.setdefault(a, []).append(b)
    best: list[int] | None = None
    for start in sorted(succ):
        parent = {start: start}
        queue = deque([start])
        found = None
        while queue and found is None:
            node = queue.popleft()
            for nxt in succ.get(node, ()):
                if nxt == start:
                    found = node
                    break
                if nxt not in parent:
                    parent[nxt] = node
                    queue.append(nxt)
        if found is None:
            continue
        path = [found]
        while path[-1] != start:
            path.append(parent[path[-1]])
        path.reverse()
        if best is None or len(path) < len(best):
            best = path
    if best is None:
        return None
    return tuple((a, best[(i + 1) % len(best)], edges[(a, best[(i + 1) % len(best)])])
                 for i, a in enumerate(best))  # fmt: skip


def _acyclic(name: str, rule: str, edges: Callable[[Execution], Labelled]) -> Axiom:
    def check(x: Execution) -> Violation | None:
        cycle = shortest_cycle(edges(x))
        return None if cycle is None else Violation(name, rule, cycle)

    return Axiom(name, rule, check)


def _atomic(name: str, rule: str, external: bool) -> Axiom:
    """empty rmw & (fr; co) — with `external`, rmw & (fre; coe)."""

    def check(x: Execution) -> Violation | None:
        ev = x.sk.events
        for r, w in pairs(x.sk.rmw):
            for r2, w2 in pairs(x.fr):
                if r2 != r or (external and ev[w2].tid == ev[r].tid):
                    continue
                if has(x.co, w2, w) and not (external and ev[w2].tid == ev[w].tid):
                    fr = "fre" if ev[w2].tid != ev[r].tid else "fri"
                    co = "coe" if ev[w2].tid != ev[w].tid else "coi"
                    return Violation(name, rule, ((r, w2, fr), (w2, w, co), (r, w, "rmw")))
        return None

    return Axiom(name, rule, check)


def _monitors(x: Execution) -> Violation | None:
    if monitors_broken(x):
        return None
    return Violation("exclusive", "a store-exclusive that may not fail spuriously failed, "
                     "but nothing broke its monitor", ())  # fmt: skip


# -- ARM ------------------------------------------------------------------------------------


def arm_local(x: Execution) -> Labelled:
    """lob's clauses by name (not their closure: a cycle of lob is a cycle of its clauses),
    then pick-lob (what lob's pick extension adds), IFB-ob and DSB-ob."""
    sk = x.sk
    out: Labelled = {}
    for name, rel in lob_parts(sk):
        _add(out, rel, name)
    lob, ifb_ob, dsb_ob = arm_static(sk)
    _add(out, minus(lob, plus(from_pairs(sk.n, out))), "pick-lob")
    _add(out, ifb_ob, "IFB-ob")
    _add(out, dsb_ob, "DSB-ob")
    return out


def arm_ob(x: Execution) -> Labelled:
    sk = x.sk
    out = _com(x, ext_only=("rf", "co", "fr"))  # obs = rfe | fre | coe
    # let Exp-haz-ob = [Exp & R]; po-loc; [Exp & R]; (ca & ext); [Exp & W]
    _add(out, seq(restrict(sk.po_loc, sk.R, sk.R), restrict(sk.ext(x.ca), sk.R, sk.W)), "haz-ob")
    for pair, label in arm_local(x).items():
        out.setdefault(pair, label)
    return out


def _po_loc_com(x: Execution, extra: Rel | None = None, extra_name: str = "") -> Labelled:
    out = _com(x)
    _add(out, x.sk.po_loc, "po-loc")
    if extra is not None:
        _add(out, extra, extra_name)
    return out


ARM_AXIOMS = (
    _acyclic("internal", "acyclic po-loc | ca | rf", _po_loc_com),
    _atomic("atomic", "empty rmw & (fre; coe)", external=True),
    Axiom("exclusive", "a failed store-exclusive's monitor was broken", _monitors),
    _acyclic("external", "irreflexive ob", arm_ob),
)


# -- x86-TSO --------------------------------------------------------------------------------


def _locked(x: Execution) -> int:
    """herd's A on x86: the events of LOCK-ed instructions and XCHG."""
    return x.sk.ids(lambda e: e.amo)


def _fencerel(x: Execution, barrier: Barrier) -> Rel:
    sk = x.sk
    fences = sk.ids(lambda e: e.kind == "F" and e.barrier is barrier)
    return seq(ident(sk.M, sk.n), sk.po, ident(fences, sk.n), sk.po, ident(sk.M, sk.n))


def tso_local(x: Execution) -> Labelled:
    """mfence | implied | po_ghb: what x86-TSO keeps in program order."""
    sk = x.sk
    out: Labelled = {}
    _add(out, _fencerel(x, Barrier.FULL), "mfence")
    locked = _locked(x)
    po_wr = restrict(sk.po, sk.W, sk.R)  # let poWR = WR(po)
    # let implied = MA(poWR) | AM(poWR)
    _add(out, union(restrict(po_wr, locked, sk.R), restrict(po_wr, sk.W, locked)), "implied")
    # let po_ghb = WW(po) | RM(po)
    _add(out, union(restrict(sk.po, sk.W, sk.W), restrict(sk.po, sk.R, sk.M)), "ppo")
    return out


def tso_ghb(x: Execution) -> Labelled:
    out = _com(x, ext_only=("rf",))  # rfe | fr | co
    for pair, label in tso_local(x).items():
        out.setdefault(pair, label)
    return out


TSO_AXIOMS = (
    _acyclic("uniproc", "acyclic po-loc | amo | com",
             lambda x: _po_loc_com(x, x.sk.rmw, "rmw")),  # fmt: skip
    _atomic("atomic", "empty rmw & (fre; coe)", external=True),
    _acyclic("tso", "acyclic ghb (mfence | implied | po_ghb | rfe | fr | co)", tso_ghb),
)


# -- SC -------------------------------------------------------------------------------------


def sc_local(x: Execution) -> Labelled:
    sk = x.sk
    out: Labelled = {}
    _add(out, restrict(sk.po, sk.M, sk.M), "po")
    return out


def sc_order(x: Execution) -> Labelled:
    return {**sc_local(x), **_com(x)}  # a pair that is both keeps its rf/co/fr name


SC_AXIOMS = (
    _acyclic("internal", "acyclic po-loc | ca | rf", _po_loc_com),
    _atomic("atomic", "empty rmw & (fr; co)", external=False),
    Axiom("exclusive", "a failed store-exclusive's monitor was broken", _monitors),
    _acyclic("sc", "acyclic po | rf | co | fr", sc_order),
)


# -- ARMv7 (arm.cat) -------------------------------------------------------------------------


def armv7_local(x: Execution) -> Labelled:
    """arm.cat's ppo and its (all strong) barriers: what ARMv7 keeps in program order."""
    static = arm_cat.armv7_static(x.sk)
    out: Labelled = {}
    _add(out, static["dmb"], "dmb")
    _add(out, static["dmb.st"], "dmb.st")
    _add(out, arm_cat.ppo(x), "ppo")
    return out


def armv7_hb(x: Execution) -> Labelled:
    out = _com(x, rels=("rf",), ext_only=("rf",))  # rfe
    for pair, label in armv7_local(x).items():
        out.setdefault(pair, label)
    return out


def armv7_propagation(x: Execution) -> Labelled:
    out = _com(x, rels=("co",))
    _add(out, arm_cat.prop(x, arm_cat.hb(x)), "prop")
    return out


def _armv7_observation(x: Execution) -> Violation | None:
    """irreflexive fre; prop; hb*: a read r, the write w it reads before (fre), an event e
    that w propagates before (prop), and an hb path from e back to r."""
    hb_edges = armv7_hb(x)  # hb = ppo | fence | rfe, labelled
    prop_ = arm_cat.prop(x, from_pairs(x.sk.n, hb_edges))
    ev = x.sk.events
    for r, w in pairs(x.fr):
        if ev[r].tid == ev[w].tid:
            continue
        for w2, e in pairs(prop_):
            if w2 != w:
                continue
            path = _path(hb_edges, e, r)
            if path is not None:
                return Violation("observation", "irreflexive fre; prop; hb*",
                                 ((r, w, "fre"), (w, e, "prop"), *path))  # fmt: skip
    return None


def _path(edges: Labelled, src: int, dst: int) -> tuple[tuple[int, int, str], ...] | None:
    """A shortest path src ->* dst over the edges (empty when src == dst)."""
    if src == dst:
        return ()
    succ: dict[int, list[int]] = {}
    for a, b in sorted(edges):
        succ.setdefault(a, []).append(b)
    parent = {src: src}
    queue = deque([src])
    while queue:
        node = queue.popleft()
        for b in succ.get(node, ()):
            if b in parent:
                continue
            parent[b] = node
            if b == dst:
                out = []
                while b != src:
                    out.append((parent[b], b, edges[(parent[b], b)]))
                    b = parent[b]
                return tuple(reversed(out))
            queue.append(b)
    return None


def _armv7_xx(x: Execution) -> Labelled:
    out = _com(x, rels=("co",))
    _add(out, arm_cat.armv7_static(x.sk)["xx"], "xx")
    return out


ARMV7_AXIOMS = (
    _acyclic("uniproc", "acyclic po-loc | rf | fr | co", _po_loc_com),
    _atomic("atomic", "empty rmw & (fre; coe)", external=True),
    Axiom("exclusive", "a failed store-exclusive's monitor was broken", _monitors),
    _acyclic("thinair", "acyclic hb (ppo | fence | rfe)", armv7_hb),
    _acyclic("propagation", "acyclic co | prop", armv7_propagation),
    Axiom("observation", "irreflexive fre; prop; hb*", _armv7_observation),
    _acyclic("scXX", "acyclic co | xx", _armv7_xx),
)


@dataclass(frozen=True)
class View:
    model: str  # the operational model it explains: arm, tso, sc, armv7
    axioms: tuple[Axiom, ...]
    local: Callable[[Execution], Labelled]  # the model's intra-thread order
    local_name: str  # how the graphs name it: lob, ppo, po
    register_deps: bool = False  # candidates with herd's register-only dependencies (arm.cat)

    def violations(self, x: Execution) -> list[Violation]:
        return [v for a in self.axioms if (v := a.check(x)) is not None]


VIEWS = {
    "arm": View("arm", ARM_AXIOMS, arm_local, "lob"),
    "tso": View("tso", TSO_AXIOMS, tso_local, "ppo"),
    "sc": View("sc", SC_AXIOMS, sc_local, "po"),
    "armv7": View("armv7", ARMV7_AXIOMS, armv7_local, "ppo", register_deps=True),
}
VIEWS["aarch32"] = VIEWS["arm"]  # A32 under ARMv8 rules: the same axioms


def view_for(model: str) -> View | None:
    return VIEWS.get(model)

