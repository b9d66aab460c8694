"""The ARMv8 memory model (AArch64, and A32 under AArch32), axiomatically, as herdtools7's
`aarch64.cat` states it.

An independent check on the operational `arm` model (Promising-ARM): the same machine code,
run thread by thread on Unicorn with chosen read values (fencelab/models/axiomatic/events.py),
gives candidate executions (fencelab/models/axiomatic/candidates.py); the axioms below keep the
consistent ones, and the outcomes of those are the test's final states.

The axioms transcribe herd/libdir/aarch64.cat and the files it includes (cos.cat,
aarch64fences.cat, aarch64deps.cat, aarch64hwreqs.cat), restricted to explicit accesses to
normal memory: every event is `Exp`, `M = R | W`. Each relation is quoted from the cat file
above its Python line. Out of scope, and said so here rather than modelled wrongly:

- mixed-size accesses (herd's -variant mixed): a read of a location accessed with several
  sizes or offsets is one event per byte, a write one event over its bytes (single-copy
  atomic); rf, co and fr are chosen per byte (candidates.py); `internal` judges accesses
  (`Skeleton.lift`) and `obs` reaches every byte of a read (`Skeleton.sca`: herd's
  `obs; sca-class?`). Unaligned accesses are refused;
- tags / MTE (`T`, `Tag`, `tc-ib`), virtual memory (`PTE`, `TLBI`, `HU`, `tr-ib`, the `vmsa`
  variant), instruction fetch (`ifetch`, `DC`, `IC`), exceptions (`EXC-ENTRY`/`EXC-RET`): the
  tests here have none of those events, so those sets are empty;
- every shareability domain is the common inner-shareable one
  (`Assuming-common-inner-shareable-domain`).

A DSB is not a DMB: aarch64fences.cat counts each DSB as the DMB of its kind (`dmb.st` includes
`dsb.st`), and aarch64hwreqs.cat adds `DSB-ob`, where a DSB ST also orders the writes before it
with every later access, reads included (a DMB ST orders them with later writes only). A DSB
LD or SY adds nothing to its DMB once every event is an explicit access.

The current files are quoted from herdtools7 (aarch64hwreqs.cat at commit 4730d550,
aarch64deps.cat at 46173ad7). Pick dependencies (`pob`, `pick-lob`: a dependency that passes
through a CSEL's condition, a CAS's compare or an A32 predicated instruction's condition) come
from the event builder as the `pick_addr`/`pick_dep`/`pick_ctrl` relations, with herd's
instruction semantics for CSEL, CAS and A32 predication (fencelab/models/axiomatic/events.py). A32 (herd `ARM`) tests run under the same axioms:
ARMv8 AArch32 has the AArch64 memory model (Arm ARM E2.3), multicopy-atomic like AArch64.

Two versions of the file are implemented: `arm` (the current aarch64.cat, with `lrs`/`lws`,
`IFB-ob`, `haz-ob` and `pob`) and `arm-2019` (aarch64.cat at herdtools7 commit e4423d12, with
`coi`/`rfi` in dob/aob and `po; ([A];amo;[L]); po` in bob), the version Promising-ARM
(Pulte et al., PLDI 2019) was proved equivalent to. They differ on acquire-release atomics: the
current bob orders an AL atomic's write before everything po-after it (see
tests/models/test_arm_axiomatic.py, SB+rel-acq+swpal-po).

Sequential consistency is here too (`SC_MODEL`, `--model sc-axiomatic` for every hardware
architecture, x86 included): acyclic(po | rf | co | fr) plus rmw & (fr; co) = empty, herd's
`sc.cat` (catalogue/aarch64/cats/sc.cat: `empty rmw & (fre;coe)`, `acyclic po | fr | rf | co`).
It checks the candidate builder against the operational `sc` model, independently of
everything ARM-specific, and gives herd7's counts under `-model sc.cat`.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from fencelab.errors import FencelabError
from fencelab.isa.arch import AARCH64, ARM, X86, X86_64, Arch
from fencelab.isa.insn import Barrier
from fencelab.limits import DEFAULT_LIMITS, LimitReached, Limits
from fencelab.litmus.conditions import Outcome, filter_of, holds
from fencelab.machine.machine import DEFAULT_BUDGET
from fencelab.models.axiomatic.arm_cat import armv7_external
from fencelab.models.axiomatic.candidates import (
    Execution,
    LocationChoice,
    Skeleton,
    array_spans,
    combine,
    mixed_locations,
    per_location_choices,
    skeletons,
)
from fencelab.models.axiomatic.events import enumerate_paths
from fencelab.models.relations import (
    Rel,
    acyclic,
    ident,
    inter,
    is_empty,
    minus,
    plus,
    range_of,
    restrict,
    seq,
    union,
)
from fencelab.result import FinalState, TestResult

# ---------------------------------------------------------------------------------------------
# aarch64fences.cat / aarch64.cat: the event sets


def event_sets(sk: Skeleton) -> dict[str, int]:
    """herd's sets over the skeleton's events (all explicit, so `Exp & M` is just `M`), as
    event sets (fencelab/models/relations.py)."""

    def fences(*kinds: Barrier) -> int:
        return sk.ids(lambda e: e.kind == "F" and e.barrier in kinds)

    return {
        "R": sk.R,
        "W": sk.W,
        "M": sk.M,
        # let A = A & (Exp & M); let L = L & (Exp & M); let Q = Q & (Exp & M)
        "A": sk.ids(lambda e: e.kind == "R" and e.acquire),
        "Q": sk.ids(lambda e: e.kind == "R" and e.acquire_pc),
        "L": sk.ids(lambda e: e.kind == "W" and e.release),
        "NoRet": sk.ids(lambda e: e.kind == "R" and e.noret),
        # herd's NT (non-temporal) reads: LDNP's
        "NT": sk.ids(lambda e: e.kind == "R" and e.info is not None and e.info.non_temporal),
        # let dmb.full = DMB.ISH | DMB.OSH | DMB.SY | dsb.full   (likewise .ld and .st)
        "dmb.full": fences(Barrier.FULL),
        "dmb.ld": fences(Barrier.LOAD),
        "dmb.st": fences(Barrier.STORE),
        "dsb.st": sk.ids(lambda e: e.kind == "F" and e.barrier is Barrier.STORE and e.info.is_dsb),
        # let IFB = ISB | EXC-ENTRY-IFB | EXC-RET-IFB   (no exceptions here)
        "ISB": fences(Barrier.ISB),
    }


# ---------------------------------------------------------------------------------------------
# The ARM axioms


def lob_parts(sk: Skeleton) -> list[tuple[str, Rel]]:
    """The clauses whose union's transitive closure is `lob`, each with a short name (the
    execution graphs label ob edges with them): lws, dob, pob, aob and bob, clause by clause."""
    cached = sk.cache.get("arm-parts")
    if cached is not None:
        return cached  # type: ignore[return-value]
    S = event_sets(sk)
    R, W, M, A, Q, L = S["R"], S["W"], S["M"], S["A"], S["Q"], S["L"]
    po, po_loc, addr, data, ctrl, rmw = sk.po, sk.po_loc, sk.addr, sk.data, sk.ctrl, sk.rmw
    n, everything = sk.n, (1 << sk.n) - 1
    # amo: the rmw pairs of single-instruction RMWs (lxsx are the exclusive pairs)
    amo = restrict(rmw, sk.ids(lambda e: e.amo), everything)

    # let intervening(S,r) = r; [S]; r
    intervening_write = seq(po_loc, ident(W, n), po_loc)
    # let lrs = [W]; (po-loc \ intervening-write(po-loc)); [R]     (Local read successor)
    lrs = restrict(minus(po_loc, intervening_write), W, R)
    # let lws = [M]; po-loc; [W]                                   (Local write successor)
    lws = restrict(po_loc, M, W)

    # let dob = addr | data
    #         | ctrl; [W]
    #         | addr; [M]; po; [W]
    #         | (addr | data); [M]; lrs; [R]
    # where an address dependency that ends in a non-temporal read (LDNP) orders nothing:
    # Arm ARM C3.2.9, "If an address dependency exists between two memory reads, and a load
    # non-temporal pair instruction generated the second read, then in the absence of any
    # other barrier mechanism ... those memory accesses can be observed in any order" (herd's
    # AArch64 L070 is Allowed). It still orders what its `addr; po` clauses order.
    dob = [
        ("addr", restrict(addr, everything, everything & ~S["NT"])),
        ("data", data),
        ("ctrl", seq(ctrl, ident(W, n))),
        ("addr;po", seq(addr, ident(M, n), po, ident(W, n))),
        ("dob", seq(union(addr, data), ident(M, n), lrs, ident(R, n))),
    ]
    # let pob = [Exp]; (pick-dep; [W]
    #         | (pick-ctrl-dep | pick-addr-dep; [Exp]; po); [CSE]; po; [M]
    #         | pick-addr-dep; [M & Exp]; po; [W])
    # with pick-dep = (pick-basic-dep | pick-addr-dep | pick-data-dep | pick-ctrl-dep)
    #                 \ same-instance   (aarch64deps.cat; the last three are in the first
    #                 but for pick-ctrl-dep = pick-basic-dep; [BCC]; po)
    isb = ident(S["ISB"], n)
    pick_addr, pick_ctrl = sk.pick_addr, sk.pick_ctrl
    pob = union(
        restrict(union(sk.pick_dep, pick_ctrl), R, W),
        seq(ident(R, n), union(pick_ctrl, seq(pick_addr, po)), isb, po, ident(M, n)),
        seq(ident(R, n), pick_addr, ident(M, n), po, ident(W, n)),
    )

    # let aob = [M]; rmw; [M]
    #         | [M]; rmw; lrs; [A | Q]
    aob = [("rmw", list(rmw)), ("aob", seq(rmw, lrs, ident(A | Q, n)))]

    # let bob = [M]; po; [dmb.full]; po; [M]
    #         | [R \ NoRet]; po; [dmb.ld]; po; [M]
    #         | [W]; po; [dmb.st]; po; [W]
    #         | [range([A]; amo; [L])]; po; [M]
    #         | [L]; po; [A]
    #         | [A | Q]; po; [M]
    #         | [M]; po; [L]
    amo_al = range_of(restrict(amo, A, L))
    bob = [
        ("dmb.full", seq(ident(M, n), po, ident(S["dmb.full"], n), po, ident(M, n))),
        ("dmb.ld", seq(ident(R & ~S["NoRet"], n), po, ident(S["dmb.ld"], n), po, ident(M, n))),
        ("dmb.st", seq(ident(W, n), po, ident(S["dmb.st"], n), po, ident(W, n))),
        ("amo.AL;po", restrict(po, amo_al, M)),
        ("L;po;A", restrict(po, L, A)),
        ("A;po", restrict(po, A | Q, M)),
        ("po;L", restrict(po, M, L)),
    ]
    parts = [*dob, ("pob", pob), *aob, *bob, ("lws", lws)]
    sk.cache["arm-parts"] = parts
    return parts


def arm_static(sk: Skeleton) -> tuple[Rel, Rel, Rel]:
    """The rf/co-independent part of ob: (lob, IFB-ob, DSB-ob), computed once per skeleton."""
    cached = sk.cache.get("arm")
    if cached is not None:
        return cached  # type: ignore[return-value]
    S = event_sets(sk)
    R, W, M, po, ctrl, addr = S["R"], S["W"], S["M"], sk.po, sk.ctrl, sk.addr
    n = sk.n
    isb = ident(S["ISB"], n)
    # let rec lob = lws; si | dob | pob | aob | bob | lob; lob     (Locally-ordered-before)
    lob = plus(union(*(rel for _, rel in lob_parts(sk))))
    # let pick-lob = pick-basic-dep; lob; [W]     (hw-reqs: [M & Exp]; (lob | pick-lob); ...)
    lob = union(lob, seq(sk.pick_dep, lob, ident(W, n)))

    # let IFB-ob = [R]; ctrl; [IFB]; po
    #            | [R]; addr; [M]; po; [IFB]; po                   (in hw-reqs)
    ifb_ob = union(
        seq(ident(R, n), ctrl, isb, po),
        seq(ident(R, n), addr, ident(M, n), po, isb, po),
    )
    # let DSB-ob = [M]; po; [dsb.full]; po; [~Imp]        (aarch64hwreqs.cat, explicit events:
    #            | [R \ NoRet]; po; [dsb.ld]; po; [~Imp]   the first two are already in bob
    #            | [W]; po; [dsb.st]; po; [~Imp]          through dmb.full and dmb.ld)
    dsb_ob = seq(ident(W, n), po, ident(S["dsb.st"], n), po, ident(M, n))
    sk.cache["arm"] = (lob, ifb_ob, dsb_ob)
    return sk.cache["arm"]  # type: ignore[return-value]


def arm_internal(x: Execution) -> bool:
    """acyclic po-loc | ca | rf as internal"""
    return acyclic(x.sk.lift(union(x.sk.po_loc, x.ca, x.rf)))


def arm_atomic(x: Execution) -> bool:
    """empty rmw & (fre; coe) as atomic"""
    if not any(x.sk.rmw):
        return True
    fre, coe = x.sk.ext(x.fr), x.sk.ext(x.co)
    return is_empty(inter(x.sk.rmw, seq(fre, coe)))


def monitors_broken(x: Execution) -> bool:
    """A store-exclusive that may not fail spuriously failed: its load-exclusive's location
    must have been written coherence-after the write it read (the monitor was cleared)."""
    read = range_of(x.rf)  # the reads that read something
    return all(x.fr[r] for r in x.sk.must_break if (read >> r) & 1)


def obs(x: Execution) -> Rel:
    """let obs = rfe | fre | coe      (Exp-obs: [Exp & M]; (rf | ca) & ext; [Exp & M])
    With mixed-size accesses, herd's current file reads `obs = Exp-obs; sca-class?`: what
    observes one byte of a read observes all of its bytes (a read is single-copy atomic)."""
    return x.sk.sca(union(x.sk.ext(x.rf), x.sk.ext(x.fr), x.sk.ext(x.co)))


def arm_ob(x: Execution) -> Rel:
    """The edges whose transitive closure is herd's `ob` (irreflexive ob  <=>  acyclic edges)."""
    sk = x.sk
    lob, ifb_ob, dsb_ob = arm_static(sk)
    # let Exp-haz-ob = [Exp & R]; po-loc; [Exp & R]; (ca & ext); [Exp & W]
    haz_ob = seq(restrict(sk.po_loc, sk.R, sk.R), restrict(sk.ext(x.ca), sk.R, sk.W))
    # let rec ob = obs | haz-ob | lob | DSB-ob | IFB-ob | ob; ob    (hw-reqs)
    return union(obs(x), haz_ob, lob, dsb_ob, ifb_ob)


