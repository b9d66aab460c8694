"""A final state is printed in one order by every command: herd7's, as `run` lists it (registers
by thread and number, then locations by name), whatever order the condition names them in. So
the state a `check`, `hunt`, `hw` or `graph` prints is found, as it is, in `run`'s output.

R+scs's condition names a location first (`exists ([y]=2 /\\ 1:r0=0)`); x86_64's tutorial
mapping of SeqCst makes that state reachable, which c11 forbids (README: `check ... --scheme
tutorial`). `check` and `hunt` printed it `[y]=2; 1:r0=0;` and `run` `1:r0=0; [y]=2;`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fencelab.hw.native import host_arch
from tests.helpers import EXAMPLES, REPO

R_SCS = str(EXAMPLES / "rust" / "R+scs.litmus")
ON = ["--target", "x86_64", "--scheme", "tutorial"]
STATE = "1:r0=0; [y]=2;"  # the state c11 forbids, as herd7 (and `run`) prints it


def states(run_output: str) -> list[str]:
    """The lines of herd's `States N` block."""
    lines = run_output.splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.startswith("States "))
    return lines[start + 1:start + 1 + int(lines[start].split()[1])]


def extra_outcomes(output: str) -> list[str]:
    """The states `check` and `hunt` print after `extra outcome: `."""
    return re.findall(r"extra outcome: (.*?;)(?:  | \(|$)", output, re.M)


def test_a_checks_extra_outcome_is_a_line_of_run_on_the_same_compiled_test(cli):
    checked = cli(["check", R_SCS, *ON])
    assert checked.exit_code == 1, checked.output
    assert extra_outcomes(checked.output) == [STATE]
    ran = cli(["run", R_SCS, *ON])
    assert ran.exit_code == 0, ran.output
    assert STATE in states(ran.output)


def test_a_checks_extra_outcome_is_found_in_run_of_the_compiled_test_piped(cli):
    """`fencelab compile ... | fencelab run -`, as a user would: the compiled test names the
    register by its own name (its condition says which: `1:rax` where the source says `1:r0`),
    and the state is in the same order."""
    (extra,) = extra_outcomes(cli(["check", R_SCS, *ON]).output)
    main = [sys.executable, "-c", "from fencelab.launch import main; main()"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    compiled = subprocess.run([*main, "compile", R_SCS, *ON], capture_output=True, text=True,
                              cwd=REPO, env=env, check=True).stdout  # fmt: skip
    assert "exists ([y]=2 /\\ 1:r0=0)" in Path(R_SCS).read_text()  # (a location first)
    assert "exists ([y]=2 /\\ 1:rax=0)" in compiled
    ran = subprocess.run([*main, "run", "-"], input=compiled, capture_output=True, text=True,
                         cwd=REPO, env=env, check=True).stdout  # fmt: skip
    assert extra.replace("1:r0=", "1:rax=") in states(ran), (extra, ran)


def test_a_hunts_extra_outcome_is_a_line_of_run_on_the_test_it_saved(cli, tmp_path):
    hunted = cli(["hunt", *ON, "--shapes", "R", "--variants", "plain", "--limit", "1",
                  "--save", str(tmp_path)])  # fmt: skip
    assert hunted.exit_code == 1, hunted.output
    (saved,) = tmp_path.glob("*.litmus")
    (extra,) = extra_outcomes(hunted.output)
    condition = re.search(r"^exists \((.*)\)$", saved.read_text(), re.M).group(1)
    assert condition.startswith("[y]="), condition  # (a location first: the order is herd's)
    ran = cli(["run", str(saved), *ON])
    assert extra in states(ran.output), (extra, ran.output)


def test_run_json_binds_a_states_observables_in_the_texts_order(cli):
    ran = cli(["run", R_SCS, *ON, "--json"])
    record = json.loads(ran.output)
    assert [list(s["outcome"]) for s in record["states"]] == [["1:r0", "[y]"]] * 4
    text = cli(["run", R_SCS, *ON]).output
    assert [" ".join(f"{k}={v};" for k, v in s["outcome"].items())
            for s in record["states"]] == states(text)  # fmt: skip


def test_graph_names_the_state_it_draws_as_run_prints_it(cli):
    drawn = cli(["graph", R_SCS, *ON, "--outcome", "[y]=2", "--format", "dot", "-o", "-"])
    assert drawn.exit_code == 0, drawn.output
    assert f"R+scs (tso on x86_64): {STATE} allowed" in drawn.output
    assert f"drawing {STATE} (also 1:r0=1; [y]=2;)" in drawn.output


@pytest.mark.skipif(host_arch() != "X86_64" or not any(map(shutil.which, ("cc", "gcc", "clang"))),
                    reason="runs R+scs natively on an x86-64 CPU")  # fmt: skip
def test_hw_lists_states_as_run_does(cli):
    done = cli(["hw", R_SCS, *ON, "--runs", "200"])
    assert done.exit_code == 0, done.output
    histogram = re.findall(r"^\d+ +[*:]>(.*)$", done.output, re.M)
    model_side = re.findall(r"^# +\d+ +\w+ +(\S.*;)$", done.output, re.M)
    ran = states(cli(["run", R_SCS, *ON]).output)
    assert histogram and set(histogram) <= set(ran)
    assert model_side == ran  # (every state tso allows, in run's order)
