"""Forms of herd7's litmus format that fencelab refused, read now with herd's meaning, and a few
herd refuses that fencelab read (herdtools7's lib/stateParser.mly and lib/stateLexer.mll for the
initial state and the condition, lib/X86Parser.mly and lib/X86_64Parser.mly for x86 code).
Each test runs the command line and asserts what it prints."""

from __future__ import annotations

import pytest

from tests.helpers import herd_counts, one_error
from tests.helpers.litmus import run_states, table

MP = ("MP", "0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x;",
      [["MOV W0,#1", "STR W0,[X1]", "MOV W2,#1", "STR W2,[X3]"],
       ["LDR W0,[X1]", "LDR W2,[X3]"]])  # fmt: skip
# MP's four states under arm; the condition holds in 1:X0=1; 1:X2=0 alone
ONE_OF_FOUR = ("Positive: 1 Negative: 3", "Sometimes 1 3", 4)


@pytest.mark.parametrize("cond, counts", [
    # herd's lexer: `~` and `exists` are two tokens (NOT EXISTS), any blank between
    ("~\nexists (1:X0=1 /\\ 1:X2=0)", ("Positive: 3 Negative: 1", "Sometimes 1 3", 4)),
    ("not exists (1:X0=1 /\\ 1:X2=0)", ("Positive: 3 Negative: 1", "Sometimes 1 3", 4)),
    # herd's constr: `FINAL prop`, `LPAR prop RPAR` and `OBSERVED obs` are ExistsState
    ("final (1:X0=1 /\\ 1:X2=0)", ONE_OF_FOUR),
    ("(1:X0=1 /\\ 1:X2=0)", ONE_OF_FOUR),
    ("observed 1:X0=1; 1:X2=0;", ONE_OF_FOUR),
    ("observed 1:X0=1; 1:X2=0; and 1:X0=0; 1:X2=1;", ("Positive: 2 Negative: 2",
                                                       "Sometimes 2 2", 4)),
    # herd reads the test kinds after `with` and ignores them
    ("exists (1:X0=1 /\\ 1:X2=0) with k:exists; j:~exists;", ONE_OF_FOUR),
    # herd's PROC token: `P1:X0` is `1:X0`
    ("exists (P1:X0=1 /\\ P1 : X2=0)", ONE_OF_FOUR),
])  # fmt: skip
def test_herds_constraint_forms_are_read_with_its_meaning(cli, tmp_path, cond, counts):
    """Each was refused in one line; the bare `(P)` with a misleading "expected ';' after
    instruction row"."""
    assert herd_counts(cli, tmp_path, table(*MP, cond), "arm") == counts


def test_herds_proc_register_in_the_initial_state_and_show_prints_ours(cli, tmp_path):
    """`P0:X1=x` (herd's PROC COLON reg) was "cannot read initial-state item"."""
    name, _, threads = MP
    text = table(name, "P0:X1=x; P0:X3=y; P1:X1=y; 1:X3=x;", threads,
                 "exists (1:X0=1 /\\ 1:X2=0) with k:exists")  # fmt: skip
    assert herd_counts(cli, tmp_path, text, "arm") == ONE_OF_FOUR
    shown = cli(["show", str(tmp_path / "t.litmus")])
    assert shown.exit_code == 0, shown.output
    assert " 0:X1=x; 0:X3=y;" in shown.output.splitlines()
    assert "(* with k:exists *)" in shown.output.splitlines()
    twice = table(name, "P0:X1=x; 0:X1=y; 1:X1=y; 1:X3=x; 0:X3=y;", threads, "exists (1:X0=1)")
    (tmp_path / "t.litmus").write_text(twice)
    assert one_error(cli(["run", str(tmp_path / "t.litmus")])).endswith(
        "t.litmus:3:10: register '0:X1' initialised twice")


