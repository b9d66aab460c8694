"""herdtools7's assembly architectures: how a test of each spells its registers and its code.

An `Arch` is what a litmus test's header names (`X86_64`, `X86`, `AArch64`, `ARM`); a `Target`
(fencelab/isa/target.py) is a machine to run code on. Each target runs one architecture's code
(`Target.arch`), and each architecture runs on one target unless told otherwise
(`Arch.own_target`). What differs between architectures is said here, once, and asked of the
object: how herd prints a register, how wide a register is, which registers herd's symbolic
`%x0` may become, and how a row of the thread table becomes assembler text and bytes.

This module imports no engine (keystone, capstone, unicorn), so the litmus format can ask it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

from fencelab.errors import FencelabError
from fencelab.isa.assembler import AssemblyError, Engine, Refused, assemble
from fencelab.isa.immediates import a32_immediate_error

# unknown(name) -> the error to raise for a location the test does not declare
UnknownLocation = Callable[[str], Exception]


class Arch:
    """One herd architecture. Subclasses override what differs."""

    name: str = ""  # herd's spelling: X86_64, X86, AArch64, ARM
    own_target: str = ""  # the target its tests run on by default (the richest variant)
    symbolic_pool: tuple[str, ...] = ()  # registers a symbolic `%x0` may become, in order
    numbered_register: re.Pattern | None = None  # a register naming its number (`R3`, `X3`)

    def herd_register(self, reg: str) -> str:
        """A register as herd7 prints it; herd's symbolic registers are printed as written."""
        return reg if reg.startswith("%") else reg.upper()

    def register_of(self, reg: str) -> str:
        """One name for every view of a register (x86-64's `eax` and `rax`; numbered views,
        AArch64's `W1` and `X1`, are told by `numbered_register`)."""
        return self.herd_register(reg)

    def reg_width(self, reg: str) -> int:
        """The width in bits of a register named in a test's condition."""
        return 64

    def translate(self, text: str, addr_of: Mapping[str, int], unknown: UnknownLocation) -> str:
        """One instruction from herd's syntax to the assembler's (locations as addresses)."""
        return text

    def named_locations(self, text: str) -> list[str]:
        """The locations an instruction names as its memory operands (herd's x86 syntaxes do;
        ARM code reaches memory through registers)."""
        return []

    def assemble(self, target, lines: Sequence[str], base: int) -> bytes:
        """Assemble translated lines for `target` (its engine, unless this syntax needs another)."""
        return target.assemble(lines, base)

    def __repr__(self) -> str:
        return f"<Arch {self.name}>"


# x86-64's general registers and the names of their views (fencelab/isa/x86_64.py uses them)
GPRS = ("rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp",
        "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15")  # fmt: skip
