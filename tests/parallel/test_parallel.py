"""Worker processes (-j), split tests (--split) and a Dask cluster (--cluster) give the results
one process gives, in the order of the inputs."""

from __future__ import annotations

import contextlib
import re
import socket
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from fencelab.cli import main
from fencelab.gen.families import FAMILIES, generate_many
from fencelab.parallel import Runner, costliest_first
from fencelab.parallel.cost import estimate_text
from tests.helpers import EXAMPLES

X86 = str(EXAMPLES / "x86_64")
AARCH64 = EXAMPLES / "aarch64"


def invoke(*args: str):
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def results(output: str) -> list[str]:
    """The output up to the summary table (whose layout follows its milliseconds), without
    Time lines."""
    lines = output.split("Summary")[0].splitlines()
    return [line for line in lines if not line.startswith("Time ")]


def test_run_with_workers_prints_what_one_process_prints():
    code1, one = invoke("run", X86, "-j", "1")
    code2, two = invoke("run", X86, "-j", "2")
    assert code1 == code2 == 0
    assert results(one) == results(two)


def test_run_json_in_input_order_with_workers():
    files = sorted(AARCH64.glob("*.litmus"))[:6]
    code, out = invoke("run", *map(str, files), "-j", "2", "--json")
    assert code == 0
    import json

    tests = [json.loads(line)["test"] for line in out.splitlines()]
    assert tests == [f.stem for f in files]


def test_check_and_hunt_with_workers_agree_with_one_process():
    c = [str(p) for p in sorted((EXAMPLES / "c").glob("[MS]*.litmus"))]
    check = ["check", *c, "-t", "x86_64,armv8", "--scheme", "default,tutorial"]
    code1, one = invoke(*check, "-j", "1")
    code2, two = invoke(*check, "-j", "2")
    assert code1 == code2 == 1  # the tutorial scheme is unsound
    assert results(one) == results(two)
    strip = re.compile(r" in [\d.]+s")
    # plain: one result a task; every variant of two shapes on two targets: tasks of 16 after
    # the first (tasks.check_all), the counterexamples and the distinct programs counted alike
    for hunt in (["hunt", "-t", "armv7", "--shapes", "SB,MP", "--variants", "plain"],
                 ["hunt", "-t", "x86_64,armv8", "--shapes", "SB,MP", "--scheme", "tutorial"]):
        code1, one = invoke(*hunt, "-j", "1")
        code2, two = invoke(*hunt, "-j", "2")
        assert code1 == code2
        assert [strip.sub("", line) for line in one.splitlines()] == [
            strip.sub("", line) for line in two.splitlines()
        ]
    assert "5 counterexamples;" in one and "53 distinct compiled programs" in one


@pytest.mark.parametrize("name", ["MP+dmb.sy+addr", "IRIW+addrs", "2+2W", "counter+ldxr-stxr"])
def test_split_test_has_the_same_outcomes(name):
    path = AARCH64 / f"{name}.litmus"
    _, whole = invoke("run", str(path), "-j", "1")
    code, split = invoke("run", str(path), "-j", "2", "--split")
    assert code == 0
    outcome = re.compile(r"^\d+:|^\[")
    assert [ln for ln in whole.splitlines() if outcome.match(ln)] == [
        ln for ln in split.splitlines() if outcome.match(ln)
    ]


def test_split_witnesses_replay():
    path = str(AARCH64 / "MP+dmb.sy+addr.litmus")
    _, out = invoke("run", path, "-j", "2", "--split")
    for line in out.splitlines():
        if line.startswith("# Witness"):
            schedule = line.split("schedule ")[1]
            code, replayed = invoke("run", path, "--mode", "replay", "--schedule", schedule)
            assert code == 0, replayed
            assert line.split(" schedule")[0].removeprefix("# Witness ") in replayed


