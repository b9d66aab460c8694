"""x86-TSO (Owens, Sarkar, Sewell): a FIFO store buffer per core in front of one memory.

- a store goes into its core's buffer;
- a load reads the newest buffered store of its own core to that location, else memory; with
  mixed-size accesses (a byte, half-word or word inside a location), each byte it reads from
  the newest buffered store of its core covering that byte, else from memory;
- a drain step (an internal transition) moves a core's oldest buffered store to memory;
- with mixed-size accesses, a load may take its bytes from more than one place (memory and its
  buffer, or two of its buffered stores): then each buffered store keeps what it reaches by
  x86tso-mixed.cat's `internal` (po-loc | rf | co | fr, on whole accesses), and a move after
  which a store would close a cycle through itself waits (tso_internal.py);
- MFENCE waits until its core's buffer is empty;
- LOCK-prefixed instructions and XCHG with memory wait for an empty buffer, then read and write
  memory atomically;
- LFENCE and SFENCE do nothing for ordinary memory.
Execution may end only when every buffer has drained.
"""

from __future__ import annotations

import re
from functools import partial
from itertools import repeat
from operator import getitem, itemgetter
from typing import NamedTuple

from fencelab import reduce
from fencelab.errors import AccessError
from fencelab.isa.core import NeedRead
from fencelab.isa.insn import Barrier, InsnInfo, Kind
from fencelab.machine.model import (
    MEMORY,
    MachineState,
    MemoryModel,
    Provenance,
    Reason,
    Transition,
    refuse,
    what_it_does,
)
from fencelab.models.operational.sc import initial_values, shown_memory
from fencelab.models.operational.tso_internal import Reach, drained, mask, stepped
from fencelab.values import get_bytes, put_bytes

DRAINS = Provenance(drain=True)
# (read once: under Python 3.11 each `Kind.X` is a Python-level lookup, EnumType's __getattr__)
_LOAD_EXCL, _STORE_EXCL, _RMW, _FULL = Kind.LOAD_EXCL, Kind.STORE_EXCL, Kind.RMW, Barrier.FULL
_LOAD, _STORE, _FENCE = Kind.LOAD, Kind.STORE, Kind.FENCE


class TsoMemory(NamedTuple):  # (named tuples: hashed and compared in C, as states are)
    values: tuple[int, ...]  # by location index: its bytes, little-endian, as one unsigned int
    buffers: tuple[tuple[Entry, ...], ...]  # per core, oldest first


class Entry(NamedTuple):
    """A buffered store: `size` bytes at byte `offset` of location `loc`."""

    loc: int
    value: int
    offset: int = 0
    size: int = 8
    # what the store reaches by x86tso-mixed.cat's `internal` (tso_internal.py), for a
    # program whose loads may take their bytes from more than one place (`TSO.guards`)
    reach: Reach | None = None

    def place(self, program) -> str:
        """Where it writes, as herd's mixed-size tests name it: `x`, `t[1]`, or `x+1` inside x."""
        return program.part_name(program.locations[self.loc], self.offset, self.size)

    def shown(self, program) -> tuple[str, int]:
        """(place, value) as the panes show it: the value in the location's type."""
        loc = program.locations[self.loc]
        return self.place(program), program.typed(loc, self.value, 8 * self.size)

    def text(self, program) -> str:
        return "=".join(map(str, self.shown(program)))


