"""Encode the AArch64 instructions keystone 0.9.2 cannot: ARMv8.1 LSE atomics, ARMv8.3 LDAPR,
and FEAT_CSSC's ABS (register-only; `decode_abs` decodes it, as capstone 5.0.7 cannot).

keystone predates LSE and RCpc, so `AArch64.prepare_line` asks `encode_if_needed` for every
line and emits a `.word` for what comes back. The encodings follow the Arm ARM (DDI 0487):

    LD<op>, ST<op>, SWP   size 111 0 00 A R 1 Rs o3 opc 00 Rn Rt   (ST<op> = LD<op> with Rt=ZR)
    CAS                   size 001000 1 L 1 Rs o0 11111 Rn Rt       (L = acquire, o0 = release)
    CASP                  0 sz 001000 0 L 1 Rs o0 11111 Rn Rt       (sz 0: W pairs, 1: X pairs)
    LDAPR                 size 111 0 00 1 0 1 11111 1 100 00 Rn Rt
    ABS                   sf 1 0 11010110 00000 001000 Rn Rd       (FEAT_CSSC; sf 1: X registers)

`size` is 0 (B), 1 (H), 2 (W registers) or 3 (X registers). CASP names two pairs of
consecutive registers, each starting at an even register (`CASP X0,X1,X2,X3,[X4]`): Rs and Rt
are the first of each pair.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fencelab.isa.assembler import AssemblyError


@dataclass(frozen=True)
class _Form:
    """One mnemonic: its operand layout, opcode bits (without size/registers) and feature."""

    layout: str  # "ld": Rs, Rt, [Xn]   "st": Rs, [Xn]   "ldapr": Rt, [Xn]
    #              "casp": Rs, Rs+1, Rt, Rt+1, [Xn]
    base: int
    size: int | None  # 0 for B, 1 for H; None: 2 or 3 from the registers' width
    feature: str  # "lse" or "rcpc"


_LSE_OPS = {"add": 0, "clr": 1, "eor": 2, "set": 3, "smax": 4, "smin": 5, "umax": 6, "umin": 7}
_ORDERINGS = {"": (0, 0), "a": (1, 0), "l": (0, 1), "al": (1, 1)}  # suffix -> (acquire, release)
_SIZES = {"": None, "b": 0, "h": 1}


def _build_forms() -> dict[str, _Form]:
    forms: dict[str, _Form] = {}
    for sfx, size in _SIZES.items():
        for order, (acq, rel) in _ORDERINGS.items():
            for op, opc in _LSE_OPS.items():
                word = 0x38200000 | acq << 23 | rel << 22 | opc << 12
                forms[f"ld{op}{order}{sfx}"] = _Form("ld", word, size, "lse")
                if not acq:  # the ST<op> aliases exist only without acquire
                    forms[f"st{op}{order}{sfx}"] = _Form("st", word | 31, size, "lse")
            swp = 0x38208000 | acq << 23 | rel << 22
            forms[f"swp{order}{sfx}"] = _Form("ld", swp, size, "lse")
            cas = 0x08A07C00 | acq << 22 | rel << 15
            forms[f"cas{order}{sfx}"] = _Form("ld", cas, size, "lse")
            if not sfx:
                casp = 0x08207C00 | acq << 22 | rel << 15
                forms[f"casp{order}"] = _Form("casp", casp, None, "lse")
        forms[f"ldapr{sfx}"] = _Form("ldapr", 0x38BFC000, size, "rcpc")
    return forms


FORMS: dict[str, _Form] = _build_forms()

# name -> (number, bits, kind) with kind "gpr", "zr" or "sp"
_REGS: dict[str, tuple[int, int, str]] = {}
for _i in range(31):
    _REGS[f"w{_i}"] = (_i, 32, "gpr")
    _REGS[f"x{_i}"] = (_i, 64, "gpr")
_REGS.update({"wzr": (31, 32, "zr"), "xzr": (31, 64, "zr"), "sp": (31, 64, "sp"),
              "fp": (29, 64, "gpr"), "lr": (30, 64, "gpr")})  # fmt: skip

_MEMORY = re.compile(r"\[\s*(\w+)\s*(?:,\s*#?\s*(?:0x)?0+\s*)?\]$")
_SYNTAX = {"ld": "<Rs>, <Rt>, [<Xn|SP>]", "st": "<Rs>, [<Xn|SP>]", "ldapr": "<Rt>, [<Xn|SP>]",
           "casp": "<Rs>, <R(s+1)>, <Rt>, <R(t+1)>, [<Xn|SP>]"}
_FEATURE_NEEDS = {
    "lse": "needs ARMv8.1 LSE atomics; target lacks them — use armv8.1 or armv8.3",
    "rcpc": "needs ARMv8.3 RCpc (LDAPR); target lacks it — use armv8.3",
}


ABS_BASE = 0x5AC02000  # ABS Wd, Wn; | 1 << 31 for ABS Xd, Xn
_ABS_MASK = 0x7FFFFC00  # the opcode bits (sf, Rn and Rd aside)


def encode_abs(text: str, operands: str) -> int:
    """ABS <Rd>, <Rn> (both W or both X; the zero register allowed, SP not)."""
    names = [n.strip().lower() for n in operands.split(",")]
    regs = [_REGS.get(n) for n in names]
    if len(names) != 2 or any(r is None or r[2] == "sp" for r in regs) or regs[0][1] != regs[1][1]:
        expected = "expected abs <Wd>, <Wn> or abs <Xd>, <Xn>"
        raise AssemblyError(f"{text!r}: {expected}", expected)
    (rd, bits, _), (rn, _, _) = regs
    return ABS_BASE | (bits == 64) << 31 | rn << 5 | rd


def decode_abs(word: int) -> tuple[int, int, int] | None:
    """(bits, Rd, Rn) of an ABS word; None for any other word."""
    if word & _ABS_MASK != ABS_BASE:
        return None
    return (64 if word >> 31 else 32), word & 31, (word >> 5) & 31


def encode_if_needed(line: str, features: frozenset[str]) -> int | None:
    """The instruction word for an LSE, LDAPR, ABS or UDF line, or herd's immediate arithmetic
    from the zero register (`encode_zr_immediate`); None for anything keystone can do.

    Raises `AssemblyError` (its `why` without the line, which the loader names as the user
    wrote it) when the target lacks the feature or the operands are malformed.
    """
    text = line.split("//", 1)[0].strip()
    parts = text.split(None, 1)
    if not parts:
        return None
    if parts[0].lower() == "abs":
        return encode_abs(text, parts[1] if len(parts) > 1 else "")
    if (word := encode_zr_immediate(text)) is not None:
        return word
    if parts[0].lower() == "udf":  # keystone 0.9.2 does not know it: UDF #imm16 is imm16
        imm = re.fullmatch(r"#?\s*(0x[0-9a-f]+|\d+)", parts[1].strip() if len(parts) > 1 else "",
                           re.I)  # fmt: skip
        if imm is None or int(imm.group(1), 0) > 0xFFFF:
            raise AssemblyError(f"{text!r}: expected udf #<imm16>", "expected udf #<imm16>")
        return int(imm.group(1), 0)
    form = FORMS.get(parts[0].lower())
    if form is None:
        return None
    if form.feature not in features:
        raise AssemblyError(f"{text!r} {_FEATURE_NEEDS[form.feature]}",
                            _FEATURE_NEEDS[form.feature])  # fmt: skip
    data, base = _parse_operands(text, parts[0].lower(), form, parts[1] if len(parts) > 1 else "")
    size = form.size
    if size is None:
        size = 3 if data[0][1] == 64 else 2
    if form.layout == "casp":  # sz is bit 30 alone: 0 for W pairs, 1 for X pairs
        return form.base | (size - 2) << 30 | data[0][0] << 16 | base << 5 | data[2][0]
    word = form.base | size << 30 | base << 5
    if form.layout == "ld":
        word |= data[0][0] << 16 | data[1][0]
    elif form.layout == "st":
        word |= data[0][0] << 16
    else:
        word |= data[0][0]
    return word


def _parse_operands(
    text: str, mnemonic: str, form: _Form, operands: str
) -> tuple[list[tuple[int, int]], int]:
    """[(number, bits)] of the data registers and the base register's number."""

    def malformed(why: str) -> AssemblyError:
        expected = f"{why}; expected {mnemonic} {_SYNTAX[form.layout]}"
        return AssemblyError(f"{text!r}: {expected}", expected)

    operands = operands.strip().lower()
    memory = _MEMORY.search(operands)
    if memory is None:
        raise malformed("no [<Xn|SP>] memory operand (only a zero offset is allowed)")
    base = _REGS.get(memory.group(1))
    if base is None or base[1] != 64 or base[2] == "zr":
        raise malformed(f"base register {memory.group(1)!r} must be X0-X30 or SP")
    head = operands[: memory.start()].strip()
    if not head.endswith(","):
        raise malformed("missing ',' before the memory operand")
    names = [n.strip() for n in head[:-1].split(",")]
    wanted = {"ld": 2, "casp": 4}.get(form.layout, 1)
    if len(names) != wanted:
        raise malformed(f"{len(names)} register operand(s) before the memory operand")
    data = []
    for name in names:
        reg = _REGS.get(name)
        if reg is None or reg[2] == "sp":
            raise malformed(f"{name!r} is not a W or X general register")
        data.append(reg[:2])
    widths = {bits for _, bits in data}
    if len(widths) > 1:
        raise malformed("registers mix W and X widths")
    if form.size is not None and widths != {32}:
        raise malformed("byte and halfword forms take W registers")
    if form.layout == "casp":
        for first, second in (data[0:2], data[2:4]):
            if first[0] % 2 or second[0] != first[0] + 1:
                raise malformed("each pair must be an even register and the next one")
    return data, base[0]


