"""`fencelab hw`: litmus tests on this machine's CPU, side by side with the model."""

from __future__ import annotations

import sys

import click

from fencelab.cli.options import (
    MAX_RUNS,
    limits_options,
    litmus_files,
    model_option,
    no_reduce_option,
    scheme_option,
    target_option,
)


@click.command("hw")
@click.argument("tests", nargs=-1, required=True, type=click.Path())
@click.option("--runs", default=100_000, show_default=True, type=click.IntRange(1, MAX_RUNS),
              help=f"Runs on the CPU per test, 1 to {MAX_RUNS:,}.")  # fmt: skip
@target_option(help="Where to compile C and Rust tests: T, T,T,... or all (default: the "
               "host's, x86_64 or armv8); asm tests run on their own.")  # fmt: skip
@scheme_option()
@model_option()
@limits_options
@no_reduce_option
def hw(tests, runs, target, scheme, model, limits):
    """Run litmus tests natively on this CPU (as litmus7 does), side by side with the model.

    Exit status 1 when the CPU produced a state the model forbids, 2 when a test could not run.
    --max-states / --max-memory bound the model's exploration: cut there, it forbids nothing.
    """
    from fencelab.hw.command import hw_command

    targets = target.items if target else None
    sys.exit(hw_command([f.path for f in litmus_files(tests)], runs, targets, scheme, model,
                        limits))  # fmt: skip
