"""`fencelab check` (is a lowering scheme sound on these tests?) and `fencelab hunt` (generate
the classic shapes and look for counterexamples).

Both go on past a test that cannot be read or checked (one line on stderr, exit 2 at the end
unless something is unsound), and stop at Ctrl-C with what was found, marked partial (exit 130).
Exit 0 means sound on every check: a check with no verdict (cut short: a limit, the step
budget, a loop's bound; racy) and no counterexample anywhere is exit 3.
"""

from __future__ import annotations

import contextlib
import sys

import click

from fencelab.cli import output
from fencelab.cli.graph import counterexample_writer, graph_options
from fencelab.cli.options import (
    EXIT_INTERRUPTED,
    EXIT_NO_VERDICT,
    budget_option,
    limits_options,
    litmus_files,
    lowerings,
    model_option,
    model_targets,
    named_path,
    parallel_options,
    refuse_idle_reductions,
    scheme_option,
    source_model_option,
    target_option,
    writable_dir,
)
from fencelab.errors import FencelabError
from fencelab.interrupts import stop_if_interrupted
from fencelab.litmus.parser import STDIN, STDIN_FILE, read_test
from fencelab.models.registry import AXIOMATIC, OPERATIONAL
from fencelab.result import INTERRUPTED

HARDWARE = (OPERATIONAL, AXIOMATIC)
MAX_THREADS = 4  # IRIW, the widest shape


def checked_by(source_model, model, pairs):
    """The models a check runs and the code each judges (`pipeline.judged_by`): the source
    model on the C or Rust test, the hardware model on each target's code."""
    from fencelab.pipeline import RunOptions, judged_by

    yield source_model, "C"
    for tgt, _ in pairs:
        yield judged_by("C", RunOptions(target=tgt, model=model))


def shown_names(tests, labels) -> dict[int, str]:
    """How each check's line names its test (by `id`): its name, or, where two tests checked
    share a name (`a/MP` and `b/MP`), its path as given, as `run`'s summary names it: lines
    `sound  MP  x86_64 ...` twice could not say which file each verdict is about."""
    names = [t.name for t in tests]
    return {id(t): label if names.count(t.name) > 1 else t.name
            for t, label in zip(tests, labels)}


@click.command("check")
@click.argument("tests", nargs=-1, required=True, type=click.Path())
@target_option(default="all", help="Targets to compile for: T, T,T,... or all.")
@scheme_option(many=True, help="Lowering schemes: S, S,S,... or all (each on its own targets)")
@source_model_option()
@model_option(kinds=HARDWARE)
@budget_option()
@limits_options
@click.option("--quiet", "-q", is_flag=True,
              help="Print only the checks that are not sound (UNSOUND, racy, cut short, "
                   "errors), cautions, the table and the last line.")
@graph_options("Write each counterexample's pictures here: the hardware execution and the "
               "source model's cycle that forbids it.")
@parallel_options
def check_command(tests, target, scheme, source_model, model, budget, limits, quiet, graph_dir,
                  graph_format, runner):  # fmt: skip
    """Check that compiling with a scheme adds no outcome the source model forbids.

    Every C / Rust test is compiled for each target, explored exhaustively on the target's
    hardware model and compared with the source model (c11 or rc11). Exit status 1 when any
    test is UNSOUND; else 2 when a test could not be read or checked; else 3 when a check
    reached no verdict (cut short: a limit, the step budget, a loop's bound; racy); 0: sound on
    every check; 130 when interrupted.
    """
    from fencelab.checker import Checker
    from fencelab.parallel import tasks
    from fencelab.report.check import print_check, source_model_text, summary_table
    from fencelab.report.words import interrupted as interrupted_words
    from fencelab.report.words import plural

    pictures = counterexample_writer(graph_dir, graph_format)
    pairs = lowerings(model_targets(target, model), scheme)
    refuse_idle_reductions(checked_by(source_model, model, pairs))
    checker = Checker(source_model, model, budget, limits)
    out = output.stdout()
    source, labels, failed = [], [], 0
    unread = 0  # tests that could not be read: their errors above, and a count in the summary
    for item in litmus_files(tests):
        try:
            test = read_test(item.path)
        except FencelabError as e:
            output.error(str(e))
            failed += 1
            unread += 1
            continue
        if test.is_source:
            source.append(test)
            labels.append(item.label)
        elif not quiet:
            output.note(f"{test.file}: skipped, an {test.arch} test (check compiles C and Rust "
                        "tests)")  # fmt: skip
    if not source and not failed:
        raise FencelabError("no C or Rust tests to check in " + ", ".join(
            STDIN_FILE if t == STDIN else t for t in tests))
    shown = shown_names(source, labels)
    checks = []
    interrupted = partial = False  # (partial: the last check printed was cut short)
    items = [(test, tgt, sch) for test in source for tgt, sch in pairs]
    runner = runner.at_most(len(items))
    with contextlib.ExitStack() as stack:
        # the workers first: a --cluster that cannot be reached is its one line, with nothing
        # on stdout, as for run and hunt (this line came first)
        stack.enter_context(runner)
        output.data(out, f"source model: {source_model_text(source_model.name)}")
        bar = stack.enter_context(output.Progress("checking", len(items)))
        results = (checker.check(*item) for item in items) if runner.local else (
            tasks.check_all(checker, items, runner))
        try:
            for test, tgt, sch in items:
                bar.describe(f"{test.name} {tgt.name} {sch.name}")
                stop_if_interrupted()
                result = next(results)
                checks.append(result)
                with bar.paused():
                    if not quiet or not result.sound or result.cautions:
                        print_check(out, result, shown[id(test)])
                    if pictures and result.extra:
                        for path in pictures(result):
                            output.data(out, f"graph: {path}")
                if result.error:
                    failed += 1
                if result.partial == INTERRUPTED:
                    interrupted = partial = True
                    break
                bar.advance()
        except KeyboardInterrupt:
            interrupted = True
    if checks:
        output.table(out, summary_table(checks, source_model.name))
    unsound = sum(bool(c.extra) for c in checks)
    errors = sum(bool(c.error) for c in checks)
    sound = sum(c.sound for c in checks)
    line = (f"{plural(len(checks), 'check')} ({plural(len(source), 'test')} x "
            f"{plural(len(pairs), 'target/scheme pair')}): {sound} sound, {unsound} UNSOUND, "
            f"{errors} could not be checked")  # fmt: skip
    cut = sum(c.verdict == "partial" and c.partial != INTERRUPTED for c in checks)
    racy = sum(c.verdict == "racy" for c in checks)
    if racy:
        line += f"; {racy} racy (a data race: undefined behaviour, no verdict)"
    cautioned = sum(bool(c.cautions) for c in checks)
    if cautioned:
        line += f"; {cautioned} under a caution (caution lines above)"
    if unread:
        line += f"; {plural(unread, 'test')} could not be read (errors above)"
    if cut:
        line += f"; {cut} cut short (no verdict)"
    if interrupted:
        line += "; " + interrupted_words("check", len(checks), partial, "later ones")
    output.data(out, line)
    if interrupted:
        sys.exit(EXIT_INTERRUPTED)
    if unsound:
        sys.exit(1)
    if failed:
        sys.exit(2)
    if cut or racy:
        sys.exit(EXIT_NO_VERDICT)


