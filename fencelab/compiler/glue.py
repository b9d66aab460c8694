"""How the source compiler spells glue instructions on each target family.

The lowering table supplies the atomic operations; everything around them (moving constants into
registers, arithmetic on locals, compares and branches) is spelled here, one small class per
family, in the syntax keystone assembles and herdtools7 reads (decimal immediates only: herd's
lexers take `#12` and `$12`, never `#0xc`). Where herd's grammar lacks an instruction the
compiler needs and an equivalent sequence it reads exists, the glue writes the sequence (x86:
no `movzbl`, `sete`, `jl`, `jae`, `neg`, `sub`; AArch64: no `uxtb`); README.md, "Compiled tests
and herd7", lists what a compiled test may still hold that herd7 does not read.
"""

from __future__ import annotations

import re

from fencelab.errors import FencelabError
from fencelab.isa.arch import X86_64_CANONICAL, herd_cmpxchg_order
from fencelab.values import signed, unsigned

COMPARISONS = ("==", "!=", "<", "<=", ">", ">=")
# the unsigned conditions, for the compiler's own compares (fetch_max on an AtomicU32)
UNSIGNED = {"<": "<u", "<=": "<=u", ">": ">u", ">=": ">=u"}
ARITHMETIC = ("+", "-", "*", "&", "|", "^", "<<", ">>")
NEGATED = {"==": "!=", "!=": "==", "<": ">=", ">=": "<", ">": "<=", "<=": ">"}


class Isa:
    """Glue instructions for one family. Registers are numbers; widths are 32 or 64."""

    family = ""
    two_address = False  # x86: `op src, dst` overwrites dst
    allocation_order: tuple[int, ...] = ()
    uppercase = False  # herd's ARM/AArch64 tests are written in capitals
    # x86: an access names its location as a memory operand `(x)`; ARM: the location's
    # address lives in a register set in the initial state
    location_operands = False
    # x86: a narrow atomic's result is zero-extended after it; ARM: a narrow CAS's expected
    # value is zero-extended before it (its compare is on the whole register)
    extend_narrow_result = False
    extend_narrow_expected = True
    # the compares `branch` jumps on in one instruction (the compiler jumps over a jump on the
    # negated compare for the others; x86 has no unsigned one, see `carry_test`)
    direct_branches = frozenset(COMPARISONS) | frozenset(UNSIGNED.values())
    # x86: herd has no set-on-condition but `setnb`, so `setcc` is a branch around a move
    setcc_by_branch = False

    def __init__(self, target):
        self.target = target

    def r(self, n: int, width: int) -> str:
        return self.target.reg(n, width)

    def condition_name(self, n: int) -> str:
        """The register as herd's final condition names it (`X0`, `R0`, `rax`)."""
        raise NotImplementedError

    def mov_imm(self, dst: int, value: int, width: int) -> list[str]:
        raise NotImplementedError

    def mov(self, dst: int, src: int, width: int) -> list[str]:
        raise NotImplementedError

    def alu(self, op: str, dst: int, a: int, b: int | None, width: int,
            imm: int | None = None) -> list[str]:  # fmt: skip
        """dst = a op b (b a register, or `imm` for shifts by a constant)."""
        raise NotImplementedError

    def unary(self, op: str, dst: int, src: int, width: int) -> list[str]:
        raise NotImplementedError

    def cmp(self, a: int, b: int | None, width: int, imm: int | None = None) -> list[str]:
        raise NotImplementedError

    def cmp_imm_ok(self, value: int, width: int) -> bool:
        raise NotImplementedError

    def branch(self, cmp_op: str, label: str) -> str:
        """Jump to `label` when `cmp_op` held at the last compare (one of `direct_branches`)."""
        raise NotImplementedError

    def jump(self, label: str) -> str:
        raise NotImplementedError

    def setcc(self, cmp_op: str, dst: int, width: int) -> list[str]:
        """After a compare: dst = 1 if `cmp_op` held, else 0."""
        raise NotImplementedError

    def zero_extend(self, dst: int, src: int, bits: int) -> list[str]:
        raise NotImplementedError

    def sign_extend(self, dst: int, src: int, bits: int) -> list[str]:
        """dst (32-bit) = the low `bits` of src, sign-extended."""
        raise NotImplementedError

    def carry_test(self, dst: int, a: int, b: int, width: int) -> list[str]:
        """x86: flags with Z clear iff a >= b unsigned, through `dst` (the carry read by
        `setnb`, herd's one unsigned condition)."""
        raise NotImplementedError

    def names_location(self, name: str) -> bool:
        """Can a memory operand name location `name` in herd's syntax (x86's `(x)`)? A name
        herd's lexer reads as something else is addressed through a register instead."""
        return True

    def spell(self, line: str) -> str:
        """A row as the compiled herd test writes it."""
        return line.upper() if self.uppercase else line


