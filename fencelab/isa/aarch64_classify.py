"""Classify one AArch64 instruction (capstone, detail on) into an `InsnInfo`.

Memory instructions are looked up by mnemonic in `MEMORY_FORMS`, whose entry says the kind,
the ordering attributes, the access width and the roles of the register operands in order
(capstone's per-operand access flags are wrong for the LSE instructions, so roles come from
the table, not from capstone). Register-only instructions take capstone's operand access flags
with the corrections listed in `_other` (CMP/CMN/TST write only the flags, UBFM aliases and
SXTW do not read their destination, CBZ does not read the flags, RET reads x30).

CLREX is a `Kind.FENCE` with `barrier=None`: it is not a barrier, but the ARM model must see
it (it clears the exclusive monitor), and fences are the memory events without an access.

LD/ST SMAX and SMIN on bytes, halfwords and words are refused: Unicorn 2.1 (QEMU 5) compares
them unsigned, so running them would silently give a wrong value.

Anything that touches memory and is not in the table — SIMD/FP loads and stores, literal
loads, DC/IC and the other SYS instructions, LDAPUR... — is refused with an error naming it, so
no memory access ever runs unseen by the models. PRFM/PRFUM are hints: `Kind.OTHER`.

Plain loads and stores (LDR/STR and their unscaled, unprivileged, pair, acquire and release
forms, writeback ones too: the base register is in `writes`), literal loads and DMB/DSB/ISB
are `pure`: their steps may be remembered (the `step-effects` reduction, core.py). The
exclusives are not (Unicorn's monitor is state no register holds), nor the LSE atomics
(left to Unicorn every time: their compare and narrow signed forms are fixed up after the
run), CLREX, or register-only instructions (a remembered step is one instruction, followed by
a memory event or the end).

Pairs: LDXP/LDAXP/STXP/STLXP and CASP/CASPA/CASPL/CASPAL access two registers' worth (8 bytes
for W registers, 16 for X) as one single-copy-atomic access; `width` counts both halves and
`compare_order` lists a CASP's compare registers low half first. LDP/STP are two accesses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from capstone import CS_AC_READ, CS_AC_WRITE
from capstone import arm64_const as C

from fencelab.errors import FencelabError
from fencelab.isa.insn import Barrier, InsnInfo, Kind


@dataclass(frozen=True)
class MemoryForm:
    """What one memory mnemonic does; `roles` name its register operands in order."""

    kind: Kind
    roles: tuple[str, ...]  # each "dest", "data", "status" or "cas" (compared, then loaded)
    width: int | None = None  # bytes per register; None: 4 for W, 8 for X registers
    acquire: bool = False
    acquire_pc: bool = False
    release: bool = False


_SUFFIX_WIDTH = {"": None, "b": 1, "h": 2, "sb": 1, "sh": 2, "sw": 4}
_ORDERINGS = {"": (False, False), "a": (True, False), "l": (False, True), "al": (True, True)}
_LSE_OPS = ("add", "clr", "eor", "set", "smax", "smin", "umax", "umin")


def _build_memory_forms() -> dict[str, MemoryForm]:
    forms: dict[str, MemoryForm] = {}
    load, store = Kind.LOAD, Kind.STORE
    for stem in ("ldr", "ldur", "ldtr"):  # ldr ldrb ldrh ldrsb ldrsh ldrsw, likewise ldur/ldtr
        for sfx, width in _SUFFIX_WIDTH.items():
            forms[stem + sfx] = MemoryForm(load, ("dest",), width)
    for stem in ("str", "stur", "sttr"):
        for sfx in ("", "b", "h"):
            forms[stem + sfx] = MemoryForm(store, ("data",), _SUFFIX_WIDTH[sfx])
    for m in ("ldp", "ldnp"):
        forms[m] = MemoryForm(load, ("dest", "dest"))
    forms["ldpsw"] = MemoryForm(load, ("dest", "dest"), 4)
    for m in ("stp", "stnp"):
        forms[m] = MemoryForm(store, ("data", "data"))
    for sfx in ("", "b", "h"):
        width = _SUFFIX_WIDTH[sfx]
        forms["ldar" + sfx] = MemoryForm(load, ("dest",), width, acquire=True)
        forms["ldapr" + sfx] = MemoryForm(load, ("dest",), width, acquire_pc=True)
        forms["stlr" + sfx] = MemoryForm(store, ("data",), width, release=True)
        forms["ldxr" + sfx] = MemoryForm(Kind.LOAD_EXCL, ("dest",), width)
        forms["ldaxr" + sfx] = MemoryForm(Kind.LOAD_EXCL, ("dest",), width, acquire=True)
        forms["stxr" + sfx] = MemoryForm(Kind.STORE_EXCL, ("status", "data"), width)
        forms["stlxr" + sfx] = MemoryForm(Kind.STORE_EXCL, ("status", "data"), width, release=True)
        for order, (acq, rel) in _ORDERINGS.items():
            for op in _LSE_OPS:
                forms[f"ld{op}{order}{sfx}"] = MemoryForm(
                    Kind.RMW, ("data", "dest"), width, acquire=acq, release=rel
                )
                if not acq:  # ST<op>: LD<op> discarding the old value; no acquire form
                    forms[f"st{op}{order}{sfx}"] = MemoryForm(
                        Kind.RMW, ("data",), width, release=rel
                    )
            forms[f"swp{order}{sfx}"] = MemoryForm(
                Kind.RMW, ("data", "dest"), width, acquire=acq, release=rel
            )
            forms[f"cas{order}{sfx}"] = MemoryForm(
                Kind.RMW, ("cas", "data"), width, acquire=acq, release=rel
            )
            if not sfx:
                forms[f"casp{order}"] = MemoryForm(
                    Kind.RMW, ("cas", "cas", "data", "data"), acquire=acq, release=rel
                )
    forms["ldxp"] = MemoryForm(Kind.LOAD_EXCL, ("dest", "dest"))
    forms["ldaxp"] = MemoryForm(Kind.LOAD_EXCL, ("dest", "dest"), acquire=True)
    forms["stxp"] = MemoryForm(Kind.STORE_EXCL, ("status", "data", "data"))
    forms["stlxp"] = MemoryForm(Kind.STORE_EXCL, ("status", "data", "data"), release=True)
    return forms


MEMORY_FORMS: dict[str, MemoryForm] = _build_memory_forms()

# DMB/DSB option -> (what it orders, shareability domain)
BARRIER_OPTIONS: dict[str, tuple[Barrier, str]] = {}
for _dom in ("sy", "ish", "osh", "nsh"):
    BARRIER_OPTIONS[_dom] = (Barrier.FULL, _dom)
    for _sfx, _barrier in (("ld", Barrier.LOAD), ("st", Barrier.STORE)):
        BARRIER_OPTIONS[_sfx if _dom == "sy" else _dom + _sfx] = (_barrier, _dom)

# touch memory (or translation/cache state) without a memory operand capstone reports
_SYSTEM_MEMORY = frozenset({"dc", "ic", "at", "tlbi", "sys", "sysl"})
_PREFETCH = frozenset({"prfm", "prfum"})
_FLAGS_ONLY = frozenset({"cmp", "cmn", "tst", "ccmp", "ccmn", "fcmp", "fcmpe"})
_READS_DEST = frozenset({"movk", "bfi", "bfxil", "bfm", "bfc"})  # insert into the old value
_REG_BRANCHES = frozenset({"cbz", "cbnz", "tbz", "tbnz"})
_NO_CONDITION = (C.ARM64_CC_INVALID, C.ARM64_CC_AL, C.ARM64_CC_NV)


def classify_a64(target, insn) -> InsnInfo:
    """Classify a capstone AArch64 instruction; refuse memory accesses the models can't see."""
    mnemonic = insn.mnemonic.lower()
    common = dict(address=insn.address, size=insn.size, mnemonic=insn.mnemonic,
                  op_str=insn.op_str)  # fmt: skip
    if mnemonic in MEMORY_FORMS:
        return _memory(target, insn, MEMORY_FORMS[mnemonic], common)
    if mnemonic in ("dmb", "dsb"):
        option = insn.op_str.strip().lower()
        if option not in BARRIER_OPTIONS:
            raise FencelabError(f"{target.name}: unknown barrier option in {_text(insn)!r}")
        barrier, domain = BARRIER_OPTIONS[option]
        return InsnInfo(**common, kind=Kind.FENCE, barrier=barrier, barrier_domain=domain,
                        is_dsb=mnemonic == "dsb", pure=True)  # fmt: skip
    if mnemonic == "isb":
        return InsnInfo(**common, kind=Kind.FENCE, barrier=Barrier.ISB, pure=True)
    if mnemonic == "clrex":
        return InsnInfo(**common, kind=Kind.FENCE, barrier=None)
    if mnemonic in _SYSTEM_MEMORY or (
        mnemonic not in _PREFETCH and any(op.type == C.ARM64_OP_MEM for op in insn.operands)
    ):
        raise _uncovered(target, insn)
    reads, writes = _register_effects(target, insn, mnemonic)
    if _is_branch(insn, mnemonic):
        conditional = mnemonic.startswith("b.") or mnemonic in _REG_BRANCHES
        return InsnInfo(**common, kind=Kind.BRANCH, conditional=conditional,
                        reads=reads, writes=writes)  # fmt: skip
    return InsnInfo(**common, kind=Kind.OTHER, reads=reads, writes=writes)


