"""Offline check that every reduction keeps every outcome (tests/test_reduce.py runs a slice).

    .venv/bin/python bench/compare_reductions.py [--count 100] [--families x86_64,AArch64,ARM,C]

Runs every example and generated loop-free tests of each family (fencelab/gen/families.py:
`--count` of 2 and 3 threads with 1-3 operations a thread, and `--count4` of 4 threads with
1-2 operations: bigger ones take minutes each without the reductions) with all reductions on,
then with each reduction off alone and with all of them off, and counts the runs whose outcome
set (with whether the step budget was hit) differs. Prints a table; exits 1 if any differs.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from fencelab import reduce
from fencelab.errors import FencelabError
from fencelab.gen.families import FAMILIES, generate
from fencelab.litmus.parser import parse_file, parse_text
from fencelab.pipeline import Pipeline, RunOptions

ROOT = Path(__file__).resolve().parent.parent
MODELS = {"C": "rc11"}


def outcomes(test, options: RunOptions, off: list[str]):
    reduce.set_disabled(off)
    try:
        result = Pipeline().run(test, options)
        return frozenset(s.outcome for s in result.states), result.budget_exhausted > 0
    except FencelabError as e:
        return ("error", str(e))
    finally:
        reduce.enable_all()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=100)
    ap.add_argument("--count4", type=int, default=20)
    ap.add_argument("--families", default=",".join(FAMILIES))
    ap.add_argument("--seed", type=int, default=5)
    args = ap.parse_args(argv)
    sets = [("examples", RunOptions(), [parse_file(p) for p in
                                        sorted((ROOT / "examples").rglob("*.litmus"))])]  # fmt: skip
    for family in args.families.split(","):
        texts = [generate(family, args.seed * 10_000 + i, threads=2 + i % 2, ops=(1, 2, 2, 3))
                 for i in range(args.count)]
        texts += [generate(family, args.seed * 10_000 + 5000 + i, threads=4, ops=(1, 2))
                  for i in range(args.count4)]
        tests = [parse_text(t, f"<gen {family} {i}>") for i, t in enumerate(texts)]
        sets.append((f"generated {family}", RunOptions.named(model=MODELS.get(family)), tests))
    variants = [[name] for name in reduce.REDUCTIONS] + [["all"]]
    print("| set | tests | " + " | ".join(f"-{v[0]}" for v in variants) + " |")
    print("|---|---|" + "---|" * len(variants))
    differ = 0
    for name, options, tests in sets:
        started = time.process_time()
        reference = [outcomes(t, options, []) for t in tests]
        cells = []
        for off in variants:
            bad = sum(outcomes(t, options, off) != ref for t, ref in zip(tests, reference))
            differ += bad
            cells.append(f"{bad} differ")
        print(f"| {name} | {len(tests)} | " + " | ".join(cells) + " |"
              f"  <!-- {time.process_time() - started:.0f} s -->", flush=True)  # fmt: skip
    print(f"{differ} runs differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
