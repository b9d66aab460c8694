"""Classify x86-64 instructions (capstone, AT&T operand order) for the x86-TSO machine.

Under x86-TSO every memory instruction is one of: a load, a store (through the store buffer),
a locked read-modify-write (LOCK-prefixed, or XCHG with memory: atomic and fencing), or a fence
(MFENCE; LFENCE and SFENCE do not order ordinary memory accesses). We accept exactly those:

* MOV / MOVABS / MOVZX / MOVSX / MOVSXD to or from memory: a load or a store;
* CMP / TEST / BT with a memory operand, and ALU instructions whose memory operand is only a
  source (`addl (%rdi), %eax`): a load;
* LOCK ADD/SUB/AND/OR/XOR/ADC/SBB/INC/DEC/NEG/NOT/BTS/BTR/BTC/XADD, XCHG with memory: a locked
  RMW; LOCK CMPXCHG: a locked compare-and-swap comparing against rax;
* MFENCE, LFENCE, SFENCE; JMP and Jcc (and JRCXZ/LOOP); every register-only instruction.

An unlocked read-modify-write of memory (`addl $1, (%rdi)`) is a load and a store that another
core can slip between; rather than model that split we refuse it, as we refuse every other
memory-touching instruction we do not model (string ops, PUSH/POP, CALL/RET, SSE moves...).

Register sets use canonical names (`rax` for `eax`/`ax`/`al`, `rflags` for the flags) and never
include `rip`. Writing an 8- or 16-bit register keeps the rest of the full register, so such a
write also counts as a read of it. A load whose value lands in the flags (CMP, a locked ADD,
CMPXCHG's ZF...) lists `rflags` in `dest_regs`, so a branch on it carries the dependency.
MOV to or from memory and the fences are `pure` (their effect is a function of the registers
listed in `reads` and the values read; they change only `writes` and the PC): their steps may
be remembered (the `step-effects` reduction).
"""

from __future__ import annotations

import capstone
from capstone import x86_const as X

from fencelab.isa.classify import capstone_regs, make_info, refuse
from fencelab.isa.insn import Barrier, InsnInfo, Kind

NO_PC = ("rip",)

FENCES = {
    X.X86_INS_MFENCE: Barrier.FULL,
    X.X86_INS_LFENCE: Barrier.LFENCE,
    X.X86_INS_SFENCE: Barrier.SFENCE,
}
MOVES = {X.X86_INS_MOV, X.X86_INS_MOVABS, X.X86_INS_MOVZX, X.X86_INS_MOVSX, X.X86_INS_MOVSXD}
COMPARES = {X.X86_INS_CMP, X.X86_INS_TEST, X.X86_INS_BT}  # read memory, write only flags
ALU_BINARY = {X.X86_INS_ADD, X.X86_INS_SUB, X.X86_INS_AND, X.X86_INS_OR, X.X86_INS_XOR,
              X.X86_INS_ADC, X.X86_INS_SBB}  # fmt: skip
ALU_UNARY = {X.X86_INS_INC, X.X86_INS_DEC, X.X86_INS_NEG, X.X86_INS_NOT}
BIT_RMW = {X.X86_INS_BTS, X.X86_INS_BTR, X.X86_INS_BTC}
BIT_TESTS = BIT_RMW | {X.X86_INS_BT}
LOCKABLE = ALU_BINARY | ALU_UNARY | BIT_RMW | {X.X86_INS_XADD, X.X86_INS_CMPXCHG}
READS_CARRY = {X.X86_INS_ADC, X.X86_INS_SBB}
NO_FLAGS = {X.X86_INS_NOT, X.X86_INS_XCHG}
PAIR_CAS = {X.X86_INS_CMPXCHG8B, X.X86_INS_CMPXCHG16B}

_FLAG_WRITE_MASK = 0
_FLAG_READ_MASK = 0
for _name in dir(X):
    if _name.startswith("X86_EFLAGS_"):
        if _name.startswith("X86_EFLAGS_TEST_"):
            _FLAG_READ_MASK |= getattr(X, _name)
        elif not _name.startswith("X86_EFLAGS_PRIOR_"):
            _FLAG_WRITE_MASK |= getattr(X, _name)


