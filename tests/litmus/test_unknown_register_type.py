"""A register declared with a type fencelab does not know (herd's A73: `unit64_t 0:X1=1`, a
misspelling herd reads, giving the register its value). fencelab reads it where the type cannot
matter: a value from 0 to 2^31-1 (the same register bits whatever the type) of a register the
condition does not print; elsewhere one line names it. Before, every such test was refused."""

from __future__ import annotations

import pytest

from tests.helpers.litmus import run_states, table

KNOWN = "known: int, char, short, long, [u]int8/16/32/64_t, atomic_int, atomic_long, __int128, ..."


def _text(init: str, cond: str = "exists (0:X3=12)") -> str:
    return table("U", init, [["ADD X3,X3,X4"]], cond)


@pytest.mark.parametrize("model", ["sc", "arm", "arm-axiomatic"])
def test_the_register_gets_its_value(cli, tmp_path, model):
    states, verdict = run_states(cli, tmp_path, _text("int64_t 0:X3=5; mytype_t 0:X4=7;"), model)
    assert states == ["0:X3=12;"]
    assert verdict == "Ok"


def _error(cli, tmp_path, text: str) -> tuple[str, str]:
    path = tmp_path / "t.litmus"
    path.write_text(text)
    result = cli(["run", "--model", "sc", str(path)])
    assert result.exit_code == 2
    assert len(result.output.splitlines()) == 1
    return result.output.strip(), str(path)


@pytest.mark.parametrize("value", ["-1", "2147483648", "x"])
def test_a_value_whose_bits_the_type_would_decide_is_refused(cli, tmp_path, value):
    out, path = _error(cli, tmp_path, _text(f"int64_t 0:X3=5; mytype_t 0:X4={value};"))
    assert out == (f"fencelab: error: {path}:3:17: unknown type 'mytype_t' for '0:X4' (herd "
                   "reads the register's value; fencelab does for a value from 0 to 2^31-1 of a "
                   f"register the condition does not print); {KNOWN}")  # fmt: skip


@pytest.mark.parametrize("cond, col", [("exists (0:X3=12 /\\ 0:x4=7)", 20),
                                       ("locations [0:X4;]\nexists (0:X3=12)", 12)])  # fmt: skip
def test_a_register_the_condition_prints_is_refused_there(cli, tmp_path, cond, col):
    out, path = _error(cli, tmp_path, _text("int64_t 0:X3=5; mytype_t 0:X4=7;", cond))
    line = 7
    assert out == (f"fencelab: error: {path}:{line}:{col}: 0:{'x4' if 'x4' in cond else 'X4'} "
                   "is printed in its declared type, 'mytype_t' (line 3), which fencelab does "
                   f"not know; {KNOWN}")  # fmt: skip


def test_a_location_of_an_unknown_type_is_still_refused(cli, tmp_path):
    # its type is its size in memory: no reading of it is safe
    out, path = _error(cli, tmp_path, _text("int64_t 0:X3=5; mytype_t y=7; 0:X4=y;"))
    assert out == f"fencelab: error: {path}:3:17: unknown type 'mytype_t' for 'y'; {KNOWN}"
