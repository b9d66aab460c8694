"""Are the lowering schemes sound on armv7 under the ARMv7 model? `check` over the examples.

    .venv/bin/python bench/armv7_check.py [--scheme S ...] [--model armv7] [--limit SEC] DIR...

Checks every C/Rust test of the folders, compiled to armv7 with each scheme, under the hardware
model (default armv7) against c11, like `fencelab check --target armv7`, but gives each check at
most --limit seconds: a check that does not finish is reported as such (spin-lock tests can take
many minutes under armv7), never as sound. Prints one line per check and a summary per scheme.
"""

from __future__ import annotations

import argparse
import signal
import time
from collections import Counter
from pathlib import Path

from fencelab.checker.core import Checker
from fencelab.isa.registry import get_target
from fencelab.litmus.parser import parse_file
from fencelab.lowering import get_scheme
from fencelab.models.registry import get_model


class _Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise _Timeout


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("dirs", nargs="+")
    ap.add_argument("--scheme", action="append", default=None)
    ap.add_argument("--model", default="armv7")
    ap.add_argument("--limit", type=float, default=300.0)
    args = ap.parse_args()
    schemes = args.scheme or ["default", "gcc", "tutorial"]
    files = sorted(f for d in args.dirs for f in Path(d).glob("*.litmus"))
    signal.signal(signal.SIGALRM, _alarm)
    tally: dict[str, Counter] = {s: Counter() for s in schemes}
    for scheme in schemes:
        checker = Checker(get_model("c11"), get_model(args.model))
        for f in files:
            test = parse_file(f)
            started = time.perf_counter()
            signal.setitimer(signal.ITIMER_REAL, args.limit)
            try:
                c = checker.check(test, get_target("armv7"), get_scheme(scheme))
                verdict = "error" if c.error else ("sound" if c.sound else "UNSOUND")
            except _Timeout:
                verdict = "unfinished"
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            tally[scheme][verdict] += 1
            extra = ""
            if verdict == "UNSOUND":
                extra = " extra: " + " | ".join(str(o) for o in c.extra)
            print(f"{scheme:9} {f.parent.name}/{f.stem:24} {verdict:10} "
                  f"{time.perf_counter() - started:7.1f}s{extra}", flush=True)  # fmt: skip
    for scheme, t in tally.items():
        print(f"{scheme}: {sum(t.values())} checks: {t['sound']} sound, {t['UNSOUND']} unsound, "
              f"{t['unfinished']} unfinished (over {args.limit:.0f} s), {t['error']} errors")  # fmt: skip


if __name__ == "__main__":
    main()