def classify_x86(target, insn: capstone.CsInsn) -> InsnInfo:
    """Classify one x86-64 instruction; refuse memory accesses we do not model."""
    iid = insn.id
    if iid in FENCES:
        return make_info(insn, Kind.FENCE, barrier=FENCES[iid], barrier_domain="sy", pure=True)
    mems = [op for op in insn.operands if op.type == X.X86_OP_MEM]
    if iid in (X.X86_INS_NOP, X.X86_INS_PAUSE):  # `nopw 0(%rax,%rax)` reads nothing
        return make_info(insn, Kind.OTHER)
    if iid == X.X86_INS_LEA:  # its memory operand is only an address computation
        return _register_only(target, insn)
    if _implicit_memory(insn):
        refuse(target, insn, "accesses memory implicitly (stack or string operation); "
                             "fencelab models only explicit mov/lock/xchg accesses")  # fmt: skip
    if insn.group(X.X86_GRP_JUMP):
        if mems:
            refuse(target, insn, "is an indirect jump through memory; load the target first")
        return _branch(target, insn)
    if not mems:
        if _locked(insn):
            refuse(target, insn, "has a LOCK prefix without a memory operand")
        return _register_only(target, insn)
    if len(mems) != 1:
        refuse(target, insn, "accesses two memory locations; not supported")
    return _memory(target, insn, mems[0])


# -- register-only and branches ------------------------------------------------------------------


def _register_only(target, insn) -> InsnInfo:
    reads, writes = _registers(target, insn)
    return make_info(insn, Kind.OTHER, reads=reads, writes=writes)


def _branch(target, insn) -> InsnInfo:
    reads, writes = _registers(target, insn)
    conditional = insn.id != X.X86_INS_JMP
    if conditional and insn.id not in (X.X86_INS_JRCXZ, X.X86_INS_JECXZ, X.X86_INS_JCXZ,
                                       X.X86_INS_LOOP):  # fmt: skip
        reads = reads | {"rflags"}  # Jcc, LOOPE/LOOPNE
    return make_info(insn, Kind.BRANCH, conditional=conditional, reads=reads, writes=writes)


def _registers(target, insn) -> tuple[frozenset[str], frozenset[str]]:
    """Every register read and written: capstone's view, plus operands, flags, partial writes."""
    reads, writes = capstone_regs(target, insn, NO_PC)
    reads, writes = set(reads), set(writes)
    for op in insn.operands:
        if op.type == X.X86_OP_REG:
            name = insn.reg_name(op.reg)
            if op.access & capstone.CS_AC_READ:
                reads.add(target.canonical_reg(name))
            if op.access & capstone.CS_AC_WRITE:
                writes.add(target.canonical_reg(name))
                if _partial(target, name):
                    reads.add(target.canonical_reg(name))
        elif op.type == X.X86_OP_MEM:
            reads |= _address_regs(target, insn, op)
    if insn.eflags & _FLAG_WRITE_MASK or insn.id in (X.X86_INS_TEST, X.X86_INS_CMP):
        writes.add("rflags")  # capstone 5 reports no flags for TEST
    if insn.eflags & _FLAG_READ_MASK:
        reads.add("rflags")
    if insn.group(X.X86_GRP_CMOV):  # a false condition keeps the destination's low half
        reads |= {target.canonical_reg(insn.reg_name(op.reg)) for op in insn.operands
                  if op.type == X.X86_OP_REG and op.access & capstone.CS_AC_WRITE}  # fmt: skip
    reads.discard("rip")
    writes.discard("rip")
    return frozenset(reads), frozenset(writes)


def _partial(target, name: str) -> bool:
    """Is `name` an 8- or 16-bit view (whose write keeps the rest of the register)?"""
    full = target.canonical_reg(name)
    if name == full or full == "rflags":
        return False
    is_32 = (name.startswith("e") and len(name) == 3) or (name.startswith("r") and name[-1] == "d")
    return not is_32


def _implicit_memory(insn) -> bool:
    name = insn.insn_name() or ""
    return (
        insn.group(X.X86_GRP_CALL)
        or insn.group(X.X86_GRP_RET)
        or insn.group(X.X86_GRP_IRET)
        or insn.group(X.X86_GRP_INT)
        or name.startswith(("push", "pop", "enter", "leave", "xlat"))
        or name.startswith(("movs", "stos", "lods", "cmps", "scas", "ins", "outs"))
        and not name.startswith(("movsx", "movss", "movsd", "movshdup", "movsldup"))
    )


def _locked(insn) -> bool:
    return insn.prefix[0] == X.X86_PREFIX_LOCK


# -- memory instructions -------------------------------------------------------------------------


def _address_regs(target, insn, mem_op) -> frozenset[str]:
    m = mem_op.mem
    names = [insn.reg_name(r) for r in (m.base, m.index) if r]
    return frozenset(target.canonical_reg(n) for n in names) - {"rip"}


