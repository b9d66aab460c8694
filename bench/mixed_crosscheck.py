"""Offline cross-check of the operational `arm` model against `arm-axiomatic` on random
mixed-size AArch64 tests (tests/models/test_arm_mixed.py runs hand-written shapes).

    .venv/bin/python bench/mixed_crosscheck.py [--seed 0] [--count 100] [--no-reduce]
                                               [--timeout 20] [--arrays]

Each test has 2-3 threads and one or two `uint16_t`/`uint32_t` locations; a thread makes 1-3
accesses of a byte, half-word or word at an aligned offset (stores, loads, STLR/LDAR/LDAPR,
LDXR/STXR pairs, SWP/LDADD), with DMBs and address dependencies between them, and some
locations start with bytes other than zero. With `--arrays`, a location may also be an array
(`uint8_t x[4]`, `uint16_t x[2]`, `uint32_t x[2]`), its accesses spanning elements, and an
8-byte one is also accessed by LDP/STP of two W registers (the seeds then give other tests).
Tests the checker takes longer than `--timeout` seconds on (or refuses) are skipped and
counted. `--no-reduce` also runs `arm` with every reduction off. Prints each difference;
exits 1 if any.
"""

from __future__ import annotations

import argparse
import random
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fencelab.errors import FencelabError  # noqa: E402
from fencelab.litmus.parser import parse_text  # noqa: E402
from fencelab.litmus.printer import format_state  # noqa: E402
from fencelab.machine.explore import exhaustive  # noqa: E402
from fencelab.machine.machine import Machine  # noqa: E402
from fencelab.models.axiomatic.arm import run_axiomatic  # noqa: E402
from fencelab.models.registry import get_model  # noqa: E402
from fencelab.program.load import load  # noqa: E402

SUFFIX = {1: ("B", "W"), 2: ("H", "W"), 4: ("", "W"), 8: ("", "X")}


def _row_table(init: list[str], threads: list[list[str]], names: list[str],
               shapes: list) -> str:  # fmt: skip
    height = max(len(t) for t in threads)
    head = " | ".join(f"P{i:<23}" for i in range(len(threads)))
    rows = [" " + " | ".join(f"{(t[i] if i < len(t) else ''):<24}" for t in threads) + " ;"
            for i in range(height)]  # fmt: skip
    cond = "exists (" + " /\\ ".join(
        f"{n}=0" if shape is None else f"{n}={{{','.join('0' * shape[1])}}}"
        for n, shape in zip(names, shapes, strict=True)) + ")"
    return "\n".join(["AArch64 G", "{", " ".join(init), "}", f" {head} ;", *rows, cond]) + "\n"


# arrays (--arrays): (element bytes, elements)
ARRAYS = [(1, 4), (2, 2), (4, 2)]


