"""Rust as Rust: compare_exchange returns a Result (is_ok, is_err, unwrap_or, unwrap_or_else,
match, if let), fetch_update / fetch_max / fetch_min / fetch_nand, compiler_fence,
std::hint::spin_loop(), loop and break — read, printed back, compiled for every target and
judged by the source models, with rustc's way of naming a missing token."""

from __future__ import annotations

import pytest

from fencelab.errors import SourceError
from fencelab.isa.registry import TARGET_NAMES
from fencelab.litmus.ast import Assign, BinOp, Break, Cas, Fence, If, Load, Loop, Var
from fencelab.litmus.parser import parse_text
from fencelab.litmus.printer import format_test, same_meaning, strip_positions
from fencelab.pipeline import RunOptions, run_test
from tests.helpers import EXAMPLES

FORMS = """RUST forms
{ x = 0; y = 0; c = 0; }
P0 {
  let mut r0 = 9;
  let r1 = x.compare_exchange(0, 1, Acquire, Relaxed).unwrap_or(7);
  match y.compare_exchange(0, 2, SeqCst, Relaxed) {
    Ok(v) => { r0 = v; }
    Err(_) => r0 = 5,
  }
  if let Err(seen) = x.compare_exchange_weak(1, 3, AcqRel, Acquire) {
    c.store(seen, Relaxed);
  } else {
    c.store(4, Relaxed);
  }
  while x.compare_exchange(3, 4, Acquire, Relaxed).is_err() { std::hint::spin_loop(); }
  let r2 = c.fetch_update(SeqCst, Relaxed, |v| Some(v + 10)).unwrap();
  c.fetch_max(100, Relaxed);
  let r3 = c.fetch_nand(6, AcqRel);
  compiler_fence(SeqCst);
  let r4 = y.compare_exchange(2, 0, SeqCst, SeqCst).unwrap_or_else(|v| v);
  loop {
    if y.load(Relaxed) == 0 { break; }
  }
}
exists (0:r0=0)
"""


def body(text: str, tid: int = 0):
    return strip_positions(parse_text(text, "t.litmus").threads[tid].body)


def test_every_form_prints_back_as_rust_and_keeps_its_meaning():
    test = parse_text(FORMS, "t.litmus")
    printed = format_test(test)
    for form in (".unwrap_or(7);", "match y.compare_exchange(0, 2, SeqCst, Relaxed) {",
                 "Ok(v) => {", "Err(_) => {", "if let Err(seen) = x.compare_exchange_weak(",
                 ".is_err() {}", "c.fetch_update(SeqCst, Relaxed, |v| Some(v + 10)).unwrap();",
                 "c.fetch_max(100, Relaxed);", "let r3 = c.fetch_nand(6, AcqRel);",
                 "compiler_fence(SeqCst);", ".unwrap_or_else(|v| v);", "loop {", "break;"):  # fmt: skip
        assert form in printed, (form, printed)
    assert "$" not in printed and "spin_loop" not in printed  # spin_loop() has no effect
    assert same_meaning(test, parse_text(printed, "again.litmus"))


def test_result_methods_read_as_comparisons_with_the_expected_value():
    stmts = body("RUST T\n{ x = 0; }\nP0 {\n  let a = x.compare_exchange(0, 1, SeqCst, SeqCst)"
                 ".is_ok();\n  let b = x.compare_exchange_weak(1, 2, SeqCst, Relaxed).is_err();\n"
                 "  let c = x.compare_exchange(2, 3, Relaxed, Relaxed).unwrap_or_else(|s| s);\n}\n")  # fmt: skip
    a, b, c = stmts
    assert a.expr.op == "==" and isinstance(a.expr.left, Cas) and a.expr.right == a.expr.left.expected
    assert b.expr.op == "!=" and b.expr.left.weak
    assert isinstance(c.expr, Cas)  # the value seen, Ok or Err


def test_match_binds_the_value_seen_in_each_arm():
    tmp, choice = body("RUST T\n{ x = 0; }\nP0 {\n  let mut r = 0;\n  match x.compare_exchange("
                       "0, 1, SeqCst, SeqCst) {\n    Ok(old) => r = old,\n    Err(now) => {"
                       " r = now + 10; }\n  }\n}\n")[1:]  # fmt: skip
    assert isinstance(tmp, Assign) and isinstance(tmp.expr, Cas)
    assert isinstance(choice, If) and choice.cond == BinOp("==", Var(tmp.var), tmp.expr.expected)
    assert choice.then[0] == Assign("old", Var(tmp.var), True)
    assert choice.orelse[0] == Assign("now", Var(tmp.var), True)