def arm_external(x: Execution) -> bool:
    """irreflexive ob as external"""
    return acyclic(arm_ob(x))


# ---------------------------------------------------------------------------------------------
# The 2019 version: herd/libdir/aarch64.cat at herdtools7 commit e4423d12 ("version number
# 09aed6e817fe911d1c93ed0390f59e1037fc7dda"), the model Promising-ARM was proved equal to.
# It differs from the current one in dob (ISB, coi/rfi instead of lrs/lws), aob (rfi instead
# of lrs) and bob (an AL atomic orders what is po-before it with what is po-after it, but not
# its own write with what follows).


def arm2019_static(sk: Skeleton) -> Rel:
    """The rf/co-independent edges of the 2019 `lob`."""
    cached = sk.cache.get("arm-2019")
    if cached is not None:
        return cached  # type: ignore[return-value]
    S = event_sets(sk)
    R, W, A, Q, L = S["R"], S["W"], S["A"], S["Q"], S["L"]
    po, addr, data, ctrl, rmw = sk.po, sk.addr, sk.data, sk.ctrl, sk.rmw
    n, everything = sk.n, (1 << sk.n) - 1
    amo = restrict(rmw, sk.ids(lambda e: e.amo), everything)
    # let dob = addr | data
    #         | ctrl; [W]
    #         | (ctrl | (addr; po)); [ISB]; po; [R]
    #         | addr; po; [W]
    #         | (ctrl | data); coi                  (in arm2019_dynamic)
    #         | (addr | data); rfi                  (in arm2019_dynamic)
    dob = union(
        addr,
        data,
        seq(ctrl, ident(W, n)),
        seq(union(ctrl, seq(addr, po)), ident(S["ISB"], n), po, ident(R, n)),
        seq(addr, po, ident(W, n)),
    )
    # let aob = rmw
    #         | [range(rmw)]; rfi; [A | Q]          (in arm2019_dynamic)
    aob = list(rmw)
    # let bob = po; ([dmb.full] | ([A];amo;[L])); po
    #         | [L]; po; [A]
    #         | [R\NoRet]; po; [dmb.ld]; po
    #         | [A | Q]; po
    #         | [W]; po; [dmb.st]; po; [W]
    #         | po; [L]
    #         | po; [L]; coi                        (in arm2019_dynamic)
    amo_al = restrict(amo, A, L)
    bob = union(
        seq(po, union(ident(S["dmb.full"], n), amo_al), po),
        restrict(po, L, A),
        seq(ident(R & ~S["NoRet"], n), po, ident(S["dmb.ld"], n), po),
        seq(ident(A | Q, n), po),
        seq(ident(W, n), po, ident(S["dmb.st"], n), po, ident(W, n)),
        seq(po, ident(L, n)),
    )
    # let rec lob = dob | aob | bob | lob; lob
    static = plus(union(dob, aob, bob))
    sk.cache["arm-2019"] = static
    return static


