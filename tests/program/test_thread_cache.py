"""A thread's code made once for its text (fencelab/program/load.py, `_code`), placed at each
test's own lines; keystone's rewriting of a line made once (`Target.prepare_line`, remembered)."""

from __future__ import annotations

import pytest

from fencelab import reduce
from fencelab.isa.arch import AssemblyError
from fencelab.isa.registry import get_target
from fencelab.litmus.parser import parse_text
from fencelab.program import load as load_module
from fencelab.program.load import load

TWO = """X86_64 {name}
{{ }}
{blank} P0            | P1            ;
 movl $1,(x)   | movl $7,(y)   ;
 mfence        | movl (x),%eax ;
 movl (y),%ebx | movl (y),%ecx ;
exists (0:rbx=0 /\\ 1:rax=0)
"""


def _program(name: str, blank: str = ""):
    return load(parse_text(TWO.format(name=name, blank=blank), f"{name}.litmus"))


def test_a_thread_met_again_is_not_made_again_and_maps_to_its_own_lines(monkeypatch):
    made = []
    real = load_module._code
    monkeypatch.setattr(load_module, "_code", lambda *a: made.append(a[3]) or real(*a))
    first = _program("A")
    second = _program("B", blank="\n\n")  # the same code, two lines further down
    assert made == [0, 1]  # each thread's code made once, for the first test
    for a, b in zip(first.threads, second.threads, strict=True):
        assert a.code == b.code and a.lines.keys() == b.lines.keys()
        assert [s.line + 2 for s in a.lines.values()] == [s.line for s in b.lines.values()]
        assert [s.text for s in a.lines.values()] == [s.text for s in b.lines.values()]
    assert [s.line for s in second.threads[1].lines.values()] == [6, 7, 8]
    assert second.threads[1].init_regs is not first.threads[1].init_regs  # (load writes them)


def test_without_reuse_each_test_makes_its_code(monkeypatch):
    made = []
    real = load_module._code
    monkeypatch.setattr(load_module, "_code", lambda *a: made.append(a[3]) or real(*a))
    reduce.set_disabled(["reuse"])
    try:
        a, b = _program("C"), _program("D")
    finally:
        reduce.enable_all()
    assert made == [0, 1, 0, 1]
    assert [t.code for t in a.threads] == [t.code for t in b.threads]


def test_a_refused_line_is_refused_every_time():
    """`prepare_line`'s refusals are not remembered: the same line is refused again."""
    target = get_target("x86_64")
    for _ in range(2):
        with pytest.raises(AssemblyError, match="out of range"):
            target.assemble(["movl $0x1ffffffffffffffff,%eax"], 0x1000)
    assert target.assemble(["movl $100,%eax"], 0x1000) == target.assemble(["movl $0x64,%eax"],
                                                                          0x2000)  # fmt: skip
