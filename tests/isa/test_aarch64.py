"""AArch64: our LSE/LDAPR encoder, the instruction classifier, and both on Unicorn cores.

Expected encodings come from llvm-mc 14 (`llvm-mc -triple=aarch64 -mattr=+v8.3a
-show-encoding`) and, where installed, GNU as; expected decodings from capstone; expected
classifications from the Arm ARM (DDI 0487) descriptions of each instruction.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import fields

import capstone
import pytest
from unicorn import UC_ARCH_ARM64, UC_MODE_ARM, Uc, arm64_const

from fencelab.errors import FencelabError
from fencelab.isa.aarch64_encode import FORMS, encode_if_needed
from fencelab.isa.arch import AssemblyError
from fencelab.isa.core import NeedRead, Step
from fencelab.isa.insn import Barrier, InsnInfo, Kind
from fencelab.isa.registry import TARGETS

ALL = frozenset({"lse", "rcpc"})
V80, V81, V83 = TARGETS["armv8"], TARGETS["armv8.1"], TARGETS["armv8.3"]
CODE, DATA = 0x10000, 0x20000

# --------------------------------------------------------------------------------------------
# encoder
# --------------------------------------------------------------------------------------------

KNOWN = [  # llvm-mc -triple=aarch64 -mattr=+v8.3a -show-encoding
    ("ldadd w1, w0, [x2]", 0xB8210040),
    ("casal x1, x2, [x3]", 0xC8E1FC62),
    ("swpal w0, w0, [x1]", 0xB8E08020),
    ("ldapr w0, [x1]", 0xB8BFC020),
    ("stadd w1, [x2]", 0xB821005F),
    ("staddlb w3, [x4]", 0x3863009F),
    ("ldsmaxah w5, w6, [sp]", 0x78A543E6),
    ("ldapr x30, [sp]", 0xF8BFC3FE),
    ("casb w1, w2, [x0]", 0x08A17C02),
    ("ldclral x0, x1, [x2]", 0xF8E01041),
    ("swpa x1, x0, [sp]", 0xF8A183E0),
    ("ldumin w1, wzr, [x2]", 0xB821705F),
    ("ldaprh w0, [x1]", 0x78BFC020),
    ("cas w1, w2, [x0]", 0x88A17C02),
    ("ldeorl x3, x4, [x5]", 0xF86320A4),
    ("stsetlh w7, [x8]", 0x7867311F),
]


@pytest.mark.parametrize(("line", "word"), KNOWN)
def test_known_encodings(line, word):
    assert encode_if_needed(line, ALL) == word


LSE_OPS = "add|clr|eor|set|smax|smin|umax|umin"
REGISTER_CHOICES = [  # (Rs, Rt, Rn): x30, sp base, the zero register, the same register twice
    ("1", "0", "x2"),
    ("30", "5", "sp"),
    ("zr", "7", "x30"),
    ("3", "zr", "x29"),
    ("0", "0", "sp"),
]
PAIR_CHOICES = [  # CASP: (Rs, Rt, Rn), each the even first register of a pair
    ("0", "2", "x4"),
    ("30", "0", "sp"),
    ("6", "30", "x29"),
    ("4", "4", "x1"),
]


def _pair(prefix: str, first: str) -> str:
    second = "zr" if first == "30" else str(int(first) + 1)
    return f"{prefix}{first}, {prefix}{second}"


def _every_form():
    """(source line, capstone's expected text) for each mnemonic x register choice."""
    for mnemonic, form in sorted(FORMS.items()):
        for prefix in ("w", "x") if form.size is None else ("w",):
            if form.layout == "casp":
                for rs, rt, rn in PAIR_CHOICES:
                    line = f"{mnemonic} {_pair(prefix, rs)}, {_pair(prefix, rt)}, [{rn}]"
                    yield line, line
                continue
            for rs, rt, rn in REGISTER_CHOICES:
                s, t = prefix + rs, prefix + rt
                if form.layout == "ld":
                    line = f"{mnemonic} {s}, {t}, [{rn}]"
                elif form.layout == "st":
                    line = f"{mnemonic} {s}, [{rn}]"
                else:
                    line = f"{mnemonic} {t}, [{rn}]"
                yield line, _capstone_spelling(line)


def _capstone_spelling(line: str) -> str:
    """How a disassembler prints `line`: LD<op> (not LD<op>A) with Rt=ZR is the ST<op> alias."""
    m = re.fullmatch(rf"ld({LSE_OPS})(l?)([bh]?) (\w+), [wx]zr, (\[\w+\])", line)
    if m:
        op, rel, size, rs, mem = m.groups()
        return f"st{op}{rel}{size} {rs}, {mem}"
    return line


EVERY_FORM = list(_every_form())


def _normalise(text: str) -> str:
    text = re.sub(r"\s+", " ", text.strip().lower())
    return re.sub(r"\bfp\b", "x29", re.sub(r"\blr\b", "x30", text))


def test_every_form_round_trips_through_capstone():
    cs = capstone.Cs(capstone.CS_ARCH_ARM64, capstone.CS_MODE_ARM)
    assert len(EVERY_FORM) > 600
    for line, expected in EVERY_FORM:
        word = encode_if_needed(line, ALL)
        decoded = list(cs.disasm(word.to_bytes(4, "little"), 0))
        assert len(decoded) == 1, line
        text = f"{decoded[0].mnemonic} {decoded[0].op_str}"
        assert _normalise(text) == _normalise(expected), (line, hex(word))


@pytest.mark.skipif(not shutil.which("aarch64-linux-gnu-as"), reason="needs GNU as for AArch64")
def test_every_form_matches_gnu_as(tmp_path):
    lines = [line for line, _ in EVERY_FORM]
    (tmp_path / "all.s").write_text("\n".join(lines) + "\n")
    obj, raw = tmp_path / "all.o", tmp_path / "all.bin"
    subprocess.run(
        ["aarch64-linux-gnu-as", "-march=armv8.3-a", str(tmp_path / "all.s"), "-o", str(obj)],
        check=True,
    )
    subprocess.run(
        ["aarch64-linux-gnu-objcopy", "-O", "binary", "-j", ".text", str(obj), str(raw)],
        check=True,
    )
    data = raw.read_bytes()
    gnu = [int.from_bytes(data[i : i + 4], "little") for i in range(0, len(data), 4)]
    assert len(gnu) == len(lines)
    mine = [encode_if_needed(line, ALL) for line in lines]
    assert [(ln, hex(w)) for ln, w in zip(lines, mine, strict=True)] == [
        (ln, hex(w)) for ln, w in zip(lines, gnu, strict=True)
    ]


@pytest.mark.parametrize(
    "spelling",
    [
        "ldaddal w1, w0, [x2]",
        "LDADDAL W1, W0, [X2]",
        "ldaddal w1,w0,[x2]",
        "\tldaddal\tw1 , w0 , [ x2 ]  ",
        "ldaddal w1, w0, [x2, #0]",
        "ldaddal w1, w0, [x2,#0x0]",
        "ldaddal w1, w0, [x2] // fetch_add AcqRel",
    ],
)
def test_spellings_encode_alike(spelling):
    assert encode_if_needed(spelling, ALL) == 0xB8E10040


@pytest.mark.parametrize(
    "line",
    ["", "   ", "// only a comment", "loop:", "ldr w0, [x1]", "stlr w0, [x1]",
     "ldaxr w0, [x1]", "add x0, x1, x2", "dmb ish", "ldxp x0, x1, [x2]", "stadda w1, [x2]",
     "ldapur w0, [x1]"],
)  # fmt: skip
def test_everything_else_is_left_to_keystone(line):
    assert encode_if_needed(line, ALL) is None


def test_no_acquire_st_alias_is_not_an_instruction():
    with pytest.raises(AssemblyError, match="stadda"):
        V83.assemble(["stadda w1, [x2]"])


@pytest.mark.parametrize(
    ("line", "target", "needs"),
    [
        ("ldadd w1, w0, [x2]", V80, "ARMv8.1 LSE atomics"),
        ("casal x1, x2, [x3]", V80, "ARMv8.1 LSE atomics"),
        ("stadd w1, [x2]", V80, "ARMv8.1 LSE atomics"),
        ("ldapr w0, [x1]", V80, "ARMv8.3 RCpc"),
        ("ldaprb w0, [x1]", V81, "ARMv8.3 RCpc"),
    ],
)
def test_missing_feature_is_one_clear_error(line, target, needs):
    with pytest.raises(FencelabError) as caught:
        target.assemble([line])
    message = str(caught.value)
    assert "\n" not in message
    assert repr(line) in message and needs in message


@pytest.mark.parametrize(
    ("line", "why"),
    [
        ("ldadd w1, [x2]", "1 register operand"),
        ("stadd w1, w0, [x2]", "2 register operand"),
        ("ldadd w1, x0, [x2]", "mix W and X"),
        ("ldaddb x1, x0, [x2]", "take W registers"),
        ("ldaprh x0, [x1]", "take W registers"),
        ("ldadd w1, w0, [w2]", "base register 'w2'"),
        ("cas w1, w2, [xzr]", "base register 'xzr'"),
        ("ldadd w1, w0, [x2, #8]", "zero offset"),
        ("ldadd w1, w0, x2", "memory operand"),
        ("ldadd sp, w0, [x2]", "'sp' is not a W or X"),
        ("swp w1, w0 [x2]", "missing ','"),
        ("ldapr w0", "memory operand"),
        ("ldadd w1, w0, [x2]!", "memory operand"),
    ],
)
def test_malformed_operands(line, why):
    with pytest.raises(FencelabError, match=re.escape(why)) as caught:
        encode_if_needed(line, ALL)
    assert repr(line) in str(caught.value)


def test_label_sharing_a_line_with_an_encoded_instruction():
    code = V81.assemble(["top: ldadd w1, w0, [x2]", "b top"], CODE)
    # B back by one instruction: imm26 = -1 -> 0x17ffffff
    assert code == (0xB8210040).to_bytes(4, "little") + (0x17FFFFFF).to_bytes(4, "little")


def test_assembled_lse_program_disassembles_to_its_source():
    lines = ["ldaddal w1, w0, [x2]", "swpa x1, x0, [sp]", "cas w1, w2, [x0]",
             "staddlb w1, [x0]", "ldapr w0, [x1]", "ldr x3, [x4]"]  # fmt: skip
    assert V83.disassemble_text(V83.assemble(lines, CODE), CODE) == lines


# --------------------------------------------------------------------------------------------
# encoded instructions on Unicorn (armv8.1 runs with UC_CPU_ARM64_MAX)
# --------------------------------------------------------------------------------------------


def _one_rmw(target, line, regs, old):
    """Run one instruction whose load returns `old`; (step, core)."""
    core = target.new_core(target.assemble([line], CODE), CODE, [(DATA, 0x100)])
    start = core.initial_state({"x2": DATA, **regs}).state
    need = core.run(start)
    assert isinstance(need, NeedRead) and need.addr == DATA
    step = core.run(start, (old,))
    assert isinstance(step, Step)
    return step, core


M32, M64 = (1 << 32) - 1, (1 << 64) - 1


@pytest.mark.parametrize(
    ("line", "operand", "old", "stored"),
    [  # Arm ARM: LD<op> stores old <op> Rs and returns old in Rt
        ("ldadd w1, w0, [x2]", 5, 37, 42),
        ("ldaddal w1, w0, [x2]", 0xFFFFFFFF, 1, 0),  # wraps at 32 bits
        ("ldclra w1, w0, [x2]", 0b0110, 0b1111, 0b1001),  # old AND NOT Rs
        ("ldeorl w1, w0, [x2]", 0b0110, 0b0101, 0b0011),
        ("ldset w1, w0, [x2]", 0b0110, 0b1001, 0b1111),
        ("ldumax w1, w0, [x2]", 3, (-5) & M32, (-5) & M32),  # unsigned
        ("ldumin w1, w0, [x2]", 3, (-5) & M32, 3),
        ("ldsmax x1, x0, [x2]", 3, (-5) & M64, 3),  # signed
        ("ldsmin x1, x0, [x2]", 3, (-5) & M64, (-5) & M64),
        ("ldsmaxl x1, x0, [x2]", (-3) & M64, (-5) & M64, (-3) & M64),
        ("swpal w1, w0, [x2]", 77, 13, 77),
    ],
)
def test_ld_op_returns_old_and_stores_result(line, operand, old, stored):
    step, core = _one_rmw(V81, line, {"x1": operand, "x0": 0xDEAD}, old)
    size = 8 if " x" in line else 4
    assert step.reads[0].value == old and step.reads[0].size == size
    assert [(w.addr, w.size, w.value) for w in step.writes] == [(DATA, size, stored)]
    assert core.reg(step.state, "x0") == old


@pytest.mark.parametrize(
    ("line", "operand", "old", "stored", "returned"),
    [  # signed at the access's width (Unicorn alone compares unsigned: the test below)
        ("ldsmax w1, w0, [x2]", 3, (-5) & M32, 3, (-5) & M32),
        ("ldsmin w1, w0, [x2]", (-128) & M64, 0, (-128) & M32, 0),
        ("ldsminab w1, w0, [x2]", 0x7F, 0x80, 0x80, 0x80),  # 0x80 is -128 in a byte
        ("ldsmaxh w1, w0, [x2]", 0xFFFF, 0x0001, 0x0001, 0x0001),  # 0xffff is -1
        ("stsmaxlh w1, [x2]", 0x8000, 0x7FFF, 0x7FFF, None),
        ("ldsmin w1, w1, [x2]", 2, (-1) & M32, (-1) & M32, (-1) & M32),  # Rs = Rt: Rs before
    ],
)
def test_narrow_signed_min_max_compares_signed(line, operand, old, stored, returned):
    step, core = _one_rmw(V81, line, {"x1": operand, "x0": 0xDEAD}, old)
    assert [w.value for w in step.writes] == [stored]
    if returned is not None:
        dest = "x1" if "w1, w1" in line else "x0"
        assert core.reg(step.state, dest) == returned


def test_unicorn_still_compares_narrow_ldsmax_unsigned():
    """Why the core corrects what a narrow LDSMAX/LDSMIN stores; when this fails, Unicorn
    is fixed and the correction (`Core._signed_min_max`) can go."""
    uc = Uc(UC_ARCH_ARM64, UC_MODE_ARM)
    uc.ctl_set_cpu_model(arm64_const.UC_CPU_ARM64_MAX)
    uc.mem_map(CODE, 0x1000)
    uc.mem_map(DATA, 0x1000)
    uc.mem_write(CODE, encode_if_needed("ldsmax w1, w0, [x2]", ALL).to_bytes(4, "little"))
    uc.mem_write(DATA, ((-5) & M32).to_bytes(4, "little"))
    uc.reg_write(arm64_const.UC_ARM64_REG_X1, 3)
    uc.reg_write(arm64_const.UC_ARM64_REG_X2, DATA)
    uc.emu_start(CODE, CODE + 4)
    signed_max = 3
    assert int.from_bytes(uc.mem_read(DATA, 4), "little") != signed_max


def test_byte_ldadd_and_st_alias_on_a_core():
    step, core = _one_rmw(V81, "ldaddb w1, w0, [x2]", {"x1": 0x01}, 0xFF)
    assert [(w.size, w.value) for w in step.writes] == [(1, 0x00)]
    assert core.reg(step.state, "x0") == 0xFF
    step, core = _one_rmw(V81, "staddlh w1, [x2]", {"x1": 0x10, "x0": 9}, 0x1234)
    assert [(w.size, w.value) for w in step.writes] == [(2, 0x1244)]
    assert core.reg(step.state, "x0") == 9  # no register receives the old value


def test_cas_writes_only_when_the_compare_succeeds():
    regs = {"x1": 7, "x3": 8}
    ok, core = _one_rmw(V81, "casal w1, w3, [x2]", regs, 7)
    assert [(w.addr, w.value) for w in ok.writes] == [(DATA, 8)]
    assert core.reg(ok.state, "x1") == 7
    failed, core = _one_rmw(V81, "casal w1, w3, [x2]", regs, 6)
    assert failed.writes == ()  # Unicorn writes the old value back; the core drops it
    assert core.reg(failed.state, "x1") == 6  # Rs receives what was read
    zero, _ = _one_rmw(V81, "cas wzr, w3, [x2]", regs, 0)  # compares with zero
    assert [w.value for w in zero.writes] == [8]
    zero_fail, _ = _one_rmw(V81, "cas wzr, w3, [x2]", regs, 1)
    assert zero_fail.writes == ()


def test_ldapr_on_a_core():
    step, core = _one_rmw(V83, "ldapr x0, [x2]", {}, 0x1122334455667788)
    assert step.writes == () and step.reads[0].size == 8
    assert core.reg(step.state, "x0") == 0x1122334455667788


# --------------------------------------------------------------------------------------------
# classification
# --------------------------------------------------------------------------------------------

_IGNORED = {"address", "size", "mnemonic", "op_str", "pure"}  # pure: test_pure_instructions


def _summary(info: InsnInfo) -> dict:
    return {f.name: getattr(info, f.name) for f in fields(info) if f.name not in _IGNORED}


def _expected(**given) -> dict:
    """A full expected summary: InsnInfo's defaults overridden by `given` (sets as frozensets)."""
    defaults = _summary(InsnInfo(0, 0, "", "", Kind.OTHER))
    for key, value in given.items():
        defaults[key] = frozenset(value) if isinstance(value, set) else value
    return defaults


def info_of(line: str, target=V83) -> InsnInfo:
    """Classify one instruction (a branch may target label L, placed after it)."""
    code = target.assemble([line, "L:"], CODE)
    decoded = target.disassemble(code, CODE)
    assert len(decoded) == 1
    return decoded[0].info


LOAD, STORE, RMW = Kind.LOAD, Kind.STORE, Kind.RMW
LX, SX = Kind.LOAD_EXCL, Kind.STORE_EXCL

CLASSIFIED = [
    # plain loads: every addressing mode
    ("ldr w2, [x1, w0, uxtw #2]", dict(kind=LOAD, width=4, addr_regs={"x1", "x0"},
     dest_regs={"x2"}, reads={"x1", "x0"}, writes={"x2"})),
    ("ldr x0, [x1, x2, lsl #3]", dict(kind=LOAD, width=8, addr_regs={"x1", "x2"},
     dest_regs={"x0"}, reads={"x1", "x2"}, writes={"x0"})),
    ("ldr x0, [x1], #8", dict(kind=LOAD, width=8, addr_regs={"x1"}, dest_regs={"x0"},
     reads={"x1"}, writes={"x0", "x1"})),
    ("ldr x0, [x1, #8]!", dict(kind=LOAD, width=8, addr_regs={"x1"}, dest_regs={"x0"},
     reads={"x1"}, writes={"x0", "x1"})),
    ("ldrb w0, [x1, #3]", dict(kind=LOAD, width=1, addr_regs={"x1"}, dest_regs={"x0"},
     reads={"x1"}, writes={"x0"})),
    ("ldrh w3, [sp, #2]", dict(kind=LOAD, width=2, addr_regs={"sp"}, dest_regs={"x3"},
     reads={"sp"}, writes={"x3"})),
    ("ldrsb x0, [x1]", dict(kind=LOAD, width=1, addr_regs={"x1"}, dest_regs={"x0"},
     reads={"x1"}, writes={"x0"})),
    ("ldrsh w0, [x1, #2]!", dict(kind=LOAD, width=2, addr_regs={"x1"}, dest_regs={"x0"},
     reads={"x1"}, writes={"x0", "x1"})),
    ("ldrsw x0, [x1, x2]", dict(kind=LOAD, width=4, addr_regs={"x1", "x2"}, dest_regs={"x0"},
     reads={"x1", "x2"}, writes={"x0"})),
    ("ldur w0, [x1, #-4]", dict(kind=LOAD, width=4, addr_regs={"x1"}, dest_regs={"x0"},
     reads={"x1"}, writes={"x0"})),
    ("ldp x0, x1, [x2, #16]!", dict(kind=LOAD, width=16, addr_regs={"x2"},
     dest_regs={"x0", "x1"}, reads={"x2"}, writes={"x0", "x1", "x2"}, pair_order=("x0", "x1"))),
    ("ldp w0, w1, [sp], #8", dict(kind=LOAD, width=8, addr_regs={"sp"}, dest_regs={"x0", "x1"},
     reads={"sp"}, writes={"x0", "x1", "sp"}, pair_order=("x0", "x1"))),
    ("ldnp x0, x1, [x2]", dict(kind=LOAD, width=16, addr_regs={"x2"}, dest_regs={"x0", "x1"},
     reads={"x2"}, writes={"x0", "x1"}, pair_order=("x0", "x1"))),
    ("ldpsw x0, x1, [x2]", dict(kind=LOAD, width=8, addr_regs={"x2"}, dest_regs={"x0", "x1"},
     reads={"x2"}, writes={"x0", "x1"}, pair_order=("x0", "x1"))),
    # plain stores
    ("str w0, [x1, #4]", dict(kind=STORE, width=4, addr_regs={"x1"}, data_regs={"x0"},
     reads={"x0", "x1"})),
    ("str x5, [x1, x2, lsl #3]", dict(kind=STORE, width=8, addr_regs={"x1", "x2"},
     data_regs={"x5"}, reads={"x5", "x1", "x2"})),
    ("strb wzr, [x1]", dict(kind=STORE, width=1, addr_regs={"x1"}, reads={"x1"})),
    ("strh w2, [x1], #2", dict(kind=STORE, width=2, addr_regs={"x1"}, data_regs={"x2"},
     reads={"x1", "x2"}, writes={"x1"})),
    ("stur x2, [x1, #-8]", dict(kind=STORE, width=8, addr_regs={"x1"}, data_regs={"x2"},
     reads={"x1", "x2"})),
    ("stp x29, x30, [sp, #-16]!", dict(kind=STORE, width=16, addr_regs={"sp"},
     data_regs={"x29", "x30"}, reads={"x29", "x30", "sp"}, writes={"sp"},
     pair_order=("x29", "x30"))),
    ("stnp w0, w1, [x2]", dict(kind=STORE, width=8, addr_regs={"x2"}, data_regs={"x0", "x1"},
     reads={"x0", "x1", "x2"}, pair_order=("x0", "x1"))),
    # acquire / release
    ("ldar w0, [x1]", dict(kind=LOAD, width=4, acquire=True, addr_regs={"x1"},
     dest_regs={"x0"}, reads={"x1"}, writes={"x0"})),
    ("ldarb w0, [x1]", dict(kind=LOAD, width=1, acquire=True, addr_regs={"x1"},
     dest_regs={"x0"}, reads={"x1"}, writes={"x0"})),
    ("ldarh w0, [x1]", dict(kind=LOAD, width=2, acquire=True, addr_regs={"x1"},
     dest_regs={"x0"}, reads={"x1"}, writes={"x0"})),
    ("ldapr x0, [x1]", dict(kind=LOAD, width=8, acquire_pc=True, addr_regs={"x1"},
     dest_regs={"x0"}, reads={"x1"}, writes={"x0"})),
    ("ldaprb w0, [x1]", dict(kind=LOAD, width=1, acquire_pc=True, addr_regs={"x1"},
     dest_regs={"x0"}, reads={"x1"}, writes={"x0"})),
    ("stlr x0, [x1]", dict(kind=STORE, width=8, release=True, addr_regs={"x1"},
     data_regs={"x0"}, reads={"x0", "x1"})),
    ("stlrh w0, [x1]", dict(kind=STORE, width=2, release=True, addr_regs={"x1"},
     data_regs={"x0"}, reads={"x0", "x1"})),
    # exclusives
    ("ldxr w0, [x1]", dict(kind=LX, width=4, addr_regs={"x1"}, dest_regs={"x0"},
     reads={"x1"}, writes={"x0"})),
    ("ldaxrb w0, [x1]", dict(kind=LX, width=1, acquire=True, addr_regs={"x1"},
     dest_regs={"x0"}, reads={"x1"}, writes={"x0"})),
    ("ldxp x0, x1, [x2]", dict(kind=LX, width=16, addr_regs={"x2"}, dest_regs={"x0", "x1"},
     reads={"x2"}, writes={"x0", "x1"})),
    ("ldaxp w0, w1, [x2]", dict(kind=LX, width=8, acquire=True, addr_regs={"x2"},
     dest_regs={"x0", "x1"}, reads={"x2"}, writes={"x0", "x1"})),
    ("stxr w3, w0, [x1]", dict(kind=SX, width=4, addr_regs={"x1"}, data_regs={"x0"},
     status_regs={"x3"}, reads={"x0", "x1"}, writes={"x3"})),
    ("stlxr w3, x0, [x1]", dict(kind=SX, width=8, release=True, addr_regs={"x1"},
     data_regs={"x0"}, status_regs={"x3"}, reads={"x0", "x1"}, writes={"x3"})),
    ("stxrh w3, w0, [x1]", dict(kind=SX, width=2, addr_regs={"x1"}, data_regs={"x0"},
     status_regs={"x3"}, reads={"x0", "x1"}, writes={"x3"})),
    ("stlxp w4, x0, x1, [x2]", dict(kind=SX, width=16, release=True, addr_regs={"x2"},
     data_regs={"x0", "x1"}, status_regs={"x4"}, reads={"x0", "x1", "x2"}, writes={"x4"})),
    ("clrex", dict(kind=Kind.FENCE)),
    # LSE
    ("ldaddal w1, w0, [x2]", dict(kind=RMW, width=4, acquire=True, release=True,
     addr_regs={"x2"}, data_regs={"x1"}, dest_regs={"x0"}, reads={"x1", "x2"}, writes={"x0"})),
    ("ldadda w1, wzr, [x2]", dict(kind=RMW, width=4, acquire=True, addr_regs={"x2"},
     data_regs={"x1"}, reads={"x1", "x2"})),  # Rt=ZR keeps its acquire
    ("stadd w1, [x2]", dict(kind=RMW, width=4, addr_regs={"x2"}, data_regs={"x1"},
     reads={"x1", "x2"})),
    ("stclrlb w1, [x2]", dict(kind=RMW, width=1, release=True, addr_regs={"x2"},
     data_regs={"x1"}, reads={"x1", "x2"})),
    ("swpa x1, x0, [sp]", dict(kind=RMW, width=8, acquire=True, addr_regs={"sp"},
     data_regs={"x1"}, dest_regs={"x0"}, reads={"x1", "sp"}, writes={"x0"})),
    ("swplh w0, w0, [x1]", dict(kind=RMW, width=2, release=True, addr_regs={"x1"},
     data_regs={"x0"}, dest_regs={"x0"}, reads={"x0", "x1"}, writes={"x0"})),
    ("ldumaxl x3, x30, [x4]", dict(kind=RMW, width=8, release=True, addr_regs={"x4"},
     data_regs={"x3"}, dest_regs={"x30"}, reads={"x3", "x4"}, writes={"x30"})),
    ("cas w1, w2, [x0]", dict(kind=RMW, width=4, cas=True, addr_regs={"x0"},
     data_regs={"x2"}, compare_regs={"x1"}, compare_order=("x1",), dest_regs={"x1"}, reads={"x0", "x1", "x2"},
     writes={"x1"})),
    ("casalb w1, w2, [x0]", dict(kind=RMW, width=1, cas=True, acquire=True, release=True,
     addr_regs={"x0"}, data_regs={"x2"}, compare_regs={"x1"}, compare_order=("x1",),
     dest_regs={"x1"}, reads={"x0", "x1", "x2"}, writes={"x1"})),
    ("casp x2, x3, x4, x5, [x0]", dict(kind=RMW, width=16, cas=True, addr_regs={"x0"},
     data_regs={"x4", "x5"}, compare_regs={"x2", "x3"}, compare_order=("x2", "x3"),
     dest_regs={"x2", "x3"}, reads={"x0", "x2", "x3", "x4", "x5"}, writes={"x2", "x3"})),
    ("caspal w6, w7, w2, w3, [x5]", dict(kind=RMW, width=8, cas=True, acquire=True,
     release=True, addr_regs={"x5"}, data_regs={"x2", "x3"}, compare_regs={"x6", "x7"},
     compare_order=("x6", "x7"), dest_regs={"x6", "x7"}, reads={"x2", "x3", "x5", "x6", "x7"},
     writes={"x6", "x7"})),
    # barriers
    ("dmb ish", dict(kind=Kind.FENCE, barrier=Barrier.FULL, barrier_domain="ish")),
    ("dmb sy", dict(kind=Kind.FENCE, barrier=Barrier.FULL, barrier_domain="sy")),
    ("dmb oshld", dict(kind=Kind.FENCE, barrier=Barrier.LOAD, barrier_domain="osh")),
    ("dmb ld", dict(kind=Kind.FENCE, barrier=Barrier.LOAD, barrier_domain="sy")),
    ("dmb ishst", dict(kind=Kind.FENCE, barrier=Barrier.STORE, barrier_domain="ish")),
    ("dmb st", dict(kind=Kind.FENCE, barrier=Barrier.STORE, barrier_domain="sy")),
    ("dsb nsh", dict(kind=Kind.FENCE, barrier=Barrier.FULL, barrier_domain="nsh",
     is_dsb=True)),
    ("dsb ishld", dict(kind=Kind.FENCE, barrier=Barrier.LOAD, barrier_domain="ish",
     is_dsb=True)),
    ("isb", dict(kind=Kind.FENCE, barrier=Barrier.ISB)),
    # branches
    ("b.ne L", dict(kind=Kind.BRANCH, conditional=True, reads={"nzcv"})),
    ("cbnz w5, L", dict(kind=Kind.BRANCH, conditional=True, reads={"x5"})),
    ("cbz x7, L", dict(kind=Kind.BRANCH, conditional=True, reads={"x7"})),
    ("tbnz w3, #5, L", dict(kind=Kind.BRANCH, conditional=True, reads={"x3"})),
    ("b L", dict(kind=Kind.BRANCH)),
    ("bl L", dict(kind=Kind.BRANCH, writes={"x30"})),
    ("br x3", dict(kind=Kind.BRANCH, reads={"x3"})),
    ("blr x4", dict(kind=Kind.BRANCH, reads={"x4"}, writes={"x30"})),
    ("ret", dict(kind=Kind.BRANCH, reads={"x30"})),
    # register-only work
    ("eor w3, w2, w2", dict(reads={"x2"}, writes={"x3"})),
    ("add x5, x4, x3, lsl #2", dict(reads={"x4", "x3"}, writes={"x5"})),
    ("add sp, sp, #16", dict(reads={"sp"}, writes={"sp"})),
    ("mov w0, #5", dict(writes={"x0"})),
    ("mov w0, wzr", dict(writes={"x0"})),
    ("movk x0, #1, lsl #16", dict(reads={"x0"}, writes={"x0"})),
    ("bfi w0, w1, #3, #4", dict(reads={"x0", "x1"}, writes={"x0"})),
    ("sxtw x0, w1", dict(reads={"x1"}, writes={"x0"})),
    ("lsl x0, x1, #3", dict(reads={"x1"}, writes={"x0"})),
    ("cmp w0, #1", dict(reads={"x0"}, writes={"nzcv"})),
    ("cmp x0, x1", dict(reads={"x0", "x1"}, writes={"nzcv"})),
    ("tst w0, #1", dict(reads={"x0"}, writes={"nzcv"})),
    ("subs x0, x1, x2", dict(reads={"x1", "x2"}, writes={"x0", "nzcv"})),
    ("csel w0, w1, w2, eq", dict(reads={"x1", "x2", "nzcv"}, writes={"x0"})),
    ("cset w0, ne", dict(reads={"nzcv"}, writes={"x0"})),
    ("ccmp x0, x1, #4, ne", dict(reads={"x0", "x1", "nzcv"}, writes={"nzcv"})),
    ("adc x0, x1, x2", dict(reads={"x1", "x2", "nzcv"}, writes={"x0"})),
    ("prfm pldl1keep, [x0]", dict(reads={"x0"})),
    ("nop", dict()),
]  # fmt: skip


@pytest.mark.parametrize(("line", "expected"), CLASSIFIED, ids=[c[0] for c in CLASSIFIED])
def test_classification(line, expected):
    assert _summary(info_of(line)) == _expected(**expected)


PURE = ["ldr w0, [x1]", "ldrsb x0, [x1, #3]", "ldr x0, [x1, x2]", "ldr x0, [x1, #8]!",
        "ldr x0, [x1], #8", "ldur w0, [x1, #-4]", "ldp w0, w1, [x2]", "ldar w0, [x1]",
        "ldapr x0, [x1]", "str w0, [x1]", "strb w0, [x1, #1]", "stp x0, x1, [x2, #16]!",
        "stlr w0, [x1]", "dmb ish", "dmb ishld", "dsb sy", "isb"]  # fmt: skip
IMPURE = ["ldxr w0, [x1]", "ldaxp x0, x1, [x2]", "stxr w3, w0, [x1]", "stlxr w3, x0, [x1]",
          "clrex", "ldaddal w1, w0, [x2]", "stadd w1, [x2]", "swp w1, w0, [x2]",
          "cas w1, w2, [x0]", "casp x2, x3, x4, x5, [x0]", "subs w0, w1, #1", "add w0, w1, w2",
          "cbnz w0, L", "prfm pldl1keep, [x0]"]  # fmt: skip


@pytest.mark.parametrize(("line", "pure"), [(p, True) for p in PURE] + [(i, False) for i in IMPURE])
def test_pure_instructions(line, pure):
    """Plain loads and stores (writeback too: the base is in `writes`) and the barriers are
    `pure`, their steps remembered (core.py, `step-effects`); exclusives (the monitor is
    Unicorn's, no register), LSE atomics and CLREX are not, nor register-only instructions
    (they never start a step of their own that could be remembered)."""
    assert info_of(line).pure is pure


@pytest.fixture
def unicorn_runs(monkeypatch):
    """The addresses Unicorn runs (`Core._step_one`), cleared with `_EFFECTS` and the kept cores."""
    from fencelab.isa import core as core_module
    from fencelab.isa.core import Core

    ran = []
    step_one = Core._step_one
    monkeypatch.setattr(Core, "_step_one", lambda self, pc: ran.append(pc) or step_one(self, pc))
    core_module._EFFECTS.clear()
    return ran


def test_a_pure_step_is_remembered_and_an_exclusive_one_is_not(unicorn_runs):
    """Two states that differ only in x5, which neither instruction reads: the plain load's
    step from the second is the first one's remembered (`step-effects`), not run again in
    Unicorn; the load-exclusive's runs again (it arms Unicorn's monitor)."""
    from fencelab import reduce
    from fencelab.isa import core as core_module

    ran = unicorn_runs
    for on in (True, False):
        reduce.set_disabled([] if on else ["step-effects"])
        try:
            for line, runs in (("ldr w0, [x1]", 1 if on else 2), ("ldxr w0, [x1]", 2)):
                code = V80.assemble([line, "dmb sy"], CODE)
                core_module._CORES.clear()  # (a shared core remembers what it ran)
                core = V80.new_core(code, CODE, [(DATA, 0x100)])
                ran.clear()
                steps = [core.run(core.initial_state({"x1": DATA, "x5": x5}).state, (7,))
                         for x5 in (1, 2)]
                assert len(ran) == runs, (line, on)
                assert [core.reg(s.state, "x0") for s in steps] == [7, 7]
                assert [core.reg(s.state, "x5") for s in steps] == [1, 2]
                assert [core.pc(s.state) for s in steps] == [CODE + 4] * 2
                assert [s.reads[0].value for s in steps] == [7, 7]
        finally:
            reduce.enable_all()


@pytest.mark.parametrize("line", ["dc zva, x0", "dc civac, x1", "ic ivau, x0"])
def test_unknown_memory_access_is_an_error_naming_it(line):
    with pytest.raises(FencelabError) as caught:
        info_of(line)
    message = str(caught.value)
    assert message.startswith("armv8.3: '") and "touches memory" in message
    assert line.split()[0] in message


@pytest.mark.parametrize(
    "line",
    ["ld1 {v0.4s}, [x0]", "ldr q0, [x0]", "str d0, [x0, #8]", "ldr s1, [x2]",
     "stp q0, q1, [sp]", "ldr b0, [x0]", "st1 {v2.16b}, [x0]"],
)  # fmt: skip
def test_simd_fp_memory_access_is_refused_naming_it(line):
    with pytest.raises(FencelabError) as caught:
        info_of(line)
    assert str(caught.value) == (
        f"armv8.3: {line!r}: SIMD&FP loads and stores (herd's AArch64.neon tests) are not "
        "modelled: the memory models take general-purpose registers' accesses only")


def test_a_literal_load_of_a_name_that_is_no_location_is_an_error_naming_it():
    # (of a location, herd's `LDR X0,x`, it is a load: tests/isa/test_literal_load.py)
    with pytest.raises(FencelabError, match=r"'ldr x0, L': a literal \(PC-relative\) load of "
                                            "L, which is no location"):
        info_of("ldr x0, L")


def test_every_lse_form_is_classified_by_its_suffixes():
    """Every encoder form, decoded and classified: RMW, ordering from the A/L suffix."""
    for line, _ in EVERY_FORM:
        word = encode_if_needed(line, ALL).to_bytes(4, "little")
        (decoded,) = V83.disassemble(word, CODE)
        info = decoded.info
        m = re.fullmatch(rf"(swp|casp|cas|(?:ld|st)(?:{LSE_OPS}))(al|a|l)?([bh])?",
                         line.split()[0])
        if line.startswith("ldapr"):
            assert (info.kind, info.acquire_pc, info.release) == (LOAD, True, False), line
            continue
        assert m, line
        order, size = m.group(2) or "", m.group(3)
        assert info.kind is RMW, line
        assert info.acquire == ("a" in order), line
        assert info.release == ("l" in order), line
        assert info.cas == line.startswith("cas"), line
        x = " x" in line and not size
        pair = 2 if line.startswith("casp") else 1  # CASP: two registers' worth
        assert info.width == {"b": 1, "h": 2}.get(size, (8 if x else 4) * pair), line
        assert info.atomic_pair == (pair == 2), line
        assert "xzr" not in info.reads | info.writes | info.dest_regs, line


# --------------------------------------------------------------------------------------------
# exclusives on a core
# --------------------------------------------------------------------------------------------

FETCH_ADD_LOOP = ["retry:", "ldxr w0, [x1]", "add w2, w0, #1", "stxr w3, w2, [x1]",
                  "cbnz w3, retry"]  # fmt: skip


def test_ldxr_stxr_loop_on_a_core():
    core = V80.new_core(V80.assemble(FETCH_ADD_LOOP, CODE), CODE, [(DATA, 0x100)])
    start = core.initial_state({"x1": DATA}).state
    assert core.info(start).kind is LX
    assert core.run(start) == NeedRead(DATA, 4, 0)
    loaded = core.run(start, (41,))
    assert loaded.writes == () and loaded.executed == (CODE, CODE + 4)  # ldxr, add
    assert core.info(loaded.state).kind is SX
    assert core.run(loaded.state) == NeedRead(DATA, 4, 0)  # the monitor's compare
    stored = core.run(loaded.state, (41,))
    assert [(w.addr, w.size, w.value) for w in stored.writes] == [(DATA, 4, 42)]
    assert core.reg(stored.state, "w3") == 0 and core.halted(stored.state)
    failed = core.run(loaded.state, (40,))  # another core wrote in between
    assert failed.writes == ()
    assert core.reg(failed.state, "w3") == 1 and core.pc(failed.state) == CODE  # retries


def test_clrex_is_a_memory_event_and_makes_stxr_fail():
    lines = ["ldxr x0, [x1]", "clrex", "stxr w3, x0, [x1]"]
    core = V80.new_core(V80.assemble(lines, CODE), CODE, [(DATA, 0x100)])
    loaded = core.run(core.initial_state({"x1": DATA}).state, (5,))
    assert core.info(loaded.state).mnemonic == "clrex"
    cleared = core.run(loaded.state)
    assert cleared.reads == cleared.writes == ()
    after = core.run(cleared.state)
    assert after.writes == () and core.reg(after.state, "x3") == 1
