"""x86-64 (AT&T syntax, as herdtools7's X86_64 tests and clang's output use)."""

from __future__ import annotations

import re
from functools import cached_property

import capstone
from unicorn import UC_ARCH_X86, UC_MODE_64
from unicorn import x86_const as X

from fencelab.errors import clip
from fencelab.isa.arch import ENCODING_ORDER, GPRS
from fencelab.isa.arch import X86_64 as X86_64_ARCH
from fencelab.isa.arch import X86_64_CANONICAL as CANONICAL
from fencelab.isa.arch import X86_64_VIEWS as _LEGACY
from fencelab.isa.assembler import KS_ARCH_X86, KS_MODE_64, KS_OPT_SYNTAX_ATT, Refused, assemble
from fencelab.isa.target import Target
from fencelab.values import NumberTooLong, read_int

# a shift or rotate count written without `$` (herd's `shl 2,%eax`)
_BARE_COUNT = re.compile(r"^((?:[A-Za-z_.$][\w.$]*:\s*)?(?:sh[lr]|sa[lr]|ro[lr]|rc[lr])[bwlq]?\s+)"
                         r"(-?(?:0x[0-9a-f]+|\d+))(?=\s*,)", re.I)
# a source operand written as a bare decimal number (herd's `movl 1,%eax`): herd's X86_64 lexer
# makes it a NUM, which its grammar reads as an immediate in the first operand of mov, add, or,
# xor and cmp (`operand: effaddr | k | INTEL_NUM`); AT&T would read an absolute address
_BARE_IMMEDIATE = re.compile(r"^((?:[A-Za-z_.$][\w.$]*:\s*)?(?:lock\s+)?(?:mov|add|x?or|cmp)[bwlq]?\s+)"
                             r"(-?\d+)(?=\s*,)", re.I)
# an address with a 64-bit base and a 32-bit index (herd's A009 `0(%rax,%ebx,8)`)
_R64 = r"%(?:r[a-d]x|r[sd]i|r[sb]p|r(?:[89]|1[0-5]))\b"
_R32 = r"%(?:e[a-d]x|e[sd]i|e[sb]p|r(?:[89]|1[0-5])d)\b"
_MIXED_SIZES = re.compile(rf"\(\s*(?:{_R64}\s*,\s*{_R32}|{_R32}\s*,\s*{_R64})", re.I)
MIXED_SIZES_WHY = ("an address with a 64-bit base and a 32-bit index (or the reverse), which herd "
                   "accepts; x86-64 has no such address (as and keystone refuse it)")
# a decimal number on its own: not in a name (`r8`, `L01`), not a hex literal (`0x10`)
_DECIMAL = re.compile(r"(?<![\w.])(\d+)(?![\w.])")


_MOVQ_ABS_LOAD = re.compile(r"^((?:[A-Za-z_.$][\w.$]*:\s*)?movq)\s+(0x[0-9a-fA-F]+)\s*,(?=\s*%r)", re.I)


