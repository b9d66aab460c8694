"""The TUI's verdicts are `fencelab run`'s: for every C and Rust example on every target, each
witness `run` reports, replayed through the TUI's session layer (what `e`, Enter, End do), ends
in the same outcome, in the test's own names and as `run` prints it, with the same verdict on
the condition.

Loops that take minutes under armv7 run there under aarch32 (tests/helpers: SLOW_ON_ARMV7).
One cached Pipeline is shared by the whole module: the C and Rust spellings of an example
compile to the same code, so each program is explored once.
"""

from __future__ import annotations

import pytest

from fencelab.isa.registry import TARGET_NAMES
from fencelab.litmus.conditions import holds
from fencelab.litmus.parser import parse_file
from fencelab.pipeline import Pipeline, RunOptions
from fencelab.result import herd_states
from fencelab.tui.session import Session
from tests.helpers import EXAMPLES, model_for

PIPELINE = Pipeline(cache=True)
SOURCE_EXAMPLES = sorted((EXAMPLES / "c").glob("*.litmus")) + sorted(
    (EXAMPLES / "rust").glob("*.litmus")
)


@pytest.mark.parametrize("path", SOURCE_EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_replaying_run_witnesses_in_the_tui_gives_runs_verdict(path):
    test = parse_file(str(path))
    for target in TARGET_NAMES:
        options = RunOptions.named(target=target, model=model_for(target, path))
        result = PIPELINE.run(test, options)
        session = Session(test, options)
        assert result.states, (path.name, target)
        printed = {id(s): line for line, s in herd_states(result)}  # run's text
        for state in result.states:
            session.load_schedule(state.witness)
            session.to_end()
            final = session.final_summary()
            where = f"{path.name} on {target}, witness {state.witness}"
            assert final is not None, where
            text, ok = final
            assert text == printed[id(state)], where
            assert ok == holds(test.condition.prop, state.outcome), where
