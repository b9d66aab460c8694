"""Arrays as herd7 has them: its tests with arrays, run through the CLI and compared line by
line with herd7's own output (the `.litmus.expected` files copied beside them in
tests/data/herd), and our own tests of an array held whole by the byte-addressed models.

herd prints element 0 as `t[0]`, a whole array (`locations [t;]`, `x={1,0}` in a condition)
as `t={1,0,2,0}`, and each state's registers, then locations, sorted by name. Its `Positive:`
and `Negative:` count executions, ours count final states, so those lines are not compared.
herd's AArch64.mixed tests were run with `-hexa` (their mixed.cfg): their values are read
back as numbers before comparing.
"""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from fencelab.cli import main
from fencelab.errors import FencelabError
from fencelab.litmus.parser import parse_text
from fencelab.litmus.printer import format_state, format_test
from fencelab.machine.explore import exhaustive
from fencelab.machine.machine import Machine
from fencelab.models.axiomatic.arm import run_axiomatic
from fencelab.models.registry import get_model
from fencelab.program.load import load
from tests.helpers import HERD_DATA
from tests.helpers.litmus import table

PAIRS = HERD_DATA / "aarch64-pairs"
MIXED = HERD_DATA / "aarch64-arrays"


def herd_lines(path, hexa: bool = False) -> list[str]:
    """herd7's output for `path` (its .expected file), without the lines we do not print
    alike: the Witnesses counts, `Observation`'s counts and the Hash."""
    text = path.with_name(path.name + ".expected").read_text()
    if hexa:
        text = re.sub(r"0x[0-9a-f]+", lambda m: str(int(m.group(0), 16)), text)
    return _comparable(text)


def _comparable(text: str) -> list[str]:
    out = []
    for line in text.splitlines():
        if line.startswith(("Positive:", "Hash=", "Time ", "#")) or not line:
            continue
        out.append(" ".join(line.split()[:3]) if line.startswith("Observation") else line)
    return out


def fencelab_lines(path, model: str) -> list[str]:
    result = CliRunner().invoke(main, ["run", "--model", model, str(path)])
    assert result.exit_code == 0, result.output
    return _comparable(result.output)


@pytest.mark.parametrize("model", ["arm", "arm-axiomatic", "sc"])
@pytest.mark.parametrize("name", ["A242", "L056", "L057"])
def test_herd_pair_tests_print_as_herd7_prints_them(name, model):
    # L056, L057: an element stored alone beside a CASP of the pair (`arm` holds the two
    # elements as one location once it meets both accesses)
    assert fencelab_lines(PAIRS / f"{name}.litmus", model) == herd_lines(PAIRS / f"{name}.litmus")


@pytest.mark.parametrize("model", ["arm", "arm-axiomatic"])
def test_l031_states_are_herd7s_line_for_line(model):
    # everything but the condition, which herd echoes with its `=>` (we print `~p \/ q`)
    ours = fencelab_lines(PAIRS / "L031.litmus", model)
    herd = herd_lines(PAIRS / "L031.litmus")
    assert [x for x in ours if not x.startswith("Condition")] == \
        [x for x in herd if not x.startswith("Condition")]  # fmt: skip


@pytest.mark.parametrize("model", ["sc", "arm", "arm-axiomatic"])
@pytest.mark.parametrize("name", ["M000", "M001", "M006"])
def test_herd_mixed_array_tests_print_as_herd7_prints_them(name, model):
    # M000: a byte and a half-word stored into `uint8_t t[4]`, then one word read across
    # all four elements: the array is one location of bytes. M001: herd's `SUBS W0,WZR,#1`
    # (refused before: register 31 of an immediate SUBS is SP; tests/isa/test_zr_immediate.py)
    assert fencelab_lines(MIXED / f"{name}.litmus", model) == \
        herd_lines(MIXED / f"{name}.litmus", hexa=True)  # fmt: skip


M001_MOV = table("M001mov", "uint8_t t[4]={ 0,0,0,0 }; 0:X2=t;",
                 [["MOV W0,#-1", "STR W0,[X2]"]], "locations [t;]\nforall (true)")  # fmt: skip


@pytest.mark.parametrize("model", ["sc", "arm", "arm-axiomatic"])
def test_a_word_stored_over_four_byte_elements_sets_each(model):
    # herd's M001 with an instruction keystone assembles: its expected state, t={0xff,...}
    ours = [x for x in _run_text(M001_MOV, model) if x.startswith("t=")]
    assert ours == [x for x in herd_lines(MIXED / "M001.litmus", hexa=True) if x.startswith("t=")]