def test_fetch_update_is_a_compare_exchange_loop_as_in_std():
    prev, loop, result = body("RUST T\n{ x = 0; }\nP0 {\n  let r = x.fetch_update(AcqRel, "
                              "Acquire, |n| Some(n * 2)).unwrap();\n}\n")  # fmt: skip
    assert prev.expr == Load("x", prev.expr.order) and prev.expr.order.value == "Acquire"
    assert isinstance(loop, Loop)
    cas_assign, test, retry = loop.body
    cas = cas_assign.expr
    assert cas.expected == Var(prev.var) and cas.desired == BinOp("*", Var(prev.var), cas.desired.right)
    assert cas.success.value == "AcqRel" and cas.failure.value == "Acquire"
    assert isinstance(test.then[0], Break) and retry == Assign(prev.var, Var(cas_assign.var))
    assert result == Assign("r", Var(prev.var), True)


def test_compiler_fence_and_spin_loop():
    stmts = body("RUST T\n{ x = 0; }\nP0 {\n  compiler_fence(Release);\n"
                 "  std::hint::spin_loop();\n  fence(Acquire);\n}\n")  # fmt: skip
    assert stmts == (Fence(stmts[0].order, compiler_only=True), Fence(stmts[1].order))


@pytest.mark.parametrize(
    "text, where, message",
    [
        ("  let r0 = x.load(Relaxed)\n  y.store(1, Relaxed);\n", (5, 3), "expected ';', found 'y'"),
        ("  let r0 = x.load(Relaxed;\n", (4, 26), "expected ')', found ';'"),
        ("  let r = x.compare_exchange(0, 1, SeqCst, SeqCst);\n", (4, 11),
         "mismatched types: compare_exchange returns Result<_, _>"),
        ("  if x.compare_exchange(0, 1, SeqCst, SeqCst) == 0 {}\n", (4, 6),
         "mismatched types: compare_exchange returns Result<_, _>"),
        ("  let r = x.compare_exchange(0, 1, SeqCst, SeqCst).unwrap();\n", (4, 11),
         "unwrap() panics when the exchange fails"),
        ("  break;\n", (4, 3), "`break` outside of a loop"),
        ("  match x.compare_exchange(0, 1, SeqCst, SeqCst) { Ok(_) => {} }\n", (4, 3),
         "non-exhaustive patterns: Err(_) not covered"),
        ("  let r = x.compare_exchange(y.load(Relaxed), 1, SeqCst, SeqCst).is_ok();\n", (4, 11),
         "the expected value of compare_exchange must be a constant or locals"),
        ("  x.fetch_update(SeqCst, SeqCst, |v| None);\n", (4, 34),
         "the closure of fetch_update must be |v| Some("),
        ("  x.fetch_update(SeqCst, Release, |v| Some(v));\n", (4, 26),
         "Release is not a valid ordering for the fetch ordering of fetch_update"),
    ],
)  # fmt: skip
def test_rust_errors_name_what_rustc_would(text, where, message):
    with pytest.raises(SourceError) as info:
        parse_text(f"RUST T\n{{ x = 0; y = 0; }}\nP0 {{\n{text}}}\n", "t.litmus")
    e = info.value
    assert (e.line, e.col) == where, e
    assert message in e.message, e


RMWS = """RUST rmws
{ x = 5; y = 5; z = 6; }
P0 {
  let r0 = x.fetch_max(7, SeqCst);
  let r1 = x.fetch_min(3, Release);
  let r2 = y.fetch_max(-2, Acquire);
  let r3 = z.fetch_nand(3, Relaxed);
}
exists (0:r0=5 /\\ 0:r1=7 /\\ 0:r2=5 /\\ 0:r3=6 /\\ [x]=3 /\\ [y]=5 /\\ [z]=-3)
"""


@pytest.mark.parametrize("target", TARGET_NAMES)
def test_fetch_max_min_nand_compute_on_every_target(target):
    """max and min compare signed; nand is !(old & v): one outcome, the one Rust gives (on
    armv7, y.fetch_max(-2) on 5 puts back the 5 it read: a write that must succeed)."""
    test = parse_text(RMWS, "rmws.litmus")
    result = run_test(test, RunOptions.named(target))
    assert len(result.states) == 1 and result.ok, result.states
    source = run_test(test, RunOptions.named(model="rc11"))
    assert source.outcome_set() == result.outcome_set()


@pytest.mark.parametrize("target", TARGET_NAMES)
def test_compiler_fence_emits_no_instruction(target):
    from fencelab.compiler.compile import compile_test
    from fencelab.isa.registry import get_target

    target = get_target(target)
    fenced = parse_text((EXAMPLES / "rust" / "MP+compiler_fences.litmus").read_text(), "f.litmus")
    plain = parse_text("RUST MP\n{ x = 0; y = 0; }\nP0 {\n  x.store(1, Relaxed);\n"
                       "  y.store(1, Relaxed);\n}\nP1 {\n  let r0 = y.load(Relaxed);\n"
                       "  let r1 = x.load(Relaxed);\n}\nexists (1:r0=1 /\\ 1:r1=0)\n")  # fmt: skip
    rows = [[c.text for c in t.asm] for t in compile_test(fenced, target).threads]
    assert rows == [[c.text for c in t.asm] for t in compile_test(plain, target).threads]
