"""Offline check that every reduction keeps every outcome (tests/test_reduce.py runs a slice).

    .venv/bin/python bench/compare_reductions.py [--count 100] [--families x86_64,AArch64,ARM,C]

Runs every example and generated loop-free tests of each family (fencelab/gen/families.py:
`--count` of 2 and 3 threads with 1-3 operations a thread, and `--count4` of 4 threads with
1-2 operations: bigger ones take minutes each without the reductions) with all reductions on,
then with each reduction off alone and with all of them off, and counts the runs whose outcome
set (with whether the step budget was hit) differs. A run without a reduction that a state or
memory limit cut short (`partial`) and whose outcomes are all among the reduced run's is
counted apart ("cut short"), not as a difference. Prints a table; exits 1 if any differs.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from fencelab import reduce
from fencelab.errors import FencelabError
from fencelab.gen.families import FAMILIES, generate
from fencelab.litmus.parser import parse_file, parse_text
from fencelab.pipeline import Pipeline, RunOptions

ROOT = Path(__file__).resolve().parent.parent
MODELS = {"C": "rc11"}


@dataclass(frozen=True)
class Outcomes:
    states: frozenset
    budget_hit: bool
    partial: bool

    def same(self, reference: Outcomes) -> bool | None:
        """True if the same as `reference`; None if cut short with nothing `reference` lacks."""
        if (self.states, self.budget_hit) == (reference.states, reference.budget_hit):
            return True
        return None if self.partial and self.states <= reference.states else False


def outcomes(test, options: RunOptions, off: list[str]) -> Outcomes:
    reduce.set_disabled(off)
    try:
        result = Pipeline().run(test, options)
        return Outcomes(frozenset(s.outcome for s in result.states), result.budget_exhausted > 0,
                        bool(result.partial))  # fmt: skip
    except FencelabError as e:
        return Outcomes(frozenset({("error", str(e))}), False, False)
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
            same = [outcomes(t, options, off).same(ref) for t, ref in zip(tests, reference)]
            bad, cut = same.count(False), same.count(None)
            differ += bad
            cells.append(f"{bad} differ" + (f", {cut} cut short" if cut else ""))
        print(f"| {name} | {len(tests)} | " + " | ".join(cells) + " |"
              f"  <!-- {time.process_time() - started:.0f} s -->", flush=True)  # fmt: skip
    print(f"{differ} runs differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