def _run_text(text: str, model: str) -> list[str]:
    program = load(parse_text(text, "T"))
    if model == "arm-axiomatic":
        result = run_axiomatic(program)
    else:
        result = exhaustive(Machine(program, get_model(model).new()))
    return sorted(format_state(s.outcome) for s in result.states)


# ---------------------------------------------------------------------------------------------
# our own: an array held whole by sc, tso and arm-axiomatic


MP_ELEMENTS = table(
    "MPhalves", "int x[2]; 0:X1=x; 1:X1=x; int64_t 1:X0;",
    [["MOV W0,#1", "STR W0,[X1,#4]", "MOV W2,#2", "STR W2,[X1]"], ["LDR X0,[X1]"]],
    "exists (1:X0=0x100000000)",
)  # fmt: skip


def test_a_double_word_read_sees_two_elements_written_apart():
    # P0 writes x[1]=1, then x[0]=2; P1's one 8-byte read spans both elements. Under SC it
    # sees the writes in order (never x[0]=2 without x[1]=1); under aarch64.cat P0's two
    # stores are unordered, so P1 may see x[0]=2 alone
    sc = _run_text(MP_ELEMENTS, "sc")
    arm = _run_text(MP_ELEMENTS, "arm-axiomatic")
    both = {"1:X0=0;", "1:X0=4294967296;", "1:X0=4294967298;"}
    assert set(sc) == both
    assert set(arm) == both | {"1:X0=2;"}


def test_tso_holds_an_array_whole_with_element_names_in_its_buffer():
    text = table("X", "uint32_t t[2]={1,2}; 0:rbx=t; 1:rbx=t; uint64_t 1:rax;",
                 [["movl $5,4(%rbx)", "movl $3,(%rbx)"], ["movq (%rbx),%rax"]],
                 "exists (1:rax=0x500000001)", arch="X86_64")  # fmt: skip
    program = load(parse_text(text, "T"))
    machine = Machine(program, get_model("tso").new())
    result = exhaustive(machine)
    assert {format_state(s.outcome) for s in result.states} == {
        "1:rax=8589934593;", "1:rax=21474836481;", "1:rax=21474836483;"}
    assert result.ok  # t[1] reached memory before t[0]: FIFO buffer
    state = machine.initial()
    assert machine.model.describe(machine.program, state.memory)["memory"] == {"t[0]": 1, "t[1]": 2}
    (store,) = machine.model.core_transitions(machine.program, state, 0,
                                              program.threads[0].core.info(state.threads[0]))
    shown = machine.model.describe(machine.program, store.target.memory)
    assert shown["store buffers"][0] == [("t[1]", 5)]


def test_whole_array_in_json_and_back_through_the_printer(tmp_path):
    path = tmp_path / "m.litmus"
    path.write_text((MIXED / "M000.litmus").read_text())
    out = CliRunner().invoke(main, ["run", "--model", "sc", "--json", str(path)])
    assert out.exit_code == 0, out.output
    record = json.loads(out.output.splitlines()[0])
    assert record["states"][0]["outcome"] == {"t": [1, 0, 2, 0], "t[0]": 1, "t[1]": 0,
                                              "t[2]": 2, "0:X1": 131073}  # fmt: skip
    test = parse_text((PAIRS / "L056.litmus").read_text(), "L056")
    printed = format_test(test)
    assert "forall (x={1,0} \\/ x={1,2})" in printed
    assert parse_text(printed, "again").condition == test.condition


def test_array_condition_of_the_wrong_size_is_one_line():
    text = table("W", "int x[2]; 0:X1=x;", [["MOV W0,#1"]], "exists (x={1,2,3})")
    with pytest.raises(FencelabError, match=r"x=\{\.\.\.\} needs x to be an array of 3"):
        parse_text(text, "T")


def test_the_checker_holds_together_only_the_elements_an_access_joins():
    # herd's L032: STP/LDP access x's two elements apart, LDAXP/STLXP access y's together;
    # per-byte rf/co for x (held whole) would cost 2^16 byte combinations for nothing
    program = load(parse_text((PAIRS / "L032.litmus").read_text(), "L032"))
    narrowed = program.whole_arrays({"x": {(0, 8), (8, 8)}, "y": {(0, 16)}})
    assert [(loc.name, loc.size) for loc in narrowed.locations] == [
        ("x", 8), ("x[1]", 8), ("y", 16)]
    assert [(loc.name, loc.size) for loc in program.whole_arrays().locations] == [
        ("x", 16), ("y", 16)]
    assert len(run_axiomatic(program).states) == 18  # herd's 18 (tests/parity/test_pairs.py)
