"""herd parity on herd's own tests: each `X.litmus` beside herd7's output for it
(`X.litmus.expected`, as herdtools7 keeps them in herd/tests/instructions/<ARCH>/) is run
through fencelab's `run` pipeline, in this process, and its outcome set, Ok/No (or Undef) and
`Flag` lines compared with herd7's.

    .venv/bin/python bench/herd_corpus.py DIR[@MODEL] ... [--model M] [--timeout 60] [--quiet]

Each test runs under `DIR@MODEL`'s model, else `--model`, else its architecture's default, with
a per-test timeout. herd runs some directories under a model of their own (its `<dir>.cfg`):
C@rc11 (herd's C instruction tests use rc11.cat), AArch32@aarch32 (aarch32.cat). Times are
not measured here (bench/speed.py does that). Per test it prints one of: `agree`, `DIFFER` (herd's states and ours, and the verdicts), `refused` (fencelab's one
line), `partial` (a limit cut the exploration short), `timeout`, `no-herd` (herd7 printed no
result: an `.expected` without states), `stale` (the outcomes differ but herd's `Condition`
line is not the test's: herdtools7 kept an output of an earlier version of the test). A data
race is compared as herd prints it: `Undef` for Ok/No and a `Flag *undef*` line.

Where the states agree, the counts are compared too: herd's `Positive: p Negative: n` line and
the `Observation NAME ... p n` counts (herd counts the candidate executions its model allows,
fencelab's operational models count final states: README's "Output"). The summary's last two
columns count the agreeing tests whose counts are herd's (`counts-agree`) and not
(`counts-differ`, shown with both counts even under --quiet); they do not change the exit status.

A test beside herd's `X.litmus.expected-failure` (herd7 stops on it with a user error: a
condition naming a location nothing else names, a feature it refuses) is compared by that:
`both-fail` when fencelab refuses it too (its line is shown beside herd's), `DIFFER` when
fencelab runs it.

A directory with a `kinds.txt` (herd's catalogues: `NAME Allow|Forbid|Require` a line, or
`Allowed`/`Forbidden`/`Required`, herd7's verdict under the catalogue's model) is compared by
verdict: each test it names beside its `NAME.litmus` is run and fencelab's verdict (herd's
first word: Allowed, Forbidden, Required) compared with herd's; `DIFFER` then shows our states.
Then a summary: counts per directory and per refusal
reason. herd's files stay where they are (they are not fencelab's to ship).

Both sides are read by one parser: fencelab's result is printed with `report.herd.format_herd`
(what `fencelab run` prints) and read back the way herd's output is read. Values are compared
as numbers: herd prints hexadecimal under `-hexa` (its C and AArch64.mixed tests) and `0x1`
here is `1` there. A state is compared as a set of bindings, so herd's order of a state's
bindings does not matter (`fencelab run` prints them in herd's order; the tests check that), and
an array's element 0 is `v` as `v[0]` (herd spells it as the test's condition did, we as `v[0]`),
a location `x` as `[x]` (herd's older outputs).
Exits 1 if any test differs.
"""

from __future__ import annotations

import argparse
import re
import signal
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fencelab.errors import FencelabError  # noqa: E402
from fencelab.litmus.parser import read_test  # noqa: E402
from fencelab.pipeline import RunOptions, plan, run_test  # noqa: E402
from fencelab.report.herd import format_herd  # noqa: E402

VERDICTS = ("Ok", "No", "Undef")
HEX = re.compile(r"(?<![\w.])(-?)0x([0-9a-fA-F]+)")
# `v[0]=1` is `v=1` (herd names element 0 as the test did), `[x]=1` is `x=1` (older herds)
ELEMENT0 = re.compile(r"^(\w+)\[0\]=|^\[(\w+)\]=")


class Timeout(BaseException):  # not an Exception: nothing in fencelab may catch it
    pass


def _alarm(*_):
    raise Timeout


@dataclass(frozen=True)
class Herd:
    """What herd7 printed of one test: its final states, Ok/No (or Undef) and flags."""

    states: frozenset[frozenset[str]]
    verdict: str  # Ok, No, Undef; "" when herd printed none
    loop: bool  # herd's `Loop`: some executions were cut by its unrolling bound
    condition: str  # the `Condition` line, without spaces
    flags: frozenset[str] = frozenset()  # herd's `Flag` lines (`*undef*`: a data race)
    # the `Positive: p Negative: n` line and the `Observation NAME ... p n` counts (None: absent)
    witnesses: tuple[int, int] | None = None
    observation: tuple[int, int] | None = None

    def counts(self) -> str:
        return (f"Positive: {self.witnesses[0]} Negative: {self.witnesses[1]}, Observation "
                f"{self.observation[0]} {self.observation[1]}")  # fmt: skip


