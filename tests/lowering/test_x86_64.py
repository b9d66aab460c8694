"""Every lowering entry for x86_64 (all schemes): assembles, disassembles back to the same
instructions, and does what its operation promises on a Unicorn core."""

from tests.helpers.lowering import entry_tests

test_roundtrip, test_runs_with_the_right_effect = entry_tests(["x86_64"])
