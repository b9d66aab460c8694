"""Cross-checks on generated AArch64 litmus tests: operational vs axiomatic, same outcome sets.

- `arm` (Promising-ARM, operational, fencelab/models/arm.py) against `arm-axiomatic`
  (herd's aarch64.cat, fencelab/models/arm_axiomatic.py): Promising-ARM is proved equivalent to
  Arm's axiomatic model (Pulte et al., PLDI 2019), so any difference is a bug in one of them.
- `sc` (the interleaving machine) against `sc-axiomatic` (acyclic po|rf|co|fr): checks the
  candidate-execution builder (paths, dependencies, exclusives) independently of ARM.

CI runs a fixed seed; set FENCELAB_CROSSCHECK=N (and FENCELAB_CROSSCHECK_SEED) for more.
On a mismatch the test text and the outcomes only one side has are printed.
"""

from __future__ import annotations

import os

import pytest

from fencelab.litmus.generate import generate_many
from fencelab.litmus.loader import load
from fencelab.litmus.parser import parse_text
from fencelab.machine.explore import exhaustive
from fencelab.machine.machine import Machine
from fencelab.models import get_model
from fencelab.models.arm_axiomatic import run_axiomatic
from fencelab.result import format_outcome

COUNT = int(os.environ.get("FENCELAB_CROSSCHECK", "150"))
SEED = int(os.environ.get("FENCELAB_CROSSCHECK_SEED", "2024"))
TEXTS = generate_many(COUNT, SEED)


def _difference(text: str, operational: str, axiomatic: str) -> str | None:
    test = parse_text(text)
    op = exhaustive(Machine(load(test), get_model(operational)))
    ax = run_axiomatic(load(test), axiomatic)
    if op.budget_exhausted or ax.budget_exhausted:
        return f"{test.name}: step budget hit (op {op.budget_exhausted}, ax {ax.budget_exhausted})"
    if op.outcome_set() == ax.outcome_set():
        return None
    lines = [f"{operational} and {axiomatic}-axiomatic disagree on:", text]
    for o in sorted(op.outcome_set() - ax.outcome_set(), key=format_outcome):
        lines.append(f"  only {operational} (operational): {format_outcome(o)}")
    for o in sorted(ax.outcome_set() - op.outcome_set(), key=format_outcome):
        lines.append(f"  only {axiomatic}-axiomatic:       {format_outcome(o)}")
    return "\n".join(lines)


def _crosscheck(operational: str, axiomatic: str) -> None:
    problems = [p for text in TEXTS if (p := _difference(text, operational, axiomatic))]
    for p in problems:
        print(p, end="\n\n")
    assert not problems, f"{len(problems)} of {len(TEXTS)} generated tests disagree (see stdout)"


def test_sc_machine_equals_sc_axiomatic():
    _crosscheck("sc", "sc")


def test_arm_promising_equals_arm_axiomatic():
    pytest.importorskip("fencelab.models.arm")
    _crosscheck("arm", "arm")
