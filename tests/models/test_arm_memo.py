"""The ARM model's memos (issue 17, AArch64's speed): work asked for again is not done again,
and what it answers is what doing it again would answer."""

from __future__ import annotations

from fencelab.litmus.parser import parse_text
from fencelab.litmus.printer import format_state
from fencelab.machine.explore import exhaustive
from fencelab.machine.machine import Machine
from fencelab.models.operational.arm import thread
from fencelab.models.operational.arm.model import ARM
from fencelab.models.operational.arm.project import Projector
from fencelab.program.load import load

WRC = r"""AArch64 WRC+addrs
{ 0:X1=x; 1:X1=x; 1:X3=y; 2:X1=y; 2:X3=x; }
 P0          | P1                  | P2                  ;
 MOV W0,#1   | LDR W0,[X1]         | LDR W0,[X1]         ;
 STR W0,[X1] | EOR W2,W0,W0        | EOR W2,W0,W0        ;
             | MOV W4,#1           | LDR W4,[X3,W2,SXTW] ;
             | STR W4,[X3,W2,SXTW] |                     ;
exists (1:X0=1 /\ 2:X0=1 /\ 2:X4=0)
"""

SB = r"""AArch64 SB
{ 0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x; }
 P0          | P1          ;
 MOV W0,#1   | MOV W0,#1   ;
 STR W0,[X1] | STR W0,[X1] ;
 LDR W2,[X3] | LDR W2,[X3] ;
exists (0:X2=0 /\ 1:X2=0)
"""


def _machine(text: str) -> Machine:
    """A machine whose model is the one exhaustive exploration runs (with the model's
    reductions; `explore(machine)` explores under it, not under a new one)."""
    return Machine(load(parse_text(text, "<test>")), ARM().for_exhaustive(), reductions=False)


def explore(machine: Machine):
    return exhaustive(machine, reduce=False)


def test_a_certification_asked_again_is_not_projected_again(monkeypatch):
    machine = _machine(WRC)
    result = explore(machine)
    assert "1:X0=1; 2:X0=1; 2:X4=0;" not in {format_state(s.outcome) for s in result.states}
    model, program = machine.model, machine.program
    state = machine.initial()
    mem = state.memory
    asked = [(tid, tstate, mem.locals[tid], mem.messages)
             for tid, tstate in enumerate(state.threads)]  # fmt: skip
    projected = []
    real = Projector.projection

    def counted(self, *args, **kwargs):
        projected.append(args[0])
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Projector, "projection", counted)
    answers = [model._solo(program, *a) for a in asked]  # (read locations may have grown
    projected.clear()  # since exploration asked: then this projected again)
    assert [model._solo(program, *a) for a in asked] == answers
    assert projected == []  # the same question under the same read locations: remembered
    model._alone.clear()  # the same questions from nothing: projected and certified again
    assert [model._solo(program, *a) for a in asked] == answers
    assert sorted(projected) == [0, 1, 2]


def test_whether_threads_may_start_is_decided_once_a_state(monkeypatch):
    asked = []  # the states themselves, so that no two are the same object by accident
    real = ARM._all_complete

    def counted(self, program, state, *rest):
        asked.append(state)
        return real(self, program, state, *rest)

    monkeypatch.setattr(ARM, "_all_complete", counted)
    result = explore(_machine(WRC))
    assert len({id(s) for s in asked}) == len(asked) > 1
    assert len(result.states) == 7  # WRC+addrs: all but the one the address dependencies forbid


def test_moves_are_put_in_words_only_when_shown():
    machine = _machine(SB)
    model, program = machine.model, machine.program
    state = machine.initial()
    ctx = model._ctx(program, 0)
    moves = thread.thread_moves(ctx, state.threads[0], state.memory.locals[0], (), certify=True)
    (fresh,) = moves  # alone, the store can only write at a fresh timestamp
    assert not isinstance(fresh.words, str)  # nothing made yet: certification never shows it
    assert fresh.what == "writes x=1@1"
    # shown transitions say what they do, as before
    promise = next(t for t in machine.transitions(state) if t.key == "0.p1.x=1")
    other = next(t for t in machine.transitions(promise.target) if t.key == "1.p2.y=1")
    labels = {t.key: t.label for t in machine.transitions(other.target) if t.tid == 0}
    assert labels["0.w1"] == "P0: execute str w0, [x1] (fulfils promise x=1@1)"