def test_x86_64_bare_number_source_is_an_immediate_as_in_herd(cli, tmp_path):
    """herd's X86_64 lexer makes `1` a NUM, an immediate as mov/add/or/xor/cmp's first
    operand; keystone's AT&T read address 1 and the run failed ("read of 4 bytes at 0x1")."""
    text = table("T", "x=0;", [["movl 1,%eax", "movl %eax,(x)", "movq -3,%rbx",
                                "L0: lock addl 5,(x)", "cmpl 6,(x)"]],
                 "exists (0:rax=1 /\\ 0:rbx=-3 /\\ x=6)", arch="X86_64")  # fmt: skip
    assert herd_counts(cli, tmp_path, text, "tso") == ("Positive: 1 Negative: 0", "Always 1 0", 1)


def test_x86_64_cmpxchg_with_its_memory_operand_first_is_herds_order(cli, tmp_path):
    """herd's X86_64Parser.mly `I_CMPXCHG effaddr COMMA reg`: `lock cmpxchgl (x),%ecx` compares
    rax with x and stores ecx there (the order `fencelab compile` writes); keystone's AT&T
    refused it (a cmpxchg's source is a register)."""
    text = table("T", "x=0;", [["movl $0,%eax", "movl $1,%ecx", "lock cmpxchgl (x),%ecx"],
                               ["movl $2,(x)"]],
                 "exists (0:rax=2 /\\ x=2)", arch="X86_64")  # fmt: skip
    assert herd_counts(cli, tmp_path, text, "tso") == ("Positive: 1 Negative: 1", "Sometimes 1 1", 2)
    states, _ = run_states(cli, tmp_path, text, "tso")
    assert states == ["0:rax=0; [x]=2;", "0:rax=2; [x]=2;"]


def test_x86_lock_then_semicolon_is_a_locked_instruction_as_in_herd(cli, tmp_path):
    """herd's X86Parser.mly `I_LOCK semi_opt instr`: `LOCK ; XCHG [x],EAX` is one locked
    instruction; its `;` ended fencelab's row ("instruction row has 1 cell(s)", or keystone's
    "cannot decode bytes ... f0" in a one-thread test)."""
    text = table("SB+locks", "x=0; y=0;", [["MOV EAX,$1", "LOCK ; XCHG [x],EAX", "MOV EBX,[y]"],
                                           ["MOV EAX,$1", "L1: lock; XCHG [y],EAX",
                                            "MOV EBX,[x]"]],
                 "exists (0:EBX=0 /\\ 1:EBX=0)", arch="X86")  # fmt: skip
    assert herd_counts(cli, tmp_path, text, "tso") == ("Positive: 0 Negative: 3", "Never 0 3", 3)
    shown = cli(["show", str(tmp_path / "t.litmus")])
    assert "LOCK XCHG [x],EAX" in shown.output and "L1: lock XCHG [y],EAX" in shown.output


def test_x86_lock_takes_its_instruction_from_a_later_line_as_in_herd(cli, tmp_path):
    """herd's X86 lexer skips line breaks and comments, so a cell ending in `LOCK ;` (or
    `LOCK`) locks the instruction on the next line, which belongs to the same row. fencelab
    refused both ("'LOCK ;' needs its instruction after it on the same line"; without the
    `;`, "expected ';' after instruction row, found 'ADD' on the next line"); an ADD the LOCK
    did not reach would be refused too, as a non-atomic read-modify-write."""
    text = ("X86 2LOCK\n{ x=0; }\n P0 | P1 ;\n LOCK ;\n ADD [x],$1 | LOCK\n (* locked *)\n"
            " ADD [x],$2 ;\nforall (x=3)\n")  # fmt: skip
    assert herd_counts(cli, tmp_path, text, "tso") == ("Positive: 1 Negative: 0", "Always 1 0", 1)
    # herd's count: two executions (the two coherence orders of the adds), one state
    assert herd_counts(cli, tmp_path, text, "tso-axiomatic") == ("Positive: 2 Negative: 0",
                                                                 "Always 2 0", 1)  # fmt: skip
    shown = cli(["show", str(tmp_path / "t.litmus")])
    assert " LOCK ADD [x],$1 | LOCK ADD [x],$2 ;" in shown.output.splitlines()


