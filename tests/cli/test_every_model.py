"""Every model in the registry runs a test of an architecture it covers, through the command
line, with the verdict the architecture gives (a model the pipeline calls wrongly is caught here,
not by a user)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from fencelab.cli import main
from fencelab.models.registry import MODELS
from tests.helpers import EXAMPLES

# (test, its observation line) for each architecture; MP with barriers and SB with SC are
# forbidden under every model that covers them; plain MP is allowed except under sc
TESTS = {
    "X86_64": (EXAMPLES / "x86_64" / "SB.litmus",
               {"sc": "Never 0 3", "sc-axiomatic": "Never 0 3", None: "Sometimes 1 3"}),
    "AArch64": (EXAMPLES / "aarch64" / "MP.litmus",
                {"sc": "Never 0 3", "sc-axiomatic": "Never 0 3", None: "Sometimes 1 3"}),
    "ARM": (EXAMPLES / "arm" / "MP+dmbs.litmus", {None: "Never 0 3"}),
    "C": (EXAMPLES / "c" / "MP+rlx.litmus", {"sc-source": "Never 0 3", None: "Sometimes 1 3"}),
}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_every_model_runs_from_the_command_line(name):
    spec = MODELS[name]
    ran = 0
    for arch, (path, observed) in TESTS.items():
        if arch not in spec.arches:
            continue
        result = CliRunner().invoke(main, ["run", str(path), "--model", name])
        assert result.exit_code == 0, result.output
        expected = observed.get(name, observed[None])
        assert f"Observation {path.stem} {expected}" in result.output, result.output
        ran += 1
    assert ran, f"no test here for {name} ({', '.join(spec.arches)})"
