"""herd's `Positive: p Negative: n` and `Observation NAME ... p n` counts through the command
line. Under the axiomatic models (arm-axiomatic, armv7-axiomatic, c11, rc11, sc-source) they
count candidate executions the model allows, as herd7 does (herd/top_herd.ml: one `pos` or
`neg` per execution by whether its final state satisfies the proposition), not final states:
two executions that end in one state count twice (a coherence order of a location the
condition does not name, a read that reads one value from two writes, the two data
provenances herd gives a successful CAS). The operational models count states. Under
`~exists` herd's `Positive:` line gives the executions that do *not* satisfy the proposition
first (`check_wit`); the `Observation` line and the JSON record keep `pos neg`."""

from __future__ import annotations

import json

import pytest

from tests.helpers import herd_counts
from tests.helpers.litmus import table

counts = herd_counts


# MP, the data read alone observed: 4 executions (each read from the initial write or the
# other thread's), 2 states
MP = table("MP", "0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x;",
           [["MOV W0,#1", "STR W0,[X1]", "MOV W2,#1", "STR W2,[X3]"],
            ["LDR W0,[X1]", "LDR W2,[X3]"]],
           "exists (1:X2=0)")  # fmt: skip


def test_mp_counts_executions_under_arm_axiomatic_and_states_under_arm(cli, tmp_path):
    assert counts(cli, tmp_path, MP, "arm-axiomatic") == (
        "Positive: 2 Negative: 2", "Sometimes 2 2", 2)
    assert counts(cli, tmp_path, MP, "arm") == ("Positive: 1 Negative: 1", "Sometimes 1 1", 2)


def test_mp_with_fences_under_not_exists_swaps_herds_witness_line(cli, tmp_path):
    text = table("MP+dmbs", "0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x;",
                 [["MOV W0,#1", "STR W0,[X1]", "DMB SY", "MOV W2,#1", "STR W2,[X3]"],
                  ["LDR W0,[X1]", "DMB SY", "LDR W2,[X3]"]],
                 "~exists (1:X0=1 /\\ 1:X2=0)")  # fmt: skip
    # 3 executions allowed, none with the forbidden state: herd prints `Positive: 3
    # Negative: 0` (the witnesses of ~exists are the executions without it), `Never 0 3`
    for model in ("arm-axiomatic", "arm"):
        assert counts(cli, tmp_path, text, model) == (
            "Positive: 3 Negative: 0", "Never 0 3", 3), model


def test_sb_counts_every_read_choice(cli, tmp_path):
    text = table("SB", "0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x;",
                 [["MOV W0,#1", "STR W0,[X1]", "LDR W2,[X3]"]] * 2,
                 "exists (0:X2=0)")  # fmt: skip
    assert counts(cli, tmp_path, text, "arm-axiomatic") == (
        "Positive: 2 Negative: 2", "Sometimes 2 2", 2)


def two_plus_two_w(fence: list[str], cond: str) -> str:
    return table("2+2W", "0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x;",
                 [["MOV W0,#1", "STR W0,[X1]", *fence, "MOV W2,#2", "STR W2,[X3]"]] * 2,
                 cond)  # fmt: skip


def test_2_2w_counts_the_coherence_order_of_a_location_the_condition_does_not_name(
        cli, tmp_path):  # fmt: skip
    # x's two orders times y's two: 4 executions, 2 states (x=1, x=2)
    assert counts(cli, tmp_path, two_plus_two_w([], "exists (x=1)"), "arm-axiomatic") == (
        "Positive: 2 Negative: 2", "Sometimes 2 2", 2)
    # with DMBs, 2+2W's cycle (x=1 and y=1 last) is forbidden: 3 executions of 3 states
    fenced = two_plus_two_w(["DMB SY"], "exists (x=1 /\\ y=1)")
    assert counts(cli, tmp_path, fenced, "arm-axiomatic") == (
        "Positive: 0 Negative: 3", "Never 0 3", 3)


def test_a32_under_armv7_axiomatic(cli, tmp_path):
    text = table("SB", "0:R1=x; 0:R3=y; 1:R1=y; 1:R3=x;",
                 [["MOV R0,#1", "STR R0,[R1]", "LDR R2,[R3]"]] * 2,
                 "exists (0:R2=0)", arch="ARM")  # fmt: skip
    assert counts(cli, tmp_path, text, "armv7-axiomatic") == (
        "Positive: 2 Negative: 2", "Sometimes 2 2", 2)
    assert counts(cli, tmp_path, text, "armv7") == ("Positive: 1 Negative: 1", "Sometimes 1 1", 2)


