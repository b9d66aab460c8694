"""Same parse, same verdicts: dump what fencelab makes of C tests, to compare two trees.

    PYTHONHASHSEED=0 PYTHONPATH=OLD .venv/bin/python bench/c_equivalence.py --dump old.pickle
    PYTHONHASHSEED=0 PYTHONPATH=NEW .venv/bin/python bench/c_equivalence.py --dump new.pickle
    .venv/bin/python bench/c_equivalence.py --compare old.pickle new.pickle

For every input it records the parsed test (`repr`: the whole AST, positions included) or the
one-line error (file:line:col and message), and for the valid C tests the verdict (final
states with their witnesses, states explored) under rc11 (`--models rc11,c11,sc-source`: each). The inputs:
- every `.litmus` file under examples/ and tests/data (all architectures: the file reader is
  shared), and every C test among them run under rc11;
- generated C tests: `--diy` diy7-style cycles (fencelab/gen/cycles.py, seeds 0.. as
  bench/speed.py's `diy` set) and `--families` random loop-free tests (fencelab/gen/families.py),
  each parsed and run under rc11;
- `--expressions` tests whose thread computes random expressions (every binary and unary
  operator, parentheses, loads): operator precedence and associativity (parsed only);
- `--mutants` mutants of each C test (a token of a thread body deleted, doubled, replaced by
  one of `POOL`, or two swapped; fixed seed): mostly syntax errors, whose messages and
  positions must not move either.
`PYTHONHASHSEED=0` keeps the order of sets (and so the `repr`s) the same in both runs.
"""

from __future__ import annotations

import argparse
import pickle
import random
import re
import sys
from pathlib import Path

from fencelab.errors import FencelabError
from fencelab.gen import cycles
from fencelab.gen.families import generate_many
from fencelab.litmus.parser import parse_text
from fencelab.pipeline import Pipeline, RunOptions

ROOT = Path(__file__).resolve().parent.parent
POOL = ["(", ")", "{", "}", ";", ",", "*", "&", "+", "-", "==", "=", "!", "~", "<<", "||", "&&",
        "[", "]", "0", "1", "r0", "x", "int", "int*", "if", "else", "while", "(int*)", "/*", "//",
        "memory_order_relaxed", "atomic_load_explicit", "99999999999999999999999", "0x", "v[1]",
        "&r0", "*x", "(x)", "1+", "<", "%", "/", "^", "|", ">>", "!="]  # fmt: skip
TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|0[xX][0-9a-fA-F]+|[0-9]+|<<|>>|==|!=|<=|>=|&&|\|\||\S")


def parsed(text: str, name: str):
    try:
        test = parse_text(text, name)
    except FencelabError as e:
        return None, f"error: {e}"
    return test, repr(test)


def verdict(test, model: str = "rc11") -> str:
    try:
        result = Pipeline().run(test, RunOptions.named(model=model))
    except FencelabError as e:
        return f"error: {e}"
    states = sorted(repr(s) for s in result.states)
    flags = f" flags {result.flags} race {result.race}" if result.flags or result.race else ""
    return f"{result.explored_states} {states}{flags}"


BINARY = ["||", "&&", "|", "^", "&", "==", "!=", "<", "<=", ">", ">=", "<<", ">>", "+", "-", "*",
          "/", "%"]  # fmt: skip
ATOMS = ["r0", "r1", "1", "2", "0x10", "*x", "atomic_load_explicit(x, memory_order_acquire)"]


def expression(rng: random.Random, depth: int = 0) -> str:
    if depth > 2 or rng.random() < 0.3:
        atom = rng.choice(ATOMS)
        return rng.choice(["-", "!", "~", ""]) + atom if rng.random() < 0.3 else atom
    if rng.random() < 0.2:
        return f"({expression(rng, depth + 1)})"
    parts = [expression(rng, depth + 1)]
    for _ in range(rng.randrange(1, 4)):
        parts += [rng.choice(BINARY), expression(rng, depth + 1)]
    return " ".join(parts)