@pytest.mark.parametrize("name", ["SB", "MP", "2+2W"])
def test_split_x86_counts_the_whole_search(name):
    """x86 under tso (parts that pool their outcomes): the states the split expanded above the
    parts are counted, so where no two parts reach a state the counts are those of the run not
    split (before: `# Explored 4 states, 0 transitions`, the parts' final states only)."""
    import json

    path = f"{X86}/{name}.litmus"
    explored = re.compile(r"^# Explored .*$", re.M)
    _, whole = invoke("run", path, "-j", "1")
    code, split = invoke("run", path, "-j", "2", "--split")
    assert code == 0
    parts = re.compile(r" in \d+ parts, what two parts reach counted in each$")
    assert [parts.sub("", line) for line in explored.findall(split)] == explored.findall(whole)
    assert all(parts.search(line) for line in explored.findall(split))  # (it says so)
    assert explored.findall(whole)[0] != "# Explored 4 states, 0 transitions"
    counts = [{k: json.loads(out)[k] for k in ("explored_states", "transitions")}
              for out in (invoke("run", path, "-j", "1", "--json")[1],
                          invoke("run", path, "-j", "2", "--split", "--json")[1])]  # fmt: skip
    assert counts[0] == counts[1]


def test_split_x86_counts_a_state_two_parts_reach_in_each_and_says_so():
    """IRIW's parts (-j 2) share 11 states and their 5 transitions: counted in each (README).
    The line said `# Explored 84 states, 86 transitions`, as if the search had met 84, and the
    JSON's counts did not say they were added over parts."""
    import json

    _, whole = invoke("run", f"{X86}/IRIW.litmus", "-j", "1")
    _, split = invoke("run", f"{X86}/IRIW.litmus", "-j", "2", "--split")
    assert "# Explored 73 states, 81 transitions\n" in whole
    assert ("# Explored 84 states, 86 transitions in 12 parts, what two parts reach counted in "
            "each\n") in split
    records = [json.loads(invoke("run", f"{X86}/IRIW.litmus", *args, "--json")[1])
               for args in (["-j", "1"], ["-j", "2", "--split"])]  # fmt: skip
    assert [(r["explored_states"], r["parts"]) for r in records] == [(73, None), (84, 12)]


@pytest.mark.parametrize("args, message", [
    (["-j", "0"], "0 is not in the range 1<=x<=1024"),
    (["-j", "2", "--cluster", "tcp://127.0.0.1:1"], "give one of them"),
    (["--split", "--mode", "random"], "--split divides exhaustive exploration"),
])  # fmt: skip
def test_bad_parallel_options_are_refused(args, message):
    code, out = invoke("run", X86, *args)
    assert code == 2
    assert message in out


SPLIT_NONE = ("fencelab: error: --split divides an operational model's exhaustive exploration "
              "among the workers; no model here is one: ")


@pytest.mark.parametrize("args, says", [
    ([str(EXAMPLES / "c" / "SB+rlx.litmus"), "-j", "2"], SPLIT_NONE + "c11 (a language model)"),
    ([str(EXAMPLES / "c" / "SB+rlx.litmus"), "--model", "rc11", "-j", "2"],
     SPLIT_NONE + "rc11 (a language model)"),
    ([X86 + "/SB.litmus", "--model", "tso-axiomatic", "-j", "2"],
     SPLIT_NONE + "tso-axiomatic (an axiomatic model)"),
    ([X86 + "/SB.litmus", "-j", "1"], "fencelab: error: --split divides a test's exploration "
     "among worker processes; -j 1 starts none"),
])  # fmt: skip
def test_split_where_it_cannot_split_is_refused(args, says):
    # before: exit 0, the test run whole as if --split were absent
    code, out = invoke("run", "--split", *args)
    assert code == 2
    assert out.strip() == says


def test_split_acts_where_some_run_can_be_split():
    # the C test's language model runs whole, the x86 test is split: not refused
    code, out = invoke("run", "--split", "-j", "2", str(EXAMPLES / "c" / "SB+rlx.litmus"),
                       X86 + "/SB.litmus")  # fmt: skip
    assert code == 0, out
    assert "Observation SB+rlx Sometimes 1 3" in out and "Observation SB Sometimes 1 3" in out


def test_cluster_unreachable_is_one_line():
    code, out = invoke("run", X86 + "/SB.litmus", "--cluster", "tcp://127.0.0.1:9")
    assert code == 2
    assert "cannot reach a Dask scheduler" in out


@pytest.mark.parametrize("address", ["tcp://127.0.0.1", "tcp://:8786", "tcp://127.0.0.1:99999",
                                     "ucx://127.0.0.1:8786", "ws://127.0.0.1:8786"])
