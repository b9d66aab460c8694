"""Outcome sets of the x86 tests, one line each, to compare two trees or reductions on and off.

    .venv/bin/python bench/x86_equivalence.py [--no-reduce NAME] [--generated 180] [--diy 300]
                                              [--model tso-axiomatic] [--also DIR] > out.txt

Runs, under tso (or `--model`): every test of examples/x86_64, the examples/rust tests
compiled to x86_64, tests/data/herd/x86 and x86_64, the tests of each `--also` directory
(herd's X86_64 instruction tests, which are not in this repository), `--generated` random
loop-free x86_64 tests (fencelab/gen/families.py) and `--diy` diy7-style x86_64 tests
(fencelab/gen/cycles.py), all from fixed seeds, and prints for each its name, its sorted
outcome set and whether some execution hit the step budget (or its one-line error), and apart
its states explored; `diff` two outputs' first columns (`cut -f1-3`) for the outcomes, the last
for the states. `--model tso-axiomatic` against the default cross-checks the operational
model with herd's x86tso-mixed.cat (outcomes only, unless `--counts`: then herd's `pos neg`
close each line); a result a limit cut short (`--max-states`) says `partial`, a test that
took more than `--timeout` seconds `timeout`.
"""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

import fencelab
from fencelab import reduce
from fencelab.errors import FencelabError
from fencelab.gen import cycles
from fencelab.gen.families import generate_many
from fencelab.limits import Limits
from fencelab.litmus.parser import parse_file, parse_text
from fencelab.litmus.printer import format_outcome
from fencelab.pipeline import Pipeline, RunOptions

ROOT = Path(fencelab.__file__).resolve().parent.parent  # the tree under test


def tests(generated: int, diy: int, model: str | None = None, also: tuple[str, ...] = (),
          counts: bool = False, limits: Limits | None = None):  # fmt: skip
    """(name, parsed test or error, options) of every test compared."""
    limits = limits or Limits()
    x86 = RunOptions.named(model=model, counts=counts, limits=limits)
    on_x86 = RunOptions.named(target="x86_64", model=model, counts=counts, limits=limits)
    files = [(p, x86) for p in sorted((ROOT / "examples" / "x86_64").glob("*.litmus"))]
    files += [(p, on_x86) for p in sorted((ROOT / "examples" / "rust").glob("*.litmus"))]
    for d in ("x86", "x86_64"):
        files += [(p, x86) for p in sorted((ROOT / "tests" / "data" / "herd" / d).glob("*.litmus"))]
    for path, options in files:
        yield str(path.relative_to(ROOT)), lambda p=path: parse_file(p), options
    for d in also:
        for path in sorted(Path(d).glob("*.litmus")):
            yield str(path), lambda p=path: parse_file(p), x86
    for i, text in enumerate(generate_many("x86_64", generated, 0)):
        yield f"<gen {i}>", lambda t=text, i=i: parse_text(t, f"<gen {i}>"), x86
    for i, text in enumerate(cycles.generate_many("x86_64", diy, 0)):
        yield f"<diy {i}>", lambda t=text, i=i: parse_text(t, f"<diy {i}>"), x86


class Timeout(BaseException):  # not an Exception: nothing in fencelab may catch it
    pass


def _alarm(*_):
    raise Timeout


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-reduce", action="append", default=[])
    ap.add_argument("--generated", type=int, default=180)
    ap.add_argument("--diy", type=int, default=300)
    ap.add_argument("--model", default=None, help="tso (default) or tso-axiomatic, or sc")
    ap.add_argument("--also", action="append", default=[], help="a directory of x86 tests")
    ap.add_argument("--counts", action="store_true",
                    help="the axiomatic model counts executions (herd's pos/neg, last column)")
    ap.add_argument("--max-states", type=int, default=Limits().max_states)
    ap.add_argument("--timeout", type=int, default=0, help="seconds a test may take (0: no limit)")
    args = ap.parse_args(argv)
    signal.signal(signal.SIGALRM, _alarm)
    reduce.set_disabled(args.no_reduce)
    limits = Limits(max_states=args.max_states)
    for name, parse, options in tests(args.generated, args.diy, args.model, tuple(args.also),
                                      args.counts, limits):  # fmt: skip
        signal.alarm(args.timeout)
        try:
            result = Pipeline().run(parse(), options)
        except FencelabError as e:
            print(f"{name}\terror\t{str(e).splitlines()[0]}\t-")
            continue
        except Timeout:
            print(f"{name}\ttimeout\t{args.timeout} s\t-", flush=True)
            continue
        finally:
            signal.alarm(0)
        finals = sorted(format_outcome(s.outcome) for s in result.states)
        cut = "\tpartial" if result.partial else ""
        counted = f"\t{result.positive} {result.negative}" if args.counts else ""
        print(f"{name}\t{' | '.join(finals)}\tbudget={result.budget_exhausted > 0}{cut}\t"
              f"{result.explored_states}{counted}", flush=True)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
