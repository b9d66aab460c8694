"""A test is read with the meaning herd7 gives it (herdtools7's lexers and parsers: lib/
stateParser.mly for conditions, lib/X86Parser.mly and the architectures' lexers for code): found
auditing fencelab's reader against herd's grammar. Each test runs the command line and asserts
the final states a reading gives."""

from __future__ import annotations

from tests.helpers import herd_counts, one_error
from tests.helpers.litmus import table

MP = ("MP", "0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x;",
      [["MOV W0,#1", "STR W0,[X1]", "MOV W2,#1", "STR W2,[X3]"],
       ["LDR W0,[X1]", "LDR W2,[X3]"]])  # fmt: skip


def test_implication_binds_tighter_than_and_and_or_as_in_herd(cli, tmp_path):
    """herd's stateParser.mly: %left OR, %left AND, %right IMPLIES, %nonassoc NOT. `a /\\ b =>
    c` is `a /\\ (b => c)` (was `(a /\\ b) => c`: 3 of MP's 4 states, not 1)."""
    # 1:X0=1 /\ (1:X2=0 => 1:X0=0): 1:X0=1 and not 1:X2=0, the one state 1:X0=1; 1:X2=1
    text = table(*MP, "exists (1:X0=1 /\\ 1:X2=0 => 1:X0=0)")
    assert herd_counts(cli, tmp_path, text, "arm") == ("Positive: 1 Negative: 3",
                                                       "Sometimes 1 3", 4)  # fmt: skip
    # (1:X2=1 => 1:X0=0) /\ 1:X0=1: the one state 1:X0=1; 1:X2=0 (was 1:X2=1 => (1:X0=0
    # /\ 1:X0=1): the two states with 1:X2=0)
    text = table(*MP, "exists (1:X2=1 => 1:X0=0 /\\ 1:X0=1)")
    assert herd_counts(cli, tmp_path, text, "arm") == ("Positive: 1 Negative: 3",
                                                       "Sometimes 1 3", 4)  # fmt: skip
    # the same, parenthesised as herd reads it, and printed back alike
    spelled = table(*MP, "exists ((1:X2=1 => 1:X0=0) /\\ 1:X0=1)")
    assert herd_counts(cli, tmp_path, spelled, "arm")[0] == "Positive: 1 Negative: 3"


def test_x86_reads_a_parenthesised_register_as_memory_as_herd_does(cli, tmp_path):
    """herd's X86Parser.mly: `rm32: ... LPAR reg RPAR | LBRK reg RBRK` are both a memory operand.
    `MOV EAX,(EBX)` was the register EBX itself to keystone's Intel syntax (y=0, the condition
    silently false); `MOV (EBX),$1` and `MOV [EBX],$1` were refused (no size, though herd's X86
    is 32-bit)."""
    for load, store in (("MOV EAX,(EBX)", "MOV (EBX),$1"), ("MOV EAX,[EBX]", "MOV [EBX],$1")):
        text = table("T", "x=5; y=0; 0:EBX=x;", [[load, "MOV [y],EAX", store]],
                     "exists (y=5 /\\ x=1)", arch="X86")  # fmt: skip
        assert herd_counts(cli, tmp_path, text, "tso") == ("Positive: 1 Negative: 0",
                                                           "Always 1 0", 1), load  # fmt: skip


def test_a_decimal_immediate_with_leading_zeros_is_decimal_as_in_herd(cli, tmp_path):
    """herd's lexers read `#010` with OCaml's int_of_string: 10 (octal is `0o10`); keystone read
    it as octal 8, so the code stored 8 while the condition's `y=010` meant 10."""
    for arch, init, code in (
        ("AArch64", "0:X1=y; y=0;", ["MOV W0,#010", "ADD W0,W0,#0", "STR W0,[X1]"]),
        ("ARM", "0:R1=y; y=0;", ["MOV R0,#010", "STR R0,[R1]"]),
        ("X86", "y=0;", ["MOV EAX,$010", "MOV [y],EAX"]),
        ("X86", "y=0;", ["MOV [y],010"]),
    ):  # fmt: skip
        text = table("T", init, [code], "exists (y=10)", arch=arch)
        assert herd_counts(cli, tmp_path, text, "sc") == ("Positive: 1 Negative: 0",
                                                          "Always 1 0", 1), code  # fmt: skip


def test_a_c_number_with_leading_zeros_is_refused_as_herd_and_c_differ(cli, tmp_path):
    """herd's CLexer reads `010` as 10 (OCaml's int_of_string), C as octal 8: fencelab read 8,
    a silently different test from herd's (whose initial state and condition read 010 as 10).
    Refused in one line at the number; `07` means 7 in both and is read."""
    path = tmp_path / "t.litmus"
    body = "P0 (atomic_int* x) {{\n  atomic_store_explicit(x, {}, memory_order_relaxed);\n}}\n"
    path.write_text("C T\n{ x=0; }\n" + body.format("010") + "exists (x=10)\n")
    assert one_error(cli(["run", str(path)])) == (
        f"fencelab: error: {path}:4:28: number 010 is octal 8 in C but decimal 10 in herd; "
        "write it without leading zeros")
    path.write_text("C T\n{ x=0; }\n" + body.format("07") + "exists (x=7)\n")
    assert cli(["run", str(path)]).output.splitlines()[2:4] == ["[x]=7;", "Ok"]


def test_show_prints_locations_as_herds_grammar_reads_them(cli, tmp_path):
    """herd's stateParser.mly reads `locations [...]` items as `rloc` (a register, a name, an
    element `t[1]`), with no `[x]`: `show` printed `locations [[x]; ...]`, which herd refuses."""
    path = tmp_path / "t.litmus"
    path.write_text(table(*MP, "locations [x; [y]; 1:X1;]\nexists (1:X2=0)"))
    shown = cli(["show", str(path)])
    assert shown.exit_code == 0, shown.output
    assert "locations [x; y; 1:X1;]" in shown.output.splitlines()
    assert herd_counts(cli, tmp_path, shown.output, "arm") == herd_counts(
        cli, tmp_path, path.read_text(), "arm")
