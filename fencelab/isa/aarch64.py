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

# (canonical name, Unicorn id) of the registers a thread state records
_REGISTER_IDS = (*((f"x{i}", getattr(A, f"UC_ARM64_REG_X{i}")) for i in range(31)),
                 ("sp", A.UC_ARM64_REG_SP), ("pc", A.UC_ARM64_REG_PC),
                 ("nzcv", A.UC_ARM64_REG_NZCV))  # fmt: skip

# instructions herd's tests use that no fencelab target runs, by the feature that has them
_NO_TARGET = {
    **dict.fromkeys(("ldiapp", "stilp"), "ARMv8.9's FEAT_LRCPC3 (ordered load and store pairs), "
                    "which no target here has (keystone 0.9.2 cannot assemble it)"),
    **dict.fromkeys(("ldap1", "stl1"), "ARMv8.9's FEAT_LRCPC3 (ordered SIMD&FP lane loads and "
                    "stores), which no target here has (keystone 0.9.2 cannot assemble it)"),
    **dict.fromkeys(("ldapur", "ldapurb", "ldapurh", "ldapursb", "ldapursh", "ldapursw", "stlur",
                     "stlurb", "stlurh"), "ARMv8.4's FEAT_LRCPC2 (RCpc loads and release stores "
                    "with an unscaled offset), which no target here has (keystone 0.9.2 cannot "
                    "assemble it)"),
    **dict.fromkeys(("stg", "stzg", "st2g", "stz2g", "stgp", "ldg", "irg", "addg", "subg",
                     "gmi"), "FEAT_MTE (memory tagging), which fencelab does not model"),
    **dict.fromkeys(("alignd", "alignu", "scbnds", "scvalue", "cvtp"),
                    "Morello (capabilities), which fencelab does not model"),
    **dict.fromkeys((*(f"{op}{key}{suffix}" for op in ("pac", "aut") for key in ("ia", "ib")
                       for suffix in ("", "z", "sp", "1716")),
                     *(f"{op}{key}" for op in ("pac", "aut") for key in ("da", "db", "iza", "izb",
                                                                          "dza", "dzb")),
                     "pacga", "xpaci", "xpacd", "xpaclri", "braa", "brab", "braaz", "brabz",
                     "blraa", "blrab", "blraaz", "blrabz", "retaa", "retab", "eretaa", "eretab",
                     "ldraa", "ldrab"),
                    "ARMv8.3's FEAT_PAuth (pointer authentication, herd's AArch64.PAC tests), "
                    "which fencelab does not model (keystone 0.9.2 cannot assemble it)"),
    **dict.fromkeys(("gcspushm", "gcspopm", "gcsss1", "gcsss2", "gcsstr", "gcssttr", "gcspushx",
                     "gcspopx", "gcspopcx", "gcsb"),
                    "FEAT_GCS (guarded control stacks), which fencelab does not model"),
    **dict.fromkeys(("smstart", "smstop", "rdsvl", "addsvl", "addspl"),
                    "SME (the scalable matrix extension, herd's AArch64.sme tests), which "
                    "fencelab does not model"),
    **dict.fromkeys(("ptrue", "ptrues", "pfalse", "rdvl", "addvl", "addpl", "whilelo", "whilels",
                     "whilelt", "whilele", "whilehi", "whilehs", "whilegt", "whilege"),
                    "SVE (scalable vectors, herd's AArch64.sve tests), which fencelab does not "
                    "model"),
}
_NO_TARGET_NAMES = re.compile(rf"\s*({'|'.join(_NO_TARGET)})\b", re.I)
# SVE's scalable vector and predicate registers (`Z0.S`, `P0/Z`, `P1.B`), SME's ZA array
_SCALABLE = re.compile(r"(?<![\w.])(?:(z\d{1,2}\.[bhsdq])|(p\d{1,2}(?:\.[bhsd]|/[zm]))"
                       r"|(za(?:\d?[hv]?\.[bhsdq])?(?=\s*[\[}])|za\d?[hv]?\.[bhsdq]))(?!\w)", re.I)
