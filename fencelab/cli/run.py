"""`fencelab run`: litmus tests (files or directories) through the pipeline, herd7-style output."""

from __future__ import annotations

import json
from dataclasses import replace

import click

from fencelab.cli.graph import graph_options, run_graph_writer
from fencelab.cli.options import (
    budget_option,
    console,
    err_console,
    exploration_options,
    limits_options,
    litmus_files,
    model_option,
    scheme_option,
    target_option,
)


@click.command()
@click.argument("tests", nargs=-1, required=True, type=click.Path())
@target_option(many=True, help="ISA for source tests (default x86_64), a comma list, or 'all'; "
               "asm tests run on their own.")  # fmt: skip
@scheme_option(help="Lowering scheme used to compile source tests.")
@model_option()
@exploration_options
@budget_option()
@limits_options
@click.option("--json", "as_json", is_flag=True, help="One JSON object per test (JSON lines).")
@graph_options("Write a picture of every outcome's execution (and of why the condition's "
               "outcome is forbidden, if it is) to this directory.")
def run(tests, target, scheme, model, mode, runs, seed, schedule, budget, limits, as_json,
        graph_dir, graph_format):  # fmt: skip
    """Run litmus tests (files or directories) and print herd7-style results."""
    from rich.progress import Progress as RichProgress

    from fencelab.litmus.parser import parse_file
    from fencelab.pipeline import RunOptions, run_test, targets_for
    from fencelab.report.herd import format_herd
    from fencelab.report.run import result_record, side_by_side, summary_table

    options = RunOptions(None, scheme, model, mode, runs, seed, schedule, budget, limits)
    pictures = run_graph_writer(graph_dir, graph_format)
    files = litmus_files(tests)
    results = []
    show_progress = not as_json and err_console.is_terminal
    with RichProgress(console=err_console, transient=True, disable=not show_progress) as bar:
        task = bar.add_task("running", total=len(files))
        for path in files:
            test = parse_file(path)
            per_target = []
            for tgt in targets_for(test, target):
                what = f"{test.name} {tgt.name if tgt else ''}".strip()
                bar.update(task, description=what)

                meter = limits.meter("run" if mode == "random" else "state")

                def explored(n: int, what: str = what, meter=meter) -> None:
                    bar.update(task, description=f"{what}: {meter.progress(n)}")

                here = replace(options, target=tgt)
                result = run_test(test, here, progress=explored)
                per_target.append(result)
                written, problems = pictures(test, here, result) if pictures else ([], [])
                if as_json:
                    record = result_record(result)
                    if pictures:
                        record["graphs"] = [str(p) for p in written]
                        record["graph_problems"] = problems
                    click.echo(json.dumps(record))
                else:
                    text = format_herd(result)
                    text += "".join(f"\n# Graph {p}" for p in (*written, *problems))
                    console.print(text, markup=False, highlight=False,
                                  soft_wrap=True)  # data lines are never wrapped
                    console.print()
            if len(per_target) > 1 and not as_json:
                console.print(side_by_side(per_target))
            results.extend(per_target)
            bar.advance(task)
    if len(results) > 1 and not as_json:
        console.print(summary_table(results))