# Words herd's X86_64 lexer reads as instructions, in lower case or all capitals (herdtools7
# lib/X86_64Lexer.mll, the keywords of its versions together, and master's X86_64Base.ml and,
# shl, ret, nop): a location named so cannot be a memory operand, `(lock)` is LPAR I_LOCK RPAR
HERD_X86_64_KEYWORDS = frozenset(
    m + s for m in ("add", "xor", "or", "mov", "dec", "inc", "cmp", "cmovc", "xchg", "uxch",
                    "cmpxchg") for s in ("", "b", "w", "l", "q")
) | frozenset(("movnti", "movntil", "movntiq", "jmp", "je", "jne", "jle", "jlt", "jgt", "jge",
               "js", "jns", "lock", "mfence", "lfence", "sfence", "setnb", "and", "shl", "ret",
               "nop", "movt", "movsd", "read"))  # fmt: skip
_HERD_X86_64_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_/.\-]*")  # the lexer's `name`
# and, shl: herd reads them unsuffixed (its tests A007 `shl 2,%eax`, A008 `and %eax,%eax`); a
# register operand gives the size
_SUFFIXED = re.compile(r"^(.*?\b)(and|shl)[bwlq](\s)", re.I)


class X86Isa(Isa):
    family = "x86_64"
    two_address = True
    location_operands = True
    extend_narrow_result = True
    extend_narrow_expected = False
    direct_branches = frozenset(("==", "!=", "<=", ">="))  # herd: je jne jle jge (its jlt, jgt
    # are not GNU's jl, jg); unsigned: `carry_test`
    setcc_by_branch = True
    # eax, ebx, ecx, edx, esi, edi, r8d..r15d, ebp (never rsp), as herd's tests name them
    allocation_order = (0, 3, 1, 2, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 5)
    _SUFFIX = {8: "b", 16: "w", 32: "l", 64: "q"}
    _CC = {"==": "e", "!=": "ne", "<=": "le", ">=": "ge"}
    _ALU = {"+": "add", "*": "imul", "|": "or", "^": "xor", ">>": "sar"}

    def condition_name(self, n: int) -> str:
        return self.target.reg(n, 64).lstrip("%")

    def mov_imm(self, dst, value, width):
        if width == 32:
            return [f"movl ${signed(value, 32)},{self.r(dst, 32)}"]
        # `movq` of a constant beyond 32 bits assembles as movabsq, which herd does not spell
        return [f"movq ${signed(value, 64)},{self.r(dst, 64)}"]

    def mov(self, dst, src, width):
        if dst == src:
            return []
        s = self._SUFFIX[width]
        return [f"mov{s} {self.r(src, width)},{self.r(dst, width)}"]

    def alu(self, op, dst, a, b, width, imm=None):
        s = self._SUFFIX[width]
        d = self.r(dst, width)
        if b is not None and dst == b and dst != a:
            raise AssertionError("x86 two-address op with dst == right operand")
        out = self.mov(dst, a, width)
        if op in ("<<", ">>"):
            if imm is None:
                raise FencelabError(
                    "x86_64: a shift by a variable amount needs %cl; only shifts by a "
                    "constant are compiled"
                )
            return [*out, f"{'shl' if op == '<<' else 'sar' + s} ${imm},{d}"]
        if op == "-":  # herd has no sub: a - b = ~(~a + b)
            if b == dst:
                return [f"mov{s} $0,{d}"]
            return [*out, f"xor{s} $-1,{d}", f"add{s} {self.r(b, width)},{d}",
                    f"xor{s} $-1,{d}"]  # fmt: skip
        name = "and" if op == "&" else self._ALU[op] + s
        return [*out, f"{name} {self.r(b, width)},{d}"]

    def unary(self, op, dst, src, width):
        s = self._SUFFIX[width]
        d = self.r(dst, width)
        inverted = [*self.mov(dst, src, width), f"xor{s} $-1,{d}"]  # herd has no not, neg
        return inverted if op == "~" else [*inverted, f"add{s} $1,{d}"]

    def cmp(self, a, b, width, imm=None):
        s = self._SUFFIX[width]
        right = f"${imm}" if imm is not None else self.r(b, width)
        return [f"cmp{s} {right},{self.r(a, width)}"]

    def cmp_imm_ok(self, value, width):
        return -(1 << 31) <= value < (1 << 31)

    def branch(self, cmp_op, label):
        return f"j{self._CC[cmp_op]} {label}"

    def jump(self, label):
        return f"jmp {label}"

    def carry_test(self, dst, a, b, width):
        s = self._SUFFIX[width]
        d = self.r(dst, 32)
        return [f"movl $0,{d}", f"cmp{s} {self.r(b, width)},{self.r(a, width)}",
                f"setnb {self.r(dst, 8)}", f"cmpl $0,{d}"]  # fmt: skip

    def zero_extend(self, dst, src, bits):
        # herd has no movzbl/movzwl; a register operand gives `and` its size
        return [*self.mov(dst, src, 32), f"and ${(1 << bits) - 1},{self.r(dst, 32)}"]

    def sign_extend(self, dst, src, bits):
        # herd has no movsbl/movswl: zero-extend, then (v ^ 2^(bits-1)) - 2^(bits-1)
        half, d = 1 << (bits - 1), self.r(dst, 32)
        return [*self.zero_extend(dst, src, bits), f"xorl ${half},{d}", f"addl $-{half},{d}"]

    def names_location(self, name):
        return (_HERD_X86_64_NAME.fullmatch(name) is not None
                and name.lower() not in X86_64_CANONICAL
                and not (name.lower() in HERD_X86_64_KEYWORDS
                         and name in (name.lower(), name.upper()))
                and re.fullmatch(r"P\d+", name) is None)  # fmt: skip

    def spell(self, line):
        return _SUFFIXED.sub(r"\1\2\3", herd_cmpxchg_order(line))


