"""A32 (ARM state) instruction classification and the Unicorn core, on real bytes.

Expected values follow the ARM Architecture Reference Manual (ARMv7-A/R, and ARMv8-A's AArch32
chapters for LDA/STL and DMB LD): access sizes, writeback, the STREX status (0 = success), the
DMB option encodings. ARMv8 AArch32 instructions keystone 0.9.2 cannot assemble are written as
`.word`s whose values come from GNU as (`arm-linux-gnueabihf-as -march=armv8-a`).
"""

from __future__ import annotations

import pytest

from fencelab.errors import FencelabError
from fencelab.isa.core import NeedRead, Step
from fencelab.isa.insn import Barrier, Kind, as_executed
from fencelab.isa.registry import TARGETS

T = TARGETS["armv7"]
BASE = 0x1000
X = 0x100000

# ARMv8-A AArch32 encodings, from `arm-linux-gnueabihf-as -march=armv8-a` + objdump
V8 = {
    "lda r0, [r1]": 0xE1910C9F,
    "ldab r0, [r1]": 0xE1D10C9F,
    "ldah r0, [r1]": 0xE1F10C9F,
    "stl r0, [r1]": 0xE181FC90,
    "stlb r0, [r1]": 0xE1C1FC90,
    "stlh r0, [r1]": 0xE1E1FC90,
    "ldaex r0, [r1]": 0xE1910E9F,
    "ldaexb r0, [r1]": 0xE1D10E9F,
    "ldaexh r0, [r1]": 0xE1F10E9F,
    "ldaexd r0, r1, [r2]": 0xE1B20E9F,
    "stlex r2, r0, [r1]": 0xE1812E90,
    "stlexb r2, r0, [r1]": 0xE1C12E90,
    "stlexh r2, r0, [r1]": 0xE1E12E90,
    "stlexd r4, r0, r1, [r2]": 0xE1A24E90,
    "dmb ishld": 0xF57FF059,
    "dmb ld": 0xF57FF05D,
    "dmb oshld": 0xF57FF051,
    "dmb nshld": 0xF57FF055,
    "dsb ishld": 0xF57FF049,
}


def decode(*lines: str):
    lines = tuple(f".word {V8[ln]:#x}" if ln in V8 else ln for ln in lines)
    return T.disassemble(T.assemble(list(lines), BASE), BASE)


def info(line: str):
    (d,) = decode(line)
    return d.info