def test_cluster_address_fencelab_cannot_use_is_refused(address):
    # before: ucx:// a traceback (TypeError), the others 10 s of tries, then "cannot reach"
    started = time.monotonic()
    code, out = invoke("run", X86 + "/SB.litmus", "--cluster", address)
    assert (code, out) == (2, f"fencelab: error: --cluster {address}: not a scheduler's "
                              "address; give tcp://HOST:PORT\n")  # fmt: skip
    assert time.monotonic() - started < 5


@contextlib.contextmanager
def _server(answer: bytes):
    """A TCP server on localhost that is not a Dask scheduler: it sends `answer` to each
    connection and keeps it open; yields its address."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    held = []

    def serve():
        with contextlib.suppress(OSError):
            while True:
                conn, _ = listener.accept()
                held.append(conn)
                conn.sendall(answer)

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield f"tcp://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        listener.close()
        for conn in held:
            conn.close()


@pytest.mark.parametrize("answer, why", [
    (b"", "nothing answered as one in 10 s"),
    (b"\xff" * 64, "what answers there does not speak Dask's protocol"),
], ids=["silent", "other-bytes"])  # fmt: skip
def test_cluster_address_where_no_scheduler_answers_is_one_line(answer, why):
    # before: a server that accepted the connection and said nothing held fencelab forever;
    # one that answered other bytes gave a traceback (MemoryError, exit 1)
    with _server(answer) as address:
        started = time.monotonic()
        code, out = invoke("run", X86 + "/SB.litmus", "--cluster", address)
        assert (code, out) == (2, f"fencelab: error: --cluster {address}: cannot reach a Dask "
                                  f"scheduler ({why})\n")  # fmt: skip
        assert time.monotonic() - started < 15


def test_cluster_without_workers_is_one_line():
    # before: the scheduler was reached and fencelab waited for a worker forever
    from distributed import LocalCluster

    with LocalCluster(n_workers=0, processes=True, dashboard_address=None) as cluster:
        address = cluster.scheduler_address
        started = time.monotonic()
        code, out = invoke("run", X86 + "/SB.litmus", "--cluster", address)
        assert (code, out) == (2, f"fencelab: error: --cluster {address}: the scheduler has no "
                                  f"workers (none came in 10 s); start some: dask worker "
                                  f"{address}\n")  # fmt: skip
        assert time.monotonic() - started < 15


def test_dask_cluster_gives_the_local_results():
    """A real scheduler and two worker processes on localhost (the test extra installs Dask's
    `distributed`: without it this test fails, it does not skip)."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:  # fmt: skip
        address = cluster.scheduler_address
        _, local = invoke("run", X86, str(AARCH64 / "MP+dmb.sy+addr.litmus"), "-j", "1")
        code, remote = invoke("run", X86, str(AARCH64 / "MP+dmb.sy+addr.litmus"),
                              "--cluster", address)  # fmt: skip
        assert code == 0
        assert results(local) == results(remote)
        hunt = ["hunt", "-t", "x86_64", "--shapes", "SB", "--variants", "plain"]
        code1, one = invoke(*hunt, "-j", "1")
        code2, two = invoke(*hunt, "--cluster", address)
        assert code1 == code2
        strip = re.compile(r" in [\d.]+s")
        assert [strip.sub("", ln) for ln in one.splitlines()] == [
            strip.sub("", ln) for ln in two.splitlines()
        ]


def test_costliest_first_keeps_ties_in_input_order():
    assert costliest_first([1.0, 5.0, 3.0, 5.0]) == [1, 3, 2, 0]


def test_small_calls_share_tasks_and_the_last_tasks_hold_one_each():
    """A task costs a round trip through the pool: small calls go several to a task (at most
    CHUNK_MAX, a share of the small calls left), the last ones alone, after the calls not
    small (in the order given) and in input order (their results are printed in that order);
    a small call whose result is handed over early is a task of its own at its place; every
    call once."""
    from fencelab.parallel import CHUNK_MAX, SMALL, chunks

    cost = [1.0] * 30 + [SMALL * 5, SMALL]
    order = costliest_first(cost)
    groups = chunks(order, cost, 2, alone=[3])
    assert [i for group in groups for i in group] == [30, 31, *range(30)]
    assert groups[:2] == [[30], [31]] and [3] in groups
    assert all(3 not in group for group in groups if len(group) > 1)
    assert groups[2:4] == [[0, 1, 2], [3]]  # (a task cut short by the call handed over early)
    sizes = [len(group) for group in groups[4:]]
    assert max(sizes) == CHUNK_MAX and sizes == sorted(sizes, reverse=True)
    assert sizes[-4:] == [1, 1, 1, 1]  # (the last 1/(CHUNK_SHARE * workers) of them)
    assert len(groups) == 17  # tasks for 32 calls
    assert chunks([0, 1], [1.0, 1.0], 2) == [[0], [1]]
    assert chunks(list(range(20)), [0.0] * 20, 2) == [[i] for i in range(20)]  # (no guess)
    assert chunks([0, 1, 2], [9.0, 2.0, 1.0], 2, alone=[1, 2]) == [[0], [1], [2]]


