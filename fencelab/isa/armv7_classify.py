"""Classify A32 (ARM state) instructions for the ARM memory model.

Accepted memory instructions, with every addressing form A32 has (immediate, register, shifted
register, pre-indexed with writeback, post-indexed):

* LDR / LDRB / LDRH / LDRSB / LDRSH / LDRD: loads; STR / STRB / STRH / STRD: stores
  (a doubleword pair counts 8 bytes);
* LDREX{B,H,D}: load-exclusive; STREX{B,H,D}: store-exclusive (its first register is the
  status, 0 on success);
* ARMv8 AArch32 LDA{B,H} / STL{B,H} / LDAEX{B,H,D} / STLEX{B,H,D}: the same with acquire /
  release. keystone 0.9.2 cannot assemble them (write them as `.word`) and Unicorn's Cortex-A15
  cannot run them (it needs UC_CPU_ARM_MAX); capstone decodes them and we classify them;
* DMB / DSB with every option (SY, ST, LD, ISH, ISHST, ISHLD, NSH..., OSH...) and ISB: fences;
* CLREX: a fence with `barrier=None`. It orders nothing, but the ARM model keeps the exclusive
  monitor, which CLREX clears, so the scheduler must see it as a memory event.

* LDM / LDMIB / LDMDA / LDMDB (with or without writeback): a load of one word per register,
  each its own access, unordered among them, as herd's ARM LDM (its tests A007-A009).

STM / PUSH / POP, SWP, literal-pool (PC-relative) loads and loads into the PC are refused
with a message naming the instruction: herd's ARM litmus tests don't use them, and a literal
load reads the code, not shared memory. (A one-register PUSH is assembled as the pre-indexed
STR it stands for, which capstone decodes as `str`: it runs as that store.)

Register sets use canonical names (`r9` for `sb`, `r12` for `ip`, `sp`, `lr`, `cpsr`) and never
include `pc`. A conditionally executed instruction reads `cpsr`, and since a failed condition
leaves its destinations unchanged, it also reads them (their new value may be the old one); its
`predicate` names the condition and `predicate_reads` what it reads only for it (a branch's
condition is `conditional` instead).
Flag-setting instructions (CMP, TST, ADDS...) write `cpsr`.
"""

from __future__ import annotations

import capstone
from capstone import arm_const as A

from fencelab.isa.classify import capstone_regs, make_info, refuse
from fencelab.isa.insn import Barrier, InsnInfo, Kind

NO_PC = ("pc",)

LOADS = {A.ARM_INS_LDR: 4, A.ARM_INS_LDRB: 1, A.ARM_INS_LDRH: 2, A.ARM_INS_LDRSB: 1,
         A.ARM_INS_LDRSH: 2, A.ARM_INS_LDRD: 8}  # fmt: skip
STORES = {A.ARM_INS_STR: 4, A.ARM_INS_STRB: 1, A.ARM_INS_STRH: 2, A.ARM_INS_STRD: 8}
LOAD_ACQUIRES = {A.ARM_INS_LDA: 4, A.ARM_INS_LDAB: 1, A.ARM_INS_LDAH: 2}
STORE_RELEASES = {A.ARM_INS_STL: 4, A.ARM_INS_STLB: 1, A.ARM_INS_STLH: 2}
LOAD_EXCLUSIVES = {A.ARM_INS_LDREX: 4, A.ARM_INS_LDREXB: 1, A.ARM_INS_LDREXH: 2,
                   A.ARM_INS_LDREXD: 8}  # fmt: skip
LOAD_ACQUIRE_EXCLUSIVES = {A.ARM_INS_LDAEX: 4, A.ARM_INS_LDAEXB: 1, A.ARM_INS_LDAEXH: 2,
                           A.ARM_INS_LDAEXD: 8}  # fmt: skip
STORE_EXCLUSIVES = {A.ARM_INS_STREX: 4, A.ARM_INS_STREXB: 1, A.ARM_INS_STREXH: 2,
                    A.ARM_INS_STREXD: 8}  # fmt: skip
STORE_RELEASE_EXCLUSIVES = {A.ARM_INS_STLEX: 4, A.ARM_INS_STLEXB: 1, A.ARM_INS_STLEXH: 2,
                            A.ARM_INS_STLEXD: 8}  # fmt: skip