@click.command("hunt")
@target_option(default="all", help="Targets to hunt on: T, T,T,... or all.")
@scheme_option(many=True, help="Lowering schemes: S, S,S,... or all (each on its own targets)")
@click.option("--shapes", default=None,
              help="comma list of SB, MP, LB, S, R, 2+2W, WRC, ISA2, IRIW (default: all)")
@click.option("--variants", "kinds", default=None,
              help="comma list of plain, fences, rmw (default: all three)")
@click.option("--max-threads", default=3, show_default=True,
              type=click.IntRange(1, MAX_THREADS),
              help=f"Skip shapes with more threads, 1 to {MAX_THREADS} (IRIW needs 4).")
@source_model_option()
@model_option(kinds=HARDWARE)
@click.option("--limit", default=5, show_default=True, type=click.IntRange(1, None),
              help="Counterexamples to print for each target and scheme, at least 1.")
@click.option("--save", default=None, type=click.Path(file_okay=False), callback=named_path,
              help="Write the printed counterexamples here as tests (made if missing), each "
                   "with a replay command.")
@budget_option()
@limits_options
@graph_options("Write the printed counterexamples' pictures here (hardware execution and "
               "source cycle).")
@parallel_options
def hunt_command(target, scheme, shapes, kinds, max_threads, source_model, model, limit, save,
                 budget, limits, graph_dir, graph_format, runner):  # fmt: skip
    """Generate the classic shapes under every ordering assignment and hunt counterexamples.

    Exit status 1 when a counterexample is found; else 2 when a test could not be checked;
    else 3 when a test reached no verdict (cut short: a limit, the step budget, a loop's bound;
    racy); 0 when the scheme is
    sound on every test; 130 when interrupted (what was found so far is printed).
    """
    from fencelab.checker import Checker
    from fencelab.checker.hunt import hunt, plan
    from fencelab.gen.shapes import parse_shapes, parse_variants
    from fencelab.parallel import tasks
    from fencelab.report.check import print_hunt

    chosen = parse_shapes(shapes)
    variant_kinds = parse_variants(kinds)
    todo, _ = plan(chosen, max_threads, variant_kinds)
    if not todo:
        from fencelab.report.words import plural

        raise FencelabError(f"no shape among {', '.join(s.name for s in chosen)} has at most "
                            f"{plural(max_threads, 'thread')}")  # fmt: skip
    pairs = lowerings(model_targets(target, model), scheme)
    refuse_idle_reductions(checked_by(source_model, model, pairs))
    pictures = counterexample_writer(graph_dir, graph_format)
    saved = writable_dir(save, "tests") if save else None
    written: dict[str, str] = {}  # the tests saved, by name: a later one of a name is NAME-2
    checker = Checker(source_model, model, budget, limits)
    out = output.stdout()
    found = interrupted = failed = undecided = False
    runner = runner.at_most(len(todo))  # (a target and scheme's variants: one map)
    with runner, output.Progress("hunting", len(todo) * len(pairs)) as bar:
        for tgt, sch in pairs:

            def advance(variant, tgt=tgt) -> None:
                bar.describe(f"{tgt.name} {variant.test.name}")
                bar.advance()

            def run_checks(variants, tgt=tgt, sch=sch):
                return tasks.check_all(checker, [(v.test, tgt, sch) for v in variants], runner)

            report = hunt(checker, tgt, sch, chosen, max_threads, variant_kinds, advance, todo,
                          None if runner.local else run_checks)  # fmt: skip
            with bar.paused():
                print_hunt(out, report, limit, saved, checker.budget, written)
                if pictures:
                    for f in report.smallest(limit):
                        for path in pictures(f.check):
                            output.data(out, f"graph: {path}")
                if len(pairs) > 1:
                    out.print()
            found |= bool(report.found)
            failed |= bool(report.errors)
            undecided |= bool(report.incomplete or report.racy)
            if report.partial:
                interrupted = True
                break
    if interrupted:
        sys.exit(EXIT_INTERRUPTED)
    if found:
        sys.exit(1)
    if failed:
        sys.exit(2)
    if undecided:
        sys.exit(EXIT_NO_VERDICT)