class TSO(MemoryModel):
    name = "tso"
    byte_addressed = True

    def __init__(self, local_first: bool = False, persistent: bool = False,
                 cautions: set[str] | None = None) -> None:  # fmt: skip
        self.local_first = local_first
        self.persistent_sets = persistent
        # what a run met that this model may not judge as x86tso-mixed.cat does (`cautions`),
        # shared with the model `for_exhaustive` makes
        self._cautions = set() if cautions is None else cautions
        self._future: dict[tuple, frozenset[int] | None] = {}
        self._program = None  # the program `persistent`'s caches are for
        self._persistent: dict[tuple, tuple] = {}  # (PCs, buffers) -> `persistent`'s answer
        self._by_locations: dict[tuple, tuple] = {}  # (PCs, the buffers' locations) -> same
        self._at_pcs: dict[tuple, tuple] = {}
        self._plans: list[dict] = []  # each core's `_plans_of`, by PC
        self._pc_indices: list[int] = []  # where each core's PC is in its thread state
        self._cores: list = []  # each thread's core (`_fused_move`)
        self._said: dict[tuple, tuple] = {}  # a transition's key, label (and provenance)
        self._reuse = False  # (`_explores`)
        self._guarded = False  # (`guards`)

    def for_exhaustive(self) -> TSO:
        return TSO(local_first=reduce.enabled("tso-local-first"),
                   persistent=reduce.enabled("tso-persistent"), cautions=self._cautions)  # fmt: skip

    def cautions(self) -> tuple[str, ...]:
        """A load that took some of its bytes from its own buffered store and the rest from
        memory in a program `guards` said could not do so: this model then keeps no
        `internal`, and may allow a state x86tso-mixed.cat forbids (README, "Models"). The
        run says so rather than print that state without a word."""
        return tuple(sorted(self._cautions))

    def guards(self, program) -> bool:
        """Does this model keep x86tso-mixed.cat's `internal` for `program`'s buffered stores
        (`_may_forward_in_part`; tso_internal.py)? Its moves are then made the plain way
        (`core_transitions`, `internal_of`): the reductions below argue from moves that never
        wait for `internal`, and are not asked."""
        if program is not self._program:
            self._explores(program)
        return self._guarded

    def select(self, program, state: MachineState, enabled: list[Transition]) -> list[Transition]:
        """Partial-order reduction (the `tso-local-first` reduction): follow only the moves of
        one core, when they commute with everything the other cores can still do.

        1. A store into a core's own buffer, or a fence with its buffer empty, touches nothing
           another core sees (its buffer's tail, its registers) and commutes with every other
           move: other cores' steps and drains, and its own core's drains (a drain takes the
           buffer's head, the store appends to its tail; a fence with an empty buffer has
           nothing to drain). It is followed alone.
        2. Else, a core whose every enabled move (its next instruction, the drain of its
           buffer's head) touches only locations that no other core can still touch — in its
           buffer or in an instruction it has yet to run, with addresses no register forms —
           has moves that commute with everything the others may do before them: its moves
           alone are followed.
        In both cases the followed moves form a persistent set: every execution from here is
        equivalent to one starting with one of them, so every final state stays reachable. The
        machine asks only for loop-free programs that cannot hit the step budget, so the state
        graph has no cycle and no execution is cut short. With the `tso-persistent` reduction,
        rule 2 gives way to `persistent`'s sets (a core as rule 2 wants it makes one)."""
        if self.guards(program):
            return enabled
        if not self.local_first and not self.persistent_sets:
            return enabled
        buffers = state.memory.buffers
        mine: dict[int, list[Transition]] = {}
        for t in enabled:
            if t.executes and self.local_first:
                info = program.threads[t.tid].core.info(state.threads[t.tid])
                if info.kind is Kind.STORE or (info.kind is Kind.FENCE and not buffers[t.tid]):
                    return [t]
            mine.setdefault(t.tid, []).append(t)
        if self.persistent_sets:  # the moves `persistent` tells before they are made
            chosen = self._persistent_of(program, state)
            if chosen is None:
                return enabled
            cores, drains = chosen
            return [t for t in enabled if t.tid in (cores if t.executes else drains)]
        if len(mine) < 2:
            return enabled
        footprints = [self._footprint(program, state, tid) for tid in range(len(buffers))]
        for tid, moves in mine.items():
            touched = set()
            for t in moves:
                if t.executes:
                    loc = self._location(program, tid, state.threads[tid])
                    if loc is None:
                        break
                    touched.add(loc)
                else:
                    touched.add(buffers[tid][0].loc)
            else:
                if all(f is not None and not (f & touched)
                       for other, f in enumerate(footprints) if other != tid):  # fmt: skip
                    return moves
        return enabled

    def alone(self, program, state: MachineState) -> int | None:
        """Rule 1 of `select`, told before any move is made: the first core whose next
        instruction is a store, or a fence with its buffer empty (`select` would keep its move
        alone; the machine then makes no other core's move, nor any drain). With the
        `tso-persistent` reduction, `persistent` tells it (in the same lookup)."""
        if not self.local_first or self.persistent_sets or self.guards(program):
            return None
        buffers = state.memory.buffers
        for tid, thread in enumerate(program.threads):
            info = thread.core.info(state.threads[tid])
            if info is not None and (info.kind is Kind.STORE
                                     or info.kind is Kind.FENCE and not buffers[tid]):  # fmt: skip
                return tid
        return None

    def persistent(self, program, state: MachineState):
        """Partial-order reduction by persistent sets (the `tso-persistent` reduction): the
        cores whose next instruction, and the cores whose buffer's drain, exploration follows
        from `state` (every enabled move when no smaller set is closed, or when only one move
        is enabled: the machine then makes those alone, not every core's move and then
        `select`); two empty sets when no move is enabled.

        Each core is two processes here: its instructions (I) and its buffer's drains (D, in
        the order of its stores). Two moves of different processes are dependent when they
        touch the same location in memory and one of them writes it: a drain or a locked
        instruction writes memory; a load or a locked instruction reads it (a store only
        appends to its own buffer, a fence with its buffer empty touches nothing). A core's
        own loads and drains commute (the load sees the newest of its own buffered stores,
        whether the older ones are still buffered or in memory); its MFENCE or locked
        instruction and its drains are never enabled together, and the drains are what
        enables them. Starting from one enabled move, the set is closed (a stubborn set,
        Valmari; Godefroid's persistent sets): for an enabled move, every other process that
        may still make a move dependent on it (its future loads, locked instructions, and
        stores that its drains will write: known from the code from its PC on, addresses no
        register forms; unknown means dependent) adds its next move; for a move that cannot
        be made yet, what must happen first is added (an MFENCE or locked instruction waiting
        for its buffer: that buffer's drain; a drain of an empty buffer: its core's next
        instruction). The enabled moves of the set form a persistent set: no sequence of
        moves outside it can touch what its moves touch, so every execution from here is
        equivalent (the same final state) to one that starts with a move of the set. Of the
        sets from each enabled move, the smallest is followed. As for `select`, the machine
        asks only for loop-free programs that cannot hit the step budget: the state graph is
        finite and acyclic, and following persistent sets alone reaches every final state
        (Godefroid, Partial-Order Methods, theorem 4.3), with or without states merged by
        their keys (merged states reach the same outcomes)."""
        if not self.persistent_sets or self.guards(program):
            return None
        return self._persistent_of(program, state)

    def _persistent_of(self, program, state: MachineState):
        """`persistent`'s answer, which rests only on each core's PC and the locations in its
        buffer (cached by the PCs and the buffers, then by the PCs and the buffers' locations;
        what rests on the PCs alone, by them)."""
        if program is not self._program:
            self._explores(program)
        return self._persistent_at(program, tuple(map(getitem, state.threads,
                                                      self._pc_indices)), state.memory.buffers)

    def _persistent_at(self, program, pcs: tuple[int, ...], buffers):
        """`_persistent_of` a state whose cores are at `pcs`, with these buffers."""
        found = self._persistent.get((pcs, buffers))
        if found is None:
            found = self._persistent[pcs, buffers] = self._persistent_by_locations(
                program, pcs, _locations_of(buffers))
        return found

    def _persistent_by_locations(self, program, pcs: tuple[int, ...], locs: tuple):
        """`_persistent_at`, told by the locations in each buffer (`_locations_of`): all the
        set rests on."""
        found = self._by_locations.get((pcs, locs))
        if found is None:
            found = self._by_locations[pcs, locs] = self._persistent_found(program, pcs, locs)
        return found

    def _persistent_found(self, program, pcs: tuple[int, ...], locs: tuple):
        """`_persistent_by_locations`, not remembered by (PCs, locations) here (`Interned`
        remembers it so)."""
        at = self._at_pcs.get(pcs)
        if at is None:
            at = self._at_pcs[pcs] = self._at(program, pcs)
        plans, first = at
        for tid, alone, if_empty in first:  # `alone`'s rule: a set of one move
            if not if_empty or not locs[tid]:
                found = alone
                break
        else:  # (the set rests on the plans and the buffers' locations alone, the same in
            # many programs: with `reuse`, remembered across them too)
            shared = (plans, locs) if self._reuse else None
            found = _PERSISTENT_SETS.get(shared)
            if found is None:
                found = self._persistent_set(plans, locs)
                if shared is not None:
                    if len(_PERSISTENT_SETS) >= reduce.CACHE_LIMIT:
                        _PERSISTENT_SETS.clear()
                    _PERSISTENT_SETS[shared] = found
        return found

    def _explores(self, program) -> None:
        """The caches, for this program (a model explores one program at a time)."""
        self._program, self._persistent, self._at_pcs, self._plans = program, {}, {}, []
        self._by_locations = {}
        self._reuse = reduce.enabled("reuse")  # (sets shared across programs)
        self._pc_indices = [t.core.pc_index for t in program.threads]
        self._guarded = _may_forward_in_part(program)
        self._cores = [t.core for t in program.threads]
        self._said = {}

    def _at(self, program, pcs: tuple[int, ...]) -> tuple[tuple[_Plan, ...], list[tuple]]:
        """Each core's `_Plan` at these PCs, and with `tso-local-first`, the cores whose next
        move is taken alone: (core, its set, whether only with its buffer empty)."""
        plans_of = self._plans
        if not plans_of:  # (each core's plans, when the first set is asked for)
            plans_of.extend(self._all_plans(program))
        plans = tuple(map(dict.get, plans_of, pcs, repeat(_FINISHED)))
        if not self.local_first:
            return plans, ()
        first = _FIRST.get(plans)
        if first is None:
            first = []
            for tid, plan in enumerate(plans):
                kind = plan.kind
                if kind is _STORE or kind is _FENCE:
                    first.append((tid, _processes(1 << 2 * tid, len(pcs)), kind is _FENCE))
            if len(_FIRST) >= reduce.CACHE_LIMIT:
                _FIRST.clear()
            _FIRST[plans] = first = tuple(first)
        return plans, first

    def _all_plans(self, program) -> list[dict[int, _Plan]]:
        """Each core's `_plans_of`. They rest on its code (its target, bytes and address: what
        it decodes to) and the locations' addresses, the same in many programs: with
        `reuse`, remembered across them by those."""
        if not self._reuse:
            return [_plans_of(program, tid) for tid in range(len(program.threads))]
        located = tuple([(addr, loc.index) for addr, loc in program.by_addr.items()])
        out = []
        for tid, thread in enumerate(program.threads):
            core = thread.core
            key = (core.target.name, core.base, core.code, located)
            plans = _CORE_PLANS.get(key)
            if plans is None:
                if len(_CORE_PLANS) >= reduce.CACHE_LIMIT:
                    _CORE_PLANS.clear()
                plans = _CORE_PLANS[key] = _plans_of(program, tid)
            out.append(plans)
        return out

    def _persistent_set(self, plans: tuple[_Plan, ...], locs: tuple):
        """The smallest closed set (see `persistent`; every enabled move when no smaller set is
        closed, two empty sets when no move is enabled), from the plans and the locations in
        each buffer (`_locations_of`). Processes are bits of one int (bit 2i: core i's
        instructions, 2i + 1: its drains), as are locations (bit k: location k; -1: unknown,
        any), so that "may touch" is `&`; what rests on the plans alone is `_Tables`'."""
        n = len(locs)
        enabled = 0
        for tid, ((kind, _, waits, _, _, _), buffer) in enumerate(zip(plans, locs)):
            if kind is not None and not (waits and buffer):  # (a `_Plan`, unpacked in C)
                enabled |= 1 << 2 * tid
            if buffer:
                enabled |= 2 << 2 * tid
        if enabled & (enabled - 1) == 0:  # one move (or none): the set is that move
            return _processes(enabled, n) if enabled else _NOTHING
        tables = _PLAN_TABLES.get(plans) if self._reuse else None
        if tables is None:
            tables = _Tables(plans)
            if self._reuse:
                if len(_PLAN_TABLES) >= reduce.CACHE_LIMIT:
                    _PLAN_TABLES.clear()
                _PLAN_TABLES[plans] = tables
        # the locations each buffer's drains may write: its stores, buffered and to come
        drainers = []
        for (bit, stores), buffer in zip(tables.drains, locs):
            if stores != -1:
                for loc in buffer:
                    stores |= 1 << loc
            drainers.append((bit, stores))
        needs = []  # what each process's next move brings in
        for tid, ((access, static, loc, waits), buffer) in enumerate(zip(tables.cores, locs)):
            mine = 3 << 2 * tid
            if waits and buffer:  # waits for its buffer: the drain enables it
                needs.append(2 << 2 * tid)
            elif not access:  # finished (no move to come: never needed), a store into its
                needs.append(0)  # own buffer or a fence: independent of every move
            else:  # the drains the access may see, and the other cores' accesses
                need = static
                for bit, drain in drainers:
                    if drain & loc:
                        need |= bit
                needs.append(need & ~mine)
            if buffer:
                head = buffer[0]
                need = tables.readers.get(head)
                if need is None:
                    need = tables.readers_of(head)
                loc = 1 << head
                for bit, drain in drainers:
                    if drain & loc:
                        need |= bit
                needs.append(need & ~mine)
            else:  # nothing to drain until the core stores
                needs.append(1 << 2 * tid)
        best, size = 0, 2 * n + 1
        seeds = enabled
        while seeds:
            first = seeds & -seeds
            seeds ^= first
            chosen, todo = first, [first.bit_length() - 1]
            while todo:
                new = needs[todo.pop()] & ~chosen
                chosen |= new
                while new:
                    bit = new & -new
                    todo.append(bit.bit_length() - 1)
                    new ^= bit
            moves = chosen & enabled
            count = moves.bit_count()
            if count < size:
                best, size = moves, count
                if size == 1:
                    break
        return _processes(best, n)  # (every enabled move, when no smaller set is closed)

    def _location(self, program, tid: int, tstate) -> int | None:
        """The location the thread's next instruction accesses, if no register forms it."""
        info = program.threads[tid].core.info(tstate)
        loc = program.by_addr.get(info.static_addr) if info.static_addr is not None else None
        return None if loc is None else loc.index

    def _footprint(self, program, state: MachineState, tid: int) -> frozenset[int] | None:
        """Every location core `tid` may still touch (None: it cannot be told)."""
        core = program.threads[tid].core
        key = (id(program), tid, core.pc(state.threads[tid]))
        future = self._future.get(key, ())
        if future == ():
            future = self._future[key] = _future_locations(program, tid, key[2])
        if future is None:
            return None
        return future | {e.loc for e in state.memory.buffers[tid]}

    def successors(self, program, state: MachineState):
        """The fused step (the `tso-step` reduction): the (key, target) of each transition
        the machine would make from `state` (`Machine._transitions` with `persistent`'s set:
        its cores' moves in order, then its drains), made here in one pass, without
        `Transition` objects or the machine's and model's layers in between: the same keys
        (the same `_said` entries) and the same target states as `core_transitions` and
        `internal_of` make. Only for the common moves: a load, store, fence or locked
        instruction of a core (`_fused_move`) and a drain. None, for the machine to make them
        its general way, when `tso-persistent` is off or any move of the set is another kind
        (an unlocked read-modify-write, an exclusive, what waits), or a step spun
        (`Step.hung`). The machine asks only while it
        is bounded (`Machine.successors`)."""
        if not self.persistent_sets or self.guards(program):
            return None
        cores, drains = self._persistent_of(program, state)
        if not cores and not drains:
            return []  # nothing is enabled
        out = []
        for tid in sorted(cores) if len(cores) > 1 else cores:
            move = self._fused_move(program, state, tid)
            if move is None:
                return None
            out.append(move)
        if drains:
            mem: TsoMemory = state.memory
            for tid in sorted(drains) if len(drains) > 1 else drains:
                if not mem.buffers[tid]:
                    return None
                key = self._drain_said(program, tid, mem.buffers[tid][0])[0]
                out.append((key, state.with_memory(_drained(mem, tid))))
        return out

    def _fused_move(self, program, state: MachineState, tid: int):
        """(key, target) of core `tid`'s move as `core_transitions` makes it, for a load,
        store, fence or locked instruction that does not wait (a locked one reads and writes
        memory, its buffer empty); None for anything else."""
        core = self._cores[tid]
        tstate = state.threads[tid]
        info = core.infos.get(tstate[self._pc_indices[tid]])
        if info is None:
            return None
        kind = info.kind
        atomic = kind is _RMW
        if (kind is not _LOAD and kind is not _STORE and kind is not _FENCE
                and not (atomic and info.locked)):  # fmt: skip
            return None
        moved = self._fused_effect(program, core, info, tstate, state.memory, tid)
        if moved is None:
            return None
        after, new, sources, writes = moved
        key = self._step_said(tid, info, sources, writes, atomic)[0]
        return key, state.with_thread(tid, after, new)

    def _fused_effect(self, program, core, info: InsnInfo, tstate, mem: TsoMemory, tid: int):
        """What `_fused_move` makes of core `tid`'s instruction `info` (a load, store, fence or
        locked instruction) from `tstate` and `mem`: the thread's state after it, memory
        after it, the sources of its reads and how many writes it made; None when it waits
        for its buffer or its step spun."""
        atomic = info.kind is _RMW
        values, buffers = mem
        buffer = buffers[tid]
        if buffer and (atomic or info.barrier is _FULL):
            return None  # waits for its buffer (no move)
        sources = []
        reads: tuple[int, ...] = ()
        try:
            result = core.first(tstate)
            while result.__class__ is NeedRead:  # (as `execute`, with `core_transitions`' read)
                loc, offset = program.place(result.addr, result.size, "read")
                value, newest = _forwarded(buffer, values, loc.index, offset, result.size)
                if newest is not None and _uncovered(buffer, loc.index, offset, result.size):
                    self._cautions.add(PARTLY_FORWARDED)  # (not guarded: `guards`)
                sources.append(MEMORY if newest is None else ("buf", newest))
                reads = (*reads, value)
                result = core.run(tstate, reads)
            if result.hung:
                return None
            writes = result.writes
            new = _written(program, mem, tid, writes, atomic)
        except AccessError as e:  # named at the instruction (as `Machine._moves`)
            raise e.at(info.address, info.text) from None
        return result.state, new, tuple(sources), len(writes)

    def interned(self, machine) -> Interned | None:
        """The interned search of `machine`'s program (the `tso-interned` reduction, over
        `tso-step`), None when it is off."""
        if (not self.persistent_sets or not reduce.enabled("tso-interned")
                or self.guards(machine.program)):  # fmt: skip
            return None
        return Interned(self, machine)

    def initial_memory(self, program):
        return TsoMemory(initial_values(program), ((),) * len(program.threads))

    def core_transitions(self, program, state: MachineState, tid: int, info: InsnInfo):
        mem: TsoMemory = state.memory
        buffer = mem.buffers[tid]
        kind = info.kind
        if kind is _LOAD_EXCL or kind is _STORE_EXCL:
            raise refuse(self.name, info, "exclusives are not x86 instructions")
        atomic = kind is _RMW
        if atomic and not info.locked:
            raise refuse(self.name, info, "an unlocked read-modify-write is not atomic")
        if (atomic or info.barrier is _FULL) and buffer:
            return ()  # waits for the buffer to drain

        sources = []  # for execution graphs: the buffer entry or memory each read took
        values = mem.values
        guarded = self.guards(program)
        reads = []  # when guarded: (location, bytes, bytes from memory, `_taken`) of each read

        if atomic or not buffer:  # (a locked instruction reads memory itself)
            def read(loc, offset, size, index):
                sources.append(MEMORY)
                if guarded:
                    reads.append((loc.index, mask(offset, size), mask(offset, size), ()))
                return get_bytes(values[loc.index], offset, size)
        else:
            def read(loc, offset, size, index):
                value, newest = _forwarded(buffer, values, loc.index, offset, size)
                if guarded:
                    taken, memory = _taken(buffer, loc.index, offset, size)
                    reads.append((loc.index, mask(offset, size), memory, taken))
                elif newest is not None and _uncovered(buffer, loc.index, offset, size):
                    self._cautions.add(PARTLY_FORWARDED)
                sources.append(MEMORY if newest is None else ("buf", newest))
                return value

        step, _ = self.execute(program, state, tid, read)
        new = _written(program, mem, tid, step.writes, atomic)
        if guarded and (reads or step.writes):
            buffers = stepped(new.buffers, tid, reads, _placed_writes(program, step.writes),
                              atomic, len(buffer))  # fmt: skip
            if buffers is None:
                return ()  # waits: a store would close a cycle of internal (tso_internal.py)
            new = _memory_of((new.values, buffers))
        said = self._step_said(tid, info, tuple(sources), len(step.writes), atomic)
        return (Transition(said[0], tid, said[1], state.with_thread(tid, step.state, new),
                           step=step, provenance=said[2]),)  # fmt: skip

    def _step_said(self, tid: int, info: InsnInfo, sources: tuple, writes: int, atomic: bool):
        """A core step's key, label and provenance (for execution graphs: the buffer entry or
        memory each read took, where each write went), made once."""
        said_key = (tid, info.address, sources, writes)
        said = self._said.get(said_key)
        if said is None:
            goes = (MEMORY if atomic else ("buf",),) * writes
            said = self._said[said_key] = (str(tid), self.label(tid, info),
                                           Provenance(sources, goes))  # fmt: skip
        return said

    def _drain_said(self, program, tid: int, entry: Entry) -> tuple[str, str]:
        """A drain's key and label, made once."""
        said = self._said.get((tid, entry))
        if said is None:
            said = self._said[tid, entry] = (f"d{tid}",
                                             f"P{tid}: drain {entry.text(program)} to memory")
        return said

    def internal_transitions(self, program, state: MachineState):
        return self.internal_of(program, state, range(len(state.memory.buffers)))

    def internal_of(self, program, state: MachineState, tids):
        mem: TsoMemory = state.memory
        guarded = self.guards(program)  # (the program's caches made, as each move needs)
        out = []
        for tid in tids:
            buffer = mem.buffers[tid]
            if not buffer:
                continue
            after = _drained(mem, tid)
            if guarded:
                buffers = drained(mem.buffers, tid)
                if buffers is None:
                    continue  # waits: it would close a cycle of internal (tso_internal.py)
                after = _memory_of((after.values, buffers))
            said = self._drain_said(program, tid, buffer[0])
            out.append(Transition(said[0], tid, said[1], state.with_memory(after),
                                  executes=False, provenance=DRAINS))  # fmt: skip
        return out

    def explain(self, program, state: MachineState, tid: int) -> list[Reason]:
        mem: TsoMemory = state.memory
        buffer = mem.buffers[tid]
        held = ", ".join(e.text(program) for e in buffer)
        info = program.threads[tid].core.info(state.threads[tid])
        out = [Reason(tid, f"store buffer holds {held} (oldest first; other cores cannot see "
                           "these yet)" if buffer else "store buffer is empty")]  # fmt: skip
        if info is None:
            out.insert(0, Reason(tid, "finished"))
        elif info.kind is Kind.RMW or info.barrier is Barrier.FULL:
            what = "MFENCE" if info.barrier is Barrier.FULL else f"{info.mnemonic} (locked)"
            if buffer:
                out.append(Reason(tid, f"{what} waits for the store buffer to drain: drain "
                                       f"d{tid} first", False))  # fmt: skip
            elif info.kind is Kind.RMW:
                out.append(Reason(tid, "a locked instruction reads and writes memory itself, "
                                       "atomically, with the buffer empty"))  # fmt: skip
        elif info.barrier in (Barrier.LFENCE, Barrier.SFENCE):
            out.append(Reason(tid, f"{info.mnemonic} does not order ordinary memory under "
                                   "x86-TSO"))  # fmt: skip
        moves = self.moves_of(program, state, tid, info)
        if self.guards(program):
            out += _held_back(program, tid, info, buffer, moves)
        for t in moves:
            text = what_it_does(program, t)
            if not t.executes:
                text += " (the oldest entry first; then every core sees it)"
            elif t.provenance is not None:
                text += _where_reads_went(t, info, buffer, program)
            out.append(Reason(tid, text, True, t.key))
        return out

    def is_final(self, program, memory: TsoMemory):
        return not any(memory.buffers)

    def final_memory(self, program, memory: TsoMemory):
        return program.final_memory(dict(enumerate(memory.values)))

    def describe(self, program, memory: TsoMemory):
        return {
            "memory": shown_memory(program, memory.values),
            "store buffers": [[e.shown(program) for e in buf] for buf in memory.buffers],
        }


