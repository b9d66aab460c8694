"""The `source-rmw-chains` reduction (fencelab/models/source/paths.py, `_Chains`): at a location
only read-modify-writes write, a thread's RMW reads only what a chain of RMWs can write before
it. The outcomes are the same with it and without it (tests/test_reduce.py compares the
examples and generated tests too), the same as every interleaving of the RMWs gives (which is
what RC11 and C11 allow when the location has nothing but RMWs: each reads the one before it
in mo), and with it the tests of long chains that took minutes or were refused run at once.
"""

from __future__ import annotations

import random
import time

import pytest
from click.testing import CliRunner

from fencelab import reduce
from fencelab.cli import main
from fencelab.litmus.ast import LocObs, RegObs
from fencelab.litmus.parser import parse_text
from fencelab.pipeline import Pipeline, RunOptions

# 3 threads of 3, 3 and 2 relaxed fetch_add(x,1): 3 min 40 s under c11 without the reduction
# (14,450 paths a thread, 140,172 choices of paths for 560 candidates)
R4 = """C R4
{ [x] = 0; }
P0 (atomic_int* x) { int r0 = atomic_fetch_add_explicit(x, 1, memory_order_relaxed); int r1 = atomic_fetch_add_explicit(x, 1, memory_order_relaxed); int r2 = atomic_fetch_add_explicit(x, 1, memory_order_relaxed); }
P1 (atomic_int* x) { int r0 = atomic_fetch_add_explicit(x, 1, memory_order_relaxed); int r1 = atomic_fetch_add_explicit(x, 1, memory_order_relaxed); int r2 = atomic_fetch_add_explicit(x, 1, memory_order_relaxed);}
P2 (atomic_int* x) { int r0 = atomic_fetch_add_explicit(x, 1, memory_order_relaxed); int r1 = atomic_fetch_add_explicit(x, 1, memory_order_relaxed); }
exists (0:r0=0)
"""  # noqa: E501

# fetch_adds of 1, 2, 4 / 8, 16 and an exchange: without the reduction, "more than 48
# distinct values can be stored to x"
R3 = """C R3
{ [x] = 0; }
P0 (atomic_int* x) { int r0 = atomic_fetch_add_explicit(x, 1, memory_order_relaxed); int r1 = atomic_fetch_add_explicit(x, 2, memory_order_relaxed); int r2 = atomic_fetch_add_explicit(x, 4, memory_order_relaxed); }
P1 (atomic_int* x) { int r0 = atomic_fetch_add_explicit(x, 8, memory_order_relaxed); int r1 = atomic_fetch_add_explicit(x, 16, memory_order_relaxed); }
P2 (atomic_int* x) { int r0 = atomic_exchange_explicit(x, 3, memory_order_relaxed); }
exists (0:r0=0)
"""  # noqa: E501

_OPS = {  # a Rust RMW: its spelling and the value it writes from the old one
    "fetch_add": lambda old, k: old + k,
    "fetch_sub": lambda old, k: old - k,
    "fetch_and": lambda old, k: old & k,
    "fetch_or": lambda old, k: old | k,
    "fetch_xor": lambda old, k: old ^ k,
    "fetch_max": max,
    "fetch_min": min,
    "swap": lambda old, k: k,
}


