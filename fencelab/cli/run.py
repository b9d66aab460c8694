"""`fencelab run`: litmus tests (files or directories) through the pipeline, herd7-style output;
with `-j N` or `--cluster` the tests run in worker processes (fencelab/parallel), printed here in
the order of the inputs."""

from __future__ import annotations

import json
from dataclasses import replace
from functools import partial

import click

from fencelab.cli.graph import graph_options, run_graph_writer
from fencelab.cli.options import (
    budget_option,
    console,
    err_console,
    exploration_options,
    litmus_files,
    model_option,
    parallel_options,
    scheme_option,
    split_option,
    target_option,
)
from fencelab.errors import FencelabError


@click.command()
@click.argument("tests", nargs=-1, required=True, type=click.Path())
@target_option(many=True, help="ISA for source tests (default x86_64), a comma list, or 'all'; "
               "asm tests run on their own.")  # fmt: skip
@scheme_option(help="Lowering scheme used to compile source tests.")
@model_option()
@exploration_options
@budget_option()
@click.option("--json", "as_json", is_flag=True, help="One JSON object per test (JSON lines).")
@graph_options("Write a picture of every outcome's execution (and of why the condition's "
               "outcome is forbidden, if it is) to this directory.")
@split_option()
@parallel_options
def run(tests, target, scheme, model, mode, runs, seed, schedule, budget, as_json, graph_dir,
        graph_format, split, runner):  # fmt: skip
    """Run litmus tests (files or directories) and print herd7-style results."""
    from rich.progress import Progress as RichProgress

    from fencelab.parallel import tasks
    from fencelab.pipeline import RunOptions, targets_for
    from fencelab.report.run import shown, side_by_side, summary_table

    options = RunOptions(None, scheme, model, mode, runs, seed, schedule, budget)
    if split and mode != "exhaustive":
        raise FencelabError(f"--split divides exhaustive exploration; --mode {mode} has none")
    pictures = run_graph_writer(graph_dir, graph_format)
    files = litmus_files(tests)
    names = tuple(t.name for t in target) if target is not None else None
    render = partial(shown, as_json=as_json)
    keep = pictures is not None or (target is not None and len(target) > 1)
    rows = []
    show_progress = not as_json and err_console.is_terminal
    with runner, RichProgress(console=err_console, transient=True,
                              disable=not show_progress) as bar:  # fmt: skip
        task = bar.add_task("running", total=len(files))

        def progress(test, tgt):  # only when the tests run here
            what = f"{test.name} {tgt.name if tgt else ''}".strip()
            bar.update(task, description=what)
            return lambda n: bar.update(task, description=f"{what}: {n} explored")

        if split:
            outputs = (tasks.run_split(runner, path, options, names, render) for path in files)
        else:
            outputs = runner.map(tasks.run_file, ((p, options, names, render, keep)
                                                  for p in files), progress=progress)  # fmt: skip
        for output in outputs:
            if isinstance(output, tasks.Failure):
                raise FencelabError(output.message)
            written: list = [[]] * len(output)
            problems: list = [[]] * len(output)
            if pictures:
                test = output[0][0].test
                for i, (tgt, (result, _)) in enumerate(zip(targets_for(test, target), output)):
                    written[i], problems[i] = pictures(test, replace(options, target=tgt), result)
            for (_, (herd, row)), paths, missing in zip(output, written, problems):
                if as_json:
                    if pictures:
                        herd["graphs"] = [str(p) for p in paths]
                        herd["graph_problems"] = missing
                    click.echo(json.dumps(herd))
                else:
                    herd += "".join(f"\n# Graph {p}" for p in (*paths, *missing))
                    click.echo(herd + "\n")  # data lines are never wrapped
                rows.append(row)
            if len(output) > 1 and not as_json:
                console.print(side_by_side([result for result, _ in output]))
            bar.advance(task)
    if len(rows) > 1 and not as_json:
        console.print(summary_table(rows))
