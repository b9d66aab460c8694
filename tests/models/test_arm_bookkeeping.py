"""The ARM model's bookkeeping made cheaper (issue 17, AArch64's diy7-style tests): each state's
solo searches asked once, memories hashed once, locals made without `_replace`; the answers
are the ones the plain definitions give."""

from __future__ import annotations

import gc
import weakref

from fencelab.litmus.parser import parse_text
from fencelab.litmus.printer import format_state
from fencelab.machine.explore import exhaustive
from fencelab.machine.machine import Machine
from fencelab.machine.model import MachineState
from fencelab.models.axiomatic.arm import run_axiomatic
from fencelab.models.operational.arm.local import FwdItem, Local, after_dmb, after_isb
from fencelab.models.operational.arm.model import ARM, ArmMemory
from fencelab.models.operational.arm.thread import thread_moves
from fencelab.pipeline import RunOptions, run_test
from fencelab.program.load import load
from tests.helpers import AARCH64_MP_DMB_ADDR
from tests.helpers.litmus import table

MP = AARCH64_MP_DMB_ADDR


def _machine(text: str) -> Machine:
    return Machine(load(parse_text(text, "<test>")), ARM().for_exhaustive(), reductions=False)


def test_a_state_asks_each_threads_solo_search_once(monkeypatch):
    """Whether threads may start (`_all_complete`) and which promises they may make
    (`_promises`) rest on the same solo searches: the first hands them to the second."""
    machine = _machine(MP)
    model, program = machine.model, machine.program
    state = machine.initial()
    asked = []
    real = ARM._solo

    def counted(self, program, tid, tstate, local, messages, *rest):
        asked.append((tid, local, messages))
        return real(self, program, tid, tstate, local, messages, *rest)

    monkeypatch.setattr(ARM, "_solo", counted)
    assert not model._may_start(program, state)  # P0 has not promised its writes
    (promise,) = model._promises(program, state)  # P0: x=1 (y=1 waits behind the DMB)
    assert promise[1] == "0.p1.x=1"
    mem = state.memory
    assert asked.count((0, mem.locals[0], mem.messages)) == 1  # (before: twice)
    assert asked.count((1, mem.locals[1], mem.messages)) == 1
    assert len(asked) == 3  # and P0's certification of x=1
    asked.clear()
    assert model._promises(program, state) is model._promises(program, state)
    assert asked == []  # the state's promises are remembered


def test_outcomes_are_herds():
    result = run_test(parse_text(MP, "<test>"), RunOptions.named(model="arm"))
    outcomes = {format_state(s.outcome) for s in result.states}
    assert outcomes == {"1:X0=0; 1:X4=0;", "1:X0=0; 1:X4=1;", "1:X0=1; 1:X4=1;"}


def test_a_memory_is_hashed_as_its_fields_and_known_without_what_it_keeps():
    local = Local.initial(2).promise(1)
    one = ArmMemory(((0, 1, 0, 4, 0),), (local, Local.initial(2)), False, layout=0)
    kept = ArmMemory(((0, 1, 0, 4, 0),), (local, Local.initial(2)), False, (local, None), 0)
    assert one == kept and hash(one) == hash(kept)  # `kept` is shown, never compared
    assert hash(one) == hash((one.messages, one.locals, False, 0))
    assert hash(one) == hash(one)  # (remembered: the same answer)
    other = ArmMemory(one.messages, one.locals, True, layout=0)
    assert other != one
    states = {one, kept, other}
    assert len(states) == 2


def test_locals_made_without_replace_are_the_replaced_ones():
    base = Local.initial(3)
    local = base._replace(vr_old=3, vr_old_ld=2, vw_old=4, vcap=5, vr_old_pick=6, vr_new=1,
                          promises=(2, 7), fwd=(None, FwdItem(4, 1, False), None))  # fmt: skip
    for bits in [(True, True, True, True, False), (True, True, False, False, True),
                 (False, False, False, True, False), (False, False, True, True, False)]:  # fmt: skip
        rr, rw, wr, ww, ld = bits
        reads = local.vr_old_ld if ld else local.vr_old
        expected = local._replace(
            vr_new=max(local.vr_new, reads if rr else 0, local.vw_old if wr else 0),
            vw_new=max(local.vw_new, max(reads, local.vr_old_pick) if rw else 0,
                       local.vw_old if ww else 0))  # fmt: skip
        assert after_dmb(local, *bits) == expected
        assert type(after_dmb(local, *bits)) is Local
    assert after_isb(local) == local._replace(vr_new=max(local.vr_new, local.vcap))
    assert after_isb(base) is base  # nothing to order: the same local
    assert local.with_promises((9,)) == local._replace(promises=(9,))
    assert local.finished() == Local(coh=(0,) * 3, fwd=(None,) * 3, promises=(2, 7))
    assert base.finished() == Local.initial(3) and base.finished() is base.finished()


def test_a_test_explores_as_many_states_as_before():
    """The same search (bench/RESULTS.md, branch a64diy): states and transitions."""
    machine = _machine(MP)
    result = exhaustive(machine, reduce=False)
    assert {format_state(s.outcome) for s in result.states} == {
        "1:X0=0; 1:X4=0;", "1:X0=0; 1:X4=1;", "1:X0=1; 1:X4=1;"}  # fmt: skip
    assert result.budget_exhausted == 0
    assert (result.explored_states, result.transitions) == (11, 10)  # as on 2357c30


# -- branch a64diy3: promise-phase states, the model's entry, halting moves ------------------