def arm2019_ob(x: Execution) -> Rel:
    sk = x.sk
    S = event_sets(sk)
    n = sk.n
    coi, rfi = sk.int_(x.co), sk.int_(x.rf)
    dynamic = union(
        seq(union(sk.ctrl, sk.data), coi),  # (ctrl | data); coi
        seq(union(sk.addr, sk.data), rfi),  # (addr | data); rfi
        seq(ident(range_of(sk.rmw), n), rfi, ident(S["A"] | S["Q"], n)),  # [range(rmw)]; rfi; [A|Q]
        seq(sk.po, ident(S["L"], n), coi),  # po; [L]; coi
    )
    # let rec ob = obs | lob | ob; ob
    return union(obs(x), arm2019_static(sk), dynamic)


def arm2019_external(x: Execution) -> bool:
    """irreflexive ob as external"""
    return acyclic(arm2019_ob(x))


# ---------------------------------------------------------------------------------------------
# Sequential consistency, for checking the candidate builder


def sc_atomic(x: Execution) -> bool:
    """empty rmw & (fr; co): nothing writes the location between an RMW's read and write."""
    return not any(x.sk.rmw) or is_empty(inter(x.sk.rmw, seq(x.fr, x.co)))


def sc_order(x: Execution) -> bool:
    """acyclic po | rf | co | fr"""
    return acyclic(x.sk.lift(union(x.sk.po, x.rf, x.co, x.fr)))