def _fails_at_seven(index: int) -> int:
    if index == 7:
        raise ValueError("seven")
    return index


def test_a_call_that_raises_in_a_shared_task_loses_none_of_the_others():
    from fencelab.parallel import chunks

    cost = [1.0] * 40
    assert any(7 in group and len(group) > 1 for group in chunks(costliest_first(cost), cost, 2))
    got = []
    with Runner(2) as runner, pytest.raises(ValueError, match="seven"):
        for result in runner.map(_fails_at_seven, [(i,) for i in range(40)], cost):
            got.append(result)
    assert got == list(range(7))
    with Runner(2) as runner:
        calls = [(i,) for i in range(40) if i != 7]
        assert list(runner.map(_fails_at_seven, calls, [1.0] * 39)) == [i for (i,) in calls]


def test_a_shared_task_stopped_by_ctrl_c_starts_none_of_its_calls_left():
    import threading

    from fencelab import parallel

    stopped = threading.Event()
    stopped.set()
    was, parallel._stopped = parallel._stopped, stopped
    try:
        got = parallel._call_all(_fails_at_seven, [(1,), (2,), (3,)], frozenset())
    finally:
        parallel._stopped = was
    assert got == [parallel.Stopped()] * 3


def _log_start(log: str, index: int) -> int:
    with open(log, "a") as f:
        f.write(f"{index}\n")
    time.sleep(0.2)  # the other worker takes its first task meanwhile
    return index


def test_workers_start_the_costliest_first_and_yield_in_input_order(tmp_path):
    from fencelab.parallel import SMALL

    log = str(tmp_path / "started")
    cost = [SMALL * c for c in (1.0, 2.0, 9.0, 3.0, 8.0, 4.0)]  # (none small: chunks)
    with Runner(2) as runner:
        got = list(runner.map(_log_start, [(log, i) for i in range(6)], cost))
    assert got == list(range(6))
    started = [int(line) for line in Path(log).read_text().split()]
    assert sorted(started[:2]) == [2, 4]  # the two costliest, one each worker
    assert sorted(started) == list(range(6))


def _wait_for(marker: str, index: int) -> str:
    """Call 0 waits (up to 30 s) for the file that taking call 1's result early writes."""
    if index == 0:
        for _ in range(300):
            if Path(marker).exists():
                return "saw the early result"
            time.sleep(0.1)
        return "waited in vain"
    return f"call {index}"


def _draws_after(marker: str, calls: int):
    """Calls of `_wait_for`: the second is drawn only once call 0 has run (it writes the
    marker), or after 10 s in vain."""
    yield marker, 0
    for _ in range(100):
        if Path(marker).exists():
            break
        time.sleep(0.1)
    for i in range(1, calls):
        yield marker, i


def _mark(marker: str, index: int) -> str:
    Path(marker).write_text("")
    return f"call {index}"


def test_without_a_cost_the_workers_start_each_call_as_it_is_drawn(tmp_path):
    """`Runner.map` without `cost` hands each call to the workers as it is drawn, while the
    caller still makes the next (`tasks.check_all` compiles each test as it goes)."""
    marker = str(tmp_path / "ran")
    started = time.perf_counter()
    with Runner(2) as runner:
        got = list(runner.map(_mark, _draws_after(marker, 3)))
    assert got == ["call 0", "call 1", "call 2"]
    assert time.perf_counter() - started < 8  # not the 10 s of waiting in vain


