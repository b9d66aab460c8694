"""One reduction on and off on the x86 tests: witnesses, states, transitions, budget hits.

    .venv/bin/python bench/x86_onoff.py NAME [--generated 200] [--diy 200]

Runs, under tso, every test of examples/x86_64, tests/data/herd/x86 and x86_64, `--generated`
random loop-free x86_64 tests (fencelab/gen/families.py, seed 0) and `--diy` diy7-style
x86_64 tests (fencelab/gen/cycles.py, seed 3), each with every reduction on and with NAME off,
and prints each test whose sorted (outcome, witness) pairs, states explored, transitions,
budget hits or partial flag (or one-line error) differ, then the count; exits 1 if any does.
For a reduction that must not change the search at all (`tso-step`, `tso-interned`), unlike
`x86_equivalence.py`, which compares outcome sets (and states apart).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import fencelab
from fencelab import reduce
from fencelab.errors import FencelabError
from fencelab.gen import cycles
from fencelab.gen.families import generate_many
from fencelab.litmus.parser import parse_file, parse_text
from fencelab.litmus.printer import format_outcome
from fencelab.pipeline import Pipeline, RunOptions

ROOT = Path(fencelab.__file__).resolve().parent.parent  # the tree under test


def tests(generated: int, diy: int) -> list:
    out = [parse_file(p) for p in sorted((ROOT / "examples" / "x86_64").glob("*.litmus"))]
    out += [parse_file(p) for d in ("x86", "x86_64")
            for p in sorted((ROOT / "tests" / "data" / "herd" / d).glob("*.litmus"))]  # fmt: skip
    out += [parse_text(t, f"gen{i}") for i, t in enumerate(generate_many("x86_64", generated))]
    out += [parse_text(t, f"diy{i}")
            for i, t in enumerate(cycles.generate_many("x86_64", diy, seed=3))]  # fmt: skip
    return out


def search(test, off: list[str]):
    reduce.set_disabled(off)
    try:
        r = Pipeline().run(test, RunOptions())
    except FencelabError as e:
        return str(e)
    finally:
        reduce.enable_all()
    return (sorted((format_outcome(s.outcome), s.witness) for s in r.states),
            r.explored_states, r.transitions, r.budget_exhausted, r.partial)  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", choices=sorted(reduce.REDUCTIONS))
    parser.add_argument("--generated", type=int, default=200)
    parser.add_argument("--diy", type=int, default=200)
    args = parser.parse_args()
    every = tests(args.generated, args.diy)
    differ = 0
    for test in every:
        on, off = search(test, []), search(test, [args.name])
        if on != off:
            differ += 1
            print("DIFFERS", test.name, on, off, sep="\n  ")
    print(f"{len(every)} tests, {differ} differ (witnesses, states, transitions, budget) "
          f"with {args.name} off")  # fmt: skip
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