def numbers(text: str) -> str:
    """Hexadecimal values as decimal (herd's `-hexa`)."""
    return HEX.sub(lambda m: str(int(m.group(1) + m.group(2), 16)), text)


def read_output(text: str) -> Herd:
    """herd7's output (or `fencelab run`'s, which prints herd's form): `States N`, N states,
    then `Ok`/`No` (after `Loop` if some executions were cut)."""
    lines = numbers(text).splitlines()
    states, verdict, loop = set(), "", False
    condition = next((ln.replace(" ", "") for ln in lines if ln.startswith("Condition ")), "")
    flags = frozenset(ln.split(None, 1)[1].strip() for ln in lines if ln.startswith("Flag "))
    witnesses = next((_pair(ln.split()[1], ln.split()[3]) for ln in lines
                      if ln.startswith("Positive: ")), None)  # fmt: skip
    observation = next((_pair(*ln.split()[3:5]) for ln in lines
                        if ln.startswith("Observation ")), None)  # fmt: skip
    for i, line in enumerate(lines):
        if line.startswith("States "):
            count = int(line.split()[1])
            for state in lines[i + 1:i + 1 + count]:
                states.add(frozenset(ELEMENT0.sub(lambda m: f"{m[1] or m[2]}=", b.strip())
                                     for b in state.split(";") if b.strip()))  # fmt: skip
            words = lines[i + 1 + count].split() if i + 1 + count < len(lines) else []
            loop = words[:1] == ["Loop"]
            verdict = next((w for w in words if w in VERDICTS), "")
            break
    return Herd(frozenset(states), verdict, loop, condition, flags, witnesses, observation)


def _pair(a: str, b: str) -> tuple[int, int]:
    return int(a.rstrip(",")), int(b)


def show(states: frozenset[frozenset[str]]) -> str:
    return " | ".join(sorted(" ".join(sorted(s)) for s in states)) or "(none)"


def reason(message: str) -> str:
    """A refusal's reason without its place and the test's own names: what groups it."""
    text = re.sub(r"^\S+?:(\d+:\d+: |\s)", "", message)  # file:line:col: / file: (the test)
    text = re.sub(r"^P\d+: (?!cannot assemble)[^:]*: ", "", text)  # the instruction: `P0: STXR W4,W3,[X2]: `
    text = re.sub(r"`[^`]*`|(?<!\w)'[^']*'|\"[^\"]*\"", "…", text)
    text = re.sub(r"\b\d+\b", "N", text)
    return text.split(";")[0].strip()[:110]


# herd's kinds (its catalogues' kinds.txt) as the verdicts fencelab prints
KINDS = {"Allow": "Allowed", "Forbid": "Forbidden", "Require": "Required"}


def read_kinds(text: str) -> dict[str, str]:
    """A catalogue's kinds.txt: test name -> herd7's verdict (Allowed, Forbidden, Required)."""
    out = {}
    for line in text.splitlines():
        words = line.split()
        if len(words) >= 2:
            out[words[0]] = KINDS.get(words[1], words[1])
    return out


def run_one(path: Path, model: str | None, timeout: int, kind: str = "") -> tuple[str, ...]:
    """(status, detail) of one test: agree, DIFFER, refused, partial, timeout, no-herd,
    both-fail. With `kind` (herd's verdict from a kinds.txt) only the verdict is compared.
    Where the states agree and herd printed its counts, a third item says whether the
    `Positive: p Negative: n` line and the `Observation` line's counts are herd's too
    (COUNTED, MISCOUNTED; the detail then shows both)."""
    expected = path.with_name(path.name + ".expected")
    if not kind and not expected.exists():  # only herd's `.expected-failure`
        return _run_failing(path, model, timeout)
    herd = read_output(expected.read_text()) if not kind else None
    if herd is not None and not herd.states:
        return "no-herd", "herd7's .expected has no states"
    result = _run(path, model, timeout)
    if isinstance(result, str):
        return ("refused", result) if result else ("timeout", f"more than {timeout} s")
    ours = read_output(format_herd(result, extras=False))
    if result.partial:
        return "partial", result.partial
    if herd is None:
        if result.verdict == kind:
            return "agree", ""
        return "DIFFER", f"herd {kind}, ours {result.verdict}: {show(ours.states)}"
    warnings = herd.flags - MODELLED_FLAGS  # herd's notes on the cat's assumptions
    if (ours.states == herd.states and ours.verdict == (herd.verdict or ours.verdict)
            and ours.flags == herd.flags & MODELLED_FLAGS):
        notes = "".join(f"(herd's Flag {f}, a note fencelab does not print)"
                        for f in sorted(warnings))  # fmt: skip
        if herd.witnesses is None or herd.observation is None:
            return "agree", notes
        if (ours.witnesses, ours.observation) == (herd.witnesses, herd.observation):
            return "agree", notes, COUNTED
        return "agree", (f"{notes} counts differ: herd {herd.counts()}; ours "
                         f"{ours.counts()}").strip(), MISCOUNTED  # fmt: skip
    if herd.condition and ours.condition != herd.condition:  # herd ran another version
        return "stale", f"herd's {herd.condition} is not the test's {ours.condition}"
    return "DIFFER", (f"herd {herd.verdict}{_flags(herd)}: {show(herd.states)}\n"
                      f"      ours {ours.verdict}{_flags(ours)}: {show(ours.states)}")  # fmt: skip