LOAD_MULTIPLES = {A.ARM_INS_LDM, A.ARM_INS_LDMDA, A.ARM_INS_LDMDB, A.ARM_INS_LDMIB}
MULTIPLES = {A.ARM_INS_STM, A.ARM_INS_STMDA, A.ARM_INS_STMDB, A.ARM_INS_STMIB, A.ARM_INS_PUSH,
             A.ARM_INS_POP}  # fmt: skip
BRANCHES = {A.ARM_INS_B, A.ARM_INS_BL, A.ARM_INS_BX, A.ARM_INS_BLX}
CARRY_ARITHMETIC = {A.ARM_INS_ADC, A.ARM_INS_SBC, A.ARM_INS_RSC}
READS_CARRY = CARRY_ARITHMETIC | {A.ARM_INS_RRX, A.ARM_INS_MRS}

# capstone's DMB/DSB option (mem_barrier) -> (domain, what it orders)
BARRIER_OPTIONS = {
    A.ARM_MB_SY: ("sy", Barrier.FULL), A.ARM_MB_ST: ("sy", Barrier.STORE),
    A.ARM_MB_LD: ("sy", Barrier.LOAD),
    A.ARM_MB_ISH: ("ish", Barrier.FULL), A.ARM_MB_ISHST: ("ish", Barrier.STORE),
    A.ARM_MB_ISHLD: ("ish", Barrier.LOAD),
    A.ARM_MB_NSH: ("nsh", Barrier.FULL), A.ARM_MB_NSHST: ("nsh", Barrier.STORE),
    A.ARM_MB_NSHLD: ("nsh", Barrier.LOAD),
    A.ARM_MB_OSH: ("osh", Barrier.FULL), A.ARM_MB_OSHST: ("osh", Barrier.STORE),
    A.ARM_MB_OSHLD: ("osh", Barrier.LOAD),
}  # fmt: skip


def classify_a32(target, insn: capstone.CsInsn) -> InsnInfo:
    """Classify one A32 instruction; refuse memory accesses we do not model."""
    iid = insn.id
    if iid in (A.ARM_INS_DMB, A.ARM_INS_DSB):
        option = BARRIER_OPTIONS.get(insn.mem_barrier)
        if option is None:
            refuse(target, insn, "uses a reserved barrier option")
        domain, barrier = option
        return make_info(insn, Kind.FENCE, barrier=barrier, barrier_domain=domain,
                         is_dsb=iid == A.ARM_INS_DSB)  # fmt: skip
    if iid == A.ARM_INS_ISB:
        return make_info(insn, Kind.FENCE, barrier=Barrier.ISB, barrier_domain="sy")
    if iid == A.ARM_INS_CLREX:  # no ordering, but the model's exclusive monitor must see it
        return make_info(insn, Kind.FENCE, barrier=None)
    if iid in LOAD_MULTIPLES:
        return _load_multiple(target, insn)
    if iid in MULTIPLES:
        refuse(target, insn, "is a store multiple or a stack operation (STM/PUSH/POP); not "
                             "supported: use single LDR/STR instructions")  # fmt: skip
    if iid in (A.ARM_INS_SWP, A.ARM_INS_SWPB):
        refuse(target, insn, "is the deprecated SWP; use LDREX/STREX")
    if iid in (A.ARM_INS_MCR, A.ARM_INS_MCR2, A.ARM_INS_MCRR, A.ARM_INS_MCRR2):
        refuse(target, insn, "is a coprocessor operation (CP15 barriers and cache maintenance "
                             "are not modelled); use dmb/dsb/isb")  # fmt: skip
    mems = [op for op in insn.operands if op.type == A.ARM_OP_MEM]
    if mems:
        return _memory(target, insn, mems[0])
    reads, writes, predicate = _registers(target, insn)
    if iid in BRANCHES or _writes_pc(insn):
        conditional = _conditional(insn)
        return make_info(insn, Kind.BRANCH, conditional=conditional, reads=reads, writes=writes)
    return make_info(insn, Kind.OTHER, reads=reads, writes=writes, **predicate)


