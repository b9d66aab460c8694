"""The lowering table across targets: API, errors, CLI, and cross-checks with LLVM and the
compilers. The per-entry checks the per-architecture files run are in tests/helpers/lowering.py."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys

import pytest

from fencelab.atomics import Op, Order
from fencelab.errors import FencelabError
from fencelab.isa.registry import TARGET_NAMES, get_target
from fencelab.lowering import (
    DEFAULT_SCHEME,
    SCHEME_NAMES,
    combinations,
    entries,
    get_scheme,
    lookup,
)
from tests.helpers import REPO


def test_table_covers_every_valid_combination_on_every_target():
    n = len(list(combinations()))
    # load 3x4 + store 3x4 + 6 RMW x 5 orders x 4 + 2 CAS x 15 pairs x 4 + 4 fences
    assert n == 12 + 12 + 120 + 120 + 4
    for target in TARGET_NAMES:
        assert len(list(entries([get_target(target)], DEFAULT_SCHEME))) == n


def test_an_entry_carries_the_target_it_was_looked_up_for():
    """Also where an overlay built it, or fell back to the default for it."""
    for name in TARGET_NAMES:
        target = get_target(name)
        for scheme in SCHEME_NAMES:
            if not get_scheme(scheme).covers(target):
                continue
            e = lookup(target, get_scheme(scheme), Op.LOAD, Order.ACQUIRE, 32)
            assert e.target is target
            assert e.describe() == f"load Acquire 32-bit on {name} ({e.scheme})"


def test_cas_without_failure_uses_the_c_default():
    e = lookup(get_target("armv8"), get_scheme("default"), Op.CAS, Order.RELEASE, 32)
    assert e.failure is Order.RELAXED
    e = lookup(get_target("armv8"), get_scheme("default"), Op.CAS, Order.ACQ_REL, 32)
    assert e.failure is Order.ACQUIRE


def test_cas_is_keyed_by_the_failure_ordering_too():
    # clang 14 merges the orderings: Relaxed success with SeqCst failure = casal
    assert lookup(get_target("armv8.1"), get_scheme("default"), Op.CAS, Order.RELAXED, 32, Order.SEQ_CST).canonical()[
        -1].startswith("casal ")  # fmt: skip
    assert lookup(get_target("armv8.1"), get_scheme("default"), Op.CAS, Order.RELAXED, 32, Order.ACQUIRE).canonical()[
        -1].startswith("casa ")  # fmt: skip
    assert lookup(get_target("armv8.1"), get_scheme("default"), Op.CAS, Order.RELAXED, 32, Order.RELAXED).canonical()[
        -1].startswith("cas ")  # fmt: skip


@pytest.mark.parametrize("args, message", [
    (("armv9", "default", Op.LOAD, Order.RELAXED, 32), "unknown target"),
    (("armv8", "fast", Op.LOAD, Order.RELAXED, 32), "unknown scheme"),
    (("armv8", "default", Op.LOAD, Order.RELEASE, 32), "not a valid ordering for a load"),
    (("armv8", "default", Op.STORE, Order.ACQUIRE, 32), "not a valid ordering for a store"),
    (("armv8", "default", Op.FENCE, Order.RELAXED, None), "not a valid ordering for a fence"),
    (("armv8", "default", Op.LOAD, Order.RELAXED, 12), "unknown width"),
    (("armv8", "default", Op.FENCE, Order.SEQ_CST, 32), "no width"),
    (("armv8", "default", Op.CAS, Order.SEQ_CST, 32, Order.RELEASE), "failure ordering"),
    (("armv8", "default", Op.CAS, Order.SEQ_CST, 32, Order.ACQ_REL), "failure ordering"),
    (("armv8", "default", Op.SWAP, Order.SEQ_CST, 32, Order.SEQ_CST), "only applies"),
])  # fmt: skip
def test_invalid_lookups_name_the_problem(args, message):
    with pytest.raises(FencelabError, match=message):
        lookup(get_target(args[0]), get_scheme(args[1]), *args[2:])


def test_instantiate_enforces_register_constraints():
    cas = lookup(get_target("x86_64"), get_scheme("default"), Op.CAS, Order.SEQ_CST, 32)
    with pytest.raises(FencelabError, match="must be in %eax"):
        cas.instantiate({"addr": 7, "exp": 6, "new": 2, "res": 1})
    with pytest.raises(FencelabError, match="share register"):
        cas.instantiate({"addr": 0, "exp": 6, "new": 2, "res": 0})
    with pytest.raises(FencelabError, match="needs a register for role 'new'"):
        cas.instantiate({"addr": 7, "exp": 6, "res": 0})
    pair = lookup(get_target("armv7"), get_scheme("default"), Op.LOAD, Order.RELAXED, 64)
    with pytest.raises(FencelabError, match="even/odd register pair"):
        pair.instantiate({"addr": 0, "res": 3})
    with pytest.raises(FencelabError, match="share register"):
        pair.instantiate({"addr": 5, "res": 4})  # r5 is the pair's high half
    assert pair.instantiate({"addr": 0, "res": 4}) == ["ldrexd r4, r5, [r0]", "clrex"]


def test_instantiations_with_different_prefixes_coexist_in_one_program():
    e = lookup(get_target("armv8"), get_scheme("default"), Op.FETCH_ADD, Order.SEQ_CST, 32)
    regs = e.canonical_regs()
    program = e.instantiate(regs, "t0_a_") + e.instantiate(regs, "t0_b_")
    assert program[0] == "t0_a_retry:" and "cbnz w10, t0_b_retry" in program
    assert len(get_target("armv8").assemble(program)) == 2 * 4 * 4


def test_self_moves_are_dropped():
    swap = lookup(get_target("x86_64"), get_scheme("default"), Op.SWAP, Order.SEQ_CST, 32)
    assert swap.instantiate({"addr": 7, "val": 6, "res": 0}) == [
        "movl %esi, %eax", "xchgl %eax, (%rdi)"]  # fmt: skip
    cas = lookup(get_target("armv8.1"), get_scheme("default"), Op.CAS, Order.SEQ_CST, 64)
    assert cas.instantiate({"addr": 0, "exp": 1, "new": 2, "res": 3}) == [
        "mov x3, x1", "casal x3, x2, [x0]"]  # fmt: skip


def test_schemes_are_overlays_that_say_where_each_entry_came_from():
    e = lookup(get_target("armv8"), get_scheme("tutorial"), Op.STORE, Order.RELEASE, 32)
    assert e.scheme == "tutorial" and e.canonical() == ["dmb ishst", "str w1, [x0]"]
    e = lookup(get_target("armv8"), get_scheme("tutorial"), Op.STORE, Order.SEQ_CST, 32)
    assert e.scheme == "default" and e.canonical() == ["stlr w1, [x0]"]
    e = lookup(get_target("x86_64"), get_scheme("rcpc"), Op.LOAD, Order.ACQUIRE, 32)  # not an x86 scheme: default
    assert e.scheme == "default"


# -- LLVM cross-check: our bytes are what llvm-mc assembles -----------------------------------------
_MC = {"x86_64": ["-triple=x86_64"], "armv7": ["-triple=armv7a"], "armv8": ["-triple=aarch64"],
       "armv8.1": ["-triple=aarch64", "-mattr=+lse"],
       "armv8.3": ["-triple=aarch64", "-mattr=+lse,+rcpc"]}  # fmt: skip


@pytest.mark.skipif(not (shutil.which("llvm-mc-14") and shutil.which("llvm-objcopy-14")),
                    reason="needs llvm-mc-14")  # fmt: skip
@pytest.mark.parametrize("scheme", SCHEME_NAMES)
@pytest.mark.parametrize("target", TARGET_NAMES)
def test_bytes_match_llvm_mc(target, scheme, tmp_path):
    lines = []
    for i, e in enumerate(entries([get_target(target)], get_scheme(scheme))):
        lines += e.instantiate(e.canonical_regs(), f"E{i}_")
    tgt = get_target(target)
    ours = tgt.assemble(lines, 0)
    src = tmp_path / "a.s"
    src.write_text(("\t.syntax unified\n\t.arm\n" if target == "armv7" else "")
                   + "\n".join(lines) + "\n")  # fmt: skip
    subprocess.run(["llvm-mc-14", *_MC[target], "-filetype=obj", "-o", str(tmp_path / "a.o"),
                    str(src)], check=True)  # fmt: skip
    subprocess.run(["llvm-objcopy-14", "-O", "binary", "--only-section=.text",
                    str(tmp_path / "a.o"), str(tmp_path / "a.bin")], check=True)  # fmt: skip
    theirs = (tmp_path / "a.bin").read_bytes()
    if target == "x86_64":  # LLVM puts 0x66 before LOCK, keystone after: same instructions
        assert tgt.disassemble_text(ours) == tgt.disassemble_text(theirs)
    else:
        assert ours == theirs


# -- the compilers: default = clang 14, gcc scheme = GCC 12 -------------------------------------
def _compare_module():
    spec = importlib.util.spec_from_file_location("compare_compilers",
                                                  REPO / "bench" / "compare_compilers.py")  # fmt: skip
    module = importlib.util.module_from_spec(spec)
    sys.modules["compare_compilers"] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not shutil.which("clang"), reason="needs clang")
@pytest.mark.parametrize("target", TARGET_NAMES)
def test_default_scheme_matches_clang(target):
    results = _compare_module().compare(target, "default", "clang")
    bad = [(r.case.label(), r.table, r.compiled) for r in results if not r.match]
    assert len(results) == 268 and not bad, bad[:3]


@pytest.mark.skipif(not shutil.which("arm-linux-gnueabihf-gcc"), reason="needs the cross GCCs")
@pytest.mark.parametrize("target", ["armv7", "armv8", "armv8.1", "armv8.3"])
def test_gcc_scheme_matches_gcc(target):
    results = _compare_module().compare(target, "gcc", "gcc")
    bad = [(r.case.label(), r.table, r.compiled) for r in results if not r.match]
    assert len(results) == 268 and not bad, bad[:3]


def test_normaliser_keeps_what_matters():
    cc = _compare_module()
    clang = ["\tmovl\t%esi, %eax", "\tlock\t\txaddl\t%eax, (%rdi)", "\tretq"]
    assert cc.normalise(clang, "x86") == ("lock xaddl %32, (%64)",)
    gcc = ["\tdmb\tish", ".L3:", "\tldrex\tr0, [r3]", "\tcmp\tr0, r1", "\tbxne\tlr",
           "\tstrex\tip, r2, [r3]", "\tbx\tlr"]  # fmt: skip
    assert cc.normalise(gcc, "a32") == ("dmb ish", "ldrex R, [R]", "cmp R, R", "<branch>",
                                        "strex R, R, [R]")  # fmt: skip


# -- CLI ------------------------------------------------------------------------------------------
def test_cli_map_shows_bytes_disassembly_and_rationale(cli):
    result = cli(["map", "store", "SeqCst", "--target", "x86_64"])
    assert result.exit_code == 0, result.output
    assert "xchgl %esi, (%rdi)" in result.output and "8737" in result.output
    assert "full barrier" in result.output


def test_cli_map_lse_bytes(cli):
    result = cli(["map", "fetch_add", "seq_cst", "-t", "armv8.1",
                                       "-w", "16"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "0800e178" in result.output  # ldaddalh w1, w8, [x0] (llvm-mc -mattr=+lse)


@pytest.mark.parametrize("args, fragment", [
    (["map", "frob", "SeqCst"], "valid: load, store"),
    (["map", "load", "Sometimes"], "valid: Relaxed, Acquire"),
    (["map", "load", "SeqCst", "-t", "mips"], "valid: x86_64, armv7"),
    (["map", "load", "SeqCst", "-s", "fast"], "valid: default, x86-mfence, gcc, rcpc, tutorial"),
    (["map", "load", "SeqCst", "-w", "128"], "is not one of '8', '16', '32', '64'"),
    (["map", "load", "Release"], "use one of: Relaxed, Acquire, SeqCst"),
    (["table", "-t", "mips"], "valid: x86_64"),
    (["table", "-s", "fast"], "valid: default"),
    (["table", "-w", "3"], "is not one of '8', '16', '32', '64'"),
])  # fmt: skip
def test_cli_bad_input_is_one_line_and_exit_2(cli, args, fragment):
    result = cli(args)
    assert result.exit_code == 2
    assert fragment in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_cli_table_json_covers_everything(cli):
    result = cli(["table", "--format", "json"])
    assert result.exit_code == 0
    rows = json.loads(result.output)
    assert len(rows) == 5 * 268
    for row in rows:
        assert {"target", "scheme", "op", "order", "failure", "width", "asm", "bytes",
                "rationale"} <= set(row)  # fmt: skip
        assert (row["failure"] is None) == (row["op"] not in ("compare_exchange",
                                                              "compare_exchange_weak"))  # fmt: skip
    sc_store = next(r for r in rows if r["target"] == "x86_64" and r["op"] == "store"
                    and r["order"] == "SeqCst" and r["width"] == 32)  # fmt: skip
    assert sc_store["asm"] == ["xchgl %esi, (%rdi)"] and sc_store["bytes"] == "8737"


def test_cli_table_markdown_and_csv(cli):
    md = cli(["table", "--format", "markdown", "-w", "32", "-t", "armv8"])
    assert md.exit_code == 0
    lines = md.output.splitlines()
    assert lines[0].startswith("| target |") and lines[1].startswith("|---")
    assert any("`ldar w8, [x0]`" in ln for ln in lines)
    assert len(lines) == 2 + 66 + 4  # 3 loads, 3 stores, 30 RMWs, 30 CASes at 32 bits + 4 fences
    csv_out = cli(["table", "--format", "csv", "-t", "armv7", "-w", "8",
                                        "-s", "gcc"])  # fmt: skip
    assert csv_out.exit_code == 0
    assert csv_out.output.splitlines()[0] == \
        "target,scheme,op,order,failure,width,asm,bytes,rationale"
    assert "armv7,gcc,load,SeqCst,,8,\"dmb ish; ldrb r12, [r0]; dmb ish\"" in csv_out.output
