"""`armv7-exec-unfulfilled` (model.py, `_beyond_room`): states from which a core can no longer
execute every write it committed ahead (more commits left than writes left) are not explored.

The same outcomes, fewer states: the user meets it as a run that ends within a limit where it
stopped partial before.
"""

from __future__ import annotations

from click.testing import CliRunner

from fencelab import reduce
from fencelab.cli import main
from fencelab.litmus.parser import parse_text
from fencelab.pipeline import Pipeline, RunOptions
from tests.helpers import EXAMPLES

# P0 commits x=1 ahead (alone it reads y=0 and stores); executing, it may read y=1 and skip the
# store, halting with the commit unexecuted: before, P1 and P2 then ran every execution, every
# placement of their DMBs' propagations, in a state that could not end
SKIP = """ARM skip
{
 0:R1=x; 0:R2=y;
 1:R1=x; 1:R2=y;
 2:R1=x; 2:R2=y;
}
 P0            | P1            | P2            ;
 LDR R0, [R2]  | MOV R0, #1    | MOV R0, #2    ;
 CMP R0, #0    | STR R0, [R2]  | STR R0, [R2]  ;
 BNE end       | DMB           | DMB           ;
 MOV R4, #1    | LDR R4, [R1]  | LDR R4, [R1]  ;
 STR R4, [R1]  | DMB           | DMB           ;
 end:          | LDR R6, [R2]  | LDR R6, [R2]  ;
exists (0:R0=0)
"""

DCL = EXAMPLES / "c" / "dcl.litmus"


def outcomes(test, options, off):
    reduce.set_disabled(off)
    try:
        result = Pipeline().run(test, options)
    finally:
        reduce.enable_all()
    return (frozenset(s.outcome for s in result.states), result.budget_exhausted,
            result.partial), result.explored_states  # fmt: skip


def test_skipped_commit_ends_within_a_limit_it_passed_before(tmp_path):
    """SKIP: 877 machine states with the reduction, 2,399 without; at a limit of 1,200 (solo
    states count too) it ends, and without it the result is partial and misses outcomes."""
    path = tmp_path / "skip.litmus"
    path.write_text(SKIP)
    args = ["run", str(path), "--model", "armv7", "--max-states", "1200", "-j", "1"]
    on = CliRunner().invoke(main, args)
    off = CliRunner().invoke(main, [*args, "--no-reduce", "armv7-exec-unfulfilled"])
    assert on.exit_code == 0 and off.exit_code == 0, (on.output, off.output)
    assert "Partial" not in on.output and "Observation skip Sometimes 1 2" in on.output
    assert "# Partial: state limit 1,200 reached" in off.output


def test_skipped_commit_same_outcomes_fewer_states():
    test = parse_text(SKIP, "skip.litmus")
    options = RunOptions.named(model="armv7")
    on, states_on = outcomes(test, options, [])
    off, states_off = outcomes(test, options, ["armv7-exec-unfulfilled"])
    assert on == off and len(on[0]) == 3 and not on[2]
    assert states_on * 2 < states_off


def test_dcl_compiled_for_armv7_ends_under_the_default_limit():
    """examples/c/dcl.litmus compiled for armv7 (about 15 s): 331,614 states counted before
    (235,333 machine states, most of them the other core's executions after one core had
    halted with its lock and `ready` commits unexecuted), past the default limit of 300,000;
    now its verdict."""
    result = CliRunner().invoke(main, ["run", str(DCL), "-t", "armv7", "-j", "1"])
    assert result.exit_code == 0, result.output
    assert "Partial" not in result.output
    assert "Observation dcl Never 0 1" in result.output