# herd's ADD/ADDS/SUB/SUBS (and CMP/CMN) of an immediate to the zero register (`SUBS W0,WZR,#1`,
# herd's M001): no A64 instruction, register 31 there being SP; herd reads it as zero. fencelab
# gives it a word of its own in the reserved encoding space (bits 31:25 zero, bits 24:16 not:
# no A64 instruction, capstone decodes none), decoded by `decode_zr_immediate` and run by
# `AArch64.emulate`, never by Unicorn or a CPU (`fencelab hw` refuses it):
#     0000000 1 sf op S sh 000 imm12 Rd      (op 1: subtract; S: set the flags; sh: LSL #12)
ZR_IMM_BASE = 0x01000000
_ZR_IMM_MASK = 0xFF0E0000
_ZR_IMM = re.compile(
    r"(?:(?P<m>adds?|subs?)\s+(?P<rd>[wx](?:\d+|zr))\s*,\s*(?P<rn>[wx]zr)\s*,"
    r"|(?P<c>cmp|cmn)\s+(?P<rc>[wx]zr)\s*,)(?=\s*#)", re.I)  # (of a register: keystone's)
_IMM12 = re.compile(r"\s*#\s*(0x[0-9a-f]+|\d+)\s*(?:,\s*lsl\s*#?\s*(0|12))?\s*$", re.I)


