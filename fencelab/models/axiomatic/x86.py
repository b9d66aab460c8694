"""x86-TSO axiomatically, as herdtools7's `x86tso-mixed.cat` states it: the cross-check of the
operational `tso` model (fencelab/models/operational/tso.py), mixed-size accesses included.

Candidate executions come from the same machinery as the ARM checker (events.py,
candidates.py); a locked instruction's read and write are herd's `X` events (`amo`), MFENCE
is a full barrier. The axioms, quoted from the cat file:

    let ca = fr | co
    let obs = rfe | fre | coe
    let rec lob = po \\ ([W]; po; [R])
            | [W]; po; [MFENCE]; po; [R]
            | [W]; po; [R & X]
            | [W & X]; po; [R]
            | lob; lob
    let rec ob = obs; si | lob | ob; ob
    acyclic po-loc | ca | rf as internal
    irreflexive ob as external

plus the atomicity of locked instructions (`empty rmw & (fre; coe)`), which herd's x86tso.cat
states and x86tso-mixed.cat (herd/libdir, as stored at herdtools7 488d7b42) does not: with an
RMW's read and write outside po, as herd 7.57 builds them, nothing else there keeps another
write from coming between them. `obs; si` is
`Skeleton.sca` (what observes a byte of a read observes all of it); a write is one event, its
bytes single-copy atomic. Registered as `--model tso-axiomatic` (fencelab/models/registry.py):
herd7's counts for x86 tests, and the cross-check of `tso`.
"""

from __future__ import annotations

from fencelab.isa.arch import X86, X86_64
from fencelab.isa.insn import Barrier
from fencelab.models.axiomatic.arm import AxiomaticModel, arm_atomic, arm_internal, obs
from fencelab.models.axiomatic.candidates import Execution
from fencelab.models.relations import Rel, acyclic, ident, restrict, seq, union


def x86_lob(x: Execution) -> Rel:
    """lob, without its closure (the external axiom closes ob)."""
    sk = x.sk
    cached = sk.cache.get("x86-lob")
    if cached is None:
        R, W, M, po, n = sk.R, sk.W, sk.M, sk.po, sk.n  # noqa: N806 - herd's names
        X = sk.ids(lambda e: e.kind in "RW" and e.amo)  # noqa: N806
        mfence = ident(sk.ids(lambda e: e.kind == "F" and e.barrier is Barrier.FULL), n)
        cached = sk.cache["x86-lob"] = union(
            # po \ ([W]; po; [R]), between memory events
            restrict(po, W, M & ~R),
            restrict(po, M & ~W, M),
            seq(ident(W, n), po, mfence, po, ident(R, n)),
            restrict(po, W, R & X),
            restrict(po, W & X, R),
        )
    return cached  # type: ignore[return-value]


def x86_external(x: Execution) -> bool:
    """irreflexive ob as external, ob = (obs; si | lob)+"""
    return acyclic(union(obs(x), x86_lob(x)))


X86_TSO_MODEL = AxiomaticModel(
    "tso-axiomatic",
    lambda x: arm_internal(x) and arm_atomic(x),
    x86_external, arches=(X86_64, X86),
)  # fmt: skip