class Interned:
    """The fused step over interned states (the `tso-interned` reduction): exhaustive search
    of a bounded machine knows a state by a tuple of small ints, one for each thread (what
    `Machine.thread_key` knows it by, with its step count) and one for the memory (values
    and buffers), numbered as they are first met; `successors` gives the same steps, in the
    same order, as `TSO.successors` (its persistent sets, `_fused_effect`, `_drained`), as
    (key, state number tuple) pairs.

    Why it keeps every final state (and every state, transition and witness): two states
    get the same tuple exactly when `Machine.key` gives them the same key (the numbering
    is one to one on what the key is made of: each thread's `thread_key` and the memory),
    so the search merges the same states. A state's successors are worked out from what its
    numbers stand for (`state`: each thread's first state met with its number, and the
    memory; the state the machine's search keeps, the first met with the whole key, differs
    from it at most in a finished thread's registers that the outcome does not read, which
    no move, status or outcome reads): a core's move rests only on its thread's state and
    memory (`Core.run` is a function of the thread's state and the values read, and TSO's
    reads and writes of the buffer and memory, its persistent sets of the PCs and the
    buffers), and a drain on memory alone, so each is remembered by the (thread, memory)
    numbers it was made from; a finished thread makes no move. Where the fused step does not
    answer (None: an instruction it does not make, a step that spun), the search takes the
    machine's transitions from `state` and numbers their targets (`number`). A state with no move
    enabled is told final (`final`) and its outcome put together (`outcome`) from what its
    threads' and memory's numbers stand for, each worked out once."""

    def __init__(self, model: TSO, machine) -> None:
        program = machine.program
        if program is not model._program:
            model._explores(program)
        self.model, self.machine, self.program = model, machine, program
        # each thread's `thread_key`s -> their numbers (one numbering for all threads)
        self._slots: list[dict] = [{} for _ in program.threads]
        self._thread_key = machine.thread_key
        self._threads: list[tuple] = []  # by number: (thread state, steps) first met
        self._pcs: list[int] = []  # by number: the thread's PC
        self._pc_of = self._pcs.__getitem__
        self._done: list[bool] = []  # by number: has the thread finished?
        # the outcome's parts (`Machine.registers_part`s, `locations_part`s), numbered by
        # whose they are and their values; by thread number, its registers part's number (None: not worked out
        # yet; -1: the thread has not finished); by memory, its locations part's (-1: memory
        # is not final, `TSO.is_final`)
        self._part_numbers: dict[tuple, int] = {}
        self._part_values: list[tuple] = []
        self._part_ids: list[int | None] = []
        self._located_ids: dict[int, int] = {}
        self._memory_ids: dict[TsoMemory, int] = {}
        self._memories: list[TsoMemory] = []
        # by thread number, its moves: memory -> the (thread, memory) numbers after it (keyed
        # by an int, no tuple made for each lookup)
        self._moves: list[dict[int, tuple[int, int] | None]] = []
        self._drains: dict[int, int] = {}  # memory * cores + core -> memory after
        self._n = len(program.threads)
        # the buffers' locations (`_locations_of`), numbered: by number, and each memory's
        self._locations: list[tuple] = []
        self._locations_ids: dict[tuple, int] = {}
        self._buffers_at: dict[tuple, int] = {}  # buffers -> their locations' number
        self._locations_at: list[int] = []  # by memory
        self._sets: dict[tuple, tuple] = {}  # (*PCs, locations) -> (cores, drains), in order
        self._steps = [str(tid) for tid in range(len(program.threads))]
        self._drain_keys = [f"d{tid}" for tid in range(len(program.threads))]

    def number(self, state: MachineState) -> tuple[int, ...]:
        """The state's tuple (its threads' numbers, then its memory's)."""
        return (*[self._slot(tid, t, n) for tid, (t, n) in
                  enumerate(zip(state.threads, state.steps))],
                self._memory(state.memory))  # fmt: skip

    def state(self, numbers: tuple[int, ...]) -> MachineState:
        """A state with this tuple: each thread's first state met with its number, and the
        memory."""
        threads = [self._threads[n] for n in numbers[:-1]]
        return MachineState(tuple([t for t, _ in threads]), tuple([n for _, n in threads]),
                            self._memories[numbers[-1]])  # fmt: skip

    def _slot(self, tid: int, tstate, steps: int) -> int:
        key = self._thread_key(tid, tstate, steps)
        slots = self._slots[tid]
        found = slots.get(key)
        if found is None:
            found = slots[key] = len(self._threads)
            self._threads.append((tstate, steps))
            self._moves.append({})
            pc = tstate[self.model._pc_indices[tid]]
            self._pcs.append(pc)
            done = pc not in self.model._cores[tid].infos  # (`Core.info`)
            self._done.append(done)
            self._part_ids.append(None if done else -1)
        return found

    def final(self, numbers: tuple[int, ...]) -> bool:
        """Is a state in which no move is enabled final (`Machine.status` of a bounded
        machine: every thread has finished and memory is final, `TSO.is_final`), not stuck?"""
        return self.final_key(numbers) is not None

    def final_key(self, numbers: tuple[int, ...]) -> tuple[int, ...] | None:
        """For a state in which no move is enabled: None if it is not final (stuck), else its
        outcome's key, the numbers of its threads' registers parts and of its memory's
        locations part (`outcome_of`). Two final states have the same key exactly when they
        have the same outcome: each part is numbered by its value, a thread's part is always
        the same observables (its own registers, in the outcome's order) and the outcome is
        the parts one after the other, reordered the same way (`Machine.outcome_from`). So
        the search can tell outcomes apart by these small tuples, without making or hashing
        an outcome for every final state."""
        key = (*map(self._part_ids.__getitem__, numbers[:-1]), self._located_ids.get(numbers[-1]))
        if None in key:  # a part not yet worked out
            key = self._final_key(numbers)
        return None if -1 in key else key

    def _final_key(self, numbers: tuple[int, ...]) -> tuple[int, ...]:
        """`final_key`, working out the parts it lacks (as `final` and `outcome` did: no
        part of a state that is not final)."""
        threads, m = numbers[:-1], numbers[-1]
        ids = self._part_ids
        if -1 in map(ids.__getitem__, threads):
            return (-1,)
        located = self._located_ids.get(m)
        if located is None:
            memory = self._memories[m]
            located = self._located_ids[m] = (
                self._part_number(-1, self.machine.locations_part(
                    memory, self.model.restart_epoch(self.program)))
                if self.model.is_final(self.program, memory) else -1)  # fmt: skip
        if located == -1:
            return (-1,)
        for tid, n in enumerate(threads):
            if ids[n] is None:
                ids[n] = self._part_number(tid, self.machine.registers_part(
                    tid, self._threads[n][0]))  # fmt: skip
        return (*map(ids.__getitem__, threads), located)

    def _part_number(self, whose: int, part: tuple) -> int:
        """The number of thread `whose`'s registers part (-1: memory's locations part),
        numbered by its values: its observables are always the same ones (no observable is
        hashed)."""
        key = (whose, tuple(map(_VALUE, part)))
        found = self._part_numbers.get(key)
        if found is None:
            found = self._part_numbers[key] = len(self._part_values)
            self._part_values.append(part)
        return found

    def outcome_of(self, key: tuple[int, ...]):
        """The outcome a `final_key` stands for (`Machine.outcome_from` of its parts)."""
        pairs = ()
        values = self._part_values
        for k in key:
            pairs += values[k]
        return self.machine.outcome_from(pairs)

    def _memory(self, memory: TsoMemory) -> int:
        found = self._memory_ids.get(memory)
        if found is None:
            found = self._memory_ids[memory] = len(self._memories)
            self._memories.append(memory)
            buffers = memory.buffers
            located = self._buffers_at.get(buffers)
            if located is None:
                locs = _locations_of(buffers)
                located = self._locations_ids.get(locs)
                if located is None:
                    located = self._locations_ids[locs] = len(self._locations)
                    self._locations.append(locs)
                self._buffers_at[buffers] = located
            self._locations_at.append(located)
        return found

    def outcome(self, numbers: tuple[int, ...]):
        """`Machine.outcome` of `state(numbers)` (a final state), put together from the part
        each thread's registers give (by its number) and the part memory gives (by its
        number), each worked out once (`final_key`, `outcome_of`)."""
        return self.outcome_of(self.final_key(numbers))

    def successors(self, numbers: tuple[int, ...]) -> list[tuple[str, tuple]] | None:
        """`TSO.successors` of `state(numbers)`, their targets as tuples (None where it
        answers None): `expand`'s, in `TSO.successors`' order. (A state's successors are
        distinct: a core's move changes its thread's number, its step count being part of
        it, and a drain only its buffer.)"""
        parents: list[int] = []
        steps: list[str] = []
        stack: list[tuple] = []
        if self.expand(numbers, 0, {}, parents, steps, stack) is None:
            return None
        return [(key, target) for key, (target, _) in zip(reversed(steps), reversed(stack))]

    def expand(self, numbers: tuple[int, ...], number: int, known: dict, parents: list[int],
               steps: list[str], stack: list) -> int | None:  # fmt: skip
        """The search's step from state `numbers` (its number `number`): its successors
        (`TSO.successors`' steps, in the reverse order, as the search takes them last
        first), each target not yet in `known` numbered there as the next state
        (`len(parents)`), its parent, its step's key and (target, number) appended to
        `parents`, `steps` and `stack`. How many successors it has (0: no move is
        enabled); None, having pushed nothing, where `TSO.successors` answers None."""
        m = numbers[-1]
        threads = numbers[:-1]
        at = (*map(self._pc_of, threads), self._locations_at[m])
        chosen = self._sets.get(at)
        if chosen is None:  # (`_persistent_found`'s set, each part in reverse order)
            found = self.model._persistent_found(self.program, at[:-1], self._locations[at[-1]])
            chosen = _ORDERED.get(found)
            if chosen is None:
                chosen = _ORDERED[found] = (tuple(sorted(found[0], reverse=True)),
                                            tuple(sorted(found[1], reverse=True)))  # fmt: skip
            self._sets[at] = chosen
        cores, drains = chosen  # (each last first)
        if cores:
            moves = self._moves
            made = []
            for tid in cores:
                slot = numbers[tid]
                moved = moves[slot].get(m, False)
                if moved is False:
                    moved = moves[slot][m] = self._move(tid, slot, m)
                if moved is None:
                    return None
                target = list(numbers)
                target[tid], target[-1] = moved
                made.append((tid, tuple(target)))
        elif not drains:
            return 0
        for tid in drains:
            at = m * self._n + tid
            after = self._drains.get(at)
            if after is None:
                memory = self._memories[m]
                if not memory.buffers[tid]:
                    # (not met: the persistent set drains non-empty buffers only; were it met
                    # after another drain, that one would already be pushed, against `expand`'s
                    # promise to push nothing where it answers None)
                    return None
                after = self._drains[at] = self._memory(_drained(memory, tid))
            target = (*threads, after)
            new = len(parents)
            if known.setdefault(target, new) == new:
                parents.append(number)
                steps.append(self._drain_keys[tid])
                stack.append((target, new))
        if cores:
            keys = self._steps
            for tid, target in made:
                new = len(parents)
                if known.setdefault(target, new) == new:
                    parents.append(number)
                    steps.append(keys[tid])
                    stack.append((target, new))
            return len(made) + len(drains)
        return len(drains)

    def _move(self, tid: int, slot: int, m: int) -> tuple[int, int] | None:
        """(thread, memory) numbers after core `tid`'s move (as `TSO._fused_move`)."""
        model = self.model
        core = model._cores[tid]
        info = core.infos.get(self._pcs[slot])
        if info is None:
            return None
        kind = info.kind
        if (kind is not _LOAD and kind is not _STORE and kind is not _FENCE
                and not (kind is _RMW and info.locked)):  # fmt: skip
            return None
        tstate, steps = self._threads[slot]
        moved = model._fused_effect(self.program, core, info, tstate, self._memories[m], tid)
        if moved is None:
            return None
        after, memory = moved[0], moved[1]
        return self._slot(tid, after, steps + 1), self._memory(memory)