# condition codes and ALU mnemonics, the same in A32 and A64 (unsigned >= and < as herd's
# AArch64 lexer spells them, `cs` and `cc`: it has no `hs` or `lo`)
ARM_CONDITIONS = {"==": "eq", "!=": "ne", "<": "lt", "<=": "le", ">": "gt", ">=": "ge",
                  "<u": "cc", "<=u": "ls", ">u": "hi", ">=u": "cs"}  # fmt: skip
ARM_ALU = {"+": "add", "-": "sub", "*": "mul", "&": "and", "|": "orr", "^": "eor", "<<": "lsl",
           ">>": "asr"}  # fmt: skip


class AArch64Isa(Isa):
    family = "aarch64"
    allocation_order = tuple(range(29))
    uppercase = True
    _CC, _ALU = ARM_CONDITIONS, ARM_ALU

    def condition_name(self, n: int) -> str:
        return f"X{n}"

    def mov_imm(self, dst, value, width):
        reg = self.r(dst, width)
        v = unsigned(value, width)
        if v < (1 << 16):
            return [f"mov {reg}, #{v}"]
        if (1 << width) - v <= (1 << 16):  # a small negative number: movn
            return [f"mov {reg}, #{signed(v, width)}"]
        chunks = [(v >> s) & 0xFFFF for s in range(0, width, 16)]
        out: list[str] = []
        for i, chunk in enumerate(chunks):
            if chunk == 0:
                continue
            shift = f", lsl #{16 * i}" if i else ""
            out.append(f"{'movk' if out else 'movz'} {reg}, #{chunk}{shift}")
        return out

    def mov(self, dst, src, width):
        return [] if dst == src else [f"mov {self.r(dst, width)}, {self.r(src, width)}"]

    def alu(self, op, dst, a, b, width, imm=None):
        right = f"#{imm}" if imm is not None else self.r(b, width)
        return [f"{self._ALU[op]} {self.r(dst, width)}, {self.r(a, width)}, {right}"]

    def unary(self, op, dst, src, width):
        name = {"-": "neg", "~": "mvn"}[op]
        return [f"{name} {self.r(dst, width)}, {self.r(src, width)}"]

    def cmp(self, a, b, width, imm=None):
        right = f"#{imm}" if imm is not None else self.r(b, width)
        return [f"cmp {self.r(a, width)}, {right}"]

    def cmp_imm_ok(self, value, width):
        return 0 <= value < 4096

    def branch(self, cmp_op, label):
        return f"b.{self._CC[cmp_op]} {label}"

    def jump(self, label):
        return f"b {label}"

    def setcc(self, cmp_op, dst, width):
        return [f"cset {self.r(dst, 32)}, {self._CC[cmp_op]}"]

    # UXTB/UXTH, SXTB/SXTH as the UBFM/SBFM they are aliases of (the same words): herd's
    # AArch64Parser.mly reads UXTB etc. only as an operand's extension, never as instructions
    def zero_extend(self, dst, src, bits):
        return [f"ubfm {self.r(dst, 32)}, {self.r(src, 32)}, #0, #{bits - 1}"]

    def sign_extend(self, dst, src, bits):
        return [f"sbfm {self.r(dst, 32)}, {self.r(src, 32)}, #0, #{bits - 1}"]


