"""The TUI's model: one test on one machine, the walk so far, and a redo stack.

Everything the screens show is read from a `Session`, and every key the user presses becomes one
call on it, so the logic is testable without a terminal. The walk is a `Replay` (the same
object `fencelab run --mode replay` uses), so `schedule` is always a string that command
accepts.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, replace

from fencelab.errors import CodeError, FencelabError
from fencelab.isa.registry import TARGETS
from fencelab.litmus.ast import LitmusTest, OpOrigin
from fencelab.litmus.conditions import filter_of, satisfies
from fencelab.litmus.printer import format_state
from fencelab.machine.explore import (
    LOOK_AHEAD,
    RUN_LIMIT,
    Replay,
    finishes,
    parse_schedule,
    random_machine,
    random_run,
)
from fencelab.machine.machine import Machine, Status
from fencelab.machine.model import MachineState, Reason, Transition
from fencelab.pipeline import RunOptions, machine_for

ARMV7_NOTE = ("ARMv7 code runs under the armv7 model (arm.cat: not multicopy-atomic); "
              "aarch32 runs it under ARMv8 AArch32 rules (multicopy-atomic)")
AARCH32_NOTE = "this ARMv7 code runs under ARMv8 AArch32 rules (multicopy-atomic), not ARMv7's"


@dataclass(frozen=True)
class RegisterView:
    name: str
    value: int
    changed: bool  # differs from the state before the last step
    points_to: str = ""  # the location whose address the register holds
    local: str = ""  # compiled source tests: the source local kept in this register


@dataclass(frozen=True)
class SourceRow:
    """One line of a source test's thread, as the source pane shows it."""

    line: int  # line number in the file
    text: str  # as written (tabs expanded, right-stripped)
    tid: int  # the thread whose body holds it
    cores: tuple[int, ...]  # cores whose next instruction lowers this line


@dataclass(frozen=True)
class InsnView:
    """One row of a core's disassembly pane."""

    address: int
    text: str  # capstone's disassembly
    source: str  # the test's own line (asm tests) or the lowered line (source tests)
    row: int  # row in the thread table, -1 if unknown
    current: bool  # the core's PC is here
    origin: OpOrigin | None  # compiled source tests: the source op this row lowers


_RIP_RELATIVE = re.compile(r"(-?0x[0-9a-fA-F]+|-?\d+)\(%rip\)")


