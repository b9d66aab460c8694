"""Reading litmus tests: herd's own files, our examples, and every way to get them wrong."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fencelab.atomics import Op, Order
from fencelab.errors import SourceError
from fencelab.litmus.ast import (
    And,
    AsmLine,
    Assign,
    BinOp,
    Cas,
    Const,
    Eq,
    ExprStmt,
    Fence,
    If,
    Load,
    LocObs,
    LocRef,
    Not,
    Or,
    Pos,
    RegInit,
    RegObs,
    Rmw,
    Store,
    TrueProp,
    UnOp,
    Var,
    While,
)
from fencelab.litmus.parser import asm_label, parse_file, parse_text
from fencelab.litmus.printer import strip_positions
from tests.helpers import EXAMPLES, HERD_DATA

HERD = HERD_DATA
REFUSED = {"arm/A020.litmus", "c/C17.litmus"}
HERD_FILES = sorted(
    p for p in HERD.glob("*/*.litmus") if p.relative_to(HERD).as_posix() not in REFUSED
)
EXAMPLE_FILES = sorted(EXAMPLES.glob("*/*.litmus"))


def herd(name: str):
    return parse_file(HERD / name)


def error_of(text: str) -> SourceError:
    with pytest.raises(SourceError) as info:
        parse_text(text, "t.litmus")
    return info.value


# ---------------------------------------------------------------------------------------------
# herd's own tests


@pytest.mark.parametrize("path", HERD_FILES, ids=lambda p: p.relative_to(HERD).as_posix())
def test_every_copied_herd_test_parses(path):
    test = parse_file(path)
    assert test.threads
    assert (
        test.arch
        == {"aarch64": "AArch64", "aarch64-catalogue": "AArch64", "aarch64-pairs": "AArch64", "aarch64-arrays": "AArch64", "arm": "ARM", "x86": "X86", "x86_64": "X86_64", "c": "C"}[
            path.parent.name
        ]
    )


def test_herd_aarch64_mp_in_detail():
    t = herd("aarch64/MP.litmus")
    assert (t.arch, t.name, t.doc) == ("AArch64", "MP", "PodWW Rfe PodRR Fre")
    assert t.info[0] == ("Cycle", "Rfe PodRR Fre PodWW")
    assert ("Com", "Rf Fr") in t.info and ("Orig", "PodWW Rfe PodRR Fre") in t.info
    assert [loc.name for loc in t.locations] == ["x", "y"]
    assert all(loc.width == 32 and loc.init == 0 for loc in t.locations)
    assert t.reg_inits[:2] == (RegInit(0, "X1", LocRef("x")), RegInit(0, "X3", LocRef("y")))
    p0, p1 = t.threads
    assert [c.text for c in p0.asm] == ["MOV W0,#1", "STR W0,[X1]", "MOV W2,#1", "STR W2,[X3]"]
    assert [c.text for c in p1.asm] == ["LDR W0,[X1]", "LDR W2,[X3]", "", ""]
    assert p1.asm[1] == AsmLine("LDR W2,[X3]", 1, Pos(14, 16))
    assert t.condition.quantifier == "exists"
    assert t.condition.prop == And((Eq(RegObs(1, "X0"), 1), Eq(RegObs(1, "X2"), 0)))


def test_label_alone_in_a_cell_and_before_an_instruction():
    t = herd("aarch64/LB+rel+BEQ.litmus")
    assert t.threads[1].asm[5].text == "over:"
    assert asm_label("over:") == ("over", "")
    assert asm_label("Exit0: MOV W0,#1") == ("Exit0", "MOV W0,#1")
    assert asm_label("B.EQ over") == (None, "B.EQ over")
    assert asm_label("MOV X1, #7") == (None, "MOV X1, #7")


def test_declared_types_set_widths():
    assert herd("x86_64/A010.litmus").location("x").width == 64
    assert herd("x86_64/A010.litmus").location("x").ctype == "uint64_t"
    a013 = herd("x86_64/A013.litmus")
    assert [(loc.ctype, loc.width) for loc in a013.locations] == [("int8_t", 8), ("int8_t", 8)]
    assert herd("c/C08.litmus").location("x").width == 128


def test_x86_locations_come_from_memory_operands():
    assert [loc.name for loc in herd("x86/SB.litmus").locations] == ["x", "y"]
    assert [loc.name for loc in herd("x86_64/A012.litmus").locations] == ["x"]
    assert herd("x86_64/A010.litmus").reg_inits == (RegInit(0, "RBX", 0x202020202020202),)


def test_comment_inside_a_cell_and_single_thread_table():
    t = herd("arm/A022.litmus")
    assert [c.text for c in t.threads[0].asm] == [
        "CMP R1, #1",
        "ANDEQ R0, R0, R0",
        "ANDEQ R2, R1, R1",
    ]
    assert t.comments == ("Test ANDEQ", "nop")
    assert t.condition.quantifier == "forall"


def test_locations_clause_without_condition():
    t = herd("arm/A001.litmus")
    assert t.observed == (RegObs(0, "R2"),)
    assert t.condition.prop == TrueProp()


def test_herd_c_tests():
    c13 = herd("c/C13.litmus")
    assert c13.condition.prop == Not(Eq(RegObs(0, "r1"), 0))
    assert c13.observed == (RegObs(0, "r2"), RegObs(1, "r4"))
    assert c13.threads[0].params == (("atomic_int*", "x"), ("atomic_int*", "y"))
    assert c13.location("x").ctype == "atomic_int"
    c15 = herd("c/C15.litmus")
    assert c15.condition.quantifier == "~exists"
    body = strip_positions(c15.threads[1].body)
    assert body == (Assign("r1", Rmw(Op.SWAP, "y", Const(2), Order.RELAXED), True),)
    c02 = herd("c/C02.litmus")
    assert strip_positions(c02.threads[0].body) == (
        Assign("r0", Load("x", Order.RELAXED, plain=True), True),
        Store("y", Const(1), Order.RELAXED, plain=True),
    )
    c08 = herd("c/C08.litmus")
    assert strip_positions(c08.threads[0].body[1]) == Fence(Order.RELAXED)
    c03 = herd("c/C03.litmus")
    assert strip_positions(c03.threads[0].body) == (
        ExprStmt(Rmw(Op.FETCH_ADD, "y", Const(1), Order.SEQ_CST)),
    )


def test_refused_herd_files_say_why():
    # before: "unsupported initial value 'ATOMIC_INIT(0)'", which did not name the feature
    with pytest.raises(
        SourceError, match=r"C17.litmus:4:16: 'ATOMIC_INIT' is a Linux-kernel primitive \(herd's "
        r"linux-kernel.cat"
    ):
        herd("c/C17.litmus")


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.relative_to(EXAMPLES).as_posix())
def test_every_example_parses_and_states_its_verdict(path):
    test = parse_file(path)
    assert test.comments and any(
        word in test.comments[0] for word in ("Allowed", "Forbidden", "always", "UNSOUND")
    ), "examples open with a comment giving the expected verdict"
    assert (
        test.arch
        == {"c": "C", "rust": "RUST", "aarch64": "AArch64", "arm": "ARM", "x86_64": "X86_64",
         "counterexamples": "RUST"}[
            path.parent.name
        ]
    )


# ---------------------------------------------------------------------------------------------
# Initial state and conditions


def test_initial_state_forms():
    t = parse_text(
        """AArch64 T
{ int x; uint64_t y = 3; [z]=-1; 0:X1=x; int64_t 0:X2 = 0x10; 1:X0=&y; w=0xff; }
 P0 | P1 ;
 NOP | NOP ;
