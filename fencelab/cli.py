"""The `fencelab` command line.

Every command reports bad input as one line on stderr and exits with status 2 (click's own usage
errors exit with 2 too). Commands live in this file as thin wrappers; the work is done in the
package named after the concept (`lowering`, `litmus`, `machine`, `models`, `tui`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps

import click
from rich.console import Console

from fencelab.errors import FencelabError

console = Console()
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def user_errors(fn: Callable) -> Callable:
    """Turn a FencelabError into one line on stderr and exit status 2."""

    @wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except FencelabError as e:
            err_console.print(f"fencelab: error: {e}", markup=False)
            sys.exit(2)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="fencelab")
def main() -> None:
    """fencelab: memory ordering you can run and watch.

    Map atomic operations to real instructions (x86-64, ARMv7, ARMv8, ARMv8.1 LSE, ARMv8.3
    RCpc), run litmus tests on Unicorn cores under faithful memory models, and step through
    them in a terminal UI.
    """


# Commands are registered below, one block each.


# --- run ---------------------------------------------------------------------------------------


def _litmus_files(paths: tuple[str, ...]) -> list[str]:
    """Files named, and every *.litmus below each directory named (sorted)."""
    from pathlib import Path

    files: list[str] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            files.extend(str(f) for f in sorted(path.rglob("*.litmus")))
        elif path.exists():
            files.append(str(path))
        else:
            raise FencelabError(f"{p}: no such file or directory")
    if not files:
        raise FencelabError("no litmus tests found in " + ", ".join(paths))
    return files


def _result_json(result) -> dict:
    from fencelab.result import _obs_text, holds, value_text

    return {
        "test": result.test.name,
        "arch": result.test.arch,
        "target": result.target,
        "scheme": result.scheme,
        "model": result.engine,
        "mode": result.mode,
        "verdict": result.verdict,
        "ok": result.ok,
        "observation": result.observation,
        "positive": result.positive,
        "negative": result.negative,
        "condition": _condition_text(result.condition),
        "states": [
            {
                "outcome": {_obs_text(o): v if isinstance(v, int) else value_text(v)
                            for o, v in s.outcome},  # fmt: skip
                "satisfies": holds(result.condition.prop, s.outcome),
                "witness": s.witness,
                "count": s.count,
            }
            for s in result.states
        ],
        "explored_states": result.explored_states,
        "transitions": result.transitions,
        "budget_exhausted": result.budget_exhausted,
        "seconds": round(result.seconds, 6),
    }


def _condition_text(condition) -> str:
    from fencelab.litmus.printer import format_condition

    return format_condition(condition)


@main.command()
@click.argument("tests", nargs=-1, required=True, type=click.Path())
@click.option("--target", "-t", default=None,
              help="ISA for source tests (default x86_64), or 'all'; asm tests run on their own.")
@click.option("--scheme", "-s", default="default", show_default=True,
              help="Lowering scheme used to compile source tests.")
@click.option("--model", "-m", default=None,
              help="Memory model: sc, tso, arm, armv7, aarch32 (hardware, default: the target's "
                   "own: x86_64 tso, aarch64 arm, armv7 armv7 — ARMv7, not multicopy-atomic; "
                   "aarch32: A32 under ARMv8 rules); c11, rc11, sc-source (source tests, "
                   "axiomatic).")
@click.option("--mode", type=click.Choice(["exhaustive", "random", "replay"]),
              default="exhaustive", show_default=True)
@click.option("--runs", default=1000, show_default=True, help="Runs in random mode.")
@click.option("--seed", default=0, show_default=True, help="Seed in random mode.")
@click.option("--schedule", default="", help="Transition keys to follow in replay mode (a,b,c).")
@click.option("--budget", default=40, show_default=True,
              help="Memory instructions per core before an execution counts as unbounded.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per test (JSON lines).")
@user_errors
def run(tests, target, scheme, model, mode, runs, seed, schedule, budget, as_json):
    """Run litmus tests (files or directories) and print herd7-style results."""
    import json

    from rich.progress import Progress as RichProgress

    from fencelab.litmus.parser import parse_file
    from fencelab.pipeline import RunOptions, run_test, targets_for
    from fencelab.result import format_herd

    options = RunOptions(target, scheme, model, mode, runs, seed, schedule, budget)
    files = _litmus_files(tests)
    results = []
    show_progress = not as_json and err_console.is_terminal
    with RichProgress(console=err_console, transient=True, disable=not show_progress) as bar:
        task = bar.add_task("running", total=len(files))
        for path in files:
            test = parse_file(path)
            per_target = []
            for tgt in targets_for(test, target):
                what = f"{test.name} {tgt or ''}".strip()
                bar.update(task, description=what)

                def explored(n: int, what: str = what) -> None:
                    bar.update(task, description=f"{what}: {n} explored")

                result = run_test(test, options, tgt, progress=explored)
                per_target.append(result)
                if as_json:
                    click.echo(json.dumps(_result_json(result)))
                else:
                    console.print(format_herd(result), markup=False, highlight=False)
                    console.print()
            if len(per_target) > 1 and not as_json:
                console.print(_side_by_side(per_target))
            results.extend(per_target)
            bar.advance(task)
    if len(results) > 1 and not as_json:
        console.print(_summary_table(results))


def _side_by_side(results):
    """One test on several targets: which outcome each one can reach."""
    from rich.table import Table

    from fencelab.result import format_outcome, holds

    test = results[0].test
    table = Table(title=f"{test.name}: outcomes by target")
    table.add_column("outcome")
    table.add_column("cond", justify="center")
    for r in results:
        table.add_column(f"{r.target}\n{r.engine}", justify="center")
    outcomes = sorted({s.outcome for r in results for s in r.states}, key=format_outcome)
    for outcome in outcomes:
        marks = ["yes" if outcome in r.outcome_set() else "-" for r in results]
        table.add_row(format_outcome(outcome), "*" if holds(test.condition.prop, outcome) else "",
                      *marks)  # fmt: skip
    return table


def _summary_table(results):
    from rich.table import Table

    table = Table(title="Summary")
    for col in ("test", "run on", "verdict", "states", "explored", "time"):
        table.add_column(col, justify="right" if col in ("states", "explored", "time") else "left",
                         no_wrap=col != "test", overflow="fold")  # fmt: skip
    for r in results:
        table.add_row(
            r.test.name, f"{r.target} {r.engine}".strip(),
            f"{r.verdict}, {r.observation} {r.positive} {r.negative}",
            str(len(r.states)), str(r.explored_states), f"{r.seconds * 1000:.0f} ms",
        )  # fmt: skip
    return table


# -- map / table: the lowering table ---------------------------------------------------------
def _lowering_choices(op_text: str, order_text: str, failure_text: str | None):
    from fencelab.atomics import parse_op, parse_order

    op = parse_op(op_text)
    order = parse_order(order_text)
    failure = parse_order(failure_text) if failure_text else None
    return op, order, failure


@main.command("map")
@click.argument("op")
@click.argument("order")
@click.option("--target", "-t", default="x86_64", show_default=True,
              help="x86_64, armv7, armv8, armv8.1, armv8.3")  # fmt: skip
@click.option("--width", "-w", default=None, help="8, 16, 32 or 64 (default 32; none for fence)")
@click.option("--scheme", "-s", default="default", show_default=True,
              help="default, x86-mfence, gcc, rcpc, tutorial")  # fmt: skip
@click.option("--failure", "-f", default=None,
              help="CAS failure ordering (default: C's rule from the success ordering)")  # fmt: skip
@user_errors
def map_command(op, order, target, width, scheme, failure):
    """Show how one atomic operation is lowered: asm, bytes, disassembly, rationale."""
    from rich.markup import escape
    from rich.panel import Panel
    from rich.table import Table

    from fencelab.atomics import Op, parse_width
    from fencelab.isa.registry import get_target
    from fencelab.lowering import lookup

    op, order, failure = _lowering_choices(op, order, failure)
    if op is Op.FENCE:
        if width is not None:
            raise FencelabError("a fence has no width; drop --width")
        bits = None
    else:
        bits = parse_width(width if width is not None else 32)
    entry = lookup(target, scheme, op, order, bits, failure)
    tgt = get_target(entry.target)
    code = entry.assemble(0)
    decoded = tgt.disassemble(code, 0)
    console.print(f"[bold]{entry.describe()}[/bold]  scheme used: [cyan]{entry.scheme}[/cyan]")
    asm = escape("\n".join(entry.canonical())) or "(no instruction: a compiler-only barrier)"
    console.print(Panel(asm, title="assembly (canonical registers)", expand=False))
    if decoded:
        listing = Table(title="bytes and capstone disassembly")
        for col in ("offset", "bytes", "instruction", "memory-model view"):
            listing.add_column(col)
        for d in decoded:
            listing.add_row(f"{d.address:#06x}", d.bytes.hex(" "), escape(d.text),
                            escape(d.info.describe()))  # fmt: skip
        console.print(listing)
        console.print(f"bytes: {code.hex()}", soft_wrap=True)
    if entry.roles:
        console.print("roles: " + escape("; ".join(r.describe() for r in entry.roles)))
    if entry.ok_role:
        console.print(f"success flag: {entry.ok_role} (1 = stored; may fail spuriously)")
    console.print(f"[italic]why:[/italic] {escape(entry.rationale)}")


def _entry_record(entry) -> dict:
    return {
        "target": entry.target,
        "scheme": entry.scheme,
        "op": entry.op.value,
        "order": entry.order.value,
        "failure": entry.failure.value if entry.failure else None,
        "width": entry.width,
        "asm": entry.canonical(),
        "bytes": entry.assemble(0).hex(),
        "rationale": entry.rationale,
        "roles": [r.describe() for r in entry.roles],
        "ok_role": entry.ok_role,
    }


def _grid(records: list[dict], targets: tuple[str, ...]) -> str:
    from fencelab.atomics import default_failure_order, parse_order

    rows: dict[tuple[str, str, int | None], dict[str, str]] = {}
    for r in records:
        if r["failure"] and parse_order(r["failure"]) != default_failure_order(
            parse_order(r["order"])
        ):
            continue
        cell = "; ".join(a for a in r["asm"]) or "(nothing)"
        rows.setdefault((r["op"], r["order"], r["width"]), {})[r["target"]] = f"`{cell}`"
    lines = ["| op | ordering | width | " + " | ".join(targets) + " |",
             "|---|---|---|" + "---|" * len(targets)]  # fmt: skip
    for (op, order, width), cells in rows.items():
        lines.append(f"| {op} | {order} | {width or '-'} | "
                     + " | ".join(cells.get(t, "") for t in targets) + " |")  # fmt: skip
    return "\n".join(lines)


@main.command("table")
@click.option("--target", "-t", "targets", multiple=True,
              help="repeatable; default: all five targets")  # fmt: skip
@click.option("--scheme", "-s", default="default", show_default=True,
              help="default, x86-mfence, gcc, rcpc, tutorial")  # fmt: skip
@click.option("--width", "-w", "widths", multiple=True, help="repeatable; default: 8 16 32 64")
@click.option("--format", "fmt", default="text", show_default=True,
              type=click.Choice(["text", "markdown", "grid", "json", "csv"]))  # fmt: skip
@user_errors
def table_command(targets, scheme, widths, fmt):
    """Print the whole lowering table (every valid op x ordering x width).

    `grid` is a compact markdown table, one column per target, one row per operation and
    ordering (compare_exchange with C's default failure ordering only).
    """
    import csv
    import io
    import json

    from rich.markup import escape
    from rich.table import Table

    from fencelab.atomics import WIDTHS, parse_width
    from fencelab.isa.registry import TARGET_NAMES, get_target
    from fencelab.lowering import entries, get_scheme

    names = tuple(dict.fromkeys(get_target(t).name for t in targets)) or TARGET_NAMES
    get_scheme(scheme)
    bits = tuple(parse_width(w) for w in widths) or WIDTHS
    records = [_entry_record(e) for e in entries(names, scheme, bits)]
    if fmt == "json":
        click.echo(json.dumps(records, indent=1))
        return
    columns = ("target", "scheme", "op", "order", "failure", "width", "asm", "bytes", "rationale")
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(columns)
        for r in records:
            writer.writerow([("; ".join(r[c]) if c == "asm" else r[c]) if r[c] is not None
                             else "" for c in columns])  # fmt: skip
        click.echo(out.getvalue(), nl=False)
        return
    if fmt == "grid":
        click.echo(_grid(records, names))
        return
    if fmt == "markdown":
        head = ("target", "operation", "ordering", "width", "instructions", "from", "why")
        click.echo("| " + " | ".join(head) + " |")
        click.echo("|" + "|".join("---" for _ in head) + "|")
        for r in records:
            order = r["order"] + (f" / {r['failure']}" if r["failure"] else "")
            asm = "<br>".join(f"`{a}`" for a in r["asm"]) or "*(none)*"
            row = (r["target"], r["op"], order, str(r["width"] or "-"), asm, r["scheme"],
                   r["rationale"].replace("|", "\\|"))  # fmt: skip
            click.echo("| " + " | ".join(row) + " |")
        return
    table = Table(title=f"lowering table ({scheme})", show_lines=True)
    for col in ("target", "op", "order", "width", "asm", "from", "why"):
        table.add_column(col, overflow="fold")
    for r in records:
        order = r["order"] + (f"/{r['failure']}" if r["failure"] else "")
        table.add_row(r["target"], r["op"], order, str(r["width"] or "-"),
                      escape("\n".join(r["asm"])) or "(none)", r["scheme"],
                      escape(r["rationale"]))  # fmt: skip
    console.print(table)


# --- tui ---------------------------------------------------------------------------------------


@main.command()
@click.argument("test", type=click.Path())
@click.option("--target", "-t", default=None,
              help="ISA for source tests (default x86_64); asm tests run on their own ISA.")
@click.option("--scheme", "-s", default="default", show_default=True,
              help="Lowering scheme used to compile source tests.")
@click.option("--model", "-m", default=None,
              help="Memory model: sc, tso, arm, armv7, aarch32 (default: the target's own).")
@click.option("--schedule", default="",
              help="Open at this witness (transition keys a,b,c): → steps through it.")
@user_errors
def tui(test, target, scheme, model, schedule):
    """Step through a litmus test core by core in a terminal UI."""
    from pathlib import Path

    from fencelab.litmus.parser import parse_file
    from fencelab.pipeline import RunOptions
    from fencelab.tui.app import FencelabApp

    if not Path(test).is_file():
        raise FencelabError(f"{test}: no such file")
    parsed = parse_file(test)
    options = RunOptions(target=target, scheme=scheme, model=model)
    app = FencelabApp.for_test(parsed, options, schedule)  # errors surface before the screen
    app.run()


# --- compile: a source test to a target's herd assembly test ----------------------------------


@main.command("compile")
@click.argument("test", type=click.Path())
@click.option("--target", "-t", required=True,
              help="x86_64, armv7, armv8, armv8.1 or armv8.3")  # fmt: skip
@click.option("--scheme", "-s", default="default", show_default=True,
              help="Lowering scheme: default, x86-mfence, gcc, rcpc, tutorial")  # fmt: skip
@user_errors
def compile_command(test, target, scheme):
    """Compile a C or Rust litmus test to the target's herd assembly test (herd7 format)."""
    from fencelab.compiler.compile import compile_test
    from fencelab.litmus.parser import parse_file
    from fencelab.litmus.printer import format_test

    asm = compile_test(parse_file(test), target, scheme)
    click.echo(format_test(asm), nl=False)


# --- show: a test printed back in its own format ----------------------------------------------


@main.command("show")
@click.argument("test", type=click.Path())
@user_errors
def show_command(test):
    """Print a litmus test back in its own format (herd's, or our Rust spelling)."""
    from fencelab.litmus.parser import parse_file
    from fencelab.litmus.printer import format_test

    click.echo(format_test(parse_file(test)), nl=False)


# --- check: is a lowering scheme sound against the source model? -----------------------------


def _check_combinations(target: str, scheme: str) -> list[tuple[str, str]]:
    """(target, scheme) pairs: `all` targets; `all` or comma-separated schemes (each scheme on
    the targets it is written for; `default` everywhere)."""
    from fencelab.isa.registry import TARGET_NAMES, get_target
    from fencelab.lowering import SCHEMES, get_scheme

    targets = TARGET_NAMES if target == "all" else tuple(
        get_target(t.strip()).name for t in target.split(","))  # fmt: skip
    if scheme == "all":
        return [(t, s) for s in SCHEMES for t in targets if t in SCHEMES[s].targets]
    schemes = [get_scheme(s.strip()).name for s in scheme.split(",")]
    return [(t, s) for s in schemes for t in targets]


@main.command("check")
@click.argument("tests", nargs=-1, required=True, type=click.Path())
@click.option("--target", "-t", default="all", show_default=True,
              help="x86_64, armv7, armv8, armv8.1, armv8.3, a comma list, or all")  # fmt: skip
@click.option("--scheme", "-s", default="default", show_default=True,
              help="a lowering scheme, a comma list, or all (each on its own targets)")  # fmt: skip
@click.option("--source-model", default="c11", show_default=True,
              type=click.Choice(["c11", "rc11"]), help="what the source test allows")  # fmt: skip
@click.option("--model", "-m", default=None,
              help="hardware model: sc, tso, arm, armv7, aarch32 (default: the target's own: "
                   "x86_64 tso, aarch64 arm, armv7 armv7)")  # fmt: skip
@click.option("--budget", default=40, show_default=True,
              help="Memory instructions per core before an execution counts as unbounded.")
@click.option("--quiet", "-q", is_flag=True, help="Print only unsound tests, errors, the table.")
@user_errors
def check_command(tests, target, scheme, source_model, model, budget, quiet):
    """Check that compiling with a scheme adds no outcome the source model forbids.

    Every C / Rust test is compiled for each target, explored exhaustively on the target's
    hardware model and compared with the source model (c11 or rc11). Exit status 1 when any
    test is UNSOUND, 2 on bad input (or when a test could not be checked).
    """
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
    from rich.progress import Progress as RichProgress

    from fencelab.checker import Checker
    from fencelab.litmus.parser import parse_file
    from fencelab.report.check import SOURCE_MODEL_TEXT, print_check, summary_table

    pairs = _check_combinations(target, scheme)
    checker = Checker(source_model, model, budget)
    parsed = [parse_file(p) for p in _litmus_files(tests)]
    source = [t for t in parsed if t.is_source]
    for t in parsed:
        if not t.is_source and not quiet:
            console.print(f"skipped {t.file}: {t.arch} test (check compiles C and Rust tests)",
                          markup=False, highlight=False)  # fmt: skip
    if not source:
        raise FencelabError("no C or Rust tests to check in " + ", ".join(tests))
    console.print(f"source model: {SOURCE_MODEL_TEXT[source_model]}", markup=False)
    checks = []
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())  # fmt: skip
    with RichProgress(*columns, console=err_console, transient=True,
                      disable=not err_console.is_terminal) as bar:  # fmt: skip
        task = bar.add_task("checking", total=len(source) * len(pairs))
        for test in source:
            for tgt, sch in pairs:
                bar.update(task, description=f"{test.name} {tgt} {sch}")
                result = checker.check(test, tgt, sch)
                checks.append(result)
                if not quiet or not result.sound:
                    print_check(console, result)
                bar.advance(task)
    console.print(summary_table(checks, source_model))
    unsound = sum(not c.sound and not c.error for c in checks)
    errors = sum(bool(c.error) for c in checks)
    console.print(f"{len(checks)} checks ({len(source)} tests x {len(pairs)} target/scheme "
                  f"pairs): {len(checks) - unsound - errors} sound, {unsound} UNSOUND, "
                  f"{errors} could not be checked", markup=False)  # fmt: skip
    if unsound:
        sys.exit(1)
    if errors:
        sys.exit(2)


