"""`fencelab tui`: step through one litmus test in the terminal UI."""

from __future__ import annotations

import click

from fencelab.cli import output
from fencelab.cli.options import (
    Chosen,
    limits_options,
    model_option,
    model_targets,
    no_reduce_option,
    one_target,
    refuse_idle_reductions,
    refuse_idle_scheme,
    schedule_option,
    scheme_option,
    scheme_targets,
    target_option,
)
from fencelab.isa.registry import DEFAULT_SOURCE_TARGET
from fencelab.litmus.parser import read_test
from fencelab.models.registry import OPERATIONAL


@click.command()
@click.argument("test", type=click.Path())
@target_option(one=True, help="One target for a C or Rust test (default x86_64: the TUI steps a machine); "
               "asm tests run on their own architecture.")  # fmt: skip
@scheme_option()
@model_option(kinds=(OPERATIONAL,))
@schedule_option(help="Open at this witness (transition keys a,b,c): → steps through it.")
@limits_options
@no_reduce_option
def tui(test, target, scheme, model, schedule, limits):
    """Step through a litmus test core by core in a terminal UI."""
    from dataclasses import replace

    from fencelab.pipeline import RunOptions, judged_by, plan
    from fencelab.tui.app import FencelabApp

    chosen = scheme_targets(target, scheme, note=False) if target else None
    target = one_target(model_targets(chosen, model, note=False),
                        "tui")  # (all: refused, one target)
    options = RunOptions(target=target, scheme=scheme, model=model, limits=limits)
    test = read_test(test, "tui")
    refuse_idle_scheme(scheme, test.is_source)  # a C or Rust test is compiled (default x86_64)
    if not test.is_source:  # on its own architecture: a --target that does not fit is a note
        (options,), note = plan(test, options, (target,) if target else None)
        if note:
            output.note(note)
    if test.is_source and target is None:
        scheme_targets(Chosen((DEFAULT_SOURCE_TARGET,)), scheme)
        model_targets(Chosen((DEFAULT_SOURCE_TARGET,)), model)
    compiled_for = (target or DEFAULT_SOURCE_TARGET) if test.is_source else options.target
    refuse_idle_reductions([judged_by(test.arch, replace(options, target=compiled_for))])
    app = FencelabApp.for_test(test, options, schedule)  # errors first
    app.run()
