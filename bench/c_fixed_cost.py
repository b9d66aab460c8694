"""The fixed cost of a light C test, one stage at a time, for instruction counts.

    PYTHONHASHSEED=0 valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \
        .venv/bin/python bench/c_fixed_cost.py STAGE [--set diy|herd] [--count 40]

A warmed process: 40 diy7-style C tests of another seed (bench/speed.py's `diy` set is seed 0;
the warm-up is seed 1) are read, judged under rc11 and printed as herd does first, so that
imports, grammar tables and every process-wide memo are paid before. Then the set (`diy`: the
`--count` diy7-style tests of bench/speed.py, `herd`: herd's C tests in tests/data/herd/c,
C17 refused as it is read) goes through the stages up to STAGE and stops:

    none   nothing more (the baseline)
    parse  read (fencelab/litmus/parser.py: header, lark's trees, the C builder, the condition)
    run    and judge under rc11 (`Pipeline.run`: paths, candidates, axioms, the result)
    herd   and print herd's block of each result (fencelab/report/herd.py)

Two runs' instruction counts differ by what the stages between them cost: (parse - none) /
tests is the reading of one test, and so on. The counts do not move from run to run (fixed
hash seed, no clock read on the paths measured), so two trees compare exactly on one machine.
"""

from __future__ import annotations

import argparse
import gc
import sys
from contextlib import suppress
from pathlib import Path

from fencelab.errors import FencelabError
from fencelab.gen import cycles
from fencelab.litmus.parser import parse_text
from fencelab.pipeline import Pipeline, RunOptions
from fencelab.report.herd import format_herd

ROOT = Path(__file__).resolve().parent.parent
STAGES = ("none", "parse", "run", "herd")


def texts(which: str, count: int) -> list[tuple[str, str]]:
    if which == "diy":
        return [(f"<diy C {i}>", t) for i, t in enumerate(cycles.generate_many("C", count, 0))]
    return [(str(f), f.read_text())
            for f in sorted((ROOT / "tests" / "data" / "herd" / "c").glob("*.litmus"))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("stage", choices=STAGES)
    ap.add_argument("--set", dest="which", choices=("diy", "herd"), default="diy")
    ap.add_argument("--count", type=int, default=40)
    args = ap.parse_args()
    options = RunOptions.named(model="rc11")
    chosen = texts(args.which, args.count)
    for i, text in enumerate(cycles.generate_many("C", 40, 1)):
        format_herd(Pipeline().run(parse_text(text, f"<warm-up {i}>"), options))
    gc.freeze()  # as the command line does (fencelab/cli/options.py, `collector_tuned`)
    stage = STAGES.index(args.stage)
    if stage < 1:
        return
    tests = []
    for name, text in chosen:
        with suppress(FencelabError):  # herd's C17 (the Linux-kernel model): refused
            tests.append(parse_text(text, name))
    if stage < 2:
        return
    results = [Pipeline().run(test, options) for test in tests]
    if stage < 3:
        return
    for result in results:
        format_herd(result)
    print(f"{len(tests)} tests", file=sys.stderr)


if __name__ == "__main__":
    main()
