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

An AArch64 pair of X registers accessed atomically (LDXP, STXP, CASP: `InsnInfo.atomic_pair`)
is one 16-byte access here, as the architecture has it; QEMU performs it as two 8-byte accesses
(low half first), which the hooks join: one `NeedRead` of 16 bytes, one 16-byte `Access` each
way. A W-register pair is one 8-byte access in QEMU already.
"""

from __future__ import annotations

import ctypes
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from operator import itemgetter

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
from unicorn.unicorn_py3.unicorn import uclib as _uclib

from fencelab import reduce
from fencelab.errors import CodeError, FencelabError, MemoryFault, NarrowAddress
from fencelab.isa.insn import InsnInfo, Kind, condition_holds
from fencelab.values import signed, unsigned

ThreadState = tuple[int, ...]
_NZCV = 0xF << 28  # the flags' bits of A32's CPSR (and AArch64's NZCV)

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
    # positions in `executed` of the A32 predicated instructions (`InsnInfo.predicate`) whose
    # condition failed: they did nothing (the flags before each tell, which the core reads)
    skipped: tuple[int, ...] = ()

    @property
    def access_skipped(self) -> bool:
        """Was the instruction that began this step (a memory access) predicated, with a
        condition that failed: it did nothing?"""
        return self.skipped[:1] == (0,)


class Core:
    """A Unicorn engine for one thread. Create through `Target.new_core`."""

    def __init__(self, target, code: bytes, base: int, regions: Iterable[tuple[int, int]] = ()):
        self.target = target
        self.code = code
        self.base = base
        self.end = base + len(code)
        self.decoded = {d.address: d for d in target.disassemble(code, base)}
        self.infos: dict[int, InsnInfo] = {a: d.info for a, d in self.decoded.items()}
        # what capstone cannot decode and fencelab runs itself (`Target.decode_own`: ABS)
        self._own = {a: d.info for a, d in self.decoded.items() if d.own}
        self._enders = {a for a, i in self.infos.items() if target.ends_thread(i)}  # UDF
        self.reg_names, self.reg_ids, self.reg_index, self.pc_index = _registers(target)
        tb_size = translation_buffer_size(len(self.infos))
        self.data_regions = tuple(regions)  # where locations are: an address is a value in one
        self.engine = _lease(target, code, base, regions, tb_size)
        self.uc = self.engine.uc
        self._finalizer = weakref.finalize(self, _release, self.engine)
        self.users = 0  # programs holding this core from `shared_core`, not yet released
        self._fault: tuple[int, int] | None = None  # (access, address) of the last bad access
        self._supply: tuple[int, ...] = ()
        self._reads: list[Access] = []
        self._writes: list[Access] = []
        self._need: NeedRead | None = None
        self._pair = False  # the instruction running is an X-register atomic pair
        self._half: tuple[int, int] | None = None  # a pair's first 8-byte read (addr, value)
        self._rmw = False  # the instruction running is a read-modify-write: one read
        self._contexts: dict[ThreadState, object] = {}
        # states reached by a remembered step (`_remembered`): their context is the state's
        # they were reached from, whose registers they overwrite (`_derived`)
        self._derived: set[ThreadState] = set()
        self._pure: dict[int, tuple | None] = {}  # pc -> `_pure_at(pc)`
        self._current: ThreadState | None = None  # the state the engine's registers hold
        self._memo: dict[tuple[ThreadState, tuple[int, ...]], Step | NeedRead] = {}
        # pc -> the first read of its instruction, where the code tells it (`_told_read`)
        self._told = {pc: told for pc, info in self.infos.items()
                      if (told := _told_read(info)) is not None}  # fmt: skip
        self.unicorn_runs = 0  # instructions Unicorn actually executed (for benchmarks)
        # pc -> the condition of a predicated instruction (`Step.skipped`), and the flags' index
        self._predicates = {pc: info.predicate for pc, info in self.infos.items()
                            if info.predicate}  # fmt: skip
        self._flags = self.reg_index["cpsr"] if self._predicates else -1
        self._flips: frozenset[int] = frozenset()  # `run`'s, while it runs
        self._ordinal = 0  # the predicated instructions run so far in this step
        self._forced: tuple[int, int] | None = None  # (flags, flags set) by `_decide`

    def release(self) -> None:
        """A test's run is over. With the `reuse` reduction the core stays in the shared cache
        (at most CORE_LIMIT of them, each with a small translation buffer) for the next test of
        the same code; without it, its Unicorn engine is freed now (the binding holds reference
        cycles, so dropping the core frees it only when Python's cycle collector runs). The
        core cannot run afterwards then. A kept core forgets what it ran if that is much (each
        saved Unicorn context is kilobytes): memory stays bounded over a long catalogue."""
        if reduce.enabled("reuse"):
            self.users = max(0, self.users - 1)
            if len(self._contexts) > CONTEXTS_KEPT:
                self._memo.clear()
                self._contexts.clear()
                self._derived.clear()
            return
        uc, self.uc = self.uc, None
        self.engine.uc = None
        close = getattr(uc, "_Uc__finalizer", None)  # the binding's own uc_close, run once
        if close is not None:
            close()

    # -- hooks -----------------------------------------------------------------------------
    def _on_read(self, uc, _access, addr, size, _value, _data):
        if self._pair and self._half is not None:  # the high half of a pair's 16 bytes
            low_addr, whole = self._half
            self._half = None
            uc.mem_write(addr, (whole >> 64).to_bytes(size, "little"))
            self._reads.append(Access(low_addr, 16, whole))
            return
        full = 16 if self._pair else size
        if self._rmw and self._reads and (self._reads[0].addr, self._reads[0].size) == (addr, size):
            # QEMU runs x86 LOCK NEG as a compare-exchange loop, reading again: an atomic
            # read-modify-write reads memory once, so its loop's read is the first one
            uc.mem_write(addr, self._reads[0].value.to_bytes(size, "little"))
            return
        index = len(self._reads)
        if index < len(self._supply):
            value = unsigned(self._supply[index], 8 * full)
        else:
            if self._need is None:
                self._need = NeedRead(addr, full, index)
            value = 0
        if self._pair:
            self._half = (addr, value)
            value &= (1 << 64) - 1
        uc.mem_write(addr, value.to_bytes(size, "little"))
        if not self._pair:
            self._reads.append(Access(addr, size, value))

    def _on_write(self, _uc, _access, addr, size, value, _data):
        value = unsigned(value, 8 * size)
        if self._pair and self._writes and self._writes[-1].size == 8:  # a pair's high half
            low = self._writes.pop()
            self._writes.append(Access(low.addr, 16, low.value | value << 64))
            return
        self._writes.append(Access(addr, size, value))

    def _on_invalid(self, _uc, access, addr, _size, _value, _data):
        self._fault = (access, addr)
        return False  # stop: Unicorn raises, _step_one explains

    # -- states ----------------------------------------------------------------------------
    def initial_state(self, registers: Mapping[str, int]) -> Step:
        """Set registers (canonical names), PC at the start; run the register-only prefix."""
        self._current = None
        self.uc.context_restore(self.engine.blank)
        for name, value in registers.items():
            if name not in self.reg_index:
                raise FencelabError(f"{self.target.name}: no register {name!r}")
            self.uc.reg_write(self.reg_ids[self.reg_index[name]], value)
        self.uc.reg_write(self.reg_ids[self.pc_index], self.base)
        skipped: list[int] = []
        executed, hung, state = self._run_local([], skipped)
        return Step(state, (), (), tuple(executed), hung, tuple(skipped))

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
    def run(self, state: ThreadState, reads: tuple[int, ...] = (),
            flips: frozenset[int] = frozenset()) -> Step | NeedRead:  # fmt: skip
        """`flips`: the predicated instructions of the step, counted from 0 in the order they
        run (the memory instruction first, if it is one), whose condition goes the other way
        than the flags say: the axiomatic checker's guesses (fencelab/models/axiomatic/
        events.py, `PathExplorer.guess`) and the operational ARMv7 model's, certifying
        (fencelab/models/operational/armv7/guess.py). The flags are set for that instruction
        alone."""
        key = (state, reads, flips) if flips else (state, reads)
        result = self._memo.get(key)
        if result is None:
            self._flips, self._ordinal = flips, 0
            try:
                result = self._run(state, reads)
            finally:
                self._flips, self._forced = frozenset(), None
            self._memo[key] = result
        return result

    def first(self, state: ThreadState) -> Step | NeedRead:
        """`run(state)`: for an instruction whose first read the code tells (`_told_read`),
        that read, without a lookup."""
        told = self._told.get(state[self.pc_index])
        return self.run(state) if told is None else told

    def _run(self, state: ThreadState, reads: tuple[int, ...]) -> Step | NeedRead:
        pc = state[self.pc_index]
        info = self.infos.get(pc)
        if info is None:
            raise FencelabError(f"{self.target.name}: no instruction at {pc:#x} to run")
        told = self._told.get(pc)  # (`_told_read`)
        if told is not None and not reads:
            return told  # the first read is known from the code: no run to find it
        pure = self._pure.get(pc, _UNKNOWN)
        if pure is _UNKNOWN:
            pure = self._pure[pc] = self._pure_at(pc, info)
        effect_key = None
        if (pure is not None and state in self._contexts and not self._flips
                and "step-effects" not in reduce.disabled()):  # fmt: skip
            prefix, inputs, _, _ = pure
            effect_key = (prefix, tuple([state[i] for i in inputs]), reads)
            effect = _EFFECTS.get(effect_key)
            if effect is not None:
                return self._remembered(effect, state, pc)
        self._load(state, reads)
        self._pair, self._half = info.atomic_pair and info.width == 16, None
        self._rmw = info.kind is Kind.RMW
        fails = self._decide(pc, state)
        try:
            self._step_one(pc)
        finally:
            self._pair = self._rmw = False
        if self._forced is not None:
            self._unforce()
        if self._need is not None:
            if effect_key is not None:
                _remember(effect_key, self._need)
            return self._need
        mem_reads, writes = tuple(self._reads), tuple(self._writes)
        if told is not None and (mem_reads[:1] and (mem_reads[0].addr, mem_reads[0].size)
                                 != (told.addr, told.size) or not mem_reads):  # fmt: skip
            raise FencelabError(f"{self.target.name}: {info.text!r} at {pc:#x} read other than "
                                f"its {told.size} bytes at {told.addr:#x}")  # fmt: skip
        if info.cas and mem_reads and not self._cas_succeeded(info, state, mem_reads[0]):
            writes = ()  # a failed compare-and-swap is only a read (QEMU writes the old value back)
        if info.kind is Kind.STORE_EXCL and info.status_regs and self._status_failed(info):
            writes = ()  # likewise a failed store-exclusive (status register != 0)
        if narrow_signed_min_max(info) and mem_reads and writes:
            writes = (self._signed_min_max(info, state, mem_reads[0], writes[0]),)
        for read in mem_reads:
            if 8 * read.size < self.target.pointer_width and self._is_address(read.value):
                raise NarrowAddress(pc, info.text, read.value, read.size,
                                    self.target.pointer_width, mem_reads)  # fmt: skip
        executed, skipped = [pc], [0] if fails else []
        _, hung, after = self._run_local(executed, skipped)
        if effect_key is not None and len(executed) == 1 and not hung:
            _, _, written, kept = pure
            if kept(after) == kept(state):  # (no register but those it writes moved)
                _remember(effect_key, (tuple([(i, after[i]) for i in written]), mem_reads, writes))
        return Step(after, mem_reads, writes, tuple(executed), hung, tuple(skipped))

    def _fails(self, pc: int, state: ThreadState) -> bool:
        """Is the instruction at `pc` predicated, with a condition the flags of `state` (the
        registers before it) fail?"""
        cond = self._predicates.get(pc)
        return cond is not None and not condition_holds(cond, state[self._flags])

    def _decide(self, pc: int, state: ThreadState) -> bool:
        """`_fails`, for the instruction about to run from `state` (the engine's registers),
        unless `run`'s `flips` turn this predicated instruction the other way: then the
        engine's flags are set so that it does (`_unforce` puts them back after it)."""
        fails = self._fails(pc, state)
        if not self._flips or pc not in self._predicates:
            return fails
        ordinal, self._ordinal = self._ordinal, self._ordinal + 1
        if ordinal not in self._flips:
            return fails
        flags = state[self._flags]
        cond = self._predicates[pc]
        forced = next(f for nzcv in range(16)
                      if condition_holds(cond, f := (flags & ~_NZCV) | nzcv << 28) == fails)  # fmt: skip
        self.uc.reg_write(self.reg_ids[self._flags], forced)
        self._forced = (flags, forced)
        return not fails

    def _unforce(self) -> None:
        """After an instruction `_decide` forced: its flags back as they were, unless it
        wrote them itself."""
        flags, forced = self._forced
        self._forced = None
        flags_id = self.reg_ids[self._flags]
        if self.uc.reg_read(flags_id) == forced:
            self.uc.reg_write(flags_id, flags)

    def _load(self, state: ThreadState, reads: tuple[int, ...]) -> None:
        """Put `state` in the engine and start an instruction's run supplying `reads`."""
        if state != self._current:  # (a state just reached is still in the engine)
            self.uc.context_restore(self._contexts[state])
            if state in self._derived:  # its context is another state's: its own registers
                self.engine.write(self.reg_ids, state)
        self._current = None
        self._supply, self._reads, self._writes, self._need = reads, [], [], None

    def run_succeeding_elsewhere(self, state: ThreadState) -> Step:
        """The store-exclusive at `state` succeeding though its load-exclusive read another
        address, which QEMU's monitor holds, so QEMU fails it (CONSTRAINED UNPREDICTABLE; herd7
        lets an AArch64 one succeed: machine/model.py `succeeds_elsewhere`). Unicorn runs it
        (it fails and clears its monitor, accessing nothing), `succeed_elsewhere` makes it a
        success, then the register-only instructions after it run."""
        key = (state, None)  # (`run`'s keys supply reads: a tuple)
        result = self._memo.get(key)
        if result is None:
            pc = state[self.pc_index]
            self._load(state, ())
            self._step_one(pc)
            self.succeed_elsewhere(self.infos[pc], state)
            executed, skipped = [pc], []
            _, hung, after = self._run_local(executed, skipped)
            result = self._memo[key] = Step(after, (), tuple(self._writes), tuple(executed), hung,
                                            tuple(skipped))  # fmt: skip
        return result

    def succeed_elsewhere(self, info: InsnInfo, state: ThreadState) -> None:
        """Make the store-exclusive `info`, which Unicorn just ran from `state` and failed
        without accessing memory, a success: its status register 0 and its write, its data
        register's low `width` bytes at its address register's value (one data register: not
        STXP, `elsewhere_uncovered`)."""
        if self._reads or self._writes or self._need is not None:
            raise FencelabError(f"{self.target.name}: {info.text!r} at {info.address:#x} "
                                "accessed memory where its monitor holds another address")  # fmt: skip
        (base,) = info.addr_regs
        data = state[self.reg_index[next(iter(info.data_regs))]] if info.data_regs else 0  # xzr
        for status in info.status_regs:  # (none: WZR)
            self.uc.reg_write(self.reg_ids[self.reg_index[status]], 0)
        self._writes.append(Access(state[self.reg_index[base]], info.width,
                                   data & ((1 << (8 * info.width)) - 1)))  # fmt: skip

    def _is_address(self, value: int) -> bool:
        return any(start <= value < start + size for start, size in self.data_regions)

    def _signed_min_max(self, info: InsnInfo, state: ThreadState, read: Access,
                        write: Access) -> Access:
        """What a narrow LDSMAX/LDSMIN stores: Unicorn 2.1.4 (QEMU 5) compares a byte,
        half-word or word as unsigned; the Arm ARM compares them signed."""
        bits = 8 * read.size
        (reg,) = info.data_regs or ("xzr",)
        operand = state[self.reg_index[reg]] if reg in self.reg_index else 0
        pick = max if "smax" in info.mnemonic.lower() else min
        result = pick(signed(read.value, bits), signed(unsigned(operand, bits), bits))
        return Access(write.addr, write.size, unsigned(result, bits))

    def _pure_at(self, pc: int, info: InsnInfo) -> tuple | None:
        """For a pure instruction (`InsnInfo.pure`) followed by a memory event or the end of
        the code (a step that runs it alone): what its effect is remembered by (its bytes and
        address), the indices of the registers it reads and of those it writes (the PC's
        too). None for every other instruction."""
        if not info.pure:
            return None
        after = self.infos.get(pc + info.size)
        if after is not None and not after.is_memory_event:
            return None  # register-only instructions follow: run them
        if not (info.reads | info.writes) <= self.reg_index.keys():
            return None  # a register a thread state does not record
        inputs = tuple(sorted(self.reg_index[r] for r in info.reads))
        written = frozenset({self.pc_index, *(self.reg_index[r] for r in info.writes)})
        raw = self.code[pc - self.base:pc - self.base + info.size]
        others = sorted(set(range(len(self.reg_ids))).difference(written))
        kept = itemgetter(*others) if others else _nothing
        return (self.target.name, raw, pc), inputs, written, kept

    def _remembered(self, effect, state: ThreadState, pc: int) -> Step | NeedRead:
        """A remembered step's effect from `state` (the `step-effects` reduction). A pure
        instruction's effect depends only on its bytes, its address, the registers it reads
        and the values it reads (`_pure_at`'s key), and it changes only the registers it
        writes and the PC: the same inputs give the same registers written, accesses and
        step, as Unicorn gave the first time it ran them (a run whose other registers moved
        is not remembered). The state reached keeps the context of the state it came from
        (a pure instruction changes nothing a thread state does not record), its registers
        written over it when it runs (`_run`)."""
        if isinstance(effect, NeedRead):
            return effect
        written, mem_reads, writes = effect
        after = list(state)
        for i, value in written:
            after[i] = value
        after = tuple(after)
        if after not in self._contexts and self.base <= after[self.pc_index] < self.end:
            self._contexts[after] = self._contexts[state]
            self._derived.add(after)
        return Step(after, mem_reads, writes, (pc,), skipped=(0,) if self._fails(pc, state) else ())

    def _status_failed(self, info: InsnInfo) -> bool:
        (reg,) = info.status_regs
        return self.uc.reg_read(self.reg_ids[self.reg_index[reg]]) != 0

    def _cas_succeeded(self, info: InsnInfo, state: ThreadState, read: Access) -> bool:
        regs = info.compare_order or tuple(info.compare_regs)  # xzr, or empty: zero
        bits = 8 * read.size // max(1, len(regs))  # a CASP compares two registers' worth
        expected = 0
        for k, reg in enumerate(regs):
            value = state[self.reg_index[reg]] if reg in self.reg_index else 0
            expected |= (value & ((1 << bits) - 1)) << (k * bits)
        return expected == read.value

    def _step_one(self, pc: int) -> None:
        if pc in self._own:  # an instruction fencelab decodes and runs itself (ABS)
            self._emulate(self._own[pc])
            return
        if pc in self._enders:  # its exception ends the thread (`Target.ends_thread`: UDF)
            self.uc.reg_write(self.reg_ids[self.pc_index], self.end)
            return
        self.unicorn_runs += 1
        self.engine.core = self  # the engine's hooks report to the core running now
        self._fault = None
        try:
            # Unicorn stops at the end of the code: a block is never translated beyond it
            self.uc.emu_start(pc, self.end, count=1)
        except UcError as e:
            text = self.decoded[pc].text if pc in self.decoded else "?"
            fault = MemoryFault if self._fault is not None else CodeError
            raise fault(pc, text, self._fault_reason(e)) from None
        finally:
            self.engine.core = None

    def _emulate(self, info: InsnInfo) -> None:
        """Run an instruction Unicorn cannot (`Target.decode_own`) on the engine's registers."""
        ids = dict(zip(self.reg_names, self.reg_ids, strict=True))

        def write(name: str, value: int) -> None:
            self.uc.reg_write(ids[name], value)

        self.target.emulate(info, lambda name: self.uc.reg_read(ids[name]), write)
        self.uc.reg_write(ids[self.target.pc_name], info.address + info.size)

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

    def _run_local(self, executed: list[int],
                   skipped: list[int]) -> tuple[list[int], bool, ThreadState]:  # fmt: skip
        """Run register-only instructions until the next memory event or the end, adding them
        to `executed` (and the predicated ones whose condition fails to `skipped`); the state
        reached (saved: `_snapshot`)."""
        predicates = self._predicates
        for _ in range(LOCAL_STEP_LIMIT + len(self.infos)):
            state = self.engine.read(self.reg_ids)
            pc = state[self.pc_index]
            info = self.infos.get(pc)
            if info is None or info.is_memory_event:
                return executed, False, self._snapshot(state)
            if predicates and self._decide(pc, state):
                skipped.append(len(executed))
            accessed = len(self._reads) + len(self._writes)  # the memory instruction's own
            self._step_one(pc)
            if self._forced is not None:
                self._unforce()
            if len(self._reads) + len(self._writes) != accessed:
                raise FencelabError(
                    f"{self.target.name}: {info.text!r} at {pc:#x} accessed memory but was "
                    "classified as register-only"
                )
            executed.append(pc)
        return executed, True, self._snapshot(self.engine.read(self.reg_ids))

    def _snapshot(self, state: ThreadState) -> ThreadState:
        """`state`, which the engine's registers hold: saved to run from again."""
        if state not in self._contexts and self.base <= state[self.pc_index] < self.end:
            self._contexts[state] = self.uc.context_save()  # (a finished thread never runs)
        self._current = state
        return state

    def memory_kind(self, state: ThreadState) -> Kind | None:
        info = self.info(state)
        return info.kind if info else None


def narrow_signed_min_max(info: InsnInfo) -> bool:
    """LDSMAX/LDSMIN (and STSMAX/STSMIN) on a byte, half-word or word."""
    name = info.mnemonic.lower()
    return info.width < 8 and name[:2] in ("ld", "st") and name[2:6] in ("smax", "smin")


_UNKNOWN = object()


def _nothing(state: ThreadState) -> tuple:
    """`Core._pure_at`'s registers kept, when the instruction writes them all."""
    return ()


# remembered steps of pure instructions (`Core._pure_at`'s key -> a NeedRead, or the registers
# written with their values and the accesses made), shared by every core
_EFFECTS: dict[tuple, object] = {}


def _remember(key: tuple, effect) -> None:
    if len(_EFFECTS) >= reduce.CACHE_LIMIT:
        _EFFECTS.clear()
    _EFFECTS[key] = effect


_LAYOUTS: dict[str, tuple] = {}


def _registers(target) -> tuple[tuple[str, ...], tuple[int, ...], dict[str, int], int]:
    """A target's thread-state layout: register names, Unicorn ids, index by name, the PC's
    index. Worked out once a target (by its name, which the registry gives one target): a
    target's `register_ids` and `pc_name` are constants of its class. Cores share the index
    dict, which none changes."""
    layout = _LAYOUTS.get(target.name)
    if layout is None or layout[0] is not target:
        names = tuple(name for name, _ in target.register_ids)
        index = {name: i for i, name in enumerate(names)}
        layout = _LAYOUTS[target.name] = (target, (names, tuple(uid for _, uid in
                                                                target.register_ids),
                                                   index, index[target.pc_name]))  # fmt: skip
    return layout[1]


def _told_read(info: InsnInfo) -> NeedRead | None:
    """The first read of a load or read-modify-write whose address no register forms (x86's
    `movl (x),%eax`), as running it would find it."""
    if info.static_addr is None or info.kind not in (Kind.LOAD, Kind.RMW):
        return None
    return NeedRead(info.static_addr, info.width, 0) if info.width in (1, 2, 4, 8) else None


def translation_buffer_size(instructions: int) -> int:
    """The bytes of translated code a core of `instructions` instructions reserves."""
    return min(TB_MAX, max(TB_MIN, instructions * TB_BYTES_PER_INSTRUCTION))


# -- engines --------------------------------------------------------------------------------
#
# Creating a Unicorn engine and mapping its pages costs about a millisecond each; translating
# code it has run before costs nothing. With the `reuse` reduction on (fencelab/reduce.py), a
# core leases an engine from a pool and gives it back when it is garbage: the engine keeps its
# mappings, and the code it ran stays translated unless other bytes are written over it (then
# its translations are dropped: `ctl_remove_cache`). A core never reads memory it did not just
# write in its read hook, so what an earlier core left in the data pages is never seen.

CHUNK = 0x10000  # pages are mapped this many at a time, where nothing is mapped yet
WIDE = 8  # chunks mapped in one call at most (`_Engine.map`)
POOL_LIMIT = 4  # idle engines kept per kind


class _Engine:
    """One Unicorn engine: its mapped pages, the code written at each base, its blank context."""

    def __init__(self, target, tb_size: int):
        self.kind = _kind(target)
        self.tb_size = tb_size
        self.uc = Uc(target.uc_arch, target.uc_mode)
        self.uc.ctl_set_tcg_buffer_size(tb_size)
        if target.uc_cpu_model is not None:
            self.uc.ctl_set_cpu_model(target.uc_cpu_model)
        self.blank = self.uc.context_save()
        self.pages: set[int] = set()
        self.code: dict[int, bytes] = {}  # base -> the bytes written there
        self.core: Core | None = None  # the core running now (set around each emu_start)
        self._batch: dict[tuple[int, ...], tuple] = {}
        self.uc.hook_add(UC_HOOK_MEM_READ, self._on_read)
        self.uc.hook_add(UC_HOOK_MEM_WRITE, self._on_write)
        self.uc.hook_add(UC_HOOK_MEM_INVALID, self._on_invalid)

    def _on_read(self, uc, access, addr, size, value, data):
        self.core._on_read(uc, access, addr, size, value, data)

    def _on_invalid(self, uc, access, addr, size, value, data):
        return self.core._on_invalid(uc, access, addr, size, value, data)

    def _on_write(self, uc, access, addr, size, value, data):
        self.core._on_write(uc, access, addr, size, value, data)

    def read(self, reg_ids: tuple[int, ...]) -> tuple[int, ...]:
        """The registers' values: one native call into Unicorn with buffers kept per engine
        (the binding's `reg_read_batch` spends ~1 ms in Python choosing each register's type;
        every register a thread state records fits 64 bits)."""
        batch = self._batch.get(reg_ids)
        if batch is None:
            batch = self._arrays(reg_ids)
        ids, values, pointers, n = batch
        ctypes.memset(values, 0, 8 * n)  # a 32-bit register fills only half its slot
        if _uclib.uc_reg_read_batch(self.uc._uch, ids, pointers, n) != 0:
            return tuple(self.uc.reg_read_batch(reg_ids))  # let the binding raise
        return tuple(values)

    def _arrays(self, reg_ids: tuple[int, ...]) -> tuple:
        """The native arrays `read` and `write` pass for these registers: their ids, the
        values, a pointer to each value, their count (made once)."""
        n = len(reg_ids)
        values = (ctypes.c_uint64 * n)()
        pointers = (ctypes.c_void_p * n)(*(ctypes.addressof(values) + 8 * i
                                           for i in range(n)))  # fmt: skip
        batch = self._batch[reg_ids] = ((ctypes.c_int * n)(*reg_ids), values, pointers, n)
        return batch

    def write(self, reg_ids: tuple[int, ...], values: tuple[int, ...]) -> None:
        """Set the registers (one native call, as `read`; its arrays made once for these
        registers)."""
        batch = self._batch.get(reg_ids)
        if batch is None:
            batch = self._arrays(reg_ids)
        ids, data, pointers, n = batch
        data[:] = values
        if _uclib.uc_reg_write_batch(self.uc._uch, ids, pointers, n) != 0:
            self.uc.reg_write_batch(list(zip(reg_ids, values)))  # let the binding raise

    def map(self, start: int, size: int) -> None:
        """Map the pages of [start, start + size): a chunk with nothing mapped is mapped
        whole, with the chunks after it that have nothing mapped either (up to WIDE chunks in
        one call: each `mem_map` rebuilds Unicorn's memory view, ~0.3 M instructions, and the
        threads' code sits a chunk apart, so one call maps every thread's code)."""
        needed = range(_round_down(start), _round_up(start + size), PAGE)
        for page in needed:
            if page in self.pages:
                continue
            chunk = page - page % CHUNK
            if self._chunk_free(chunk):
                end = chunk + CHUNK
                while end < chunk + WIDE * CHUNK and self._chunk_free(end):
                    end += CHUNK
                self.uc.mem_map(chunk, end - chunk)
                self.pages.update(range(chunk, end, PAGE))
            else:
                self.uc.mem_map(page, PAGE)
                self.pages.add(page)

    def _chunk_free(self, chunk: int) -> bool:
        return not any(p in self.pages for p in range(chunk, chunk + CHUNK, PAGE))

    def load(self, code: bytes, base: int) -> None:
        """Put `code` at `base`, dropping translations of whatever it replaces. Code left by an
        earlier core is trusted only if its bytes are still there: an earlier test's store to
        an address of no location can land in a page this engine keeps mapped."""
        end = base + len(code)
        if self.code.get(base) == code and bytes(self.uc.mem_read(base, len(code))) == code:
            return
        for other, old in list(self.code.items()):
            if other < end + 16 and base < other + len(old):
                if not (code and base <= other and other + len(old) <= end):  # (inside the
                    # new code: written over and its translations dropped just below)
                    self.uc.mem_write(other, bytes(len(old)))
                    self.uc.ctl_remove_cache(other, other + len(old))
                del self.code[other]
        if code:
            self.uc.mem_write(base, code)
            self.uc.ctl_remove_cache(base, end)
        self.code[base] = code


_IDLE: dict[tuple, list[_Engine]] = {}


def _kind(target) -> tuple:
    return (target.uc_arch, target.uc_mode, target.uc_cpu_model)


def _lease(target, code: bytes, base: int, regions, tb_size: int) -> _Engine:
    """An engine for a core: an idle one whose translation buffer is big enough, else a new one
    with the buffer the core needs (issue 15: small buffers keep a test's virtual memory low)."""
    engine = None
    if reduce.enabled("reuse"):
        idle = _IDLE.get(_kind(target), [])
        fits = [e for e in idle if e.tb_size >= tb_size]
        if fits:
            engine = min(fits, key=lambda e: e.tb_size)
            idle.remove(engine)
        else:
            engine = _taken_from_idle_core(_kind(target), tb_size)
    if engine is None:
        engine = _Engine(target, tb_size)
    engine.map(base, max(len(code), 1) + 16)
    for start, size in regions:
        engine.map(start, size)
    engine.load(code, base)
    return engine


def _taken_from_idle_core(kind: tuple, tb_size: int) -> _Engine | None:
    """The engine of the least recently used kept core that no program holds (`Core.users`),
    if one fits: that core is dropped (it can no longer run). Making an engine costs ~1.5 M
    instructions (Unicorn's own set-up), more than a kept core saves: the process then makes
    only as many engines as its widest test has threads."""
    for key, core in _CORES.items():
        engine = core.engine
        if (core.users == 0 and engine is not None and engine.uc is not None
                and engine.kind == kind and engine.tb_size >= tb_size):  # fmt: skip
            del _CORES[key]
            core._finalizer.detach()
            core.engine = core.uc = None
            return engine
    return None


def _release(engine: _Engine) -> None:
    idle = _IDLE.setdefault(engine.kind, [])
    if engine.uc is not None and reduce.enabled("reuse") and len(idle) < POOL_LIMIT:
        idle.append(engine)


def _round_down(addr: int) -> int:
    return addr & ~(PAGE - 1)


def _round_up(n: int) -> int:
    return (n + PAGE - 1) & ~(PAGE - 1)


CORE_LIMIT = 8  # cores kept for reuse (each with its memo and its engine, ~5 MB resident)
CONTEXTS_KEPT = 1000  # a kept core's memo is dropped at the end of a test beyond this
_CORES: dict[tuple, Core] = {}  # insertion order = least recently used first


def shared_core(target, code: bytes, base: int, regions: tuple) -> Core:
    """The core for this code: a new one, or with the `reuse` reduction, one that ran the same
    code before (a core is a pure function of its code and what it is given)."""
    if not reduce.enabled("reuse"):
        return Core(target, code, base, regions)
    key = (target.name, code, base, regions)
    core = _CORES.pop(key, None)
    if core is None:
        if len(_CORES) >= CORE_LIMIT:  # first, so that its engine (idle once the core is
            del _CORES[next(iter(_CORES))]  # garbage) can serve the new core
        core = Core(target, code, base, regions)
    _CORES[key] = core
    core.users += 1
    return core