def generate(rng: random.Random, arrays: bool = False) -> str:
    """One random mixed-size test (`arrays`: with arrays and LDP/STP too)."""
    names = ["x", "y"][: rng.choice([1, 1, 2])]
    sizes = [rng.choice([2, 2, 4]) for _ in names]
    init = []
    shapes = [rng.choice(ARRAYS) if arrays and rng.random() < 0.6 else None for _ in names]
    for i, (name, size) in enumerate(zip(names, sizes, strict=True)):
        if shapes[i] is not None:
            width, count = shapes[i]
            sizes[i] = width * count
            values = [rng.choice([0, 0, 1]) for _ in range(count)]
            init.append(f"uint{8 * width}_t {name}[{count}]" + (
                "={" + ",".join(map(str, values)) + "};" if any(values) else ";"))
            continue
        value = rng.choice([0, 0, 0, 0x01010101 & ((1 << (8 * size)) - 1)])
        init.append(f"uint{8 * size}_t {name}" + (f"={value};" if value else ";"))
    threads, value = [], 1
    for tid in range(rng.choice([2, 2, 3])):
        init.extend(f"{tid}:X{10 + i}={name};" for i, name in enumerate(names))
        rows, reg, last_read = [], 0, None
        for k in range(rng.choice([1, 2, 2, 3])):
            li = rng.randrange(len(names))
            size = rng.choice([s for s in (1, 2, 4, 8) if s <= sizes[li]])
            off = rng.randrange(sizes[li] // size) * size
            suf, r = SUFFIX[size]
            addr = f"[X{10 + li},#{off}]" if off else f"[X{10 + li}]"
            plain = not off  # acquire/release and exclusives take no offset
            if k and rng.random() < 0.25:
                rows.append(rng.choice(["DMB SY", "DMB LD", "DMB ST"]))
            elif k and last_read is not None and rng.random() < 0.15:
                rows.append(f"EOR X9,X{last_read},X{last_read}")
                if off:
                    rows.append(f"ADD X9,X9,#{off}")
                addr, plain = f"[X{10 + li},X9]", False
            kind = rng.random()
            if sizes[li] == 8 and plain and rng.random() < 0.3:  # LDP/STP of two W registers
                if kind < 0.5:
                    rows += [f"MOV W{reg},#{value}", f"MOV W{reg + 1},#{value + 1}",
                             f"STP W{reg},W{reg + 1},{addr}"]  # fmt: skip
                    value += 2
                else:
                    rows.append(f"LDP W{reg},W{reg + 1},{addr}")
                    last_read = reg
                reg += 2
                continue
            if kind < 0.45:
                v = value | (value << 8) if size > 1 and rng.random() < 0.5 else value
                value += 1
                op = rng.choice(["STR", "STR", "STR", "STLR"]) if plain else "STR"
                rows += [f"MOV {r}{reg},#{v}", f"{op}{suf} {r}{reg},{addr}"]
                reg += 1
                continue
            if kind < 0.9:
                op = rng.choice(["LDR", "LDR", "LDR", "LDAR", "LDAPR"]) if plain else "LDR"
                rows.append(f"{op}{suf} {r}{reg},{addr}")
                last_read, reg = reg, reg + 1
                continue
            if not plain:
                rows.append(f"ADD X8,X{10 + li},#{off}")
                addr = "[X8]"
            if rng.random() < 0.5:
                op = rng.choice(["SWP", "SWPAL", "LDADD", "SWPA", "SWPL"])
                rows += [f"MOV {r}{reg},#{value}", f"{op}{suf} {r}{reg},{r}{reg + 1},{addr}"]
                last_read, reg, value = reg + 1, reg + 2, value + 1
            else:
                rows += [f"LDXR{suf} {r}{reg},{addr}", f"MOV {r}{reg + 1},#{value}",
                         f"STXR{suf} W{reg + 2},{r}{reg + 1},{addr}"]  # fmt: skip
                last_read, reg, value = reg, reg + 3, value + 1
        threads.append(rows)
    return _row_table(init, threads, names, shapes)


def outcomes(text: str, model: str, reduce: bool = True) -> set[str]:
    program = load(parse_text(text))
    try:
        if model == "arm-axiomatic":
            result = run_axiomatic(program)
        else:
            result = exhaustive(Machine(program, get_model(model).new()), reduce=reduce)
    finally:
        program.release()
    return {format_state(s.outcome) for s in result.states}


class Timeout(Exception):
    pass


def _alarm(*_):
    raise Timeout


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--count", type=int, default=100)
    ap.add_argument("--no-reduce", action="store_true")
    ap.add_argument("--timeout", type=int, default=20)
    ap.add_argument("--arrays", action="store_true")
    args = ap.parse_args()
    signal.signal(signal.SIGALRM, _alarm)
    compared = skipped = differ = several = with_arrays = with_pairs = 0
    started = time.process_time()
    for seed in range(args.seed, args.seed + args.count):
        text = generate(random.Random(seed), args.arrays)
        signal.alarm(args.timeout)
        try:
            axiomatic = outcomes(text, "arm-axiomatic")
        except (Timeout, FencelabError):
            skipped += 1
            continue
        finally:
            signal.alarm(0)
        got = {"arm": outcomes(text, "arm")}
        if args.no_reduce:
            got["arm, no reductions"] = outcomes(text, "arm", reduce=False)
        compared += 1
        several += len(axiomatic) > 1
        with_arrays += "[" in text.split("}", 1)[0]
        with_pairs += "LDP " in text or "STP " in text
        for name, found in got.items():
            if found != axiomatic:
                differ += 1
                print(f"seed {seed}: {name} differs: only {name}: {sorted(found - axiomatic)}; "
                      f"only arm-axiomatic: {sorted(axiomatic - found)}\n{text}")  # fmt: skip
    shapes = f", {with_arrays} with arrays, {with_pairs} with LDP/STP" if args.arrays else ""
    print(f"{compared} compared ({several} with several outcomes{shapes}), {skipped} skipped, "
          f"{differ} differ; {time.process_time() - started:.1f} s CPU")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