class _Plan(NamedTuple):  # (a named tuple: hashed in C, as `_PERSISTENT_SETS`' keys are)
    """A core's code from one PC on, for `TSO.persistent`: its next instruction (`kind`: None
    when finished; OTHER for what is not a plain load, store, fence or locked instruction)
    and its location (`loc_mask`, bit k for location k; -1: unknown), whether it waits for an
    empty buffer, and the locations its loads and locked instructions may read (`reads`), its
    locked instructions may write (`rmws`) and its stores may write (`stores`) from here on,
    as bits of an int (-1: unknown, any)."""

    kind: Kind | None
    loc_mask: int
    waits: bool
    reads: int
    rmws: int
    stores: int


class _Tables:
    """What `TSO._persistent_set` needs of the cores' plans, worked out once for the plans
    (the buffers' locations then add to it): for each core, whether its next instruction is
    an access that may conflict with other cores' moves (a load, a locked instruction, or
    what is not known; not a store into its own buffer, a fence, nor past its last
    instruction), the other cores' instructions it brings in (a load: their locked
    instructions on its location; else: their loads and locked instructions there), its
    location and whether it waits for an empty buffer; each buffer's drain process bit and
    the locations its core's stores to come may write; and by location, the cores whose
    loads and locked instructions to come may read it (a drain there brings them in)."""

    __slots__ = ("cores", "drains", "readers", "_reads")

    def __init__(self, plans: tuple[_Plan, ...]) -> None:
        self._reads = [(1 << 2 * j, other.reads) for j, other in enumerate(plans)]
        lockers = [(1 << 2 * j, other.rmws) for j, other in enumerate(plans)]
        self.cores = []
        for plan in plans:
            kind, loc = plan.kind, plan.loc_mask
            access = kind is not None and kind is not _STORE and kind is not _FENCE
            static = 0
            if access:
                for bit, touched in (lockers if kind is _LOAD else self._reads):
                    if touched & loc:
                        static |= bit
            self.cores.append((access, static, loc, plan.waits and kind is not None))
        self.drains = [(2 << 2 * j, other.stores) for j, other in enumerate(plans)]
        self.readers: dict[int, int] = {}  # location -> the cores that may read it

    def readers_of(self, index: int) -> int:
        loc, need = 1 << index, 0
        for bit, touched in self._reads:
            if touched & loc:
                need |= bit
        self.readers[index] = need
        return need


