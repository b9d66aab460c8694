"""`--model tso-axiomatic`: x86 tests under herdtools7's x86tso-mixed.cat, counted as herd7
counts them (each allowed candidate execution once, by whether its final state satisfies the
condition), where the default operational `tso` counts final states. Through the command line,
piped; and the commands and tests it cannot act on are refused in one line. Likewise
`--model sc-axiomatic` (herd's sc.cat) beside the operational `sc`, on x86 and AArch64."""

from __future__ import annotations

import json

import pytest

from tests.cli.test_options import one_error
from tests.helpers import EXAMPLES, herd_counts
from tests.helpers.litmus import table


def counts(cli, tmp_path, text: str, model: str = "tso-axiomatic") -> tuple[str, str, int]:
    return herd_counts(cli, tmp_path, text, model)


def x86(name: str, init: str, threads: list[list[str]], cond: str) -> str:
    return table(name, init, threads, cond, arch="X86_64")


SB_ROWS = [["movl $1,(x)", "movl (y),%eax"], ["movl $1,(y)", "movl (x),%eax"]]
MFENCED = [["movl $1,(x)", "mfence", "movl (y),%eax"], ["movl $1,(y)", "mfence", "movl (x),%eax"]]
MP_ROWS = [["movl $1,(x)", "movl $1,(y)"], ["movl (y),%eax", "movl (x),%ebx"]]


@pytest.mark.parametrize("text, tso_axiomatic, tso", [
    # herd7's x86 SB and SB+mfences (catalogue/x86): 4 executions, one the condition's; with
    # MFENCEs the condition's is forbidden. Each state is one execution: both models agree
    (x86("SB", "", SB_ROWS, "exists (0:rax=0 /\\ 1:rax=0)"),
     ("Positive: 1 Negative: 3", "Sometimes 1 3", 4), ("Positive: 1 Negative: 3", "Sometimes 1 3", 4)),
    (x86("SB+mfences", "", MFENCED, "exists (0:rax=0 /\\ 1:rax=0)"),
     ("Positive: 0 Negative: 3", "Never 0 3", 3), ("Positive: 0 Negative: 3", "Never 0 3", 3)),
    # one register observed: SB+mfences' 3 executions end in 2 states (P0 reads 0 in one)
    (x86("SB+mfences", "", MFENCED, "exists (0:rax=0)"),
     ("Positive: 1 Negative: 2", "Sometimes 1 2", 2), ("Positive: 1 Negative: 1", "Sometimes 1 1", 2)),
    # MP, the data read alone observed: reads-from (y, x) = (0,0), (0,1), (1,1); (1,0) forbidden
    (x86("MP", "", MP_ROWS, "exists (1:rbx=0)"),
     ("Positive: 1 Negative: 2", "Sometimes 1 2", 2), ("Positive: 1 Negative: 1", "Sometimes 1 1", 2)),
    # 2+2W: x's two coherence orders times y's, less the cycle (x=1 and y=1 last): 3
    # executions; the condition names x only, so y's orders are counted apart
    (x86("2+2W", "", [["movl $1,(x)", "movl $2,(y)"], ["movl $1,(y)", "movl $2,(x)"]],
         "exists ([x]=1)"),
     ("Positive: 1 Negative: 2", "Sometimes 1 2", 2), ("Positive: 1 Negative: 1", "Sometimes 1 1", 2)),
    # two locked adds: each reads the other's write or the initial one, atomically: the two
    # orders of the writes are 2 executions of one state
    (x86("2LOCK", "", [["lock addl $1,(x)"], ["lock addl $2,(x)"]], "forall ([x]=3)"),
     ("Positive: 2 Negative: 0", "Always 2 0", 1), ("Positive: 1 Negative: 0", "Always 1 0", 1)),
    # two XCHGs: both reading the initial 0 breaks atomicity, under both models
    (x86("2XCHG", "0:rax=1; 1:rax=2;", [["xchgl %eax,(x)"], ["xchgl %eax,(x)"]],
         "exists (0:rax=0 /\\ 1:rax=0)"),
     ("Positive: 0 Negative: 2", "Never 0 2", 2), ("Positive: 0 Negative: 2", "Never 0 2", 2)),
])  # fmt: skip
def test_herds_counts_under_tso_axiomatic_and_states_under_tso(cli, tmp_path, text,
                                                                tso_axiomatic, tso):  # fmt: skip
    assert counts(cli, tmp_path, text) == tso_axiomatic
    assert counts(cli, tmp_path, text, "tso") == tso


def test_a_successful_cmpxchg_is_one_execution(cli, tmp_path):
    # herd's X86_64 CMPXCHG is one event structure (a choice on the comparison; rax written
    # only when it fails), not AArch64 CAS's two data provenances: P1 reads x=0 or x=1, one
    # execution each. It counted each twice (Positive: 2 Negative: 2)
    text = x86("CMPXCHG", "0:rax=0; 0:rdx=1;", [["lock cmpxchgl %edx,(x)"], ["movl (x),%ebx"]],
               "exists (1:rbx=1)")  # fmt: skip
    assert counts(cli, tmp_path, text) == ("Positive: 1 Negative: 1", "Sometimes 1 1", 2)
    failing = text.replace("0:rax=0;", "0:rax=7;")  # x is never 7: a read only, x stays 0
    assert counts(cli, tmp_path, failing) == ("Positive: 0 Negative: 1", "Never 0 1", 1)


