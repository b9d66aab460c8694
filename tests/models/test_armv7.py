"""The ARMv7 model (`armv7`, not multicopy-atomic) and its arm.cat checker (`armv7-axiomatic`).

Verdicts are herd7's under arm.cat (Alglave, Maranget, Tautschnig, "Herding cats", TOPLAS 2014):
ARMv7 lets a write reach one core before another (WRC+addrs, IRIW+addrs allowed) and restores
order with cumulative barriers (WRC+dmb+addr, IRIW+dmbs, ISA2+dmb.st+addrs forbidden). The same
tests under `aarch32` (ARMv8 AArch32 rules, multicopy-atomic) forbid the first two. Every test
here runs under both the operational model and the checker, which must give the same outcome
set; herd's own ARM tests (tests/data/herd/arm/expected.txt) must give herd's outcome sets.
"""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from fencelab import reduce
from fencelab.checker.core import Checker
from fencelab.cli import main
from fencelab.errors import FencelabError
from fencelab.gen.arm_shapes import SHAPES, generate_many_a32, generate_shape
from fencelab.isa.registry import get_target
from fencelab.litmus.parser import parse_file, parse_text
from fencelab.litmus.printer import format_state
from fencelab.lowering import get_scheme
from fencelab.machine.explore import Replay, exhaustive
from fencelab.machine.machine import Machine
from fencelab.models.axiomatic.arm import run_axiomatic
from fencelab.models.registry import get_model
from fencelab.pipeline import RunOptions, machine_for, run_test
from fencelab.program.load import load
from tests.helpers import EXAMPLES, HERD_DATA
from tests.helpers.herd import expected_outcomes

ARM = EXAMPLES / "arm"
HERD = HERD_DATA / "arm"

# (test, armv7 verdict, aarch32 verdict)
CLASSIC = [
    ("WRC+addrs", "Allowed", "Forbidden"),
    ("IRIW+addrs", "Allowed", "Forbidden"),
    ("WRC+dmb+addr", "Forbidden", "Forbidden"),
    ("IRIW+dmbs", "Forbidden", "Forbidden"),
    ("ISA2+dmb.st+addrs", "Forbidden", "Forbidden"),
    ("MP", "Allowed", "Allowed"),
    ("MP+dmbs", "Forbidden", "Forbidden"),
    ("MP+dmb+addr", "Forbidden", "Forbidden"),
    ("MP+dmb+ctrlisb", "Forbidden", "Forbidden"),
    ("SB", "Allowed", "Allowed"),
    ("SB+dmbs", "Forbidden", "Forbidden"),
    ("LB", "Allowed", "Allowed"),
    ("LB+datas", "Forbidden", "Forbidden"),
]


def _run(program, model: str):
    return exhaustive(Machine(program, get_model(model).new()))


@pytest.mark.parametrize("name,armv7,aarch32", CLASSIC)
def test_classic_verdicts_armv7_and_aarch32(name, armv7, aarch32):
    program = load(parse_file(ARM / f"{name}.litmus"))
    op = _run(program, "armv7")
    ax = run_axiomatic(program, "armv7")
    assert op.verdict == armv7
    assert op.outcome_set() == ax.outcome_set()
    assert ax.engine == "armv7-axiomatic"
    assert _run(program, "aarch32").verdict == aarch32


def _wrc_addrs_allowed() -> tuple[Machine, Replay]:
    """WRC+addrs under armv7, replayed to the end of its allowed (non-MCA) outcome."""
    program = load(parse_file(ARM / "WRC+addrs.litmus"))
    machine = Machine(program, get_model("armv7").new())
    witness = next(s.witness for s in exhaustive(machine).states
                   if format_state(s.outcome) == "1:R0=1; 2:R0=1; 2:R3=0;")  # fmt: skip
    walk = Replay(machine)
    for key in witness.split(","):
        walk.take(key)
    return machine, walk


def test_write_reaches_cores_one_by_one_in_describe():
    """WRC+addrs, the allowed outcome: x=1 has reached P1 (which read it) but not P2."""
    machine, walk = _wrc_addrs_allowed()
    view = machine.memory_view(walk.state)
    x = next(w for w in view["writes"] if w["location"] == "x")
    assert x["reached"] == ["P0", "P1"] and x["everywhere"] is None
    assert view["coherence"]["x"] == ["init", f"@{x['pos']}"]