# --- hunt: generate the classic shapes and look for counterexamples to a scheme ---------------


@main.command("hunt")
@click.option("--target", "-t", required=True, help="x86_64, armv7, armv8, armv8.1 or armv8.3")
@click.option("--scheme", "-s", default="default", show_default=True, help="the lowering scheme")
@click.option("--shapes", default=None,
              help="comma list of SB, MP, LB, S, R, 2+2W, WRC, ISA2, IRIW (default: all)")
@click.option("--variants", "kinds", default=None,
              help="comma list of plain, fences, rmw (default: all three)")
@click.option("--max-threads", default=3, show_default=True,
              help="skip shapes with more threads (IRIW needs 4)")
@click.option("--source-model", default="c11", show_default=True,
              type=click.Choice(["c11", "rc11"]))  # fmt: skip
@click.option("--model", "-m", default=None,
              help="hardware model: sc, tso, arm, armv7, aarch32 (default: the target's own)")
@click.option("--limit", default=5, show_default=True, help="counterexamples to print")
@click.option("--save", default=None, type=click.Path(file_okay=False),
              help="write the printed counterexamples to this directory (for tui replay)")
@click.option("--budget", default=40, show_default=True)
@user_errors
def hunt_command(target, scheme, shapes, kinds, max_threads, source_model, model, limit, save,
                 budget):  # fmt: skip
    """Generate the classic shapes under every ordering assignment and hunt counterexamples.

    Exit status 1 when a counterexample is found, 0 when the scheme is sound on every test.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
    from rich.progress import Progress as RichProgress

    from fencelab.checker import Checker
    from fencelab.checker.hunt import hunt, plan
    from fencelab.gen.shapes import parse_shapes, parse_variants
    from fencelab.isa.registry import get_target
    from fencelab.lowering import get_scheme
    from fencelab.report.check import print_hunt

    tgt = get_target(target).name
    get_scheme(scheme)
    chosen = parse_shapes(shapes)
    variant_kinds = parse_variants(kinds)
    if max_threads < 1:
        raise FencelabError(f"--max-threads {max_threads}: must be at least 1")
    todo, _ = plan(chosen, max_threads, variant_kinds)
    if not todo:
        raise FencelabError(f"no shape among {', '.join(s.name for s in chosen)} has at most "
                            f"{max_threads} threads")  # fmt: skip
    checker = Checker(source_model, model, budget)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())  # fmt: skip
    with RichProgress(*columns, console=err_console, transient=True,
                      disable=not err_console.is_terminal) as bar:  # fmt: skip
        task = bar.add_task("hunting", total=len(todo))

        def advance(variant) -> None:
            bar.update(task, description=variant.test.name, advance=1)

        report = hunt(checker, tgt, scheme, chosen, max_threads, variant_kinds, advance, todo)
    print_hunt(console, report, limit, save)
    if report.found:
        sys.exit(1)