def _run_failing(path: Path, model: str | None, timeout: int) -> tuple[str, str]:
    """A test herd7 stops on: fencelab should refuse it too."""
    failure = path.with_name(path.name + ".expected-failure").read_text()
    herd = " ".join(re.sub(r'^Warning: File "[^"]*"(, line \d+, characters \d+-\d+)?: ', "",
                           failure.strip()).split())  # fmt: skip
    result = _run(path, model, timeout)
    if isinstance(result, str):
        if not result:
            return "timeout", f"more than {timeout} s"
        return "both-fail", f"herd: {herd}\n      ours: {result}"
    ours = read_output(format_herd(result, extras=False))
    return "DIFFER", f"herd: {herd}\n      ours {ours.verdict}: {show(ours.states)}"


def _run(path: Path, model: str | None, timeout: int):
    """The test's result under `model`, fencelab's refusal (its first line), or "" when it
    ran out of `timeout` seconds."""
    signal.alarm(timeout)
    try:
        test = read_test(str(path))
        (options,), _ = plan(test, RunOptions.named(model=model))
        return run_test(test, options)
    except FencelabError as e:
        return str(e).splitlines()[0]
    except Timeout:
        return ""
    finally:
        signal.alarm(0)


COUNTED, MISCOUNTED = "counts-agree", "counts-differ"

# herd's flags fencelab gives: a data race (rc11's `*undef*`). aarch32.cat also flags its own
# assumptions (`Assuming-common-inner-shareable-domain`, `Shareability-argument-for-DMB-is-
# deprecated` on a DMB ISH), which change no outcome; those are not compared.
MODELLED_FLAGS = frozenset({"*undef*"})


def _flags(out: Herd) -> str:
    return "".join(f" Flag {f}" for f in sorted(out.flags))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dirs", nargs="+", help="directories, each DIR or DIR@MODEL")
    parser.add_argument("--model", help="model for every test (default: its architecture's)")
    parser.add_argument("--timeout", type=int, default=60, help="seconds a test (default 60)")
    parser.add_argument("--quiet", action="store_true", help="print only what does not agree")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGALRM, _alarm)
    per_dir: dict[str, Counter] = {}
    reasons: Counter = Counter()
    started = time.process_time()
    for spec in args.dirs:
        name, _, model = spec.partition("@")
        directory, model = Path(name), model or args.model
        counts = per_dir.setdefault(spec, Counter())
        kinds = read_kinds((directory / "kinds.txt").read_text()) if (
            directory / "kinds.txt").exists() else {}  # fmt: skip
        tests = sorted(p for p in directory.glob("*.litmus")
                       if p.with_name(p.name + ".expected").exists() or p.stem in kinds
                       or p.with_name(p.name + ".expected-failure").exists())  # fmt: skip
        for path in tests:
            kind = "" if path.stem not in kinds or path.with_name(
                path.name + ".expected").exists() else kinds[path.stem]  # fmt: skip
            status, detail, *counted = run_one(path, model, args.timeout, kind)
            counts[status] += 1
            counts.update(counted)
            if status == "refused":
                reasons[reason(detail)] += 1
            if status != "agree" or counted == [MISCOUNTED] or not args.quiet:
                print(f"{path.name[:-7]:<12} {status:<8} {detail}".rstrip(), flush=True)
    print()
    print(f"{'directory':<40} {'tests':>5} " + " ".join(f"{s:>7}" for s in STATUSES)
          + f" {COUNTED:>13} {MISCOUNTED:>13}")  # fmt: skip
    for directory, counts in per_dir.items():
        print(f"{directory:<40} {sum(counts[s] for s in STATUSES):>5} "
              + " ".join(f"{counts[s]:>7}" for s in STATUSES)
              + f" {counts[COUNTED]:>13} {counts[MISCOUNTED]:>13}")  # fmt: skip
    if reasons:
        print("\nrefusals by reason:")
        for text, n in reasons.most_common():
            print(f"{n:>4}  {text}")
    print(f"\n{time.process_time() - started:.1f} s CPU"
          + (f", model {args.model}" if args.model else ""))  # fmt: skip
    return 1 if any(c["DIFFER"] for c in per_dir.values()) else 0


STATUSES = ("agree", "DIFFER", "stale", "refused", "partial", "timeout", "no-herd", "both-fail")

if __name__ == "__main__":
    sys.exit(main())