def test_early_results_are_handed_over_while_an_earlier_one_is_awaited(tmp_path):
    """`Runner.map(..., early)`: the results of the calls named are taken as soon as they are
    in, while this process waits for an earlier one (a split test's parts are merged while
    the workers run the other tests, not at their turn, after the workers are done)."""
    from fencelab.parallel import Early

    marker = str(tmp_path / "taken")
    taken = []

    def take(index, result):
        taken.append((index, result))
        Path(marker).write_text("")

    with Runner(2) as runner:
        got = list(runner.map(_wait_for, [(marker, i) for i in range(3)], [9.0, 2.0, 1.0],
                              Early([1, 2], take)))  # fmt: skip
    assert got == ["saw the early result", "call 1", "call 2"]
    assert taken[0] == (1, "call 1") and sorted(taken) == [(1, "call 1"), (2, "call 2")]


ARM3 = """ARM a
{ 0:R1=x; 1:R1=x; 1:R2=y; 2:R2=y; }
 P0           | P1             | P2           ;
 LDR R0,[R1]  | LDREX R0,[R1]  | LDR R0,[R2]  ;
 STR R0,[R1]  | STREX R3,R0,[R1] | STR R0,[R2] ;
              | STR R0,[R2]    |              ;
exists (0:R0=1)
"""


def test_the_guess_of_cost_reads_threads_accesses_and_loops():
    sb = (EXAMPLES / "x86_64" / "SB.litmus").read_text()
    # ARM's weight, (accesses + 1) and (writes + 1)! a thread, each location's writes' orders
    # (x: P0's and P1's STREX; y: P1's and P2's, by the registers of the initial state), and 2
    # an exclusive access
    assert estimate_text(ARM3) == 10 * (3 * 4 * 3) * (2 * 6 * 2) * (2 * 2) * 2**2
    assert estimate_text(ARM3) > estimate_text(sb) > 0
    c = EXAMPLES / "c"
    assert estimate_text((c / "treiber.litmus").read_text()) > estimate_text(
        (c / "MP+rel+acq.litmus").read_text())  # a loop
    assert estimate_text("") == 1.0 and estimate_text("X86_64 t\n{}\n") == 1.0


def test_the_guess_of_cost_counts_coherence_orders_and_exclusives():
    """Two Arm tests of the same shape (threads, accesses, each thread's writes): the one
    whose writes share a location (more coherence orders) and whose accesses are exclusive
    (a store-exclusive may fail) is guessed costlier; the guess before counted them alike."""
    spread = ARM3.replace("LDREX", "LDR").replace("STREX R3,R0,[R1]", "STR R0,[R1]")
    spread = spread.replace("0:R1=x;", "0:R1=z;").replace("2:R2=y;", "2:R2=w;")
    assert estimate_text(spread) == 10 * (3 * 4 * 3) * (2 * 6 * 2)
    assert estimate_text(ARM3) == 16 * estimate_text(spread)


def test_the_generated_catalogues_longest_test_starts_first():
    """bench/speed.py's `--catalogue 100` (generated, four families in turn, seeds 500-599) is
    bound by GEN-ARM-546-0, about 60% of its instructions: started sixth (after 0.1-0.2 s of
    other tests on its worker), it ended -j 2 late; coherence orders and exclusives put it
    first."""
    texts = [generate_many(FAMILIES[i % len(FAMILIES)], 1, seed=500 + i)[0] for i in range(100)]
    assert texts[46].startswith("ARM GEN-ARM-546-0")
    assert costliest_first([estimate_text(t) for t in texts])[0] == 46


def test_a_cluster_starts_the_costliest_first_and_yields_in_input_order(tmp_path):
    from distributed import LocalCluster

    log = str(tmp_path / "started")
    cost = [1.0, 2.0, 9.0, 3.0, 8.0, 4.0]
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:  # fmt: skip
        runner = Runner(cluster=cluster.scheduler_address)
        with runner:
            got = list(runner.map(_log_start, [(log, i) for i in range(6)], cost))
    assert got == list(range(6))
    assert [int(line) for line in Path(log).read_text().split()] == costliest_first(cost)


