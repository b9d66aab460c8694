"""Ctrl-C during a long `run` (exhaustive or random), `check` or `hunt` in one process (`-j 1`;
with workers: tests/parallel): what was found so far is printed marked partial, then the
summary; exit status 130; no traceback."""

from __future__ import annotations

import platform
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import EXAMPLES

# Four threads of stores and loads on AArch64: minutes of promises to explore, never finished
# in a test; and its C twin, whose compiled code is as long to explore on armv8 (gigabytes of
# states in seconds: `LONG_LIMIT` keeps the memory limit from ending it first) while its c11
# outcomes take a fraction of a second.
LONG_ARM = """AArch64 long
{ 0:X1=x; 0:X3=y; 1:X1=y; 1:X3=z; 2:X1=z; 2:X3=x; 3:X1=x; 3:X3=z; }
 P0          | P1          | P2          | P3          ;
 MOV W0,#1   | MOV W0,#1   | MOV W0,#1   | MOV W0,#2   ;
 STR W0,[X1] | STR W0,[X1] | STR W0,[X1] | STR W0,[X1] ;
 LDR W2,[X3] | LDR W2,[X3] | LDR W2,[X3] | LDR W2,[X3] ;
 STR W0,[X3] | STR W0,[X3] | STR W0,[X3] | STR W0,[X3] ;
 LDR W4,[X1] | LDR W4,[X1] | LDR W4,[X1] | LDR W4,[X1] ;
exists (0:X2=0 /\\ 1:X2=0 /\\ 2:X2=0)
"""
LONG_C = """C long
{ int x = 0; int y = 0; int z = 0; int w = 0; }
""" + "".join(
    f"""P{t} (atomic_int* x, atomic_int* y, atomic_int* z, atomic_int* w) {{
  atomic_store_explicit({a}, {t + 1}, memory_order_relaxed);
  int r0 = atomic_load_explicit({b}, memory_order_relaxed);
  atomic_store_explicit({c}, {t + 1}, memory_order_relaxed);
  int r1 = atomic_load_explicit({a}, memory_order_relaxed);
}}
"""
    for t, (a, b, c) in enumerate((("x", "y", "z"), ("y", "z", "w"), ("z", "w", "x"),
                                   ("w", "x", "y")))  # fmt: skip
) + "exists (0:r0=0 /\\ 1:r0=0 /\\ 2:r0=0 /\\ 3:r0=0)\n"
LONG_LIMIT = ["--max-memory", "12GB"]
# a run of LONG_ARM that lasts: at the default 300,000 states it is over in 2.7 s on a fast
# machine (2026-12-07), before the signal a test sends it
LONG_RUN = ["--max-states", "100000000", *LONG_LIMIT]


def interrupt(args: list[str], after: str | None, wait: float = 1.5,
              startup: float = 0.0) -> tuple[int, str, str]:  # fmt: skip
    """Run `fencelab ARGS`, wait until stdout shows `after` (then `wait` seconds more; or
    `startup` seconds when None), press Ctrl-C; (status, stdout, stderr)."""
    code = "from fencelab.launch import main; main()"
    proc = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)  # fmt: skip
    seen = []
    if after is not None:
        for line in proc.stdout:
            seen.append(line)
            if after in line:
                break
        time.sleep(wait)
    else:
        time.sleep(startup)
    assert proc.poll() is None, "finished before Ctrl-C: " + "".join(seen)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    return proc.returncode, "".join(seen) + out, err


