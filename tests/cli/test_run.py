"""`fencelab run` end to end: herd text, JSON lines, many tests, --target all, bad input."""

from __future__ import annotations

import json

import pytest

from tests.helpers import EXAMPLES


@pytest.fixture
def run(cli):
    """`run("x.litmus", "--json")`: `fencelab run` with these arguments."""
    return lambda *args: cli(["run", *args])


def test_herd_text_for_an_x86_test(run):
    result = run(str(EXAMPLES / "x86_64" / "SB.litmus"))
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "Test SB Allowed"
    assert "Observation SB Sometimes 1 3" in lines


def test_json_lines_carry_outcomes_and_witnesses(run):
    result = run(str(EXAMPLES / "aarch64" / "MP.litmus"), "--json")
    assert result.exit_code == 0
    (obj,) = [json.loads(line) for line in result.output.splitlines()]
    assert obj["model"] == "arm" and obj["verdict"] == "Allowed"
    assert len(obj["states"]) == 4
    weak = [s for s in obj["states"] if s["satisfies"]]
    assert weak and all(isinstance(v, int) for v in weak[0]["outcome"].values())
    assert weak[0]["witness"]


def test_target_all_runs_a_source_test_side_by_side(run):
    # LB+rlx: x86-TSO never shows load buffering, the ARMv8 model does on every ARM target.
    result = run(str(EXAMPLES / "rust" / "LB+rlx.litmus"), "--target", "all", "--json")
    assert result.exit_code == 0
    objs = [json.loads(line) for line in result.output.splitlines()]
    assert [o["target"] for o in objs] == ["x86_64", "armv7", "armv8", "armv8.1", "armv8.3"]
    assert [o["observation"] for o in objs] == ["Never"] + ["Sometimes"] * 4
    text = run(str(EXAMPLES / "rust" / "LB+rlx.litmus"), "--target", "all").output
    assert "outcomes by target" in text


def test_a_directory_runs_every_test_with_a_summary(run):
    result = run(str(EXAMPLES / "arm"))
    assert result.exit_code == 0
    assert result.output.count("Observation ") == len(list((EXAMPLES / "arm").glob("*.litmus")))
    assert "Summary" in result.output


def test_bad_input_is_one_line_and_status_2(cli, tmp_path):
    bad = tmp_path / "bad.litmus"
    bad.write_text("AArch64 bad\n{ 0:X1=x; }\n P0 ;\n FROB W0,[X1] ;\nexists (0:X0=1)\n")
    for args in ([str(bad)], [str(tmp_path / "missing.litmus")],
                 [str(EXAMPLES / "x86_64" / "SB.litmus"), "--model", "nope"]):  # fmt: skip
        result = cli(["run", *args])
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output
        assert len(result.output.strip().splitlines()) == 1
