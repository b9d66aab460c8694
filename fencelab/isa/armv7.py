"""ARMv7-A, A32 (ARM state) code, as herdtools7's ARM tests and GCC/clang for armv7-a emit."""

from __future__ import annotations

import capstone
from unicorn import UC_ARCH_ARM, UC_MODE_ARM
from unicorn import arm_const as A

from fencelab.isa.arch import ARM
from fencelab.isa.assembler import KS_ARCH_ARM, KS_MODE_ARM, KS_MODE_V8
from fencelab.isa.target import Target

CANONICAL = {f"r{i}": f"r{i}" for i in range(13)}
CANONICAL.update({"sb": "r9", "sl": "r10", "fp": "r11", "ip": "r12",
                  "r13": "sp", "sp": "sp", "r14": "lr", "lr": "lr", "r15": "pc", "pc": "pc",
                  "cpsr": "cpsr", "apsr": "cpsr"})  # fmt: skip


class ARMv7(Target):
    name = "armv7"
    family = "armv7"
    arch = ARM
    description = "ARMv7-A, A32 code (armv7 model: not multicopy-atomic; aarch32: ARMv8 rules)"
    pointer_width = 32
    default_model = "armv7"
    allocatable = tuple(range(13))  # r0-r12
    register_preferences = {"addr": (0, 12), "val": (1, 2), "exp": (1, 2), "new": (2, 6),
                            "res": (12, 0), "tmp": (3, 4), "tmp2": (8,), "status": (2, 3, 5, 8, 9),
                            "ok": (5, 10)}  # fmt: skip
    ks_arch, ks_mode = KS_ARCH_ARM, KS_MODE_ARM | KS_MODE_V8  # LDA, STL
    cs_arch, cs_mode = capstone.CS_ARCH_ARM, capstone.CS_MODE_ARM | capstone.CS_MODE_V8
    uc_arch, uc_mode = UC_ARCH_ARM, UC_MODE_ARM
    uc_cpu_model = A.UC_CPU_ARM_MAX  # runs ARMv7 and ARMv8 AArch32 (LDA/STL) code

    def reg(self, n: int, width: int) -> str:
        return f"r{n}"

    def canonical_reg(self, name: str) -> str:
        return CANONICAL.get(name.lower(), name.lower())

    @property
    def register_ids(self):
        ids = [(f"r{i}", getattr(A, f"UC_ARM_REG_R{i}")) for i in range(13)]
        return (*ids, ("sp", A.UC_ARM_REG_SP), ("lr", A.UC_ARM_REG_LR),
                ("pc", A.UC_ARM_REG_PC), ("cpsr", A.UC_ARM_REG_CPSR))  # fmt: skip

    @property
    def pc_name(self) -> str:
        return "pc"

    def prepare_line(self, line: str) -> str:
        """Immediates that do not fit 32 bits are an error (keystone would truncate them)."""
        from fencelab.isa.immediates import a32_immediate_error
        from fencelab.isa.target import AssemblyError

        line = line.strip()
        why = a32_immediate_error(line.split(":", 1)[-1] if ":" in line.split("#")[0] else line)
        if why:
            raise AssemblyError(f"{self.name}: cannot assemble {line!r}: {why}", why)
        return line

    def classify(self, insn):
        from fencelab.isa.armv7_classify import classify_a32

        return classify_a32(self, insn)