def _mapped(pid: int) -> str:
    """What process `pid` has mapped into memory (its shared libraries: what it imported)."""
    with open(f"/proc/{pid}/maps") as f:
        return f.read()


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="reads /proc/PID/maps")
def test_ctrl_c_while_the_command_imports_its_modules_is_one_line():
    """Ctrl-C while `fencelab` imports the commands' modules (its first 0.2-0.4 s, before a
    command can take Ctrl-C): one line and exit status 130, as a Ctrl-C outside a command's
    own handling (before: Python's traceback of the import it cut short; or, in importlib's
    callback that drops a module's lock, `Exception ignored` and the run went on to its end).
    The moment is seen, not timed: Ctrl-C as soon as the process has loaded capstone's or
    unicorn's library, which the commands' modules import about half-way, several times. A
    run that Ctrl-C reached only once the command took it ends as an interrupted run does (or
    done, if this process was held back that long): no traceback either; at least one is
    interrupted while importing."""
    code = "from fencelab.launch import main; main()"
    importing = 0
    for library in ("/libcapstone.", "/libunicorn.") * 3:
        proc = subprocess.Popen([sys.executable, "-c", code, "run",
                                 str(EXAMPLES / "x86_64" / "SB.litmus")],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
        try:
            end = time.monotonic() + 60
            while library not in _mapped(proc.pid):
                assert proc.poll() is None and time.monotonic() < end, library
                time.sleep(0.001)
            proc.send_signal(signal.SIGINT)
            out, err = proc.communicate(timeout=60)
        finally:
            proc.kill()
        assert "Traceback" not in err and "ignored" not in err, err
        if err:
            assert (proc.returncode, out, err) == (130, "", "fencelab: error: interrupted\n")
            importing += 1
        else:
            assert proc.returncode in (0, 130)
    assert importing


def test_ctrl_c_in_an_exhaustive_run_prints_the_partial_result_and_the_summary(tmp_path):
    long = tmp_path / "long.litmus"
    long.write_text(LONG_ARM)
    status, out, err = interrupt(["run", str(EXAMPLES / "aarch64" / "SB.litmus"), str(long),
                                  str(EXAMPLES / "aarch64" / "MP.litmus"), "-j", "1", *LONG_RUN],
                                 "Observation SB")  # fmt: skip
    assert status == 130, err
    assert "Traceback" not in err and err == ""
    assert "Test long Allowed" in out
    assert "# Partial: interrupted; the states above are those found so far" in out
    assert "Test MP " not in out  # later tests did not run
    assert "Ok (partial)" in out or "No (partial)" in out
    assert out.rstrip().endswith("2 results; interrupted: the last result is partial, later "
                                 "tests did not run")  # fmt: skip


def test_ctrl_c_in_a_random_run_keeps_the_runs_made(tmp_path):
    status, out, err = interrupt(["run", str(EXAMPLES / "x86_64" / "CoRR.litmus"),
                                  str(EXAMPLES / "x86_64" / "SB.litmus"), "--mode", "random",
                                  "--runs", "10000000", "--json", "-j", "1"],
                                 '"test": "CoRR"')  # fmt: skip
    assert status == 130 and "Traceback" not in err
    import json

    last = json.loads(out.splitlines()[-1])
    assert last["test"] == "SB" and last["partial"] == "interrupted"
    assert 0 < last["runs"] < 10_000_000
    assert sum(s["count"] for s in last["states"]) == last["runs"]


def test_ctrl_c_in_check_prints_the_checks_made(tmp_path):
    long = tmp_path / "long.litmus"
    long.write_text(LONG_C)
    status, out, err = interrupt(["check", str(EXAMPLES / "rust" / "SB+scs.litmus"), str(long),
                                  "-t", "armv8", "-j", "1", *LONG_LIMIT],
                                 "sound    SB+scs")  # fmt: skip
    assert status == 130 and "Traceback" not in err
    assert "partial  long  armv8  scheme default" in out
    assert "2 checks (2 tests x 1 target/scheme pair): 1 sound, 0 UNSOUND" in out
    assert out.rstrip().endswith("interrupted: the last check is partial, later ones did not run")


def test_ctrl_c_in_hunt_prints_what_was_found():
    # armv7: about 30 s of work on a quiet machine, interrupted well before its end (armv8
    # took 13 s once the models got faster, and finished before a Ctrl-C at 12 s)
    status, out, err = interrupt(["hunt", "-t", "armv7", "-s", "tutorial", "--max-threads", "4",
                                  "-j", "1"], None, startup=5)  # fmt: skip
    assert status == 130 and "Traceback" not in err
    assert out.startswith("hunt: ") and "checked of " in out.splitlines()[0]
    assert "partial: interrupted; the tests not checked may hold more counterexamples" in out


@pytest.mark.skipif(not Path("/proc/self/maps").exists() or platform.machine() not in (
    "x86_64", "AMD64") or not any(map(shutil.which, ("cc", "gcc", "clang"))),
    reason="runs x86-64 tests on this CPU")  # fmt: skip
def test_ctrl_c_in_hw_prints_the_results_made_and_the_summary():
    """It was a traceback of the harness's wait, exit 1 (or `fencelab: error: interrupted`),
    with no summary of the tests that had run."""
    sb = str(EXAMPLES / "x86_64" / "SB.litmus")
    status, out, err = interrupt(["hw", sb, sb, sb, "--runs", "1000000"], "# Every state",
                                 wait=0.2)  # fmt: skip
    assert status == 130 and err == "", err
    assert out.count("Test SB Allowed") == 1  # (the second's CPU runs were cut short)
    assert out.rstrip().endswith("1 result; interrupted before the next result, later tests "
                                 "did not run")  # fmt: skip


def test_ctrl_c_in_graph_draws_the_witness_found_and_exits_130(tmp_path):
    """The witness the run had found was drawn and graph exited 0, as if its run were whole."""
    long = tmp_path / "long.litmus"
    long.write_text(LONG_ARM)
    # (limits raised: at the default 300,000 states the run is over in 4.5 s on a quiet
    # machine, before the Ctrl-C)
    status, out, err = interrupt(["graph", str(long), "--max-states", "10000000", *LONG_LIMIT],
                                 None, startup=5)  # fmt: skip
    assert status == 130 and "Traceback" not in err
    assert out.startswith("long (arm on armv8.3): 0:X2=0; 1:X2=0; 2:X2=0; allowed\n"), (out, err)
    assert err == ""


def test_ctrl_c_amid_a_random_run_counts_the_run_it_cut(tmp_path):
    """Under armv7 one random run of a compiled lock test takes seconds of certification:
    Ctrl-C amid the first one said `# Ran 0 runs, 0 transitions` after that work. The run it
    stops is counted apart, with its transitions, as a limit's is (tests/cli/test_armv7_limit.py)."""
    status, out, err = interrupt(["run", str(EXAMPLES / "c" / "spinlock+rlx.litmus"), "-t", "armv7",
                                  "--mode", "random", "--runs", "1000", "-j", "1"], None,
                                 startup=2.5)  # fmt: skip
    assert status == 130 and "Traceback" not in err
    assert "# Partial: interrupted" in out
    effort = next(line for line in out.splitlines() if line.startswith("# Ran "))
    assert " (and 1 cut short by Ctrl-C), " in effort, effort
    assert not effort.endswith(" 0 transitions")
