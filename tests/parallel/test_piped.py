"""`-j` as a user meets it piped (a real process, stdout and stderr apart): the same stdout as
`-j 1`, a bad test among many is its one line at its place, Ctrl-C prints what was found."""

from __future__ import annotations

import contextlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.test_interrupt import LONG_ARM, LONG_RUN, interrupt
from tests.helpers import EXAMPLES

CODE = "from fencelab.launch import main; main()"


def fencelab(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", CODE, *args], capture_output=True, text=True,
                          timeout=600)  # fmt: skip


def timeless(stdout: str) -> list[str]:
    """stdout without what the clock decides: herd's `Time` lines and the summary's ms column
    (and so its width)."""
    lines = [ln for ln in stdout.splitlines() if not ln.startswith("Time ")]
    rules = re.compile("[\u2500-\u257f]+")  # box drawing: the table's rules and corners
    return [" ".join(rules.sub(lambda m: m[0][0], re.sub(r"\d+ ms", "ms", ln)).split())
            for ln in lines]  # fmt: skip


def test_piped_run_with_workers_prints_what_one_process_prints():
    tests = [str(EXAMPLES / "x86_64"), str(EXAMPLES / "aarch64" / "MP.litmus"),
             str(EXAMPLES / "c" / "CoRR.litmus")]  # fmt: skip
    one = fencelab("run", *tests, "-t", "all", "-j", "1")
    two = fencelab("run", *tests, "-t", "all", "-j", "2")
    assert one.returncode == two.returncode == 0, two.stderr
    assert one.stderr == two.stderr == ""
    assert timeless(one.stdout) == timeless(two.stdout)
    assert "Summary" in two.stdout and "CoRR.litmus" in two.stdout


def test_piped_json_with_workers_is_one_process_s(tmp_path):
    folder = str(EXAMPLES / "aarch64")
    one = fencelab("run", folder, "--json", "-j", "1")
    two = fencelab("run", folder, "--json", "-j", "2")
    assert one.returncode == two.returncode == 0
    drop = '"seconds": '
    assert [ln.split(drop)[0] for ln in one.stdout.splitlines()] == [
        ln.split(drop)[0] for ln in two.stdout.splitlines()]


def test_a_bad_test_among_many_with_workers_loses_no_other(tmp_path):
    good = ["SB", "MP", "LB", "2+2W", "CoRR", "IRIW"]
    for i, name in enumerate(good[:3]):
        shutil.copy(EXAMPLES / "x86_64" / f"{name}.litmus", tmp_path / f"{i}a.litmus")
    for i, name in enumerate(good[3:], start=4):
        shutil.copy(EXAMPLES / "x86_64" / f"{name}.litmus", tmp_path / f"{i}c.litmus")
    # one that cannot be read, one that faults in the emulator (in a worker)
    (tmp_path / "3b.litmus").write_text("X86_64 b\n{ x=0; }\n P0 ;\n movl $1,(x) ;\n"
                                        "exists (0:rax=\n")  # fmt: skip
    (tmp_path / "3c.litmus").write_text("AArch64 t\n{ 0:X1=x; }\n P0 ;\n MOV W0,#1 ;\n"
                                        " STR W0,[X2] ;\nexists (x=1)\n")  # fmt: skip
    one = fencelab("run", str(tmp_path), "-j", "1")
    two = fencelab("run", str(tmp_path), "-j", "2")
    assert two.returncode == one.returncode == 2
    assert two.stderr == one.stderr
    assert two.stderr.splitlines() == [
        f"fencelab: error: {tmp_path}/3b.litmus:5:15: syntax error in the condition: found end "
        "of input; expected '{', a name, a number",
        f"fencelab: error: {tmp_path}/3c.litmus:5:2: P0: STR W0,[X2]: writes address 0x0, which "
        "is no location of the test (a register left uninitialised?)",
    ]
    assert timeless(two.stdout) == timeless(one.stdout)
    tests = [ln.split()[1] for ln in two.stdout.splitlines() if ln.startswith("Test ")]
    assert tests == good  # every other test, in input order
    assert two.stdout.rstrip().endswith("6 results; 2 could not run (errors above)")