exists (0:X2=16 /\\ [y]=3 \\/ ~(z=-1) /\\ true)
"""
    )
    assert [(loc.name, loc.init, loc.ctype, loc.width) for loc in t.locations] == [
        ("x", 0, "int", 32),
        ("y", 3, "uint64_t", 64),
        ("z", -1, "", 32),
        ("w", 255, "", 32),
    ]
    assert t.reg_inits == (
        RegInit(0, "X1", LocRef("x")),
        RegInit(0, "X2", 16, "int64_t"),
        RegInit(1, "X0", LocRef("y")),
    )
    assert t.condition.prop == Or(
        (
            And((Eq(RegObs(0, "X2"), 16), Eq(LocObs("y"), 3))),
            And((Not(Eq(LocObs("z"), -1)), TrueProp())),
        )
    )


def test_condition_forms():
    t = parse_text(
        "X86 T\n{}\n P0 ;\n MOV [x],$1 ;\nlocations [x; 0:EAX;]\nfilter 0:EAX=0\n~ exists not (x=1) \\/ false"
    )
    assert t.observed == (LocObs("x"), RegObs(0, "EAX"))
    assert t.filter == Eq(RegObs(0, "EAX"), 0)
    assert t.condition.quantifier == "~exists"
    assert t.condition.prop == Or((Not(Eq(LocObs("x"), 1)), Not(TrueProp())))


def test_comments_nest_and_may_precede_the_header():
    t = parse_text("(* a (* nested *) comment *)\nARM T (* here too *)\n{ }\n P0 ;\n NOP ;\n")
    assert t.comments == ("a (* nested *) comment", "here too")


# ---------------------------------------------------------------------------------------------
# Source tests: C and Rust


def test_c_cas_desugaring_uses_fresh_names_nobody_can_write():
    t = parse_text(
        """C T
{ x = 0; }
P0 (atomic_int* x) {
  int e = 0;
  int ok = atomic_compare_exchange_strong_explicit(x, &e, 1, memory_order_acq_rel, memory_order_acquire);
  atomic_compare_exchange_weak(x, &e, 2);
}
exists (0:ok=1 /\\ 0:e=0)
"""
    )
    body = strip_positions(t.threads[0].body)
    cas = Cas("x", Var("e"), Const(1), Order.ACQ_REL, Order.ACQUIRE)
    assert body[1:4] == (
        Assign("$cas0", cas, True),
        Assign("ok", BinOp("==", Var("$cas0"), Var("e")), True),
        Assign("e", Var("$cas0"), False),
    )
    weak = Cas("x", Var("e"), Const(2), Order.SEQ_CST, Order.SEQ_CST, weak=True)
    assert body[4:] == (Assign("$cas1", weak, True), Assign("e", Var("$cas1"), False))
    hidden = "C T\n{}\nP0 (atomic_int* x) { int e = 0; }\nexists (0:$cas0=0)"
    assert error_of(hidden).message.startswith("syntax error in the condition")


def test_c_cas_as_loop_condition_repeats_the_cas_at_the_end_of_the_body():
    t = parse_text(
        """C T
{}
P0 (atomic_int* l) {
  int e = 0;
  while (!atomic_compare_exchange_strong_explicit(l, &e, 1, memory_order_acquire, memory_order_relaxed)) { e = 0; }
}
"""
    )
    body = strip_positions(t.threads[0].body)
    triple = body[1:4]
    loop = body[4]
    assert isinstance(loop, While) and loop.cond == UnOp("!", Var("$ok0"))
    assert loop.body == (Assign("e", Const(0), False), *triple)


def test_c_and_rust_spellings_read_to_the_same_statements():
    for rust_path in sorted((EXAMPLES / "rust").glob("*.litmus")):
        c_path = EXAMPLES / "c" / rust_path.name
        if not c_path.exists():
            continue  # Rust-only examples (Result-returning CAS, fetch_update, compiler_fence)
        if rust_path.stem in ("spinlock+cas", "treiber", "treiber+rlx"):
            continue  # C's compare-exchange is desugared, Rust's is an expression
        rust, c = parse_file(rust_path), parse_file(c_path)
        assert (rust.arch, c.arch) == ("RUST", "C")
        assert strip_positions(tuple(th.body for th in rust.threads)) == strip_positions(
            tuple(th.body for th in c.threads)
        ), rust_path.name
        assert rust.condition == c.condition
        assert [(loc.name, loc.init) for loc in rust.locations] == [
            (loc.name, loc.init) for loc in c.locations
        ]


def test_rust_spelling():
    t = parse_text(
        """RUST MP+rel+acq