def test_a_successful_cas_is_two_executions_a_failed_one_too(cli, tmp_path):
    # herd's CAS: a success returns Rs's data from the compare register or from the read
    # (eventsMonad.ml `altT (do_ DataFromRRs) (do_ DataFromRx)`), a failure comes with and
    # without a control edge from the compare register (`altT (do_ true) (do_ false)`); each
    # is an event structure of its own, and its executions are counted
    text = table("CAS", "0:X0=x; 0:X3=y; 1:X0=x; 1:X3=y;",
                 [["MOV W1,#0", "MOV W2,#1", "CAS W1,W2,[X0]"], ["LDR W4,[X0]"]],
                 "exists (1:X4=1)")  # fmt: skip
    # the CAS succeeds (x=0): P1 reads x=0 or x=1, each execution twice
    assert counts(cli, tmp_path, text, "arm-axiomatic") == (
        "Positive: 2 Negative: 2", "Sometimes 2 2", 2)
    failing = text.replace("MOV W1,#0", "MOV W1,#7")  # x is never 7: the CAS fails
    assert counts(cli, tmp_path, failing, "arm-axiomatic") == (
        "Positive: 0 Negative: 2", "Never 0 2", 1)


RMW = """C RMW
{ atomic_int x = 0; }

P0 (atomic_int* x) {
  int r0 = atomic_fetch_add_explicit(x, 1, memory_order_relaxed);
}

P1 (atomic_int* x) {
  int r0 = atomic_fetch_add_explicit(x, 2, memory_order_relaxed);
}

forall (x=3)
"""


@pytest.mark.parametrize("model", ["rc11", "c11", "sc-source"])
def test_two_rmws_are_two_executions_of_one_state(cli, tmp_path, model):
    # which RMW is first (its modification order): 2 executions, x=3 in both; with the
    # registers named, 2 states
    assert counts(cli, tmp_path, RMW, model) == ("Positive: 2 Negative: 0", "Always 2 0", 1)
    named = RMW.replace("forall (x=3)", "locations [0:r0; 1:r0;]\nforall (x=3)")
    assert counts(cli, tmp_path, named, model) == ("Positive: 2 Negative: 0", "Always 2 0", 2)


RACE = """C W+race
{ int x = 0; int y = 0; }

P0 (int* x, int* y) {
  *x = 1;
  *y = 1;
}

P1 (int* y) {
  *y = 2;
}

exists (x=1)
"""


def test_a_racy_c_test_counts_the_orders_of_its_race(cli, tmp_path):
    path = tmp_path / "race.litmus"
    path.write_text(RACE)
    result = cli(["run", "--model", "rc11", str(path)])
    lines = result.output.splitlines()
    # y's two modification orders: 2 executions, one state; the race makes it Undef
    assert lines[1:4] == ["States 1", "[x]=1;", "Undef"]
    assert "Positive: 2 Negative: 0" in lines and "Flag *undef*" in lines
    assert "Observation W+race Always 2 0" in lines
    record = json.loads(cli(["run", "--model", "rc11", "--json", str(path)]).output)
    assert (record["positive"], record["negative"], record["observation"]) == (2, 0, "Always")
    assert record["flags"] == ["*undef*"]


def test_json_keeps_pos_and_neg_unswapped_under_not_exists(cli, tmp_path):
    text = RMW.replace("forall (x=3)", "~exists (x=3)")
    path = tmp_path / "t.litmus"
    path.write_text(text)
    out = cli(["run", "--model", "rc11", str(path)]).output
    assert "Positive: 0 Negative: 2" in out and "Observation RMW Always 2 0" in out
    record = json.loads(cli(["run", "--model", "rc11", "--json", str(path)]).output)
    assert (record["positive"], record["negative"]) == (2, 0)


def test_writes_that_share_no_byte_are_one_coherence_order(cli, tmp_path):
    # a byte and a half-word of one array that a word read joins into one location with
    # per-byte coherence (herd's -variant mixed): the two writes are not ordered, so each of P1's two reads-from
    # choices is one execution (it was two: both orders of the writes were counted)
    text = table("BYTES", "uint8_t t[4]; 0:X2=t; 0:X3=y; 1:X3=y;",
                 [["MOV W0,#1", "STRB W0,[X2]", "MOV W0,#2", "STRH W0,[X2,#2]", "STR W0,[X3]",
                   "LDR W5,[X2]"],
                  ["LDR W4,[X3]"]],
                 "forall (t[0]=1 /\\ t[2]=2)")  # fmt: skip
    assert counts(cli, tmp_path, text, "arm-axiomatic") == (
        "Positive: 2 Negative: 0", "Always 2 0", 1)
