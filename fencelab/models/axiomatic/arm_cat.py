"""ARMv7 axiomatically, as herdtools7's `arm.cat` states it (Alglave, Maranget, Tautschnig,
"Herding cats", TOPLAS 2014, §8): the non-multicopy-atomic model herd7 uses for ARM tests.

The independent check on the operational `armv7` model (fencelab/models/operational/armv7/):
candidate executions come from the same machinery as the aarch64.cat checker
(fencelab/models/axiomatic/events.py, candidates.py), with herd's register-only dependencies
(`register_deps`: `dd = (rf-reg | iico_data)+`, no `lrs` through memory), and the axioms below
keep the consistent ones. Each relation is quoted from the cat files above its Python line:
arm.cat (herdtools7 commit 18b71ddb), which includes cos.cat, armfences.cat, ppo.cat and
ppc-checks.cat:

    acyclic po-loc | rf | fr | co as uniproc
    empty rmw & (fre;coe) as atomic
    let dd = addr | data
    let rdw = po-loc & (fre;rfe)
    let detour = po-loc & (coe;rfe)
    let addrpo = addr;po
    let ci0 = ctrlisb | detour     let ii0 = dd | rfi | rdw
    let cc0 = dd | ctrl | addrpo   let ic0 = 0
    (ppo.cat) let rec ci = ci0 | (ci;ii) | (cc;ci)
              and ii = ii0 | ci | (ic;ci) | (ii;ii)
              and cc = cc0 | ci | (ci;ic) | (cc;cc)
              and ic = ic0 | ii | cc | (ic;cc) | (ii;ic)
              let ppo = ii & (R*R) | ic & (R*W)
    let dmb.st = dmb.st & WW   let strong = dmb|dsb|dmb.st|dsb.st   let light = 0
    (ppc-checks.cat) let fence = strong|light
    let hb = ppo | fence | rfe            acyclic hb as thinair
    let propbase = (fence|(rfe;fence));hb*
    let chapo = rfe|fre|coe|(fre;rfe)|(coe;rfe)
    let prop = propbase & (W * W) | (chapo? ; propbase*; strong; hb*)
    acyclic co|prop as propagation
    irreflexive fre;prop;hb* as observation
    let xx = po & (EX * EX)               acyclic co | xx as scXX

`fencerel(B)` is `(po & (_ * B)); po`; it is restricted here to memory events at both ends (a
fence event between two fences relates nothing the axioms read). `ctrlisb` is herd's
`ctrlcfence(ISB)`: a control dependency to an ISB, then po. `EX` are the exclusive accesses
(LDREX reads, successful STREX writes). Barrier options and ARMv8-only instructions: see
fencelab/models/armv7_scope.py (every DMB/DSB option is the barrier of one inner-shareable
domain; LDA/STL and DMB LD are refused). A store-exclusive fails spuriously where its thread
has no loop, as in herd (`altT` in ARMSem.ml's STREX); in a retry loop only when its
load-exclusive's location was written coherence-after what it read (`monitors_broken`).
"""

from __future__ import annotations

from fencelab.errors import CodeError
from fencelab.isa.insn import Barrier, Kind
from fencelab.models.armv7_scope import armv7_refusal
from fencelab.models.axiomatic.candidates import Execution, Skeleton
from fencelab.models.relations import (
    Rel,
    acyclic,
    ident,
    inter,
    irreflexive,
    plus,
    restrict,
    seq,
    union,
)


def _star_then(r: Rel, s: Rel) -> Rel:
    """`r*; s`"""
    return union(s, seq(plus(r), s)) if any(r) and any(s) else list(s)


def _opt_then(r: Rel, s: Rel) -> Rel:
    """`r?; s`"""
    return union(s, seq(r, s)) if any(r) and any(s) else list(s)


def _then_star(s: Rel, r: Rel) -> Rel:
    """`s; r*`"""
    return union(s, seq(s, plus(r))) if any(r) and any(s) else list(s)


