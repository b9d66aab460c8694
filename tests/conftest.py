"""Fixtures shared by the suites (helpers and paths are in tests/helpers/)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner, Result

from fencelab.cli import main


@pytest.fixture
def cli():
    """`cli(["run", "x.litmus"])`: run the `fencelab` command line as a user would (piped)."""

    def invoke(args: list[str]) -> Result:
        return CliRunner().invoke(main, args, prog_name="fencelab")

    return invoke
