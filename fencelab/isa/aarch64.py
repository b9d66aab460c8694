"""AArch64: ARMv8.0, ARMv8.1 (+LSE atomics) and ARMv8.3 (+LSE, +RCpc LDAPR)."""

from __future__ import annotations

import re

import capstone
from unicorn import UC_ARCH_ARM64, UC_MODE_ARM
from unicorn import arm64_const as A

from fencelab.errors import clip
from fencelab.isa.arch import AARCH64
from fencelab.isa.assembler import KS_ARCH_ARM64, KS_MODE_LITTLE_ENDIAN
from fencelab.isa.target import Target

_LABEL = re.compile(r"((?:[A-Za-z_.$][\w.$]*:\s*)?)(.*)", re.S)
# herd writes a register it extends from a byte, half-word or word as an X register (an index
# `[X1,X2,SXTW]`, an extended-register operand `ADD X0,X1,X2,SXTW`); as wants `W2` (the same
# register field: the extension reads its low bits)
_W_INDEX = re.compile(r"(,\s*)([xX]\d+)(?=\s*,\s*[su]xt[bhw]\b)", re.I)

# instructions herd's tests use that no fencelab target runs, by the feature that has them
_NO_TARGET = {
    "abs": "ARMv8.9's FEAT_CSSC, which no target here has (Unicorn 2.1.4 does not run it, "
           "capstone 5.0.7 does not decode it)",
    **dict.fromkeys(("ldiapp", "stilp"), "ARMv8.9's FEAT_LRCPC3 (ordered load and store pairs), "
                    "which no target here has (keystone 0.9.2 cannot assemble it)"),
    **dict.fromkeys(("stg", "stzg", "st2g", "stz2g", "stgp", "ldg", "irg", "addg", "subg",
                     "gmi"), "FEAT_MTE (memory tagging), which fencelab does not model"),
    **dict.fromkeys(("alignd", "alignu", "scbnds", "scvalue", "cvtp"),
                    "Morello (capabilities), which fencelab does not model"),
    "udf": "permanently undefined, and fencelab has no fault model",
}
_NO_TARGET_NAMES = re.compile(rf"\s*({'|'.join(_NO_TARGET)})\b", re.I)
# system registers other than the flags (herd's VNCR_EL2 tests), Morello capability registers
_SYSTEM_REGISTER = re.compile(r"\s*(msr|mrs)\b(?!.*\bnzcv\b)", re.I)
_CAPABILITY = re.compile(r"\[\s*c\d+\b|\bc\d+\s*,", re.I)
# herd's `LDR X0,x`: a load of location x, written as a PC-relative (literal) load
_LITERAL_LOAD = re.compile(r"\s*ldr(sw)?\s+[wx]\d+\s*,\s*([A-Za-z_]\w*)\s*$", re.I)

CANONICAL = {}
for _i in range(31):
    CANONICAL[f"x{_i}"] = CANONICAL[f"w{_i}"] = f"x{_i}"
CANONICAL.update({"fp": "x29", "lr": "x30", "sp": "sp", "wsp": "sp", "xzr": "xzr", "wzr": "xzr",
                  "nzcv": "nzcv", "pc": "pc"})  # fmt: skip


class AArch64(Target):
    family = "aarch64"
    arch = AARCH64
    pointer_width = 64
    zero_register = "xzr"
    default_model = "arm"
    allocatable = tuple(range(29))  # x0-x28: not fp, lr, sp
    register_preferences = {"addr": (0,), "val": (1,), "exp": (1,), "new": (2,), "res": (8,),
                            "tmp": (9,), "status": (10,), "tmp2": (11,), "ok": (12,)}  # fmt: skip
    ks_arch, ks_mode = KS_ARCH_ARM64, KS_MODE_LITTLE_ENDIAN
    cs_arch, cs_mode = capstone.CS_ARCH_ARM64, capstone.CS_MODE_ARM
    uc_arch, uc_mode = UC_ARCH_ARM64, UC_MODE_ARM
    uc_cpu_model = A.UC_CPU_ARM64_MAX

    def __init__(self, name: str, features: frozenset[str], description: str):
        self.name = name
        self.features = features
        self.description = description

    def reg(self, n: int, width: int) -> str:
        return f"x{n}" if width == 64 else f"w{n}"

    def canonical_reg(self, name: str) -> str:
        return CANONICAL.get(name.lower(), name.lower())

    @property
    def register_ids(self):
        ids = [(f"x{i}", getattr(A, f"UC_ARM64_REG_X{i}")) for i in range(31)]
        return (*ids, ("sp", A.UC_ARM64_REG_SP), ("pc", A.UC_ARM64_REG_PC),
                ("nzcv", A.UC_ARM64_REG_NZCV))  # fmt: skip

    @property
    def pc_name(self) -> str:
        return "pc"

    def prepare_line(self, line: str) -> str:
        """keystone 0.9.2 can't encode LSE or LDAPR: emit those as `.word`s ourselves.
        (keystone silently drops `.inst`, so `.word` it is.) Immediates out of range are an
        error (keystone would truncate them); herd's `[Xn,Xm,SXTW]` is `[Xn,Wm,SXTW]`,
        its `ADD Xd,Xn,Xm,SXTW` is `ADD Xd,Xn,Wm,SXTW`."""
        from fencelab.isa.aarch64_encode import encode_if_needed
        from fencelab.isa.immediates import a64_immediate_error
        from fencelab.isa.target import AssemblyError

        line = line.strip()
        label, insn = _LABEL.match(line).groups()  # keep a label sharing the line
        why = a64_immediate_error(insn)
        if why:
            raise AssemblyError(f"{self.name}: cannot assemble {clip(insn.strip())}: {why}", why)
        if m := _NO_TARGET_NAMES.match(insn):
            why = f"{m.group(1).upper()} is {_NO_TARGET[m.group(1).lower()]}"
            raise AssemblyError(f"{self.name}: cannot run {clip(insn.strip())}: {why}", why)
        if _SYSTEM_REGISTER.match(insn) or _CAPABILITY.search(insn):
            why = ("system registers are not modelled" if _SYSTEM_REGISTER.match(insn) else
                   "Morello capability registers (C0-C30) are not modelled")  # fmt: skip
            raise AssemblyError(f"{self.name}: cannot run {clip(insn.strip())}: {why}", why)
        if m := _LITERAL_LOAD.match(insn):
            name = m.group(2)
            why = (f"a literal (PC-relative) load is not supported (herd reads `LDR X0,{name}` as "
                   f"a load of location {name}: put its address in a register, `0:X1={name}`, "
                   "and load through it)")  # fmt: skip
            raise AssemblyError(f"{self.name}: cannot run {clip(insn.strip())}: {why}", why)
        insn = _W_INDEX.sub(lambda m: f"{m.group(1)}W{m.group(2)[1:]}", insn)
        word = encode_if_needed(insn, self.features)
        return f"{label}.word {word:#010x}" if word is not None else f"{label}{insn}"

    def classify(self, insn):
        from fencelab.isa.aarch64_classify import classify_a64

        return classify_a64(self, insn)
