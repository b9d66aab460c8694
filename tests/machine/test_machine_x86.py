"""The machine under sc and x86-TSO on x86 litmus tests.

Expected verdicts are x86-TSO's published ones (Owens, Sarkar, Sewell, "A better x86 memory
model: x86-TSO", TPHOLs 2009; Sewell et al., CACM 2010, tests n1-n8 and the classic shapes; the
outcome sets are herd7's under x86tso.cat), not what this code printed.
"""

from __future__ import annotations

import re

import pytest

from fencelab.litmus.parser import parse_text
from fencelab.litmus.printer import format_state
from fencelab.machine.explore import Replay, exhaustive, random_runs, replay
from fencelab.machine.machine import Machine
from fencelab.models.registry import get_model
from fencelab.program.load import load
from fencelab.report.herd import format_herd
from tests.helpers import X86_SB, X86_SB_MFENCES

SB = X86_SB

SB_MFENCES = X86_SB_MFENCES

SB_XCHGS = """X86_64 SB+xchgs
{ x=0; y=0; }
 P0              | P1              ;
 movl $1,%ebx    | movl $1,%ebx    ;
 xchgl %ebx,(x)  | xchgl %ebx,(y)  ;
 movl (y),%eax   | movl (x),%eax   ;
exists (0:rax=0 /\\ 1:rax=0)
"""

SB_LOCKADDS = """X86_64 SB+lockadds
{ x=0; y=0; }
 P0                 | P1                 ;
 movl $1,%ebx       | movl $1,%ebx       ;
 lock xaddl %ebx,(x) | lock xaddl %ebx,(y) ;
 movl (y),%eax      | movl (x),%eax      ;
exists (0:rax=0 /\\ 1:rax=0)
"""

MP = """X86 MP
{ x=0; y=0; }
 P0         | P1          ;
 MOV [x],$1 | MOV EAX,[y] ;
 MOV [y],$1 | MOV EBX,[x] ;
exists (1:EAX=1 /\\ 1:EBX=0)
"""

LB = """X86 LB
{ x=0; y=0; }
 P0          | P1          ;
 MOV EAX,[x] | MOV EAX,[y] ;
 MOV [y],$1  | MOV [x],$1  ;
exists (0:EAX=1 /\\ 1:EAX=1)
"""

IRIW = """X86 IRIW
{ x=0; y=0; }
 P0         | P1          | P2         | P3          ;
 MOV [x],$1 | MOV EAX,[x] | MOV [y],$1 | MOV EAX,[y] ;
            | MOV EBX,[y] |            | MOV EBX,[x] ;
exists (1:EAX=1 /\\ 1:EBX=0 /\\ 3:EAX=1 /\\ 3:EBX=0)
"""

# n6 (Owens et al.): P0 reads its own buffered store early: allowed on x86-TSO, not on SC.
N6 = """X86 n6
{ x=0; y=0; }
 P0          | P1         ;
 MOV [x],$1  | MOV [y],$2 ;
 MOV EAX,[x] | MOV [x],$2 ;
 MOV EBX,[y] |            ;
exists (0:EAX=1 /\\ 0:EBX=0 /\\ x=1)
"""

# n5: each core reads the other's write although its own came later in coherence: forbidden.
N5 = """X86 n5
{ x=0; }
 P0          | P1          ;
 MOV [x],$1  | MOV [x],$2  ;
 MOV EAX,[x] | MOV EBX,[x] ;
exists (0:EAX=2 /\\ 1:EBX=1)
"""

R = """X86 R
{ x=0; y=0; }
 P0         | P1          ;
 MOV [x],$1 | MOV [y],$2  ;
 MOV [y],$1 | MOV EAX,[x] ;
exists (y=2 /\\ 1:EAX=0)
"""

R_MFENCE = """X86 R+po+mfence
{ x=0; y=0; }
 P0         | P1          ;
 MOV [x],$1 | MOV [y],$2  ;
 MOV [y],$1 | MFENCE      ;
            | MOV EAX,[x] ;
exists (y=2 /\\ 1:EAX=0)
"""