# -- loads and stores ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line, kind, width, addr, data, dest, writes",
    [
        ("ldr r0, [r1]", Kind.LOAD, 4, {"r1"}, set(), {"r0"}, {"r0"}),
        ("ldr r0, [r1, #-4]", Kind.LOAD, 4, {"r1"}, set(), {"r0"}, {"r0"}),
        ("ldr r0, [r1, r2]", Kind.LOAD, 4, {"r1", "r2"}, set(), {"r0"}, {"r0"}),
        ("ldr r0, [r1, -r2]", Kind.LOAD, 4, {"r1", "r2"}, set(), {"r0"}, {"r0"}),
        ("ldr r0, [r1, r2, lsl #2]", Kind.LOAD, 4, {"r1", "r2"}, set(), {"r0"}, {"r0"}),
        ("ldr r0, [r1, #4]!", Kind.LOAD, 4, {"r1"}, set(), {"r0"}, {"r0", "r1"}),
        ("ldr r0, [r1, r2]!", Kind.LOAD, 4, {"r1", "r2"}, set(), {"r0"}, {"r0", "r1"}),
        ("ldr r0, [r1], #4", Kind.LOAD, 4, {"r1"}, set(), {"r0"}, {"r0", "r1"}),
        ("ldrb r0, [r1]", Kind.LOAD, 1, {"r1"}, set(), {"r0"}, {"r0"}),
        ("ldrh r0, [r1, #2]", Kind.LOAD, 2, {"r1"}, set(), {"r0"}, {"r0"}),
        ("ldrsb r0, [r1]", Kind.LOAD, 1, {"r1"}, set(), {"r0"}, {"r0"}),
        ("ldrsh r0, [r1]", Kind.LOAD, 2, {"r1"}, set(), {"r0"}, {"r0"}),
        ("ldrd r0, r1, [r2]", Kind.LOAD, 8, {"r2"}, set(), {"r0", "r1"}, {"r0", "r1"}),
        ("ldrd r2, r3, [r4, #8]!", Kind.LOAD, 8, {"r4"}, set(), {"r2", "r3"},
         {"r2", "r3", "r4"}),
        ("str r0, [r1]", Kind.STORE, 4, {"r1"}, {"r0"}, set(), set()),
        ("strb r0, [r1, r2]", Kind.STORE, 1, {"r1", "r2"}, {"r0"}, set(), set()),
        ("strh r0, [r1, #-2]!", Kind.STORE, 2, {"r1"}, {"r0"}, set(), {"r1"}),
        ("strd r0, r1, [r2]", Kind.STORE, 8, {"r2"}, {"r0", "r1"}, set(), set()),
        ("str r3, [r5], #4", Kind.STORE, 4, {"r5"}, {"r3"}, set(), {"r5"}),
    ],
)  # fmt: skip
def test_loads_and_stores(line, kind, width, addr, data, dest, writes):
    i = info(line)
    assert i.kind is kind
    assert i.width == width
    assert i.addr_regs == addr
    assert i.data_regs == data
    assert i.dest_regs == dest
    assert i.writes == writes
    assert not (i.acquire or i.release)
    assert "cpsr" not in i.reads  # unconditional


def test_post_index_register_updates_the_base_but_is_not_part_of_the_address():
    i = info("ldr r0, [r1], r2")
    assert i.addr_regs == {"r1"}  # the access is at r1; r1 + r2 is written back
    assert i.reads == {"r1", "r2"}
    assert i.writes == {"r0", "r1"}


def test_capstone_aliases_are_canonicalised():
    (d,) = decode("ldr r9, [r10, r11]")
    assert d.text == "ldr sb, [sl, fp]"
    assert d.info.addr_regs == {"r10", "r11"}
    assert d.info.dest_regs == {"r9"}
    assert info("str ip, [sp, #4]").data_regs == {"r12"}


def test_conditional_memory_access_reads_the_flags():
    load = info("ldrne r0, [r1]")
    assert load.kind is Kind.LOAD
    assert load.reads == {"cpsr", "r1", "r0"}  # r0 keeps its old value when NE fails
    store = info("streq r0, [r1]")
    assert store.kind is Kind.STORE
    assert store.reads == {"cpsr", "r0", "r1"}


@pytest.mark.parametrize("line, predicate, only_for_it, operands", [
    ("ldrne r0, [r1]", "ne", {"cpsr", "r0"}, {"r1"}),
    ("streq r0, [r1]", "eq", {"cpsr"}, {"r0", "r1"}),
    ("strexeq r2, r0, [r1]", "eq", {"cpsr", "r2"}, {"r0", "r1"}),
    ("moveq r0, #1", "eq", {"cpsr", "r0"}, set()),
    ("addge r0, r0, #1", "ge", {"cpsr"}, {"r0"}),  # r0 is an operand too
    ("adclo r0, r0, r1", "lo", set(), {"r0", "r1", "cpsr"}),  # the carry is an operand
    ("cmpeq r0, #0", "eq", {"cpsr"}, {"r0"}),
    ("mov r0, #1", "", set(), set()),
    ("beq #0x1000", "", set(), {"cpsr"}),  # a branch's condition is `conditional`
])  # fmt: skip
def test_a_predicated_instruction_names_its_condition(line, predicate, only_for_it, operands):
    """`predicate` and what `reads` holds only for it; `as_executed` (arm.cat's reading where
    the condition held) reads the operands alone."""
    i = info(line)
    assert (i.predicate, i.predicate_reads) == (predicate, only_for_it)
    assert as_executed(i).reads == operands
    assert i.reads == operands | only_for_it