def _memory(target, insn, form: MemoryForm, common: dict) -> InsnInfo:
    regs = [insn.reg_name(op.reg) for op in insn.operands if op.type == C.ARM64_OP_REG]
    mems = [op.mem for op in insn.operands if op.type == C.ARM64_OP_MEM]
    literal = [op.imm for op in insn.operands if op.type == C.ARM64_OP_IMM]
    if not mems and len(literal) == 1 and len(regs) == 1 and form.kind is Kind.LOAD:
        info = _literal_load(target, form, regs[0], literal[0], common)
        if info is None:
            raise _uncovered(target, insn)
        return info
    if len(mems) != 1 or len(regs) != len(form.roles):
        raise _uncovered(target, insn)  # a literal load, or SIMD registers in a list
    reg_bytes = [_gpr_bytes(name) for name in regs]
    if None in reg_bytes:
        raise _uncovered(target, insn)  # FP/SIMD registers
    roles: dict[str, set[str]] = {"dest": set(), "data": set(), "status": set(), "cas": set()}
    for name, role in zip(regs, form.roles, strict=True):
        roles[role].add(target.canonical_reg(name))
    roles = {role: names - {"xzr"} for role, names in roles.items()}
    # one register's worth for an RMW; both halves for a pair
    transferred = [
        nbytes for role, nbytes in zip(form.roles, reg_bytes, strict=True) if role != "status"
    ]
    # an RMW transfers one register's worth (CASP: a pair's), the others every register's
    rmw_count = form.roles.count("cas") or 1
    count = rmw_count if form.kind is Kind.RMW else len(transferred)
    width = (form.width or transferred[-1]) * count
    base = insn.reg_name(mems[0].base) if mems[0].base else None
    index = insn.reg_name(mems[0].index) if mems[0].index else None
    addr = {target.canonical_reg(r) for r in (base, index) if r} - {"xzr"}
    reads = addr | roles["data"] | roles["cas"]
    writes = roles["dest"] | roles["status"] | roles["cas"]
    if insn.writeback and base:
        writes.add(target.canonical_reg(base))
    return InsnInfo(
        **common,
        kind=form.kind,
        width=width,
        acquire=form.acquire,
        acquire_pc=form.acquire_pc,
        release=form.release,
        cas=bool(form.roles[0] == "cas"),
        addr_regs=frozenset(addr),
        data_regs=frozenset(roles["data"]),
        compare_regs=frozenset(roles["cas"]),
        compare_order=tuple(target.canonical_reg(name) for name, role in
                            zip(regs, form.roles, strict=True) if role == "cas"),
        pair_order=tuple(target.canonical_reg(name) for name in regs)
        if form.kind in (Kind.LOAD, Kind.STORE) and len(regs) == 2 else (),
        dest_regs=frozenset(roles["dest"] | roles["cas"]),
        status_regs=frozenset(roles["status"]),
        reads=frozenset(reads),
        writes=frozenset(writes),
        pure=form.kind in (Kind.LOAD, Kind.STORE),
    )


