"""Compare fencelab's lowering table with what clang 14 and GCC 12 really emit.

For every (op, ordering, failure ordering, width) of a target, generate a C function using the
`__atomic_*` builtins, compile all of them in one file per (target, compiler), cut the assembly
into functions and compare each instruction sequence with the table's, modulo register names,
register moves (and zero-extensions), unconditional branches, returns and stack traffic.
Conditional branches stay (as `<branch>`), so loop structure and barrier placement count.

    /work/venv/bin/python bench/compare_compilers.py [--target T ...] [--show-mismatches N]

Exit status 1 when the default scheme disagrees with clang anywhere.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from fencelab.atomics import Op, Order
from fencelab.isa.registry import get_target
from fencelab.lowering import combinations, get_scheme, lookup

C_TYPE = {8: "uint8_t", 16: "uint16_t", 32: "uint32_t", 64: "uint64_t"}
C_ORDER = {o: "__ATOMIC_" + o.c.removeprefix("memory_order_").upper() for o in Order}
C_FETCH = {Op.FETCH_ADD: "add", Op.FETCH_SUB: "sub", Op.FETCH_AND: "and", Op.FETCH_OR: "or",
           Op.FETCH_XOR: "xor"}  # fmt: skip
A64 = "--target=aarch64-linux-gnu -O2 -S -mno-outline-atomics -march={march}"
A64GCC = "aarch64-linux-gnu-gcc -O2 -S -w -mno-outline-atomics -march={march}"
COMPILERS: dict[str, dict[str, str]] = {
    "x86_64": {"clang": "clang --target=x86_64-linux-gnu -O2 -S",
               "gcc": "gcc -O2 -S -w"},
    "armv7": {"clang": "clang --target=armv7a-linux-gnueabihf -marm -O2 -S",
              "gcc": "arm-linux-gnueabihf-gcc -O2 -S -w -marm -march=armv7-a -mfpu=vfpv3-d16"},
    "armv8": {"clang": "clang " + A64.format(march="armv8-a"),
              "gcc": A64GCC.format(march="armv8-a")},
    "armv8.1": {"clang": "clang " + A64.format(march="armv8.1-a"),
                "gcc": A64GCC.format(march="armv8.1-a")},
    "armv8.3": {"clang": "clang " + A64.format(march="armv8.3-a"),
                "gcc": A64GCC.format(march="armv8.3-a")},
}  # fmt: skip
FAMILY = {"x86_64": "x86", "armv7": "a32", "armv8": "a64", "armv8.1": "a64", "armv8.3": "a64"}


@dataclass(frozen=True)
class Case:
    op: Op
    order: Order
    failure: Order | None
    width: int | None

    @property
    def name(self) -> str:
        parts = ["f", self.op.value, self.order.value]
        if self.failure is not None:
            parts.append(self.failure.value)
        if self.width is not None:
            parts.append(str(self.width))
        return "_".join(parts).lower()

    def label(self) -> str:
        text = f"{self.op} {self.order}"
        if self.failure is not None:
            text += f"/{self.failure}"
        return text + (f" {self.width}" if self.width else "")


def c_function(case: Case, returns_ok: bool) -> str:
    """One C function performing `case` with the GNU builtins."""
    o = C_ORDER[case.order]
    if case.op is Op.FENCE:
        return f"void {case.name}(void) {{ __atomic_thread_fence({o}); }}"
    t = C_TYPE[case.width]
    if case.op is Op.LOAD:
        return f"{t} {case.name}({t} *p) {{ return __atomic_load_n(p, {o}); }}"
    if case.op is Op.STORE:
        return f"void {case.name}({t} *p, {t} v) {{ __atomic_store_n(p, v, {o}); }}"
    if case.op is Op.SWAP:
        return f"{t} {case.name}({t} *p, {t} v) {{ return __atomic_exchange_n(p, v, {o}); }}"
    if case.op.is_fetch:
        fn = C_FETCH[case.op]
        return f"{t} {case.name}({t} *p, {t} v) {{ return __atomic_fetch_{fn}(p, v, {o}); }}"
    weak = int(case.op is Op.CAS_WEAK)
    f = C_ORDER[case.failure]
    call = f"__atomic_compare_exchange_n(p, &e, n, {weak}, {o}, {f})"
    if returns_ok:  # a weak LL/SC CAS: what matters is whether it stored
        return f"_Bool {case.name}({t} *p, {t} e, {t} n) {{ return {call}; }}"
    return f"{t} {case.name}({t} *p, {t} e, {t} n) {{ {call}; return e; }}"


def compile_functions(target: str, compiler: str, cases: list[Case],
                      ok_cases: set[Case]) -> dict[str, list[str]]:  # fmt: skip
    """Compile every case's function; return the assembly lines of each, by function name."""
    source = "#include <stdint.h>\n" + "\n".join(c_function(c, c in ok_cases) for c in cases)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "atomics.c"
        src.write_text(source + "\n")
        out = Path(tmp) / "atomics.s"
        cmd = COMPILERS[target][compiler].split() + [str(src), "-o", str(out)]
        subprocess.run(cmd, check=True, capture_output=True, text=True)
        text = out.read_text()
    names = {c.name for c in cases}
    functions: dict[str, list[str]] = {}
    current: list[str] | None = None
    for raw in text.splitlines():
        label = re.match(r"^([A-Za-z_]\w*):", raw)
        if label and label.group(1) in names:
            current = functions.setdefault(label.group(1), [])
            continue
        if current is not None:
            current.append(raw)
    return functions