def test_reasons_pane_says_which_cores_a_write_has_reached():
    """The TUI's reasons pane (Machine.explain): P2 read x=0 after P1 read x=1."""
    machine, walk = _wrc_addrs_allowed()
    said = [r.text for r in machine.explain(walk.state, 2)]
    assert any(re.fullmatch(r"x=1 \(@\d+, P0\) has not reached this core \(reached: P0, P1\)", t)
               for t in said), said  # fmt: skip
    said = [r.text for r in machine.explain(walk.state, 1)]
    assert any(re.fullmatch(r"x=1 \(@\d+, P0\) has reached this core \(reached: P0, P1\)", t)
               for t in said), said  # fmt: skip


def test_barrier_propagates_its_group_a_everywhere():
    """WRC+dmb+addr: P1's DMB needs x=1 (which P1 read) to have reached every core."""
    program = load(parse_file(ARM / "WRC+dmb+addr.litmus"))
    machine = Machine(program, get_model("armv7").new())
    result = exhaustive(machine)
    walk = Replay(machine)
    witness = next(s.witness for s in result.states
                   if format_state(s.outcome) == "1:R0=1; 2:R0=1; 2:R3=1;")  # fmt: skip
    labels = [walk.take(k).label for k in witness.split(",")]
    assert any("reaches every core" in label for label in labels)
    x = next(w for w in machine.memory_view(walk.state)["writes"] if w["location"] == "x")
    assert x["reached"] == "every core"


def _herd_expected() -> dict[str, tuple[str, set[str]]]:
    return expected_outcomes(HERD)


@pytest.mark.parametrize("name", sorted(_herd_expected()))
def test_herd_arm_tests_give_herds_outcome_sets(name):
    verdict, states = _herd_expected()[name]
    program = load(parse_file(HERD / f"{name}.litmus"))
    for result in (_run(program, "armv7"), run_axiomatic(program, "armv7")):
        got = {_canonical(format_state(o)) for o in result.outcome_set()}
        assert got == {_canonical(s) for s in states}, result.engine


def _canonical(state: str) -> str:
    """herd lists a state's locations and registers in its own order: compare them as sets."""
    return " ".join(sorted(part.strip() + ";" for part in state.split(";") if part.strip()))


@pytest.mark.parametrize("relative,armv7,aarch32", [
    ("c/WRC+data+acq", "Allowed", "Forbidden"),
    ("rust/WRC+data+acq", "Allowed", "Forbidden"),
    ("c/WRC+rlx", "Allowed", "Allowed"),
    ("c/IRIW+rlx", "Allowed", "Allowed"),
    ("c/IRIW+acq", "Forbidden", "Forbidden"),
    ("rust/WRC+rel+acq", "Forbidden", "Forbidden"),
    ("c/ISA2+rel+acq", "Forbidden", "Forbidden"),
])  # fmt: skip
def test_c_and_rust_relatives_compiled_to_armv7(relative, armv7, aarch32):
    test = parse_file(EXAMPLES / f"{relative}.litmus")
    result = run_test(test, RunOptions.named("armv7"))
    assert result.engine == "armv7"  # the target's default model
    assert result.verdict == armv7
    machine = machine_for(test, RunOptions.named("armv7"))
    ax = run_axiomatic(machine.program, "armv7")
    assert {format_state(o) for o in ax.outcome_set()} == {
        format_state(o) for o in exhaustive(machine).outcome_set()}
    assert run_test(test, RunOptions.named("armv7", model="aarch32")).verdict == aarch32


def test_check_default_scheme_sound_on_armv7_where_aarch32_differs():
    check = Checker(get_model("c11")).check(parse_file(EXAMPLES / "c/WRC+data+acq.litmus"),
                                            get_target("armv7"), get_scheme("default"))  # fmt: skip
    assert check.error == "" and check.sound and check.hardware_model == "armv7"
    assert check.hardware.verdict == "Allowed"


@pytest.mark.parametrize("scheme,sound", [("default", True), ("gcc", True), ("tutorial", False)])
def test_tutorial_release_still_caught_on_armv7(scheme, sound):
    """The course's `dmb ishst; str` Release lets LB+rlx.rel+acq.rlx's load pass the store
    under ARMv7 too; the default and GCC mappings (full `dmb ish`) stay sound."""
    test = parse_file(EXAMPLES / "counterexamples/arm-tutorial-LB+rlx.rel+acq.rlx.litmus")
    check = Checker(get_model("c11")).check(test, get_target("armv7"), get_scheme(scheme))
    assert check.error == "" and check.hardware_model == "armv7"
    assert check.sound is sound
    if not sound:
        assert [format_state(e.outcome) for e in check.extra] == ["0:r0=1; 1:r0=1;"]


