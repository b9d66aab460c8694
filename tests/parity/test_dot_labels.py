"""A label that starts with a dot (herd's AArch64 L061 branches to `.text:`). keystone reads
`.text` as the name of its section, so `B .text` was refused ("Invalid symbol redefined"); the
loader now assembles such labels under names of its own and prints them as the test wrote them.
"""

from __future__ import annotations

import pytest

from tests.helpers.litmus import table

SKIP = table("DT", "0:X0=1; 0:X2=x;",
             [["B .text", "ADD W0,W0,#1", ".text: BL .bss", ".back: B .end", ".bss: STR X0,[X2]",
               "RET", ".end: NOP"]],
             "forall (x=1 /\\ 0:X0=1)")  # fmt: skip


def _run(cli, tmp_path, text: str, *args: str):
    path = tmp_path / "t.litmus"
    path.write_text(text)
    return cli(["run", *args, str(path)])


@pytest.mark.parametrize("model", ["arm", "arm-axiomatic", "sc"])
def test_a_branch_to_a_dotted_label(cli, tmp_path, model):
    text = SKIP.replace("forall", "locations [0:X30;]\nforall")
    result = _run(cli, tmp_path, text, "--model", model)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[1:4] == ["States 1", "0:X0=1; 0:X30=0:.back; [x]=1;", "Ok"]


def test_an_a32_dotted_label(cli, tmp_path):
    text = table("DA", "0:R0=1;", [["B .text", "ADD R0,R0,#1", ".text: NOP"]], "forall (0:R0=1)",
                 arch="ARM")  # fmt: skip
    result = _run(cli, tmp_path, text)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1:4] == ["States 1", "0:R0=1;", "Ok"]


def test_a_dotted_name_inside_another_name_is_left_alone(cli, tmp_path):
    # `.text` is a label; `x.text` would be another name (here an unknown label: refused)
    text = table("DN", "0:X0=1;", [["B x.text", ".text: NOP"]], "forall (0:X0=1)")
    result = _run(cli, tmp_path, text)
    assert result.exit_code == 2
    assert "B x.text" in result.output and "Traceback" not in result.output
