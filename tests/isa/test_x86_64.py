"""x86-64 instruction classification and the Unicorn core, on real keystone/capstone bytes.

Expected values follow the Intel SDM (vol. 2: operand sizes, implicit operands of CMPXCHG/XADD,
XCHG's implicit lock; vol. 3 §8.2: x86-TSO, LFENCE/SFENCE) rather than what the code prints.
"""

from __future__ import annotations

import pytest

from fencelab.errors import FencelabError
from fencelab.isa.core import NeedRead, Step
from fencelab.isa.insn import Barrier, Kind
from fencelab.isa.registry import TARGETS

T = TARGETS["x86_64"]
BASE = 0x1000
X = 0x100000  # a shared location


def decode(*lines: str):
    return T.disassemble(T.assemble(list(lines), BASE), BASE)


def info(line: str):
    (d,) = decode(line)
    return d.info


# -- loads and stores ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line, kind, width, addr, data, dest",
    [
        ("movl $1, (%rdi)", Kind.STORE, 4, {"rdi"}, set(), set()),
        ("movq $-1, 8(%rdi)", Kind.STORE, 8, {"rdi"}, set(), set()),
        ("movb %al, 3(%rdi)", Kind.STORE, 1, {"rdi"}, {"rax"}, set()),
        ("movw %r9w, (%rdi)", Kind.STORE, 2, {"rdi"}, {"r9"}, set()),
        ("movl %ecx, (%rsi,%rbx,4)", Kind.STORE, 4, {"rsi", "rbx"}, {"rcx"}, set()),
        ("movq %r8, (%r10)", Kind.STORE, 8, {"r10"}, {"r8"}, set()),
        ("movq (%rsi), %rax", Kind.LOAD, 8, {"rsi"}, set(), {"rax"}),
        ("movl (%rsi,%rbx,4), %eax", Kind.LOAD, 4, {"rsi", "rbx"}, set(), {"rax"}),
        ("movzbl (%rdi), %eax", Kind.LOAD, 1, {"rdi"}, set(), {"rax"}),
        ("movsbq (%rdi), %rax", Kind.LOAD, 1, {"rdi"}, set(), {"rax"}),
        ("movswl 2(%rdi), %ecx", Kind.LOAD, 2, {"rdi"}, set(), {"rcx"}),
        ("movzwl (%rdi), %r11d", Kind.LOAD, 2, {"rdi"}, set(), {"r11"}),
        ("movslq (%rdi), %rax", Kind.LOAD, 4, {"rdi"}, set(), {"rax"}),
        ("movabsl 0x100000, %eax", Kind.LOAD, 4, set(), set(), {"rax"}),
    ],
)
def test_mov_loads_and_stores(line, kind, width, addr, data, dest):
    i = info(line)
    assert i.kind is kind
    assert i.width == width
    assert i.addr_regs == addr
    assert i.data_regs == data
    assert i.dest_regs == dest
    assert not i.locked and not i.cas
    assert i.reads >= addr | data
    assert i.writes == dest


def test_store_reads_address_and_data_only():
    i = info("movl %ecx, (%rsi,%rbx,4)")
    assert i.reads == {"rsi", "rbx", "rcx"}
    assert i.writes == frozenset()


def test_byte_load_keeps_the_rest_of_the_register():
    """`movb (%rdi), %al` leaves bits 8..63 of rax alone, so rax's old value flows through."""
    i = info("movb (%rdi), %al")
    assert i.dest_regs == {"rax"}
    assert i.reads == {"rdi", "rax"}
    # a 32-bit load zero-extends: no dependency on the old value
    assert info("movl (%rdi), %eax").reads == {"rdi"}


def test_rip_relative_address_has_no_address_registers():
    (d,) = decode("movl 0x100000, %eax")  # keystone encodes it rip-relative
    assert "(%rip)" in d.op_str
    assert d.info.kind is Kind.LOAD
    assert d.info.addr_regs == frozenset()
    assert "rip" not in d.info.reads


@pytest.mark.parametrize("line", ["cmpl $1, (%rdi)", "testl %eax, (%rdi)", "btl $3, (%rdi)"])
def test_compare_with_memory_is_a_load_into_the_flags(line):
    i = info(line)
    assert i.kind is Kind.LOAD
    assert i.width == 4
    assert i.addr_regs == {"rdi"}
    assert i.writes == {"rflags"}
    assert i.dest_regs == {"rflags"}