# A retry loop whose store-exclusive puts back the value it read and must succeed to end (an
# atomic max(x, 3) with x = 5): the put-back is a real write, not a failed spinlock attempt, so
# armv7 must commit it (it once never did, and found only P1-first).
PUT_BACK = """ARM putback
{ x=5; 0:R1=x; 1:R1=x; }
 P0                 | P1          ;
 L0: LDREX R0,[R1]  | MOV R0,#1   ;
 CMP R0,#3          | STR R0,[R1] ;
 MOVGE R2,R0        |             ;
 MOVLT R2,#3        |             ;
 STREX R3,R2,[R1]   |             ;
 CMP R3,#0          |             ;
 BNE L0             |             ;
exists (0:R0=5 /\\ [x]=1)
"""
# A loop that jumps back after a put-back, but counts its successes: not a spin either.
PUT_BACK_COUNTED = """ARM putback-counted
{ x=1; 0:R1=x; }
 P0                 ;
 MOV R5,#0          ;
 L0: LDREX R0,[R1]  ;
 STREX R3,R0,[R1]   ;
 CMP R3,#0          ;
 ADDEQ R5,R5,#1     ;
 CMP R5,#2          ;
 BLT L0             ;
exists (0:R5=2 /\\ [x]=1)
"""


@pytest.mark.parametrize("text,outcomes", [
    (PUT_BACK, ["0:R0=1; [x]=3;", "0:R0=5; [x]=1;"]),
    (PUT_BACK_COUNTED, ["0:R5=2; [x]=1;"]),
], ids=["max", "counted"])  # fmt: skip
def test_put_back_that_must_succeed_is_committed(text, outcomes):
    program = load(parse_text(text))
    op = _run(program, "armv7")
    assert sorted(format_state(o) for o in op.outcome_set()) == outcomes
    assert not op.budget_exhausted
    assert op.outcome_set() == run_axiomatic(program, "armv7", budget=6).outcome_set()
    assert op.outcome_set() == _run(program, "aarch32").outcome_set()


# arm.cat leaves po-loc out of ppo (`cc0 = dd | ctrl | addrpo`): P1's second write to x is
# not ordered after its read of z, so it may reach P0 before that read is satisfied, while
# uniproc keeps it coherence-after P1's first write (x=4, written later). armv7 once committed
# a core's writes to one location in program order and never reached this outcome (the
# cross-check's A32R2026-245, reduced). A barrier or a control dependency between the two
# writes orders them again; a store-exclusive as the second write does not.
WW_PO = """ARM WW+data+{mid}
{{ 0:R10=x; 0:R12=z; 1:R10=x; 1:R12=z; }}
 P0           | P1           ;
 LDR R0,[R10] | LDR R0,[R12] ;
 EOR R8,R0,R0 | EOR R8,R0,R0 ;
 ADD R8,R8,#1 | ADD R8,R8,#4 ;
 STR R8,[R12] | STR R8,[R10] ;
{rest}
exists (0:R0=5 /\\ 1:R0=1{cond})
"""
WW_PO_TAILS = {  # P1 after its first write to x: (lines, extra condition, arm.cat's verdict)
    "po": (["MOV R9,#5", "STR R9,[R10]"], "", "Allowed"),
    "read": (["LDR R1,[R10]", "MOV R9,#5", "STR R9,[R10]"], " /\\ 1:R1=4", "Allowed"),
    "isb": (["ISB", "MOV R9,#5", "STR R9,[R10]"], "", "Allowed"),
    "strex": (["LDREX R1,[R10]", "MOV R9,#5", "STREX R2,R9,[R10]"],
              " /\\ 1:R1=4 /\\ 1:R2=0", "Allowed"),
    "dmb": (["DMB", "MOV R9,#5", "STR R9,[R10]"], "", "Forbidden"),
    "dmb.st": (["DMB ST", "MOV R9,#5", "STR R9,[R10]"], "", "Forbidden"),
    "ctrl": (["CMP R0,#1", "BNE LC1", "LC1: MOV R9,#5", "STR R9,[R10]"], "", "Forbidden"),
}  # fmt: skip