def _literal_load(target, form: MemoryForm, reg: str, addr: int, common: dict) -> InsnInfo | None:
    """LDR/LDRSW (literal) of the address `addr`: herd's `LDR X0,x`, a load of location x,
    assembled PC-relative to x's address (`arch.py`'s translate); no register forms it
    (`static_addr`, as x86's `movl (x),%eax`). None for a SIMD&FP register."""
    nbytes = _gpr_bytes(reg)
    if nbytes is None:
        return None
    dest = frozenset({target.canonical_reg(reg)} - {"xzr"})
    return InsnInfo(**common, kind=Kind.LOAD, width=form.width or nbytes, dest_regs=dest,
                    writes=dest, static_addr=addr, pure=True)  # fmt: skip


def _register_effects(target, insn, mnemonic: str) -> tuple[frozenset[str], frozenset[str]]:
    """Registers read and written by a register-only instruction or a branch."""
    reads: set[str] = set()
    writes: set[str] = set()
    reg_ops = [op for op in insn.operands if op.type == C.ARM64_OP_REG]
    for position, op in enumerate(reg_ops):
        name = insn.reg_name(op.reg)
        access = op.access or CS_AC_READ  # unknown access: assume read
        if mnemonic in _FLAGS_ONLY or mnemonic in _REG_BRANCHES:
            access = CS_AC_READ
        elif position == 0 and access & CS_AC_WRITE and mnemonic not in _READS_DEST:
            access = CS_AC_WRITE
        if access & CS_AC_READ:
            reads.add(name)
        if access & CS_AC_WRITE:
            writes.add(name)
    for op in insn.operands:  # address of a prefetch
        if op.type == C.ARM64_OP_MEM:
            reads.update(insn.reg_name(r) for r in (op.mem.base, op.mem.index) if r)
    reads.update(insn.reg_name(r) for r in insn.regs_read)
    writes.update(insn.reg_name(r) for r in insn.regs_write)
    if mnemonic in _REG_BRANCHES:
        reads.discard("nzcv")  # capstone claims CBZ/CBNZ read the flags; they do not
    if insn.cc not in _NO_CONDITION:
        reads.add("nzcv")
    if insn.update_flags:
        writes.add("nzcv")
    if mnemonic in ("ret", "retaa", "retab") and not reg_ops:
        reads.add("lr")
    if mnemonic in ("bl", "blr"):
        writes.add("lr")
    if mnemonic in ("mrs", "msr") and "nzcv" in insn.op_str.lower():
        (reads if mnemonic == "mrs" else writes).add("nzcv")
    if mnemonic in ("svc", "hvc", "smc"):
        writes.discard("lr")  # capstone's claim; the exception does not return through x30
    return _canonical(target, reads), _canonical(target, writes)


