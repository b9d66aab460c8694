"""ARMv8 (AArch64, and A32 under AArch32 rules): Promising-ARM, explored promise-first.

The model is Promising-ARM (Pulte, Pichon-Pharabod, Kang, Lee, Hur, PLDI 2019), which allows
exactly the executions of Arm's axiomatic model (Arm ARM B2.3, herdtools7's `aarch64.cat`) as
of 2019, updated to the current `aarch64.cat` where it changed since (local.py).
Memory is a list of write messages, each message's index + 1 its timestamp (0: the initial
writes). Threads read, write, and order their accesses through views (fencelab/models/
local.py); the instruction semantics over Unicorn is in thread.py.

Executions run in two phases, the paper's promise-first exploration (§6.1; proved complete in
the Coq development, `promising_to_promising_pf`):

1. promising: threads append promised writes to memory, one at a time, in any interleaving
   (internal transitions `"<tid>.p<ts>.<loc>=<value>"`). A promise is offered only if the
   thread, run alone, could write it next and can then fulfil all its promises (certification,
   certify.py); this prunes, it never loses an execution;
2. executing: once every thread can run to its end fulfilling promises only (or no promise
   can be made any more), any thread may start executing; from then on memory is fixed, no
   more promises are made, and every write fulfils one of its thread's promises. Keys:
   `"<tid>"` for a barrier, `"<tid>.r<ts>"` for a read of the message at `ts`, `"<tid>.w<ts>"`
   for a write fulfilling the promise at `ts`, `"<tid>.r<ts>.w<ts>"` for an atomic,
   `"<tid>.fail"` for a failing store-exclusive.

Memory being fixed in phase 2 allows two more prunings that lose no outcome: a thread that
moved past one of its promises in coherence can never fulfil it (it stops), and a loop
iteration that returns a thread to exactly where its previous iteration left it (a spin on a
stale value, a store-exclusive failing again) is not explored twice. With `threads-apart` the
threads' runs from a state where they may start are found apart (apart.py), and the machine
makes none of their moves there (`MemoryModel.apart_tells_stuck`).

Certification (certify.py) prunes too, losing no outcome: a loop iteration that returns a
thread to registers it already had at that loop head, with no lower views, having written
nothing but rewrites of what its exclusive reads got (a spin on a taken lock), is not explored
again. A promise that would leave a loop-free thread more promises, in all or to one location,
than write instructions that may make them is refused without a solo run (`certify-count`,
certify.py's `WriteBound`): it could not be certified.

Mixed-size accesses (a byte, half-word or word part of a location, herd's -variant mixed):
a location the program accesses with two spans is kept byte-wise — messages carry a byte
range, views are per byte, a read's bytes are taken at one cut of memory, herd's `internal` is
checked on each complete execution (mixed.py). The model finds such a location as the program
runs and starts exploration again (`ModelRestart`); a test without one runs exactly as before.
Array elements that an access joins (an access across elements, an element accessed alone and
within an atomic pair) are found the same way: the model then runs the program with those
elements one location (`Program.whole_arrays` of the spans met, `_Layout.view`), byte-wise
once accessed so, as herd's memory holds an array; states made before are void (`_current`),
and exploration starts again from the initial state. LDP/STP on a byte-wise location are two
accesses over their bytes, an atomic pair (LDXP/STXP, CASP) one (thread.py).

A store-exclusive fails spuriously only where its thread has no loop
(`Program.may_fail_spuriously`); in a retry loop it fails only when it cannot succeed.
An execution ends when every thread has finished with no outstanding promise.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fencelab import reduce
from fencelab.machine.model import MachineState, MemoryModel, Provenance, Reason, Transition
from fencelab.models.operational.arm.apart import runs_apart
from fencelab.models.operational.arm.certify import Alone, explore_alone, write_bound
from fencelab.models.operational.arm.local import Local, Message
from fencelab.models.operational.arm.mixed import coherent, final_bytes, init_bytes
from fencelab.models.operational.arm.project import Projector, dead_reads
from fencelab.models.operational.arm.thread import (
    ThreadContext,
    UnseenRead,
    message_text,
    thread_moves,
    without_repeats,
)


@dataclass(frozen=True)
class ArmMemory:
    messages: tuple[Message, ...]  # timestamp = index + 1
    locals: tuple[Local, ...]  # per thread
    # phase 2: some thread has executed; no more promises. While false, every local is the
    # initial one with promises (`Local.promise`; `Projector.promises_only`): only
    # `core_transitions` makes another, and it sets this
    executing: bool = False
    # per thread, the views a finished thread had when it halted (its `locals` entry is then
    # the canonical finished state): shown, never compared, so exploration is unchanged
    kept: tuple[Local | None, ...] = field(default=(), compare=False, hash=False)
    layout: int = 0  # `_Layout.layout` when made: its locations are that view's

    def __init__(self, messages: tuple[Message, ...], locals: tuple[Local, ...],  # noqa: A002
                 executing: bool = False, kept: tuple = (), layout: int = 0) -> None:  # fmt: skip
        # (one is made at every step: the instance's dict written directly, as
        # `MachineState.__init__`, rather than an object.__setattr__ call for each field)
        fields = self.__dict__
        fields["messages"] = messages
        fields["locals"] = locals
        fields["executing"] = executing
        fields["kept"] = kept
        fields["layout"] = layout

    def __hash__(self) -> int:
        # (hashed as the dataclass would, once: a memory is hashed in every state key, outcome
        # and certification memo it is part of)
        found = self.__dict__.get("_hash")
        if found is None:
            found = self.__dict__["_hash"] = hash(
                (self.messages, self.locals, self.executing, self.layout))
        return found


@dataclass
class _Layout:
    """The model's knowledge of one program (the machine's): the program it runs (`view`:
    with the array elements accesses joined held as one location), the threads' contexts, the
    mixed-size locations of the view, and what has been found so far."""

    program: object
    view: object = None
    contexts: list = field(default_factory=list)
    projector: Projector | None = None
    mixed: set[int] = field(default_factory=set)  # the view's mixed-size locations (mixed.py)
    spans: dict = field(default_factory=dict)  # the one span each other location has had
    joins: dict = field(default_factory=dict)  # array -> spans joining its elements
    joined: int = 0  # spans in `joins` when `view` was made
    layout: int = 0  # views made before this one (`ArmMemory.layout`)
    views: list = field(default_factory=list)  # every view made, by layout
    mixed_seen: int = 0  # len(mixed) when last looked at
    bounds: list = field(default_factory=list)  # per thread: a WriteBound or None (certify-count)
    epoch: int = 0  # `restart_epoch`: changes at every restart
    # set by a thread's access that makes a location mixed-size or joins array elements, just
    # before its `ModelRestart` (`ThreadContext.news`), cleared once `ARM._entry` looked again;
    # a list the contexts share, not a reference back to the model (no cycle: a test's model
    # and its memos are freed when the test ends)
    news: list = field(default_factory=lambda: [False])

    def __post_init__(self) -> None:
        self.view = self.view or self.program
        self.views.append(self.view)


class ARM(MemoryModel):
    name = "arm"
    apart_tells_stuck = True  # (apart.py, runs_apart)

    def __init__(self, interleave: bool = True, share: bool = False, merge: bool = False,
                 apart: bool = False, dead: bool = False, count: bool = False):  # fmt: skip
        # interleave=False: once threads execute, only the lowest-numbered unfinished thread
        # steps. Memory is fixed by then and threads touch only their own state, so every
        # interleaving reaches the same outcomes: exhaustive search needs just this one, but a
        # user stepping by hand wants to choose.
        self.interleave = interleave
        self.share = share  # certify-share (project.py)
        self.merge = merge  # promise-merge (project.py)
        self.apart = apart  # threads-apart (apart.py)
        self.dead = dead and share  # certify-dead-reads (project.py), on certify-share's runs
        self.count = count  # certify-count (certify.py, write_bound)
        self._contexts: dict[int, _Layout] = {}
        self._alone: dict[tuple, Alone] = {}
        # the entry `_entry` found up to date, until a thread's access reveals news (`_Layout.news`)
        self._hot: _Layout | None = None
        self._started: tuple | None = None  # (state, program, `_may_start`'s answer): the last
        self._promised: tuple | None = None  # (state, program, `_promises`'s answer): the last

    def for_exhaustive(self) -> ARM:
        """Once every write is promised, memory is fixed and threads no longer interact: running
        them one after another reaches the same outcomes as interleaving them (the
        `arm-sequential` reduction); and the reductions of project.py."""
        return ARM(interleave=not reduce.enabled("arm-sequential"),
                   share=reduce.enabled("certify-share"),
                   merge=reduce.enabled("promise-merge"),
                   apart=reduce.enabled("threads-apart"),
                   dead=reduce.enabled("certify-dead-reads"),
                   count=reduce.enabled("certify-count"))  # fmt: skip

    # -- caches ----------------------------------------------------------------------------
    def _entry(self, program) -> _Layout:
        """What the model keeps for `program` (the machine's), brought up to date with what
        its threads' accesses revealed (`ModelRestart`): locations become byte-wise, array
        elements an access joins become one location (the model then runs `_Layout.view`)."""
        hot = self._hot
        if hot is not None and hot.program is program and not hot.news[0]:
            return hot  # (no news since it was last brought up to date: `_Layout.news`)
        entry = self._contexts.get(id(program))
        if (entry is not None and entry.program is program and not entry.joins
                and len(entry.mixed) == entry.mixed_seen):  # fmt: skip
            entry.news[0] = False
            self._hot = entry
            return entry  # (nothing new: asked several times a state)
        if entry is None or entry.program is not program:
            entry = self._contexts[id(program)] = _Layout(program)
            self._build(entry)
        joined = sum(map(len, entry.joins.values())) if entry.joins else 0
        if joined != entry.joined:  # elements were joined: another view, its contexts
            entry.joined = joined
            entry.layout += 1
            entry.view = program.whole_arrays(entry.joins)
            entry.views.append(entry.view)
            entry.mixed.clear()
            entry.spans.clear()
            entry.epoch += 1
            self._build(entry)
        if len(entry.mixed) != entry.mixed_seen:  # a location became mixed-size: forget what
            entry.mixed_seen = len(entry.mixed)   # was certified and run before
            entry.epoch += 1
            self._alone.clear()
            self._started = self._promised = None
            if entry.projector is not None:
                entry.projector.mixed = True
        if not entry.joins:
            entry.news[0] = False
            self._hot = entry
        return entry

    def _build(self, entry: _Layout) -> None:
        """Contexts (and a projector) for the threads of `entry.view`."""
        view = entry.view
        entry.projector = (Projector(len(view.threads), len(view.locations))
                           if self.share or self.merge else None)  # fmt: skip
        entry.contexts = [ThreadContext(view, t) for t in range(len(view.threads))]
        entry.bounds = [write_bound(ctx.core.infos, view.has_loop(ctx.tid)) if self.count
                        else None for ctx in entry.contexts]  # fmt: skip
        arrays = any(decl.array for decl in view.test.locations)  # elements to join?
        for ctx in entry.contexts:
            ctx.projector = entry.projector
            ctx.news = entry.news
            ctx.mixed, ctx.spans = entry.mixed, entry.spans
            ctx.joins = entry.joins if arrays else None
            if self.dead:
                ctx.dead_reads = dead_reads(ctx.core.infos, view.has_loop(ctx.tid))
        entry.mixed_seen = 0
        self._alone.clear()
        self._started = self._promised = None

    def restart_epoch(self, program) -> int:
        return self._entry(program).epoch

    def view(self, program):
        """The program as the model runs it: with array elements some access joins held as
        one location (`Program.whole_arrays`), else `program` itself."""
        return self._entry(program).view

    def mixed_sizes(self, program) -> dict[int, int]:
        """The mixed-size locations found so far (of `view(program)`), with their sizes."""
        entry = self._entry(program)
        return {loc: entry.view.locations[loc].size for loc in entry.mixed}

    def coherent(self, program, memory) -> bool:
        """`internal` on the mixed-size locations (mixed.py); trivially true without them."""
        if not self._entry(program).mixed:
            return True
        return coherent(self.mixed_sizes(program), memory.messages,
                        [lc.trace for lc in memory.locals])  # fmt: skip

    def _ctx(self, program, tid: int) -> ThreadContext:
        return self._entry(program).contexts[tid]

    def _current(self, program, memory: ArmMemory) -> ArmMemory | None:
        """`memory` as the model keeps states now: None if it was made before array elements
        were joined (its locations are no longer the model's: that exploration starts again),
        except the initial memory, made again."""
        layout = self._entry(program).layout
        if memory.layout == layout:
            return memory
        if memory.messages or memory.executing or any(
                lc != Local.initial(len(lc.coh)) for lc in memory.locals):  # fmt: skip
            return None
        return self.initial_memory(program)

    def _solo(self, program, tid: int, tstate, local: Local, messages,
              promise_phase: bool = False) -> Alone:  # fmt: skip
        """The thread's solo search (certify.py), remembered. `promise_phase`: the caller
        knows `local` from a memory where no thread has executed (`ArmMemory.executing` is
        false), so that its views are all initial (`Projector.promises_only`)."""
        entry = self._entry(program)
        projector = entry.projector
        if self.share and (promise_phase or projector.promises_only(local)):
            # (the direct key of `_solo_projected`, looked up here: most are found)
            direct = (id(program), "direct", tid, tstate, local.promises, messages,
                      projector.reads[tid], projector.live[tid])  # fmt: skip
            result = self._alone.get(direct)
            if result is not None:
                return result
            return self._solo_projected(program, projector, tid, tstate, local, messages,
                                        entry.contexts[tid], direct)  # fmt: skip
        key = (id(program), tid, tstate, local, messages)
        result = self._alone.get(key)
        if result is None:
            result = explore_alone(entry.contexts[tid], tstate, local, messages)
            self._alone[key] = result
        return result

    def _solo_projected(self, program, projector: Projector, tid: int, tstate, local: Local,
                        messages, ctx: ThreadContext | None = None,
                        direct: tuple | None = None) -> Alone:  # fmt: skip
        """Certification on the thread's projection of memory, shared by every state with the
        same projection (`certify-share`, project.py), without the locations only dead reads
        read (`certify-dead-reads`); redone on a larger projection when the run reads a
        location the projection left out (or writes one a dead read left out). `ctx`,
        `direct`: the thread's context and the direct key below, when the caller has them
        (and found nothing under that key)."""
        # the projection is a function of the thread's read and live locations: a state met
        # again with the same ones finds its answer without projecting again (its `local` is
        # known by its promises: every other field is initial, `promises_only`)
        if direct is None:
            direct = (id(program), "direct", tid, tstate, local.promises, messages,
                      projector.reads[tid], projector.live[tid])  # fmt: skip
            result = self._alone.get(direct)
            if result is not None:
                return result
        if ctx is None:
            ctx = self._ctx(program, tid)
        alone = self._alone
        while True:
            reads = projector.reads[tid]
            if reads is not direct[6] or projector.live[tid] is not direct[7]:
                direct = (*direct[:6], reads, projector.live[tid])
            dead = bool(ctx.dead_reads)
            if dead:
                reads = projector.certify_reads(tid)
            seen, promises = projector.project(tid, messages, local.promises, reads)
            key = (id(program), "projected", tid, tstate, promises, seen, reads)
            result = alone.get(key)
            if result is not None:
                alone[direct] = result
                return result
            ctx.watch, ctx.dead_ok = reads, dead
            try:
                result = explore_alone(ctx, tstate, local.with_promises(promises), seen)
            except UnseenRead:
                continue  # the location is in `projector.reads` now: project again
            finally:
                ctx.watch, ctx.dead_ok = None, False
            alone[key] = alone[direct] = result
            return result

    def state_key(self, program, state: MachineState):
        """`promise-merge` (project.py): promise-phase states are known by what each thread
        sees of memory and by each location's last message."""
        mem: ArmMemory = state.memory
        if not self.merge or mem.executing:
            return state
        # (no thread has executed: every local is initial but for its promises, `ArmMemory`)
        return self._entry(program).projector.key(state)

    def key_epoch(self, program) -> int:
        projector = self._entry(program).projector
        return projector.epoch if projector is not None else 0

    def _all_complete(self, program, state: MachineState, alones: list[Alone]) -> bool:
        """Can every thread run to its end fulfilling only its promises? The threads' solo
        results are appended to `alones`, in thread order, up to the first that cannot."""
        mem: ArmMemory = state.memory
        for tid, tstate in enumerate(state.threads):
            alone = self._solo(program, tid, tstate, mem.locals[tid], mem.messages, True)
            alones.append(alone)
            if not alone.complete:
                return False
        return True

    # -- the interface ---------------------------------------------------------------------
    def initial_memory(self, program):
        entry = self._entry(program)
        n = len(entry.view.locations)
        return ArmMemory((), tuple(Local.initial(n) for _ in program.threads), layout=entry.layout)

    def _now(self, program, state: MachineState) -> MachineState | None:
        """`state` with its memory as the model keeps states now (`_current`), or None."""
        memory = state.memory
        if memory.layout == self._entry(program).layout:
            return state  # (`_current`'s common case)
        mem = self._current(program, memory)
        if mem is None:
            return None
        return state if mem is memory else state.with_memory(mem)

    def core_transitions(self, program, state: MachineState, tid: int, info):
        state = self._now(program, state)
        if state is None:  # made before elements were joined: exploration starts again
            return
        mem: ArmMemory = state.memory
        if not mem.executing and not self._may_start(program, state):
            return
        if not self.interleave and tid != _first_running(program, state):
            return
        for move in self.executions(program, tid, state.threads[tid], mem.locals[tid],
                                    mem.messages):  # fmt: skip
            locals_ = list(mem.locals)
            locals_[tid] = move.local
            kept = list(mem.kept or (None,) * len(locals_))
            kept[tid] = move.kept
            new = ArmMemory(mem.messages, tuple(locals_), True, tuple(kept), mem.layout)
            yield Transition(
                f"{tid}{move.key}", tid, self.label(tid, info, move.what),
                state.with_thread(tid, move.tstate, new), step=move.step,
                provenance=_provenance(move),
            )  # fmt: skip

    def executions(self, program, tid: int, tstate, local: Local, messages) -> list:
        """The ways thread `tid`'s next instruction may execute, memory fixed (`Move`s)."""
        ctx = self._ctx(program, tid)
        moves = thread_moves(ctx, tstate, local, messages)
        return without_repeats(
            ctx, tstate, local, moves,
            lambda: self._solo(program, tid, tstate, local, messages).complete,
        )  # fmt: skip

    def threads_apart(self, program, state: MachineState) -> bool:
        """`threads-apart` (apart.py): may threads start executing here, memory fixed?"""
        if not self.apart or state.memory.executing:
            return False
        state = self._now(program, state)
        return state is not None and self._may_start(program, state)

    def runs_apart(self, machine, state: MachineState):
        return runs_apart(self, machine, state)

    def internal_transitions(self, program, state: MachineState):
        state = self._now(program, state)
        if state is None or state.memory.executing:
            return
        for tid, key, label, memory in self._promises(program, state):
            yield Transition(key, tid, label, state.with_memory(memory), executes=False,
                             provenance=_PROMISED)  # placed in coherence by its timestamp

    def _promises(self, program, state: MachineState,
                  alones: list[Alone] = ()) -> list[tuple[int, str, str, ArmMemory]]:  # fmt: skip
        """Every certified promise a thread may make now: (tid, key, label, new memory).
        `alones`: the solo results of the first threads, found already (`_all_complete`)."""
        last = self._promised
        if last is not None and last[0] is state and last[1] is program:
            return last[2]  # asked by `_may_start`, then by internal_transitions and runs_apart
        mem: ArmMemory = state.memory
        entry = self._entry(program)  # (forgets what was found before a location became
        # byte-wise) (filed under the memory, whose hash is kept, with the threads beside it:
        # the same threads, those of the initial state, in every promise-phase state)
        cache_key = (id(program), "promises", mem)
        known = self._alone.get(cache_key)
        if known is not None and known[0] == state.threads:
            self._promised = (state, program, known[1])
            return known[1]
        found = []
        ts = len(mem.messages) + 1
        view = entry.view
        for tid, tstate in enumerate(state.threads):
            local = mem.locals[tid]
            alone = (alones[tid] if tid < len(alones)
                     else self._solo(program, tid, tstate, local, mem.messages, True))  # fmt: skip
            candidates = alone.candidates
            bound = entry.bounds[tid]
            if bound is not None:  # `certify-count`: could one more promise ever be fulfilled?
                if len(local.promises) >= bound.total:
                    continue
                promised_at = [mem.messages[p - 1].loc for p in local.promises]
                placed = entry.contexts[tid].placed
            for msg in candidates:
                if bound is not None and promised_at.count(msg.loc) >= bound.at(msg.loc, placed):
                    continue
                messages = (*mem.messages, msg)
                promised = local.promise(ts)
                if not self._solo(program, tid, tstate, promised, messages, True).certified:
                    continue
                locals_ = list(mem.locals)
                locals_[tid] = promised
                text = message_text(view, msg)  # in the location's type, as typed back
                key = f"{tid}.p{ts}.{text}"
                if any(m.loc == msg.loc and m.value == msg.value and m.offset == msg.offset
                       and m is not msg for m in candidates):  # fmt: skip
                    key += f".{8 * msg.size}b"  # the same value written with two sizes
                label = f"P{tid}: promise {text} (timestamp {ts})"
                found.append((tid, key, label, ArmMemory(messages, tuple(locals_), False,
                                                         layout=mem.layout)))  # fmt: skip
        self._alone[cache_key] = (state.threads, found)
        self._promised = (state, program, found)
        return found

    def persistent(self, program, state: MachineState):
        """Where threads may not start yet (a promise-phase state, `_may_start` false), no
        core moves (`core_transitions` makes nothing): the machine makes the promises alone,
        the same transitions in the same order as when it asks every core in turn."""
        if state.memory.executing:
            return None
        now = self._now(program, state)
        if now is None or self._may_start(program, now):
            return None
        return _NO_CORE, frozenset(range(len(state.threads)))

    def _may_start(self, program, state: MachineState) -> bool:
        """Threads start executing once every one of them can run to its end fulfilling only
        its promises — or once no promise can be made any more (a thread that never ends then
        runs into the step budget, which is reported, rather than vanishing)."""
        last = self._started
        if last is not None and last[0] is state and last[1] is program:
            return last[2]  # asked for each thread of a state in turn, and by threads_apart
        alones: list[Alone] = []
        may = (self._all_complete(program, state, alones)
               or not self._promises(program, state, alones))  # fmt: skip
        self._started = (state, program, may)
        return may

    def explain(self, program, state: MachineState, tid: int):
        from fencelab.models.operational.arm.explain import explain

        now = self._now(program, state)
        if now is None:
            return [Reason(tid, "this state was made before array elements were joined into one "
                                "location: it is void (step again from the start)", False)]
        return explain(self, program, now, tid)

    def is_final(self, program, memory: ArmMemory):
        return (self._current(program, memory) is memory
                and not any(local.promises for local in memory.locals)
                and self.coherent(program, memory))  # fmt: skip

    def final_memory(self, program, memory: ArmMemory):
        view = self.view(program)
        finals = {msg.loc: msg.value for msg in memory.messages}
        for loc in self.mixed_sizes(program):
            finals[loc] = final_bytes(init_bytes(view.locations[loc]), memory.messages, loc)
        return view.final_memory(finals)

    def describe(self, program, memory: ArmMemory):
        now = self._current(program, memory)
        program = self._entry(program).views[memory.layout if now is None else now.layout]
        memory = now or memory
        names = [loc.name for loc in program.locations]
        messages = [{"ts": 0, "writes": "initial", "values": {
            loc.name: program.typed(loc, loc.init, loc.width) for loc in program.locations}}]  # fmt: skip
        for ts, msg in enumerate(memory.messages, 1):
            where = program.part_name(program.locations[msg.loc], msg.offset, msg.size)
            value = program.typed(program.locations[msg.loc], msg.value, 8 * msg.size)
            messages.append({"ts": ts, "location": where, "value": value,
                             "thread": f"P{msg.tid}"})  # fmt: skip
        threads = []
        for tid, local in enumerate(memory.locals):
            promises = local.promises
            kept = memory.kept[tid] if tid < len(memory.kept) else None
            local = kept or local  # a finished thread keeps the views it halted with
            threads.append({
                "thread": f"P{tid}",
                "promises": [f"{message_text(program, memory.messages[t - 1])}@{t}"
                             for t in promises],
                "coh": dict(zip(names, local.coh)),
                "vrOld": local.vr_old, "vwOld": local.vw_old,
                "vrNew": local.vr_new, "vwNew": local.vw_new,
                "vCAP": local.vcap, "vRel": local.vrel,
                "fwd": {names[i]: {"ts": f.ts, "view": f.view, "exclusive": f.ex}
                        for i, f in enumerate(local.fwd) if f is not None},
                "exclusive": None if local.exbank is None else {
                    "location": names[local.exbank.loc], "ts": local.exbank.ts,
                    "view": local.exbank.view},
                "register views": dict(local.regs),
                "pick views": dict(local.picks),
            })  # fmt: skip
        return {
            "phase": "executing" if memory.executing else "promising",
            "memory": messages,
            "threads": threads,
        }


_NO_CORE: frozenset[int] = frozenset()
_PROMISED = Provenance()  # a promise: no read, no write yet


def _provenance(move) -> Provenance:
    """The message each read took and the one each write fulfilled (one of each, or an
    LDP's two reads, an STP's two writes)."""

    def entries(ts) -> tuple:
        if ts is None:
            return ()
        return tuple(("msg", t) for t in ts) if isinstance(ts, tuple) else (("msg", ts),)

    return Provenance(entries(move.read_ts), entries(move.write_ts))


def _first_running(program, state: MachineState) -> int:
    for tid, tstate in enumerate(state.threads):
        if program.threads[tid].core.info(tstate) is not None:
            return tid
    return -1

