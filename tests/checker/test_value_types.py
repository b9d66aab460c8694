"""Unsigned and narrow atomics: the source models, the compiled tests and the checker read a
value in its location's type (an `AtomicU8` holds 200, not -56), and a constant that does not
fit its location is refused (README: a number must fit what it goes to)."""

from __future__ import annotations

import pytest

from fencelab.checker import Checker
from fencelab.compiler.compile import compile_test
from fencelab.errors import FencelabError
from fencelab.isa.registry import TARGET_NAMES, get_target
from fencelab.litmus.parser import parse_text
from fencelab.litmus.printer import format_test
from fencelab.lowering import get_scheme
from fencelab.pipeline import RunOptions, run_test

U8 = """RUST u8
{ AtomicU8 x = 0; }
P0 { x.store(200, Relaxed); }
P1 { let r0 = x.load(Relaxed); }
exists ([x]=200 /\\ 1:r0=200)
"""
U32 = """RUST u32
{ AtomicU32 x = 0; }
P0 { x.store(3000000000, Relaxed); }
P1 { let r0 = x.load(Relaxed); }
exists ([x]=3000000000 /\\ 1:r0=3000000000)
"""
I8 = """RUST i8
{ AtomicI8 y = 0; }
P0 {
  y.store(-3, Relaxed);
  let r0 = y.load(Relaxed);
  let r1 = y.swap(-1, Relaxed);
}
exists (0:r0=-3 /\\ 0:r1=-3)
"""
I16 = """RUST i16
{ AtomicI16 y = 0; }
P0 {
  y.store(-3, SeqCst);
  let r1 = y.fetch_sub(4000, AcqRel);
}
exists (0:r1=-3 /\\ y=-4003)
"""
C_U8 = """C cu8
{ _Atomic uint8_t x = 0; }
P0 (_Atomic uint8_t* x) { atomic_store_explicit(x, 200, memory_order_relaxed); }
P1 (_Atomic uint8_t* x) { uint8_t r0 = atomic_load_explicit(x, memory_order_relaxed); }
exists ([x]=200 /\\ 1:r0=200)
"""
TESTS = {"u8": U8, "u32": U32, "i8": I8, "i16": I16, "c-u8": C_U8}


def _name(obs) -> str:
    return f"{obs.tid}:{obs.reg}" if hasattr(obs, "tid") else f"[{obs.name}]"


def _outcomes(text: str, model: str | None = None) -> set[str]:
    result = run_test(parse_text(text, "t.litmus"), RunOptions.named(model=model))
    return {"; ".join(f"{_name(o)}={v}" for o, v in s.outcome) for s in result.states}


@pytest.mark.parametrize("model", ["c11", "rc11"])
def test_the_source_models_hold_values_in_the_location_s_type(model):
    assert _outcomes(U8, model) == {"[x]=200; 1:r0=0", "[x]=200; 1:r0=200"}
    assert _outcomes(C_U8, model) == {"[x]=200; 1:r0=0", "[x]=200; 1:r0=200"}
    assert _outcomes(U32, model) == {"[x]=3000000000; 1:r0=0",
                                     "[x]=3000000000; 1:r0=3000000000"}  # fmt: skip
    assert _outcomes(I8, model) == {"0:r0=-3; 0:r1=-3"}
    assert _outcomes(I16, model) == {"0:r1=-3; [y]=-4003"}


@pytest.mark.parametrize("name", sorted(TESTS))
def test_the_default_scheme_is_sound_on_every_target(name):
    checker = Checker()
    test = parse_text(TESTS[name], f"{name}.litmus")
    for target in TARGET_NAMES:
        check = checker.check(test, get_target(target), get_scheme("default"))
        assert check.verdict == "sound", (target, check.error, [e.outcome for e in check.extra])


def test_compiled_tests_declare_unsigned_locations_and_typed_registers():
    u8 = format_test(compile_test(parse_text(U8, "u8.litmus"), get_target("armv8")))
    assert "uint8_t x=0;" in u8 and "uint8_t 1:X0=0;" in u8
    i8 = format_test(compile_test(parse_text(I8, "i8.litmus"), get_target("x86_64")))
    assert "int8_t y=0;" in i8 and "int8_t 0:rax=0;" in i8
    u32 = format_test(compile_test(parse_text(U32, "u32.litmus"), get_target("armv7")))
    assert "uint32_t x=0;" in u32 and "uint32_t 1:R0=0;" in u32


def test_computing_with_a_narrow_signed_value_is_sound():
    """A narrow signed value is sign-extended in its register after its access (it was kept
    zero-extended, and computing with it, comparing it or storing it wider was refused)."""
    checker = Checker()
    for line, cond in (("  let r1 = r0 + 1;\n", "0:r1=-2"), ("  let r1 = r0 < 0;\n", "0:r1=1"),
                       ("  x.store(r0, Relaxed);\n", "x=-3")):  # fmt: skip
        text = I8.replace("  let r1 = y.swap(-1, Relaxed);\n", line).replace("0:r1=-3", cond)
        text = text.replace("{ AtomicI8 y = 0; }", "{ AtomicI8 y = 0; AtomicI32 x = 0; }")
        test = parse_text(text, "i8.litmus")
        for target in TARGET_NAMES:
            check = checker.check(test, get_target(target), get_scheme("default"))
            assert check.verdict == "sound", (line, target, check.error)


@pytest.mark.parametrize("decl, value, ok", [
    ("AtomicU8", "255", True), ("AtomicU8", "256", False), ("AtomicU8", "-1", False),
    ("AtomicI8", "-128", True), ("AtomicI8", "128", False), ("AtomicI32", "4294967297", False),
    ("AtomicU64", "18446744073709551615", True), ("AtomicU64", "18446744073709551616", False),
])  # fmt: skip
def test_a_rust_constant_must_lie_in_its_location_s_range(decl, value, ok):
    text = f"RUST c\n{{ {decl} x = 0; }}\nP0 {{\n  x.store({value}, Relaxed);\n}}\nexists (x=1)\n"
    if ok:
        parse_text(text, "c.litmus")
        return
    with pytest.raises(FencelabError, match=r"c\.litmus:4:\d+: .*" + value.lstrip("-")):
        parse_text(text, "c.litmus")


def test_a_c_constant_is_converted_to_its_location_s_type_within_64_bits():
    text = ("C c\n{ atomic_int x = 0; }\nP0 (atomic_int* x) {\n"
            "  atomic_store_explicit(x, VALUE, memory_order_relaxed);\n}\nexists (x=1)\n")  # fmt: skip
    assert _outcomes(text.replace("VALUE", "4294967295")) == {"[x]=-1"}
    assert _outcomes(text.replace("VALUE", "4294967296")) == {"[x]=0"}
    with pytest.raises(FencelabError, match=r"c\.litmus:4:28: 18446744073709551616 does not fit "
                                            r"in 64 bits"):  # fmt: skip
        parse_text(text.replace("VALUE", "18446744073709551616"), "c.litmus")