def _ww_po(mid: str) -> str:
    lines, cond, _ = WW_PO_TAILS[mid]
    rest = "\n".join(f"              | {line} ;" for line in lines)
    return WW_PO.format(mid=mid, rest=rest, cond=cond)


@pytest.mark.parametrize("mid", list(WW_PO_TAILS))
def test_same_location_writes_commit_out_of_program_order_as_in_arm_cat(mid):
    program = load(parse_text(_ww_po(mid)))
    op, ax = _run(program, "armv7"), run_axiomatic(program, "armv7")
    assert ax.verdict == WW_PO_TAILS[mid][2]
    assert op.verdict == ax.verdict
    assert op.outcome_set() == ax.outcome_set()
    assert not op.budget_exhausted
    assert _run(program, "aarch32").verdict == "Forbidden"  # ARMv8: multicopy-atomic


def test_same_location_writes_still_coherent_in_program_order():
    """CoWW, CoRR and CoRW2 stay forbidden (uniproc): only the commit order was freed."""
    texts = [
        "ARM CoWW\n{ 0:R10=x; 1:R10=x; }\n P0 | P1 ;\n MOV R9,#1 | LDR R0,[R10] ;\n"
        " STR R9,[R10] | LDR R1,[R10] ;\n MOV R9,#2 | ;\n STR R9,[R10] | ;\n"
        "exists (1:R0=2 /\\ 1:R1=1)\n",
        "ARM CoRR\n{ 0:R10=x; 1:R10=x; }\n P0 | P1 ;\n MOV R9,#1 | LDR R0,[R10] ;\n"
        " STR R9,[R10] | LDR R1,[R10] ;\nexists (1:R0=1 /\\ 1:R1=0)\n",
        "ARM CoRW2\n{ 0:R10=x; 1:R10=x; }\n P0 | P1 ;\n LDR R0,[R10] | LDR R0,[R10] ;\n"
        " MOV R9,#1 | MOV R9,#2 ;\n STR R9,[R10] | STR R9,[R10] ;\n"
        "exists (0:R0=2 /\\ 1:R0=1)\n",
    ]
    for text in texts:
        program = load(parse_text(text))
        op, ax = _run(program, "armv7"), run_axiomatic(program, "armv7")
        assert op.verdict == ax.verdict == "Forbidden", text.split()[1]
        assert op.outcome_set() == ax.outcome_set()



LB_LOOP3 = """ARM LB+loop3
{ 0:R5=x; 0:R6=y; 1:R5=x; 1:R6=y; }
 P0             | P1             ;
 LDR R0, [R6]   | LDR R2, [R5]   ;
 MOV R1, #1     | LDR R3, [R5]   ;
 loop:          | LDR R4, [R5]   ;
 STR R1, [R5]   | ADD R7, R2, R3 ;
 ADD R1, R1, #1 | ADD R7, R7, R4 ;
 CMP R1, #4     | STR R7, [R6]   ;
 BNE loop       |                ;
exists (0:R0=6 /\\ 1:R2=1 /\\ 1:R3=2 /\\ 1:R4=3)
"""


def test_loop_storing_more_times_than_it_has_stores_commits_them_all():
    """P0's one store runs three times: cores execute only once each has committed every
    write it will make (model.py), so P0 commits three writes ahead. The most writes a core
    can still make (`certify.writes_left`) was capped at one more than its store
    instructions, two, which left P0 no room for a third commit: no execution started, and
    the test had no final state at all. Now arm.cat's 39 outcomes, the LB one among them."""
    program = load(parse_text(LB_LOOP3))
    op, ax = _run(program, "armv7"), run_axiomatic(program, "armv7")
    assert len(ax.outcome_set()) == 39 and ax.verdict == "Allowed"
    assert op.outcome_set() == ax.outcome_set() and op.verdict == "Allowed"
    assert not op.budget_exhausted

# -- generated tests: operational == arm.cat ------------------------------------------------------


CROSSCHECK = generate_many_a32(9, seed=18)  # about 6 s; the big run is bench/armv7_crosscheck.py