def _chain_test(rng: random.Random, name: str, most: int) -> tuple[str, list]:
    """A Rust test of 2 or 3 threads whose only accesses are relaxed RMWs of x (at most `most`
    of them; compare_exchange among them), its condition naming every register and x, and
    its threads' operations: (op, operand) or ("cas", expected, desired)."""
    threads = []
    total = rng.randint(2, most)
    count = rng.randint(2, min(3, total))
    sizes = [1] * count
    for _ in range(total - count):
        k = rng.randrange(count)
        if sizes[k] < 3:
            sizes[k] += 1
    for size in sizes:
        ops = []
        for _ in range(size):
            if rng.random() < 0.2:
                ops.append(("cas", rng.randint(0, 4), rng.randint(0, 7)))
            else:
                ops.append((rng.choice(sorted(_OPS)), rng.randint(-2, 7)))
        threads.append(ops)
    lines = [f"RUST {name}", "{ AtomicI32 x = 0; }"]
    atoms = []
    for tid, ops in enumerate(threads):
        lines.append(f"P{tid} {{")
        for i, op in enumerate(ops):
            if op[0] == "cas":
                call = f"x.compare_exchange({op[1]}, {op[2]}, Relaxed, Relaxed).is_ok()"
            else:
                call = f"x.{op[0]}({op[1]}, Relaxed)"
            lines.append(f"  let r{i} = {call};")
            atoms.append(f"{tid}:r{i}={rng.randint(0, 6)}")
        lines.append("}")
    atoms.append(f"x={rng.randint(0, 9)}")
    lines.append("exists (" + " /\\ ".join(atoms) + ")")
    return "\n".join(lines) + "\n", threads


def _interleavings(threads: list) -> set:
    """Every outcome of the RMWs run one at a time in some order that keeps each thread's:
    registers by (thread, name), and x."""
    found = set()

    def run(at: tuple, x: int, regs: dict) -> None:
        if all(i == len(ops) for i, ops in zip(at, threads)):
            found.add((frozenset(regs.items()), x))
            return
        for tid, ops in enumerate(threads):
            i = at[tid]
            if i == len(ops):
                continue
            op = ops[i]
            if op[0] == "cas":
                value, new = int(x == op[1]), op[2] if x == op[1] else x
            else:
                value, new = x, _OPS[op[0]](x, op[1])
            run((*at[:tid], i + 1, *at[tid + 1:]), new, {**regs, (tid, f"r{i}"): value})

    run((0,) * len(threads), 0, {})
    return found


def _outcomes(test, model: str, off=()) -> set:
    reduce.set_disabled(off)
    try:
        result = Pipeline().run(test, RunOptions.named(model=model))
    finally:
        reduce.enable_all()
    found = set()
    for state in result.states:
        regs = {(o.tid, o.reg): v for o, v in state.outcome if isinstance(o, RegObs)}
        x = next((v for o, v in state.outcome if isinstance(o, LocObs)), None)
        found.add((frozenset(regs.items()), x))
    return found


@pytest.mark.parametrize("model", ["rc11", "c11"])
def test_rmw_chains_give_every_interleaving(model):
    """60 random tests of relaxed RMWs of one location (2 to 7 of them, every kind, CAS that
    succeed and fail): the outcomes are exactly the interleavings'; the 33 of at most 4 RMWs
    give the same without the reduction (with 5, one takes 90 s without it under rc11, and
    is refused under c11: more than 48 values)."""
    rng = random.Random(2026)
    compared = 0
    for i in range(60):
        text, threads = _chain_test(rng, f"CHAIN{i}", 7 if i % 2 else 5)
        test = parse_text(text, f"chain{i}.litmus")
        expected = _interleavings(threads)
        assert _outcomes(test, model) == expected, text
        if sum(map(len, threads)) <= 4:
            assert _outcomes(test, model, ["source-rmw-chains"]) == expected, text
            compared += 1
    assert compared >= 30


@pytest.mark.parametrize("off", [["source-own-reads"], ["source-paths-tree"],
                                 ["source-paths-reuse"], ["source-own-reads", "source-paths-tree"]])