def test_alu_with_a_memory_source_is_a_load():
    i = info("addl (%rdi), %eax")
    assert i.kind is Kind.LOAD
    assert i.dest_regs == {"rax", "rflags"}
    assert i.reads == {"rdi", "rax"}
    assert info("adcl (%rdi), %eax").reads == {"rdi", "rax", "rflags"}  # ADC reads CF


# -- locked read-modify-writes -------------------------------------------------------------------


@pytest.mark.parametrize(
    "line, width, data",
    [
        ("lock addl $1, (%rdi)", 4, set()),
        ("lock addq %rcx, (%rdi)", 8, {"rcx"}),
        ("lock subl %edx, (%rdi)", 4, {"rdx"}),
        ("lock andb $1, (%rdi)", 1, set()),
        ("lock orw %ax, (%rdi)", 2, {"rax"}),
        ("lock xorq %rsi, (%rdi)", 8, {"rsi"}),
        ("lock incl (%rdi)", 4, set()),
        ("lock decq (%rdi)", 8, set()),
        ("lock negl (%rdi)", 4, set()),
        ("lock btsl $3, (%rdi)", 4, set()),
        ("lock btrq $3, (%rdi)", 8, set()),
    ],
)
def test_lock_prefixed_rmw(line, width, data):
    i = info(line)
    assert i.kind is Kind.RMW
    assert i.locked
    assert not i.cas
    assert i.width == width
    assert i.addr_regs == {"rdi"}
    assert i.data_regs == data
    assert i.writes == {"rflags"}


def test_lock_not_writes_no_flags():
    i = info("lock notl (%rdi)")
    assert i.kind is Kind.RMW and i.locked
    assert i.writes == frozenset()


def test_lock_xadd():
    i = info("lock xaddl %eax, (%rdi)")
    assert (i.kind, i.locked, i.width) == (Kind.RMW, True, 4)
    assert i.data_regs == {"rax"}
    assert "rax" in i.dest_regs  # the old memory value lands in the source register
    assert i.addr_regs == {"rdi"}
    assert i.writes == {"rax", "rflags"}


@pytest.mark.parametrize("line", ["xchgq %rax, (%rsi)", "xchgq (%rsi), %rax"])
def test_xchg_with_memory_is_implicitly_locked(line):
    i = info(line)
    assert i.kind is Kind.RMW
    assert i.locked  # no LOCK prefix needed (SDM: XCHG with memory always asserts LOCK)
    assert i.width == 8
    assert i.addr_regs == {"rsi"}
    assert i.data_regs == {"rax"}
    assert i.dest_regs == {"rax"}
    assert i.writes == {"rax"}  # XCHG affects no flags


def test_lock_cmpxchg_is_a_cas_comparing_rax():
    i = info("lock cmpxchgl %ecx, (%rdi)")
    assert (i.kind, i.locked, i.cas, i.width) == (Kind.RMW, True, True, 4)
    assert i.compare_regs == {"rax"}
    assert i.data_regs == {"rcx"}
    assert "rax" in i.dest_regs
    assert i.reads == {"rax", "rcx", "rdi"}
    assert i.writes == {"rax", "rflags"}
    assert info("lock cmpxchgb %cl, (%rdi)").width == 1


# -- fences, branches, register-only --------------------------------------------------------------


@pytest.mark.parametrize(
    "line, barrier",
    [("mfence", Barrier.FULL), ("lfence", Barrier.LFENCE), ("sfence", Barrier.SFENCE)],
)
def test_fences(line, barrier):
    i = info(line)
    assert i.kind is Kind.FENCE
    assert i.barrier is barrier
    assert i.is_memory_event


def test_branches():
    jne, jmp, _ = decode("jne L", "jmp L", "L: nop")
    assert jne.info.kind is Kind.BRANCH and jne.info.conditional
    assert jne.info.reads == {"rflags"}
    assert jmp.info.kind is Kind.BRANCH and not jmp.info.conditional
    assert jmp.info.reads == frozenset()
    indirect = info("jmp *%rax")
    assert indirect.kind is Kind.BRANCH and not indirect.conditional
    assert indirect.reads == {"rax"}


@pytest.mark.parametrize(
    "line, reads, writes",
    [
        ("addl %eax, %ebx", {"rax", "rbx"}, {"rbx", "rflags"}),
        ("xorl %eax, %eax", {"rax"}, {"rax", "rflags"}),
        ("testl %eax, %eax", {"rax"}, {"rflags"}),
        ("cmpq %rcx, %rdx", {"rcx", "rdx"}, {"rflags"}),
        ("movl $1, %eax", set(), {"rax"}),
        ("movb $1, %al", {"rax"}, {"rax"}),
        ("sete %dl", {"rflags", "rdx"}, {"rdx"}),
        ("cmovel %ebx, %eax", {"rflags", "rax", "rbx"}, {"rax"}),
        ("leaq 8(%rdi,%rsi,2), %rax", {"rdi", "rsi"}, {"rax"}),
        ("nopw 0(%rax,%rax,1)", set(), set()),
    ],
)
def test_register_only(line, reads, writes):
    i = info(line)
    assert i.kind is Kind.OTHER
    assert not i.is_memory_event
    assert i.reads == reads
    assert i.writes == writes


