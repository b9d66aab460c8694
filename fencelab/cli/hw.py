"""`fencelab hw`: litmus tests on this machine's CPU, side by side with the model."""

from __future__ import annotations

import sys

import click

from fencelab.cli import output
from fencelab.cli.options import (
    EXIT_INTERRUPTED,
    MAX_RUNS,
    Chosen,
    budget_option,
    limits_options,
    litmus_files,
    model_option,
    model_targets,
    no_reduce_option,
    refuse_idle_reductions,
    refuse_idle_scheme,
    scheme_option,
    scheme_targets,
    target_option,
)
from fencelab.errors import FencelabError
from fencelab.isa.registry import get_target
from fencelab.litmus.parser import read_test
from fencelab.report.words import interrupted as interrupted_words
from fencelab.report.words import plural


@click.command("hw")
@click.argument("tests", nargs=-1, required=True, type=click.Path())
@click.option("--runs", default=100_000, show_default=True, type=click.IntRange(1, MAX_RUNS),
              help=f"Runs on the CPU per test, 1 to {MAX_RUNS:,}.")  # fmt: skip
@target_option(one=True, help="One target to compile C and Rust tests for, this CPU's (default: the "
               "host's, x86_64 or armv8); asm tests run on their own architecture.")  # fmt: skip
@scheme_option()
@model_option()
@budget_option()
@limits_options
@no_reduce_option
def hw(tests, runs, target, scheme, model, budget, limits):
    """Run litmus tests natively on this CPU (as litmus7 does), side by side with the model.

    Exit status 1 when the CPU produced a state the model forbids, 2 when a test could not run.
    --max-states / --max-memory bound the model's exploration: cut there, it forbids nothing.
    """
    from fencelab.hw.command import hw_command
    from fencelab.hw.native import HOST_TARGETS, host_arch

    if target and (target.every or len(target.items) > 1):
        raise FencelabError("--target: hw runs on this machine's CPU only; name one target")
    if target:
        target = scheme_targets(target, scheme)
    inputs = litmus_files(tests)
    read = [(f.label, _read(f.path)) for f in inputs]  # a test, or why it cannot be read
    compiled = any(getattr(t, "is_source", False) for _, t in read)
    refuse_idle_scheme(scheme, compiled)
    host = HOST_TARGETS.get(host_arch())
    if compiled and not target and host:  # compiled for this CPU's target
        scheme_targets(Chosen((get_target(host),)), scheme)
    compiled_for = target or (Chosen((get_target(host),)) if host else None)
    if compiled and compiled_for and model is not None and not model.is_source:
        model_targets(compiled_for, model)  # (a language model judges the source itself)
    refuse_idle_reductions(_judged(read, target.items[0] if target else None, model))
    done = hw_command(read, runs, target.items[0] if target else None, scheme, model, limits,
                      status=output.watched(sys.stderr), budget=budget)  # fmt: skip
    if len(inputs) > 1 or done.interrupted:  # as run's: each test named by its path as given
        from fencelab.hw.report import summary_table

        out = output.stdout()
        if done.rows:
            output.table(out, summary_table(done.rows))
        tail = [plural(len(done.rows), "result")]
        if done.failed:
            tail.append(f"{done.failed} could not run (errors above)")
        if done.interrupted:
            tail.append(interrupted_words("result", len(done.rows), done.interrupted == "partial",
                                          "later tests"))  # fmt: skip
        output.data(out, "; ".join(tail))
    sys.exit(EXIT_INTERRUPTED if done.interrupted else done.status)


def _judged(read, target, model):
    """The model and code of each test's model run (`run_hw`'s; a test it refuses: None)."""
    from fencelab.hw.run import host_target
    from fencelab.pipeline import RunOptions, judged_by

    for _, test in read:
        if isinstance(test, FencelabError):
            continue
        try:
            here = host_target(test, (target,) if target else None)
        except FencelabError:
            continue
        on = None if model is not None and model.is_source else here
        yield judged_by(test.arch, RunOptions(target=on, model=model))


def _read(path: str):
    try:
        return read_test(path)
    except FencelabError as e:
        return e
