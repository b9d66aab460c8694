"""The axiomatic models' cuts before the per-location check (fencelab/models/axiomatic/
candidates.py), each switchable (fencelab/reduce.py):

- `axiomatic-coherence-po`: no coherence order puts a write before an overlapping one po-before
  it (`coherence_orders`), and at a location with mixed-size accesses no read is given a write
  po-after it, co-after or equal to one po-after it, or one that a write po-before it
  overwrites on its bytes (`_mixed_choices`);
- `axiomatic-byte-values`: where sizes mix, a choice of thread paths is dropped when a byte a
  read takes is neither the initial one nor written there by a chosen path
  (`path_combinations`).

Each only leaves out candidates the models' `internal` axiom refuses, so on and off must give
the same final states, the same herd counts and the same budget hits, under every axiomatic
model, on mixed-size tests and on tests with several writes to a location; and each must cut
work where it acts (a 3-thread mixed-size test took 172 s of CPU without them, 0.7 s with).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from fencelab import reduce
from fencelab.litmus.parser import parse_text
from fencelab.models.axiomatic import candidates
from fencelab.pipeline import Pipeline, RunOptions

CUTS = ("axiomatic-coherence-po", "axiomatic-byte-values")

_SPEC = importlib.util.spec_from_file_location(
    "model_diff", Path(__file__).resolve().parents[2] / "bench" / "model_diff.py")
model_diff = importlib.util.module_from_spec(_SPEC)
sys.modules.setdefault("model_diff", model_diff)
_SPEC.loader.exec_module(model_diff)

# bytes of one word written by three threads, one of them by a locked exchange
BYTES = """X86_64 bytes+xchg
{
uint32_t x; uint32_t y; 0:r8=x; 0:r9=y; 1:r8=x; 1:r9=y; 2:r8=x; 2:r9=y; 2:rbx=5;
}
 P0              | P1              | P2              ;
 lfence          | movl $3,(y)     | xchgl %ebx,(y)  ;
 movb $2,2(%r9)  | movb $4,1(%r9)  | movb $6,3(%r9)  ;
exists (2:rbx=0 /\\ [x]=0 /\\ [y]=0)
"""

# half-words and words of two locations, locked RMWs among them (1.3 s of CPU without the cuts)
HALVES = """X86_64 halves+rmws
{
uint32_t x; uint32_t y; 0:r8=x; 0:r9=y; 1:r8=x; 1:r9=y; 1:rbx=3; 1:rax=2; 2:r8=x; 2:r9=y; 2:rbx=6;
}
 P0                      | P1                      | P2                      ;
 movw $257,0(%r8)        | lock cmpxchgl %ebx,(y)  | movw $5,0(%r8)          ;
 movb $2,3(%r9)          | movl $4,(y)             | lock xaddl %ebx,(y)     ;
exists (1:rax=0 /\\ 2:rbx=0 /\\ [x]=0 /\\ [y]=0)
"""

# two writes to one location in each thread (CoWW), plain sizes
COWW = """AArch64 2+2W+twice
{ 0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x; }
 P0          | P1          ;
 MOV W0,#1   | MOV W0,#1   ;
 STR W0,[X1] | STR W0,[X1] ;
 MOV W2,#2   | MOV W2,#2   ;
 STR W2,[X1] | STR W2,[X1] ;
 MOV W4,#3   | MOV W4,#3   ;
 STR W4,[X3] | STR W4,[X3] ;
 LDR W5,[X3] | LDR W5,[X3] ;
exists (x=1 /\\ y=1 /\\ 0:X5=3 /\\ 1:X5=3)
"""


def _generated() -> list[tuple[str, str, str]]:
    """(name, text, model): bench/model_diff.py's mixed-size and plain suites, 2 threads."""
    out = []
    for suite, models in (("x86-wide", ("tso-axiomatic", "sc-axiomatic")),
                          ("aarch64-wide", ("arm-axiomatic",)),
                          ("armv7-wide", ("armv7-axiomatic", "arm-axiomatic")),
                          ("aarch64", ("arm-axiomatic",))):  # fmt: skip
        for name, text in model_diff.texts(suite, 3, 4243, 2):
            out.extend((name, text, model) for model in models)
    return out


def _result(text: str, model: str, off=()):
    reduce.set_disabled(off)
    try:
        r = Pipeline().run(parse_text(text), RunOptions.named(model=model))
    finally:
        reduce.enable_all()
    return sorted(str(s.outcome) for s in r.states), r.executions, r.budget_exhausted


@pytest.mark.parametrize("off", [*([c] for c in CUTS), list(CUTS)], ids="+".join)
def test_cuts_change_no_result(off):
    differ = []
    cases = [("bytes", BYTES, "tso-axiomatic"), ("halves", HALVES, "tso-axiomatic"),
             ("coww", COWW, "arm-axiomatic"), *_generated()]  # fmt: skip
    for name, text, model in cases:
        if _result(text, model) != _result(text, model, off):
            differ.append(f"{name} under {model}")
    assert differ == []


def _counted(monkeypatch, owner, name) -> list[int]:
    count = [0]
    real = getattr(owner, name)

    def counting(*args, **kwargs):
        count[0] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, counting)
    return count


def test_byte_values_cut_the_choices_of_paths(monkeypatch):
    built = _counted(monkeypatch, candidates.Skeleton, "build")
    work = {}
    for off in ((), ("axiomatic-byte-values",)):
        built[0] = 0
        _result(HALVES, "tso-axiomatic", off)
        work[off] = built[0]
    assert work[()] * 4 < work[("axiomatic-byte-values",)]


def test_coherence_po_cuts_the_candidates_checked(monkeypatch):
    made = _counted(monkeypatch, candidates, "Execution")
    for text, model in ((HALVES, "tso-axiomatic"), (COWW, "arm-axiomatic")):
        work = {}
        for off in ((), ("axiomatic-coherence-po",)):
            made[0] = 0
            _result(text, model, off)
            work[off] = made[0]
        assert work[()] * 2 <= work[("axiomatic-coherence-po",)], text.split("\n", 1)[0]