# -- normalisation ----------------------------------------------------------------------------
_A32_REG = re.compile(r"\b(r\d+|ip|lr|sb|sl|fp)\b")
_A64_REG = re.compile(r"\b(?:([wx])(?:\d+|zr))\b")
_X86_REG = re.compile(r"%([a-z0-9]+)")
_IMM = re.compile(r"([#$])(-?(?:0x[0-9a-f]+|\d+))\b")
_A32_COND = "eq|ne|cs|hs|cc|lo|mi|pl|vs|vc|hi|ls|ge|lt|gt|le"
_ZERO_EXT_MASKS = {"255", "65535"}


def _x86_width(name: str) -> str:
    if re.fullmatch(r"r\d+[dwb]", name):
        return {"d": "32", "w": "16", "b": "8"}[name[-1]]
    if re.fullmatch(r"r(\d+|[a-z]{2})", name) or name == "rip":
        return "64"
    if name.startswith("e"):
        return "32"
    if name.endswith("l") or name.endswith("h"):
        return "8"
    return "16"


def normalise(lines: list[str], family: str) -> tuple[str, ...]:
    """Instruction shapes, registers replaced by their class, moves and returns dropped."""
    out: list[str] = []
    for raw in lines:
        line = raw.split("//")[0]
        line = line.split("@")[0] if family == "a32" else line
        line = line.split("#")[0] if family == "x86" else line
        line = line.strip()
        if not line or line.endswith(":") or line.startswith("."):
            continue
        words = line.split(None, 1)
        mnemonic, ops = words[0].lower(), (words[1] if len(words) > 1 else "")
        if mnemonic == "lock":
            words = ops.split(None, 1)
            mnemonic, ops = "lock " + words[0].lower(), (words[1] if len(words) > 1 else "")
        ops_list = [o.strip() for o in re.split(r",(?![^\[(]*[\])])", ops) if o.strip()]
        token = _shape(family, mnemonic, ops_list)
        if token:
            out.append(token)
    return tuple(out)


def _shape(family: str, mnemonic: str, ops: list[str]) -> str | None:
    text = ", ".join(ops)
    memory = "[" in text or "(" in text
    if family == "x86":
        if mnemonic in ("ret", "retq", "jmp") or (mnemonic.startswith("mov") and not memory):
            return None
        if mnemonic.startswith("j"):
            return "<branch>"
        if mnemonic in ("movzbl", "movzwl") and memory:  # a zero-extending sub-word load
            mnemonic = {"movzbl": "movb", "movzwl": "movw"}[mnemonic]
            ops = [ops[0], "%" + ("al" if mnemonic == "movb" else "ax")]
        if mnemonic.startswith("xchg"):
            ops = sorted(ops)
        text = ", ".join(ops)
        text = _X86_REG.sub(lambda m: "%" + _x86_width(m.group(1)), text)
    else:
        # GCC writes AArch64/A32 immediates without '#'
        ops = ["#" + o if re.fullmatch(r"-?(0x[0-9a-f]+|\d+)", o) else o for o in ops]
        text = ", ".join(ops)
        if mnemonic in ("ret", "b", "push", "pop") or mnemonic.startswith(("uxt", "sxt")):
            return None
        if family == "a32" and re.fullmatch(rf"bx({_A32_COND})?", mnemonic):
            return "<branch>" if mnemonic != "bx" else None
        if family == "a32" and "pc" in text and mnemonic.startswith(("ldr", "pop")):
            return "<branch>" if mnemonic not in ("ldr", "pop") else None  # (conditional) return
        if "sp" in text.replace("[sp", " sp").split() or "[sp" in text:
            return None  # arguments passed on the stack
        if re.fullmatch(rf"mov({_A32_COND})?|movw|movt", mnemonic):
            return None
        if mnemonic == "and" and len(ops) == 3 and _imm_value(ops[2]) in _ZERO_EXT_MASKS:
            return None
        if (mnemonic.startswith("b.") or mnemonic in ("cbz", "cbnz", "tbz", "tbnz")
                or re.fullmatch(rf"b({_A32_COND})", mnemonic)):  # fmt: skip
            return "<branch>"
        reg = _A32_REG if family == "a32" else _A64_REG
        text = reg.sub(lambda m: "R" if family == "a32" else m.group(1).upper(), text)
    text = _IMM.sub(lambda m: m.group(1) + str(int(m.group(2), 0)), text)
    return f"{mnemonic} {text}".strip()