# -- exclusives and ARMv8 acquire/release ---------------------------------------------------------


@pytest.mark.parametrize(
    "line, width, dest",
    [
        ("ldrex r0, [r1]", 4, {"r0"}),
        ("ldrexb r0, [r1]", 1, {"r0"}),
        ("ldrexh r0, [r1]", 2, {"r0"}),
        ("ldrexd r0, r1, [r2]", 8, {"r0", "r1"}),
    ],
)
def test_load_exclusive(line, width, dest):
    i = info(line)
    assert i.kind is Kind.LOAD_EXCL
    assert i.width == width
    assert i.dest_regs == dest
    assert i.writes == dest
    assert not i.acquire


@pytest.mark.parametrize(
    "line, width, status, data, addr",
    [
        ("strex r2, r0, [r1]", 4, {"r2"}, {"r0"}, {"r1"}),
        ("strexb r2, r0, [r1]", 1, {"r2"}, {"r0"}, {"r1"}),
        ("strexh r2, r0, [r1]", 2, {"r2"}, {"r0"}, {"r1"}),
        ("strexd r4, r0, r1, [r2]", 8, {"r4"}, {"r0", "r1"}, {"r2"}),
    ],
)
def test_store_exclusive(line, width, status, data, addr):
    i = info(line)
    assert i.kind is Kind.STORE_EXCL
    assert i.width == width
    assert i.status_regs == status
    assert i.data_regs == data
    assert i.addr_regs == addr
    assert i.reads == data | addr
    assert i.writes == status
    assert not i.release


@pytest.mark.parametrize(
    "line, kind, width, acquire, release",
    [
        ("lda r0, [r1]", Kind.LOAD, 4, True, False),
        ("ldab r0, [r1]", Kind.LOAD, 1, True, False),
        ("ldah r0, [r1]", Kind.LOAD, 2, True, False),
        ("stl r0, [r1]", Kind.STORE, 4, False, True),
        ("stlb r0, [r1]", Kind.STORE, 1, False, True),
        ("stlh r0, [r1]", Kind.STORE, 2, False, True),
        ("ldaex r0, [r1]", Kind.LOAD_EXCL, 4, True, False),
        ("ldaexb r0, [r1]", Kind.LOAD_EXCL, 1, True, False),
        ("ldaexh r0, [r1]", Kind.LOAD_EXCL, 2, True, False),
        ("ldaexd r0, r1, [r2]", Kind.LOAD_EXCL, 8, True, False),
        ("stlex r2, r0, [r1]", Kind.STORE_EXCL, 4, False, True),
        ("stlexb r2, r0, [r1]", Kind.STORE_EXCL, 1, False, True),
        ("stlexh r2, r0, [r1]", Kind.STORE_EXCL, 2, False, True),
        ("stlexd r4, r0, r1, [r2]", Kind.STORE_EXCL, 8, False, True),
    ],
)
def test_armv8_aarch32_acquire_release(line, kind, width, acquire, release):
    (d,) = decode(line)
    assert d.text == line  # capstone decodes them in plain ARM mode
    i = d.info
    assert (i.kind, i.width, i.acquire, i.release) == (kind, width, acquire, release)
    assert not i.acquire_pc


def test_ldaexd_and_stlexd_registers():
    assert info("ldaexd r0, r1, [r2]").dest_regs == {"r0", "r1"}
    i = info("stlexd r4, r0, r1, [r2]")
    assert (i.status_regs, i.data_regs, i.addr_regs) == ({"r4"}, {"r0", "r1"}, {"r2"})


