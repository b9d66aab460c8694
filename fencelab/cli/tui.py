"""`fencelab tui`: step through one litmus test in the terminal UI."""

from __future__ import annotations

from pathlib import Path

import click

from fencelab.cli.options import model_option, schedule_option, scheme_option, target_option
from fencelab.errors import FencelabError
from fencelab.models.registry import OPERATIONAL


@click.command()
@click.argument("test", type=click.Path())
@target_option(help="ISA for source tests (default x86_64); asm tests run on their own ISA.")
@scheme_option(help="Lowering scheme used to compile source tests.")
@model_option(kinds=(OPERATIONAL,))
@schedule_option(help="Open at this witness (transition keys a,b,c): → steps through it.")
def tui(test, target, scheme, model, schedule):
    """Step through a litmus test core by core in a terminal UI."""
    from fencelab.litmus.parser import parse_file
    from fencelab.pipeline import RunOptions
    from fencelab.tui.app import FencelabApp

    if Path(test).is_dir():
        raise FencelabError(f"{test}: is a directory; the TUI steps one test (give one .litmus file)")
    if not Path(test).is_file():
        raise FencelabError(f"{test}: no such file")
    options = RunOptions(target=target, scheme=scheme, model=model)
    app = FencelabApp.for_test(parse_file(test), options, schedule)  # errors before the screen
    app.run()