def expression_test(rng: random.Random, k: int) -> str:
    body = "\n".join(f"  int r{i + 2} = {expression(rng)};" for i in range(4))
    return (f"C expr{k}\n{{ x = 1; }}\nP0 (atomic_int* x) {{\n  int r0 = *x;\n  int r1 = 2;\n"
            f"{body}\n  if (({expression(rng)}) && r1) {{ *x = {expression(rng)}; }}\n}}\n"
            "exists (x = 1)\n")


def mutants(text: str, rng: random.Random, count: int) -> list[str]:
    start = text.find("P0")
    end = text.rfind("}")
    spans = [m.span() for m in TOKEN.finditer(text, start, end + 1)] if start >= 0 else []
    out = []
    for _ in range(count if spans else 0):
        i = rng.randrange(len(spans))
        a, b = spans[i]
        how = rng.randrange(4)
        if how == 0:  # delete
            out.append(text[:a] + text[b:])
        elif how == 1:  # double
            out.append(text[:b] + " " + text[a:b] + text[b:])
        elif how == 2:  # replace
            out.append(text[:a] + rng.choice(POOL) + text[b:])
        elif i + 1 < len(spans):  # swap with the next token
            c, d = spans[i + 1]
            out.append(text[:a] + text[c:d] + text[b:c] + text[a:b] + text[d:])
    return out


def dump(args) -> dict[str, str]:
    out: dict[str, str] = {}
    c_texts: list[tuple[str, str]] = []
    for path in sorted([*ROOT.glob("examples/**/*.litmus"), *ROOT.glob("tests/data/**/*.litmus")]):
        name = str(path.relative_to(ROOT))
        text = path.read_text(errors="replace")
        test, out[name] = parsed(text, name)
        if test is not None and test.arch == "C":
            c_texts.append((name, text))
            for model in args.models:
                out[f"{name} {model}"] = verdict(test, model)
    generated = [(f"<diy {i}>", t) for i, t in enumerate(cycles.generate_many("C", args.diy))]
    generated += [(f"<families {i}>", t)
                  for i, t in enumerate(generate_many("C", args.families))]  # fmt: skip
    for name, text in generated:
        test, out[name] = parsed(text, name)
        if test is not None:
            for model in args.models:
                out[f"{name} {model}"] = verdict(test, model)
            c_texts.append((name, text))
    rng = random.Random(17)
    for k in range(args.expressions):
        name = f"<expression {k}>"
        text = expression_test(rng, k)
        test, out[name] = parsed(text, name)
        if test is None:
            print(f"{name}: {out[name]}", file=sys.stderr)
        else:  # not judged: value domains of many loads in one expression grow exponentially
            c_texts.append((name, text))
    for name, text in c_texts:
        for k, mutant in enumerate(mutants(text, rng, args.mutants)):
            out[f"{name} mutant {k}"] = parsed(mutant, f"{name}~{k}")[1]
    return out


def compare(old_path: str, new_path: str) -> int:
    with open(old_path, "rb") as f:
        old = pickle.load(f)
    with open(new_path, "rb") as f:
        new = pickle.load(f)
    differ = [k for k in old.keys() | new.keys() if old.get(k) != new.get(k)]
    for k in sorted(differ)[:20]:
        print(f"{k}:\n  old: {old.get(k)}\n  new: {new.get(k)}")
    errors = sum(v.startswith("error") for v in new.values())
    print(f"{len(new)} results ({errors} errors), {len(differ)} differ")
    return 1 if differ else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dump", metavar="FILE")
    ap.add_argument("--compare", nargs=2, metavar=("OLD", "NEW"))
    ap.add_argument("--diy", type=int, default=200)
    ap.add_argument("--families", type=int, default=100)
    ap.add_argument("--expressions", type=int, default=300)
    ap.add_argument("--mutants", type=int, default=30)
    ap.add_argument("--models", default="rc11", help="the source models the C tests are judged "
                    "under (comma-separated: rc11, c11, sc-source)")
    args = ap.parse_args(argv)
    args.models = [m for m in args.models.split(",") if m]
    if args.compare:
        return compare(*args.compare)
    if not args.dump:
        ap.error("--dump FILE or --compare OLD NEW")
    out = dump(args)
    with open(args.dump, "wb") as f:
        pickle.dump(out, f)
    print(f"{len(out)} results written to {args.dump}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