# -- barriers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line, barrier, domain, is_dsb",
    [
        ("dmb sy", Barrier.FULL, "sy", False),
        ("dmb", Barrier.FULL, "sy", False),
        ("dmb ish", Barrier.FULL, "ish", False),
        ("dmb osh", Barrier.FULL, "osh", False),
        ("dmb nsh", Barrier.FULL, "nsh", False),
        ("dmb st", Barrier.STORE, "sy", False),
        ("dmb ishst", Barrier.STORE, "ish", False),
        ("dmb oshst", Barrier.STORE, "osh", False),
        ("dmb nshst", Barrier.STORE, "nsh", False),
        ("dmb ld", Barrier.LOAD, "sy", False),
        ("dmb ishld", Barrier.LOAD, "ish", False),
        ("dmb oshld", Barrier.LOAD, "osh", False),
        ("dmb nshld", Barrier.LOAD, "nsh", False),
        ("dsb sy", Barrier.FULL, "sy", True),
        ("dsb ish", Barrier.FULL, "ish", True),
        ("dsb ishst", Barrier.STORE, "ish", True),
        ("dsb ishld", Barrier.LOAD, "ish", True),
        ("isb", Barrier.ISB, "sy", False),
    ],
)
def test_barriers(line, barrier, domain, is_dsb):
    i = info(line)
    assert i.kind is Kind.FENCE
    assert (i.barrier, i.barrier_domain, i.is_dsb) == (barrier, domain, is_dsb)
    assert i.is_memory_event


def test_clrex_is_a_fence_without_a_barrier():
    i = info("clrex")
    assert i.kind is Kind.FENCE
    assert i.barrier is None
    assert i.is_memory_event  # the model must see it to clear the exclusive monitor


def test_reserved_dmb_option_is_refused():
    code = T.assemble([".word 0xf57ff050"], BASE)  # DMB with option 0b0000 (reserved)
    with pytest.raises(FencelabError, match="reserved barrier option"):
        T.disassemble(code, BASE)


# -- branches and register-only ------------------------------------------------------------------


def test_branches():
    bne, beq, b, bl, _ = decode("bne L", "beq L", "b L", "bl L", "L:", "nop")
    for cond in (bne, beq):
        assert cond.info.kind is Kind.BRANCH
        assert cond.info.conditional
        assert cond.info.reads == {"cpsr"}
    assert b.info.kind is Kind.BRANCH and not b.info.conditional
    assert b.info.reads == frozenset()
    assert bl.info.kind is Kind.BRANCH and bl.info.writes == {"lr"}
    bx = info("bx lr")
    assert bx.kind is Kind.BRANCH and bx.reads == {"lr"}


@pytest.mark.parametrize(
    "line, reads, writes",
    [
        ("moveq r0, #1", {"cpsr", "r0"}, {"r0"}),
        ("cmp r0, #1", {"r0"}, {"cpsr"}),
        ("tst r0, r1", {"r0", "r1"}, {"cpsr"}),
        ("adds r0, r0, #1", {"r0"}, {"r0", "cpsr"}),
        ("add r0, r0, r1", {"r0", "r1"}, {"r0"}),
        ("adc r0, r0, r1", {"r0", "r1", "cpsr"}, {"r0"}),
        ("adcs r0, r0, r1", {"r0", "r1", "cpsr"}, {"r0", "cpsr"}),
        ("mov r0, r1, rrx", {"r1", "cpsr"}, {"r0"}),
        ("add r0, r3, r1, lsl r2", {"r3", "r1", "r2"}, {"r0"}),
        ("eor r0, r0, r0", {"r0"}, {"r0"}),
        ("mov r0, #1", set(), {"r0"}),
        ("movw r0, #0x1234", set(), {"r0"}),
        ("movt r0, #0x10", {"r0"}, {"r0"}),
        ("mov r12, r9", {"r9"}, {"r12"}),
    ],
)
def test_register_only(line, reads, writes):
    i = info(line)
    assert i.kind is Kind.OTHER
    assert i.reads == reads
    assert i.writes == writes