@pytest.mark.parametrize("rows, where, found", [
    # herd's `I_LOCK semi_opt instr`: an instruction must follow, not a cell's end
    (" LOCK ; | ADD [x],$2 ;\n", "4:9", "'|'"),
    (" LOCK | ADD [x],$2 ;\n", "4:7", "'|'"),
    (" ADD [x],$1 | LOCK ;\n", "5:1", "'forall'"),
])  # fmt: skip
def test_x86_lock_without_its_instruction_is_refused_in_one_line(cli, tmp_path, rows, where,
                                                                  found):  # fmt: skip
    """`LOCK | ...` reached keystone alone ("cannot decode bytes ... f0")."""
    path = tmp_path / "t.litmus"
    path.write_text(f"X86 T\n{{ x=0; }}\n P0 | P1 ;\n{rows}forall (x=3)\n")
    assert one_error(cli(["run", str(path)])) == (
        f"fencelab: error: {path}:{where}: 'LOCK' needs its instruction after it, found {found}")


@pytest.mark.parametrize("code, number, pieces, decimal", [
    # herd's X86Lexer.mll: `num = digit+`, `'$' ('-'? num)`: no hexadecimal form
    ("MOV [x],$0x10", "'$0x10'", "'$0' then the name 'x10'", "$16"),
    ("MOV EAX,0x10", "'0x10'", "'0' then the name 'x10'", "16"),
    ("MOV EAX,$-0X1f", "'$-0X1f'", "'$-0' then the name 'X1f'", "$-31"),
    ("L0: MOV EAX,[0x10]", "'0x10'", "'0' then the name 'x10'", "16"),
])  # fmt: skip
def test_x86_hexadecimal_numbers_are_refused_as_herd_refuses_them(cli, tmp_path, code, number,
                                                                   pieces, decimal):  # fmt: skip
    """fencelab read `MOV [x],$0x10` as 16 (keystone's reading), a test herd does not read."""
    path = tmp_path / "t.litmus"
    path.write_text(table("T", "x=0;", [[code]], "exists (x=16)", arch="X86"))
    assert one_error(cli(["run", str(path)])) == (
        f"fencelab: error: {path}:6:2: hexadecimal number {number}: herd's X86 reads decimal "
        f"numbers only ({pieces}, which it refuses); write {decimal}")
    # written in decimal, the number is read
    text = table("T", "x=0;", [["MOV [x],$16", "MOV EAX,[x]"]], "exists (x=16 /\\ 0:EAX=16)",
                 arch="X86")  # fmt: skip
    assert herd_counts(cli, tmp_path, text, "tso") == ("Positive: 1 Negative: 0", "Always 1 0", 1)


X86_64_HERD_FORMS = """X86_64 forms
{ x=0; y=0; z=0; 0:rbx=y; 0:rcx=z; }
 P0              ;
 mov $1,[x]      ;
 mov $2,[rbx]    ;
 mov 3,[%rcx]    ;
 lock add $4,[x] ;
 LOCK ;
 INC [y]         ;
 mov [x],%eax    ;
exists (x=5 /\\ y=3 /\\ z=3 /\\ 0:rax=5)
"""


@pytest.mark.parametrize("model", ["tso", "tso-axiomatic", "sc"])
def test_x86_64_brackets_and_sizeless_mnemonics_read_as_herd_reads_them(cli, tmp_path, model):
    """herd's X86_64Parser.mly `rm64` reads `[x]` as `(x)`, `[%rbx]` and `[rbx]` as `(%rbx)`,
    and a size-less `mov`, `add`, `inc` ... is its INSb, a 32-bit access (X86_64Arch_herd.ml
    `inst_size_to_mach_size`). fencelab refused `[x]` ("Brackets expression not supported")
    and a size-less instruction naming no register ("Invalid operand")."""
    assert herd_counts(cli, tmp_path, X86_64_HERD_FORMS, model) == (
        "Positive: 1 Negative: 0", "Always 1 0", 1)
    from fencelab.litmus.parser import parse_text
    from fencelab.program.load import load

    program = load(parse_text(X86_64_HERD_FORMS))
    try:
        thread = program.threads[0]
        made = [(d.mnemonic, d.info.width, d.info.locked)
                for d in program.target.disassemble(thread.code, thread.base)]
    finally:
        program.release()
    assert made == [("movl", 4, False), ("movl", 4, False), ("movl", 4, False),
                    ("lock addl", 4, True), ("lock incl", 4, True), ("movabsl", 4, False)]