TWO_PLUS_TWO_W = """X86 2+2W
{ x=0; y=0; }
 P0         | P1         ;
 MOV [x],$1 | MOV [y],$1 ;
 MOV [y],$2 | MOV [x],$2 ;
exists (x=1 /\\ y=1)
"""

S = """X86 S
{ x=0; y=0; }
 P0         | P1          ;
 MOV [x],$2 | MOV EAX,[y] ;
 MOV [y],$1 | MOV [x],$1  ;
exists (x=2 /\\ 1:EAX=1)
"""

WRC = """X86 WRC
{ x=0; y=0; }
 P0         | P1          | P2          ;
 MOV [x],$1 | MOV EAX,[x] | MOV EAX,[y] ;
            | MOV [y],$1  | MOV EBX,[x] ;
exists (1:EAX=1 /\\ 2:EAX=1 /\\ 2:EBX=0)
"""

CORR = """X86 CoRR
{ x=0; }
 P0         | P1          ;
 MOV [x],$1 | MOV EAX,[x] ;
            | MOV EBX,[x] ;
exists (1:EAX=1 /\\ 1:EBX=0)
"""


def run(text: str, model: str):
    return exhaustive(Machine(load(parse_text(text)), get_model(model).new()))


# (test, x86-TSO observation, SC observation)
CLASSICS = [
    (SB, "Sometimes", "Never"),
    (SB_MFENCES, "Never", "Never"),
    (SB_XCHGS, "Never", "Never"),
    (SB_LOCKADDS, "Never", "Never"),
    (MP, "Never", "Never"),
    (LB, "Never", "Never"),
    (IRIW, "Never", "Never"),
    (N6, "Sometimes", "Never"),
    (N5, "Never", "Never"),
    (R, "Sometimes", "Never"),
    (R_MFENCE, "Never", "Never"),
    (TWO_PLUS_TWO_W, "Never", "Never"),
    (S, "Never", "Never"),
    (WRC, "Never", "Never"),
    (CORR, "Never", "Never"),
]


@pytest.mark.parametrize("text,tso,sc", CLASSICS, ids=[t[0].split()[1] for t in CLASSICS])
def test_classic_verdicts(text, tso, sc):
    assert run(text, "tso").observation == tso
    assert run(text, "sc").observation == sc


def outcomes(result) -> set[str]:
    return {format_state(s.outcome) for s in result.states}


def test_sb_outcome_sets_match_herd():
    # herd7 -model x86tso.cat SB: 4 states; -model sc.cat: 3 states.
    both = {f"0:rax={a}; 1:rax={b};" for a in (0, 1) for b in (0, 1)}
    assert outcomes(run(SB, "tso")) == both
    assert outcomes(run(SB, "sc")) == both - {"0:rax=0; 1:rax=0;"}


def test_mp_outcome_set_under_tso():
    assert outcomes(run(MP, "tso")) == {
        "1:EAX=0; 1:EBX=0;",
        "1:EAX=0; 1:EBX=1;",
        "1:EAX=1; 1:EBX=1;",
    }


def test_n6_final_memory_and_own_buffer_forwarding():
    result = run(N6, "tso")
    sat = result.satisfying()
    assert [format_state(s.outcome) for s in sat] == ["0:EAX=1; 0:EBX=0; [x]=1;"]
    # the witness: P0 reads x=1 from its own buffer before the store reaches memory
    assert "d0" in sat[0].witness.split(",")


def test_every_witness_replays_to_its_outcome():
    for text in (SB, N6, IRIW, SB_XCHGS):
        result = run(text, "tso")
        for state in result.states:
            again = replay(Machine(load(parse_text(text)), get_model("tso").new()), state.witness)
            assert again.states[0].outcome == state.outcome


def test_exploration_counts_states_and_prunes():
    result = run(SB, "tso")
    assert result.explored_states > 4
    assert result.transitions >= result.explored_states - 1


def test_random_mode_histogram_is_seeded_and_complete():
    machine = Machine(load(parse_text(SB)), get_model("tso").new())
    a = random_runs(machine, 400, seed=7)
    b = random_runs(Machine(load(parse_text(SB)), get_model("tso").new()), 400, seed=7)
    assert [(s.outcome, s.count) for s in a.states] == [(s.outcome, s.count) for s in b.states]
    assert sum(s.count for s in a.states) == 400
    assert len(a.states) == 4  # all four x86-TSO outcomes show up in 400 runs