"Message passing with release/acquire"
{ x = 0; y = 0; }
P0 {
  x.store(1, Relaxed); // data
  y.store(1, Ordering::Release); /* flag */
}
P1 {
  let mut r0 = y.load(Acquire);
  r0 = r0 + 1;
  if r0 == 2 { let r1 = x.load(Relaxed); } else if !(r0 == 3) { fence(SeqCst); } else {}
  while x.fetch_add(0, AcqRel) == 0 {}
  let c = x.compare_exchange_weak(0, 1, SeqCst, Relaxed).unwrap_or_else(|v| v);
}
exists (1:r0=2 /\\ 1:r1=0)
"""
    )
    p0, p1 = (strip_positions(th.body) for th in t.threads)
    assert p0 == (Store("x", Const(1), Order.RELAXED), Store("y", Const(1), Order.RELEASE))
    assert p1[0] == Assign("r0", Load("y", Order.ACQUIRE), True)
    assert p1[1] == Assign("r0", BinOp("+", Var("r0"), Const(1)), False)
    branch = p1[2]
    assert isinstance(branch, If) and branch.then == (Assign("r1", Load("x", Order.RELAXED), True),)
    inner = branch.orelse[0]
    assert inner.cond == UnOp("!", BinOp("==", Var("r0"), Const(3))) and inner.then == (
        Fence(Order.SEQ_CST),
    )
    assert p1[3] == While(
        BinOp("==", Rmw(Op.FETCH_ADD, "x", Const(0), Order.ACQ_REL), Const(0)), ()
    )
    assert p1[4] == Assign(
        "c", Cas("x", Const(0), Const(1), Order.SEQ_CST, Order.RELAXED, weak=True), True
    )


# ---------------------------------------------------------------------------------------------
# Errors: one line, at the right place, saying what was expected


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        (
            "PPC T\n{}\n",
            (1, 1),
            "unsupported architecture 'PPC'; supported: AArch64, ARM, X86_64, X86, C, RUST",
        ),
        ("AArch64\n{}\n", (1, 8), "expected a test name after 'AArch64'"),
        ("AArch64 T\nfoo | bar ;\n{}\n", (2, 1), "expected '{' to open the initial state"),
        ("AArch64 T\n{ 0:X1=x;\n", (2, 1), "expected '}' to close the initial state"),
        ("AArch64 T\n{ foo_t x; }\n", (2, 3), "unknown type 'foo_t' for 'x'"),
        ("AArch64 T\n{ x=1; x=2; }\n", (2, 8), "location 'x' initialised twice"),
        (
            "AArch64 T\n{}\n P0 | P1 ;\n NOP | NOP | NOP ;\n",
            (4, 12),
            "expected ';' after instruction row (the table has 2 threads), found '|'",
        ),
        (
            "AArch64 T\n{}\n P0 | P1 ;\n NOP | NOP\n NOP | NOP ;\n",
            (4, 11),
            "expected ';' after instruction row, found 'NOP' on the next line",
        ),
        (
            "AArch64 T\n{}\n P0 | P2 ;\n",
            (3, 7),
            "expected 'P1' in the thread table header, found 'P2'",
        ),
        (
            "AArch64 T\n{}\n P0 ;\n NOP ;\nexists (0:X0=1 /\\ )\n",
            (5, 19),
            "syntax error in the condition: found ')'",
        ),
        (
            "AArch64 T\n{}\n P0 ;\n NOP ;\nexists (3:X0=1)\n",
            (5, 9),
            "3:X0 names thread P3, but the test has 1 thread(s)",
        ),
        ("AArch64 T\n{}\n(* open\n", (3, 1), "unterminated comment"),
        # before the initial state herd reads lines: an unclosed `(*` there is a skipped line
        ("AArch64 T\n(* open\n{}\n", (4, 1), "expected the thread table header"),
        ("C T\n{}\nP0 (atomic_int* x) {\n  /* { open\n}\n", (4, 3),
         "unterminated comment: '/*' without a matching '*/'"),
        (
            "C T\n{}\nP0 (atomic_int* x) {\n  int r = atomic_load_explicit(x, memory_order_foo);\n}\n",
            (4, 35),
            "unknown ordering 'memory_order_foo'; valid: memory_order_relaxed, memory_order_consume",
        ),
        (
            "C T\n{}\nP0 (atomic_int* x) {\n  int r = atomic_load_explicit(x, memory_order_release);\n}\n",
            (4, 11),
            "memory_order_release is not a valid ordering for atomic_load_explicit; valid: memory_order_relaxed, memory_order_acquire, memory_order_seq_cst",
        ),
        (
            "C T\n{}\nP0 (atomic_int* x) {\n  int e = 0;\n  int r = 1 + atomic_compare_exchange_strong(x, &e, 1);\n}\n",
            (5, 15),
            "cannot be used inside an expression: it may only be a statement",
        ),
        (
            "C T\n{}\nP0 (atomic_int* x) {\n  r = 1;\n}\n",
            (4, 3),
            "assignment to undeclared variable 'r'",
        ),
        (
            "C T\n{}\nP0 (atomic_int x) {\n}\n",
            (3, 5),
            "parameter 'atomic_int x' of P0 must be a pointer",
        ),
        (
            "C T\n{}\nP0 (atomic_int* x) {\n  int r = *y;\n}\n",
            (4, 12),
            "*y: 'y' is not a location parameter of P0 (parameters: x)",
        ),
        (
            "C T\n{}\nP0 (atomic_int* x) {\n  int r = x;\n}\n",
            (4, 11),
            "'x' is a pointer to a shared location",
        ),
        (
            "C T\n{}\nP0 (atomic_int* x) {\n  int r = 1\n}\n",
            (5, 1),
            "syntax error in the body of P0: found '}'; expected",
        ),
        (
            "C T\n{}\nP0 (atomic_int* x) {\n  int r = 1;\n}\nexists (0:q=1)\n",
            (6, 9),
            "0:q is not a variable of P0",
        ),
        ("C T\n{}\nP1 (atomic_int* x) {\n}\n", (3, 1), "expected thread P0, found P1"),
        (
            "RUST T\n{}\nP0 {\n  let r = x.load(Acquire);\n  r = 2;\n}\n",
            (5, 3),
            "cannot assign twice to immutable variable 'r'",
        ),
        (
            "RUST T\n{}\nP0 {\n  let r = x.get(Acquire);\n}\n",
            (4, 13),
            "unknown atomic method 'get'",
        ),
        (
            "RUST T\n{}\nP0 {\n  x.store(1, Ordering::Foo);\n}\n",
            (4, 14),
            "unknown ordering 'Ordering::Foo'; valid: Relaxed",
        ),
        ("RUST T\n{}\nP0 {\n  let r = x.store(1, Relaxed);\n}\n", (4, 11), "store has no value"),
        (
            "RUST T\n{}\nP0 {\n  fence(Relaxed);\n}\n",
            (4, 9),
            "Relaxed is not a valid ordering for fence",
        ),
        ("RUST T\n{}\nP0 {\n  let r = y;\n}\n", (4, 11), "unknown variable 'y' in P0"),
    ],
)
def test_errors_name_the_place_and_what_was_expected(text, where, message):
    e = error_of(text)
    assert e.file == "t.litmus"
    assert (e.line, e.col) == where, e
    assert message in e.message, e


def test_missing_file_is_a_source_error(tmp_path):
    with pytest.raises(SourceError, match="cannot read litmus file"):
        parse_file(tmp_path / "nope.litmus")


# ---------------------------------------------------------------------------------------------
# The parser never crashes: a test or a SourceError, nothing else


SEEDS = [p.read_text() for p in HERD_FILES + EXAMPLE_FILES[::4]]


def _parse_or_source_error(text: str) -> None:
    try:
        parse_text(text)
    except SourceError as e:
        assert "\n" not in e.message


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_random_text_never_crashes(text):
    _parse_or_source_error(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet='{}[]()|;:=*/\\~P0123 \nxyrXW,.#$%&!<>-+"', max_size=200))
def test_litmus_flavoured_garbage_never_crashes(text):
    _parse_or_source_error("AArch64 T\n" + text)
    _parse_or_source_error("C T\n{}\nP0 (atomic_int* x) {" + text)
    _parse_or_source_error("RUST T\n{ x = 0; }\nP0 {" + text)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(SEEDS),
    st.lists(
        st.tuples(st.sampled_from(["delete", "duplicate"]), st.floats(0, 1), st.integers(1, 3)),
        min_size=1,
        max_size=4,
    ),
)
def test_mutated_real_tests_never_crash(seed, edits):
    text = seed
    for kind, where, length in edits:
        i = int(where * max(len(text) - 1, 0))
        text = (
            text[:i] + text[i + length :]
            if kind == "delete"
            else text[:i] + text[i : i + length] + text[i:]
        )
    _parse_or_source_error(text)


def test_a_mutation_that_breaks_a_test_is_reported_not_ignored():
    text = (
        (HERD / "aarch64" / "MP.litmus")
        .read_text()
        .replace("| LDR W2,[X3] ;", "| LDR W2,[X3] |", 1)
    )
    e = error_of(text)
    assert (e.line, e.col) == (14, 28) and "found '|'" in e.message
    assert dataclasses.is_dataclass(parse_file(HERD / "aarch64" / "MP.litmus"))


def test_shifts_parse_in_c_and_rust():
    rust = parse_text(
        "RUST sh\n{ x = 0; }\nP0 {\n  let r0 = x.load(Relaxed);\n  let r1 = (r0 << 2) >> 1;\n}\n"
        "exists (0:r1=0)\n"
    )
    c = parse_text(
        "C sh\n{ x = 0; }\nP0 (atomic_int* x) {\n"
        "  int r0 = atomic_load_explicit(x, memory_order_relaxed);\n  int r1 = (r0 << 2) >> 1;\n}\n"
        "exists (0:r1=0)\n"
    )
    for test in (rust, c):
        expr = test.threads[0].body[1].expr
        assert expr.op == ">>" and expr.left.op == "<<"


C_OPERATORS = """C prec
{ x = 0; }
P0 (atomic_int* x) {
  int r0 = 1 - 2 - 3 * 4 / 2 % 5;
  int r1 = r0 || r0 && 1 | 2 ^ 3 & 4 == 5 < 6 << 7 + 8;
  int r2 = (r0 + 1) * -(r1 - 2) << 1 >> 2 != !r0;
  if (r0 < 1) { *x = 1; }
  while ((r0)) { r0 = 0; }
}
exists (x = 1)
"""


def test_c_operators_nest_by_cs_precedence_left_to_right_within_a_level():
    r0, r1, r2 = (s.expr for s in parse_text(C_OPERATORS).threads[0].body[:3])
    one, two = Const(1), Const(2)
    assert r0 == BinOp("-", BinOp("-", one, two),
                       BinOp("%", BinOp("/", BinOp("*", Const(3), Const(4)), two), Const(5)))
    chain = BinOp("<<", Const(6), BinOp("+", Const(7), Const(8)))
    for op, left in (("<", 5), ("==", 4), ("&", 3), ("^", 2), ("|", 1)):
        chain = BinOp(op, Const(left), chain)
    assert r1 == BinOp("||", Var("r0"), BinOp("&&", Var("r0"), chain))
    product = BinOp("*", BinOp("+", Var("r0"), one), UnOp("-", BinOp("-", Var("r1"), two)))
    assert r2 == BinOp("!=", BinOp(">>", BinOp("<<", product, one), two), UnOp("!", Var("r0")))


@pytest.mark.parametrize("line, where", [
    ("  int r3 = atomic_load_explicit(((r0)) * 2, memory_order_relaxed);", (7, 33)),  # the (
    ("  int r3 = atomic_load_explicit(r0 + (1), memory_order_relaxed);", (7, 33)),
    ("  int r3 = (int)r0;", (7, 12)),
    ("  int r3 = ((int)r0);", (7, 13)),
    ("  (r0 + 1);", (7, 4)),  # the expression itself, inside its parentheses
])  # fmt: skip
def test_c_messages_point_where_the_expression_starts_its_parentheses_included(line, where):
    e = error_of(C_OPERATORS.replace("  if (r0", line + "\n  if (r0"))
    assert (e.line, e.col) == where
    body = parse_text(C_OPERATORS).threads[0].body
    assert (body[3].pos, body[4].pos) == (Pos(7, 3), Pos(8, 3))  # `if`, `while`


def test_semicolon_after_the_final_condition_is_accepted_as_herd_does():
    test = parse_text("X86 t\n{ x=0; }\n P0 ;\n MOV EAX,[x] ;\nexists (0:EAX=0);\n")
    assert test.condition.quantifier == "exists"


HEADER_LINE_TEST = """AArch64 header-words
variant ASL
{ 0:X1=x; }
 P0          ;
 LDR W0,[X1] ;
exists (0:X0=0)
"""


def test_a_header_line_of_words_without_equals_is_read_past_as_herd_does():
    # herd's AArch64.ASL NOP has `variant ASL` before its initial state; herd's splitter reads
    # past a line that is not key=value (before: "expected '{' ... found 'variant'")
    test = parse_text(HEADER_LINE_TEST, "t.litmus")
    assert test.name == "header-words" and len(test.threads) == 1


def test_a_thread_table_before_the_initial_state_is_still_an_error():
    text = HEADER_LINE_TEST.replace("variant ASL\n{ 0:X1=x; }\n", "")
    with pytest.raises(SourceError, match=r"t\.litmus:2:2: expected '\{' to open the initial state"):
        parse_text(text, "t.litmus")
