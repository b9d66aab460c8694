"""C's `atomic_thread_fence(memory_order_relaxed)` has no effect (C17 7.17.4.1): the language
models run it, and so do `compile`, `check` and `run -t`, with no instruction for it."""

from __future__ import annotations

RELAXED_FENCE = """C relaxed-fence
{ }
P0 (atomic_int* x, atomic_int* y) {
  atomic_store_explicit(x, 1, memory_order_relaxed);
  atomic_thread_fence(memory_order_relaxed);
  atomic_store_explicit(y, 1, memory_order_relaxed);
}
P1 (atomic_int* x, atomic_int* y) {
  int r0 = atomic_load_explicit(y, memory_order_relaxed);
  atomic_thread_fence(memory_order_relaxed);
  int r1 = atomic_load_explicit(x, memory_order_relaxed);
}
exists (1:r0=1 /\\ 1:r1=0)
"""


def test_a_relaxed_fence_compiles_to_nothing(cli, tmp_path):
    """(was: `compile`, `check` and `run -t` refused it: 'Relaxed is not a valid ordering for a
    fence (as in Rust)')"""
    path = tmp_path / "fence.litmus"
    path.write_text(RELAXED_FENCE)
    path = str(path)
    compiled = cli(["compile", path, "-t", "armv8"])
    assert compiled.exit_code == 0, compiled.output
    assert "DMB" not in compiled.output and "STR W" in compiled.output
    checked = cli(["check", path, "-t", "all"])
    assert checked.exit_code == 0, checked.output
    assert "5 sound, 0 UNSOUND, 0 could not be checked" in checked.output
    ran = cli(["run", path, "-t", "armv8"])
    assert ran.exit_code == 0 and "Observation relaxed-fence Sometimes 1 3" in ran.output
