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


def _section(title: str) -> str:
    start = README.index(f"## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start:end]


def test_readme_number_ranges_are_the_command_lines():
    import click

    from fencelab.cli import COMMANDS
    from fencelab.cli.options import Size

    rows: dict[tuple, list[str]] = {}
    for command in COMMANDS:
        for param in command.params:
            if isinstance(param.type, click.IntRange):
                low, high = param.type.min, param.type.max
                bound = f"{low} to {high}" if high is not None else f"{low} or more"
            elif isinstance(param.type, Size):
                bound = param.type.range
            else:
                continue
            rows.setdefault((param.opts[-1], bound), []).append(command.name)
    assert ("--max-memory", "16 MB to 256 GB") in rows
    table = _section("Options and exit codes")
    for (option, bound), commands in rows.items():
        assert f"| `{option}` | {', '.join(commands)} | {bound} |" in table


def test_readme_names_every_json_field_run_prints(cli):
    import json

    out = cli(["run", "examples/x86_64/SB.litmus", "--json"])
    record = json.loads(out.output.splitlines()[0])
    paragraph = README[README.index("`--json` prints one object"):
                       README.index("`fencelab table --format json`")]
    assert [k for k in record if f"`{k}`" not in paragraph] == []
    assert [k for k in record["states"][0] if k not in paragraph] == []
    failed = cli(["run", "missing.litmus", "--json"])
    assert failed.exit_code == 2
    error = json.loads(failed.stdout)
    fields = ", ".join(f'"{k}"' for k in error)
    assert f"`{{{fields}}}`" in " ".join(paragraph.split())


def test_readme_exit_codes_are_the_ones_commands_use():
    from fencelab.cli.options import EXIT_INTERRUPTED

    table = _section("Options and exit codes")
    for code in (0, 1, 2, EXIT_INTERRUPTED):
        assert f"\n| {code} |" in table


def test_every_path_readme_and_architecture_name_exists():
    """`tests/hw/test_hw.py`, not a `tests/test_hw.py` that moved; an example may be named
    without its `.litmus`."""
    import re

    path = re.compile(r"(?<![\w/.+-])((?:fencelab|tests|bench|docs|examples)/[\w./+-]*)")
    for doc in ("README.md", "ARCHITECTURE.md"):
        names = {m.rstrip(".,") for m in path.findall((ROOT / doc).read_text())}
        missing = [n for n in sorted(names)
                   if not (ROOT / n).exists() and not (ROOT / f"{n}.litmus").exists()]
        assert missing == [], doc


def test_commands_table_names_every_option_each_command_takes():
    """The Commands table is the synopsis a user reads first: each row names every option of
    its command (`--max-states`/`--max-memory` in the sentence under it) and no other."""
    import re

    from fencelab.cli import COMMANDS

    table = _section("Commands")
    at = table.find("Every command that explores")
    limits = table[at:].split("\n\n")[0] if at >= 0 else ""
    for command in COMMANDS:
        row = re.search(rf"^\| `fencelab {command.name}\b(.*?)` \|", table, re.M).group(1)
        named = set(re.findall(r"(?<![\w-])(--?[a-zA-Z][\w-]*)", row))
        spellings = [p.opts + p.secondary_opts for p in command.params
                     if p.param_type_name == "option" and "--help" not in p.opts]
        missing = [s[-1] for s in spellings if not named & set(s)
                   and not (s[-1] in ("--max-states", "--max-memory")
                            and f"`{command.name}`" in limits)]  # fmt: skip
        assert missing == [], command.name
        assert named <= {o for s in spellings for o in s}, command.name


def test_every_command_readme_shows_is_one_the_cli_reads():
    """A command README shows (in backquotes, or after `$ ` in an example) is read by the
    command's own parser as written: `fencelab map compare_exchange_weak --target armv7` lacked
    its ORDER. Synopses (`TEST`, `DIR`, `[...]`) and a command named in prose with no argument
    at all (`fencelab run -t armv8`) are not commands to run."""
    import re
    import shlex

    import click

    from fencelab.cli import COMMANDS

    commands = {command.name: command for command in COMMANDS}
    spans = [" ".join(m.split()) for m in re.findall(r"`(fencelab [^`]*)`", README)]
    spans += re.findall(r"^\$ (fencelab .*?)(?:\s+#.*)?$", README, re.M)
    wrong = []
    for span in spans:
        words = shlex.split(span.replace("\\|", "|"))
        placeholder = re.search(r"\b(TEST|DIR|OP|N|URL|FILE|NAME)\b|\.\.\.|\[", span)
        if len(words) < 2 or words[1] not in commands or placeholder:
            continue
        command = commands[words[1]]
        try:
            command.make_context(words[1], words[2:])
        except click.MissingParameter as e:
            first = next(p for p in command.params if p.param_type_name == "argument")
            if e.param is not first:
                wrong.append(f"{span}: {e.format_message()}")
        except click.UsageError as e:
            wrong.append(f"{span}: {e.format_message()}")
    assert len(spans) > 20
    assert wrong == []


def test_readme_says_which_targets_an_aarch64_test_runs_on(cli):
    """README said assembly tests run on their own architecture "whatever `--target` says", but
    an AArch64 target named acts on an AArch64 test: `-t armv8` runs it as ARMv8.0 (and refuses
    LDAPR), `-t all` and no `-t` on armv8.3."""
    test = str(ROOT / "examples" / "aarch64" / "MP+dmb.sy+addr.litmus")
    for args, target in (([], "armv8.3"), (["-t", "all"], "armv8.3"), (["-t", "armv8"], "armv8")):
        r = cli(["run", test, *args])
        assert r.exit_code == 0, r.output
        assert f"# Engine arm on {target}, mode exhaustive" in r.output.splitlines(), args
    rcpc = cli(["run", str(ROOT / "examples" / "aarch64" / "MP+rel+acqpc.litmus"), "-t", "armv8"])
    assert rcpc.exit_code == 2 and "needs ARMv8.3 RCpc (LDAPR)" in rcpc.output
    said = " ".join(README.split())
    assert ("or on each AArch64 target `--target` names: `-t armv8` runs them as ARMv8.0, "
            "refusing an LSE or RCpc instruction at its line; `-t all` leaves them on "
            "armv8.3), whatever else `--target` says") in said
