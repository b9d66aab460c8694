"""Every lowering entry for x86_64 (all schemes): assembles, disassembles back to the same
instructions, and does what its operation promises on a Unicorn core."""

from __future__ import annotations

import pytest

from tests.helpers.lowering import all_entries, check_roundtrip, check_semantics

ENTRIES = all_entries(["x86_64"])


@pytest.mark.parametrize("entry", ENTRIES)
def test_roundtrip(entry):
    check_roundtrip(entry)


@pytest.mark.parametrize("entry", ENTRIES)
def test_runs_with_the_right_effect(entry):
    check_semantics(entry)
