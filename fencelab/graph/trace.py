"""Reads-from and coherence of one operational execution, as the model itself reports them.

Every transition of the sc, tso and arm models carries a `Provenance` (fencelab/machine/
model.py): for each read, the memory cell, store-buffer entry or message it took its value
from; for each write, where it went. `trace` replays those reports in order, keeping for every
memory cell, buffer entry and message *which write* is there, so it knows exactly which write
each read read from and in which order each location's writes reached coherence — values are
never compared. The writes and reads are numbered per thread, in the order the thread made
them (`(tid, k)`: thread tid's k-th write; `(-1, loc)`: the initial write of location loc).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fencelab.errors import AccessError, FencelabError
from fencelab.isa.core import Step
from fencelab.isa.insn import InsnInfo, Kind
from fencelab.machine.model import MachineState, Transition

WriteId = tuple[int, int]  # (tid, k): the k-th write of thread tid; (-1, loc): initial write


@dataclass
class Trace:
    """One execution (or its beginning, in the TUI): what each thread executed, rf and co."""

    steps: list[list[Step]]  # per thread, the Step of each memory instruction, in order
    infos: list[list[InsnInfo]]  # the instruction of each
    rf: dict[tuple[int, int], WriteId | None]  # (tid, j): thread tid's j-th read -> its write
    co: dict[int, list[WriteId]]  # location -> its writes in coherence order (initial first)
    write_loc: dict[WriteId, int] = field(default_factory=dict)
    pending: list[str] = field(default_factory=list)  # reads of promises not yet fulfilled


def reads_of(info: InsnInfo, step: Step) -> tuple:
    """The reads that are memory events (a store-exclusive's monitor compare is not one)."""
    return () if info.kind is Kind.STORE_EXCL else step.reads


def _location(program, access, what: str, sizes: dict[int, int]) -> int:
    """The location index of an access; mixed-size accesses (a part of a location, or two
    sizes at one location), whose reads may take bytes from several writes, are refused."""
    try:
        loc = program.location_at(access.addr, access.size, what).index
    except AccessError as e:
        raise FencelabError(f"execution graphs of mixed-size accesses are not drawn: {e.why}") from None
    if sizes.setdefault(loc, access.size) != access.size:
        raise FencelabError(f"execution graphs of mixed-size accesses are not drawn: "
                            f"{program.locations[loc].name} is accessed with {sizes[loc]} and "
                            f"{access.size} bytes")  # fmt: skip
    return loc


def trace(program, states: list[MachineState], taken: list[Transition]) -> Trace:
    """The trace of the transitions `taken`, `states[i]` being the state before `taken[i]`."""
    n = len(program.threads)
    result = Trace([[] for _ in range(n)], [[] for _ in range(n)], {}, {})
    memory: dict[int, WriteId] = {}
    for loc in program.locations:
        memory[loc.index] = (-1, loc.index)
        result.co[loc.index] = [(-1, loc.index)]
        result.write_loc[(-1, loc.index)] = loc.index
    buffers: list[list[WriteId]] = [[] for _ in range(n)]
    messages: dict[int, WriteId] = {}  # timestamp -> the write that fulfilled it
    read_msg: dict[tuple[int, int], tuple[int, int]] = {}  # read -> (timestamp, location)
    writes = [0] * n
    reads = [0] * n
    sizes: dict[int, int] = {}  # location -> the size of its accesses
    for before, t in zip(states, taken):
        p = t.provenance
        if p is None:
            raise FencelabError(f"{t.label}: this model does not report where reads read from, "
                                "so its executions cannot be drawn")  # fmt: skip
        if p.drain:
            wid = buffers[t.tid].pop(0)
            loc = result.write_loc[wid]
            memory[loc] = wid
            result.co[loc].append(wid)
            continue
        if t.step is None or not t.executes:
            continue  # a promise: its message is fulfilled, and so placed, by a later write
        tid = t.tid
        info = program.threads[tid].core.info(before.threads[tid])
        result.steps[tid].append(t.step)
        result.infos[tid].append(info)
        accesses = reads_of(info, t.step)
        sources = p.reads if accesses else ()
        if len(sources) != len(accesses):
            raise FencelabError(f"{t.label}: {len(accesses)} reads, {len(p.reads)} reported")
        for access, source in zip(accesses, sources):
            loc = _location(program, access, "read", sizes)
            rid = (tid, reads[tid])
            reads[tid] += 1
            if source[0] == "mem":
                result.rf[rid] = memory[loc]
            elif source[0] == "buf":
                result.rf[rid] = buffers[tid][source[1]]
            elif source[0] == "msg":
                read_msg[rid] = (source[1], loc)
            else:  # pragma: no cover - the vocabulary is fixed in Provenance
                raise FencelabError(f"unknown read provenance {source!r}")
        if len(p.writes) != len(t.step.writes):
            raise FencelabError(f"{t.label}: {len(t.step.writes)} writes, "
                                f"{len(p.writes)} reported")  # fmt: skip
        for access, where in zip(t.step.writes, p.writes):
            loc = _location(program, access, "write", sizes)
            wid = (tid, writes[tid])
            writes[tid] += 1
            result.write_loc[wid] = loc
            if where[0] == "mem":
                memory[loc] = wid
                result.co[loc].append(wid)
            elif where[0] == "buf":
                buffers[tid].append(wid)
            elif where[0] == "msg":
                messages[where[1]] = wid
            else:  # pragma: no cover
                raise FencelabError(f"unknown write provenance {where!r}")
    if messages or read_msg:  # Promising: coherence is timestamp order
        for ts in sorted(messages):
            wid = messages[ts]
            result.co[result.write_loc[wid]].append(wid)
        for rid, (ts, loc) in read_msg.items():
            if ts == 0:
                result.rf[rid] = (-1, loc)
            elif ts in messages:
                result.rf[rid] = messages[ts]
            else:  # the TUI, mid-execution: a read of a promise not fulfilled yet
                result.rf[rid] = None
                result.pending.append(f"P{rid[0]} read {program.locations[loc].name} from "
                                      f"the promise at timestamp {ts}, not yet written")  # fmt: skip
    return result