def test_herd_output_shape():
    text = format_herd(run(SB, "tso"), extras=False).splitlines()
    assert text[0] == "Test SB Allowed"
    assert text[1] == "States 4"
    assert text[2:6] == sorted(text[2:6])
    assert text[6:] == [
        "Ok",
        "Witnesses",
        "Positive: 1 Negative: 3",
        "Condition exists (0:rax=0 /\\ 1:rax=0)",
        "Observation SB Sometimes 1 3",
        text[-1],
    ]
    assert re.fullmatch(r"Time SB \d+\.\d\d", text[-1])


def test_herd_first_line_is_the_kind_and_ok_no_the_result():
    """herd7 prints the test's kind (from its quantifier) first, whatever the result: an SB
    that never shows 0/0 is still `Test SB Allowed` ... `No`; a `~exists` test is `Forbidden`."""
    sc = format_herd(run(SB, "sc"), extras=False).splitlines()
    assert sc[0] == "Test SB Allowed" and sc[sc.index("States 3") + 4] == "No"
    negated = format_herd(run(SB.replace("exists", "~exists"), "tso"), extras=False)
    assert negated.splitlines()[0] == "Test SB Forbidden" and "\nNo\n" in negated


def test_replay_rejects_a_disabled_step():
    from fencelab.errors import FencelabError

    machine = Machine(load(parse_text(SB)), get_model("tso").new())
    with pytest.raises(FencelabError, match="not enabled"):
        replay(machine, "0,d1")


def test_spin_loop_hits_budget_and_is_reported_apart():
    spin = """X86_64 spin
{ x=0; }
 P0                | P1          ;
 L0:               | movl $1,(x) ;
 movl (x),%eax     |             ;
 cmpl $0,%eax      |             ;
 je L0             |             ;
exists (0:rax=1)
"""
    result = exhaustive(Machine(load(parse_text(spin)), get_model("tso").new(), budget=5))
    assert [format_state(s.outcome) for s in result.states] == ["0:rax=1;"]
    assert result.budget_exhausted > 0


def test_tso_says_no_move_is_enabled_at_a_final_state():
    # with persistent sets, TSO tells a state where nothing can move (two empty sets) and the
    # machine returns no moves without asking each core
    machine = Machine(load(parse_text(SB)), get_model("tso").new().for_exhaustive())
    result = exhaustive(machine)
    assert len(result.states) == 4
    for state in result.states:
        walk = Replay(machine)
        for key in state.witness.split(","):
            walk.take(key)
        assert machine.model.persistent(machine.program, walk.state) == (frozenset(), frozenset())
        assert machine.transitions(walk.state) == []
        assert machine.outcome(walk.state) == state.outcome


def test_outcome_values_are_worked_out_once_a_raw_value():
    # IRIW's 15 outcomes repeat each register's 0 and 1: each observable's shown value is
    # worked out once for each raw value, not once for each final state
    machine = Machine(load(parse_text(IRIW)), get_model("tso").new())
    asked = []
    value_of = machine.program.value_of

    def counted(obs, raw):
        asked.append((obs, raw))
        return value_of(obs, raw)

    machine.program.value_of = counted
    result = exhaustive(machine)
    assert len(result.states) == 15
    assert len(asked) == len(set(asked)) == 8  # four registers, two values each


# ---------------------------------------------------------------------------------------------
# The fused step (`tso-step`, TSO.successors): the same search as the machine's transitions

UNALIGNED = """X86_64 T
{ uint32_t x; 0:rcx=x; }
 P0                ;
 movl $1,1(%rcx)   ;
exists (x=1)
"""

SB_BYTE_FORWARD = """X86_64 SB+bytes
{ uint32_t x; uint32_t y; 0:rcx=x; 1:rcx=y; }
 P0                     | P1                     ;
 movl $0x11111111,(x)   | movl $0x22222222,(y)   ;
 movb $2,1(%rcx)        | lock xaddl %ebx,(x)    ;
 movl (x),%eax          | movb 1(%rcx),%al       ;
 movl (y),%ebx          | mfence                 ;
exists (0:rax=0x11110211 /\\ 0:rbx=0)
"""


