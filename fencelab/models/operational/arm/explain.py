"""Promising-ARM in a learner's words: why a thread can or cannot move now.

`explain` backs `ARM.explain` (the model interface's `MemoryModel.explain`, rendered by the
TUI's reasons pane). It reads the same rules the model runs (local.py's `read_choices`,
`write_pre_view`, `write_slots`), so what it says is why the model decided as it did:

- in the promise phase, which writes the thread may promise now, or why it cannot execute yet;
- for a load, the view it needs and where that bound comes from (an address dependency, a
  barrier or acquire before it, an acquire after a release), and which messages it may read;
- for a store, the promise it must fulfil and the view its timestamp must exceed;
- for a barrier, what it will order.
"""

from __future__ import annotations

from fencelab.isa.core import NeedRead, Step
from fencelab.isa.insn import Barrier, InsnInfo, Kind
from fencelab.machine.model import MachineState, Reason, what_it_does
from fencelab.models.operational.arm.local import (
    Local,
    Message,
    read_choices,
    write_pre_view,
    write_slots,
)
from fencelab.models.operational.arm.thread import RegViews, ThreadContext, thread_moves


def explain(model, program, state: MachineState, tid: int) -> list[Reason]:
    mem = state.memory
    ctx: ThreadContext = model._ctx(program, tid)
    tstate, local, memory = state.threads[tid], mem.locals[tid], mem.messages
    info = ctx.core.info(tstate)
    out: list[Reason] = []
    pending = ", ".join(_message(ctx, memory, ts) for ts in local.promises)
    if info is None:
        out.append(Reason(tid, "finished"))
        if pending:
            out.append(Reason(tid, f"finished with its promise {pending} unfulfilled: this "
                                   "execution cannot end (step back)", False))  # fmt: skip
        return out
    promises = [t for t in model.internal_transitions(program, state) if t.tid == tid]
    executes = list(model.core_transitions(program, state, tid, info))
    if pending:
        out.append(Reason(tid, f"has promised {pending}: each write it makes must fulfil one"))
    if mem.executing:
        out.append(Reason(tid, f"promises are over: memory is fixed ({len(memory)} messages)"))
    for t in promises:
        ts = len(memory) + 1
        what = t.label.split("promise ", 1)[-1].split(" (", 1)[0]
        out.append(Reason(tid, f"may promise {what} now (timestamp {ts}): running alone it "
                               "could make that write and still finish", True, t.key))  # fmt: skip
    if not executes and not mem.executing:
        out.append(Reason(tid, f"{info.text} cannot run yet: cores start executing only once "
                               "every core can run to its end fulfilling its promises (the "
                               "model explores promises first)", False))  # fmt: skip
    if any(local.coh[memory[p - 1].loc] >= p for p in local.promises):
        out.append(Reason(tid, "it has moved past one of its promises in coherence: it can "
                               "never fulfil it, so this path cannot end", False))  # fmt: skip
    out += _next_instruction(ctx, tstate, local, memory, info, tid)
    out += [Reason(tid, what_it_does(program, t), True, t.key) for t in executes]
    if mem.executing and not executes and thread_moves(ctx, tstate, local, memory):
        out.append(Reason(tid, "its next step would bring it back to its loop's head exactly as "
                               "its previous iteration did (the same registers and views): the "
                               "model takes such an iteration once, since it reaches nothing "
                               "new, so this path ends here (step back and take another "
                               "choice)", False))  # fmt: skip
    return out


def _message(ctx: ThreadContext, memory: tuple[Message, ...], ts: int) -> str:
    m = memory[ts - 1]
    return f"{ctx.names[m.loc]}={ctx.shown(ctx.program.locations[m.loc], m.value, m.size)}@{ts}"


def _next_instruction(ctx, tstate, local: Local, memory, info: InsnInfo, tid: int) -> list[Reason]:
    first = ctx.core.run(tstate, ())
    if info.kind is Kind.FENCE:
        return [Reason(tid, _barrier_words(info, local))]
    if isinstance(first, NeedRead) and info.kind.reads_memory:
        return _load_words(ctx, local, memory, info, first, tid)
    if isinstance(first, Step) and info.kind is Kind.STORE and first.writes:
        return _store_words(ctx, local, memory, info, first, tid)
    return []


