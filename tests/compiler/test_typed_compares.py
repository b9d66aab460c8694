"""A narrow signed atomic's value is compared, computed with and stored wider as its value: a
compare_exchange's success test (`.is_ok()`, C's result) with a negative expected value on an
`AtomicI8`, a load's value plus one. Each test runs `fencelab run FILE` under c11 and on every
target and asserts the same states (found by the audit of wrong verdicts,
/work/notes/audit2/verdicts.md finding 4: the value sat zero-extended in its register, so
`AtomicI8 -1`.compare_exchange(-1, 1).is_ok() was false on every target)."""

from __future__ import annotations

import json

import pytest


def _outcomes_by_target(cli, tmp_path, text: str, targets: str) -> dict[str, set]:
    """The states of `fencelab run` under c11 (the source model) and on each target; a state
    shows what the condition names."""
    path = tmp_path / "t.litmus"
    path.write_text(text)
    runs = []
    for more in ([], ["-t", targets]):
        result = cli(["run", str(path), *more, "--json"])
        assert result.exit_code == 0, result.output
        runs += [json.loads(line) for line in result.output.splitlines()]
    return {r["target"] or "c11": {json.dumps(s["outcome"], sort_keys=True) for s in r["states"]}
            for r in runs}  # fmt: skip


CAS = """RUST cas
{{ {t} y = -1; {t} z = -2; {t} w = 5; }}
P0 {{
  let r0 = y.compare_exchange(-1, 1, Relaxed, Relaxed).is_ok();
  let r1 = z.compare_exchange_weak(-1, 1, Relaxed, Relaxed).is_err();
  let r2 = w.compare_exchange(-{m}, 1, SeqCst, Relaxed).is_ok();
}}
exists (0:r0=1 /\\ y=1 /\\ 0:r1=1 /\\ z=-2 /\\ 0:r2=0 /\\ w=5)
"""


@pytest.mark.parametrize("rtype, most", [("AtomicI8", 128), ("AtomicI16", 32768)])
def test_compare_exchange_with_a_negative_expected_value_on_a_narrow_signed_location(
        cli, tmp_path, rtype, most):  # fmt: skip
    got = _outcomes_by_target(cli, tmp_path, CAS.format(t=rtype, m=most), "all")
    assert got["c11"] == {json.dumps({"0:r0": 1, "0:r1": 1, "0:r2": 0, "[w]": 5, "[y]": 1,
                                      "[z]": -2}, sort_keys=True)}  # fmt: skip
    assert all(states == got["c11"] for states in got.values()), got


def test_a_c_compare_exchange_on_an_int8_t_with_a_negative_expected_value(cli, tmp_path):
    """C's result is `$cas == expected` on a narrow signed value: it was refused ("$cas0 holds
    an 8-bit signed value ..."), naming a variable the test does not have."""
    text = """C cci8
{ _Atomic int8_t y = -1; }
P0 (_Atomic int8_t* y) {
  int8_t r1 = -1;
  int r0 = atomic_compare_exchange_strong_explicit(y, &r1, 1, memory_order_relaxed,
                                                   memory_order_relaxed);
  int r2 = atomic_compare_exchange_strong_explicit(y, &r1, 2, memory_order_relaxed,
                                                   memory_order_relaxed);
}
exists (0:r0=1 /\\ 0:r2=0 /\\ 0:r1=1 /\\ y=1)
"""
    got = _outcomes_by_target(cli, tmp_path, text, "all")
    assert got["c11"] == {'{"0:r0": 1, "0:r1": 1, "0:r2": 0, "[y]": 1}'}
    assert all(states == got["c11"] for states in got.values()), got


def test_a_narrow_signed_value_is_computed_with_compared_and_stored_wider_as_its_value(cli,
                                                                                      tmp_path):
    text = """RUST ld
{ AtomicI8 y = -1; AtomicI32 z = 0; AtomicI16 h = -300; }
P0 {
  let r0 = y.load(Relaxed) + 1;
  z.store(y.load(Relaxed), Relaxed);
  let r1 = y.load(Relaxed) < 0;
  let r2 = h.fetch_add(1, Relaxed);
  let r3 = r2 - 1;
  let r4 = r2 < -299;
}
exists (0:r0=0 /\\ z=-1 /\\ 0:r1=1 /\\ 0:r2=-300 /\\ 0:r3=-301 /\\ 0:r4=1 /\\ y=-1 /\\ h=-299)
"""
    got = _outcomes_by_target(cli, tmp_path, text, "all")
    assert got["c11"] == {json.dumps({"0:r0": 0, "0:r1": 1, "0:r2": -300, "0:r3": -301,
                                      "0:r4": 1, "[z]": -1, "[y]": -1, "[h]": -299},
                                     sort_keys=True)}  # fmt: skip
    assert all(states == got["c11"] for states in got.values()), got