ISA2 = r"""AArch64 ISA2+dmb.sy+fri+ctrlpa
{ 0:X1=x; 0:X3=y; 1:X1=y; 2:X1=y; 2:X3=x; }
 P0          | P1          | P2           ;
 MOV W0,#1   | LDR W0,[X1] | LDR W0,[X1]  ;
 STR W0,[X1] | MOV W2,#2   | CBNZ W0,LC00 ;
 DMB SY      | STR W2,[X1] | LC00:        ;
 MOV W2,#1   |             | LDAR W2,[X3] ;
 STR W2,[X3] |             |              ;
exists (y=2 /\ 1:X0=1 /\ 2:X0=2 /\ 2:X2=0)
"""


def _promise_phase_states(machine: Machine) -> list:
    """Every promise-phase state reachable from the initial one (by promises alone)."""
    model, program = machine.model, machine.program
    todo, seen, out = [machine.initial()], set(), []
    while todo:
        state = todo.pop()
        if state in seen:
            continue
        seen.add(state)
        out.append(state)
        todo.extend(t.target for t in model.internal_transitions(program, state))
    return out


def test_where_threads_may_not_start_the_machine_makes_the_promises_alone():
    """`ARM.persistent`: in a promise-phase state from which threads may not start, no core
    moves; the machine's transitions are then the promises, as when every core is asked."""
    for text in (MP, ISA2):
        machine = _machine(text)
        model, program = machine.model, machine.program
        states = _promise_phase_states(machine)
        told = 0
        for state in states:
            everyone = [t for tid in range(len(state.threads)) for t in machine._moves(state, tid)]
            everyone += list(model.internal_transitions(program, state))
            made = machine.transitions(state)
            assert [(t.key, t.target) for t in made] == [(t.key, t.target) for t in everyone]
            if model._may_start(program, state):
                assert model.persistent(program, state) is None
            else:
                assert not any(t.executes for t in everyone)  # (no core moves)
                threads = frozenset(range(len(state.threads)))
                assert model.persistent(program, state) == (frozenset(), threads)
                told += 1
        assert told and told < len(states)  # (both kinds of state met)


def test_the_model_hears_of_a_location_found_mixed_size():
    """`_entry` answers from the entry it last brought up to date (`_hot`) until a thread's
    access reports news (`ThreadContext.news`, a flag shared with `_Layout.news`: no reference
    back to the model, whose memos are then freed with it): a location found mixed-size starts the search
    again, its outcomes are the byte-wise ones."""
    text = table("MP+po+bytes", "uint16_t x; uint16_t 1:X2; 0:X1=x; 1:X1=x;",
                 [["MOV W0,#1", "STRB W0,[X1,#1]", "STRB W0,[X1]"], ["LDRH W2,[X1]"]],
                 "exists (1:X2=1)")  # fmt: skip
    machine = _machine(text)
    model, program = machine.model, machine.program
    entry = model._entry(program)
    assert model._hot is entry and model.restart_epoch(program) == 0
    assert all(ctx.news is entry.news for ctx in entry.contexts) and entry.news == [False]
    result = exhaustive(machine, reduce=False)
    assert model.restart_epoch(program) > 0 and model.mixed_sizes(program)
    assert model._hot is model._entry(program) and entry.mixed_seen == len(entry.mixed)
    axiomatic = run_axiomatic(load(parse_text(text, "<test>")))
    outcomes = {format_state(s.outcome) for s in result.states}
    assert outcomes == {format_state(s.outcome) for s in axiomatic.states}
    assert "1:X2=1;" in outcomes  # (MP+po+bytes: the bytes' writes are not ordered)


def test_a_move_that_halts_the_thread_keeps_its_views():
    """A halting move's local is the canonical finished one (`Local.finished`), its views
    kept beside it; each call makes its own moves."""
    machine = _machine(MP)
    model, program = machine.model, machine.program
    ctx = model._ctx(program, 0)  # P0 alone: x=1, DMB, y=1, each write at a fresh timestamp
    tstate, local, memory = machine.initial().threads[0], Local.initial(2), ()
    for _ in range(2):
        (move,) = thread_moves(ctx, tstate, local, memory, True)
        assert move.kept is None
        tstate, local = move.tstate, move.local
        memory = (*memory, move.appended) if move.appended else memory
    moves = thread_moves(ctx, tstate, local, memory, True)
    (last,) = moves
    assert last.appended == (1, 1, 0, 4, 0) and machine.program.threads[0].core.halted(last.tstate)
    assert last.local is Local.initial(2).finished()
    assert last.kept.coh == (1, 2) and last.kept.vw_old == 2 and last.kept.vr_new == 1
    other = thread_moves(ctx, tstate, local, memory, True)
    assert other[0] is not last and (other[0].local, other[0].kept) == (last.local, last.kept)


def test_promises_are_remembered_by_the_memory_and_threads():
    machine = _machine(MP)
    model, program = machine.model, machine.program
    state = machine.initial()
    found = model._promises(program, state)
    model._promised = None  # (the last state's answer aside)
    same = MachineState(tuple(state.threads), state.steps, state.memory)
    assert model._promises(program, same) is found
    model._promised = None
    moved = MachineState((state.threads[1], state.threads[1]), state.steps, state.memory)
    assert model._promises(program, moved) is not found


def test_a_tests_model_and_memos_are_freed_when_it_ends():
    """No reference cycle through the model (its thread contexts share a flag with it,
    `_Layout.news`, not a bound method): its memos are freed with it, not left to the cycle
    collector (17,576 objects on bench/speed.py's 40 diy7-style tests when they were)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        machine = _machine(ISA2)
        result = exhaustive(machine, reduce=False)
        assert len(result.states) == 18
        model = weakref.ref(machine.model)
        assert model()._alone
        del machine
        assert model() is None
    finally:
        if collecting:
            gc.enable()
