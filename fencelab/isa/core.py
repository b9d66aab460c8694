"""One Unicorn core running one thread's code, as a memoized pure function.

The memory model, not the core, decides what every load returns. A core therefore never reads
its own memory: a `UC_HOOK_MEM_READ` hook writes the value the model chose into the core's
private copy just before the load reads it, and a `UC_HOOK_MEM_WRITE` hook records each store.

A thread's state is the tuple of its registers (`ThreadState`). Stepping is a function

    run(state, reads) -> Step | NeedRead

that executes the memory (or fence) instruction at the state's PC, supplying `reads` in order
to the loads it performs, and then every following register-only instruction up to the next
memory instruction. If the instruction performs more reads than `reads` supplies, the result is
`NeedRead` naming the address and size of the next one, and nothing is committed. Results are
memoized: Unicorn runs once per distinct (state, reads).

For a store-exclusive, the "read" is the exclusive monitor's compare (QEMU implements STXR and
STREX as a compare-and-swap against the value the load-exclusive read): supply that value to let
it succeed, any other value to make it fail.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from unicorn import (
    UC_ERR_FETCH_UNMAPPED,
    UC_ERR_INSN_INVALID,
    UC_HOOK_MEM_INVALID,
    UC_HOOK_MEM_READ,
    UC_HOOK_MEM_WRITE,
    UC_MEM_FETCH_UNMAPPED,
    UC_MEM_READ_UNMAPPED,
    UC_MEM_WRITE_UNMAPPED,
    Uc,
    UcError,
)

from fencelab.errors import CodeError, FencelabError
from fencelab.isa.insn import InsnInfo, Kind
from fencelab.values import unsigned

ThreadState = tuple[int, ...]

PAGE = 0x1000
# Unicorn reserves 1 GiB of address space per engine for translated code unless told otherwise;
# single-stepping translates each instruction alone (~10 KiB each, measured), so an engine gets
# room for every instruction of its thread, within these bounds (more code: retranslation)
TB_BYTES_PER_INSTRUCTION = 16 << 10
TB_MIN, TB_MAX = 4 << 20, 64 << 20
LOCAL_STEP_LIMIT = 10_000  # register-only instructions in a row, beyond the code's length,
# before we call it a hang: straight code of any length runs to its end, a loop spins this long


@dataclass(frozen=True)
class Access:
    """One memory access performed by an instruction."""

    addr: int
    size: int
    value: int


@dataclass(frozen=True)
class NeedRead:
    """The instruction performs another read; supply its value and run again."""

    addr: int
    size: int
    index: int


@dataclass(frozen=True)
class Step:
    """The effect of executing one instruction and the register-only ones after it."""

    state: ThreadState
    reads: tuple[Access, ...]
    writes: tuple[Access, ...]
    executed: tuple[int, ...]  # addresses of every instruction executed, in order
    hung: bool = False  # a register-only loop ran past LOCAL_STEP_LIMIT


class Core:
    """A Unicorn engine for one thread. Create through `Target.new_core`."""

    def __init__(self, target, code: bytes, base: int, regions: Iterable[tuple[int, int]] = ()):
        self.target = target
        self.code = code
        self.base = base
        self.end = base + len(code)
        self.decoded = {d.address: d for d in target.disassemble(code, base)}
        self.infos: dict[int, InsnInfo] = {a: d.info for a, d in self.decoded.items()}
        self.reg_names = tuple(name for name, _ in target.register_ids)
        self.reg_ids = tuple(uid for _, uid in target.register_ids)
        self.reg_index = {name: i for i, name in enumerate(self.reg_names)}
        self.pc_index = self.reg_index[target.pc_name]
        self.uc = Uc(target.uc_arch, target.uc_mode)
        self.uc.ctl_set_tcg_buffer_size(translation_buffer_size(len(self.infos)))
        if target.uc_cpu_model is not None:
            self.uc.ctl_set_cpu_model(target.uc_cpu_model)
        code_span = _round_up(max(len(code), 1) + 16)
        self.uc.mem_map(_round_down(base), code_span + base - _round_down(base))
        if code:
            self.uc.mem_write(base, code)
        mapped = {(_round_down(base), code_span)}
        for start, size in regions:
            lo, hi = _round_down(start), _round_up(start + size)
            for page in range(lo, hi, PAGE):
                if not any(s <= page < s + n for s, n in mapped):
                    self.uc.mem_map(page, PAGE)
                    mapped.add((page, PAGE))
        self.uc.hook_add(UC_HOOK_MEM_READ, self._on_read)
        self.uc.hook_add(UC_HOOK_MEM_WRITE, self._on_write)
        self.uc.hook_add(UC_HOOK_MEM_INVALID, self._on_invalid)
        self._fault: tuple[int, int] | None = None  # (access, address) of the last bad access
        self._supply: tuple[int, ...] = ()
        self._reads: list[Access] = []
        self._writes: list[Access] = []
        self._need: NeedRead | None = None
        self._contexts: dict[ThreadState, object] = {}
        self._memo: dict[tuple[ThreadState, tuple[int, ...]], Step | NeedRead] = {}
        self.unicorn_runs = 0  # instructions Unicorn actually executed (for benchmarks)

    def release(self) -> None:
        """Free the Unicorn engine now (its binding holds reference cycles, so dropping the core
        frees it only when Python's cycle collector runs). The core cannot run afterwards."""
        uc, self.uc = self.uc, None
        close = getattr(uc, "_Uc__finalizer", None)  # the binding's own uc_close, run once
        if close is not None:
            close()

    # -- hooks -----------------------------------------------------------------------------
    def _on_read(self, uc, _access, addr, size, _value, _data):
        index = len(self._reads)
        if index < len(self._supply):
            value = unsigned(self._supply[index], 8 * size)
        else:
            if self._need is None:
                self._need = NeedRead(addr, size, index)
            value = 0
        uc.mem_write(addr, value.to_bytes(size, "little"))
        self._reads.append(Access(addr, size, value))

    def _on_write(self, _uc, _access, addr, size, value, _data):
        self._writes.append(Access(addr, size, unsigned(value, 8 * size)))

    def _on_invalid(self, _uc, access, addr, _size, _value, _data):
        self._fault = (access, addr)
        return False  # stop: Unicorn raises, _step_one explains

    # -- states ----------------------------------------------------------------------------
    def initial_state(self, registers: Mapping[str, int]) -> Step:
        """Set registers (canonical names), PC at the start; run the register-only prefix."""
        self.uc.context_restore(self._blank_context())
        for name, value in registers.items():
            if name not in self.reg_index:
                raise FencelabError(f"{self.target.name}: no register {name!r}")
            self.uc.reg_write(self.reg_ids[self.reg_index[name]], value)
        self.uc.reg_write(self.reg_ids[self.pc_index], self.base)
        executed, hung = self._run_local([])
        return Step(self._snapshot(), (), (), tuple(executed), hung)

    def _blank_context(self):
        if not hasattr(self, "_blank"):
            self._blank = self.uc.context_save()
        return self._blank

    def pc(self, state: ThreadState) -> int:
        return state[self.pc_index]

    def halted(self, state: ThreadState) -> bool:
        return not (self.base <= state[self.pc_index] < self.end)

    def info(self, state: ThreadState) -> InsnInfo | None:
        """The instruction at the state's PC (None when the thread has finished)."""
        return self.infos.get(state[self.pc_index])

    def reg(self, state: ThreadState, name: str) -> int:
        return state[self.reg_index[self.target.canonical_reg(name)]]

    def registers(self, state: ThreadState) -> dict[str, int]:
        return dict(zip(self.reg_names, state, strict=True))

    # -- running ---------------------------------------------------------------------------
    def run(self, state: ThreadState, reads: tuple[int, ...] = ()) -> Step | NeedRead:
        key = (state, reads)
        result = self._memo.get(key)
        if result is None:
            result = self._run(state, reads)
            self._memo[key] = result
        return result

    def _run(self, state: ThreadState, reads: tuple[int, ...]) -> Step | NeedRead:
        pc = state[self.pc_index]
        info = self.infos.get(pc)
        if info is None:
            raise FencelabError(f"{self.target.name}: no instruction at {pc:#x} to run")
        self.uc.context_restore(self._contexts[state])
        self._supply, self._reads, self._writes, self._need = reads, [], [], None
        self._step_one(pc)
        if self._need is not None:
            return self._need
        mem_reads, writes = tuple(self._reads), tuple(self._writes)
        if info.cas and mem_reads and not self._cas_succeeded(info, state, mem_reads[0]):
            writes = ()  # a failed compare-and-swap is only a read (QEMU writes the old value back)
        if info.kind is Kind.STORE_EXCL and info.status_regs and self._status_failed(info):
            writes = ()  # likewise a failed store-exclusive (status register != 0)
        executed = [pc]
        _, hung = self._run_local(executed)
        return Step(self._snapshot(), mem_reads, writes, tuple(executed), hung)

    def _status_failed(self, info: InsnInfo) -> bool:
        (reg,) = info.status_regs
        return self.uc.reg_read(self.reg_ids[self.reg_index[reg]]) != 0

    def _cas_succeeded(self, info: InsnInfo, state: ThreadState, read: Access) -> bool:
        regs = tuple(info.compare_regs)  # empty when comparing with the zero register
        expected = state[self.reg_index[regs[0]]] if regs else 0
        expected &= (1 << (8 * read.size)) - 1
        return expected == read.value

    def _step_one(self, pc: int) -> None:
        self.unicorn_runs += 1
        self._fault = None
        try:
            self.uc.emu_start(pc, self.end + 0x10000, count=1)
        except UcError as e:
            text = self.decoded[pc].text if pc in self.decoded else "?"
            raise CodeError(pc, text, self._fault_reason(e)) from None

    _ACCESS = {UC_MEM_READ_UNMAPPED: "reads", UC_MEM_WRITE_UNMAPPED: "writes",
               UC_MEM_FETCH_UNMAPPED: "jumps to"}  # fmt: skip

    def _fault_reason(self, error: UcError) -> str:
        """Why Unicorn stopped, in the test's terms."""
        if self._fault is not None:
            access, addr = self._fault
            verb = self._ACCESS.get(access, "accesses")
            return (f"{verb} address {addr:#x}, which is no location of the test (a register "
                    "left uninitialised?)")  # fmt: skip
        if error.errno == UC_ERR_INSN_INVALID:
            return f"an undefined instruction on the emulated {self.target.name} CPU"
        if error.errno == UC_ERR_FETCH_UNMAPPED:
            return "jumps outside the test's code"
        return f"the emulator stopped: {error}"

    def _run_local(self, executed: list[int]) -> tuple[list[int], bool]:
        """Run register-only instructions until the next memory event or the end."""
        pc_id = self.reg_ids[self.pc_index]
        for _ in range(LOCAL_STEP_LIMIT + len(self.infos)):
            pc = self.uc.reg_read(pc_id)
            info = self.infos.get(pc)
            if info is None or info.is_memory_event:
                return executed, False
            accessed = len(self._reads) + len(self._writes)  # the memory instruction's own
            self._step_one(pc)
            if len(self._reads) + len(self._writes) != accessed:
                raise FencelabError(
                    f"{self.target.name}: {info.text!r} at {pc:#x} accessed memory but was "
                    "classified as register-only"
                )
            executed.append(pc)
        return executed, True

    def _snapshot(self) -> ThreadState:
        state = tuple(self.uc.reg_read_batch(self.reg_ids))
        if state not in self._contexts:
            self._contexts[state] = self.uc.context_save()
        return state

    def memory_kind(self, state: ThreadState) -> Kind | None:
        info = self.info(state)
        return info.kind if info else None


def translation_buffer_size(instructions: int) -> int:
    """The bytes of translated code a core of `instructions` instructions reserves."""
    return min(TB_MAX, max(TB_MIN, instructions * TB_BYTES_PER_INSTRUCTION))


def _round_down(addr: int) -> int:
    return addr & ~(PAGE - 1)


def _round_up(n: int) -> int:
    return (n + PAGE - 1) & ~(PAGE - 1)
