"""Speed against another fencelab tree, on the same tests and the same machine.

    .venv/bin/python bench/reference.py REF_TREE [--families x86_64,AArch64,ARM,C]
                                        [--sets diy,generated] [--count 40] [--rounds 3]
                                        [--instructions]

herd7's figures in the guide (x86_64 5 ms a test, AArch64 26, ARM 53, C 4) were measured on a
machine of this class beside fencelab's own at the time (36, 160, 234, 20 ms: the tree before
issue 17, commit 466d035's parent), over a set of 40 tests a family that is not kept. herd7 is
not installed here, and these VMs' speed moves by 2-3x from day to day, so a figure in ms
alone says little. This script runs the same tests through `fencelab run DIR` of this tree and
of REF_TREE (a checkout, e.g. `git worktree add /tmp/before 466d035^`), alternated, each in its
own process, and gives the CPU time a test of each — `(run of the 40) - (run of the first)`,
over 39, so start-up and each process's first use of a family are left out — their ratio,
and the ratio the guide's figures ask of a tree against the one before issue 17
(x86_64 36/5 = 7.2x, AArch64 6.2x, ARM 4.4x, C 5x).

CPU time on these VMs moves by a third between runs on the light sets (1-2 ms a test), so
`--instructions` counts instead what each process and its children run (cachegrind,
`PYTHONHASHSEED=0`): the same figure every run, one round, about 40 times slower.

That ratio is only an estimate of where herd7 would be on these tests: it assumes herd7's
time and the old tree's grow alike from the guide's tests to these, which the old tree's
pathological shapes (the guide: 10 AArch64 tests were 57% of its time) make doubtful. Under
ARM the old tree had no ARMv7 model; it runs the tests under `arm` (ARMv8 rules), as the
guide's 234 ms did, and this tree under its default `armv7`. C runs under rc11 in both.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import speed  # noqa: E402  (bench/speed.py: the same test sets)

GUIDE_BEFORE_MS = {"x86_64": 36, "AArch64": 160, "ARM": 234, "C": 20}
MODEL = {"C": ["--model", "rc11"]}


# `--instructions`: each process under cachegrind, its children (the assembler's) too
CACHEGRIND = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--trace-children=yes",
              "--cachegrind-out-file=/dev/null"]  # fmt: skip
I_REFS = re.compile(r"^==\d+== I\s+refs:\s+([\d,]+)", re.M)


def cli_cpu(tree: Path, args: list[str], instructions: bool = False) -> float:
    """CPU seconds of one `fencelab` process of `tree` (`-P`: not the current directory's
    fencelab first); with `instructions`, the instructions it and its children ran, in
    thousands of millions (cachegrind, `PYTHONHASHSEED=0`: the same count every run)."""
    env = dict(os.environ, PYTHONPATH=str(tree), PYTHONDONTWRITEBYTECODE="1")
    if instructions:
        env["PYTHONHASHSEED"] = "0"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run([*(CACHEGRIND if instructions else []), sys.executable, "-P", "-c",
                           "from fencelab.cli import main; main()", *args], env=env,
                          capture_output=True, text=True)  # fmt: skip
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        raise SystemExit(f"{tree}: fencelab {' '.join(args)}: exit {done.returncode}\n"
                         f"{done.stderr.strip()[-400:]}")  # fmt: skip
    if instructions:
        return sum(int(n.replace(",", "")) for n in I_REFS.findall(done.stderr)) / 1e9
    return (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def ms_a_test(tree: Path, folder: Path, family: str, jobs_flag: list[str],
              instructions: bool = False) -> float:  # fmt: skip
    tests = sorted(folder.glob("*.litmus"))
    extra = MODEL.get(family, []) + jobs_flag
    whole = cli_cpu(tree, ["run", str(folder), *extra], instructions)
    first = cli_cpu(tree, ["run", str(tests[0]), *extra], instructions)
    return 1000 * (whole - first) / (len(tests) - 1)


def takes_jobs(tree: Path) -> list[str]:
    """`-j 1` where the tree has -j (its default is every core), nothing where it hasn't."""
    env = dict(os.environ, PYTHONPATH=str(tree))
    text = subprocess.run([sys.executable, "-P", "-c", "from fencelab.cli import main; main()",
                           "run", "--help"], env=env, capture_output=True, text=True).stdout  # fmt: skip
    return ["-j", "1"] if "--jobs" in text else []


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("reference", type=Path, help="another fencelab checkout")
    ap.add_argument("--families", default="x86_64,AArch64,ARM,C")
    ap.add_argument("--sets", default="diy,generated")
    ap.add_argument("--count", type=int, default=40)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--instructions", action="store_true",
                    help="count instructions (cachegrind) instead of CPU time: one round")
    args = ap.parse_args(argv)
    if args.instructions:
        args.rounds = 1
    trees = {"this": ROOT, "reference": args.reference.resolve()}
    jobs = {name: takes_jobs(tree) for name, tree in trees.items()}
    makers = {"diy": speed.diy_texts, "generated": speed.generated_texts}
    best: dict[tuple[str, str, str], float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folders = {}
        for family in args.families.split(","):
            for set_name in args.sets.split(","):
                folder = Path(tmp) / family / set_name
                folder.mkdir(parents=True)
                for i, (_, text) in enumerate(makers[set_name](family, args.count)):
                    (folder / f"t{i:03d}.litmus").write_text(text)
                folders[family, set_name] = folder
        for round_ in range(args.rounds):
            for (family, set_name), folder in folders.items():
                for name, tree in trees.items():
                    ms = ms_a_test(tree, folder, family, jobs[name], args.instructions)
                    key = (family, set_name, name)
                    best[key] = min(ms, best.get(key, ms))
            print(f"round {round_ + 1} of {args.rounds} (load {os.getloadavg()[0]:.1f})",
                  file=sys.stderr, flush=True)  # fmt: skip
    unit = "M instructions a test (cachegrind)" if args.instructions else \
        f"CPU ms a test, best of {args.rounds}"  # fmt: skip
    print(f"# this tree against {trees['reference']}, {unit} (load {os.getloadavg()[0]:.1f})")
    print("| family | set | reference | this | speed-up | the guide's herd7 asks |")
    print("|---|---|---|---|---|---|")
    for family, set_name in folders:
        ref, this = best[family, set_name, "reference"], best[family, set_name, "this"]
        asks = GUIDE_BEFORE_MS[family] / speed.HERD7_MS[family]
        print(f"| {family} | {set_name} | {ref:.1f} | {this:.1f} | {ref / this:.1f}x | "
              f"{asks:.1f}x |")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
