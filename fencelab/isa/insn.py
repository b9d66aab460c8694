"""What a memory model needs to know about one decoded instruction.

Every instruction a target decodes is classified into an `InsnInfo`: its kind (load, store,
read-modify-write, exclusive, fence, branch, other), its ordering attributes, and the registers
it reads and writes split by role, so models can track address, data and control dependencies.
Register names are canonical full-width lower-case names (`x3` for `w3`, `rax` for `eax`,
`r2` for ARM's `r2`); the flags are `nzcv` (AArch64), `cpsr` (A32) and `rflags` (x86).
"""

from __future__ import annotations

import enum
import functools
import re
from dataclasses import dataclass, field, replace


class Kind(enum.Enum):
    LOAD = "load"
    STORE = "store"
    RMW = "rmw"  # one instruction that reads and writes memory atomically (LSE, LOCK, XCHG)
    LOAD_EXCL = "load-exclusive"  # LDXR / LDAXR / LDREX ...
    STORE_EXCL = "store-exclusive"  # STXR / STLXR / STREX ...
    FENCE = "fence"
    BRANCH = "branch"
    OTHER = "other"  # register-only work

    # (members are singletons, equal only to themselves: hashed by identity, in C, not by
    # Enum's Python-level hash of the name; the models key their caches by kinds)
    __hash__ = object.__hash__

    @property
    def touches_memory(self) -> bool:
        return self in _TOUCHES_MEMORY

    @property
    def reads_memory(self) -> bool:
        """A load, a load-exclusive or an RMW (a store-exclusive reads no value)."""
        return self in _READS_MEMORY

    @property
    def writes_memory(self) -> bool:
        """A store, a store-exclusive or an RMW."""
        return self in _WRITES_MEMORY


# (read once: under Python 3.11 each `Kind.X` is a Python-level lookup, EnumType's __getattr__)
_TOUCHES_MEMORY = (Kind.LOAD, Kind.STORE, Kind.RMW, Kind.LOAD_EXCL, Kind.STORE_EXCL)
_READS_MEMORY = (Kind.LOAD, Kind.LOAD_EXCL, Kind.RMW)
_WRITES_MEMORY = (Kind.STORE, Kind.STORE_EXCL, Kind.RMW)
_MEMORY_EVENTS = (*_TOUCHES_MEMORY, Kind.FENCE)
_HEX = re.compile(r"0x[0-9a-fA-F]+")


class Barrier(enum.Enum):
    """What a fence orders (before → after)."""

    FULL = "full"  # MFENCE, DMB SY/ISH/OSH/NSH, DSB likewise
    LOAD = "load"  # DMB LD/ISHLD: loads before → loads and stores after
    STORE = "store"  # DMB ST/ISHST: stores before → stores after
    ISB = "isb"  # instruction synchronisation (with a control dependency orders later loads)
    LFENCE = "lfence"  # x86: no effect on ordinary memory ordering under x86-TSO
    SFENCE = "sfence"  # x86: likewise

    __hash__ = object.__hash__  # (as Kind's)


@dataclass(frozen=True)
class InsnInfo:
    """One decoded instruction, as the memory models see it."""

    address: int
    size: int
    mnemonic: str
    op_str: str
    kind: Kind
    width: int = 0  # bytes accessed in memory (0 when none); a pair access counts both halves
    acquire: bool = False  # LDAR, LDAXR, LDA*, SWPA...: RCsc acquire
    acquire_pc: bool = False  # LDAPR: RCpc acquire
    release: bool = False  # STLR, STLXR, SWPL...
    locked: bool = False  # x86 LOCK prefix or XCHG with a memory operand
    barrier: Barrier | None = None
    barrier_domain: str = ""  # sy / ish / osh / nsh, for display
    is_dsb: bool = False
    conditional: bool = False  # a conditional branch (reads flags or a register)
    # A32: the condition (eq, ne, hs...) of an instruction executed only when it holds (LDREQ,
    # MOVNE); "" for one always executed and for a branch (`conditional`). What `reads` names
    # only because of it: the flags, and the destinations a failed condition leaves as they
    # were (`as_executed`)
    predicate: str = ""
    predicate_reads: frozenset[str] = frozenset()
    cas: bool = False  # compare-and-swap: the write happens only when the read equals compare
    addr_regs: frozenset[str] = frozenset()  # registers that form the address
    data_regs: frozenset[str] = frozenset()  # registers whose value is stored
    compare_regs: frozenset[str] = frozenset()  # CAS: the registers holding the expected value
    compare_order: tuple[str, ...] = ()  # the same in order, low half first, xzr kept
    # LDP/STP: the two registers loaded or stored, in order (the first goes to the lower
    # address); two independent accesses, as herd has them, not one atomic pair
    pair_order: tuple[str, ...] = ()
    dest_regs: frozenset[str] = frozenset()  # registers that receive loaded values
    status_regs: frozenset[str] = frozenset()  # store-exclusive status register
    reads: frozenset[str] = field(default=frozenset())  # every register read (incl. flags)
    writes: frozenset[str] = field(default=frozenset())  # every register written (incl. flags)
    static_addr: int | None = None  # the address accessed, when no register forms it (x86)
    # its whole effect is a function of the registers in `reads` and the values it reads, and
    # it changes no register but `writes` and the PC (x86 MOV to or from memory, fences; AArch64
    # plain loads and stores, DMB/DSB/ISB): a run of it may be remembered by those
    # (fencelab/isa/core.py, the `step-effects` reduction)
    pure: bool = False

    @property
    def text(self) -> str:
        return f"{self.mnemonic} {self.op_str}".strip()

    @property
    def atomic_pair(self) -> bool:
        """AArch64 LDXP/STXP/CASP and their ordered forms: two registers' worth as one
        single-copy-atomic access (LDP/STP are two accesses)."""
        name = self.mnemonic.lower()
        return name in ("ldxp", "ldaxp", "stxp", "stlxp") or name.startswith("casp")

    @property
    def non_temporal(self) -> bool:
        """AArch64 LDNP/STNP: an LDP/STP with a non-temporal hint. An address dependency that
        ends in an LDNP's read orders nothing (Arm ARM C3.2.9; herd's `NT` events)."""
        return self.mnemonic.lower() in ("ldnp", "stnp")

    @property
    def branch_target(self) -> int | None:
        """A branch's target as written in it (capstone's last hex number: `b #0x1008`, `cbz
        w0, #0x1010`, `jne 0x1010`); None for a branch through a register (`bx lr`, `br x1`)
        and for what is not a branch."""
        if self.kind is not Kind.BRANCH:
            return None
        numbers = _HEX.findall(self.op_str)
        return int(numbers[-1], 16) if numbers else None

    @property
    def next_pcs(self) -> tuple[int, ...] | None:
        """Where the core may go after it: the next instruction, a branch's target (and the
        next instruction too when the branch is conditional); None where the instruction does
        not say (a branch through a register, a write to pc)."""
        after = self.address + self.size
        if self.kind is Kind.BRANCH:
            target = self.branch_target
            if target is None:
                return None
            return (target, after) if self.conditional else (target,)
        return None if "pc" in self.writes else (after,)

    @property
    def is_memory_event(self) -> bool:
        """Does the scheduler need to interleave this instruction with other cores?"""
        return self.kind in _MEMORY_EVENTS

    def describe(self) -> str:
        """A short human label: `load acquire 4B`, `fence dmb ish (full)`."""
        if self.kind is Kind.FENCE:
            if self.barrier is None:  # clrex: a monitor operation, not a barrier
                return f"{self.mnemonic}: clears the exclusive monitor (orders nothing)"
            return f"fence {self.text} ({self.barrier.value})"
        attrs = [
            a
            for a, on in (
                ("acquire", self.acquire),
                ("acquire-PC", self.acquire_pc),
                ("release", self.release),
                ("locked", self.locked),
            )
            if on
        ]
        parts = [self.kind.value, *attrs]
        if self.width:
            parts.append(f"{self.width}B")
        return " ".join(parts)