def test_a_run_file_task_sends_what_is_printed_not_the_result():
    """`run_file` (what a worker returns to the process that prints) carries herd's text, the
    summary row and whether Ctrl-C cut it short, not the result (its states and witnesses cost
    that process time to unpickle); a partial result is flagged."""
    import dataclasses
    import pickle

    from fencelab.litmus.parser import read_test
    from fencelab.parallel import tasks
    from fencelab.pipeline import RunOptions, run_test
    from fencelab.result import INTERRUPTED

    path = str(EXAMPLES / "x86_64" / "SB.litmus")
    got = pickle.loads(pickle.dumps(tasks.run_file(path, RunOptions(), path, False)))
    assert got.result is None and not got.interrupted
    assert got.text.startswith("Test SB Allowed\n") and got.row[:2] == ("x86_64 tso", "Allowed")

    result = run_test(read_test(path), RunOptions())
    assert not tasks.shown(result, path, False).interrupted
    cut = dataclasses.replace(result, partial=INTERRUPTED)
    assert tasks.shown(cut, path, False).interrupted
    assert tasks.shown(cut, path, True).interrupted


def test_a_test_that_dominates_the_catalogue_is_split_and_prints_what_one_process_prints(
        tmp_path):  # fmt: skip
    """`run -j 2` splits GEN-ARM-546-0 (ARM under armv7, 11,927 states, most of the work
    here) by its first transitions across the workers and merges its parts as one search:
    the same outcomes, witnesses and `# Explored 11927 states, 11926 transitions` as -j 1."""
    from fencelab.parallel import tasks

    for i in (0, 2, 4, 6, 46):
        text = generate_many(FAMILIES[i % len(FAMILIES)], 1, seed=500 + i)[0]
        (tmp_path / f"{i:04}.litmus").write_text(text)
    tasks.merged_runs.clear()  # (what earlier tests of this process split)
    code1, one = invoke("run", str(tmp_path), "-j", "1")
    assert tasks.merged_runs == []
    code2, two = invoke("run", str(tmp_path), "-j", "2")
    split = list(tasks.merged_runs)
    tasks.merged_runs.clear()
    assert str(tmp_path / "0046.litmus") in split
    assert code1 == code2 == 0
    assert results(one) == results(two)
    assert "# Explored 11927 states, 11926 transitions" in two


def test_only_a_test_that_could_hold_the_workers_back_is_split():
    from fencelab.parallel.tasks import split_tasks

    assert split_tasks([9e6, 1e6, 2e7], 2) == [2, 1, 2]  # at least 1/8 of the total (3e7)
    assert split_tasks([9e6, 1e6, 2e7], 4) == [4, 1, 4]
    assert split_tasks([900.0, 10.0], 2) == [1, 1]  # below SPLIT_FLOOR
    assert split_tasks([9e6, 1e6], 1) == [1, 1]
    assert split_tasks([9e7], 2) == [1]  # a test alone runs whole (Runner.map runs it here)


@pytest.mark.parametrize("name, model, splits", [
    ("arm/MP+dmbs.litmus", None, True), ("arm/MP+dmbs.litmus", "sc", False),
    ("aarch64/SB.litmus", None, False), ("x86_64/SB.litmus", None, False),
    ("x86_64/SB.litmus", "sc", False), ("c/SB+rlx.litmus", None, False),
])  # fmt: skip
def test_only_a_test_whose_model_splits_it_is_split(name, model, splits):
    """A costly test is split only where `split_model` would split it (ARM under armv7), told
    from its first word without reading it: an AArch64 test was made two tasks, the second
    reading, planning and assembling it for nothing."""
    from fencelab.parallel.tasks import splits as can_split
    from fencelab.pipeline import RunOptions

    assert can_split(str(EXAMPLES / name), RunOptions.named(model=model)) is splits
    assert not can_split(str(EXAMPLES / "no-such.litmus"), RunOptions())


@pytest.mark.parametrize("name, model", [
    ("x86_64/SB.litmus", "sc"), ("x86_64/IRIW.litmus", "sc"), ("arm/IRIW+addrs.litmus", None),
    ("arm/MP+dmbs.litmus", None), ("arm/SB+dmbs.litmus", None),
])  # fmt: skip
def test_parts_merged_are_the_one_search(name, model):
    """Parts explored apart (their graphs, pickled as between processes), merged: the one
    search's states, transitions, budget hits and witnesses (under sc too, which `run -j`
    does not split: its parts overlap too much to gain)."""
    import pickle

    from fencelab.litmus.parser import read_test
    from fencelab.machine import parts as split
    from fencelab.pipeline import RunOptions, machine_for, plan, run_test
    from fencelab.result import TestResult

    test = read_test(str(EXAMPLES / name))
    (options,), _ = plan(test, RunOptions.named(model=model))
    whole = run_test(test, options)
    for parts in (2, 3):
        found = [pickle.loads(pickle.dumps(split.explore_part(machine_for(test, options), i,
                                                              parts, 2 * parts)))
                 for i in range(parts)]  # fmt: skip
        merged = split.merge(TestResult(whole.test, whole.engine, whole.target), found)
        assert ([(s.outcome, s.witness) for s in merged.states]
                == [(s.outcome, s.witness) for s in whole.states])
        assert (merged.explored_states, merged.transitions, merged.budget_exhausted,
                merged.partial) == (whole.explored_states, whole.transitions,
                                    whole.budget_exhausted, "")  # fmt: skip