_PLAIN = (Kind.LOAD, Kind.STORE, Kind.RMW, Kind.FENCE)
_ANY = -1  # every location (unknown), as a mask
_FINISHED = _Plan(None, _ANY, False, 0, 0, 0)  # past the core's last instruction
_NOTHING: tuple[frozenset[int], frozenset[int]] = (frozenset(), frozenset())  # no move enabled
# `TSO._persistent_set`'s answers by the plans and the buffers' locations, for every program
_PERSISTENT_SETS: dict[tuple, tuple | None] = {}
_PLAN_TABLES: dict[tuple, _Tables] = {}  # `_Tables` by the plans, for every program (`reuse`)
_CORE_PLANS: dict[tuple, dict] = {}  # `TSO._all_plans`' (a core's code, the locations) -> plans
_FIRST: dict[tuple, tuple] = {}  # `TSO._at`'s cores taken alone, by the plans
# a set's cores and drains, each in reverse order (`Interned.expand`), by the set
_ORDERED: dict[tuple, tuple[tuple[int, ...], tuple[int, ...]]] = {}


def _locations_of(buffers) -> tuple[tuple[int, ...], ...]:
    """The locations in each buffer, oldest first: what `TSO._persistent_set` reads of them."""
    return tuple([tuple(map(_LOCATION, b)) for b in buffers])