def _is_branch(insn, mnemonic: str) -> bool:
    if mnemonic.startswith("b.") or mnemonic in _REG_BRANCHES:
        return True
    groups = set(insn.groups)
    return bool(groups & {C.ARM64_GRP_JUMP, C.ARM64_GRP_CALL, C.ARM64_GRP_RET,
                          C.ARM64_GRP_BRANCH_RELATIVE})  # fmt: skip


def _canonical(target, names) -> frozenset[str]:
    return frozenset(target.canonical_reg(n) for n in names) - {"xzr"}


def _gpr_bytes(name: str) -> int | None:
    """4 for a W register, 8 for an X register (or SP-named alias); None otherwise."""
    name = name.lower()
    if name in ("fp", "lr", "xzr", "sp") or (name[0] == "x" and name[1:].isdigit()):
        return 8
    if name in ("wzr", "wsp") or (name[0] == "w" and name[1:].isdigit()):
        return 4
    return None


def _text(insn) -> str:
    return f"{insn.mnemonic} {insn.op_str}".strip()


def _uncovered(target, insn) -> FencelabError:
    names = [insn.reg_name(op.reg) or "" for op in insn.operands if op.type == C.ARM64_OP_REG]
    if any(_SIMD_FP_REGISTER.fullmatch(name) for name in names):  # LD1, LDR Q0, STP D0,D1
        return FencelabError(
            f"{target.name}: {_text(insn)!r}: SIMD&FP loads and stores (herd's AArch64.neon "
            "tests) are not modelled: the memory models take general-purpose registers' "
            "accesses only"
        )
    return FencelabError(
        f"{target.name}: {_text(insn)!r} touches memory in a way the memory models do not cover"
    )


_SIMD_FP_REGISTER = re.compile(r"[vqdshb]\d+", re.IGNORECASE)