def test_x86_64_sb_with_brackets_has_the_verdicts_of_its_at_t_spelling(cli, tmp_path):
    bracketed = table("SB", "x=0; y=0;", [["mov $1,[x]", "mov [y],%eax"],
                                          ["mov $1,[y]", "mov [x],%eax"]],
                      "exists (0:rax=0 /\\ 1:rax=0)", arch="X86_64")  # fmt: skip
    at_t = table("SB", "x=0; y=0;", [["movl $1,(x)", "movl (y),%eax"],
                                     ["movl $1,(y)", "movl (x),%eax"]],
                 "exists (0:rax=0 /\\ 1:rax=0)", arch="X86_64")  # fmt: skip
    for model, counts in (("tso", ("Positive: 1 Negative: 3", "Sometimes 1 3", 4)),
                          ("sc", ("Positive: 0 Negative: 3", "Never 0 3", 3))):  # fmt: skip
        assert herd_counts(cli, tmp_path, bracketed, model) == counts
        assert herd_counts(cli, tmp_path, at_t, model) == counts


@pytest.mark.parametrize("model", ["tso", "tso-axiomatic", "sc"])
def test_x86_64_registers_named_without_percent_are_registers_as_in_herd(cli, tmp_path, model):
    """herd's X86_64Lexer.mll makes a name that is a register's (any case) the register, `%`
    or not: `(rbx)` is the memory rbx points to. fencelab read `(rbx)` as a location named
    rbx, so the store went there and `x=2` was Never, silently; `movl $2,eax` was keystone's
    "Cannot find a symbol"."""
    text = table("T", "x=0; 0:rbx=x;", [["movl $2,eax", "movl eax,(rbx)", "movl 0(RBX),%ecx"]],
                 "exists (x=2 /\\ 0:rcx=2)", arch="X86_64")  # fmt: skip
    assert herd_counts(cli, tmp_path, text, model) == ("Positive: 1 Negative: 0", "Always 1 0", 1)


@pytest.mark.parametrize("jump, rax, stored", [
    ("jlt", 1, 0), ("jlt", 3, 1), ("jgt", 3, 0), ("jgt", 1, 1), ("JLT", 1, 0), ("JGT", 1, 1),
])  # fmt: skip
def test_x86_64_jlt_and_jgt_are_gnus_jl_and_jg(cli, tmp_path, jump, rax, stored):
    """herd's X86_64Lexer.mll spells GNU's `jl` and `jg` as `jlt` and `jgt` (any case);
    keystone refused them ("Invalid mnemonic"). On equal operands herd's `jlt` jumps too
    (README, "herd compatibility"), which this test does not give it."""
    text = table("T", f"x=0; 0:rax={rax};",
                 [["cmpl $2,%eax", f"{jump} L0", "movl $1,(x)", "L0:"]], "exists (x=0)",
                 arch="X86_64")  # fmt: skip
    assert run_states(cli, tmp_path, text, "tso")[0] == [f"[x]={stored};"]


NEGATIVE_HEX = ("negative hexadecimal number '-0x1': herd reads a number as decimal, maybe "
                "negative, or hexadecimal without a sign; write it in decimal")


