"""The ARM model's bookkeeping made cheaper (issue 17, AArch64's diy7-style tests): each state's
solo searches asked once, memories hashed once, locals made without `_replace`; the answers
are the ones the plain definitions give."""

from __future__ import annotations

from fencelab.litmus.parser import parse_text
from fencelab.litmus.printer import format_outcome
from fencelab.machine.explore import exhaustive
from fencelab.machine.machine import Machine
from fencelab.models.operational.arm.local import FwdItem, Local, after_dmb, after_isb
from fencelab.models.operational.arm.model import ARM, ArmMemory
from fencelab.pipeline import RunOptions, run_test
from fencelab.program.load import load

MP = r"""AArch64 MP+dmb.sy+addr
{ 0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x; }
 P0          | P1                  ;
 MOV W0,#1   | LDR W0,[X1]         ;
 STR W0,[X1] | EOR W2,W0,W0        ;
 DMB SY      | LDR W4,[X3,W2,SXTW] ;
 MOV W2,#1   |                     ;
 STR W2,[X3] |                     ;
exists (1:X0=1 /\ 1:X4=0)
"""


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
    outcomes = {format_outcome(s.outcome) for s in result.states}
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
    assert {format_outcome(s.outcome) for s in result.states} == {
        "1:X0=0; 1:X4=0;", "1:X0=0; 1:X4=1;", "1:X0=1; 1:X4=1;"}  # fmt: skip
    assert result.budget_exhausted == 0
    assert (result.explored_states, result.transitions) == (11, 10)  # as on 2357c30