def _sets_flags(insn) -> bool:
    if insn.id in CARRY_ARITHMETIC:  # capstone reports update_flags even without the S
        return bool(int.from_bytes(insn.bytes, "little") >> 20 & 1)  # the S bit
    return bool(insn.update_flags) or insn.id == A.ARM_INS_MSR


def _conditional(insn) -> bool:
    return insn.cc not in (A.ARM_CC_AL, A.ARM_CC_INVALID)


def _writes_pc(insn) -> bool:
    return any(
        op.type == A.ARM_OP_REG and op.reg == A.ARM_REG_PC and op.access & capstone.CS_AC_WRITE
        for op in insn.operands
    )


def _shift_reg(insn, op) -> str | None:
    """The register of a register-controlled shift (`r1, lsl r2` -> r2), which capstone omits."""
    if op.shift.type in (A.ARM_SFT_ASR_REG, A.ARM_SFT_LSL_REG, A.ARM_SFT_LSR_REG,
                         A.ARM_SFT_ROR_REG, A.ARM_SFT_RRX_REG) and op.shift.value:  # fmt: skip
        return insn.reg_name(op.shift.value)
    return None


def _registers(target, insn) -> tuple[frozenset[str], frozenset[str], dict]:
    """Reads and writes of a register-only instruction or branch, and its predicate's fields
    (`_with_condition`)."""
    reads, writes = capstone_regs(target, insn, NO_PC)
    reads, writes = set(reads), set(writes)
    for op in insn.operands:
        if op.type != A.ARM_OP_REG:
            continue
        name = target.canonical_reg(insn.reg_name(op.reg))
        if op.access & capstone.CS_AC_WRITE:
            writes.add(name)
        if op.access & capstone.CS_AC_READ or insn.id in (A.ARM_INS_BX, A.ARM_INS_BLX):
            reads.add(name)  # capstone 5 reports no access for `bx lr`'s register
        shift = _shift_reg(insn, op)
        if shift:
            reads.add(target.canonical_reg(shift))
        if op.shift.type in (A.ARM_SFT_RRX, A.ARM_SFT_RRX_REG):
            reads.add("cpsr")
    if insn.id in (A.ARM_INS_BL, A.ARM_INS_BLX):
        writes.add("lr")
    if _sets_flags(insn):
        writes.add("cpsr")  # capstone 5 omits it for ADDS & co
    elif insn.id in CARRY_ARITHMETIC:
        writes.discard("cpsr")  # capstone 5 claims ADC/SBC/RSC always set the flags
    if insn.id in READS_CARRY:
        reads.add("cpsr")
    return _with_condition(insn, reads, writes)


# capstone's condition codes -> their names (isa/insn.py `condition_holds`)
CONDITIONS = {getattr(A, f"ARM_CC_{name.upper()}"): name
              for name in ("eq", "ne", "hs", "lo", "mi", "pl", "vs", "vc", "hi", "ls", "ge",
                           "lt", "gt", "le")}  # fmt: skip


def _with_condition(insn, reads, writes) -> tuple[frozenset[str], frozenset[str], dict]:
    """The registers a (possibly predicated) instruction reads and writes, and the InsnInfo
    fields of its predicate: a failed condition keeps the old values, so a predicated
    instruction also reads the flags and what it writes (`predicate_reads`: what it reads only
    for that)."""
    reads, writes = set(reads) - set(NO_PC), set(writes) - set(NO_PC)
    if not _conditional(insn):
        return frozenset(reads), frozenset(writes), {}
    added = ({"cpsr"} | writes) - reads
    predicate = {"predicate": CONDITIONS[insn.cc], "predicate_reads": frozenset(added)}
    return frozenset(reads | added), frozenset(writes), predicate


def _load_multiple(target, insn) -> InsnInfo:
    """LDM{IA,IB,DA,DB} Rn{!}, {list}: one word read per register, the lowest-numbered register
    from the lowest address, each its own single-copy-atomic access with no order between them
    (herd's ARMSem.ml `I_LDM2`/`I_LDM3`: `read_mem nat_sz ... >>| read_mem nat_sz ...`, as
    its LDRD); `pair_order` lists the registers in address order."""
    base, *listed = (target.canonical_reg(insn.reg_name(op.reg)) for op in insn.operands)
    if "pc" in listed:
        refuse(target, insn, "transfers the PC (a load that branches); not supported")
    if insn.writeback and base in listed:
        refuse(target, insn, "loads its own base register with writeback (UNPREDICTABLE)")
    dest = frozenset(listed)
    written = dest | ({base} if insn.writeback else set())
    reads, writes, predicate = _with_condition(insn, {base}, written)
    return make_info(insn, Kind.LOAD, width=4 * len(listed), addr_regs=frozenset({base}),
                     dest_regs=dest, pair_order=tuple(listed), reads=reads,
                     writes=writes, **predicate)  # fmt: skip