# ---------------------------------------------------------------------------------------------
# Models and the checker


@dataclass(frozen=True)
class AxiomaticModel:
    name: str  # the engine name in results
    per_location: Callable[[Execution], bool]  # axioms that only relate same-location events
    whole: Callable[[Execution], bool]  # the rest, on complete candidates
    register_deps: bool = False  # herd's older dependencies (arm.cat): registers only
    # the code it judges (ARM: A32 code, under the ARMv8 AArch32 model the same axioms)
    arches: tuple[Arch, ...] = (AARCH64, ARM)
    mixed_size: bool = True  # does it judge mixed-size accesses (herd's -variant mixed)?

    def check_paths(self, program, paths) -> None:
        """Refuse a test with mixed-size accesses where the model has no mixed-size version."""
        if not self.mixed_size and mixed_locations(program, paths):
            raise FencelabError(f"{program.test.name}: {self.name} (arm.cat) has no mixed-size "
                                "version: a byte/half-word/word access inside a location, or "
                                "accesses of two sizes to one location, are not covered")


ARM_MODEL = AxiomaticModel(
    "arm-axiomatic",
    lambda x: arm_internal(x) and arm_atomic(x) and monitors_broken(x),
    arm_external,
)
ARM_2019_MODEL = AxiomaticModel(
    "arm-2019-axiomatic",
    lambda x: arm_internal(x) and arm_atomic(x) and monitors_broken(x),
    arm2019_external,
)
SC_MODEL = AxiomaticModel(  # herdtools7's sc.cat; `--model sc-axiomatic` (registry.py)
    "sc-axiomatic",
    lambda x: arm_internal(x) and sc_atomic(x) and monitors_broken(x),
    sc_order, arches=(X86_64, X86, AARCH64, ARM),
)  # fmt: skip
ARMV7_MODEL = AxiomaticModel(  # arm.cat (fencelab/models/axiomatic/arm_cat.py)
    "armv7-axiomatic",
    lambda x: arm_internal(x) and arm_atomic(x) and monitors_broken(x),
    armv7_external, register_deps=True, arches=(ARM,), mixed_size=False,
)  # fmt: skip
MODELS = {"arm": ARM_MODEL, "arm-2019": ARM_2019_MODEL, "armv7": ARMV7_MODEL, "sc": SC_MODEL}


