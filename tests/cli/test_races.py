"""Data races through the command line: herd's `Undef` and `Flag *undef*` lines, the JSON
fields, and `check`, which gives a racy test no verdict (it must not look sound)."""

from __future__ import annotations

import json
import re

import pytest

from tests.helpers import HERD_DATA

C11 = HERD_DATA / "c" / "C11.litmus"  # herd's own test, with herd7's output beside it

SB_PLAIN = """C SB+plain

{ int x = 0; int y = 0; }

P0 (int* x, int* y) {
  *x = 1;
  int r0 = *y;
}

P1 (int* x, int* y) {
  *y = 1;
  int r0 = *x;
}

exists (0:r0=0 /\\ 1:r0=0)
"""


def herd_lines(text: str) -> list[str]:
    """herd's lines to compare: values in decimal (herd ran with -hexa), without the lines that
    differ by run (`Time`, herd's `Hash=`) and our `#` lines."""
    text = re.sub(r"0x([0-9a-f]+)", lambda m: str(int(m[1], 16)), text)
    return [ln for ln in text.splitlines()
            if ln and not ln.startswith(("Time ", "Hash=", "#"))]  # fmt: skip


def test_herds_c11_prints_herds_output_line_for_line(cli):
    result = cli(["run", "--model", "rc11", str(C11)])
    assert result.exit_code == 0  # herd exits 0 for Undef too
    expected = C11.with_name("C11.litmus.expected").read_text()
    assert herd_lines(result.output) == herd_lines(expected)
    assert "Undef" in herd_lines(expected) and "Flag *undef*" in herd_lines(expected)
    race = next(ln for ln in result.output.splitlines() if ln.startswith("# Data race"))
    assert "P0's plain read of x (line 8) and P1's plain write of x (line 16)" in race


@pytest.fixture
def sb_plain(tmp_path):
    path = tmp_path / "SB+plain.litmus"
    path.write_text(SB_PLAIN)
    return str(path)


def test_undef_replaces_ok_and_the_flag_follows_the_witness_counts(cli, sb_plain):
    lines = cli(["run", sb_plain]).output.splitlines()  # c11, the default source model
    at = lines.index("Undef")
    assert lines[at - 5:at] == ["States 4", "0:r0=0; 1:r0=0;", "0:r0=0; 1:r0=1;",
                                "0:r0=1; 1:r0=0;", "0:r0=1; 1:r0=1;"]  # fmt: skip
    assert lines[at + 1:at + 6] == ["Witnesses", "Positive: 1 Negative: 3", "Flag *undef*",
                                    "Condition exists (0:r0=0 /\\ 1:r0=0)",
                                    "Observation SB+plain Sometimes 1 3"]  # fmt: skip
    # SC (sc-source, as herd's SC model) has no race check: herd's Ok / No, no flag
    sc = cli(["run", "--model", "sc-source", sb_plain]).output.splitlines()
    assert "No" in sc and not any(ln.startswith("Flag") or "Data race" in ln for ln in sc)


def test_json_carries_the_flag_and_the_race(cli, sb_plain):
    (record,) = [json.loads(ln) for ln in cli(["run", "--json", "--model", "rc11",
                                               sb_plain]).output.splitlines()]  # fmt: skip
    assert record["result"] == "Undef" and record["flags"] == ["*undef*"]
    assert record["verdict"] == "Allowed" and record["observation"] == "Sometimes"
    assert record["race"].startswith("P0's plain write of x (line 6) and P1's plain read of x")
    (clean,) = [json.loads(ln) for ln in cli(["run", "--json", "--model", "sc-source",
                                              sb_plain]).output.splitlines()]  # fmt: skip
    assert clean["result"] == "No" and clean["flags"] == [] and clean["race"] is None


def test_the_summary_of_many_tests_says_undef(cli, sb_plain):
    out = cli(["run", "--model", "rc11", sb_plain, str(C11)]).output
    rows = [ln for ln in out.splitlines() if "rc11 (language)" in ln]
    assert len(rows) == 2 and all("│ Undef " in ln for ln in rows)
    # beside the targets, the language model's column says it (the targets have no races)
    table = cli(["run", "--target", "all", "--model", "rc11", sb_plain]).output
    head = table[table.index("outcomes by target"):].splitlines()[1:5]
    assert any("Undef (race)" in ln for ln in head)


def test_check_gives_a_racy_test_no_verdict(cli, sb_plain):
    result = cli(["check", "--target", "armv8", "--source-model", "rc11", sb_plain])
    # not unsound (a racy program allows any outcome), nor sound: exit 3, no verdict
    assert result.exit_code == 3
    lines = result.output.splitlines()
    (line,) = [ln for ln in lines if "SB+plain" in ln and "armv8" in ln]
    assert line.startswith("racy     SB+plain  armv8  scheme default  (arm vs rc11): rc11 flags "
                           "a data race (herd's Undef)")  # fmt: skip
    assert "P0's plain write of x" in line
    assert lines[-1].endswith("0 sound, 0 UNSOUND, 0 could not be checked; 1 racy (a data "
                              "race: undefined behaviour, no verdict)")  # fmt: skip
    assert any("0/0 (1 racy)" in ln for ln in lines)  # the table counts it apart
    quiet = cli(["check", "-q", "--target", "armv8", sb_plain]).output
    assert "racy     SB+plain" in quiet  # -q prints what is not sound
    # and its help says so (it said "only unsound tests, errors, the table")
    helped = " ".join(cli(["check", "--help"]).output.split())
    assert "Print only the checks that are not sound (UNSOUND, racy, cut short, errors)" in helped


def test_hunt_counts_a_racy_test_apart_from_the_sound_ones():
    # hunt's shapes use atomics only; a racy check handed to it must not count as sound
    from rich.console import Console

    from fencelab.checker import Checker
    from fencelab.checker.hunt import hunt
    from fencelab.gen.shapes import SHAPES, variants
    from fencelab.isa.registry import get_target
    from fencelab.litmus.parser import parse_text
    from fencelab.lowering import get_scheme
    from fencelab.models.registry import get_model
    from fencelab.report.check import print_hunt

    checker = Checker(get_model("rc11"))
    target, scheme = get_target("armv8"), get_scheme("default")
    racy = checker.check(parse_text(SB_PLAIN, "SB+plain.litmus"), target, scheme)
    assert racy.verdict == "racy" and not racy.sound and not racy.extra
    variant = next(variants(SHAPES["SB"]))
    report = hunt(checker, target, scheme, (SHAPES["SB"],), todo=[variant],
                  run_checks=lambda todo: [racy])  # fmt: skip
    assert report.racy == [racy] and not report.found
    console = Console(record=True, width=200)
    print_hunt(console, report, limit=1, save=None)
    text = console.export_text()
    assert "1 test with a data race (herd's Undef, e.g. SB+plain): no verdict" in text
    assert "no counterexample, but no verdict on every test: sound on 0 of the 1 test" in text
    assert "sound on all" not in text
