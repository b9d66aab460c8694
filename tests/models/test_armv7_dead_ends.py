"""`armv7-exec-unfulfilled` (model.py, `_beyond_room`) and `armv7-certify-locations`
(certify.py, `_short_of_writes`): states from which a core can no longer execute every write
it committed ahead — more commits left than writes left, counted in all, by location and by
value — are not explored (executing) or not searched (certifying).

The same outcomes, fewer states: the user meets it as a run that ends within a limit where it
stopped partial before.
"""

from __future__ import annotations

from click.testing import CliRunner

from fencelab import reduce
from fencelab.cli import main
from fencelab.compiler.compile import compile_test
from fencelab.litmus.parser import parse_file, parse_text
from fencelab.models.operational.armv7 import certify
from fencelab.models.operational.armv7.thread import ThreadContext
from fencelab.pipeline import Pipeline, RunOptions
from fencelab.program.load import load
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
SPINLOCK = EXAMPLES / "c" / "spinlock+rlx.litmus"
DEKKER = EXAMPLES / "c" / "dekker+sc.litmus"


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
    _ends_only_with(["run", str(path), "--model", "armv7"], "armv7-exec-unfulfilled", "1,200",
                    "Observation skip Sometimes 1 2")  # fmt: skip


def _ends_only_with(run: list[str], reduction: str, limit: str, observation: str) -> None:
    """`run` at `--max-states limit` ends with `observation`; without `reduction` it is
    partial at the limit."""
    args = [*run, "--max-states", limit.replace(",", ""), "-j", "1"]
    on = CliRunner().invoke(main, args)
    off = CliRunner().invoke(main, [*args, "--no-reduce", reduction])
    assert on.exit_code == 0 and off.exit_code == 0, (on.output, off.output)
    assert "Partial" not in on.output and observation in on.output
    assert f"# Partial: state limit {limit} reached" in off.output


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


def test_locations_and_values_counted_in_a_loop():
    """spinlock+rlx compiled for armv7: its lock's retry loop stores 1 (an unbounded number of
    times), the unlock stores 0 once and `c` is stored once; `_writes_left_for` counts each
    location and value on its own, after the loop and inside it."""
    target = RunOptions.named(target="armv7").target
    program = load(compile_test(parse_file(SPINLOCK), target), target)
    ctx = ThreadContext(program, 0)
    core = ctx.core
    lock, c = (loc.index for loc in program.locations if loc.name in ("lock", "c"))
    strex = next(pc for pc, info in core.infos.items() if info.kind.value == "store-exclusive")
    load_c = max(pc for pc, info in core.infos.items() if info.kind.value == "load")
    # before any run, no write's location is known: each counts for every location
    assert certify._writes_left_for(ctx, c, None, load_c) == 2
    ctx.__dict__.setdefault(certify.ACCESS_LOCS, {}).update(
        {pc: (c if info.addr_regs == {"r1"} else lock) for pc, info in core.infos.items()
         if info.kind in certify.WRITES})  # (as the runs record them, thread.py)
    assert certify._writes_left_for(ctx, lock, 0, strex) == 1  # the unlock
    assert certify._writes_left_for(ctx, lock, 1, strex) > 10  # the retry loop: unbounded
    assert certify._writes_left_for(ctx, lock, None, load_c) == 1
    assert certify._writes_left_for(ctx, lock, 1, load_c) == 0
    assert certify._writes_left_for(ctx, c, 5, load_c) == 1  # `c`'s value is not known


def solo_counted(monkeypatch) -> list[int]:
    """The states of every solo search run from now on, one entry each."""
    counted: list[int] = []
    search = certify._solo_search

    def searched(*args):  # (its last argument: the states it saw, filled as it runs)
        try:
            return search(*args)
        finally:
            counted.append(len(args[-1]))

    monkeypatch.setattr(certify, "_solo_search", searched)
    return counted


def test_dekker_same_search_fewer_solo_states(monkeypatch):
    """dekker+sc compiled for armv7: the same outcomes and machine states with and without
    `armv7-certify-locations` (no certification's answer changes), 16,319 solo states with it
    and 25,483 without."""
    counted = solo_counted(monkeypatch)
    test = parse_file(DEKKER)
    options = RunOptions.named(target="armv7", model="armv7")
    on, states_on = outcomes(test, options, [])
    solo_on = sum(counted)
    counted.clear()
    off, states_off = outcomes(test, options, ["armv7-certify-locations"])
    assert on == off and states_on == states_off and not on[2] and len(on[0]) == 5
    assert solo_on * 3 < sum(counted) * 2, (solo_on, sum(counted))


def test_dekker_ends_within_a_limit_it_passed_before():
    """dekker+sc compiled for armv7 counts 25,466 states with the cut (machine and solo), 34,630
    without: at a limit of 30,000 it ends, and without the cut it is partial."""
    _ends_only_with(["run", str(DEKKER), "-t", "armv7"], "armv7-certify-locations", "30,000",
                    "Observation dekker+sc Never 0 5")  # fmt: skip