@pytest.mark.parametrize(
    "line, order, writes",
    [
        ("ldm r0, {r1, r2}", ("r1", "r2"), {"r1", "r2"}),
        ("ldmib r0, {r3, r1, r2}", ("r1", "r2", "r3"), {"r1", "r2", "r3"}),
        ("ldm r0!, {r1, r2}", ("r1", "r2"), {"r0", "r1", "r2"}),
        ("ldmda r4, {r1, r2}", ("r1", "r2"), {"r1", "r2"}),
        ("ldmdb r4!, {r5, r6, r7}", ("r5", "r6", "r7"), {"r4", "r5", "r6", "r7"}),
        ("ldrd r2, r3, [r4]", ("r2", "r3"), {"r2", "r3"}),
    ],
)  # fmt: skip
def test_load_multiple_and_ldrd_read_a_word_per_register_in_address_order(line, order, writes):
    # herd's ARMSem.ml: LDM2/LDM3 and LDRD are one word read per register, each its own
    i = info(line)
    assert i.kind is Kind.LOAD
    assert i.width == 4 * len(order)
    assert i.pair_order == order
    assert i.dest_regs == set(order)
    assert i.writes == writes
    assert i.addr_regs == ({"r0"} if "r0" in line else {"r4"})


def test_a_conditional_load_multiple_keeps_its_registers_when_the_condition_fails():
    i = info("ldmeq r0, {r1, r2}")
    assert i.reads == {"r0", "cpsr", "r1", "r2"}


# -- refusals ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line, why",
    [
        ("stmdb sp!, {r0, r1}", "store multiple or a stack operation"),
        ("pop {r0, r1}", "store multiple or a stack operation"),
        ("ldm r0, {r1, pc}", "transfers the PC"),
        (".word 0xe8b00003", "its own base register with writeback"),  # ldm r0!, {r0, r1}
        ("ldr r0, [pc, #4]", "PC-relative"),
        ("ldr pc, [r0]", "transfers the PC"),
        ("vldr d0, [r0]", "does not model"),
        ("ldrt r0, [r1]", "does not model"),
    ],
)
def test_unmodelled_memory_instructions_are_refused(line, why):
    code = T.assemble([line], BASE)
    with pytest.raises(FencelabError, match=why) as e:
        T.disassemble(code, BASE)
    assert str(e.value).startswith("armv7: ")


def test_swp_is_refused_when_assembled():
    # SWP was removed in ARMv8: keystone in its V8 mode (for LDA/STL) refuses it, as capstone
    # (V8 mode) would refuse to decode it
    with pytest.raises(FencelabError, match=r"cannot assemble 'swp r0, r1, \[r2\]' \(Missing CPU"):
        T.assemble(["swp r0, r1, [r2]"], BASE)


# -- running on the core -------------------------------------------------------------------------


def new_core(*lines: str):
    return T.new_core(T.assemble(list(lines), BASE), BASE, regions=[(X, 0x1000)])


def test_ldrex_strex_on_the_core():
    core = new_core("ldrex r0, [r1]", "add r0, r0, #1", "strex r2, r0, [r1]", "mov r3, #1")
    start = core.initial_state({"r1": X, "r2": 7})
    assert core.run(start.state) == NeedRead(X, 4, 0)
    loaded = core.run(start.state, (5,))
    assert isinstance(loaded, Step)
    assert core.reg(loaded.state, "r0") == 6
    assert core.info(loaded.state).kind is Kind.STORE_EXCL
    # the store-exclusive's "read" is the monitor's compare: the value LDREX read succeeds
    ok = core.run(loaded.state, (5,))
    assert [(a.addr, a.size, a.value) for a in ok.writes] == [(X, 4, 6)]
    assert core.reg(ok.state, "r2") == 0
    assert core.reg(ok.state, "r3") == 1
    # any other value fails: status 1 and no write
    failed = core.run(loaded.state, (9,))
    assert failed.writes == ()
    assert core.reg(failed.state, "r2") == 1


