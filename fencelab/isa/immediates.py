"""Immediates out of an instruction's range are an error, as GNU as reports them.

keystone 0.9.2 silently truncates some (`MOV W0,#4294967297` becomes `MOV W0,#1`, x86
`movl $0x100000001,%eax` becomes `movl $1,%eax`); herd7 and GNU as refuse them (`as`:
"immediate cannot be moved by a single instruction"; for x86 it shortens with a warning, a
silent change of the test we refuse). The check is on the operation's width: the
destination register's (W 32 / X 64 on AArch64), or the x86 operand size (the `b/w/l/q`
suffix, else a register operand's width). A value fits when it can be read in that many bits
as signed or unsigned (`MOV W0,#-1` and `MOV W0,#0xffffffff` are both fine).
"""

from __future__ import annotations

import re

from fencelab.values import NumberTooLong, fits, read_int

_NUMBER = r"[+-]?\s*(?:0[xX][0-9a-fA-F]+|\d+)"
_A64_IMM = re.compile(rf"#\s*({_NUMBER})")
_A64_FIRST_REG = re.compile(r"^\s*([wWxX])(?:\d+|zr|ZR|sp|SP)\b")
_X86_IMM = re.compile(rf"\$\s*({_NUMBER})(?![\w.])")
_X86_SUFFIX_WIDTH = {"b": 8, "w": 16, "l": 32, "q": 64}
_X86_REG_WIDTHS = [
    (re.compile(r"%(?:r\d+b|[abcd]l|[abcd]h|sil|dil|bpl|spl)\b", re.I), 8),
    (re.compile(r"%(?:r\d+w|[abcd]x|si|di|bp|sp)\b", re.I), 16),
    (re.compile(r"%(?:r\d+d|e[a-z]{2})\b", re.I), 32),
    (re.compile(r"%r(?:[a-z]{2}|\d+)\b", re.I), 64),
]
# x86 mnemonics whose suffix letter is part of the name, not an operand size
_X86_NOT_SUFFIX = {"movsb", "movsw", "movsl", "movsq", "bswap", "setb", "setl", "call", "shl",
                   "sal", "rcl", "rol", "xaddl", "jl", "jb", "cmovl", "cmovb"}  # fmt: skip


def _number(text: str) -> int:
    """An immediate as written; `NumberTooLong` past MAX_DIGITS digits."""
    text = text.replace(" ", "")
    sign = -1 if text.startswith("-") else 1
    body = text.lstrip("+-")
    return sign * read_int(body, 16 if body[:2].lower() == "0x" else 10)


def a64_immediate_error(insn: str) -> str | None:
    """Why an AArch64 instruction's immediate is out of range for its register, or None."""
    mnemonic, _, ops = insn.strip().partition(" ")
    first = _A64_FIRST_REG.match(ops)
    if not first:
        return None
    return _hash_immediate_error(mnemonic, ops, 32 if first.group(1) in "wW" else 64)


def a32_immediate_error(insn: str) -> str | None:
    """Why an A32 instruction's immediate does not fit its 32-bit registers, or None."""
    mnemonic, _, ops = insn.strip().partition(" ")
    return _hash_immediate_error(mnemonic, ops, 32)


def _hash_immediate_error(mnemonic: str, ops: str, bits: int) -> str | None:
    for m in _A64_IMM.finditer(ops):
        try:
            value = _number(m.group(1))
        except NumberTooLong as e:
            return f"immediate of {mnemonic.upper()}: {e}"
        if not fits(value, bits):
            return (f"immediate #{m.group(1).replace(' ', '')} is out of range for "
                    f"{mnemonic.upper()} on a {bits}-bit register")  # fmt: skip
    return None


def x86_immediate_error(insn: str, decimal_only: bool = False) -> str | None:
    """Why an x86 (AT&T) instruction's `$imm` is out of range for its operand size, or None.
    x86-64 sign-extends a 32-bit immediate to 64 bits, except in `mov $imm64, %reg`."""
    mnemonic, _, ops = insn.strip().partition(" ")
    mnemonic = mnemonic.lower()
    bits = None
    if mnemonic[-1:] in _X86_SUFFIX_WIDTH and mnemonic not in _X86_NOT_SUFFIX and len(mnemonic) > 2:
        bits = _X86_SUFFIX_WIDTH[mnemonic[-1]]
    if bits is None:
        for pattern, width in _X86_REG_WIDTHS:
            if pattern.search(ops):
                bits = width
                break
    if bits is None:
        return None
    for m in _X86_IMM.finditer(ops):
        try:
            value = _number(m.group(1))
        except NumberTooLong as e:
            return f"immediate of {mnemonic}: {e}"
        ok = fits(value, bits)
        if bits == 64 and not (mnemonic.startswith("mov") and re.search(r",\s*%r", ops)):
            ok = -(1 << 31) <= value < (1 << 31)  # a sign-extended imm32
        if not ok:
            return f"immediate ${m.group(1).replace(' ', '')} is out of range for a {bits}-bit {mnemonic}"
    return None


_LEADING_ZEROS = re.compile(r"(?<![\w.])0+(?=\d)")


def without_leading_zeros(insn: str) -> str:
    """`#010` as herd reads it, 10 (OCaml's int_of_string, in its AArch64, ARM and X86 lexers:
    octal is `0o10`), which keystone would read as octal 8: a decimal number's leading zeros
    dropped (`#04` -> `#4`; `0x0010`, `X01` and `L010` untouched)."""
    return _LEADING_ZEROS.sub("", insn)