_LOCATION = itemgetter(0)  # an `Entry`'s location
_VALUE = itemgetter(1)  # an (observable, value) pair's value
# a `TsoMemory` and an `Entry` from a tuple of all their fields, made in C (a named tuple's
# own constructor is a Python function)
_memory_of = partial(tuple.__new__, TsoMemory)
_entry_of = partial(tuple.__new__, Entry)


def _processes(moves: int, n: int) -> tuple[frozenset[int], frozenset[int]]:
    """The cores whose instruction and the cores whose drain are among `moves` (bits)."""
    found = _PROCESSES.get((moves, n))
    if found is None:
        found = _PROCESSES[moves, n] = (
            frozenset([t for t in range(n) if moves >> 2 * t & 1]),
            frozenset([t for t in range(n) if moves >> 2 * t & 2]))  # fmt: skip
    return found


_PROCESSES: dict[tuple[int, int], tuple[frozenset[int], frozenset[int]]] = {}  # (at most 4^n)


def _plans_of(program, tid: int) -> dict[int, _Plan]:
    """The core's `_Plan` at each of its instructions, in one pass from its last instruction
    (what it may touch from an instruction on is what that instruction and the ones after it
    in the code touch; a location an address register forms is unknown from there back)."""
    out = {}
    found: dict[Kind, int] | None = {Kind.LOAD: 0, Kind.RMW: 0, Kind.STORE: 0}
    for addr, info in sorted(program.threads[tid].core.infos.items(), reverse=True):
        if found is not None and info.kind.touches_memory:
            loc = program.by_addr.get(info.static_addr) if info.static_addr is not None else None
            if loc is None or info.kind not in found:
                found = None
            else:
                found = {**found, info.kind: found[info.kind] | 1 << loc.index}
        out[addr] = _plan(program, info, found)
    return out


