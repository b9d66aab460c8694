"""Lowering schemes: `default` (clang 14) and named overlays where real code differs.

A scheme other than `default` is an overlay: it overrides some entries on the targets it
applies to and falls back to `default` for everything else (the entry then says
`scheme="default"`, so a reader sees where each sequence came from). Like the default, an
overlay is a table by target family (`Target.family`): one function per family it changes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from fencelab.atomics import Op, Order
from fencelab.lowering import aarch64, armv7, x86_64
from fencelab.lowering.template import Entry

if TYPE_CHECKING:
    from fencelab.isa.target import Target

Override = Callable[["Target", Op, Order, "Order | None", "int | None"], "Entry | None"]
ARM_TARGETS = ("armv7", "armv8", "armv8.1", "armv8.3")
ALL_TARGETS = ("x86_64", *ARM_TARGETS)


@dataclass(frozen=True)
class Scheme:
    name: str
    targets: tuple[str, ...]  # names of the targets the scheme is written for
    summary: str
    overrides: Mapping[str, Override] = field(default_factory=dict, compare=False)  # by family

    def covers(self, target: Target) -> bool:
        """Is the scheme written for `target`?"""
        return target.name in self.targets

    def override(self, target: Target, op: Op, order: Order, failure: Order | None,
                 width: int | None) -> Entry | None:  # fmt: skip
        """The scheme's own entry for one operation on a target it covers, or None (default)."""
        own = self.overrides.get(target.family)
        return own(target, op, order, failure, width) if own else None


# clang's lowering, one module per target family (x86_64.py, armv7.py, aarch64.py)
_DEFAULT: dict[str, Override] = {
    "x86_64": lambda t, op, order, failure, width: x86_64.build(op, order, failure, width),
    "armv7": lambda t, op, order, failure, width: armv7.build(op, order, failure, width),
    "aarch64": lambda t, op, order, failure, width: aarch64.build(
        op, order, failure, width, lse="lse" in t.features),
}  # fmt: skip


def default_entry(target: Target, op: Op, order: Order, failure: Order | None,
                  width: int | None) -> Entry:  # fmt: skip
    """clang 14 -O2 with inline atomics (GCC 12 agrees except where `gcc` overrides)."""
    return _DEFAULT[target.family](target, op, order, failure, width)


# -- x86-mfence ------------------------------------------------------------------------------
def _x86_mfence(target, op, order, failure, width):
    if op is Op.STORE and order is Order.SEQ_CST:
        return x86_64.mfence_seqcst_store(
            width, "x86-mfence",
            "mov, then mfence so no later load passes the store (store buffering); correct "
            "but slower than xchg - GCC's mapping before ~2013 and some JITs'",
        )
    return None


# -- gcc -------------------------------------------------------------------------------------
def _gcc_armv7(target, op, order, failure, width):
    if op is Op.LOAD and width != 64 and order is Order.SEQ_CST:
        return armv7.load(order, width, "gcc", leading=True)
    if op is Op.LOAD and width == 64:
        return armv7.load(order, width, "gcc", clrex=False,
                          why="a 64-bit load is single-copy atomic only as ldrexd (GCC "
                          "leaves the reservation open)"
                          + ("; dmb ish after it (acquire)" if order.is_acquire else ""))  # fmt: skip
    if op.is_cas:
        return armv7.gcc_cas(op, order, failure, width, "gcc")
    return None


def _gcc_aarch64(target, op, order, failure, width):
    if op.is_cas:
        eff = armv7.gcc_effective(order, failure, aarch64=True)
        if "lse" not in target.features:
            entry = aarch64.gcc_llsc_cas(op, eff, failure, width, "gcc")
        else:
            entry = aarch64.lse_cas(op, eff, failure, width, "gcc")
        why = entry.rationale
        if eff is not order:
            why = f"GCC uses {eff} for success here (failure {failure} counts as stronger " \
                  f"than success {order}); " + why
        return replace(entry, order=order, rationale=why)
    return None


# -- rcpc ------------------------------------------------------------------------------------
def _rcpc(target, op, order, failure, width):
    if op is Op.LOAD and order is Order.ACQUIRE:
        return aarch64.load(order, width, "rcpc", ldapr=True)
    return None


# -- tutorial --------------------------------------------------------------------------------
def _tutorial_x86(target, op, order, failure, width):
    """The course text's mappings, as stated (see /work/shared/seed/README.md)."""
    if order is Order.SEQ_CST and op in (Op.LOAD, Op.STORE):
        if op is Op.STORE:
            base = x86_64.plain_store(Order.RELAXED, width)
            return replace(base, scheme="tutorial", order=order,
                           template=("mfence", *base.template),
                           rationale="as the course states: mfence before the store - which "
                           "leaves the store itself free to be passed by a later load")  # fmt: skip
        base = x86_64.plain_load(Order.RELAXED, width)
        return replace(base, scheme="tutorial", order=order, template=(*base.template, "mfence"),
                       rationale="as the course states: mfence after the load - a barrier on "
                       "the wrong side of the store buffer")  # fmt: skip
    return None


def _tutorial_arm(target, op, order, failure, width):
    """The course text's ARM mappings, as stated (ARMv7 and AArch64 alike)."""
    if op is Op.STORE and order is Order.RELEASE:
        base = default_entry(target, op, Order.RELAXED, None, width)
        return replace(base, scheme="tutorial", order=order,
                       template=("dmb ishst", *base.template),
                       rationale="as the course states: dmb ishst before the store - it orders "
                       "earlier stores only, so an earlier load can still be satisfied after "
                       "the release")  # fmt: skip
    if op is Op.LOAD and order is Order.ACQUIRE:
        base = default_entry(target, op, Order.RELAXED, None, width)
        return replace(base, scheme="tutorial", order=order,
                       template=(*base.template, "dmb ish"),
                       rationale="as the course states: the load, then a full dmb ish (right, "
                       "if stronger than ARMv8's ldar needs)")  # fmt: skip
    return None


SCHEMES: dict[str, Scheme] = {
    s.name: s
    for s in (
        Scheme("default", ALL_TARGETS,
               "what clang 14 emits at -O2 with inline atomics (GCC 12 agrees almost "
               "everywhere)"),  # fmt: skip
        Scheme("x86-mfence", ("x86_64",),
               "SeqCst store = mov + mfence (older GCC, some JITs) instead of xchg",
               {"x86_64": _x86_mfence}),  # fmt: skip
        Scheme("gcc", ARM_TARGETS,
               "GCC 12 where it differs from clang on ARM: leading dmb for ARMv7 SeqCst loads, "
               "no clrex, GCC's CAS barriers and ordering promotion",
               {"armv7": _gcc_armv7, "aarch64": _gcc_aarch64}),  # fmt: skip
        Scheme("rcpc", ("armv8.3",),
               "ARMv8.3 RCpc: Acquire loads use LDAPR (what newer clang/GCC emit with +rcpc)",
               {"aarch64": _rcpc}),  # fmt: skip
        Scheme("tutorial", ALL_TARGETS,
               "the course text's mappings as stated (x86 SeqCst mfence placement, ARM "
               "dmb ishst release) - kept to show by counterexample where they are wrong",
               {"x86_64": _tutorial_x86, "armv7": _tutorial_arm,
                "aarch64": _tutorial_arm}),  # fmt: skip
    )
}
SCHEME_NAMES = tuple(SCHEMES)
DEFAULT_SCHEME = SCHEMES["default"]
