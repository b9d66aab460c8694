"""Benchmark: time per test by family (x86_64, AArch64, ARM, C), one core and with -j.

    .venv/bin/python bench/speed.py [--count 40] [--families x86_64,AArch64,...] [--jobs N]
                                    [--growth] [--shapes] [--catalogue N] [--no-reduce NAME]
                                    [--catalogue-set generated|diy|examples]
                                    [--catalogue-seed N] [--startup]
                                    [--out bench/RESULTS.md]

Families and their sets (every test exhaustively, under its family's model):
- loop-free: herd's own tests in tests/data/herd (those fencelab accepts), `--count` diy7-style
  tests (`diy`: critical cycles of 2-4 threads as diy7 builds them, fencelab/gen/cycles.py,
  the kind of tests herd7's figures were measured on) and `--count` denser random loop-free
  tests of 2-4 threads (`generated`: fencelab/gen/families.py); all from fixed seeds;
- looping: the examples (examples/aarch64, examples/arm, examples/x86_64, examples/c).
x86_64 runs under tso, AArch64 under arm (Promising-ARM), ARM under armv7 (arm.cat), C under
rc11 (each family's default but C, whose default is the axiomatic c11).

`ms/test` is process CPU time per test in one process (parse + run), the measure that
survives a shared machine; `-j` columns give the wall time of the whole set through the
parallel runner (fencelab/parallel) with N workers, and its speed-up over -j 1. `--growth`
adds how the cost grows with threads (2-4) and operations per thread (2-8) on generated
tests (a cell is skipped once a smaller one took longer than --cell-limit seconds);
`--shapes` the guide's two slowest AArch64 shapes (3.2W, LB+rmw-pos) with reductions on and off;
`--catalogue N` the wall time of `fencelab run DIR` over N tests of the `--families` (generated
or, `--catalogue-set diy`, diy7-style; or `examples/`; from `--catalogue-seed`, 500 by default,
whose generated catalogue has one test that is half its work) with -j 1 and -j N (and the CPU time,
the longest test's own time, which bounds the speed-up, and when the workers start it; and
N copies of `-j 1` run side by side, which share nothing: the speed-up the machine itself
allows);
`--startup` the CPU time of `fencelab --help` and of `run` on one small test of each family.
The table is printed and, with --out, written as markdown (README links to it).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from fencelab.errors import FencelabError
from fencelab.gen import cycles
from fencelab.gen.families import FAMILIES, generate_many
from fencelab.litmus.parser import parse_text
from fencelab.pipeline import Pipeline, RunOptions

ROOT = Path(__file__).resolve().parent.parent
HERD = ROOT / "tests" / "data" / "herd"
HERD_DIRS = {"x86_64": ("x86", "x86_64"), "AArch64": ("aarch64", "aarch64-catalogue"),
             "ARM": ("arm",), "C": ("c",)}  # fmt: skip
EXAMPLES = {"x86_64": "x86_64", "AArch64": "aarch64", "ARM": "arm", "C": "c"}
MODELS = {"x86_64": None, "AArch64": None, "ARM": None, "C": "rc11"}
HERD7_MS = {"x86_64": 5, "AArch64": 26, "ARM": 53, "C": 4}  # the guide's herd7 figures


@dataclass
class Measure:
    tests: int = 0
    refused: int = 0
    cpu: float = 0.0
    states: int = 0
    worst: tuple[float, str] = (0.0, "")

    @property
    def ms(self) -> float:
        return 1000 * self.cpu / self.tests if self.tests else float("nan")


def options_for(family: str) -> RunOptions:
    return RunOptions.named(model=MODELS[family])


def model_name(family: str) -> str:
    """The model a family runs under, as the table names it."""
    return MODELS[family] or {"x86_64": "tso", "AArch64": "arm", "ARM": "armv7"}[family]


# The guide's slowest AArch64 shapes before this work (fencelab s, herd7 s): a write-only shape
# and load buffering through exclusive pairs, where independent promises were explored in
# every order.
SHAPES = {
    "3.2W": ("""AArch64 3.2W
{ 0:X1=x; 0:X3=y; 1:X1=y; 1:X3=z; 2:X1=z; 2:X3=x; }
 P0          | P1          | P2          ;
 MOV W0,#2   | MOV W0,#2   | MOV W0,#2   ;
 STR W0,[X1] | STR W0,[X1] | STR W0,[X1] ;
 MOV W2,#1   | MOV W2,#1   | MOV W2,#1   ;
 STR W2,[X3] | STR W2,[X3] | STR W2,[X3] ;