def armv7_static(sk: Skeleton) -> dict[str, Rel]:
    """The rf/co-independent relations of arm.cat, computed once per skeleton."""
    cached = sk.cache.get("armv7")
    if cached is not None:
        return cached  # type: ignore[return-value]
    ev = sk.events
    for e in ev:
        why = armv7_refusal(e.info) if e.info is not None else None
        if why:
            raise CodeError(e.info.address, e.info.text, f"model armv7 cannot run it: {why}")
    R, W, M, po, n = sk.R, sk.W, sk.M, sk.po, sk.n

    def fences(*kinds: Barrier) -> int:
        return sk.ids(lambda e: e.kind == "F" and e.barrier in kinds)

    # armfences.cat: let dmb = fencerel(DMB), dsb = fencerel(DSB) (every option: one domain)
    full = fences(Barrier.FULL)
    # let dmb.st = fencerel(DMB.ST) ... let dmb.st = dmb.st & WW
    store = fences(Barrier.STORE)
    isb = fences(Barrier.ISB)
    dmb = seq(ident(M, n), po, ident(full, n), po, ident(M, n))
    dmb_st = seq(ident(W, n), po, ident(store, n), po, ident(W, n))
    # let strong = dmb|dsb|dmb.st|dsb.st ; let fence = strong|light (light = 0)
    strong = union(dmb, dmb_st)
    # let ctrlisb = try ctrlcfence(ISB) with 0
    ctrlisb = restrict(seq(restrict(sk.ctrl, R, isb), po), R, M)
    # let dd = addr | data ; let addrpo = addr;po ; let cc0 = dd | ctrl | addrpo
    dd = union(sk.addr, sk.data)
    addrpo = restrict(seq(sk.addr, po), R, M)
    cc0 = union(dd, restrict(sk.ctrl, R, M), addrpo)
    # let xx = po & (EX * EX)
    ex = sk.ids(lambda e: e.kind in "RW" and e.info is not None
                and e.info.kind in (Kind.LOAD_EXCL, Kind.STORE_EXCL))  # fmt: skip
    xx = restrict(po, ex, ex)
    out = {"strong": strong, "dmb": dmb, "dmb.st": dmb_st, "ctrlisb": ctrlisb, "dd": dd,
           "cc0": cc0, "xx": xx}
    sk.cache["armv7"] = out
    return out


def ppo(x: Execution) -> Rel:
    """ppo.cat's fixpoint over ii / ic / ci / cc from arm.cat's initial values."""
    sk = x.sk
    static = armv7_static(sk)
    rfe, rfi = sk.ext(x.rf), sk.int_(x.rf)
    fre, coe = sk.ext(x.fr), sk.ext(x.co)
    # let rdw = po-loc & (fre;rfe) ; let detour = po-loc & (coe;rfe)
    rdw = inter(sk.po_loc, seq(fre, rfe))
    detour = inter(sk.po_loc, seq(coe, rfe))
    ci0 = union(static["ctrlisb"], detour)  # let ci0 = ctrlisb | detour
    ii0 = union(static["dd"], rfi, rdw)  # let ii0 = dd | rfi | rdw
    cc0 = static["cc0"]
    ci, ii, cc, ic = ci0, ii0, cc0, [0] * sk.n  # ic0 = 0
    while True:
        ci2 = union(ci0, seq(ci, ii), seq(cc, ci))
        ii2 = union(ii0, ci2, seq(ic, ci2), seq(ii, ii))
        cc2 = union(cc0, ci2, seq(ci2, ic), seq(cc, cc))
        ic2 = union(ii2, cc2, seq(ic, cc2), seq(ii2, ic))
        if (ci2, ii2, cc2, ic2) == (ci, ii, cc, ic):
            break
        ci, ii, cc, ic = ci2, ii2, cc2, ic2
    # let ppo = let ppoR = ii & (R * R) and ppoW = ic & (R * W) in ppoR | ppoW
    return union(restrict(ii, sk.R, sk.R), restrict(ic, sk.R, sk.W))


def hb(x: Execution) -> Rel:
    """`let hb = ppo | fence | rfe` (fence = strong: every ARM barrier is strong)."""
    return union(ppo(x), armv7_static(x.sk)["strong"], x.sk.ext(x.rf))


def prop(x: Execution, hb_: Rel) -> Rel:
    """`let prop = propbase & (W * W) | (chapo? ; propbase*; strong; hb*)`."""
    sk = x.sk
    strong = fence = armv7_static(sk)["strong"]
    rfe, fre, coe = sk.ext(x.rf), sk.ext(x.fr), sk.ext(x.co)
    # let propbase = (fence|(rfe;fence));hb*
    propbase = _then_star(union(fence, seq(rfe, fence)), hb_)
    # let chapo = rfe|fre|coe|(fre;rfe)|(coe;rfe)
    chapo = union(rfe, fre, coe, seq(fre, rfe), seq(coe, rfe))
    return union(restrict(propbase, sk.W, sk.W),
                 _opt_then(chapo, _star_then(propbase, _then_star(strong, hb_))))


def observation_pairs(x: Execution, prop_: Rel, hb_: Rel) -> Rel:
    """`fre; prop; hb*`: irreflexive in a consistent execution (observation)."""
    return seq(x.sk.ext(x.fr), _then_star(prop_, hb_))


def armv7_external(x: Execution) -> bool:
    """thinair, propagation, observation and scXX on a complete candidate."""
    # acyclic hb as thinair
    hb_ = hb(x)
    if not acyclic(hb_):
        return False
    # acyclic co|prop as propagation
    prop_ = prop(x, hb_)
    if not acyclic(union(x.co, prop_)):
        return False
    # irreflexive fre;prop;hb* as observation
    if not irreflexive(observation_pairs(x, prop_, hb_)):
        return False
    # acyclic co | xx as scXX
    return acyclic(union(x.co, armv7_static(x.sk)["xx"]))