@pytest.mark.parametrize("init, cond, where, message", [
    # herd's stateLexer: `decimal = '-'? digit+`, hexadecimal without a sign
    ("x=-0x1; 0:X1=x;", "exists (0:X0=1)", "3:3", NEGATIVE_HEX),
    ("x=0; 0:X1=x;", "exists (0:X0=-0x1)", "7:14", NEGATIVE_HEX),
    # herd: "Declared size of array x does not match initial value size"
    ("int x[2]={1}; 0:X1=x;", "exists (0:X0=1)", "3:1",
     "array 'x' of 2 has 1 values (herd: the declared size must match the values)"),
    # herd's atom_init `locindex EQUAL maybev { raise Parsing.Parse_error }`
    ("int x[2]; x[1]=5; 0:X1=x;", "exists (0:X0=1)", "3:11",
     "'x[1]=5': herd refuses an element set alone in the initial state; give every element's "
     "value where 'x' is declared (x[2]={...})"),
])  # fmt: skip
def test_forms_herd_refuses_are_refused(cli, tmp_path, init, cond, where, message):
    """fencelab read `-0x1` as -1, padded `{1}` with 0 and set `x[1]` alone."""
    path = tmp_path / "t.litmus"
    path.write_text(table("T", init, [["LDR W0,[X1]"]], cond))
    assert one_error(cli(["run", str(path)])) == f"fencelab: error: {path}:{where}: {message}"


def test_fencelab_never_prints_the_forms_it_now_refuses(cli, tmp_path):
    """show and compile print a negative value in decimal and an array with every value."""
    path = tmp_path / "t.litmus"
    path.write_text("C T\n{ int x=-1; int v[2]={0,5}; }\n"
                    "P0 (atomic_int* x, atomic_int* v) {\n"
                    "  int r0 = atomic_load_explicit(x, memory_order_relaxed);\n"
                    "  atomic_store_explicit(v, -16, memory_order_relaxed);\n}\n"
                    "exists (0:r0=-1 /\\ v[1]=5)\n")  # fmt: skip
    for args in (["show", str(path)], ["compile", "-t", "armv8", str(path)],
                 ["compile", "-t", "x86_64", str(path)]):  # fmt: skip
        result = cli(args)
        assert result.exit_code == 0, result.output
        assert "-0x" not in result.output and "v[2]={0,5};" in result.output.replace(" ", "")
        again = tmp_path / "again.litmus"
        again.write_text(result.output)
        assert cli(["run", str(again)]).exit_code == 0


# herd's lexers read a line break in the code as a blank (AArch64Lexer.mll, X86_64Lexer.mll:
# `'\n' { incr_lineno lexbuf; token lexbuf }`) and its grammar splits the code into rows at
# SEMI and cells at PIPE (`proc_list`, `iol_list`, `instr_option_list`), so a row goes on
# across lines to its `;` and a cell to its `|`; each pair below: herd's one test, written on
# one line a row, then across lines
MP_ONE_LINE = """AArch64 MP
{ 0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x; }
 P0 | P1 ;
 MOV W0,#1 | LDR W0,[X1] ;
 STR W0, [X1] | LDR W2, [X3] ;
 MOV W2,#1 | ;
 L0: STR W2,[X3] | ;
exists (1:X0=1 /\\ 1:X2=0)
"""
MP_ACROSS_LINES = """AArch64 MP
{ 0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x; }
; P0 |
  P1 ;
 MOV W0,#1 |
   LDR W0,[X1] ; STR W0,
 [X1] | LDR W2,
 (* a comment inside a cell *) [X3]
 ;
 MOV W2,#1 |;
 L0:
 STR W2,[X3]
 | ;
exists (1:X0=1 /\\ 1:X2=0)
"""
SB_ONE_LINE = """X86_64 SB
{ x=0; y=0; }
 P0 | P1 ;
 movl $1, (x) | movl $1,%ebx ;
 mfence | lock xchgl %ebx, (y) ;
 movl (y),%eax | movl (x),%eax ;
exists (0:rax=0 /\\ 1:rax=0)
"""
SB_ACROSS_LINES = """X86_64 SB
{ x=0; y=0; }
 P0
 | P1 ; movl $1,
 (x) |
 movl $1,%ebx ; mfence | lock ;
 xchgl %ebx,
 (y) ; movl (y),%eax
 | movl (x),%eax ;
exists (0:rax=0 /\\ 1:rax=0)
"""