def _model(name: str | AxiomaticModel) -> AxiomaticModel:
    if isinstance(name, AxiomaticModel):  # one not in MODELS (x86.py's tso-axiomatic)
        return name
    if name not in MODELS:
        raise FencelabError(f"unknown axiomatic model {name!r}; valid: {', '.join(MODELS)}")
    return MODELS[name]


def _check_arch(program, arches: tuple[Arch, ...]) -> None:
    """The loaded program's code (its target's architecture) is what the model judges."""
    if program.target.arch not in arches:
        raise FencelabError(
            f"{program.test.name}: this axiomatic checker runs "
            f"{' and '.join(a.name for a in arches)} tests, not {program.test.arch}"
        )


def consistent_executions(
    program, model: str = "arm", budget: int = DEFAULT_BUDGET
) -> Iterator[Execution]:
    """Every consistent candidate execution (no deduplication by outcome)."""
    m = _model(model)
    _check_arch(program, m.arches)
    paths, _ = enumerate_paths(program, budget, register_deps=m.register_deps)
    m.check_paths(program, paths)
    for sk in skeletons(program, paths):
        per_loc = [per_location_choices(sk, loc, m.per_location) for loc in range(sk.n_locations)]
        for choice in itertools.product(*per_loc):
            x = Execution(sk, *combine(sk.n, choice))
            if m.whole(x):
                yield x