def _search(text: str, fused: bool):
    """Exhaustive search's witnesses, states and transitions, with the fused step on or off
    (the machine made after `tso-step` is set: it reads it once)."""
    from fencelab import reduce

    reduce.set_disabled([] if fused else ["tso-step"])
    try:
        machine = Machine(load(parse_text(text)), get_model("tso").new())
        fast = machine.with_model(machine.model.for_exhaustive(), True)
        result = exhaustive(machine)
    finally:
        reduce.enable_all()
    return (sorted((format_state(s.outcome), s.witness) for s in result.states),
            result.explored_states, result.transitions), fast.fused  # fmt: skip


@pytest.mark.parametrize("text", [SB, SB_MFENCES, SB_XCHGS, SB_LOCKADDS, MP, SB_BYTE_FORWARD],
                         ids=["SB", "SB+mfences", "SB+xchgs", "SB+lockadds", "MP", "bytes"])
def test_tso_fused_step_makes_the_same_search(text):
    """Witnesses (the schedules' keys), states and transitions are those of the machine's
    transitions; the fused step is in use only with `tso-step` on."""
    made, fused = _search(text, True)
    assert fused
    assert _search(text, False) == (made, False)
    assert made[0]  # some outcome (every test here ends)


def test_tso_fused_step_on_generated_and_diy_tests():
    from fencelab.gen import cycles
    from fencelab.gen.families import generate_many

    texts = generate_many("x86_64", 15, seed=7) + cycles.generate_many("x86_64", 15, seed=7)
    differ = [t.split()[1] for t in texts if _search(t, True)[0] != _search(t, False)[0]]
    assert differ == []


SB_LOCKED = """X86_64 SB+locked
{ uint32_t x; uint32_t y; }
 P0                     | P1                     ;
 movl $0x11111111,(x)   | movl $0x22222222,(y)   ;
 movl (x),%eax          | lock xaddl %ebx,(x)    ;
 movl (y),%ebx          | movl (y),%eax          ;
                        | mfence                 ;
exists (0:rax=0x11111111 /\\ 0:rbx=0)
"""


def test_tso_fused_step_makes_the_successors_of_locked_instructions_and_drains():
    """`TSO.successors` answers in every state of a test with loads forwarded from buffered
    stores, a locked instruction, an MFENCE and drains (never None: the transitions' way),
    with the transitions' keys and targets. (A test whose loads may be forwarded in part,
    SB+bytes, is explored the plain way: `TSO.guards`.)"""
    assert get_model("tso").new().guards(load(parse_text(SB_BYTE_FORWARD)))
    program = load(parse_text(SB_LOCKED))
    machine = Machine(program, get_model("tso").new().for_exhaustive())
    assert machine.fused
    todo, seen, kinds = [machine.initial()], set(), set()
    while todo:
        state = todo.pop()
        if state in seen:
            continue
        seen.add(state)
        made = machine.successors(state)
        assert made == [(t.key, t.target) for t in machine.transitions(state)]
        for key, target in made:
            tid = int(key.lstrip("d"))
            if not key.startswith("d"):
                kinds.add(program.threads[tid].core.info(state.threads[tid]).kind.name)
            else:
                kinds.add("drain")
            todo.append(target)
    assert kinds == {"drain", "LOAD", "STORE", "RMW", "FENCE"}


def test_tso_fused_step_names_an_access_it_cannot_place_at_its_instruction():
    from fencelab import reduce
    from fencelab.errors import FencelabError

    said = []
    for off in ([], ["tso-step"]):
        reduce.set_disabled(off)
        try:
            with pytest.raises(FencelabError) as e:
                exhaustive(Machine(load(parse_text(UNALIGNED)), get_model("tso").new()))
        finally:
            reduce.enable_all()
        said.append(str(e.value))
    assert said[0] == said[1]
    assert "'movl $1, 1(%rcx)' at 0x" in said[0] and "not aligned" in said[0]