def _plan(program, info: InsnInfo, found: dict[Kind, int] | None) -> _Plan:
    """The plan at `info`, given what the code from it on touches (`found`, None: unknown)."""
    kind = info.kind if info.kind in _PLAIN else Kind.OTHER
    loc = program.by_addr.get(info.static_addr) if info.static_addr is not None else None
    waits = info.kind is Kind.RMW or info.barrier is Barrier.FULL
    mask = _ANY if loc is None or kind is Kind.OTHER else 1 << loc.index
    if found is None:
        return _Plan(kind, mask, waits, _ANY, _ANY, _ANY)
    rmws = found[Kind.RMW]
    return _Plan(kind, mask, waits, rmws | found[Kind.LOAD], rmws, found[Kind.STORE])


def _future_locations(program, tid: int, pc: int) -> frozenset[int] | None:
    """The locations a loop-free thread may access from `pc` on (None: an address is formed
    by registers, or is no location)."""
    out = set()
    for addr, info in program.threads[tid].core.infos.items():
        if addr < pc or not info.kind.touches_memory:
            continue
        loc = program.by_addr.get(info.static_addr) if info.static_addr is not None else None
        if loc is None:
            return None
        out.add(loc.index)
    return frozenset(out)


def _held_back(program, tid: int, info: InsnInfo | None, buffer: tuple,
               moves: list[Transition]) -> list[Reason]:  # fmt: skip
    """Why a core of a guarded program (`TSO.guards`) cannot make a move it otherwise could:
    it would close a cycle of x86tso-mixed.cat's `internal` (tso_internal.py)."""
    why = ("it would close a cycle of po-loc, rf, co and fr on {} (x86tso-mixed.cat's "
           "internal) through a store still buffered; it can go once that store drains")
    out = []
    waits = info is not None and buffer and (info.kind is Kind.RMW
                                             or info.barrier is Barrier.FULL)  # fmt: skip
    if info is not None and not waits and not any(t.executes for t in moves):
        out.append(Reason(tid, f"{info.text} waits: " + why.format("the location it accesses"),
                          False))  # fmt: skip
    if buffer and all(t.executes for t in moves):
        out.append(Reason(tid, f"drain d{tid} of {buffer[0].text(program)} waits: "
                               + why.format(buffer[0].place(program)), False))  # fmt: skip
    return out


