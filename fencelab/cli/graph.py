"""Execution graphs on the command line: `fencelab graph` (one outcome), and the `--graph DIR`
option `run`, `check` and `hunt` share (declared here once)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from fencelab.cli import output
from fencelab.cli.options import (
    budget_option,
    given,
    limits_options,
    model_option,
    model_targets,
    named_path,
    no_reduce_option,
    one_target,
    output_path,
    refuse_idle_reductions,
    refuse_idle_scheme,
    scheme_option,
    scheme_targets,
    target_option,
    writable_dir,
    writable_file,
)
from fencelab.errors import FencelabError
from fencelab.interrupts import EXIT_INTERRUPTED, pressed
from fencelab.litmus.parser import read_test
from fencelab.models.registry import OPERATIONAL, SOURCE

FORMATS = ("svg", "dot", "both")


def graph_options(help: str):
    """`--graph DIR` and `--graph-format svg|dot|both` (which needs `--graph`)."""

    def decorate(fn):
        fn = click.option("--graph-format", default="svg", show_default=True,
                          type=click.Choice(FORMATS, case_sensitive=False),
                          help="Pictures as SVG, DOT or both (with --graph).")(fn)  # fmt: skip
        return click.option("--graph", "graph_dir", default=None, callback=named_path,
                            type=click.Path(file_okay=False), help=help)(fn)  # fmt: skip

    return decorate


def _needs_dir(directory: str | None, fmt: str) -> bool:
    if directory is None:
        if given("graph_format"):  # (`svg` too, the default: given, it was ignored)
            raise FencelabError("--graph-format needs --graph DIR")
        return False
    return True


def run_graph_writer(directory: str | None, fmt: str):
    """A function writing a run's execution graphs: (test, options, result) -> (paths written,
    problems); None without --graph."""
    if not _needs_dir(directory, fmt):
        return None
    from fencelab.graph.api import result_graphs
    from fencelab.report.graphs import write_graphs

    where = writable_dir(directory, "graphs")
    taken: dict = {}  # the names written, kept apart (report.graphs.write_graphs)

    def write(test, options, result):
        graphs, problems = result_graphs(test, options, result)
        return write_graphs(graphs, where, fmt, taken), problems

    return write


def counterexample_writer(directory: str | None, fmt: str):
    """A function writing a check's counterexample graphs (None without --graph)."""
    if not _needs_dir(directory, fmt):
        return None
    from fencelab.report.graphs import write_counterexample_graphs

    where = writable_dir(directory, "graphs")
    taken: dict = {}  # the names written, kept apart (report.graphs.write_graphs)
    return lambda check: write_counterexample_graphs(check, where, fmt, taken)


@click.command("graph")
@click.argument("test", type=click.Path())
@click.option("--outcome", "outcome", default=None,
              help='The final state, as herd prints it: "1:X0=1; 1:X2=0" (default: the '
                   "condition's, when it is a conjunction); part of one draws the first "
                   "state that has it, with a note.")  # fmt: skip
@target_option(one=True, help="One target for a C or Rust test (default: its language model judges "
               "it); asm tests run on their own architecture.")  # fmt: skip
@scheme_option()
@model_option(kinds=(OPERATIONAL, SOURCE))  # (an axiomatic model runs no witness to draw)
@budget_option()
@limits_options
@no_reduce_option
@click.option("--output", "-o", "path", default=None, type=click.Path(dir_okay=False),
              callback=output_path,
              help="Write the picture here (.svg or .dot; - is stdout, as without -o); "
                   "default: text on stdout.")  # fmt: skip
@click.option("--format", "fmt", default=None,
              type=click.Choice(["svg", "dot", "text"], case_sensitive=False),
              help="svg, dot or text (default: from --output's extension, else text; a .svg or "
                   ".dot --output must agree).")
def graph_command(test, outcome, target, scheme, model, budget, limits, path, fmt):
    """Draw one outcome's execution: its witness if the model allows it, else the candidate
    execution and the cycle (and axiom) that forbid it."""
    from rich.text import Text

    from fencelab.graph.api import outcome_graph
    from fencelab.pipeline import RunOptions, judged_by, plan
    from fencelab.report.dot import render_dot
    from fencelab.report.graph_text import graph_lines
    from fencelab.report.svg import render_svg
    from fencelab.report.tables import unicode_boxes

    suffix = Path(path).suffix.lstrip(".").lower() if path else ""
    if fmt is None:
        fmt = suffix if path else "text"
        if path and fmt not in ("svg", "dot"):
            raise FencelabError(f"--output {path}: name a .svg or .dot file, or give --format "
                                "svg or dot")  # fmt: skip
    if fmt == "text" and path:
        raise FencelabError("--format text prints to stdout; drop --output or pick svg / dot")
    if suffix in ("svg", "dot") and suffix != fmt:
        raise FencelabError(f"--output {path} names a .{suffix} file and --format {fmt} writes "
                            f"{fmt.upper()}: drop --format, or name a .{fmt} file")  # fmt: skip
    if path:
        writable_file(path)  # refused now, not after the exploration
    chosen = scheme_targets(target, scheme, note=False) if target else None
    target = one_target(model_targets(chosen, model, note=False),
                        "graph")  # (all: refused, one target)
    test = read_test(test, "graph")
    options = RunOptions(scheme=scheme, model=model, budget=budget, limits=limits)
    configs, note = plan(test, options, (target,) if target else None)
    refuse_idle_scheme(scheme, configs[0].target is not None and test.is_source)
    refuse_idle_reductions([judged_by(test.arch, configs[0])])
    if note:
        output.note(note)
    graph = outcome_graph(test, configs[0], outcome, output.note)
    if fmt == "text":
        out = output.stdout()
        out.print(Text(graph.title, style="bold"), soft_wrap=True)
        for line in graph_lines(graph, ascii=not unicode_boxes(out)):
            out.print(line, soft_wrap=True)
    else:
        rendered = render_svg(graph) if fmt == "svg" else render_dot(graph)
        if path:
            try:
                Path(path).write_text(rendered, encoding="utf-8")  # (as report.graphs writes)
            except OSError as e:
                raise FencelabError(f"{path}: cannot be written ({e.strerror or e})") from None
            click.echo(f"{path}: {graph.title}")
        else:
            click.echo(rendered, nl=False)
    if pressed():  # the run was cut short by Ctrl-C, and what it found is drawn (a witness)
        sys.exit(EXIT_INTERRUPTED)