def _arm_immediate(value: int) -> bool:
    """Is `value` an A32 modified immediate (8 bits rotated right by an even amount)?"""
    value &= 0xFFFFFFFF
    for rot in range(0, 32, 2):
        rotated = ((value << rot) | (value >> (32 - rot))) & 0xFFFFFFFF
        if rotated < 256:
            return True
    return False


class ArmIsa(Isa):
    family = "armv7"
    allocation_order = tuple(range(13))
    uppercase = True
    _CC, _ALU = ARM_CONDITIONS, ARM_ALU

    def condition_name(self, n: int) -> str:
        return f"R{n}"

    def mov_imm(self, dst, value, width):
        reg = self.r(dst, 32)
        v = value & 0xFFFFFFFF
        if _arm_immediate(v):
            return [f"mov {reg}, #{v}"]
        if _arm_immediate(~v):
            return [f"mvn {reg}, #{~v & 0xFFFFFFFF}"]
        out = [f"movw {reg}, #{v & 0xFFFF}"]
        if v >> 16:
            out.append(f"movt {reg}, #{v >> 16}")
        return out

    def mov(self, dst, src, width):
        return [] if dst == src else [f"mov {self.r(dst, 32)}, {self.r(src, 32)}"]

    def alu(self, op, dst, a, b, width, imm=None):
        right = f"#{imm}" if imm is not None else self.r(b, 32)
        return [f"{self._ALU[op]} {self.r(dst, 32)}, {self.r(a, 32)}, {right}"]

    def unary(self, op, dst, src, width):
        if op == "-":
            return [f"rsb {self.r(dst, 32)}, {self.r(src, 32)}, #0"]
        return [f"mvn {self.r(dst, 32)}, {self.r(src, 32)}"]

    def cmp(self, a, b, width, imm=None):
        right = f"#{imm}" if imm is not None else self.r(b, 32)
        return [f"cmp {self.r(a, 32)}, {right}"]

    def cmp_imm_ok(self, value, width):
        return 0 <= value < (1 << 32) and _arm_immediate(value)

    def branch(self, cmp_op, label):
        return f"b{self._CC[cmp_op]} {label}"

    def jump(self, label):
        return f"b {label}"

    def setcc(self, cmp_op, dst, width):
        reg = self.r(dst, 32)  # plain mov leaves the flags alone
        return [f"mov {reg}, #0", f"mov{self._CC[cmp_op]} {reg}, #1"]

    def zero_extend(self, dst, src, bits):
        name = {8: "uxtb", 16: "uxth"}[bits]
        return [f"{name} {self.r(dst, 32)}, {self.r(src, 32)}"]

    def sign_extend(self, dst, src, bits):
        name = {8: "sxtb", 16: "sxth"}[bits]
        return [f"{name} {self.r(dst, 32)}, {self.r(src, 32)}"]


GLUE: dict[str, type[Isa]] = {isa.family: isa for isa in (X86Isa, AArch64Isa, ArmIsa)}


def isa_for(target) -> Isa:
    """The glue for `target`'s family."""
    return GLUE[target.family](target)
