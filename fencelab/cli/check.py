"""`fencelab check` (is a lowering scheme sound on these tests?) and `fencelab hunt` (generate
the classic shapes and look for counterexamples)."""

from __future__ import annotations

import sys

import click

from fencelab.cli.graph import counterexample_writer, graph_options
from fencelab.cli.options import (
    budget_option,
    console,
    err_console,
    limits_options,
    litmus_files,
    model_option,
    scheme_option,
    source_model_option,
    target_option,
)
from fencelab.errors import FencelabError
from fencelab.models.registry import AXIOMATIC, OPERATIONAL

HARDWARE = (OPERATIONAL, AXIOMATIC)


def _progress():
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())  # fmt: skip
    return Progress(*columns, console=err_console, transient=True,
                    disable=not err_console.is_terminal)  # fmt: skip


def _combinations(targets, schemes) -> list[tuple]:
    """(target, scheme) pairs; all schemes (None): each on the targets it is written for."""
    from fencelab.lowering import SCHEMES

    if schemes is None:
        return [(t, s) for s in SCHEMES.values() for t in targets if t.name in s.targets]
    return [(t, s) for s in schemes for t in targets]


@click.command("check")
@click.argument("tests", nargs=-1, required=True, type=click.Path())
@target_option(many=True, default="all")
@scheme_option(many=True, help="a lowering scheme, a comma list, or all (each on its own "
               "targets)")  # fmt: skip
@source_model_option()
@model_option(kinds=HARDWARE)
@budget_option()
@limits_options
@click.option("--quiet", "-q", is_flag=True, help="Print only unsound tests, errors, the table.")
@graph_options("Write each counterexample's pictures here: the hardware execution and the "
               "source model's cycle that forbids it.")
def check_command(tests, target, scheme, source_model, model, budget, limits, quiet, graph_dir,
                  graph_format):  # fmt: skip
    """Check that compiling with a scheme adds no outcome the source model forbids.

    Every C / Rust test is compiled for each target, explored exhaustively on the target's
    hardware model and compared with the source model (c11 or rc11). Exit status 1 when any
    test is UNSOUND, 2 on bad input (or when a test could not be checked).
    """
    from fencelab.checker import Checker
    from fencelab.litmus.parser import parse_file
    from fencelab.report.check import print_check, source_model_text, summary_table

    pictures = counterexample_writer(graph_dir, graph_format)
    pairs = _combinations(target, scheme)
    checker = Checker(source_model, model, budget, limits)
    parsed = [parse_file(p) for p in litmus_files(tests)]
    source = [t for t in parsed if t.is_source]
    for t in parsed:
        if not t.is_source and not quiet:
            console.print(f"skipped {t.file}: {t.arch} test (check compiles C and Rust tests)",
                          markup=False, highlight=False)  # fmt: skip
    if not source:
        raise FencelabError("no C or Rust tests to check in " + ", ".join(tests))
    console.print(f"source model: {source_model_text(source_model.name)}", markup=False)
    checks = []
    with _progress() as bar:
        task = bar.add_task("checking", total=len(source) * len(pairs))
        for test in source:
            for tgt, sch in pairs:
                bar.update(task, description=f"{test.name} {tgt.name} {sch.name}")
                result = checker.check(test, tgt, sch)
                checks.append(result)
                if not quiet or not result.sound:
                    print_check(console, result)
                if pictures and result.extra:
                    for path in pictures(result):
                        console.print(f"graph: {path}", markup=False, soft_wrap=True)
                bar.advance(task)
    console.print(summary_table(checks, source_model.name))
    unsound = sum(not c.sound and not c.error for c in checks)
    errors = sum(bool(c.error) for c in checks)
    console.print(f"{len(checks)} checks ({len(source)} tests x {len(pairs)} target/scheme "
                  f"pairs): {len(checks) - unsound - errors} sound, {unsound} UNSOUND, "
                  f"{errors} could not be checked", markup=False)  # fmt: skip
    if unsound:
        sys.exit(1)
    if errors:
        sys.exit(2)


@click.command("hunt")
@target_option(required=True)
@scheme_option(help="the lowering scheme")
@click.option("--shapes", default=None,
              help="comma list of SB, MP, LB, S, R, 2+2W, WRC, ISA2, IRIW (default: all)")
@click.option("--variants", "kinds", default=None,
              help="comma list of plain, fences, rmw (default: all three)")
@click.option("--max-threads", default=3, show_default=True,
              help="skip shapes with more threads (IRIW needs 4)")
@source_model_option()
@model_option(kinds=HARDWARE)
@click.option("--limit", default=5, show_default=True, help="counterexamples to print")
@click.option("--save", default=None, type=click.Path(file_okay=False),
              help="write the printed counterexamples to this directory (for tui replay)")
@budget_option()
@limits_options
@graph_options("Write the printed counterexamples' pictures here (hardware execution and "
               "source cycle).")
def hunt_command(target, scheme, shapes, kinds, max_threads, source_model, model, limit, save,
                 budget, limits, graph_dir, graph_format):  # fmt: skip
    """Generate the classic shapes under every ordering assignment and hunt counterexamples.

    Exit status 1 when a counterexample is found, 0 when the scheme is sound on every test.
    """
    from fencelab.checker import Checker
    from fencelab.checker.hunt import hunt, plan
    from fencelab.gen.shapes import parse_shapes, parse_variants
    from fencelab.report.check import print_hunt

    chosen = parse_shapes(shapes)
    variant_kinds = parse_variants(kinds)
    if max_threads < 1:
        raise FencelabError(f"--max-threads {max_threads}: must be at least 1")
    todo, _ = plan(chosen, max_threads, variant_kinds)
    if not todo:
        raise FencelabError(f"no shape among {', '.join(s.name for s in chosen)} has at most "
                            f"{max_threads} threads")  # fmt: skip
    pictures = counterexample_writer(graph_dir, graph_format)
    checker = Checker(source_model, model, budget, limits)
    with _progress() as bar:
        task = bar.add_task("hunting", total=len(todo))

        def advance(variant) -> None:
            bar.update(task, description=variant.test.name, advance=1)

        report = hunt(checker, target, scheme, chosen, max_threads, variant_kinds, advance, todo)
    print_hunt(console, report, limit, save)
    if pictures:
        for found in report.smallest(limit):
            for path in pictures(found.check):
                console.print(f"graph: {path}", markup=False, soft_wrap=True)
    if report.found:
        sys.exit(1)