def _load_words(ctx, local: Local, memory, info: InsnInfo, need: NeedRead,
                tid: int) -> list[Reason]:  # fmt: skip
    loc, _ = ctx.place(need.addr, need.size, "read")
    if loc.index in ctx.mixed_set:
        return []  # a byte-wise location (mixed.py): its moves say what each byte may read
    regs = RegViews(local)
    # an LDNP's reads are not ordered by their address dependency (thread.py, `_load_pair`)
    vaddr = 0 if info.non_temporal else regs.view(info.addr_regs)
    acquire = info.acquire and not (info.kind is Kind.RMW and not info.dest_regs)
    choices, pre = read_choices(local, memory, loc.index, ctx.init_value(loc, need.size), vaddr,
                                acquire, info.acquire_pc)  # fmt: skip
    because = []
    if vaddr:
        because.append(f"its address depends on a read at view {vaddr}")
    if local.vr_new:
        because.append(f"vrNew={local.vr_new}: an earlier barrier or acquire orders later "
                       "reads after that")  # fmt: skip
    if acquire and local.vrel and local.vrel >= pre:
        because.append(f"vRel={local.vrel}: an acquire load waits for its earlier release")
    out = []
    name = loc.name
    if pre:
        out.append(Reason(tid, f"to load {name} it needs view >= {pre} because "
                               + "; ".join(because)))  # fmt: skip
    coh = local.coh[loc.index]
    if coh:
        out.append(Reason(tid, f"coh({name})={coh}: it has already seen {name}@{coh}, so it "
                               f"cannot read an older {name}"))  # fmt: skip
    seen = ", ".join(f"@{c.ts} ({'initial' if c.ts == 0 else f'P{memory[c.ts - 1].tid}'}) "
                     f"{name}={ctx.shown(loc, c.value, need.size)}" for c in choices)  # fmt: skip
    if seen:
        out.append(Reason(tid, f"{info.text} may read {name} from: {seen}"))
    return out


def _store_words(ctx, local: Local, memory, info: InsnInfo, step: Step,
                 tid: int) -> list[Reason]:  # fmt: skip
    write = step.writes[0]
    loc, _ = ctx.place(write.addr, write.size, "write")
    if loc.index in ctx.mixed_set:
        return []
    regs = RegViews(local)
    paddr, pdata = regs.pick(info.addr_regs), regs.pick(info.data_regs)
    msg = Message(loc.index, write.value, ctx.tid, write.size)
    pre = write_pre_view(local, paddr, pdata, 0, info.release)
    text = f"{loc.name}={ctx.shown(loc, write.value, write.size)}"
    mine = [ts for ts in local.promises if memory[ts - 1] == msg]
    if not mine:
        return [Reason(tid, f"to write {text} it must fulfil a promise of {text}, and it has "
                            "made none (a write is promised first)", False)]  # fmt: skip
    if write_slots(local, memory, ctx.tid, msg, pre, None):
        return []
    because = []
    if paddr or pdata:
        because.append(f"its address or data depends on a read at view {max(paddr, pdata)}")
    if local.vcap:
        because.append(f"vCAP={local.vcap}: an earlier branch or address depends on a read")
    if local.vw_new:
        because.append(f"vwNew={local.vw_new}: an earlier barrier or acquire")
    if info.release:
        because.append(f"a release comes after every earlier access (vrOld={local.vr_old}, "
                       f"vwOld={local.vw_old})")  # fmt: skip
    floor = max(pre, local.coh[loc.index])
    where = ", ".join(f"@{ts}" for ts in mine)
    reason = f"its promise {text}{where} is not above {floor}, the view its write needs"
    if because:
        reason += " (" + "; ".join(because) + ")"
    return [Reason(tid, reason + ": it can never fulfil it on this path", False)]


def _barrier_words(info: InsnInfo, local: Local) -> str:
    older = max(local.vr_old, local.vw_old)
    if info.barrier is Barrier.FULL:
        return (f"{info.text}: every later read and write will come after everything before it "
                f"(view >= {older})")
    if info.barrier is Barrier.LOAD:
        return (f"{info.text}: later reads and writes will come after earlier reads "
                f"(view >= {local.vr_old})")
    if info.barrier is Barrier.STORE:
        return f"{info.text}: later writes will come after earlier writes (view >= {local.vw_old})"
    if info.barrier is Barrier.ISB:
        return (f"{info.text}: later reads will come after the reads earlier branches and "
                f"addresses depend on (vCAP={local.vcap})")
    return f"{info.text}: changes no view"