# -- refusals ------------------------------------------------------------------------------------


def test_unlocked_rmw_is_refused_with_the_instruction_named():
    with pytest.raises(FencelabError) as e:
        decode("addl $1, (%rdi)")
    assert str(e.value) == (
        "x86_64: 'addl $1, (%rdi)' is a non-atomic read-modify-write; use LOCK or separate mov "
        "instructions"
    )


@pytest.mark.parametrize(
    "line, why",
    [
        ("incl (%rdi)", "non-atomic read-modify-write"),
        ("xaddl %eax, (%rdi)", "non-atomic read-modify-write"),
        ("cmpxchgl %ecx, (%rdi)", "non-atomic read-modify-write"),
        ("movsb", "implicitly"),
        ("rep stosq", "implicitly"),
        ("pushq %rax", "implicitly"),
        ("popq %rax", "implicitly"),
        ("call L\nL:", "implicitly"),
        ("ret", "implicitly"),
        ("movaps (%rdi), %xmm0", "does not model"),
        ("cmovel (%rdi), %eax", "does not model"),
        ("jmp *(%rax)", "through memory"),
        ("lock cmpxchg16b (%rdi)", "register pair"),
        ("movl %fs:(%rdi), %eax", "segment"),
        ("btsl %eax, (%rdi)", "bit offset from a register"),
    ],
)
def test_unmodelled_memory_instructions_are_refused(line, why):
    code = T.assemble(line.splitlines(), BASE)
    with pytest.raises(FencelabError, match=why) as e:
        T.disassemble(code, BASE)
    assert str(e.value).startswith("x86_64: '")


# -- running on the core -------------------------------------------------------------------------


def new_core(*lines: str):
    return T.new_core(T.assemble(list(lines), BASE), BASE, regions=[(X, 0x1000)])


def test_lock_xadd_on_the_core():
    core = new_core("movl $7, %eax", "lock xaddl %eax, (%rdi)", "movl %eax, %ebx")
    start = core.initial_state({"rdi": X})
    assert core.info(start.state).text == "lock xaddl %eax, (%rdi)"
    assert core.run(start.state) == NeedRead(X, 4, 0)
    step = core.run(start.state, (5,))
    assert isinstance(step, Step)
    assert [(a.addr, a.size, a.value) for a in step.reads] == [(X, 4, 5)]
    assert [(a.addr, a.size, a.value) for a in step.writes] == [(X, 4, 12)]  # 5 + 7
    assert core.reg(step.state, "eax") == 5  # the old value
    assert core.reg(step.state, "rbx") == 5  # the register-only tail ran too
    assert core.halted(step.state)


def test_failing_lock_cmpxchg_writes_nothing_and_loads_rax():
    core = new_core("lock cmpxchgl %ecx, (%rdi)", "sete %dl")
    start = core.initial_state({"rdi": X, "rax": 1, "rcx": 9})
    fail = core.run(start.state, (2,))
    assert fail.writes == ()
    assert core.reg(fail.state, "rax") == 2  # SDM: the accumulator gets the memory value
    assert core.reg(fail.state, "rdx") == 0  # ZF clear
    ok = core.run(start.state, (1,))
    assert [(a.addr, a.value) for a in ok.writes] == [(X, 9)]
    assert core.reg(ok.state, "rdx") == 1


def test_xchg_and_plain_accesses_on_the_core():
    core = new_core("xchgq %rax, (%rsi)", "movl $3, 8(%rsi)", "movl 8(%rsi), %ecx")
    start = core.initial_state({"rsi": X, "rax": 42})
    swap = core.run(start.state, (3,))
    assert [(a.addr, a.size, a.value) for a in swap.writes] == [(X, 8, 42)]
    assert core.reg(swap.state, "rax") == 3
    store = core.run(swap.state)
    assert store.reads == ()
    assert [(a.addr, a.size, a.value) for a in store.writes] == [(X + 8, 4, 3)]
    load = core.run(store.state, (77,))
    assert load.writes == ()
    assert core.reg(load.state, "rcx") == 77