def test_a_parts_graph_holds_each_outcome_and_step_key_once():
    """The outcomes and step keys of the runs where threads run apart recur from state to
    state; a part's graph holds one object for each (pickled once: GEN-ARM-546-0's part
    389 -> 254 kB, unpickled by the process that merges in a quarter of the time)."""
    from fencelab.litmus.parser import parse_text
    from fencelab.machine import parts as split
    from fencelab.pipeline import RunOptions, machine_for, plan

    test = parse_text(generate_many("ARM", 1, seed=502)[0])  # (453 states, 0.05 s)
    (options,), _ = plan(test, RunOptions())
    part = split.explore_part(machine_for(test, options), 0, 2, 8)
    runs = [run for node in part.nodes.values() if node[2] is not None for run in node[2][0]]
    outcomes = [outcome for outcome, _ in runs]
    steps = [step for _, keys in runs for step in keys]
    assert len(set(outcomes)) < len(outcomes) and len(set(steps)) < len(steps)
    assert len({id(o) for o in outcomes}) == len(set(outcomes))
    assert len({id(s) for s in steps}) == len(set(steps))


def test_split_of_a_model_with_canonical_keys_prints_what_the_run_not_split_prints():
    """`--split` under armv7 merges its parts as one search: the same text, `# Explored`
    line and witnesses included (elsewhere the parts' counts are summed, as before)."""
    arm = [str(EXAMPLES / "arm" / f"{n}.litmus") for n in ("IRIW+addrs", "MP+dmbs", "SB+dmbs",
                                                           "counter+ldrex-strex")]  # fmt: skip
    _, whole = invoke("run", *arm, "-j", "1")
    code, split = invoke("run", *arm, "-j", "2", "--split")
    assert code == 0
    assert results(whole) == results(split)


def test_a_runner_has_no_more_workers_than_tasks():
    assert Runner(4).at_most(2).jobs == 2
    assert Runner(4).at_most(1).local and Runner(4).at_most(0).local
    assert Runner(2).at_most(100).jobs == 2
    assert Runner(4, off=("reuse",)).at_most(2).off == ("reuse",)
    cluster = Runner(1, "tcp://127.0.0.1:1")
    assert cluster.at_most(1) is cluster


class _NoPool:
    def __init__(self, *args, **kwargs):
        raise AssertionError("a worker pool was started")


@pytest.mark.parametrize("args", [
    ["run", str(EXAMPLES / "x86_64" / "SB.litmus"), "-j", "2"],
    ["run", str(EXAMPLES / "c" / "SB+rlx.litmus"), "-j", "4", "--json"],
    ["check", str(EXAMPLES / "c" / "SB+rlx.litmus"), "-t", "x86_64", "-j", "2"],
])  # fmt: skip
def test_one_task_runs_in_this_process_whatever_j(monkeypatch, args):
    """Forking workers that get nothing to do cost a one-test run about 30 ms of its 200
    (bench/RESULTS.md); with one task the command runs it here."""
    import concurrent.futures

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", _NoPool)
    code, out = invoke(*args)
    assert code == 0, out
    assert "SB" in out


def _keystone_running() -> bool:
    from fencelab.isa import assembler

    return assembler.running()


def test_workers_start_their_keystone_ahead_when_this_process_has_one():
    """A worker forked from a process that assembles (the `fencelab` command starts keystone's
    process before its imports: fencelab/launch.py) starts its own as it starts, before its
    first task; forked from one that has none, it starts none (a run of C tests only)."""
    from fencelab.isa import assembler

    assembler._worker.stop()
    with Runner(2) as runner:
        assert list(runner.map(_keystone_running, [(), ()])) == [False, False]
    assembler.start()
    with Runner(2) as runner:
        assert list(runner.map(_keystone_running, [(), ()])) == [True, True]