def _static_address(insn, mem_op) -> int | None:
    """The address of a memory operand no general register forms: absolute, or RIP-relative
    (the next instruction's address plus the displacement)."""
    m = mem_op.mem
    if m.index:
        return None
    if not m.base:
        return m.disp & (2**64 - 1)
    if m.base == X.X86_REG_RIP:
        return (insn.address + insn.size + m.disp) & (2**64 - 1)
    return None


def _memory(target, insn, mem_op) -> InsnInfo:
    iid = insn.id
    if mem_op.mem.segment not in (0, X.X86_REG_INVALID):
        refuse(target, insn, "uses segment-relative addressing; not supported")
    width = mem_op.size
    addr = _address_regs(target, insn, mem_op)
    locked = _locked(insn)
    mem_is_dest = insn.operands[-1].type == X.X86_OP_MEM  # AT&T: destination last
    regs = [op for op in insn.operands if op.type == X.X86_OP_REG]
    reg_names = [insn.reg_name(op.reg) for op in regs]
    canon = [target.canonical_reg(n) for n in reg_names]
    if iid in PAIR_CAS:
        refuse(target, insn, "compares a register pair; fencelab's compare-and-swap takes one "
                             "compare register (use cmpxchgq)")  # fmt: skip
    if iid in BIT_TESTS and regs:
        refuse(target, insn, "takes its bit offset from a register, which can address memory "
                             "beyond the operand; use an immediate bit offset")  # fmt: skip
    if locked and iid not in LOCKABLE and iid != X.X86_INS_XCHG:
        refuse(target, insn, f"has a LOCK prefix, which is invalid on {insn.insn_name()}")
    common = {"width": width, "addr_regs": addr, "static_addr": _static_address(insn, mem_op)}

    if iid in MOVES:
        if mem_is_dest:
            return make_info(insn, Kind.STORE, data_regs=canon, reads=addr | set(canon),
                             pure=True, **common)  # fmt: skip
        dest = frozenset(canon)
        partial = {target.canonical_reg(n) for n in reg_names if _partial(target, n)}
        return make_info(insn, Kind.LOAD, dest_regs=dest, reads=addr | partial, writes=dest,
                         pure=True, **common)  # fmt: skip

    if iid in COMPARES:
        return make_info(insn, Kind.LOAD, dest_regs={"rflags"}, reads=addr | set(canon),
                         writes={"rflags"}, **common)  # fmt: skip

    if iid == X.X86_INS_XCHG:  # implicitly locked, whatever the prefix says
        return make_info(insn, Kind.RMW, locked=True, data_regs=canon, dest_regs=canon,
                         reads=addr | set(canon), writes=canon, **common)  # fmt: skip

    flags_in = {"rflags"} if iid in READS_CARRY else set()
    flags_out = set() if iid in NO_FLAGS else {"rflags"}

    if iid in ALU_BINARY and not mem_is_dest:  # `addl (%rdi), %eax`: memory is only a source
        if locked:
            refuse(target, insn, "has a LOCK prefix but memory is not its destination")
        dest = frozenset(canon) | flags_out
        return make_info(insn, Kind.LOAD, dest_regs=dest, reads=addr | set(canon) | flags_in,
                         writes=dest, **common)  # fmt: skip

    if iid in LOCKABLE:
        if not locked:
            refuse(target, insn, "is a non-atomic read-modify-write; use LOCK or separate mov "
                                 "instructions")  # fmt: skip
        if iid == X.X86_INS_CMPXCHG:
            return make_info(insn, Kind.RMW, locked=True, cas=True, compare_regs={"rax"},
                             data_regs=canon, dest_regs={"rax", "rflags"},
                             reads=addr | set(canon) | {"rax"}, writes={"rax", "rflags"},
                             **common)  # fmt: skip
        if iid == X.X86_INS_XADD:
            dest = frozenset(canon) | flags_out
            return make_info(insn, Kind.RMW, locked=True, data_regs=canon, dest_regs=dest,
                             reads=addr | set(canon), writes=dest, **common)  # fmt: skip
        return make_info(insn, Kind.RMW, locked=True, data_regs=canon, dest_regs=flags_out,
                         reads=addr | set(canon) | flags_in, writes=flags_out,
                         **common)  # fmt: skip

    refuse(target, insn, "accesses memory in a way fencelab does not model (x86-64 supports "
                         "mov loads/stores, cmp/test, LOCK read-modify-writes, xchg, cmpxchg "
                         "and fences)")  # fmt: skip