@pytest.mark.parametrize("text", CROSSCHECK, ids=lambda t: t.split()[1])
def test_generated_a32_operational_equals_arm_cat(text):
    program = load(parse_text(text))
    op, ax = _run(program, "armv7"), run_axiomatic(program, "armv7")
    assert not op.budget_exhausted and op.states
    assert op.outcome_set() == ax.outcome_set(), (
        [format_state(o) for o in op.outcome_set() ^ ax.outcome_set()])


def test_generator_builds_the_non_mca_shapes_with_decorations():
    texts = [generate_shape(seed, shape=shape) for shape in SHAPES for seed in range(4)]
    counts = {len(load(parse_text(t)).threads) for t in texts}
    assert counts == {2, 3, 4}
    body = "\n".join(texts)
    for needle in ("EOR R8", "BNE LC", "ISB", "DMB ST", "DMB", "LDREX", "STREX", "[R11,R8]"):
        assert needle in body, needle
    mixed = generate_many_a32(6, seed=3)
    assert sum(t.split()[1].startswith("A32R") for t in mixed) == 2


# -- what armv7 refuses, and the CLI ----------------------------------------------------------------


# keystone assembles neither: their encodings
@pytest.mark.parametrize("insn,why", [(".word 0xe1910c9f", "aarch32"),  # LDA R0,[R1]
                                      (".word 0xf57ff05d", "DMB LD")])  # DMB LD  # fmt: skip
def test_armv8_only_instructions_are_refused_with_the_way_out(insn, why):
    text = f"ARM refuse\n{{ 0:R1=x; }}\n P0 ;\n {insn} ;\nexists (x=0)\n"
    program = load(parse_text(text))
    for run in (lambda: _run(program, "armv7"), lambda: run_axiomatic(program, "armv7")):
        with pytest.raises(FencelabError, match=re.escape(why)):
            run()


def test_cli_default_and_aarch32_and_help():
    runner = CliRunner()
    out = runner.invoke(main, ["run", str(ARM / "IRIW+addrs.litmus")]).output
    assert "Observation IRIW+addrs Sometimes" in out and "# Engine armv7 on armv7" in out
    out = runner.invoke(main, ["run", "-m", "aarch32", str(ARM / "IRIW+addrs.litmus")]).output
    assert "Observation IRIW+addrs Never" in out and "# Engine aarch32 on armv7" in out
    helptext = runner.invoke(main, ["run", "--help"]).output
    assert "armv7" in helptext and "aarch32" in helptext
    out = runner.invoke(main, ["run", "-m", "armv7", str(EXAMPLES / "aarch64/MP.litmus")])
    assert out.exit_code == 2 and "the armv7 model judges ARM code; this is an AArch64 test" \
        in out.output  # fmt: skip


TRAILING_DMBS = """ARM WRC+po+addr+trailing-dmbs
{ 0:R10=x; 1:R10=x; 1:R11=y; 2:R10=x; 2:R11=y; }
 P0           | P1           | P2                ;
 MOV R9,#1    | LDR R0,[R10] | LDR R0,[R11]      ;
 STR R9,[R10] | MOV R9,#1    | EOR R8,R0,R0      ;
 DMB          | STR R9,[R11] | LDR R1,[R10,R8]   ;
              | DMB          | DMB ST            ;
exists (1:R0=1 /\\ 2:R0=1 /\\ 2:R1=0)
"""


def test_trailing_barriers_run_cores_apart_with_the_same_outcomes():
    """`armv7-threads-apart` with barriers no memory access follows: each core's runs alone,
    the barriers' propagations at the end of the timeline: arm.cat's outcomes (the trailing
    DMBs order nothing, so WRC's non-MCA outcome stays), far fewer states than with the
    reduction off, and every witness replays on the plain machine to its outcome."""
    program = load(parse_text(TRAILING_DMBS))
    apart = _run(program, "armv7")
    reduce.set_disabled(["armv7-threads-apart"])
    try:
        together = _run(program, "armv7")
    finally:
        reduce.enable_all()
    assert apart.outcome_set() == together.outcome_set() == run_axiomatic(program, "armv7").outcome_set()
    assert any(format_state(s.outcome) == "1:R0=1; 2:R0=1; 2:R1=0;" for s in apart.states)
    assert apart.explored_states < together.explored_states
    for state in apart.states:
        walk = Replay(Machine(program, get_model("armv7").new()))
        labels = [walk.take(key).label for key in state.witness.split(",")]
        assert walk.machine.outcome(walk.state) == state.outcome
        assert any("reaches every core" in label for label in labels)
