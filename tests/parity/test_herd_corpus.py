"""bench/herd_corpus.py, the recount of herd's tests, on directories made here: herd7's
`.expected` outputs compared state by state, a catalogue's `kinds.txt` verdict by verdict."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from tests.helpers.litmus import table

SPEC = importlib.util.spec_from_file_location(
    "herd_corpus", Path(__file__).resolve().parents[2] / "bench" / "herd_corpus.py")
herd_corpus = importlib.util.module_from_spec(SPEC)
sys.modules["herd_corpus"] = herd_corpus  # its dataclasses look their module up
SPEC.loader.exec_module(herd_corpus)



def sb(name: str, fence: list[str]) -> str:
    thread = ["MOV W0,#1", "STR W0,[X1]", *fence, "LDR W2,[X3]"]
    return table(name, "0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x;", [thread, thread],
                 "exists (0:X2=0 /\\ 1:X2=0)")


SB, SB_DMB = sb("SB", []), sb("SB+dmbs", ["DMB SY"])


def test_kinds_are_read_as_herd_writes_them():
    kinds = herd_corpus.read_kinds("SB   Allow \nSB+dmbs  Forbid\nA Allowed\nF  Required\n \n")
    assert kinds == {"SB": "Allowed", "SB+dmbs": "Forbidden", "A": "Allowed", "F": "Required"}


def test_a_catalogue_is_compared_by_verdict(tmp_path, capsys):
    (tmp_path / "SB.litmus").write_text(SB)
    (tmp_path / "SB+dmbs.litmus").write_text(SB_DMB)
    (tmp_path / "kinds.txt").write_text("SB        Allow\nSB+dmbs   Allow\nMissing  Forbid\n")
    code = herd_corpus.main([f"{tmp_path}@arm-axiomatic"])
    out = capsys.readouterr().out
    assert code == 1  # a test differs
    lines = {line.split()[0]: line for line in out.splitlines() if line.startswith("SB")}
    assert lines["SB"].split()[1:] == ["agree"]
    assert lines["SB+dmbs"].split()[1:3] == ["DIFFER", "herd"]
    assert "herd Allowed, ours Forbidden:" in lines["SB+dmbs"]
    assert "Missing" not in out  # a name without its .litmus is not run
    summary = next(line for line in out.splitlines() if line.startswith(str(tmp_path)))
    assert summary.split()[1:4] == ["2", "1", "1"]  # tests, agree, DIFFER


HERD_SB = """Test SB Allowed
States 4
0:X2=0x0; 1:X2=0x0;
0:X2=0x0; 1:X2=0x1;
0:X2=0x1; 1:X2=0x0;
0:X2=0x1; 1:X2=0x1;
Ok
Witnesses
Positive: 1 Negative: 3
{flag}Condition exists (0:X2=0 /\\ 1:X2=0)
Observation SB Sometimes 1 3
"""


def test_herds_notes_are_not_compared_but_a_data_race_is(tmp_path, capsys):
    # aarch32.cat flags its own assumptions (herd's AArch32 A017-A019), which change no
    # outcome; `*undef*` (a data race) is a verdict and must match
    (tmp_path / "SB.litmus").write_text(SB)
    expected = tmp_path / "SB.litmus.expected"
    expected.write_text(HERD_SB.format(flag="Flag Assuming-common-inner-shareable-domain\n"))
    herd_corpus.main([f"{tmp_path}@arm"])
    line = next(ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("SB "))
    assert line.split()[1] == "agree"
    assert "Assuming-common-inner-shareable-domain, a note fencelab does not print" in line
    expected.write_text(HERD_SB.format(flag="Flag *undef*\n").replace("\nOk\n", "\nUndef\n"))
    herd_corpus.main([f"{tmp_path}@arm"])
    line = next(ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("SB "))
    assert line.split()[1] == "DIFFER"


def test_herd_failures_are_compared_with_our_refusals(tmp_path, capsys):
    # herd7 stops on both (`.expected-failure`); fencelab refuses the first and runs the second
    failure = 'Warning: File "./t.litmus": Post-condition introduces new symbolic location(s): {z} (User error)\n'
    (tmp_path / "NEW.litmus").write_text(SB.replace("exists (", "exists (z=0 /\\ "))
    (tmp_path / "NEW.litmus.expected-failure").write_text(failure)
    (tmp_path / "RUNS.litmus").write_text(SB)
    (tmp_path / "RUNS.litmus.expected-failure").write_text(failure)
    code = herd_corpus.main([str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 1  # RUNS differs: herd stops on it
    lines = {line.split()[0]: line for line in out.splitlines() if line[:3] in ("NEW", "RUN")}
    assert lines["NEW"].split()[1:3] == ["both-fail", "herd:"]
    assert "Post-condition introduces new symbolic location(s): {z} (User error)" in lines["NEW"]
    assert "ours: " in out and "the condition names location 'z'" in out
    assert lines["RUNS"].split()[1] == "DIFFER"
    summary = next(line for line in out.splitlines() if line.startswith(str(tmp_path)))
    assert summary.split()[1:] == ["2", "0", "1", "0", "0", "0", "0", "0", "1", "0", "0"]


def test_the_counts_are_compared_where_the_states_agree(tmp_path, capsys):
    # herd's Positive/Negative line and the Observation line's counts: executions under
    # arm-axiomatic (SB: 4, one satisfies the condition), states under arm (the same here)
    (tmp_path / "SB.litmus").write_text(SB)
    expected = tmp_path / "SB.litmus.expected"
    expected.write_text(HERD_SB.format(flag=""))
    assert herd_corpus.main([f"{tmp_path}@arm-axiomatic"]) == 0
    out = capsys.readouterr().out
    summary = next(line for line in out.splitlines() if line.startswith(str(tmp_path)))
    assert summary.split()[-3:] == ["0", "1", "0"]  # both-fail, counts-agree, counts-differ
    expected.write_text(HERD_SB.format(flag="").replace("Sometimes 1 3", "Sometimes 2 6")
                        .replace("Positive: 1 Negative: 3", "Positive: 2 Negative: 6"))
    assert herd_corpus.main([f"{tmp_path}@arm-axiomatic", "--quiet"]) == 0  # not a DIFFER
    out = capsys.readouterr().out
    line = next(ln for ln in out.splitlines() if ln.startswith("SB "))
    assert line.split()[1] == "agree"
    assert ("counts differ: herd Positive: 2 Negative: 6, Observation 2 6; ours Positive: 1 "
            "Negative: 3, Observation 1 3") in line
    summary = next(line for line in out.splitlines() if line.startswith(str(tmp_path)))
    assert summary.split()[-2:] == ["0", "1"]