def _memory(target, insn, mem_op) -> InsnInfo:
    iid = insn.id
    base = insn.reg_name(mem_op.mem.base) if mem_op.mem.base else None
    index = insn.reg_name(mem_op.mem.index) if mem_op.mem.index else None
    if base is not None and target.canonical_reg(base) == "pc":
        refuse(target, insn, "is a PC-relative (literal pool) access; pass addresses in "
                             "registers or build them with movw/movt")  # fmt: skip
    addr = frozenset(target.canonical_reg(n) for n in (base, index) if n)
    ops = list(insn.operands)
    at = ops.index(mem_op)
    before = [target.canonical_reg(insn.reg_name(op.reg)) for op in ops[:at]
              if op.type == A.ARM_OP_REG]  # fmt: skip
    after = [target.canonical_reg(insn.reg_name(op.reg)) for op in ops[at + 1:]
             if op.type == A.ARM_OP_REG]  # fmt: skip
    base_written = {target.canonical_reg(base)} if insn.writeback and base else set()
    address_reads = addr | set(after)  # `after`: a post-index offset register

    if "pc" in before:
        refuse(target, insn, "transfers the PC (a load that branches); not supported")

    if iid in LOADS or iid in LOAD_ACQUIRES:
        width = LOADS.get(iid) or LOAD_ACQUIRES[iid]
        dest = frozenset(before)
        reads, writes, predicate = _with_condition(insn, address_reads, dest | base_written)
        # LDRD: two word reads, each to its own register, unordered (herd's ARMSem.ml)
        pair = tuple(before) if iid == A.ARM_INS_LDRD else ()
        return make_info(insn, Kind.LOAD, width=width, acquire=iid in LOAD_ACQUIRES,
                         addr_regs=addr, dest_regs=dest, pair_order=pair, reads=reads,
                         writes=writes, **predicate)  # fmt: skip
    if iid in STORES or iid in STORE_RELEASES:
        width = STORES.get(iid) or STORE_RELEASES[iid]
        data = frozenset(before)
        reads, writes, predicate = _with_condition(insn, address_reads | data, base_written)
        return make_info(insn, Kind.STORE, width=width, release=iid in STORE_RELEASES,
                         addr_regs=addr, data_regs=data, reads=reads, writes=writes,
                         **predicate)  # fmt: skip
    if iid in LOAD_EXCLUSIVES or iid in LOAD_ACQUIRE_EXCLUSIVES:
        width = LOAD_EXCLUSIVES.get(iid) or LOAD_ACQUIRE_EXCLUSIVES[iid]
        dest = frozenset(before)
        reads, writes, predicate = _with_condition(insn, address_reads, dest)
        return make_info(insn, Kind.LOAD_EXCL, width=width,
                         acquire=iid in LOAD_ACQUIRE_EXCLUSIVES, addr_regs=addr, dest_regs=dest,
                         reads=reads, writes=writes, **predicate)  # fmt: skip
    if iid in STORE_EXCLUSIVES or iid in STORE_RELEASE_EXCLUSIVES:
        width = STORE_EXCLUSIVES.get(iid) or STORE_RELEASE_EXCLUSIVES[iid]
        status, data = frozenset(before[:1]), frozenset(before[1:])
        reads, writes, predicate = _with_condition(insn, address_reads | data, status)
        return make_info(insn, Kind.STORE_EXCL, width=width,
                         release=iid in STORE_RELEASE_EXCLUSIVES, addr_regs=addr, data_regs=data,
                         status_regs=status, reads=reads, writes=writes,
                         **predicate)  # fmt: skip
    refuse(target, insn, "accesses memory in a way fencelab does not model (A32 supports "
                         "LDR/STR{B,H,D}, LDREX/STREX, LDA/STL and barriers)")  # fmt: skip