@pytest.mark.parametrize("one_line, across, model, counts", [
    (MP_ONE_LINE, MP_ACROSS_LINES, "arm", ("Positive: 1 Negative: 3", "Sometimes 1 3", 4)),
    (MP_ONE_LINE, MP_ACROSS_LINES, "arm-axiomatic",
     ("Positive: 1 Negative: 3", "Sometimes 1 3", 4)),
    (SB_ONE_LINE, SB_ACROSS_LINES, "tso", ("Positive: 0 Negative: 3", "Never 0 3", 3)),
    (SB_ONE_LINE, SB_ACROSS_LINES, "sc", ("Positive: 0 Negative: 3", "Never 0 3", 3)),
], ids=["MP-arm", "MP-arm-axiomatic", "SB-tso", "SB-sc"])  # fmt: skip
def test_rows_across_lines_are_read_as_herd_reads_them(cli, tmp_path, one_line, across, model,
                                                       counts):  # fmt: skip
    """A test written with its rows across lines has the cells, threads and verdicts of its
    one-line spelling. fencelab refused every form above but `LOCK ;` ("expected ';' after
    instruction row, found 'LDR' on the next line", "expected the thread table header")."""
    assert herd_counts(cli, tmp_path, one_line, model) == counts
    shown = cli(["show", str(tmp_path / "t.litmus")])
    assert herd_counts(cli, tmp_path, across, model) == counts
    shown_across = cli(["show", str(tmp_path / "t.litmus")])
    assert shown.exit_code == shown_across.exit_code == 0, shown_across.output
    table_lines = [ln for ln in shown.output.splitlines() if "|" in ln]
    assert table_lines == [ln for ln in shown_across.output.splitlines() if "|" in ln]
    assert len(table_lines) == (5 if one_line is MP_ONE_LINE else 4)  # the header and the rows


@pytest.mark.parametrize("code, where, message", [
    # the row's `;` is missing before the condition: herd's splitter ends the code at `exists`
    (" P0 ;\n MOV W0,#1 ;\n STR W0,[X1]\n", "5:13",
     "expected ';' after instruction row, found 'exists'"),
    (" P0 | P1 ;\n MOV W0,#1 |\n NOP\n", "5:5",
     "expected ';' after instruction row, found 'exists'"),
    # ... or at one of its words in a row (herd: the code ends inside the row)
    (" P0 ;\n MOV W0,#1 ;\n B filter ;\n", "5:4",
     "expected ';' after instruction row, found 'filter'"),
    # a line that ends a row without its `;`, the next row on the next line
    (" P0 | P1 ;\n MOV W0,#1 | NOP\n NOP | NOP ;\n", "4:17",
     "expected ';' after instruction row, found 'NOP' on the next line"),
    # the header's `;` is missing
    (" P0 |\n P1\n MOV W0,#1 | NOP ;\n", "5:2",
     "expected '|' or ';' after 'P1' in the thread table header, found 'MOV'"),
    # two instructions in one cell (herd: a syntax error): assembled as one line, refused
    (" P0 ;\n MOV W0,#1\n STR W0,[X1] ;\n", "4:2",
     "P0: cannot assemble 'MOV W0,#1 STR W0,[X1]': the assembler made 0 instructions of it "
     "(its cell goes on over 2 lines, to the next '|' or ';': herd reads a line break in a "
     "row as a blank; is a ';' missing?)"),
])  # fmt: skip
def test_rows_across_lines_herd_refuses_are_refused_in_one_line(cli, tmp_path, code, where,
                                                                message):  # fmt: skip
    path = tmp_path / "t.litmus"
    path.write_text(f"AArch64 T\n{{ 0:X1=x; }}\n{code}exists (x=1)\n")
    assert one_error(cli(["run", str(path)])) == f"fencelab: error: {path}:{where}: {message}"


X86_64_SIZELESS_64 = """X86_64 sizeless64
{
 int64_t x=0x500000003; int64_t y=0; int64_t z=0x900000009; int64_t 0:rcx=-1;
 int64_t 0:rax=0x100000002; int64_t 0:rbx=0x700000007; int64_t 0:rdx=0x800000008;
}
 P0                ;
 mov %rax,(y)      ;
 mov (x),%rcx      ;
 lock add %rbx,[x] ;
 xchg %rdx,(z)     ;
 mov %rax,%rsi     ;
locations [x; y; z; 0:rcx; 0:rdx;]
exists (x=0x50000000a /\\ y=2 /\\ z=0x900000008 /\\ 0:rcx=3 /\\ 0:rdx=9)
"""