# a post-index by a register: A64 has it for the SIMD&FP structure loads and stores only
_REGISTER_POST_INDEX = re.compile(
    r"\s*(?!(?:ld|st)[1-4]r?\b)(\w+)\b.*\[\s*(?:x\d+|sp)\s*\]\s*,\s*([a-z]+\d*)\s*$", re.I
)
# system registers other than the flags (herd's VNCR_EL2 tests), Morello capability registers
_SYSTEM_REGISTER = re.compile(r"\s*(msr|mrs)\b(?!.*\bnzcv\b)", re.I)
_CAPABILITY = re.compile(r"\[\s*c\d+\b|\bc\d+\s*,", re.I)
# a literal (PC-relative) load of a name that is no location (arch.py's translate makes herd's
# `LDR X0,x` of a location x a literal load of x's address)
_LITERAL_LOAD = re.compile(r"\s*ldr(sw)?\s+[wx]\d+\s*,\s*([A-Za-z_]\w*)\s*$", re.I)

# herd's `.pagealign` directive: its next instruction starts a page (for herd's instruction-fetch
# and VMSA tests, where code addresses are data)
_PAGEALIGN = re.compile(r"\s*\.pagealign\s*$", re.I)

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
        return _REGISTER_IDS  # (asked for by every core made and every register a test names)

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
        if m := _SCALABLE.search(insn):
            why = (f"{m.group(0)} is one of SVE's scalable registers (herd's AArch64.sve tests), "
                   "which fencelab does not model" if not m.group(3) else
                   f"{m.group(0)} is SME's ZA array (herd's AArch64.sme tests), which fencelab "
                   "does not model")  # fmt: skip
            raise AssemblyError(f"{self.name}: cannot run {clip(insn.strip())}: {why}", why)
        if m := _REGISTER_POST_INDEX.match(insn):
            why = (f"{m.group(1).upper()} has no register post-index (`], {m.group(2)}`): A64 "
                   "post-indexes by a register only in LD1-LD4 and ST1-ST4; write `], #imm`")
            raise AssemblyError(f"{self.name}: cannot assemble {clip(insn.strip())}: {why}", why)
        if _SYSTEM_REGISTER.match(insn) or _CAPABILITY.search(insn):
            why = ("system registers are not modelled" if _SYSTEM_REGISTER.match(insn) else
                   "Morello capability registers (C0-C30) are not modelled")  # fmt: skip
            raise AssemblyError(f"{self.name}: cannot run {clip(insn.strip())}: {why}", why)
        if _PAGEALIGN.match(insn):
            why = ("herd's `.pagealign` directive (code laid out on a page boundary, for its "
                   "instruction-fetch and VMSA tests) is not supported: fencelab does not lay "
                   "code out in pages")  # fmt: skip
            raise AssemblyError(f"{self.name}: cannot assemble .pagealign: {why}", why)
        if m := _LITERAL_LOAD.match(insn):
            name = m.group(2)
            why = (f"a literal (PC-relative) load of {name}, which is no location of the test "
                   "(a load of code: fencelab has no instruction-fetch model)")  # fmt: skip
            raise AssemblyError(f"{self.name}: cannot run {clip(insn.strip())}: {why}", why)
        insn = _W_INDEX.sub(lambda m: f"{m.group(1)}W{m.group(2)[1:]}", insn)
        word = encode_if_needed(insn, self.features)
        return f"{label}.word {word:#010x}" if word is not None else f"{label}{insn}"

    def classify(self, insn):
        from fencelab.isa.aarch64_classify import classify_a64

        return classify_a64(self, insn)

    def decode_own(self, code: bytes, address: int):
        """What capstone 5.0.7 does not decode: ABS (FEAT_CSSC), a register-only instruction
        reading Rn and writing Rd (the zero register: neither), and fencelab's word for herd's
        immediate arithmetic from the zero register (`aarch64_encode.encode_zr_immediate`:
        it reads no register, writes Rd and, setting flags, NZCV)."""
        from fencelab.isa.aarch64_encode import decode_abs, decode_zr_immediate
        from fencelab.isa.insn import InsnInfo, Kind
        from fencelab.isa.target import Decoded

        if len(code) < 4:
            return None
        word = int.from_bytes(code[:4], "little")
        if (zr := decode_zr_immediate(word)) is not None:
            bits, sub, flags, imm, rd = zr
            mnemonic = ("sub" if sub else "add") + ("s" if flags else "")
            zero = "xzr" if bits == 64 else "wzr"
            rd_name = zero if rd == 31 else self.reg(rd, bits)
            info = InsnInfo(address, 4, mnemonic, f"{rd_name}, {zero}, #{imm:#x}", Kind.OTHER,
                            writes=frozenset({f"x{rd}"} if rd != 31 else ())
                            | ({"nzcv"} if flags else set()))  # fmt: skip
            return Decoded(address, bytes(code[:4]), info.mnemonic, info.op_str, info, own=True)
        if (fields := decode_abs(word)) is None:
            return None
        bits, rd, rn = fields
        name = "x{}" if bits == 64 else "w{}"
        zero = "xzr" if bits == 64 else "wzr"
        rd_name, rn_name = (zero if r == 31 else name.format(r) for r in (rd, rn))
        info = InsnInfo(address, 4, "abs", f"{rd_name}, {rn_name}", Kind.OTHER,
                        reads=frozenset({f"x{rn}"} if rn != 31 else ()),
                        writes=frozenset({f"x{rd}"} if rd != 31 else ()))  # fmt: skip
        return Decoded(address, bytes(code[:4]), info.mnemonic, info.op_str, info, own=True)

    def ends_thread(self, info) -> bool:
        """UDF (permanently undefined): its exception ends the thread, nothing after it runs,
        as in herd's UDF test (one state, `Always`); fencelab has no fault model, so the
        exception is not observed."""
        return info.mnemonic == "udf"

    def not_native(self, info) -> str | None:
        if info.mnemonic in ("add", "adds", "sub", "subs") and "zr, #" in info.op_str:
            return (f"{info.text} is herd's, not an A64 instruction (register 31 of an "
                    "immediate ADD/SUB is SP): fencelab runs it itself, a CPU cannot")  # fmt: skip
        if info.mnemonic == "udf":
            return (f"{info.text} raises an exception that ends its thread, which fencelab "
                    "models and the native harness does not")  # fmt: skip
        return None

    def emulate(self, info, read, write) -> None:
        """ABS: Rd = |Rn| at the register's width, the most negative value kept (Arm ARM:
        `result = Abs(SInt(operand))`, then its low bits), a W result zero-extended.
        ADD/ADDS/SUB/SUBS from the zero register (herd's, `decode_own`): the Arm ARM's
        AddWithCarry(0, imm or NOT imm, carry 0 or 1), its flags into NZCV for ADDS/SUBS."""
        from fencelab.values import signed, unsigned

        bits = 64 if info.op_str.startswith("x") else 32
        rd, rn, *rest = (o.strip() for o in info.op_str.split(","))
        if info.mnemonic in ("add", "adds", "sub", "subs") and rn in ("xzr", "wzr"):
            mask = (1 << bits) - 1
            imm = int(rest[0].lstrip("#"), 0)
            sub = info.mnemonic.startswith("sub")
            operand, carry = ((~imm & mask), 1) if sub else (imm, 0)
            result = (operand + carry) & mask
            if rd not in ("xzr", "wzr"):
                write(self.canonical_reg(rd), result)
            if info.mnemonic.endswith("s"):
                n, z = result >> (bits - 1), int(result == 0)
                c = int(operand + carry > mask)
                v = int(signed(result, bits) != signed(operand, bits) + carry)
                write("nzcv", n << 31 | z << 30 | c << 29 | v << 28)
            return
        if info.mnemonic != "abs":
            return super().emulate(info, read, write)
        value = 0 if rn in ("xzr", "wzr") else unsigned(read(self.canonical_reg(rn)), bits)
        if rd not in ("xzr", "wzr"):
            write(self.canonical_reg(rd), unsigned(abs(signed(value, bits)), bits))