def outcome_of(program, sk: Skeleton, finals: tuple[int, ...]) -> Outcome:
    """The final state: the paths' registers and each location's final bytes (`finals`, raw;
    `Program.final_memory` splits a pair group's value into its elements)."""
    memory = program.final_memory(dict(enumerate(finals)))
    threads = [path.final for path in sk.paths]
    return tuple(
        (obs, program.value_of(obs, program.raw_value(obs, threads, memory)))
        for obs in program.observables
    )


def run_axiomatic(program, model: str = "arm", budget: int = DEFAULT_BUDGET,
                  limits: Limits = DEFAULT_LIMITS, counts: bool = True) -> TestResult:  # fmt: skip
    """The test's outcomes under an axiomatic model: `arm` (current aarch64.cat), `arm-2019`
    (the 2019 aarch64.cat), `armv7` (arm.cat, fencelab/models/axiomatic/arm_cat.py) or `sc`.
    Engine names: arm-axiomatic, arm-2019-axiomatic, armv7-axiomatic, sc-axiomatic; mode
    "axiomatic"; `explored_states` counts the candidates checked in full. With `counts`
    every candidate is checked, and the allowed ones counted as herd counts them
    (`TestResult.executions`, each weighing its paths' `weight`); without, an outcome is
    found once (its first allowed candidate) and outcomes already found are skipped. At a limit
    (instructions of the thread paths, candidates checked, memory) it stops with the outcomes
    found (`partial`)."""
    m = _model(model)
    _check_arch(program, m.arches)
    if m.mixed_size:  # byte by byte: an array is one location (narrowed below)
        program = program.whole_arrays()
    started = time.perf_counter()
    result = TestResult(test=program.test, engine=m.name, target=program.target.name,
                        mode="axiomatic")  # fmt: skip
    meter = limits.meter("candidate")
    found: dict[Outcome, None] = {}
    checked = 0
    tally = [0, 0]  # herd's pos, neg: the allowed candidates that satisfy the condition, not
    prop = program.test.condition.prop
    keep = filter_of(program.test)  # herd: an execution the filter fails is not counted
    try:
        paths, result.budget_exhausted = enumerate_paths(
            program, budget, register_deps=m.register_deps, meter=limits.meter("path step"),
            defer_faults=True)
        if program.parted is not None:  # hold together only the elements an access joins:
            # an array's elements accessed apart stay apart, without per-byte rf and co
            narrowed = program.parted.whole_arrays(array_spans(program, paths))
            if len(narrowed.locations) != len(program.locations):
                program = narrowed
                paths, result.budget_exhausted = enumerate_paths(
                    program, budget, register_deps=m.register_deps,
                    meter=limits.meter("path step"), defer_faults=True)  # fmt: skip
        m.check_paths(program, paths)
        for sk in skeletons(program, paths):
            # a path that faults: reported if an allowed execution takes it (whatever it shows)
            fault = next((p.fault for p in sk.paths if p.fault), None)
            weight = math.prod(p.weight for p in sk.paths)  # herd's executions per candidate
            for outcome, choices in _candidates(program, m, sk):
                if keep is not None:
                    outcome = keep(outcome)
                    if outcome is None:
                        continue
                if not counts and outcome in found and fault is None:
                    continue
                allowed = 0
                for rf, co, fr in choices:
                    result.partial = meter.over(checked)
                    if result.partial:
                        break
                    checked += 1
                    if m.whole(Execution(sk, rf, co, fr)):
                        if fault is not None:
                            raise fault  # an execution the model allows makes the access
                        allowed += weight
                        if not counts:
                            break
                if allowed:
                    found[outcome] = None
                    tally[not holds(prop, outcome)] += allowed
                if result.partial:
                    break
            if result.partial:
                break
    except LimitReached as e:
        result.partial = str(e)
    except MemoryError:
        result.partial = meter.out_of_memory(checked)
    result.states = [FinalState(o) for o in found]
    result.executions = (tally[0], tally[1]) if counts else None
    result.explored_states = checked
    result.seconds = time.perf_counter() - started
    return result


def _candidates(program, m: AxiomaticModel, sk: Skeleton):
    """Per outcome of one skeleton (its final values per location), its candidates' rf, co
    and fr."""
    per_loc = [per_location_choices(sk, loc, m.per_location) for loc in range(sk.n_locations)]
    by_final: list[dict[int, list[LocationChoice]]] = []
    for choices in per_loc:
        groups: dict[int, list[LocationChoice]] = {}
        for c in choices:
            groups.setdefault(c.final, []).append(c)
        by_final.append(groups)
    for finals in itertools.product(*(sorted(g) for g in by_final)):
        groups = [g[final] for g, final in zip(by_final, finals)]
        yield outcome_of(program, sk, finals), (combine(sk.n, c)
                                               for c in itertools.product(*groups))
