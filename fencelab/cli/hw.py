"""`fencelab hw`: litmus tests on this machine's CPU, side by side with the model."""

from __future__ import annotations

import sys

import click

from fencelab.cli.options import litmus_files, model_option, scheme_option, target_option


@click.command("hw")
@click.argument("tests", nargs=-1, required=True, type=click.Path())
@click.option("--runs", default=100_000, show_default=True, help="Runs on the CPU per test.")
@target_option(many=True, help="ISA to compile source tests to (default: the host's, x86_64 or "
               "armv8); asm tests run on their own.")  # fmt: skip
@scheme_option(help="Lowering scheme used to compile source tests.")
@model_option()
def hw(tests, runs, target, scheme, model):
    """Run litmus tests natively on this CPU (as litmus7 does), side by side with the model.

    Exit status 1 when the CPU produced a state the model forbids, 2 when a test could not run.
    """
    from fencelab.hw.command import hw_command

    sys.exit(hw_command(litmus_files(tests), runs, target, scheme, model))