def _where_reads_went(t: Transition, info: InsnInfo, buffer, program) -> str:
    """What a TSO step did with the buffer, in words: forwarded, read memory past buffered
    stores, or buffered a store."""
    notes = []
    for source in t.provenance.reads:
        if source[0] == "buf":
            notes.append(f"forwards {buffer[source[1]].text(program)} from its own store buffer")
        elif buffer and info.kind is not Kind.RMW:
            notes.append("reads memory: loads may pass its buffered stores to other locations")
    if t.provenance.writes and t.provenance.writes[0] == ("buf",):
        notes.append("the store waits in its buffer, unseen by other cores")
    return f" — {'; '.join(notes)}" if notes else ""


def _forwarded(buffer: tuple, values: tuple, index: int, offset: int, size: int):
    """What a core reads of location `index` at (offset, size): memory's bytes under its store
    buffer's entries there, oldest first (newer ones win); and which entry gave the newest
    bytes (None: memory)."""
    whole, newest = values[index], None
    for i, (loc, value, at, width, _) in enumerate(buffer):  # (an `Entry`, unpacked in C)
        if loc == index and at < offset + size and offset < at + width:
            whole, newest = put_bytes(whole, at, width, value), i
    return get_bytes(whole, offset, size), newest


def _uncovered(buffer: tuple, index: int, offset: int, size: int) -> int:
    """The bytes of (offset, size) of location `index` (bit b: byte b) that no entry of the
    buffer holds: those a load there reads from memory."""
    wanted = mask(offset, size)
    for loc, _, at, width, _ in buffer:
        if loc == index:
            wanted &= ~mask(at, width)
    return wanted


def _may_forward_in_part(program) -> bool:
    """Can a load of `program` take its bytes from more than one place (some from its own
    buffered store and the rest from memory, or from two of its buffered stores)? Only where
    two accesses of one location cover different bytes. Told from the code,
    erring towards yes: accesses the code places (`(x)`) by their location, offset and width;
    one a register places (`(%rcx)`) by its width alone, unless it has a displacement
    (`2(%rcx)`), which may put it anywhere in a location."""
    ranges: dict[int, set] = {}  # location -> (offset, width) of the accesses placed
    loose = set()  # widths of the accesses a register places
    for thread in program.threads:
        for info in thread.core.infos.values():
            if not info.width:
                continue
            if info.static_addr is None:
                if _DISPLACED.search(info.op_str):
                    return True
                loose.add(info.width)
                continue
            try:
                loc, offset = program.place(info.static_addr, info.width)
            except AccessError:
                return True  # (the access is refused when it runs)
            ranges.setdefault(loc.index, set()).add((offset, info.width))
    if any(len(placed) > 1 for placed in ranges.values()):
        return True
    return bool(loose) and len(loose | {w for placed in ranges.values() for _, w in placed}) > 1


_DISPLACED = re.compile(r"\[[^\]]*[-+][^\]]*\]|[0-9a-fx]\(")  # [rcx + 2], 2(%rcx)


def _taken(buffer: tuple, index: int, offset: int,
           size: int) -> tuple[list[tuple[int, int]], int]:  # fmt: skip
    """The entries of a core's buffer a load of (offset, size) of location `index` takes bytes
    from, each with those bytes (bit b: byte b): the newest entry covering each byte; and the
    bytes it reads from memory, which none covers (`_uncovered`'s)."""
    left = mask(offset, size)
    taken = []
    for i in range(len(buffer) - 1, -1, -1):
        loc, _, at, width, _ = buffer[i]
        took = left & mask(at, width) if loc == index else 0
        if took:
            taken.append((i, took))
            left &= ~took
    return taken, left


def _placed_writes(program, writes) -> list[tuple[int, int]]:
    """The location and bytes (bit b: byte b) of each of a step's writes."""
    out = []
    for w in writes:
        loc, offset = program.place(w.addr, w.size, "write")
        out.append((loc.index, mask(offset, w.size)))
    return out


PARTLY_FORWARDED = ("a load took some bytes from its own buffered store and the rest from "
                    "memory: tso may then allow a state x86tso-mixed.cat forbids (a store of "
                    "another core overlapping both, landing between the read and the drain); "
                    "--model tso-axiomatic judges by the cat file")  # fmt: skip


def _written(program, mem: TsoMemory, tid: int, writes, atomic: bool) -> TsoMemory:
    """Memory after core `tid`'s step wrote `writes`: into memory for a locked instruction
    (its buffer is empty), else at the end of its buffer."""
    if not writes:
        return mem  # (a load leaves memory and buffers as they are)
    if atomic:
        changed = list(mem.values)
        for w in writes:
            loc, offset = program.place(w.addr, w.size, "write")
            changed[loc.index] = put_bytes(changed[loc.index], offset, w.size, w.value)
        return _memory_of((tuple(changed), mem.buffers))
    added = []
    for w in writes:
        loc, offset = program.place(w.addr, w.size, "write")
        added.append(_entry_of((loc.index, w.value, offset, w.size, None)))
    values, old = mem
    buffers = list(old)
    buffers[tid] = old[tid] + tuple(added)
    return _memory_of((values, tuple(buffers)))


def _drained(mem: TsoMemory, tid: int) -> TsoMemory:
    """Memory after core `tid`'s oldest buffered store (it has one) reaches memory (the
    buffered stores' `Reach`, where kept, as it was: tso_internal.py's `drained` makes it)."""
    old_values, old_buffers = mem  # (named tuples unpacked in C, not field by field)
    buffer = old_buffers[tid]
    loc, value, offset, size, _ = buffer[0]
    values = list(old_values)
    values[loc] = put_bytes(values[loc], offset, size, value)
    buffers = list(old_buffers)
    buffers[tid] = buffer[1:]
    return _memory_of((tuple(values), tuple(buffers)))