def test_ldrexd_strexd_on_the_core():
    core = new_core("ldrexd r0, r1, [r2]", "adds r0, r0, #1", "adc r1, r1, #0",
                    "strexd r4, r0, r1, [r2]")  # fmt: skip
    start = core.initial_state({"r2": X, "r4": 7})
    assert core.run(start.state) == NeedRead(X, 8, 0)
    loaded = core.run(start.state, (0x2_FFFF_FFFF,))
    assert (core.reg(loaded.state, "r0"), core.reg(loaded.state, "r1")) == (0, 3)
    ok = core.run(loaded.state, (0x2_FFFF_FFFF,))
    assert [(a.addr, a.size, a.value) for a in ok.writes] == [(X, 8, 0x3_0000_0000)]
    assert core.reg(ok.state, "r4") == 0
    failed = core.run(loaded.state, (0x2_FFFF_FFFE,))
    assert failed.writes == () and core.reg(failed.state, "r4") == 1


def test_a_failed_condition_is_skipped_on_the_core():
    """`Step.skipped`: the positions, in `executed`, of the predicated instructions whose
    condition failed on the flags before them (which did nothing)."""
    core = new_core("ldr r0, [r1]", "cmp r0, #1", "moveq r2, #1", "movne r2, #2",
                    "addeq r3, r3, #1", "cmp r0, #0", "streq r2, [r1]", "strne r2, [r1]")  # fmt: skip
    start = core.initial_state({"r1": X})
    assert start.skipped == ()
    one = core.run(start.state, (1,))  # ldr, cmp, moveq, movne, addeq, cmp: NE fails
    assert one.skipped == (3,) and core.reg(one.state, "r2") == 1
    assert core.run(one.state).skipped == (0,) and core.run(one.state).writes == ()  # streq
    zero = core.run(start.state, (0,))  # EQ fails at moveq and addeq
    assert zero.skipped == (2, 4) and core.reg(zero.state, "r2") == 2
    assert core.run(zero.state).skipped == ()  # streq runs: z flag set by cmp r0, #0


def test_flips_run_a_predicated_instruction_the_other_way_on_the_core():
    """`Core.run`'s `flips` (the axiomatic checker's guesses): the k-th predicated instruction
    of the step goes the other way for itself alone; the flags after it are the flags before."""
    core = new_core("ldr r0, [r1]", "cmp r0, #1", "moveq r2, #1", "movne r3, #2",
                    "streq r2, [r1]")  # fmt: skip
    start = core.initial_state({"r1": X, "r2": 7, "r3": 9})
    natural = core.run(start.state, (0,))  # NE holds: moveq skipped, movne runs
    assert natural.skipped == (2,) and core.reg(natural.state, "r2") == 7
    flipped = core.run(start.state, (0,), frozenset({0}))  # moveq runs; movne as the flags say
    assert flipped.skipped == () and core.reg(flipped.state, "r2") == 1
    assert core.reg(flipped.state, "r3") == 2
    assert core.reg(flipped.state, "cpsr") == core.reg(natural.state, "cpsr")
    both = core.run(start.state, (0,), frozenset({0, 1}))  # moveq runs, movne does not
    assert both.skipped == (3,) and core.reg(both.state, "r3") == 9
    assert core.run(flipped.state).writes == ()  # streq as its flags say: NE
    stored = core.run(flipped.state, (), frozenset({0}))  # the store itself the other way
    assert [(a.addr, a.value) for a in stored.writes] == [(X, 1)] and stored.skipped == ()


def test_writeback_and_conditional_store_on_the_core():
    core = new_core("ldr r0, [r1], #4", "cmp r0, #0", "strne r0, [r1]", "streq r5, [r1]")
    start = core.initial_state({"r1": X, "r5": 99})
    loaded = core.run(start.state, (0,))
    assert core.reg(loaded.state, "r1") == X + 4  # post-indexed writeback
    skipped = core.run(loaded.state)  # NE fails after cmp 0, 0: no access at all
    assert skipped.reads == () and skipped.writes == ()
    stored = core.run(skipped.state)
    assert [(a.addr, a.value) for a in stored.writes] == [(X + 4, 99)]