exists (x=2 /\\ y=2 /\\ z=2)
""", 2.3, 0.01),
    "LB+rmw-pos": ("""AArch64 LB+rmw-pos
{ 0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x; }
 P0              | P1              ;
 LDXR W0,[X1]    | LDXR W0,[X1]    ;
 STXR W4,W2,[X1] | STXR W4,W2,[X1] ;
 MOV W2,#1       | MOV W2,#1       ;
 STR W2,[X3]     | STR W2,[X3]     ;
exists (0:X0=1 /\\ 1:X0=1)
""", 5.5, 0.16),
}  # fmt: skip


def shapes_table() -> list[str]:
    """The guide's slow shapes: CPU seconds with every reduction, and with none."""
    from fencelab import reduce

    out = ["", "## The slow shapes (AArch64, Promising-ARM), CPU seconds", "",
           "| test | fencelab | reductions off | before | herd7 | states | states, off |",
           "|---|---|---|---|---|---|---|"]  # fmt: skip
    options = options_for("AArch64")
    warm_up("AArch64")
    for name, (text, before, herd7) in SHAPES.items():
        on = measure([(name, text)], options)
        before_off = reduce.disabled()
        reduce.set_disabled(["all"])
        try:
            off = measure([(name, text)], options)
        finally:
            reduce.set_disabled(sorted(before_off))
        out.append(f"| {name} | {on.cpu:.2f} | {off.cpu:.2f} | {before} | {herd7} | "
                   f"{on.states} | {off.states} |")  # fmt: skip
        print(out[-1], flush=True)
    return out


def herd_texts(family: str) -> list[tuple[str, str]]:
    files = sorted(f for d in HERD_DIRS[family] for f in (HERD / d).glob("*.litmus"))
    return [(str(f), f.read_text()) for f in files]


def example_texts(family: str) -> list[tuple[str, str]]:
    files = sorted((ROOT / "examples" / EXAMPLES[family]).glob("*.litmus"))
    return [(str(f), f.read_text()) for f in files]


def generated_texts(family: str, count: int, threads=None, ops=None, seed=0):
    texts = generate_many(family, count, seed, threads, ops)
    return [(f"<gen {family} {i}>", t) for i, t in enumerate(texts)]


def diy_texts(family: str, count: int, seed: int = 0):
    """`count` diy7-style tests (critical cycles, fencelab/gen/cycles.py), as herd7's figures
    were measured on."""
    texts = cycles.generate_many(family, count, seed)
    return [(f"<diy {family} {i}>", t) for i, t in enumerate(texts)]


def recorded(sets: dict[str, list[tuple[str, str]]], options: RunOptions,
             witnesses: bool = False) -> dict[str, list]:
    """Per test of each set, what a speed change must leave as it was (bench/armv7_same.py,
    bench/aarch64_same.py): the outcome set (each outcome with its witness, `witnesses`), the
    verdict, explored states, transitions, budget hits and whether it was cut short; or the
    refusal."""
    out: dict[str, list] = {}
    for set_name, texts in sets.items():
        for name, text in texts:
            key = f"{set_name}:{name.split('/tests/')[-1].split('/examples/')[-1]}"
            try:
                r = Pipeline().run(parse_text(text, name), options)
            except FencelabError as e:
                out[key] = ["refused", str(e)]
                continue
            states = sorted([str(s.outcome), s.witness] if witnesses else str(s.outcome)
                            for s in r.states)  # fmt: skip
            out[key] = [states, r.ok, r.explored_states, r.transitions, r.budget_exhausted,
                        r.partial]  # fmt: skip
    return out