def test_ctrl_c_with_workers_prints_the_partial_result_and_the_summary(tmp_path):
    long = tmp_path / "long.litmus"
    long.write_text(LONG_ARM)
    status, out, err = interrupt(["run", str(EXAMPLES / "aarch64" / "SB.litmus"), str(long),
                                  str(EXAMPLES / "aarch64" / "MP.litmus"), "-j", "2", *LONG_RUN],
                                 "Observation SB")  # fmt: skip
    assert status == 130, err
    assert err == ""
    assert "# Partial: interrupted; the states above are those found so far" in out
    assert "Test MP " not in out  # not printed: it comes after the test cut short
    assert out.rstrip().endswith("2 results; interrupted: the last result is partial, later "
                                 "tests did not run")  # fmt: skip


def test_ctrl_c_with_workers_starts_no_test_queued_for_them(tmp_path):
    """Ctrl-C while each worker runs a long test and more wait in the pool's queue: the
    command ends at once (before: a worker took a queued test after it was stopped and ran it
    to its end, minutes, before the command could exit)."""
    import signal
    import time

    for i in range(5):
        (tmp_path / f"long{i}.litmus").write_text(LONG_ARM.replace("long", f"long{i}", 1))
    proc = subprocess.Popen([sys.executable, "-c", CODE, "run", str(tmp_path), "-j", "2",
                             *LONG_RUN],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    time.sleep(4)
    assert proc.poll() is None
    proc.send_signal(signal.SIGINT)
    pressed = time.monotonic()
    try:
        out, err = proc.communicate(timeout=20)
    finally:
        proc.kill()
    assert time.monotonic() - pressed < 10
    assert (proc.returncode, err) == (130, "")
    assert out.startswith("Test long0 Allowed")
    assert out.rstrip().endswith("1 result; interrupted: the last result is partial, later "
                                 "tests did not run")  # fmt: skip


def test_workers_end_with_the_command_killed(tmp_path):
    """`kill PID` of a command running long tests on workers ends its workers too (before:
    they ran their tests on to the end, minutes, children of init)."""
    import os
    import signal
    import time

    for i in range(2):
        (tmp_path / f"long{i}.litmus").write_text(LONG_ARM.replace("long", f"long{i}", 1))
    proc = subprocess.Popen([sys.executable, "-c", CODE, "run", str(tmp_path), "-j", "2",
                             *LONG_RUN],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    time.sleep(4)
    workers = [int(pid) for pid in Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
               .read_text().split()]  # fmt: skip
    assert len(workers) >= 2  # (and the keystone process, if it started one)
    proc.terminate()
    proc.wait(timeout=10)
    time.sleep(1)
    alive = [pid for pid in workers if _running(pid)]
    for pid in alive:
        os.kill(pid, signal.SIGKILL)  # (leave nothing behind)
    assert alive == []


def _running(pid: int) -> bool:
    """Is process `pid` there and not a zombie (one that ended, not yet reaped)?"""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


LONG_ARMV7 = """ARM long
{ 0:R1=x; 0:R3=y; 1:R1=y; 1:R3=z; 2:R1=z; 2:R3=x; 3:R1=x; 3:R3=z; }
 P0          | P1          | P2          | P3          ;
 MOV R0,#1   | MOV R0,#1   | MOV R0,#1   | MOV R0,#2   ;
 STR R0,[R1] | STR R0,[R1] | STR R0,[R1] | STR R0,[R1] ;
 LDR R2,[R3] | LDR R2,[R3] | LDR R2,[R3] | LDR R2,[R3] ;
 STR R0,[R3] | STR R0,[R3] | STR R0,[R3] | STR R0,[R3] ;
 LDR R4,[R1] | LDR R4,[R1] | LDR R4,[R1] | LDR R4,[R1] ;
 LDR R5,[R3] | LDR R5,[R3] | LDR R5,[R3] | LDR R5,[R3] ;
 STR R0,[R1] | STR R0,[R1] | STR R0,[R1] | STR R0,[R1] ;
exists (0:R2=0 /\\ 1:R2=0 /\\ 2:R2=0)
"""  # ARM under armv7 (keys alike in every process: split): about 40 s with -j 2, quiet machine


def test_ctrl_c_in_a_split_test_prints_what_its_parts_found(tmp_path):
    """A test split across the workers (it dominates the catalogue), stopped by Ctrl-C:
    its parts' states merged, marked partial, then the summary. (Its parts take every worker:
    the tests after it wait for them.)"""
    long = tmp_path / "long.litmus"
    long.write_text(LONG_ARMV7)
    # (long alone: 8 s on a fast machine, 2026-12-07; the workers start within 1 s)
    status, out, err = interrupt(["run", str(long), str(EXAMPLES / "arm" / "SB.litmus"),
                                  str(EXAMPLES / "arm" / "MP.litmus"), "-j", "2"],
                                 None, startup=3)  # fmt: skip
    assert status == 130, err
    assert err == ""
    assert out.startswith("Test long Allowed")
    assert "# Partial: interrupted; the states above are those found so far" in out
    assert "Test SB " not in out
    assert out.rstrip().endswith("1 result; interrupted: the last result is partial, later "
                                 "tests did not run")  # fmt: skip


def test_ctrl_c_in_check_with_workers_prints_the_checks_made(tmp_path):
    from tests.cli.test_interrupt import LONG_C, LONG_LIMIT

    long = tmp_path / "long.litmus"
    long.write_text(LONG_C)
    status, out, err = interrupt(["check", str(EXAMPLES / "rust" / "SB+scs.litmus"), str(long),
                                  "-t", "armv8", "-j", "2", *LONG_LIMIT],
                                 "sound    SB+scs")  # fmt: skip
    assert status == 130 and "Traceback" not in err
    assert "partial  long  armv8  scheme default" in out
    assert out.rstrip().endswith("interrupted: the last check is partial, later ones did not run")


def test_the_costliest_test_last_with_workers_keeps_the_input_order(tmp_path):
    """Workers start the costliest test (by `parallel.cost`) first and read each test
    themselves; what is printed is still `-j 1`'s, in the order of the inputs."""
    names = ["SB", "MP", "LB", "2+2W", "IRIW"]
    for i, name in enumerate(names):
        shutil.copy(EXAMPLES / "x86_64" / f"{name}.litmus", tmp_path / f"{i}.litmus")
    (tmp_path / "5.litmus").write_text("X86_64 bad\n{ x=0; }\n P0 ;\n movl $1,(x) ;\n"
                                       "exists (0:rax=\n")  # fmt: skip
    shutil.copy(EXAMPLES / "c" / "treiber.litmus", tmp_path / "6.litmus")  # a loop: costliest
    one = fencelab("run", str(tmp_path), "-j", "1")
    two = fencelab("run", str(tmp_path), "-j", "2")
    assert one.returncode == two.returncode == 2
    assert one.stderr == two.stderr and two.stderr.count("\n") == 1
    assert two.stderr.startswith(f"fencelab: error: {tmp_path}/5.litmus:5:15: ")
    assert timeless(one.stdout) == timeless(two.stdout)
    tests = [ln.split()[1] for ln in two.stdout.splitlines() if ln.startswith("Test ")]
    assert tests == [*names, "treiber"]


def test_standard_input_among_files_with_workers(tmp_path):
    mp = (EXAMPLES / "aarch64" / "MP.litmus").read_text()
    args = [sys.executable, "-c", CODE, "run", str(EXAMPLES / "x86_64" / "SB.litmus"), "-",
            str(EXAMPLES / "x86_64" / "MP.litmus")]  # fmt: skip
    one, two = (subprocess.run([*args, "-j", j], input=mp, capture_output=True, text=True,
                               timeout=600) for j in "12")  # fmt: skip
    assert one.returncode == two.returncode == 0, two.stderr
    assert timeless(one.stdout) == timeless(two.stdout)
    tests = [ln.split()[1] for ln in two.stdout.splitlines() if ln.startswith("Test ")]
    assert tests == ["SB", "MP", "MP"]
    assert "<stdin>" in two.stdout  # the summary names it


def _cluster(workers: int, threads: int, config: dict | None = None):
    """A real scheduler and `workers` worker processes on localhost, and a client of it; the
    scheduler made under Dask's `config`."""
    import dask
    from distributed import Client, LocalCluster

    with dask.config.set(config or {}):
        cluster = LocalCluster(n_workers=workers, threads_per_worker=threads, processes=True,
                               dashboard_address=None)  # fmt: skip
    return cluster, Client(cluster)


GIVE_UP = {"distributed.scheduler.allowed-failures": 0}  # a task whose worker died: KilledWorker


def _running_tasks(client) -> int:
    """The tasks running on the cluster's workers, cancelled ones too (a thread each)."""
    return sum(len(keys) for keys in client.run(lambda dask_worker: dask_worker.active_threads)
               .values())  # fmt: skip


def _until(condition, seconds: float) -> bool:
    import time

    end = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > end:
            return False
        time.sleep(0.2)
    return True


@contextlib.contextmanager
def _long_beside_sb_and_mp(tmp_path, config: dict | None = None):
    """`run SB long MP --cluster` on a cluster of one worker (`config`: Dask's), given once
    long runs alone (the costliest first; SB and MP done and fetched): (the cluster, a client
    of it, the command's process, long's path). The process is killed on the way out."""
    long = tmp_path / "long.litmus"
    long.write_text(LONG_ARM)
    sb, mp = str(EXAMPLES / "aarch64" / "SB.litmus"), str(EXAMPLES / "aarch64" / "MP.litmus")
    cluster, client = _cluster(1, 2, config)
    with cluster, client:
        proc = subprocess.Popen([sys.executable, "-c", CODE, "run", sb, str(long), mp,
                                 "--cluster", cluster.scheduler_address, *LONG_RUN],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
        try:
            assert _until(lambda: sum(map(len, client.processing().values())) == 1, 15)
            yield cluster, client, proc, long
        finally:
            proc.kill()


def _sb_and_mp_without_long(out: str) -> None:
    """SB's and MP's results printed, long's not, and the summary counting it out."""
    assert "Observation SB Sometimes 1 3" in out and "Observation MP Sometimes 1 3" in out
    assert "Test long" not in out
    assert out.rstrip().endswith("2 results; 1 could not run (errors above)")


def test_a_cluster_that_loses_its_workers_ends_the_run(tmp_path):
    """Every worker gone while a test runs: that test is one line in its turn, the results
    already in are printed, exit 2, 10 s after the last worker went (before: fencelab waited
    for a worker forever)."""
    import time

    with _long_beside_sb_and_mp(tmp_path) as (cluster, client, proc, long):
        address = cluster.scheduler_address
        time.sleep(1.5)
        assert proc.poll() is None
        cluster.scale(0)
        assert _until(lambda: not client.nthreads(), 10)
        gone = time.monotonic()
        out, err = proc.communicate(timeout=30)
    assert time.monotonic() - gone < 14
    assert (proc.returncode, err) == (2, f"fencelab: error: {long}: --cluster {address}: the "
                                         "cluster lost its workers (none for 10 s) before it "
                                         "was done\n")  # fmt: skip
    _sb_and_mp_without_long(out)


@pytest.mark.parametrize("end", ["ctrl-c", "kill -9"])
def test_a_cluster_task_stops_when_the_command_ends(tmp_path, end):
    """Ctrl-C, or the command killed: the test it had running on a cluster's worker stops
    there within seconds (before: it ran on for minutes, for nobody)."""
    import signal

    long = tmp_path / "long.litmus"
    long.write_text(LONG_ARM)
    cluster, client = _cluster(1, 1)
    with cluster, client:
        proc = subprocess.Popen([sys.executable, "-c", CODE, "run", str(long), "--cluster",
                                 cluster.scheduler_address, *LONG_RUN], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)  # fmt: skip
        try:
            assert _until(lambda: _running_tasks(client) == 1, 15)
            proc.send_signal(signal.SIGINT if end == "ctrl-c" else signal.SIGKILL)
            proc.communicate(timeout=15)
            assert proc.returncode == (130 if end == "ctrl-c" else -signal.SIGKILL)
            assert _until(lambda: _running_tasks(client) == 0, 5)
        finally:
            proc.kill()


@pytest.mark.parametrize("end", ["killed worker", "cancelled"])
def test_a_cluster_task_without_its_result_is_one_line_in_its_turn(tmp_path, end):
    """A cluster's task that Dask gives up (the worker running it died, more often than the
    scheduler allows: KilledWorker) or cancels on the scheduler's side: one line naming the
    test, in its turn; the other tests' results printed; exit 2 (before: a traceback)."""
    import os
    import signal

    from distributed import Future

    with _long_beside_sb_and_mp(tmp_path, GIVE_UP) as (cluster, client, proc, long):
        address = cluster.scheduler_address
        assert _until(lambda: _running_tasks(client) == 1, 5)
        if end == "killed worker":
            (pid,) = client.run(os.getpid).values()
            os.kill(pid, signal.SIGKILL)
        else:
            (key,) = (k for keys in client.processing().values() for k in keys)
            client.cancel([Future(key, client)], force=True)
        out, err = proc.communicate(timeout=30)
    why = ("1 worker died running it; Dask gave it up" if end == "killed worker" else
           "Dask cancelled it on the cluster")  # fmt: skip
    assert proc.returncode == 2
    assert err.startswith(f"fencelab: error: {long}: --cluster {address}: {why}")
    assert err.count("\n") == 1
    _sb_and_mp_without_long(out)


def _older(package: Path) -> None:
    """fencelab from before -j and --cluster: no fencelab.parallel."""
    shutil.rmtree(package / "parallel")


def _other_code(package: Path) -> None:
    """fencelab of the same version, one of its modules changed."""
    with open(package / "pipeline.py", "a") as f:
        f.write("\nCHANGED = True\n")


def _same_code(package: Path) -> None:
    """fencelab as it is."""


def _this_fencelab() -> Path:
    """The folder this fencelab is imported from."""
    import fencelab

    return Path(fencelab.__file__).parent.parent


def _fencelab_copy(tmp_path: Path, change) -> Path:
    """A folder holding a copy of this fencelab, `change`d: where a scheduler or worker that
    runs another fencelab imports it from."""
    other = tmp_path / "other"
    shutil.copytree(_this_fencelab() / "fencelab", other / "fencelab",
                    ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
    change(other / "fencelab")
    return other


def _dask(*args: str, path: Path, cwd: Path) -> subprocess.Popen:
    """`dask ARGS` (scheduler, worker) in its own process, importing fencelab from `path`."""
    import os

    return subprocess.Popen([sys.executable, "-m", "dask", *args, "--no-dashboard"],
                            env=dict(os.environ, PYTHONPATH=str(path)), cwd=cwd,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip


@pytest.mark.parametrize("where, change", [("worker", _older), ("scheduler and worker", _older),
                                           ("worker", _other_code)])  # fmt: skip
def test_a_cluster_of_another_fencelab_is_refused(tmp_path, where, change):
    """A scheduler or worker that runs another fencelab than the command: one line, exit 2,
    before any test runs (before: a traceback, "Error during deserialization of the task
    graph", from the scheduler; a worker that could not read its task died, and the command
    waited 10 s and said the cluster lost its workers; a worker of other code ran the tests
    with it, silently)."""
    import socket

    from distributed import Client

    other = _fencelab_copy(tmp_path, change)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    started = [_dask("scheduler", "--host", "127.0.0.1", "--port", str(port),
                     path=other if where.startswith("scheduler") else _this_fencelab(),
                     cwd=tmp_path)]  # fmt: skip
    try:
        started.append(_dask("worker", address, "--nthreads", "1", path=other, cwd=tmp_path))
        with Client(address, timeout=30) as client:
            client.wait_for_workers(1, timeout=30)
        done = subprocess.run(
            [sys.executable, "-c", CODE, "run", str(EXAMPLES / "aarch64" / "SB.litmus"),
             "--cluster", address], capture_output=True, text=True, timeout=120)  # fmt: skip
    finally:
        for proc in started:
            proc.terminate()
        for proc in started:
            proc.wait(timeout=30)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.startswith(f"fencelab: error: --cluster {address}: the cluster's "
                                  "workers cannot run this fencelab's tasks (a different "
                                  "fencelab or Python version): ")  # fmt: skip
    assert done.stderr.count("\n") == 1
    if change is _other_code:
        assert "runs fencelab 0.1.0 of other code on Python" in done.stderr


def _blocks(stdout: str) -> dict[str, list[str]]:
    """`run`'s result for each test (`Test NAME ...` up to the blank line), by NAME, without
    what the clock decides."""
    results = stdout.split("\nSummary\n")[0].strip()
    return {block.split()[1]: timeless(block) for block in results.split("\n\n")
            if block.startswith("Test ")}  # fmt: skip


@pytest.mark.parametrize("joins", [_same_code, _other_code])
def test_a_worker_that_joins_after_the_check_runs_only_this_fencelabs_tests(tmp_path, joins):
    """A worker that joins the cluster after the command checked it (`_same_code`), while the
    command's tests wait for its one worker (busy): one of the same fencelab runs those it is
    given as that worker would (the command prints a local run's stdout); one of another
    fencelab runs none of them: each it was given is one line naming it, in its turn, the
    others are run by the worker that was checked, exit 2 (before: it ran them with its own
    code, silently)."""
    from distributed import Event

    tests = [str(EXAMPLES / "x86_64" / f"{name}.litmus") for name in ("SB", "MP", "2+2W", "LB")]
    local = fencelab("run", *tests)
    assert local.returncode == 0, local.stderr
    other = _fencelab_copy(tmp_path, joins)
    cluster, client = _cluster(1, 1)
    with cluster, client:
        address = cluster.scheduler_address
        (checked,) = cluster.scheduler.workers
        hold = Event("hold", client)
        busy = client.submit(lambda: Event("hold").wait(), pure=False)  # its one thread
        assert _until(lambda: _running_tasks(client) == 1, 15)
        proc = subprocess.Popen([sys.executable, "-c", CODE, "run", *tests, "--cluster", address],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
        joined = None
        try:
            # checked, and every test submitted: they wait for the busy worker
            assert _until(lambda: len(cluster.scheduler.tasks) == 1 + len(tests), 60)
            joined = _dask("worker", address, "--nthreads", "1", path=other, cwd=tmp_path)
            assert _until(lambda: len(cluster.scheduler.workers) == 2, 60)
            (late,) = set(cluster.scheduler.workers) - {checked}

            def given() -> int:  # the tests the worker that joined has run (or refused)
                return client.run(lambda dask_worker: dask_worker.state.executed_count,
                                  workers=[late])[late]  # fmt: skip

            assert _until(lambda: given() > 0, 60)
            hold.set()  # the checked worker runs the tests left
            out, err = proc.communicate(timeout=120)
            assert busy.result(timeout=30)
        finally:
            proc.kill()
            if joined is not None:
                joined.terminate()
                joined.wait(timeout=30)
    if joins is _same_code:
        assert (proc.returncode, err) == (0, "")
        assert timeless(out) == timeless(local.stdout)
        return
    refused = [ln.split(": ")[2] for ln in err.splitlines()]
    assert proc.returncode == 2 and refused
    assert refused == [test for test in tests if test in refused]  # each once, in its turn
    for line in err.splitlines():
        assert line.startswith("fencelab: error: ")
        assert line.split(": ", 3)[3].startswith(
            f"--cluster {address}: the cluster's workers cannot run this fencelab's tasks (a "
            f"different fencelab or Python version): worker {late} runs fencelab 0.1.0 of "
            "other code on Python "), line
    ran = _blocks(out)
    assert set(ran) == {Path(test).stem for test in tests if test not in refused}
    assert ran == {name: block for name, block in _blocks(local.stdout).items() if name in ran}


@pytest.mark.parametrize("command", ["run", "check", "hunt", "run after a result"])
def test_ctrl_c_on_a_cluster_before_a_result_says_so(tmp_path, command):
    """Ctrl-C while a cluster has the command's tasks and has given back no result (its one
    worker busy: they wait), or after one result while the next test runs: a cluster's tasks
    are cancelled, nothing partial is printed, and the summary says so (before: `0 results;
    interrupted: the last result is partial`, with no result printed)."""
    import signal
    import time


    long = tmp_path / "long.litmus"
    long.write_text(LONG_ARM)
    sb = str(EXAMPLES / "aarch64" / "SB.litmus")
    args = {"run": ["run", str(long), sb, *LONG_RUN],
            "check": ["check", str(EXAMPLES / "rust" / "SB+scs.litmus"), "-t", "armv8"],
            "hunt": ["hunt", "-t", "armv8", "--shapes", "SB"],
            "run after a result": ["run", sb, str(long), *LONG_RUN]}[command]  # fmt: skip
    cluster, client = _cluster(1, 2 if command == "run after a result" else 1)
    with cluster, client:
        if command != "run after a result":  # (the worker's one thread: fencelab's tasks wait)
            busy = client.submit(time.sleep, 120, pure=False)
            assert _until(lambda: _running_tasks(client) == 1, 15)
        proc = subprocess.Popen([sys.executable, "-c", CODE, *args, "--cluster",
                                 cluster.scheduler_address], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)  # fmt: skip
        try:
            if command == "run after a result":  # SB done, long running
                assert _until(lambda: sum(map(len, client.processing().values())) == 1, 15)
                time.sleep(1.5)
            else:
                assert _until(lambda: len(cluster.scheduler.tasks) > 1, 30)
                busy.cancel()
            proc.send_signal(signal.SIGINT)
            out, err = proc.communicate(timeout=30)
        finally:
            proc.kill()
    assert (proc.returncode, err) == (130, "")
    last = out.rstrip().splitlines()[-1]
    if command == "run":
        assert out == "0 results; interrupted before any result\n"
    elif command == "check":
        assert last == ("0 checks (1 test x 1 target/scheme pair): 0 sound, 0 UNSOUND, 0 could "
                        "not be checked; interrupted before any check")  # fmt: skip
    elif command == "hunt":
        assert out.startswith("hunt: 0 tests checked of ")
        assert last == "interrupted before any check"
    else:
        assert "Observation SB Sometimes 1 3" in out and "Test long" not in out
        assert last == "1 result; interrupted before the next result, later tests did not run"


def test_a_check_whose_cluster_task_dies_is_an_error_row(tmp_path):
    """`check`: a cluster's task that Dask gives up makes the check needing it an error row
    naming the test; the other checks are made; exit 2 (before: a traceback)."""
    import os
    import signal
    import time

    from tests.cli.test_interrupt import LONG_C, LONG_LIMIT

    long = tmp_path / "long.litmus"
    long.write_text(LONG_C)
    cluster, client = _cluster(1, 2, GIVE_UP)
    with cluster, client:
        address = cluster.scheduler_address
        proc = subprocess.Popen([sys.executable, "-c", CODE, "check", str(long),
                                 str(EXAMPLES / "rust" / "SB+scs.litmus"), "-t", "armv8",
                                 *LONG_LIMIT, "--cluster", address], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)  # fmt: skip
        try:
            # long's hardware run runs, the other results are in
            assert _until(lambda: sum(map(len, client.processing().values())) == 1, 30)
            time.sleep(1.5)
            (pid,) = client.run(os.getpid).values()
            os.kill(pid, signal.SIGKILL)
            out, err = proc.communicate(timeout=60)
        finally:
            proc.kill()
    assert (proc.returncode, err) == (2, "")
    assert (f"error    long  armv8  scheme default  (arm vs c11): --cluster {address}: 1 worker "
            "died running it; Dask gave it up") in out  # fmt: skip
    assert "sound    SB+scs  armv8" in out
    assert out.rstrip().endswith("2 checks (2 tests x 1 target/scheme pair): 1 sound, 0 UNSOUND, "
                                 "1 could not be checked")  # fmt: skip
