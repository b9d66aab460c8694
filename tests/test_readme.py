"""README stays true: its mapping table is the CLI's output, its set-up commands are CI's."""

from __future__ import annotations

from tests.helpers import REPO

ROOT = REPO
README = (ROOT / "README.md").read_text()


def test_readme_mapping_table_is_the_cli_output(cli):
    result = cli(["table", "--format", "grid", "--width", "32"])
    assert result.exit_code == 0
    assert result.output.strip() in README


def test_ci_runs_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    command = "python3 -m venv .venv && .venv/bin/pip install -q '.[test]' && .venv/bin/pytest"
    assert command in README
    assert command in ci


def test_layout_section_names_existing_folders():
    for folder in ("isa", "lowering", "litmus", "machine", "models", "checker", "tui"):
        assert (ROOT / "fencelab" / folder).is_dir()
        assert f"  {folder}/" in README
