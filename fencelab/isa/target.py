"""An ISA target: assemble with keystone, disassemble with capstone, run with Unicorn, classify.

A `Target` is a small object with one job per method. The five targets live in `registry.py`;
each family (x86-64, A32, AArch64) subclasses `Target` in its own module and says there what
code it runs (`arch`, herd's architecture: fencelab/isa/arch.py), its registers, the registers
compiled code may use, and the memory model that tells the truth for it. Every layer asks the
target (or its `family`, a key to that layer's own table) instead of testing target names.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

import capstone

from fencelab import reduce
from fencelab.errors import FencelabError
from fencelab.isa.arch import Arch, AssemblyError
from fencelab.isa.assembler import Engine, Refused, assemble, check_text
from fencelab.isa.insn import InsnInfo

_DECODED: dict[tuple, tuple] = {}  # (target, code, base) -> decoded instructions
_ASSEMBLED: dict[tuple, bytes] = {}  # (target, lines, base) -> code
_INSNS: dict[tuple, Decoded] = {}  # (target, bytes, address) -> one decoded instruction
# (target, line) -> `prepare_line`'s answer: a pure function of the target and the line (the
# targets' rewrites read nothing else); a line it refuses raises, which is not remembered.
# Tests share most lines (`movl $1,0x100000`) though rarely a whole thread's program
_PREPARED: dict[tuple, str] = {}


@dataclass(frozen=True)
class Decoded:
    """One instruction as capstone decoded it, with its classification."""

    address: int
    bytes: bytes
    mnemonic: str
    op_str: str
    info: InsnInfo
    own: bool = False  # decoded by fencelab (`Target.decode_own`) and run by it (`emulate`)

    @property
    def text(self) -> str:
        return f"{self.mnemonic} {self.op_str}".strip()


class Target:
    """Base class. Subclasses set the class attributes and implement the hooks below."""

    name: str = ""  # "x86_64", "armv7", "armv8", "armv8.1", "armv8.3"
    family: str = ""  # "x86_64", "armv7", "aarch64": the key of per-family tables above isa/
    arch: Arch  # the herd architecture of its code (X86_64, ARM, AArch64)
    description: str = ""
    features: frozenset[str] = frozenset()  # "lse", "rcpc"
    pointer_width: int = 64
    zero_register: str = ""  # the canonical name of a register that reads as zero (`xzr`)
    default_model: str = ""  # the memory model that tells the truth for this target (registry)
    # Registers compiled code may use, and clang's choice per role in a leaf function
    # (arguments in the first argument registers, results and scratch in the temporaries).
    allocatable: tuple[int, ...] = ()
    register_preferences: dict[str, tuple[int, ...]] = {}

    # engines
    ks_arch: int = 0
    ks_mode: int = 0
    cs_arch: int = 0
    cs_mode: int = 0
    uc_arch: int = 0
    uc_mode: int = 0
    uc_cpu_model: int | None = None

    # -- registers -----------------------------------------------------------------------
    def reg(self, n: int, width: int) -> str:
        """The assembler name of general register n viewed at `width` bits."""
        raise NotImplementedError

    def canonical_reg(self, name: str) -> str:
        """Full-width canonical name of a register (`w3` -> `x3`, `eax` -> `rax`)."""
        raise NotImplementedError

    # -- assembling -----------------------------------------------------------------------
    @property
    def engine(self) -> Engine:
        """What keystone is opened with for this target (fencelab/isa/assembler.py)."""
        return Engine(self.ks_arch, self.ks_mode, self.ks_syntax)

    ks_syntax: int = 0  # keystone's KS_OPT_SYNTAX_* (0: the architecture's default)

    def assemble(self, lines: str | Sequence[str], base: int = 0) -> bytes:
        """Assemble a program (labels allowed) placed at `base`. Errors name the bad line.
        With the `reuse` reduction, a program assembled before costs one lookup (its lines
        checked and rewritten once; keystone's answers are cached below that in any case)."""
        if isinstance(lines, str):
            lines = lines.splitlines()
        lines = tuple(lines)
        return reduce.reused(_ASSEMBLED, (self.name, lines, base),
                             lambda: self._assemble(lines, base))  # fmt: skip

    def _assemble(self, lines: tuple[str, ...], base: int) -> bytes:
        check_text(list(lines))
        lines = [ln for ln in (reduce.reused(_PREPARED, (self.name, raw),
                                             lambda raw=raw: self.prepare_line(raw))
                               for raw in lines) if ln]  # fmt: skip
        try:
            return assemble(self.engine, lines, base)
        except Refused as whole_error:
            self._raise_for_bad_line(lines, base, whole_error)
        except AssemblyError as e:
            raise AssemblyError(f"{self.name}: {e}", e.why) from None

    def prepare_line(self, line: str) -> str:
        """Rewrite one line into what keystone takes (subclasses pre-encode what it can't)."""
        return line.strip()

    def _raise_for_bad_line(self, lines: Sequence[str], base: int, error: Exception) -> None:
        labels = {ln.split(":")[0].strip() for ln in lines if ln.rstrip().endswith(":")}
        for line in lines:
            if line.rstrip().endswith(":"):
                continue
            probe = [line, *(f"{lab}:" for lab in labels if lab in line)]
            try:
                assemble(self.engine, probe, base)
            except Refused as e:
                raise AssemblyError(
                    f"{self.name}: cannot assemble {line.strip()!r} ({e.reason})", e.reason
                ) from None
        raise AssemblyError(f"{self.name}: cannot assemble program ({error})")

    # -- disassembling --------------------------------------------------------------------
    @cached_property
    def _cs(self) -> capstone.Cs:
        cs = capstone.Cs(self.cs_arch, self.cs_mode)
        cs.detail = True
        return cs

    def disassemble(self, code: bytes, base: int = 0) -> list[Decoded]:
        """Decode every instruction; refuse bytes capstone cannot decode."""
        return list(reduce.reused(_DECODED, (self.name, code, base),
                                  lambda: tuple(self._disassemble(code, base))))  # fmt: skip

    def _disassemble(self, code: bytes, base: int) -> list[Decoded]:
        """capstone's quick pass finds the instructions; each is decoded in detail and
        classified once for its bytes at its address (with the `reuse` reduction: tests
        share most of their instructions)."""
        out: list[Decoded] = []
        offset = 0
        while offset < len(code):
            for address, size, _, _ in self._cs.disasm_lite(code[offset:], base + offset):
                raw = code[address - base : address - base + size]
                out.append(reduce.reused(_INSNS, (self.name, raw, address),
                                         lambda raw=raw, at=address: self._decode(raw, at)))  # fmt: skip
                offset = address + size - base
            if offset == len(code):
                break
            own = self.decode_own(code[offset:], base + offset)  # what capstone cannot decode
            if own is None:
                raise FencelabError(
                    f"{self.name}: cannot decode bytes at {base + offset:#x}: "
                    f"{code[offset:offset + 4].hex()}"
                )
            out.append(own)
            offset += len(own.bytes)
        return out

    def decode_own(self, code: bytes, address: int) -> Decoded | None:
        """An instruction at the start of `code` that capstone cannot decode and fencelab
        decodes, classifies and runs itself (`Core` runs it through `emulate`); None when
        there is none."""
        return None

    def ends_thread(self, info: InsnInfo) -> bool:
        """Does running this instruction end its thread (an exception fencelab does not model
        further: AArch64's UDF)? `Core` then moves the PC to the end of the code."""
        return False

    def not_native(self, info: InsnInfo) -> str | None:
        """Why an instruction cannot run natively as fencelab runs it (`fencelab hw`): its word
        is fencelab's own (what herd reads and the architecture does not encode), or its
        exception ends the thread (`ends_thread`); None for every other."""
        return None

    def emulate(self, info: InsnInfo, read, write) -> None:
        """Run an instruction of `decode_own` on a core: `read(name)` and `write(name, value)`
        are its registers (canonical names); the PC is advanced by the caller."""
        raise FencelabError(f"{self.name}: {info.text!r} cannot be emulated")

    def _decode(self, raw: bytes, address: int) -> Decoded:
        """One instruction, decoded with capstone's detail and classified."""
        insn = next(self._cs.disasm(raw, address, 1))
        return Decoded(insn.address, bytes(insn.bytes), insn.mnemonic, insn.op_str,
                       self.classify(insn))  # fmt: skip

    def disassemble_text(self, code: bytes, base: int = 0) -> list[str]:
        return [d.text for d in self.disassemble(code, base)]

    # -- classification -------------------------------------------------------------------
    def classify(self, insn: capstone.CsInsn) -> InsnInfo:
        """Classify one capstone instruction (with detail). Unknown memory access -> error."""
        raise NotImplementedError

    # -- running ---------------------------------------------------------------------------
    @property
    def register_ids(self) -> tuple[tuple[str, int], ...]:
        """(canonical name, unicorn id) of every register a thread state records."""
        raise NotImplementedError

    @property
    def pc_name(self) -> str:
        raise NotImplementedError

    def has_register(self, name: str) -> bool:
        """Can a test name `name` (its initial state, its condition) on this target?"""
        canonical = self.canonical_reg(name)
        return canonical == self.zero_register or canonical in self._register_names

    @cached_property
    def _register_names(self) -> frozenset[str]:
        """The names of `register_ids` (each target's are constants of its class)."""
        return frozenset(n for n, _ in self.register_ids)

    def register_list(self) -> str:
        """The registers a test may name, as herd spells them: `X0-X30, SP, PC, NZCV, XZR`."""
        names = [n for n, _ in self.register_ids] + [self.zero_register] * bool(self.zero_register)
        out: list[str] = []
        run: list[tuple[str, int]] = []  # a run of numbered names: r8, r9, ... r15
        for name in [*names, ""]:
            prefix, number = name.rstrip("0123456789"), name[len(name.rstrip("0123456789")):]
            if run and number and prefix == run[-1][0] and int(number) == run[-1][1] + 1:
                run.append((prefix, int(number)))
                continue
            if run:
                first, last = (self.arch.herd_register(f"{p}{n}") for p, n in (run[0], run[-1]))
                out.append(first if len(run) == 1 else f"{first}-{last}")
                run = []
            if number:
                run = [(prefix, int(number))]
            elif name:
                out.append(self.arch.herd_register(name))
        return ", ".join(out)

    def new_core(self, code: bytes, base: int, regions: Iterable[tuple[int, int]] = ()):
        """A Unicorn core running `code` at `base`; see `fencelab.isa.core.Core`. A core is a
        pure function of its code, so with the `reuse` reduction on, tests with the same
        thread code share one (and what it has already run)."""
        from fencelab.isa.core import shared_core

        return shared_core(self, code, base, tuple(regions))

    def __repr__(self) -> str:
        return f"<Target {self.name}>"
