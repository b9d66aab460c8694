"""Every lowering entry for armv8, armv8.1 and armv8.3 (all schemes): assembles, disassembles back to the same
instructions, and does what its operation promises on a Unicorn core."""

from tests.helpers.lowering import entry_tests

test_roundtrip, test_runs_with_the_right_effect = entry_tests(["armv8", "armv8.1", "armv8.3"])