def encode_zr_immediate(text: str) -> int | None:
    """The word of herd's immediate ADD/ADDS/SUB/SUBS/CMP/CMN from the zero register, None for
    any other line (keystone's)."""
    m = _ZR_IMM.match(text)
    if m is None:
        return None
    mnemonic = (m.group("m") or m.group("c")).lower()
    if m.group("c"):  # CMP/CMN <Rn>, #imm: SUBS/ADDS of the zero register into it
        rd = rn = m.group("rc").lower()
    else:
        rd, rn = m.group("rd").lower(), m.group("rn").lower()
    imm = _IMM12.match(text[m.end():])
    expected = f"expected {mnemonic} <Rd>, <Rn>, #<imm12>{{, LSL #12}} of one register width"
    if imm is None or rd[0] != rn[0]:
        raise AssemblyError(f"{text!r}: {expected}", expected)
    value, shift = int(imm.group(1), 0), int(imm.group(2) or 0)
    if value > 0xFFF and not shift and value & 0xFFF == 0:
        value, shift = value >> 12, 12
    if value > 0xFFF:
        raise AssemblyError(f"{text!r}: {expected}", expected)
    sub = mnemonic.startswith(("sub", "cmp"))
    flags = mnemonic.endswith("s") or mnemonic in ("cmp", "cmn")
    return (ZR_IMM_BASE | (rd[0] == "x") << 23 | sub << 22 | flags << 21 | (shift == 12) << 20
            | value << 5 | _REGS[rd][0])  # fmt: skip


def decode_zr_immediate(word: int) -> tuple[int, bool, bool, int, int] | None:
    """(bits, subtract, set flags, immediate, Rd) of `encode_zr_immediate`'s word, else None."""
    if word & _ZR_IMM_MASK != ZR_IMM_BASE:
        return None
    imm = ((word >> 5) & 0xFFF) << (12 if word >> 20 & 1 else 0)
    return (64 if word >> 23 & 1 else 32), bool(word >> 22 & 1), bool(word >> 21 & 1), imm, word & 31