@pytest.mark.parametrize("model", ["tso", "tso-axiomatic", "sc"])
def test_x86_64_sizeless_mnemonics_with_a_64_bit_register_are_herds_32_bit_accesses(
        cli, tmp_path, model):  # fmt: skip
    """herd's size-less mov, add, xchg... is its INSb: a 32-bit memory access
    (X86_64Arch_herd.ml `inst_size_to_mach_size`), the register read and written whole
    (X86_64Sem.ml: INSb masks no value). With -variant mixed, herd's reading of a partial
    access, fencelab's: 4 bytes of memory get the register's low half (y=2, x's upper half
    kept, 5 and 9), a read gives 4 bytes, zero-extended (rcx=3, rdx=9). fencelab took AT&T's
    register size: 8-byte accesses (y=0x100000002, x=0xc0000000a...), and `mov (x),%rcx` read
    at x+7 ("read of 8 bytes at 0x110011, which is no location of the test")."""
    from tests.helpers.litmus import run_states

    states, ok = run_states(cli, tmp_path, X86_64_SIZELESS_64, model)
    assert (states, ok) == (["0:rcx=3; 0:rdx=9; [x]=21474836490; [y]=2; [z]=38654705672;"], "Ok")
    from fencelab.litmus.parser import parse_text
    from fencelab.program.load import load

    program = load(parse_text(X86_64_SIZELESS_64))
    try:
        thread = program.threads[0]
        made = [(d.mnemonic, d.info.width)
                for d in program.target.disassemble(thread.code, thread.base)]
    finally:
        program.release()
    # (without memory, the register's size: `mov %rax,%rsi` is movq, as in herd)
    assert made == [("movl", 4), ("movl", 4), ("lock addl", 4), ("xchgl", 4), ("movq", 0)]


@pytest.mark.parametrize("code, message", [
    ("lock add (x),%rax", "'lock add (x),%rax': herd's size-less add is a 32-bit access to "
     "memory (X86_64Arch_herd.ml) that adds into all 64 bits of %rax, which no x86 instruction "
     "does; write addl with a 32-bit register, or addq"),
    ("cmp %rax,(x)", "'cmp %rax,(x)': herd's size-less cmp is a 32-bit access to memory "
     "(X86_64Arch_herd.ml) compared with all 64 bits of %rax, which no x86 instruction does; "
     "write cmpl with a 32-bit register, or cmpq"),
    ("mov %ax,[x]", "'mov %ax,[x]': herd's size-less mov is a 32-bit access to memory "
     "(X86_64Arch_herd.ml) with the 16-bit %ax, stored zero-extended to 4 bytes or or-ed with "
     "the 4 bytes read, which no x86 instruction does; write movw (16 bits) or movl with a "
     "32-bit register"),
    ("xchg (x),%bl", "'xchg (x),%bl': herd's size-less xchg is a 32-bit access to memory "
     "(X86_64Arch_herd.ml) with the 8-bit %bl, stored zero-extended to 4 bytes or or-ed with "
     "the 4 bytes read, which no x86 instruction does; write xchgb (8 bits) or xchgl with a "
     "32-bit register"),
])  # fmt: skip
def test_x86_64_sizeless_mnemonics_no_instruction_makes_are_refused_in_one_line(cli, tmp_path,
                                                                                code, message):  # fmt: skip
    """herd reads these (X86_64Parser.mly's INSb) with a 32-bit memory access and a register of
    another width; fencelab assembled AT&T's register-sized instruction (an 8-, 16- or 64-bit
    access, other values), without a word."""
    path = tmp_path / "t.litmus"
    path.write_text(table("T", "int64_t x=0;", [[code]], "exists (x=1)", arch="X86_64"))
    assert one_error(cli(["run", str(path)])) == f"fencelab: error: {path}:6:2: {message}"
