"""herd's `filter P`: the executions whose final state fails P are dropped (not printed, not
counted). The language models read it; the hardware models cannot yet, so a test with a
filter is refused under them in one line, where it used to run as if the filter were not
there (`filter (0:rax=5)`, which no execution passes, printed both states and `Ok`)."""

from __future__ import annotations

import pytest

from tests.cli.test_options import one_error

X86 = """X86_64 f
{ x=0; y=0; }
 P0            | P1            ;
 movq $1,(x)   | movq $1,(y)   ;
 movq (y),%rax | movq (x),%rax ;
filter (0:rax=5)
exists (1:rax=0)
"""

C = """C cf
{ atomic_int x=0; atomic_int y=0; }
P0 (atomic_int* x, atomic_int* y) {
  atomic_store_explicit(x, 1, memory_order_relaxed);
  atomic_store_explicit(y, 1, memory_order_release);
}
P1 (atomic_int* x, atomic_int* y) {
  int r0 = atomic_load_explicit(y, memory_order_acquire);
  int r1 = atomic_load_explicit(x, memory_order_relaxed);
}
filter (1:r0=1)
exists (1:r1=0)
"""


@pytest.mark.parametrize("args", [[], ["-m", "sc"], ["-m", "tso-axiomatic"],
                                  ["--mode", "random", "--runs", "10"]])
def test_a_filter_is_refused_under_the_hardware_models(cli, tmp_path, args):
    path = tmp_path / "f.litmus"
    path.write_text(X86)
    line = one_error(cli(["run", str(path), *args]))
    assert line == (f"fencelab: error: {path}:6:9: 'filter' is not supported under the "
                    "hardware models (only c11, rc11 and sc-source read it)")


def test_a_compiled_test_with_a_filter_is_refused(cli, tmp_path):
    path = tmp_path / "cf.litmus"
    path.write_text(C)
    assert "'filter' is not supported" in one_error(cli(["run", str(path), "-t", "x86_64"]))


def test_the_language_models_keep_only_the_states_the_filter_passes(cli, tmp_path):
    path = tmp_path / "cf.litmus"
    path.write_text(C)
    result = cli(["run", str(path)])
    assert result.exit_code == 0, result.output
    lines = [ln for ln in result.output.splitlines() if not ln.startswith("#")]
    assert lines[1:4] == ["States 1", "1:r1=1;", "No"]