def _imm_value(op: str) -> str:
    m = _IMM.search(op)
    return str(int(m.group(2), 0)) if m else ""


# -- comparing ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Result:
    target: str
    scheme: str
    compiler: str
    case: Case
    table: tuple[str, ...]
    compiled: tuple[str, ...]

    @property
    def match(self) -> bool:
        return self.table == self.compiled


def compare(target: str, scheme: str, compiler: str) -> list[Result]:
    cases = [Case(*c) for c in combinations()]
    tgt, sch = get_target(target), get_scheme(scheme)
    table = {c: lookup(tgt, sch, c.op, c.order, c.width, c.failure) for c in cases}
    ok_cases = {c for c in cases if table[c].ok_role}
    compiled = compile_functions(target, compiler, cases, ok_cases)
    family = FAMILY[target]
    return [
        Result(target, scheme, compiler, c, normalise(table[c].canonical(), family),
               normalise(compiled[c.name], family))  # fmt: skip
        for c in cases
    ]


@click.command()
@click.option("--target", "targets", multiple=True, type=click.Choice(list(COMPILERS)),
              help="targets to compare (default: all five)")  # fmt: skip
@click.option("--show-mismatches", default=20, show_default=True,
              help="print this many mismatching sequences side by side")  # fmt: skip
@click.option("--only", default="", help="only this scheme/compiler pair, e.g. default/clang")
def main(targets: tuple[str, ...], show_mismatches: int, only: str) -> None:
    console = Console()
    targets = targets or tuple(COMPILERS)
    runs = [(t, "default", "clang") for t in targets]
    runs += [(t, "default", "gcc") for t in targets]
    runs += [(t, "gcc", "gcc") for t in targets if t != "x86_64"]
    if only:
        runs = [r for r in runs if f"{r[1]}/{r[2]}" == only]
    summary = Table(title="fencelab lowering table vs compilers (registers and moves aside)")
    for col in ("target", "scheme", "compiler", "match", "differ", "differing ops"):
        summary.add_column(col)
    mismatches: list[Result] = []
    clang_failures = 0
    for target, scheme, compiler in runs:
        results = compare(target, scheme, compiler)
        bad = [r for r in results if not r.match]
        if compiler == "clang":
            clang_failures += len(bad)
        ops = Counter(str(r.case.op) for r in bad)
        summary.add_row(target, scheme, compiler, f"[green]{len(results) - len(bad)}[/]",
                        f"[red]{len(bad)}[/]" if bad else "0",
                        ", ".join(f"{k}×{v}" for k, v in sorted(ops.items())))  # fmt: skip
        mismatches += bad
    console.print(summary)
    if show_mismatches and mismatches:
        detail = Table(title=f"first {min(show_mismatches, len(mismatches))} mismatches")
        for col in ("target", "scheme", "compiler", "case", "table", "compiler output"):
            detail.add_column(col, overflow="fold")
        for r in mismatches[:show_mismatches]:
            detail.add_row(r.target, r.scheme, r.compiler, r.case.label(), "; ".join(r.table),
                           "; ".join(r.compiled))  # fmt: skip
        console.print(detail)
    sys.exit(1 if clang_failures else 0)


if __name__ == "__main__":
    main()