def test_same_outcomes_with_other_source_reductions_off(off):
    """The reduction keeps every outcome whichever other reduction of the paths is off too
    (without `source-own-reads`, its own latest write is offered to a thread's next RMW
    before the domains hold it, or a thread of two RMWs would have no path in the first
    round: an RMW, then an exchange, of one location)."""
    rng = random.Random(7)
    texts = [_chain_test(rng, f"CHAIN{i}", 5)[0] for i in range(12)]
    texts.append("C two\n{ atomic_int y=0; }\nP0 (atomic_int* y) {\n"
                 "  int r0 = atomic_fetch_add_explicit(y, 1, memory_order_acq_rel);\n"
                 "  int r1 = atomic_exchange_explicit(y, 2, memory_order_relaxed);\n}\n"
                 "exists (0:r0=0 /\\ 0:r1=1 /\\ [y]=2)\n")  # fmt: skip
    for i, text in enumerate(texts):
        test = parse_text(text, f"t{i}.litmus")
        for model in ("rc11", "c11"):
            with_it = _outcomes(test, model, off)
            assert with_it, text
            assert with_it == _outcomes(test, model, [*off, "source-rmw-chains"]), text


def test_long_chains_run_at_once(tmp_path):
    """R4 (3 min 40 s without the reduction) and R3 (refused without it) under c11, as the
    command prints them: every interleaving's outcome, herd's counts of executions."""
    (tmp_path / "r4.litmus").write_text(R4)
    (tmp_path / "r3.litmus").write_text(R3)
    runner = CliRunner()
    started = time.perf_counter()
    out = runner.invoke(main, ["run", str(tmp_path / "r4.litmus"), "-m", "c11"])
    assert out.exit_code == 0, out.output
    assert "States 6\n0:r0=0;\n0:r0=1;\n0:r0=2;\n0:r0=3;\n0:r0=4;\n0:r0=5;\nOk\n" in out.output
    assert "Positive: 210 Negative: 350" in out.output  # 8!/(3!3!2!) = 560 interleavings
    assert "Checked 560 candidate executions" in out.output
    out = runner.invoke(main, ["run", str(tmp_path / "r3.litmus"), "-m", "rc11"])
    assert out.exit_code == 0, out.output
    assert ("States 7\n0:r0=0;\n0:r0=11;\n0:r0=19;\n0:r0=24;\n0:r0=27;\n0:r0=3;\n0:r0=8;\n"
            in out.output)  # fmt: skip
    assert "Checked 60 candidate executions" in out.output
    assert time.perf_counter() - started < 20  # (well under a second each, here)
    out = runner.invoke(main, ["run", str(tmp_path / "r3.litmus"), "-m", "c11",
                               "--no-reduce", "source-rmw-chains"])  # fmt: skip
    assert out.exit_code == 2
    assert "more than 48 distinct values can be stored to x" in out.output


def test_a_store_anywhere_turns_it_off():
    """A location some statement stores to is no chain (an RMW may read the store's value
    without the chain before it), nor is any once a thread stores through a pointer: the
    RMW still reads the store's value."""
    from fencelab.models.source.paths import chain_locations

    text = ("C s\n{ atomic_int x=0; atomic_int y=0; }\nP0 (atomic_int* x, atomic_int* y) {\n"
            "  int r0 = atomic_fetch_add_explicit(x, 1, memory_order_relaxed);\n"
            "  atomic_store_explicit(y, 5, memory_order_relaxed);\n}\n"
            "P1 (atomic_int* x, atomic_int* y) {\n"
            "  int r0 = atomic_fetch_add_explicit(y, 1, memory_order_relaxed);\n}\n"
            "exists (1:r0=5)\n")  # fmt: skip
    test = parse_text(text, "s.litmus")
    assert chain_locations(test) == {"x"}
    assert {dict(regs)[(1, "r0")] for regs, _ in _outcomes(test, "rc11")} == {0, 5}
    text = ("C ptr\n{ int* p = x; int x = 0; }\n"
            "P0 (atomic_int* x) { int r0 = atomic_fetch_add_explicit(x, 1, memory_order_relaxed); }\n"
            "P1 (int** p) { int *r0 = *p; *r0 = 2; }\n"
            "exists (0:r0=2)\n")  # fmt: skip
    test = parse_text(text, "ptr.litmus")
    assert chain_locations(test) == frozenset()
    assert {dict(regs)[(0, "r0")] for regs, _ in _outcomes(test, "rc11")} == {0, 2}