# the order of x86's register encoding, used by reg(n, width)
ENCODING_ORDER = ("rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                  "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15")  # fmt: skip
X86_64_VIEWS = {  # canonical -> names at 32, 16, 8 bits
    "rax": ("eax", "ax", "al"), "rbx": ("ebx", "bx", "bl"), "rcx": ("ecx", "cx", "cl"),
    "rdx": ("edx", "dx", "dl"), "rsi": ("esi", "si", "sil"), "rdi": ("edi", "di", "dil"),
    "rbp": ("ebp", "bp", "bpl"), "rsp": ("esp", "sp", "spl"),
}  # fmt: skip
X86_64_CANONICAL: dict[str, str] = {}  # any view's name -> its 64-bit register's
for _r in GPRS:
    X86_64_CANONICAL[_r] = _r
    for _n in X86_64_VIEWS.get(_r, (_r + "d", _r + "w", _r + "b")):
        X86_64_CANONICAL[_n] = _r
for _r, _h in (("rax", "ah"), ("rbx", "bh"), ("rcx", "ch"), ("rdx", "dh")):
    X86_64_CANONICAL[_h] = _r
X86_64_CANONICAL.update({"rip": "rip", "eflags": "rflags", "rflags": "rflags", "flags": "rflags"})


class X86_64Arch(Arch):
    """herd's X86_64: AT&T syntax, memory operands name locations: `movl $1,(x)`."""

    name = "X86_64"
    own_target = "x86_64"

    def herd_register(self, reg: str) -> str:
        return reg.lstrip("%").lower()

    def register_of(self, reg: str) -> str:
        name = self.herd_register(reg)
        return X86_64_CANONICAL.get(name, name)

    def reg_width(self, reg: str) -> int:
        r = reg.lower().lstrip("%")
        if r in ("al", "bl", "cl", "dl", "ah", "bh", "ch", "dh") or (
            r.startswith("r") and r.endswith("b")
        ):
            return 8
        if r in ("ax", "bx", "cx", "dx", "si", "di", "bp", "sp") or (
            r.startswith("r") and r.endswith("w")
        ):
            return 16
        if r.startswith("e") or (r.startswith("r") and r.endswith("d")):
            return 32
        return 64

    def translate(self, text, addr_of, unknown):
        """herd's operands as AT&T's: a location `(x)` or `[x]` its address, `[%rax]` (or
        `[rax]`: herd's lexer makes a register's name the register) `(%rax)`, `[16]` address
        16; a size-less mnemonic reaching memory is herd's 32-bit access (`_herd_size`); a
        `cmpxchg` whose memory operand comes first is herd's order, made AT&T's."""

        def address(name: str) -> str:
            if name not in addr_of:
                raise unknown(name)
            return f"{addr_of[name]:#x}"

        def bracket(m: re.Match) -> str:
            inside = m.group(1)
            if inside.isdigit():
                return f"{int(inside):#x}"
            if inside.lstrip("%").lower() in X86_64_CANONICAL:
                return f"(%{inside.lstrip('%')})"
            return address(inside)

        text = _HERD_JUMP.sub(r"\1\2", text)  # herd's `jlt`, `jgt`: GNU's `jl`, `jg`
        text = self._herd_size(_HERD_CMPXCHG.sub(r"\1\3,\2", herd_registers(text)))
        text = _HERD_BRACKET.sub(bracket, text)
        return _ATT_LOCATION.sub(lambda m: address(m.group(1)), text)

    def _herd_size(self, text: str) -> str:
        """A `mov`, `add`, `or`, `xor`, `cmp`, `inc`, `dec` or `xchg` without a size letter is
        herd's INSb (X86_64Parser.mly), whose memory access is 32 bits (X86_64Arch_herd.ml
        `inst_size_to_mach_size`) while its registers are read and written whole
        (X86_64Sem.ml: INSb masks no value). Naming no register (`mov $1,(x)`), or a 64-bit one
        that memory gets 32 bits of (`mov %rax,(x)`: `movl %eax,(x)`) or gives 32 bits to,
        zero-extended (`mov (x),%rax`, `xchg %rax,(x)`: `movl`, `xchgl` with `%eax`), it is
        the `l` instruction; without memory, AT&T's register size. Where no instruction does
        what herd does with a register and memory, the line is refused (`_NO_HERD_SIZE`)."""
        sized = _SIZELESS.fullmatch(text)
        if not sized:
            return text
        head, gap, operands = sized.groups()
        suffix = "L" if head[-1].isupper() else "l"
        registers = _ATT_REGISTER.findall(_MEMORY_OPERAND.sub("", operands))
        if not registers:
            return f"{head}{suffix}{gap}{operands}"
        if not _MEMORY_OPERAND.search(operands):
            return text  # registers only: AT&T's register size
        mnemonic = head.split()[-1].lower()
        reg = registers[0]
        if reg.lower() not in X86_64_CANONICAL:
            return text  # not a register keystone knows: it says so
        width = self.reg_width(reg)
        source = operands.lstrip().startswith("%")  # AT&T: the source first
        if width == 32:
            return text
        if width == 64 and (mnemonic in ("mov", "xchg") or (source and mnemonic != "cmp")):
            view = X86_64_VIEWS.get(reg.lower(), (reg.lower() + "d",))[0]
            view = view.upper() if reg.isupper() else view
            operands = re.sub(rf"%{reg}\b", f"%{view}", operands, count=1)
            return f"{head}{suffix}{gap}{operands}"
        why = _NO_HERD_SIZE["narrow" if width < 32 else mnemonic if mnemonic == "cmp" else "into"]
        raise FencelabError(f"{text.strip()!r}: herd's size-less {mnemonic} is a 32-bit access "
                            f"to memory (X86_64Arch_herd.ml) " + why.format(
                                reg=reg, width=width, m=mnemonic,
                                letter="b" if width == 8 else "w"))  # fmt: skip

    def named_locations(self, text):
        text = herd_registers(text)
        at_t = _ATT_LOCATION.findall(text)  # AT&T: `(x)`; herd's `[x]` too, not `[rax]`
        return at_t + [n for n in _HERD_BRACKET.findall(text)
                       if not n.isdigit() and n.lstrip("%").lower() not in X86_64_CANONICAL]


_IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
_ATT_LOCATION = re.compile(rf"\(\s*({_IDENT})\s*\)")  # a location named in AT&T: `(x)`
# herd's X86_64Parser.mly `rm64`: `[x]`, `[%rax]`, `[rax]`, `k[%rax]`, `[16]`
_HERD_BRACKET = re.compile(rf"\[\s*(%?{_IDENT}|\d+)\s*\]")
# herd's size-less mnemonics (X86_64Parser.mly's INSb)
_SIZELESS = re.compile(r"(\s*(?:lock\s+)?(?:mov|add|x?or|cmp|inc|dec|xchg))(\s+)(.*)",
                       re.I | re.S)  # fmt: skip
_MEMORY_OPERAND = re.compile(r"\([^)]*\)|\[[^\]]*\]")
# herd's cmpxchg, its memory operand first (X86_64Parser.mly `I_CMPXCHG effaddr COMMA reg`),
# which AT&T writes last: a memory operand first is herd's order (AT&T's source is a register)
_HERD_CMPXCHG = re.compile(r"^(.*\bcmpxchg[bwlq]?\s+)(-?[\w$]*\([^)]*\)|\[[^\]]*\])\s*,"
                           r"\s*(%\w+)\s*$", re.I)  # fmt: skip
# and as AT&T writes it (register, then memory), which `herd_cmpxchg_order` turns round
_ATT_CMPXCHG = re.compile(r"^(.*\bcmpxchg[bwlq]?\s+)(%\w+)\s*,\s*(\S*\(.*\))\s*$", re.I)
_ATT_REGISTER = re.compile(r"%(\w+)")


# herd's spellings of GNU's `jl` and `jg` (X86_64Lexer.mll `jlt`, `jgt`), less their `t`
_HERD_JUMP = re.compile(r"^(\s*)(j[lg])t(?=\s)", re.I)
# a name not written after `%`, `$` or within a word (herd's X86_64Lexer.mll `name`)
_BARE_NAME = re.compile(rf"(?<![%$\w.])({_IDENT})(?![\w.$])")


def herd_registers(text: str) -> str:
    """An X86_64 line with `%` before each register named without it: herd's lexer makes any
    name that is a register's (`parse_any_reg`, any case) the register, `%` or not, so
    `(rax)` is the memory rax points to and `movl eax,(x)` stores eax; AT&T reads a bare
    name as a symbol: `(rax)` was the address of a location named rax (a silently wrong
    verdict when rax held x's address), `movl $2,eax` keystone's "Cannot find a symbol"."""
    return _BARE_NAME.sub(lambda m: f"%{m.group(1)}" if m.group(1).lower() in X86_64_CANONICAL
                          else m.group(1), text)  # fmt: skip


def herd_cmpxchg_order(line: str) -> str:
    """An AT&T `cmpxchg %reg,mem` as herd's X86_64 parser reads it, `cmpxchg mem,%reg` (what
    `X86_64Arch.translate` turns back); any other line as it is."""
    return _ATT_CMPXCHG.sub(r"\1\3,\2", line)
# what herd does with memory and a register that no x86 instruction does (`_herd_size`)
_NO_HERD_SIZE = {
    "narrow": ("with the {width}-bit %{reg}, stored zero-extended to 4 bytes or or-ed with the "
               "4 bytes read, which no x86 instruction does; write {m}{letter} ({width} bits) "
               "or {m}l with a 32-bit register"),
    "into": ("that {m}s into all 64 bits of %{reg}, which no x86 instruction does; write {m}l "
             "with a 32-bit register, or {m}q"),
    "cmp": ("compared with all 64 bits of %{reg}, which no x86 instruction does; write cmpl "
            "with a 32-bit register, or cmpq"),
}
_X86_REGISTERS = frozenset(
    re.findall(
        r"\w+",
        "EAX EBX ECX EDX ESI EDI EBP ESP AX BX CX DX SI DI BP SP AL AH BL BH CL CH DL DH "
        "RAX RBX RCX RDX RSI RDI RBP RSP R8 R9 R10 R11 R12 R13 R14 R15",
    )
)
_X86_REG = re.compile(r"\b(E?[ABCD]X|E?[SD]I|E?[BS]P|R[A-Z0-9]+|[ABCD][LH])\b", re.I)
_X86_PAREN_DEREF = re.compile(rf"\(\s*({_X86_REG.pattern})\s*\)", re.I)
# a hexadecimal number (`$0x10`, `0x10`, `[0x10]`): herd's X86Lexer.mll reads digits only
# (`num = digit+`), so it is the number 0 then the name x10, which X86Parser.mly refuses
_X86_HEX = re.compile(r"(?<![\w.])(\$?)(-?)0[xX]([0-9A-Fa-f]*)(?![\w.])")
_INTEL = "%intel% "


class X86Arch(Arch):
    """herd's X86: an Intel-like dialect (`MOV [x],$1`, `MOV EAX,[y]`), run as x86-64 code."""

    name = "X86"
    own_target = "x86_64"

    def reg_width(self, reg: str) -> int:
        return 32  # herd's X86 is 32-bit

    def translate(self, text, addr_of, unknown):
        def memory(m: re.Match) -> str:
            inner = m.group(1).strip()
            if inner in addr_of:
                return f"[{addr_of[inner]:#x}]"
            if re.fullmatch(r"[A-Za-z_]\w*", inner) and not _X86_REG.fullmatch(inner):
                raise unknown(inner)
            return f"[{inner}]"

        hexadecimal = _X86_HEX.search(text)
        if hexadecimal:
            number = hexadecimal.group(0)
            dollar, sign, digits = hexadecimal.groups()
            decimal = f"{dollar}{sign}{int(digits or '0', 16)}"
            raise FencelabError(f"hexadecimal number {number!r}: herd's X86 reads decimal numbers "
                                f"only ({number[:-len(digits) - 1]!r} then the name "
                                f"{number[-len(digits) - 1:]!r}, which it refuses); write "
                                f"{decimal}")  # fmt: skip
        why = a32_immediate_error(text.replace("$", "#"))  # herd's X86 is 32-bit: imm32 at most
        if why:
            raise FencelabError(why.replace("#", "$") + " (x86, 32-bit)")
        # herd's `(EAX)` is `[EAX]` (its X86Parser.mly `rm32`), which keystone's Intel syntax
        # reads as the register itself
        out = _X86_PAREN_DEREF.sub(r"[\1]", text)
        out = re.sub(r"\[([^\]]*)\]", memory, out)
        out = re.sub(r"\$(-?\w+)", r"\1", out)
        operands = out.split(None, 1)[1] if " " in out else ""
        # a register operand gives the size; one in a memory operand (`[EAX]`) does not
        regs = _X86_REG.findall(re.sub(r"\[[^\]]*\]", "", operands))
        if "[" in out and not regs:
            out = out.replace("[", "dword ptr [", 1)
        return _INTEL + out

    def named_locations(self, text):
        names = re.findall(rf"\[\s*({_IDENT})\s*\]", text)  # Intel: `[x]`, not `[EAX]`
        return [n for n in names if n.upper() not in _X86_REGISTERS]

    def assemble(self, target, lines, base):
        """keystone's Intel syntax, not the target's AT&T (answers cached by assembler.py)."""
        intel = Engine(target.engine.arch, target.engine.mode)
        plain = [ln.removeprefix(_INTEL) for ln in lines]
        try:
            return assemble(intel, plain, base)
        except Refused as e:
            for ln in plain:
                try:
                    assemble(intel, [ln], base)
                except Refused:
                    raise AssemblyError(f"x86: cannot assemble {ln!r}", e.reason) from e
            raise AssemblyError(f"x86: cannot assemble program ({e})") from e


class _NumberedArch(Arch):
    """ARM and AArch64: registers named by number (`R3`, `X3`/`W3`); herd's symbolic
    registers become free ones, highest number first."""

    def __init__(self, name: str, own_target: str, letter: str, highest: int, views: str,
                 narrow: str = "", width: int = 64):  # fmt: skip
        self.name = name
        self.own_target = own_target
        self.symbolic_pool = tuple(f"{letter}{n}" for n in range(highest, -1, -1))
        self.numbered_register = re.compile(rf"\b[{views}](\d+)\b", re.I)
        self._narrow = narrow  # the prefix of 32-bit views (`w`), if any
        self._width = width

    def reg_width(self, reg: str) -> int:
        r = reg.lower().lstrip("%")
        return 32 if self._narrow and r.startswith(self._narrow) else self._width

    def translate(self, text, addr_of, unknown):
        adr = re.fullmatch(r"\s*adrp?\s+\w+\s*,\s*([A-Za-z_]\w*)\s*", text, re.I)
        if adr and adr.group(1) in addr_of:
            raise FencelabError(f"ADR of the location {adr.group(1)!r} is not supported: give "
                                f"its address in a register (0:X1={adr.group(1)})")  # fmt: skip
        literal = _LITERAL_LOAD.fullmatch(text)
        if self._narrow and literal and literal.group(2) in addr_of:
            # herd's `LDR X0,x` (its A245): a load of location x, assembled as a literal
            # (PC-relative) load of x's address, which the data lies within reach of (1 MiB)
            return f"{literal.group(1)}{addr_of[literal.group(2)]:#x}"
        return text


_LITERAL_LOAD = re.compile(r"(\s*ldr(?:sw)?\s+[wx]\d+\s*,\s*)([A-Za-z_]\w*)\s*", re.I)

X86_64 = X86_64Arch()
X86 = X86Arch()
AARCH64 = _NumberedArch("AArch64", "armv8.3", "X", 28, "XW", narrow="w")
ARM = _NumberedArch("ARM", "armv7", "R", 12, "R", width=32)  # A32 code
ARCHES: dict[str, Arch] = {a.name: a for a in (AARCH64, ARM, X86_64, X86)}


def get_arch(name: str) -> Arch:
    """The architecture a test's header names (herd's spelling)."""
    if name not in ARCHES:
        raise FencelabError(f"unsupported architecture {name}")
    return ARCHES[name]