class X86_64(Target):
    name = "x86_64"
    family = "x86_64"
    arch = X86_64_ARCH
    description = "x86-64 (x86-TSO)"
    pointer_width = 64
    default_model = "tso"
    allocatable = tuple(n for n in range(16) if n != 4)  # never rsp
    register_preferences = {"addr": (7,), "val": (6,), "exp": (6,), "new": (2,), "res": (0,),
                            "tmp": (1,), "tmp2": (8,), "ok": (9,)}  # fmt: skip
    ks_arch, ks_mode = KS_ARCH_X86, KS_MODE_64
    cs_arch, cs_mode = capstone.CS_ARCH_X86, capstone.CS_MODE_64
    uc_arch, uc_mode = UC_ARCH_X86, UC_MODE_64

    ks_syntax = KS_OPT_SYNTAX_ATT

    @property
    def _cs(self):  # AT&T output, like the input
        cs = self.__dict__.get("_cs_att")
        if cs is None:
            cs = capstone.Cs(self.cs_arch, self.cs_mode)
            cs.syntax = capstone.CS_OPT_SYNTAX_ATT
            cs.detail = True
            self.__dict__["_cs_att"] = cs
        return cs

    def prepare_line(self, line: str) -> str:
        """keystone 0.9.2 reads every number in AT&T syntax as hex (`$100` is 256, `16(%rax)`
        is 0x16): spell decimal numbers in hex, which it reads right. It also truncates
        immediates out of range (an error here), and can't encode `endbr64` or the `nop`
        forms with an operand (`nopl 0x0(%rax)`): those become GNU as's bytes."""
        from fencelab.isa.immediates import x86_immediate_error
        from fencelab.isa.target import AssemblyError

        line = line.strip()
        # herd writes a shift's count without `$` (`shl 2,%eax`, its A007): no other reading
        # exists (a count is never in memory), so it is the immediate
        line = _BARE_COUNT.sub(r"\1$\2", line)
        line = _BARE_IMMEDIATE.sub(r"\1$\2", line)
        why = x86_immediate_error(line)
        if why:
            raise AssemblyError(f"{self.name}: cannot assemble {clip(line)}: {why}", why)
        if _MIXED_SIZES.search(line) and not self._hint_nop(line):  # a hint nop's operand is
            # only encoded (herd's A005 `NOPL %cs:0(%rax,%eax,0)`)
            why = MIXED_SIZES_WHY
            raise AssemblyError(f"{self.name}: cannot assemble {clip(line)}: {why}", why)
        try:
            line = _DECIMAL.sub(lambda m: f"{read_int(m.group(1)):#x}", line)
        except NumberTooLong as e:
            raise AssemblyError(f"{self.name}: cannot assemble {clip(line)}: {e}", str(e)) from None
        # keystone encodes `movq ABS,%reg` rip-relative without relocating it (it reads
        # 0x100000(%rip)); the SIB absolute form `ABS(,%riz,1)` encodes right
        line = _MOVQ_ABS_LOAD.sub(r"\1 \2(,%riz,1),", line)
        return self._hint_nop(line) or line

    def _hint_nop(self, line: str) -> str | None:
        """`endbr64`, `nopl MEM`, `nopw MEM` as `.byte`s: 0F 1F /0 with the operand's ModRM
        (taken from keystone's `lea MEM,%eax`, whose reg field is 0 too), 66 for nopw."""
        m = re.fullmatch(r"((?:[A-Za-z_.$][\w.$]*:\s*)?)(endbr64|nop[wlq]?)\s*(.*)", line, re.I)
        if not m:
            return None
        label, mnemonic, operand = m.group(1), m.group(2).lower(), m.group(3).strip()
        if mnemonic == "endbr64":
            code = bytes.fromhex("f30f1efa")
        elif operand:
            segment = re.match(r"%([cdefgs]s):", operand)
            operand = operand[segment.end():] if segment else operand
            try:
                lea = assemble(self.engine, [f"leal {operand},%eax"])
            except Refused:  # an operand only herd takes (`0(%rax,%eax,0)`), which
                lea = b"\x8d\x00"  # no assembler encodes: a nop all the same, `(%rax)`'s
            if not lea or lea[0] != 0x8D:
                return None
            prefix = {"cs": b"\x2e", "ds": b"\x3e", "es": b"\x26", "fs": b"\x64", "gs": b"\x65",
                      "ss": b"\x36"}[segment.group(1).lower()] if segment else b""  # fmt: skip
            code = prefix + (b"\x66" if mnemonic == "nopw" else b"") + b"\x0f\x1f" + bytes(lea[1:])
        else:
            return None
        return f"{label}.byte " + ",".join(f"{b:#04x}" for b in code)

    def reg(self, n: int, width: int) -> str:
        full = ENCODING_ORDER[n]
        if width == 64:
            return "%" + full
        names = _LEGACY.get(full, (full + "d", full + "w", full + "b"))
        return "%" + names[{32: 0, 16: 1, 8: 2}[width]]

    def canonical_reg(self, name: str) -> str:
        return CANONICAL.get(name.lower().lstrip("%"), name.lower().lstrip("%"))

    @cached_property
    def register_ids(self):
        ids = [(r, getattr(X, f"UC_X86_REG_{r.upper()}")) for r in GPRS]
        return (*ids, ("rip", X.UC_X86_REG_RIP), ("rflags", X.UC_X86_REG_EFLAGS))

    @property
    def pc_name(self) -> str:
        return "rip"

    def classify(self, insn):
        from fencelab.isa.classify import ReadOnce
        from fencelab.isa.x86_64_classify import classify_x86

        return classify_x86(self, ReadOnce(insn))