class Session:
    """A test loaded on a machine, stepped by hand."""

    def __init__(self, test: LitmusTest, options: RunOptions | None = None):
        self.test = test
        self.options = options or RunOptions()
        self.machine: Machine = machine_for(test, self.options)
        self.program = self.machine.program
        self.walk = Replay(self.machine)
        self.redo: list[str] = []  # keys to re-take, the next one last
        self.random = random.Random(0)
        self._enabled: tuple[MachineState, list[Transition]] | None = None
        self._registers = [self._relevant_registers(t) for t in range(len(self.program.threads))]
        self.origins = compile_origins(self.program.test)
        self.locals = source_locals(self.program)
        self.explored = None  # the last exploration's TestResult (for this configuration)
        # what the look-ahead and random runs learnt, while the model's keys stay the same
        # (`_learnt`): machine key -> does a run from there finish (`finishes`); states from
        # which every run ends stuck (`random_run`, on `random_machine`)
        self._finishes: dict = {}
        self._dead: set = set()
        self._learnt_epoch = None
        self._random_machine: Machine | None = None

    # -- configuration ----------------------------------------------------------------------
    @property
    def target(self) -> str:
        return self.program.target.name

    @property
    def model(self) -> str:
        return self.machine.model.name

    @property
    def scheme(self) -> str:
        return self.options.scheme.name if self.test.is_source else ""

    def reconfigured(self, target: str | None, scheme: str, model: str | None) -> Session:
        """The same test under another target / scheme / model, by name as the configuration
        screen picks them (a FencelabError if refused)."""
        named = RunOptions.named(target or None, scheme, model or None)
        options = replace(self.options, target=named.target, scheme=named.scheme,
                          model=named.model, schedule="")  # fmt: skip
        session = Session(self.test, options)
        session.enabled()  # an instruction that cannot run at the start: refused
        return session

    def target_choices(self) -> list[str]:
        """Targets this test can run on: any for source tests, its own ISA family for asm."""
        if self.test.is_source:
            return list(TARGETS)
        return [n for n, t in TARGETS.items() if t.arch is self.program.target.arch]

    def notes(self) -> list[str]:
        notes = []
        if self.target == "armv7" and self.model in ("arm", "aarch32"):
            notes.append(AARCH32_NOTE)
        return notes

    # -- the walk ---------------------------------------------------------------------------
    @property
    def state(self) -> MachineState:
        return self.walk.state

    @property
    def steps(self) -> int:
        return len(self.walk.taken)

    @property
    def schedule(self) -> str:
        return self.walk.schedule

    @property
    def full_schedule(self) -> str:
        """The schedule so far plus what the redo stack would re-take."""
        return ",".join([t.key for t in self.walk.taken] + self.redo[::-1])

    def enabled(self) -> list[Transition]:
        state = self.walk.state
        if self._enabled is None or self._enabled[0] is not state:
            try:
                enabled = self.walk.enabled()  # (which may walk again: `Replay.enabled`)
            except CodeError as e:  # (`take` keeps the walk off such a state)
                raise self.program.locate(e) from None
            self._enabled = (self.walk.state, enabled)
        return self._enabled[1]

    def status(self) -> Status:
        enabled = self.enabled()  # first: it may walk again to another state
        return self.machine.status(self.state, enabled)

    def take(self, key: str) -> Transition:
        """Take an enabled transition; keeps the redo stack when it is the redo's next key. A
        step to a state where an instruction cannot run (an access to no location: the cores
        run on to their next step) is not taken: the instruction's error, at its line."""
        t = self._step(key)
        if self.redo and self.redo[-1] == key:
            self.redo.pop()
        else:
            self.redo.clear()
        return t

    def _step(self, key: str) -> Transition:
        t = self.walk.take(key)
        try:
            self.enabled()
        except FencelabError:
            self.walk.back()
            raise
        return t

    def leads_nowhere(self, t: Transition) -> bool:
        """Does every run after `t` end stuck or at the step budget, none in a final state?
        Told by a look-ahead of at most LOOK_AHEAD states (`finishes`); where it cannot tell,
        False. (A Promising-ARM retry loop can read a value after which its next iteration
        only repeats the one before, which the model takes once: that path ends there.)"""
        self._learnt()
        try:
            return finishes(self.machine, t.target, LOOK_AHEAD, self._finishes) is False
        except CodeError:  # an instruction that cannot run on the way (taking it names it)
            self._finishes[self.machine.key(t.target)] = None  # cannot tell; not searched again
            return False

    def _learnt(self) -> None:
        """Forget what the look-ahead and random runs learnt once the model keeps states
        otherwise (`restart_epoch`): their keys are new."""
        epoch = self.machine.model.restart_epoch(self.program)
        if epoch != self._learnt_epoch:
            self._finishes, self._dead, self._learnt_epoch = {}, set(), epoch

    def dead_ends(self, tid: int) -> set[str]:
        """The keys of core `tid`'s enabled transitions that lead nowhere (`leads_nowhere`)."""
        return {t.key for t in self.enabled() if t.tid == tid and self.leads_nowhere(t)}

    def doomed(self) -> bool:
        """Is something enabled, but every enabled transition a dead end (`leads_nowhere`)?"""
        enabled = self.enabled()
        return bool(enabled) and all(self.leads_nowhere(t) for t in enabled)

    def take_core(self, tid: int) -> Transition | None:
        """Take core `tid`'s first enabled transition after which some run can still finish,
        else its first (None when it has none)."""
        mine = [t for t in self.enabled() if t.tid == tid]
        if not mine:
            return None
        return self.take(next((t for t in mine if not self.leads_nowhere(t)), mine[0]).key)

    def back(self) -> bool:
        if not self.walk.taken:
            return False
        self.redo.append(self.walk.taken[-1].key)
        self.walk.back()
        return True

    def forward(self) -> bool:
        if not self.redo:
            return False
        key = self.redo[-1]
        self._step(key)
        self.redo.pop()
        return True

    def rewind(self) -> None:
        while self.back():
            pass

    def to_end(self) -> None:
        while self.forward():
            pass

    def load_schedule(self, schedule: str) -> None:
        """Check `schedule` replays, then go to the start with it queued on the redo stack."""
        keys = parse_schedule(schedule)
        probe = Replay(self.machine)
        try:
            for key in keys:
                probe.take(key)  # raises FencelabError naming the bad step
            probe.enabled()  # (where the last step leads, an instruction runs: `take`)
        except CodeError as e:
            raise self.program.locate(e) from None
        self.walk = Replay(self.machine)
        self.redo = keys[::-1]

    def run_random(self) -> int:
        """Take random enabled transitions until the execution ends (`random_run`: a run that
        would end stuck steps back and draws again); returns steps taken."""
        if self.status() is not Status.RUNNING:
            return 0
        if self._random_machine is None:
            self._random_machine = random_machine(self.machine)
        self._learnt()
        try:
            path, _, _ = random_run(self._random_machine, self.state, self.random, self._dead,
                                    RUN_LIMIT)  # fmt: skip
        except CodeError as e:
            raise self.program.locate(e) from None
        for t in path:
            self.take(t.key)
        return len(path)

    # -- what the panes show ----------------------------------------------------------------
    def finished(self, tid: int) -> bool:
        core = self.program.threads[tid].core
        return core.info(self.state.threads[tid]) is None

    def instructions(self, tid: int) -> list[InsnView]:
        thread = self.program.threads[tid]
        core = thread.core
        pc = core.pc(self.state.threads[tid])
        rows = []
        for addr in sorted(core.decoded):
            line = thread.lines.get(addr)
            row = line.row if line else -1
            rows.append(
                InsnView(
                    addr, self.insn_text(tid, addr), line.text if line else "", row, addr == pc,
                    self.origins.get((tid, row)),
                )  # fmt: skip
            )
        return rows

    def insn_text(self, tid: int, addr: int) -> str:
        """capstone's text, with x86 RIP-relative operands naming their location (`x(%rip)`)."""
        d = self.program.threads[tid].core.decoded[addr]
        next_addr = addr + len(d.bytes)

        def name(m: re.Match) -> str:
            loc = self.program.by_addr.get(next_addr + int(m.group(1), 0))
            return f"{loc.name}(%rip)" if loc else m.group(0)

        return _RIP_RELATIVE.sub(name, d.text)

    def transition_label(self, t: Transition) -> str:
        """The model's label, with the instruction spelled as the core pane spells it."""
        if t.tid is None or not t.executes:
            return t.label
        core = self.program.threads[t.tid].core
        pc = core.pc(self.state.threads[t.tid])
        d = core.decoded.get(pc)
        return t.label.replace(d.text, self.insn_text(t.tid, pc)) if d else t.label

    def registers(self, tid: int) -> list[RegisterView]:
        core = self.program.threads[tid].core
        now = core.registers(self.state.threads[tid])
        before = core.registers(self.walk.states[-2].threads[tid]) if self.steps else now
        by_addr = self.program.by_addr
        locals_ = self.locals[tid]
        return [
            RegisterView(r, now[r], now[r] != before[r],
                         by_addr[now[r]].name if now[r] in by_addr else "", locals_.get(r, ""))
            for r in self._registers[tid]
        ]  # fmt: skip

    def _relevant_registers(self, tid: int) -> list[str]:
        core = self.program.threads[tid].core
        used: set[str] = set()
        for d in core.decoded.values():
            used |= d.info.reads | d.info.writes
        pc = core.target.pc_name
        names = [n for n in core.reg_names if n in used and n != pc]
        return [*names, pc]

    # -- why a core can or cannot move (the model's words) -----------------------------------
    def reasons(self, tid: int) -> list[Reason]:
        """The model's reasons for core `tid` now, instructions spelled as the core pane does."""
        core = self.program.threads[tid].core
        pc = core.pc(self.state.threads[tid])
        d = core.decoded.get(pc)
        out = self.machine.explain(self.state, tid)
        if d is None or d.text == self.insn_text(tid, pc):
            return out
        return [replace(r, text=r.text.replace(d.text, self.insn_text(tid, pc))) for r in out]

    def why_not(self, tid: int) -> str:
        """Why core `tid` cannot move now, in one line (for a digit key that cannot act)."""
        if self.finished(tid):
            return f"core {tid} has finished"
        reasons = self.reasons(tid)
        blocked = [r.text for r in reasons if r.can is False]
        if blocked:
            return f"core {tid}: {blocked[0]}"
        if self.status() is not Status.RUNNING:
            return f"core {tid} cannot move: the execution has ended ({self.status().value})"
        return f"core {tid} has nothing enabled now"

    # -- the source beside the assembly --------------------------------------------------------
    def current_line(self, tid: int) -> int:
        """The source line core `tid`'s next instruction lowers (0: none, or an asm test)."""
        for r in self.instructions(tid):
            if r.current and r.origin is not None:
                return r.origin.pos.line
        return 0

    def source_rows(self) -> list[SourceRow]:
        """The source test's thread bodies as written (empty for an assembly test)."""
        if not self.test.is_source or not self.test.text:
            return []
        lines = self.test.text.split("\n")
        here: dict[int, list[int]] = {}
        for tid in range(len(self.program.threads)):
            line = self.current_line(tid)
            if line:
                here.setdefault(line, []).append(tid)
        rows = []
        for thread in self.test.threads:
            first, last = thread.span
            for n in range(first, min(last, len(lines)) + 1):
                if n >= 1:
                    text = lines[n - 1].expandtabs(4).rstrip()
                    rows.append(SourceRow(n, text, thread.tid, tuple(here.get(n, ()))))
        return rows

    def source_text(self, line: int) -> str:
        """Source line `line` as written, stripped ("" when unknown)."""
        lines = self.test.text.split("\n") if self.test.text else []
        return lines[line - 1].strip() if 1 <= line <= len(lines) else ""

    def memory_view(self) -> dict[str, object]:
        return self.machine.memory_view(self.state)

    def final_summary(self) -> tuple[str, bool] | None:
        """(outcome text, does it satisfy the condition) once the execution has ended."""
        if self.status() is not Status.FINAL:
            return None

        outcome = self.machine.outcome(self.state)
        keep = filter_of(self.program.test)
        if keep is not None:  # (the filter's own observables are not shown, as herd)
            shown = keep(outcome)
            if shown is None:
                return f"{self.outcome_text(outcome)} (the filter drops it: not an outcome)", False
            outcome = shown
        return self.outcome_text(outcome), satisfies(self.test.condition,
                                                     self.source_outcome(outcome))

    def source_outcome(self, outcome):
        """An outcome in the test's own names (`1:r0=1`, not `1:X0=1`, for compiled tests)."""
        origin = self.program.test.origin
        return origin.source_outcome(outcome) if origin else outcome

    def outcome_text(self, outcome) -> str:
        """herd's spelling and order of an outcome (as `run` prints it), in source names
        (`1:r0=1`) for compiled tests."""
        return format_state(self.source_outcome(outcome), self.test.arch)

    def title(self) -> str:
        parts = [self.test.name, self.target, self.model]
        if self.test.is_source:
            parts.append(f"scheme {self.scheme}")
        return " · ".join(parts)


def source_locals(program) -> list[dict[str, str]]:
    """Per thread, canonical register -> the source local a compiled test keeps there."""
    out: list[dict[str, str]] = [{} for _ in program.threads]
    info = program.test.origin
    if info is not None:
        for (tid, local), reg in info.registers.items():
            if 0 <= tid < len(out):
                out[tid][program.target.canonical_reg(reg)] = local
    return out


def compile_origins(test: LitmusTest) -> dict[tuple[int, int], OpOrigin]:
    """(tid, row) -> the source operation a compiled row lowers (none for an assembly test)."""
    return test.origin.ops if test.origin is not None else {}


def origin_parts(origin: OpOrigin | None) -> tuple[str, str, str]:
    """(short name of the source op, its ordering, why this lowering) for display."""
    if origin is None:
        return "", "", ""
    text = origin.what or (str(origin.op) if origin.op is not None else "")
    order_text = str(origin.order or "") + (f"/{origin.failure}" if origin.failure else "")
    return text, order_text, origin.rationale