def test_herds_own_x86_file_and_the_json_record(cli):
    path = EXAMPLES.parent / "tests" / "data" / "herd" / "x86" / "SB.litmus"
    out = cli(["run", "--model", "tso-axiomatic", str(path)]).output
    assert "Observation SB Sometimes 1 3" in out and "# Engine tso-axiomatic on x86_64" in out
    record = json.loads(cli(["run", "--model", "tso-axiomatic", "--json",
                             str(EXAMPLES / "x86_64" / "SB+xchgs.litmus")]).output)  # fmt: skip
    assert (record["model"], record["mode"], record["observation"]) == (
        "tso-axiomatic", "axiomatic", "Never")
    assert (record["positive"], record["negative"], len(record["states"])) == (0, 3, 3)


def test_check_takes_it_as_the_hardware_model(cli):
    result = cli(["check", str(EXAMPLES / "c" / "SB+rlx.litmus"), "-t", "x86_64",
                  "--model", "tso-axiomatic"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "1 sound, 0 UNSOUND" in result.output


@pytest.mark.parametrize("args, says", [
    (["run", str(EXAMPLES / "aarch64" / "MP.litmus"), "--model", "tso-axiomatic"],
     "MP: the tso-axiomatic model judges X86_64, X86 code; this is an AArch64 test"),
    (["run", str(EXAMPLES / "x86_64" / "SB.litmus"), "--model", "tso-axiomatic",
      "--mode", "random"], "the model here, tso-axiomatic, is axiomatic: it enumerates every execution"),
    (["run", str(EXAMPLES / "c" / "SB+rlx.litmus"), "--model", "tso-axiomatic"],
     "--model tso-axiomatic runs compiled code: name a --target"),
    (["run", str(EXAMPLES / "c" / "SB+rlx.litmus"), "--model", "tso-axiomatic", "-t", "armv8"],
     "--model tso-axiomatic covers X86_64, X86 code; it cannot act on --target armv8"),
    (["tui", str(EXAMPLES / "x86_64" / "SB.litmus"), "--model", "tso-axiomatic"],
     "tso-axiomatic is an axiomatic model, which cannot act here (valid: sc, tso, arm"),
    (["graph", str(EXAMPLES / "x86_64" / "SB.litmus"), "--model", "tso-axiomatic"],
     "tso-axiomatic is an axiomatic model, which cannot act here (valid: sc, tso, arm"),
    (["check", str(EXAMPLES / "c" / "SB+rlx.litmus"), "--model", "tso-axiomatic",
      "-t", "armv8"], "--model tso-axiomatic covers X86_64, X86 code"),
])  # fmt: skip
def test_where_it_cannot_act_it_is_refused(cli, args, says):
    assert says in one_error(cli(args))


# `sc-axiomatic`: herdtools7's sc.cat (`acyclic po | fr | rf | co`, `empty rmw & (fre;coe)`)
# over the same candidates, for every hardware architecture
@pytest.mark.parametrize("text, sc_axiomatic, sc", [
    (x86("SB", "", SB_ROWS, "exists (0:rax=0 /\\ 1:rax=0)"),
     ("Positive: 0 Negative: 3", "Never 0 3", 3), ("Positive: 0 Negative: 3", "Never 0 3", 3)),
    # one register of SB observed: 3 executions, 2 states
    (x86("SB", "", SB_ROWS, "exists (0:rax=0)"),
     ("Positive: 1 Negative: 2", "Sometimes 1 2", 2), ("Positive: 1 Negative: 1", "Sometimes 1 1", 2)),
    (x86("2LOCK", "", [["lock addl $1,(x)"], ["lock addl $2,(x)"]], "forall ([x]=3)"),
     ("Positive: 2 Negative: 0", "Always 2 0", 1), ("Positive: 1 Negative: 0", "Always 1 0", 1)),
    # AArch64 MP, the data read alone observed: 3 executions (reads-from (y, x) = (1, 0) is
    # not SC), 2 states
    (table("MP", "0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x;",
           [["MOV W0,#1", "STR W0,[X1]", "MOV W2,#1", "STR W2,[X3]"],
            ["LDR W0,[X1]", "LDR W2,[X3]"]], "exists (1:X2=0)"),
     ("Positive: 1 Negative: 2", "Sometimes 1 2", 2), ("Positive: 1 Negative: 1", "Sometimes 1 1", 2)),
])  # fmt: skip
def test_herds_counts_under_sc_axiomatic_and_states_under_sc(cli, tmp_path, text,
                                                              sc_axiomatic, sc):  # fmt: skip
    assert counts(cli, tmp_path, text, "sc-axiomatic") == sc_axiomatic
    assert counts(cli, tmp_path, text, "sc") == sc


def test_sc_axiomatic_is_refused_where_the_machine_steps(cli):
    says = one_error(cli(["tui", str(EXAMPLES / "x86_64" / "SB.litmus"), "--model",
                          "sc-axiomatic"]))  # fmt: skip
    assert "sc-axiomatic is an axiomatic model, which cannot act here" in says


@pytest.mark.parametrize("model", ["tso-axiomatic", "sc-axiomatic", "tso", "sc"])
@pytest.mark.parametrize("width, x", [("q", "int64_t x=5;"), ("l", "x=5;"), ("b", "int8_t x=5;")])
def test_a_locked_neg_is_one_read(cli, tmp_path, model, width, x):
    # QEMU runs LOCK NEG as a compare-exchange loop that reads x again; the axiomatic models
    # took each read as a read of its own, each drawing its value: a retry always possible,
    # a RecursionError traceback. One atomic read: -5+2 or -(5+2), one execution each
    text = x86("NEG", x, [[f"lock neg{width} (x)"], [f"lock add{width} $2,(x)"]],
               "exists ([x]=-3 \\/ [x]=-7)")  # fmt: skip
    assert counts(cli, tmp_path, text, model) == ("Positive: 2 Negative: 0", "Always 2 0", 2)