def measure(texts: list[tuple[str, str]], options: RunOptions) -> Measure:
    """Each test parsed and run in this process, CPU time per test."""
    m = Measure()
    for name, text in texts:
        started = time.process_time()
        try:
            result = Pipeline().run(parse_text(text, name), options)
        except FencelabError:
            m.refused += 1
            continue
        spent = time.process_time() - started
        m.tests += 1
        m.cpu += spent
        m.states += result.explored_states
        m.worst = max(m.worst, (spent, name))
    return m


def measure_parallel(texts: list[tuple[str, str]], family: str, jobs: int) -> float:
    """Wall seconds for `fencelab run -j jobs` over these tests (as files), workers' start
    included."""
    from fencelab.parallel import Runner, tasks
    from fencelab.parallel.cost import estimate

    options = options_for(family)
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i, (_, text) in enumerate(texts):
            path = Path(tmp) / f"{i:04d}.litmus"
            path.write_text(text)
            paths.append(str(path))
        started = time.perf_counter()
        with Runner(jobs) as runner:
            calls = [(p, options, p, False) for p in paths]
            for _ in runner.map(tasks.run_file, calls, [estimate(p) for p in paths]):
                pass
        return time.perf_counter() - started


def catalogue_texts(kind: str, count: int, families=FAMILIES,
                    seed: int = 500) -> list[tuple[str, str]]:  # fmt: skip
    """(file name, text) of a catalogue of `count` tests, the `families` in turn: `generated`
    (denser random loop-free tests, fencelab/gen/families.py, one seed each) or `diy`
    (diy7-style critical cycles, fencelab/gen/cycles.py: the kind herd7's figures were measured
    on; distinct names)."""
    if kind == "diy":
        per = {f: iter(cycles.generate_many(f, -(-count // len(families)), seed=seed))
               for f in families}  # fmt: skip
        texts = [next(per[families[i % len(families)]]) for i in range(count)]
    else:
        texts = [generate_many(families[i % len(families)], 1, seed=seed + i)[0]
                 for i in range(count)]  # fmt: skip
    return [(f"{i:04d}-{families[i % len(families)]}.litmus", t) for i, t in enumerate(texts)]


def run_env() -> dict[str, str]:
    """The environment of a timed `fencelab` process: this tree first on the path, and Python
    free to write and read compiled bytecode (__pycache__), as an installed fencelab has it
    (`pip install` compiles it; a session that sets PYTHONDONTWRITEBYTECODE would otherwise
    time the compilation of every module on every start, about 0.3 s)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def timed(command: list[str], env: dict) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system, the process and the workers it waited for)
    of one run of `command`, its output dropped."""
    import resource
    import subprocess

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


STARTUP_TESTS = ("x86_64/SB.litmus", "aarch64/SB.litmus", "arm/SB.litmus", "c/SB+rlx.litmus")
FENCELAB = [sys.executable, "-c", "from fencelab.launch import main; main()"]  # as installed


# `fencelab` with a log of where its CPU goes: each worker writes its CPU seconds so far after
# each task; the parent its CPU when the runner starts, when the last result is in, and at exit;
# each with its minor page faults so far (a forked worker's count starts at 0: its faults are
# its own pages and its copies of the parent's, copy-on-write).
_LOGGED = r"""
import atexit, os, resource, sys, time
import fencelab.parallel as parallel

log = open(sys.argv.pop(1), "a", buffering=1)  # line by line: workers end with os._exit
def note(what):
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    log.write(f"{what} {os.getpid()} {time.process_time()} {faults}\n")
call, enter, leave = parallel._call, parallel.Runner.__enter__, parallel.Runner.__exit__
def logged_call(*args):
    try:
        return call(*args)
    finally:
        note("task")
def logged_enter(self):
    note("start")
    return enter(self)
def logged_leave(self, *exc):
    note("done")
    return leave(self, *exc)
parallel._call, parallel.Runner.__enter__, parallel.Runner.__exit__ = (
    logged_call, logged_enter, logged_leave)
atexit.register(note, "exit")
from fencelab.launch import main  # as installed: keystone's process starts before the imports
main()
"""


last_parts: list[float] = []  # the last `critical_cpu`'s parts of the critical path
last_faults: list[int] = []  # and its minor page faults: the parent's, then each worker's


def critical_cpu(args: list[str], jobs: int, env: dict) -> tuple[float, float, float]:
    """Wall and CPU seconds of `fencelab args -j jobs`, and the CPU seconds of its critical path,
    which is what its wall time would be on `jobs` idle cores: the CPU of the parent before the
    workers start, the busiest worker's, a share of the parent's while they run (it prints), and
    the parent's after the last result (the summary, exit). A shared machine stretches wall time
    far more than CPU time. The keystone processes (one a process that assembles) are left out.
    The parts of the path are kept in `last_parts` (printed by `catalogue_speedup`)."""
    with tempfile.NamedTemporaryFile("r", suffix=".log") as log:
        wall, cpu = timed([sys.executable, "-c", _LOGGED, log.name, *args, "-j", str(jobs)], env)
        notes: dict[str, float] = {}
        workers: dict[str, float] = {}
        faults: dict[str, int] = {}
        for line in log:
            what, pid, seconds, minor = line.split()
            faults[pid] = max(faults.get(pid, 0), int(minor))
            if what == "task":
                workers[pid] = max(workers.get(pid, 0.0), float(seconds))
            else:
                notes[what] = float(seconds)
                parent = pid
    last_faults[:] = [faults[parent], *(faults[pid] for pid in sorted(workers, key=workers.get,
                                                                      reverse=True))]  # fmt: skip
    if not workers:  # -j 1: the parent ran everything
        last_parts[:] = [notes["exit"]]
        return wall, cpu, notes["exit"]
    # the parent to the fork, each worker (busiest first), the parent while they run and after
    last_parts[:] = [notes["start"], *sorted(workers.values(), reverse=True),
                     notes["done"] - notes["start"], notes["exit"] - notes["done"]]  # fmt: skip
    path = (notes["start"] + max(workers.values()) + (notes["done"] - notes["start"]) / jobs
            + notes["exit"] - notes["done"])  # fmt: skip
    return wall, cpu, path


def catalogue_speedup(count: int, jobs: int, families=FAMILIES, repeats: int = 3,
                      kind: str = "generated", seed: int = 500) -> list[str]:  # fmt: skip
    """`fencelab run DIR -j 1` against `-j jobs` on a catalogue of `count` tests (`kind`:
    generated, diy, or examples: `fencelab run examples/`, `count` and `families` unused), each
    the command a user types (a fresh process: start-up included, bytecode compiled once
    beforehand as an install has it); the best of `repeats` wall times each, since the machine
    may be shared, and the best of the CPU measures (`critical_cpu`), which a shared machine
    disturbs less. -j cannot beat the longest test: its own time is printed too, and when the
    workers start it (the guess of fencelab/parallel/cost.py orders them)."""
    from fencelab.parallel import costliest_first
    from fencelab.parallel.cost import estimate

    env = run_env()
    with tempfile.TemporaryDirectory() as tmp:
        if kind == "examples":
            where = str(ROOT / "examples")
        else:
            where = tmp
            for name, text in catalogue_texts(kind, count, families, seed):
                (Path(tmp) / name).write_text(text)
        files = sorted(Path(where).rglob("*.litmus"))
        timed([*FENCELAB, "run", "-j", "1", str(files[0])], env)  # bytecode written
        best: dict[int, list[float]] = {}
        for n in (1, jobs) * repeats:
            measured = critical_cpu(["run", where], n, env)
            best[n] = [min(m, b) for m, b in zip(measured, best.get(n, measured))]
            parts = (f" = parent to the fork {last_parts[0]:.2f} + busiest worker "
                     f"{last_parts[1]:.2f} (others {', '.join(f'{w:.2f}' for w in last_parts[2:-2])})"
                     f" + 1/{n} of the parent's {last_parts[-2]:.2f} while they run + "
                     f"{last_parts[-1]:.2f} after; minor faults: parent {last_faults[0]}, "
                     f"workers {', '.join(map(str, last_faults[1:]))}" if n > 1
                     else f"; minor faults {last_faults[0]}")  # fmt: skip
            print(f"{kind} catalogue of {len(files)}, -j {n}: {measured[0]:.1f} s wall, "
                  f"{measured[1]:.1f} s CPU, critical path {measured[2]:.2f} s CPU{parts} "
                  f"(load {os.getloadavg()[0]:.1f})", flush=True)  # fmt: skip
        alone, together = side_by_side([*FENCELAB, "run", "-j", "1", where], jobs, env, repeats)
        seconds = _seconds([*FENCELAB, "run", where], env)
        longest = max(range(len(seconds)), key=lambda i: seconds[i])
        started = costliest_first([estimate(str(p)) for p in files]).index(longest) + 1
    what = ("examples/" if kind == "examples"
            else f"{count} {kind} tests, {', '.join(families)}, seed {seed}")  # fmt: skip
    (wall1, cpu1, path1), (wall, cpu, path) = best[1], best[jobs]
    return ["", f"## -j on a catalogue: {what} (fencelab run DIR, best of {repeats}, load "
            f"{os.getloadavg()[0]:.1f})", "",
            f"| wall s, -j 1 / -j {jobs} | speed-up | CPU s, -j 1 / -j {jobs} | critical path, "
            f"CPU s | speed-up on idle cores (CPU) | longest test | started | {jobs} runs of -j 1 "
            f"side by side: wall s, one alone / all | the machine's ceiling |",
            "|---|---|---|---|---|---|---|---|---|",
            f"| {wall1:.1f} / {wall:.1f} | {wall1 / wall:.2f}x | {cpu1:.1f} / {cpu:.1f} | "
            f"{path1:.2f} / {path:.2f} | {path1 / path:.2f}x | {seconds[longest]:.1f} s | "
            f"{started} of {len(files)} | {alone:.1f} / {together:.1f} | "
            f"{jobs * alone / together:.2f}x |"]  # fmt: skip


def side_by_side(command: list[str], copies: int, env: dict, repeats: int) -> tuple[float, float]:
    """The machine's own ceiling for `-j copies`: the wall seconds of `command` alone, and of
    `copies` of it started at once (the slowest's), the best of `repeats` each, alternated.
    Copies share nothing, so `copies` x alone / together is the most any `-j copies` could
    gain here: what the cores give independent processes (a virtual machine's cores may be
    slower when all are busy; bench/RESULTS.md)."""
    import subprocess

    alone = together = float("inf")
    for _ in range(repeats):
        alone = min(alone, timed(command, env)[0])
        started = time.perf_counter()
        running = [subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
                   for _ in range(copies)]  # fmt: skip
        if any(p.wait() for p in running):
            raise SystemExit(f"{' '.join(command)} failed")
        together = min(together, time.perf_counter() - started)
    return alone, together


def _seconds(command: list[str], env: dict) -> list[float]:
    """Each result's own time in a `-j 1` run (its JSON `seconds`)."""
    import json
    import subprocess

    done = subprocess.run([*command, "-j", "1", "--json"], env=env, check=True,
                          capture_output=True, text=True)  # fmt: skip
    return [json.loads(line)["seconds"] for line in done.stdout.splitlines()]


def startup_table(repeats: int = 7) -> list[str]:
    """What a command costs before any test: `fencelab --help`, and `run` of one small test of
    each family (start-up, the test's first-use set-up and its run), best of `repeats` (CPU
    seconds, which survive a shared machine better than wall seconds)."""
    env = run_env()
    runs = {"--help": ["--help"],
            **{f"run examples/{name}": ["run", "-j", "1", str(ROOT / "examples" / name)]
               for name in STARTUP_TESTS}}  # fmt: skip
    out = ["", f"## Start-up, best of {repeats} (load {os.getloadavg()[0]:.1f})", "",
           "| command | CPU s | wall s |", "|---|---|---|"]  # fmt: skip
    for name, args in runs.items():
        timed([*FENCELAB, *args], env)  # bytecode written
        wall, cpu = (min(t) for t in zip(*(timed([*FENCELAB, *args], env) for _ in range(repeats))))
        out.append(f"| fencelab {name} | {cpu:.2f} | {wall:.2f} |")
        print(out[-1], flush=True)
    return out


def warm_up(family: str) -> None:
    """One test of the family first, not counted: imports and first-use set-up are the
    process's, not a test's (`startup` in the table measures them)."""
    measure(generated_texts(family, 1, seed=99), options_for(family))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=40, help="generated tests per family")
    ap.add_argument("--families", default=",".join(FAMILIES))
    ap.add_argument("--sets", default="herd,diy,generated,looping")
    ap.add_argument("--jobs", type=int, default=0, help="also time the sets with -j N (0: skip)")
    ap.add_argument("--growth", action="store_true", help="cost by threads x operations")
    ap.add_argument("--shapes", action="store_true", help="the guide's slow AArch64 shapes")
    ap.add_argument("--catalogue", type=int, default=0,
                    help="also time `fencelab run DIR -j 1` vs -j --jobs (default 2) on this "
                    "many tests of the --families")  # fmt: skip
    ap.add_argument("--catalogue-set", default="generated",
                    choices=("generated", "diy", "examples"),
                    help="the catalogue's tests: generated (dense random), diy (diy7-style "
                    "cycles, as herd7's figures), or examples (`fencelab run examples/`)")
    ap.add_argument("--catalogue-seed", type=int, default=500,
                    help="the catalogue's first seed (generated: one a test; diy: one a family)")
    ap.add_argument("--startup", action="store_true",
                    help="CPU time of `fencelab --help` and of `run` on one small test")
    ap.add_argument("--growth-count", type=int, default=3, help="tests per growth cell")
    ap.add_argument("--cell-limit", type=float, default=20.0,
                    help="seconds a growth cell may take before its row stops")
    ap.add_argument("--no-reduce", action="append", default=[],
                    help="turn a reduction off (fencelab/reduce.py; `all`)")  # fmt: skip
    ap.add_argument("--model", action="append", default=[], metavar="FAMILY=MODEL",
                    help="run a family under another model (e.g. ARM=armv7-axiomatic)")
    ap.add_argument("--out", help="also write the tables here (markdown)")
    args = ap.parse_args(argv)
    if args.no_reduce:
        from fencelab.reduce import set_disabled

        set_disabled(args.no_reduce)
    for item in args.model:
        family, _, model = item.partition("=")
        if family not in MODELS or not model:
            ap.error(f"--model {item!r}: expected FAMILY=MODEL, FAMILY one of {', '.join(MODELS)}")
        MODELS[family] = model
    families = args.families.split(",")
    sets = [s for s in args.sets.split(",") if s]  # --sets "" for the growth table alone
    lines = [f"# fencelab speed ({time.strftime('%Y-%m-%d')}, load {os.getloadavg()[0]:.1f}, "
             f"{os.cpu_count()} cores)", ""]  # fmt: skip
    header = ("| family | model | set | tests | ms/test (CPU) | herd7 ms | states/test | "
              "slowest |")  # fmt: skip
    if args.jobs:
        header += f" -j 1 s | -j {args.jobs} s | speed-up |"
    lines += [header, "|" + "---|" * (header.count("|") - 1)]
    print(lines[0])
    for family in families if sets else ():
        options = options_for(family)
        warm_up(family)
        for set_name in sets:
            texts = {"herd": herd_texts, "looping": example_texts,
                     "diy": lambda f: diy_texts(f, args.count)}.get(
                set_name, lambda f: generated_texts(f, args.count))(family)  # fmt: skip
            m = measure(texts, options)
            tests = f"{m.tests} (+{m.refused} refused)" if m.refused else str(m.tests)
            row = (f"| {family} | {model_name(family)} | {set_name} | {tests} | {m.ms:.1f} | "
                   f"{HERD7_MS[family] if set_name != 'looping' else ''} | "
                   f"{m.states / max(m.tests, 1):.0f} | {1000 * m.worst[0]:.0f} ms "
                   f"{Path(m.worst[1]).name} |")  # fmt: skip
            if args.jobs:
                one = measure_parallel(texts, family, 1)
                many = measure_parallel(texts, family, args.jobs)
                row += f" {one:.2f} | {many:.2f} | {one / many:.2f}x |"
            lines.append(row)
            print(row, flush=True)
    if args.shapes:
        lines += shapes_table()
    if args.catalogue:
        lines += catalogue_speedup(args.catalogue, args.jobs or 2, families,
                                   kind=args.catalogue_set, seed=args.catalogue_seed)  # fmt: skip
    if args.startup:
        lines += startup_table()
    if args.growth:
        lines += growth(families, args)
    if args.out:
        Path(args.out).write_text("\n".join(lines) + "\n")
    return 0


def growth(families: list[str], args) -> list[str]:
    """ms per test (CPU) by threads (rows) and operations per thread (columns). Each cell runs
    in a child process; a row stops at the first cell over --cell-limit seconds (shown as
    `>limit`), since the next ones only cost more."""
    ops_range = range(2, 9)
    out = ["", "## Cost growth: ms per generated test (CPU), threads x operations per thread",
           "", f"{args.growth_count} tests a cell; `>N s`: the cell took longer than N s "
           "and the row stops there.", ""]  # fmt: skip
    for family in families:
        warm_up(family)  # in this process: each cell's child starts from it, warm
        out += [f"### {family}", "",
                "| threads | " + " | ".join(f"{k} ops" for k in ops_range) + " |",
                "|---|" + "---|" * len(ops_range)]  # fmt: skip
        for threads in (2, 3, 4):
            cells, stop = [], False
            for ops in ops_range:
                if stop:
                    cells.append("")
                    continue
                ms = _cell(family, threads, ops, args.growth_count, args.cell_limit)
                cells.append(f">{args.cell_limit:.0f} s" if ms is None else f"{ms:.0f}")
                stop = ms is None
            out.append(f"| {threads} | " + " | ".join(cells) + " |")
            print(f"{family} " + out[-1], flush=True)
        out.append("")
    return out


def _cell(family: str, threads: int, ops: int, count: int, limit: float) -> float | None:
    """ms per test for one growth cell, measured in a child process (None: over `limit`)."""
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)

    def work() -> None:
        texts = generated_texts(family, count, threads, ops, seed=7)
        m = measure(texts, options_for(family))
        send.send(m.ms if m.tests else float("nan"))

    child = ctx.Process(target=work)
    child.start()
    ready = receive.poll(limit * 3)  # wall time: the machine may be shared
    if not ready:
        child.kill()
    child.join()
    if not ready:
        return None
    ms = receive.recv()
    return None if ms * count > limit * 1000 else ms


if __name__ == "__main__":
    sys.exit(main())