def condition_holds(cond: str, flags: int) -> bool:
    """An Arm condition code evaluated on the flags: AArch64's NZCV register or A32's CPSR,
    which keep N, Z, C and V in the same bits (31 ... 28)."""
    n, z, c, v = (flags >> 31) & 1, (flags >> 30) & 1, (flags >> 29) & 1, (flags >> 28) & 1
    base = {
        "eq": z, "ne": not z, "cs": c, "hs": c, "cc": not c, "lo": not c, "mi": n, "pl": not n,
        "vs": v, "vc": not v, "hi": c and not z, "ls": not (c and not z), "ge": n == v,
        "lt": n != v, "gt": not z and n == v, "le": not (not z and n == v), "al": True, "nv": True,
    }  # fmt: skip
    return bool(base[cond])


# what an A32 predicated instruction's condition reads: the flags
CONDITION_FLAGS = frozenset({"cpsr"})


def as_executed(info: InsnInfo) -> InsnInfo:
    """A predicated A32 instruction whose condition held, as herd's semantics runs it: it
    reads its operands only, not the flags, nor the destinations a failed condition would have
    left as they were. herd's ARMSem.ml `checkZ` reads the flags and then runs the instruction
    after `>>*=` (event.ml `=**=`: iico_ctrl from the flags' read to the instruction's first
    events), with no commit event; so no address, data or control dependency comes from the
    condition, of the instruction or of anything after it, under arm.cat (modelUtils.ml
    `make_procrels`: addr and data from iico_data, ctrl from commit events) as under
    aarch32.cat (aarch64deps.cat's `dtrm` leaves iico_ctrl out). What the condition does carry
    under aarch32.cat is a pick dependency: `held_condition`. (A failed condition did nothing
    at all: `Step.skipped`.) Any other instruction is itself."""
    return _operands_only(info) if info.predicate_reads else info


def held_condition(info: InsnInfo, picks: bool) -> tuple[InsnInfo, frozenset[str]]:
    """A predicated A32 instruction whose condition held, as its model reads it: the
    instruction reading its operands (`as_executed`), and the registers it depends on only as
    a *pick* dependency: the flags where the model's pick dependencies follow `checkZ`'s
    iico_ctrl edge (`picks`: aarch32.cat, whose aarch64deps.cat has `pick-dtrm =
    (dtrm|iico_ctrl)+`, and so `pick-basic-dep`, `pick-addr-dep`, `pick-data-dep` from the read
    that set the flags to the access and to what the instruction writes), none where they do
    not (arm.cat, which has no pick dependency). So under aarch32.cat a predicated store, and
    a write after a predicated access, is ordered after the reads its condition depends on
    (`pob`: `pick-dep; [W]`, `pick-addr-dep; [M]; po; [W]`), as is any access after an ISB
    (`pick-addr-dep; po; [CSE]; po; [M]`), but a predicated load, or a load whose address a
    predicated MOV chose, is not (no `pob` clause ends in a read without an ISB). Any other
    instruction is itself, with no such register."""
    if not info.predicate:
        return info, frozenset()
    return as_executed(info), CONDITION_FLAGS if picks else frozenset()


@functools.cache
def _operands_only(info: InsnInfo) -> InsnInfo:
    return replace(info, reads=info.reads - info.predicate_reads)
