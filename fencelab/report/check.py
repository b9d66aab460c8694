"""How `check` and `hunt` print: per-test verdicts, extra outcomes with witnesses, summaries."""

from __future__ import annotations

import shlex
from dataclasses import replace
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from fencelab.checker.core import Check, Extra, bounds_words
from fencelab.checker.hunt import HuntReport
from fencelab.errors import FencelabError
from fencelab.litmus.ast import LitmusTest, walk_statements
from fencelab.litmus.parser import STDIN, STDIN_FILE
from fencelab.litmus.printer import format_state
from fencelab.machine.machine import DEFAULT_BUDGET
from fencelab.report.names import kept_apart
from fencelab.report.words import interrupted, plural
from fencelab.result import INTERRUPTED


def source_model_text(name: str) -> str:
    """`c11 (C++20 / Rust: RC11 without no-thin-air)`: the source model and what it is."""
    from fencelab.models.registry import get_model

    return f"{name} ({get_model(name).description})"


def _command(verb: str, path: str, check: Check, *options: str) -> list[str]:
    """`fencelab VERB PATH` with the check's target and scheme, `options`, and its hardware
    model when not the target's own."""
    parts = ["fencelab", verb, path, "--target", check.target, "--scheme", check.scheme,
             *options]  # fmt: skip
    if check.hardware and not check.own_model:
        parts += ["--model", check.hardware_model]
    return parts


def replay_command(check: Check, witness: str, file: str | None = None) -> str:
    """The `fencelab tui` command that replays a witness; a test read from standard input is
    read so again (`-`), which a shell comment after the command says."""
    path = file if file is not None else check.test.file
    stdin = path == STDIN_FILE
    parts = [*_command("tui", STDIN if stdin else path, check), "--schedule", witness]
    command = " ".join(shlex.quote(p) for p in parts)
    return f"{command}  # the test on standard input, as given here" if stdin else command


def check_command(check: Check, file: str, budget: int = DEFAULT_BUDGET) -> str:
    """The `fencelab check` command that checks a saved test again as the hunt did: its target,
    scheme, source model, (when not the target's own) hardware model and (when not the default)
    step budget."""
    parts = _command("check", file, check, "--source-model", check.source_model)
    if budget != DEFAULT_BUDGET:
        parts += ["--budget", str(budget)]
    return " ".join(shlex.quote(p) for p in parts)


def witness_text(check: Check, witness: str) -> str:
    """The hardware witness as printed: its schedule, or why there is none to replay (an
    axiomatic --model judges candidate executions and runs none)."""
    return witness or f"none ({check.hardware_model} is axiomatic: it runs no schedule to replay)"


def source_lines(test: LitmusTest) -> list[str]:
    """The test's statements as written (`file:line  text`), or printed when there is no text."""
    text = test.text.split("\n") if test.text else None
    if text is None and Path(test.file).is_file():
        text = Path(test.file).read_text(errors="replace").splitlines()
    if text is not None:
        out = []
        for thread in test.threads:
            for line in sorted({s.pos.line for s in walk_statements(thread.body) if s.pos.line}):
                if 0 < line <= len(text):
                    out.append(f"P{thread.tid}  {test.file}:{line}  {text[line - 1].strip()}")
        if out:
            return out
    from fencelab.litmus.printer import format_test

    return format_test(test).rstrip("\n").splitlines()


def print_check(console: Console, check: Check, name: str = "") -> None:
    """A check's result line (never wrapped: `grep UNSOUND` gets it whole), naming the test
    `name` (default its own), then for an unsound one its extra outcomes, witnesses, replay
    commands and source lines; then a line for each caution the hardware run met
    (`Check.cautions`: the verdict may be wrong)."""
    _print_verdict(console, check, name or check.test.name)
    for caution in check.cautions:
        _line(console, f"  [yellow]caution:[/yellow] {escape(caution)}")


def _print_verdict(console: Console, check: Check, name: str) -> None:
    head = f"{name}  {check.target}  scheme {check.scheme}  ({check.hardware_model} vs {check.source_model})"
    if check.error:
        _line(console, f"[yellow]error[/yellow]    {escape(head)}: {escape(check.error)}")
        return
    hw, src = check.budget_exhausted
    budget = ""
    if hw or src:  # what was not compared: the ends of the executions the budget cut
        budget = f"  [yellow]budget: {hw} hardware / {src} source executions cut short at a " \
                 "spin or a bound (not counted as outcomes: where they end is not compared)" \
                 "[/yellow]"  # fmt: skip
    n_hw = len(check.hardware.states)
    n_src = len(check.source.states)
    partial = f"  [yellow]partial: {escape(check.partial)}[/yellow]" if check.partial else ""
    if check.undefined:
        outside = sum(s.outcome not in check.source.outcome_set() for s in check.hardware.states)
        _line(console, f"[yellow]racy[/yellow]     {escape(head)}: {check.source_model} flags a "
              f"data race (herd's Undef), so the behaviour is undefined and no hardware outcome "
              f"is wrong: no verdict ({outcomes(n_hw)}, {outside} of them not among the {n_src} it "
              f"allows); {escape(check.source.race)}{budget}{partial}")  # fmt: skip
        return
    if check.sound:
        _line(console, f"[green]sound[/green]    {escape(head)}: {outcomes(n_hw)}, all among "
              f"the {n_src} {check.source_model} allows{budget}")  # fmt: skip
        return
    if check.unjudged:
        _print_unjudged(console, check, head, budget)
        return
    if not check.extra and check.uncompared and not check.hardware.partial \
            and not check.source.partial:
        _line(console, f"[yellow]partial[/yellow]  {escape(head)}: no verdict: "
              f"{escape(check.uncompared)}{budget}")  # fmt: skip
        return
    if not check.extra and check.source.partial:
        # both sides cut: "0 hardware outcomes; the c11 side was cut short" read as a whole
        # hardware run that ended in no state
        cut = (f"{outcomes(n_hw)} found so far; both sides were cut short"
               if check.hardware.partial else
               f"{outcomes(n_hw)}; the {check.source_model} side was cut short")
        _line(console, f"[yellow]partial[/yellow]  {escape(head)}: {cut}, so no "
              f"verdict{partial}")  # fmt: skip
        return
    if not check.extra:
        _line(console, f"[yellow]partial[/yellow]  {escape(head)}: {outcomes(n_hw)} found so "
              f"far, all among the {n_src} {check.source_model} allows{partial}")  # fmt: skip
        return
    _line(console, f"[bold red]UNSOUND[/bold red]  {escape(head)}: {len(check.extra)} of "
          f"{outcomes(n_hw)} are not among the {n_src} {check.source_model} allows"
          f"{budget}{partial}")  # fmt: skip
    _print_outcomes(console, check, check.extra, "extra")
    _line(console, "  source lines involved:")
    for line in source_lines(check.test):
        _line(console, f"    {escape(line)}")


def _print_unjudged(console: Console, check: Check, head: str, budget: str) -> None:
    """A check with hardware outcomes the source model did not reach while a bound cut some
    of its executions (`Check.unjudged`): no verdict, each such outcome named with its
    witness, so that a look (or a higher --budget) can judge it."""
    src = check.source_model
    cut = plural(check.source.cut_unexplored, f"{src} execution")
    hw_cut = check.hardware.partial
    hw_cut = f"  [yellow]partial: {escape(hw_cut)}[/yellow]" if hw_cut else ""
    _line(console, f"[yellow]partial[/yellow]  {escape(head)}: no verdict: "
          f"{len(check.unjudged)} of {outcomes(len(check.hardware.states))} are not among the "
          f"{len(check.source.states)} {src} reached, and may be where {cut} cut at "
          f"{bounds_words(check.source)} would end{budget}{hw_cut}")  # fmt: skip
    _print_outcomes(console, check, check.unjudged, "unjudged")


def _print_outcomes(console: Console, check: Check, named: tuple[Extra, ...],
                    what: str) -> None:  # fmt: skip
    """Each hardware outcome a check names (`what`: extra, unjudged): what it does to the
    condition, the witness that reaches it, the command that replays it, and the thin-air
    note where rc11 forbids what c11 allows (`Extra.note`)."""
    for extra in named:
        cond = condition_note(check.test, extra.outcome)
        state = format_state(extra.outcome, check.test.arch)
        _line(console, f"  {what} outcome: [bold]{escape(state)}[/bold]{cond}")
        _line(console, f"    hardware witness: {escape(witness_text(check, extra.witness))}")
        if extra.witness:
            _line(console, f"    replay: {escape(replay_command(check, extra.witness))}")
        if extra.note:
            _line(console, f"    [italic]why:[/italic] {escape(extra.note)}")


def condition_note(test: LitmusTest, outcome) -> str:
    """What an extra outcome does to the test's condition, as herd would judge a run that ends
    there: makes `exists P` hold, or breaks `~exists P` (P holds) or `forall P` (P fails).
    It said "the test's condition holds" whenever P held, so of an outcome a `~exists` test
    forbids, where `run` prints No."""
    from fencelab.litmus.conditions import holds

    quantifier = test.condition.quantifier
    prop = holds(test.condition.prop, outcome)
    if quantifier == "exists" and prop:
        return " (the test's condition holds)"
    if quantifier == "~exists" and prop:
        return " (the test's ~exists condition fails: its proposition holds)"
    if quantifier == "forall" and not prop:
        return " (the test's forall condition fails)"
    return ""


def outcomes(n: int) -> str:
    return plural(n, "hardware outcome")


def _line(console: Console, text: str) -> None:
    """One line of results: colour in a terminal, never wrapped."""
    console.print(text, soft_wrap=True, highlight=False)


def summary_table(checks: list[Check], source_model: str) -> Table:
    """Rows: schemes; columns: targets; cells: sound / checked (+ errors, cut short, racy:
    the checks with no verdict, counted apart as the last line counts them)."""
    targets = list(dict.fromkeys(c.target for c in checks))
    schemes = list(dict.fromkeys(c.scheme for c in checks))
    table = Table(title=f"sound / checked against {source_model}")
    table.add_column("scheme", no_wrap=True)
    for t in targets:
        table.add_column(t, justify="center", no_wrap=True)
    for s in schemes:
        cells = []
        for t in targets:
            here = [c for c in checks if c.target == t and c.scheme == s]
            if not here:
                cells.append("-")
                continue
            racy = sum(c.verdict == "racy" for c in here)
            cut = sum(c.verdict == "partial" for c in here)
            checked = [c for c in here if not c.error and not c.undefined
                       and (c.extra or not c.partial)]  # fmt: skip
            sound = sum(c.sound for c in checked)
            colour = "green" if sound == len(checked) else "bold red"
            cell = f"[{colour}]{sound}/{len(checked)}[/{colour}]"
            errors = len(here) - len(checked) - racy - cut
            if errors:
                cell += f" [yellow]({errors} err)[/yellow]"
            if cut:
                cell += f" [yellow]({cut} cut short)[/yellow]"
            if racy:
                cell += f" [yellow]({racy} racy)[/yellow]"
            cells.append(cell)
        table.add_row(s, *cells)
    return table


def print_hunt(console: Console, report: HuntReport, limit: int, save: Path | None,
               budget: int = DEFAULT_BUDGET, saved: dict[str, str] | None = None) -> None:  # fmt: skip
    """The hunt's summary and its smallest counterexamples; with `save` (a directory made
    writable before the hunt), each is written there as a test, with the command that checks
    it again (under the hunt's `budget`) and its replay command. `saved` (one per hunt: the
    tests written, by name) keeps a test found on two targets or schemes in two files: the
    second is NAME-2, its own target in its comment, never written over the first."""
    from fencelab.litmus.printer import format_test

    counts = ", ".join(f"{k} {v}" for k, v in report.generated.items())
    generated = sum(report.generated.values())
    done = plural(report.checked, "test") + " checked"
    if report.checked != generated:
        done += f" of {generated} generated ({counts})"
    else:
        done = f"{plural(generated, 'test')} generated and checked ({counts})"
    # the distinct programs, not the explorations: a result cut short is not
    # kept, so `-j 1` explored a program again for each variant that compiles to it, and
    # `--max-states 3 --shapes SB` said "145 distinct compiled programs" of 27 (`-j 2`: 27)
    fresh = report.programs - report.programs_shared
    programs = f"{plural(fresh, 'distinct compiled program')} explored"
    if report.programs_shared:  # (results an earlier scheme's hunt explored: not again)
        programs = (f"{plural(report.programs, 'distinct compiled program')} checked, "
                    f"{report.programs_shared} of them explored already under an earlier "
                    f"scheme (their results reused), {fresh} explored now")  # fmt: skip
    _line(console, f"hunt: {done} on {report.target}, scheme {report.scheme}, against "
          f"{source_model_text(report.source_model)}; {programs} in "
          f"{report.seconds:.1f}s")  # fmt: skip
    if report.partial and (report.checked or report.partial != INTERRUPTED):
        _line(console, f"[yellow]partial: {escape(report.partial)}; the tests not checked may "
              "hold more counterexamples[/yellow]")  # fmt: skip
    if report.skipped_shapes:
        _line(console, f"skipped (more threads than --max-threads): "
              f"{', '.join(report.skipped_shapes)}")  # fmt: skip
    if report.partial == INTERRUPTED and not report.checked:
        _line(console, f"[yellow]{interrupted('check', 0, False, '')}[/yellow]")
        return
    for e in report.errors[:5]:
        _line(console, f"[yellow]error[/yellow] {escape(e.test.name)}: {escape(e.error)}")
    if len(report.errors) > 5:
        _line(console, f"[yellow]... {len(report.errors) - 5} more errors[/yellow]")
    if report.incomplete:
        _line(console, f"[yellow]{plural(len(report.incomplete), 'test')} cut short "
              f"({escape(report.incomplete[0].partial)}): no verdict[/yellow]")  # fmt: skip
    if report.racy:
        _line(console, f"[yellow]{plural(len(report.racy), 'test')} with a data race (herd's "
              f"Undef, e.g. {escape(report.racy[0].test.name)}): no verdict[/yellow]")  # fmt: skip
    if report.cautioned:
        first = report.cautioned[0]
        _line(console, f"[yellow]{plural(len(report.cautioned), 'test')} checked under a "
              f"caution (e.g. {escape(first.test.name)}): {escape(first.cautions[0])}[/yellow]")
    if not report.found:
        clean = report.checked - len(report.errors) - len(report.incomplete) - len(report.racy)
        if report.partial:
            _line(console, f"no counterexample among the {plural(clean, 'test')} checked")
        elif report.cautioned:
            _line(console, f"[yellow]no counterexample, but {len(report.cautioned)} of the "
                  f"{plural(report.checked, 'test')} checked under the caution above[/yellow]")
        elif clean < report.checked:
            _line(console, f"[yellow]no counterexample, but no verdict on every test: sound on "
                  f"{clean} of the {plural(report.checked, 'test')}[/yellow]")  # fmt: skip
        else:
            _line(console, f"[green]no counterexample: the scheme is sound on all "
                  f"{plural(clean, 'test')}[/green]")  # fmt: skip
        return
    shown = report.smallest(limit)
    # `smallest` takes each shape's smallest first: `--shapes LB,WRC --limit 2` showed a WRC
    # (3 threads) under "the 2 smallest" where a second LB (2 threads) was smaller
    which = (f"the {len(shown)} smallest" if shown == report.found[:limit] else
             f"{len(shown)} shown, the smallest of each shape first")
    _line(console, f"[bold red]{plural(len(report.found), 'counterexample')}[/bold red]; "
          f"{which} (fewest threads, then fewest non-Relaxed accesses):")  # fmt: skip
    for f in shown:
        console.print()
        test, path = f.variant.test, None
        text = format_test(test)
        if save is not None:  # the test says how it was found: against which models

            def found(name: str, test=test, f=f) -> str:
                again = (f"a counterexample against {f.check.source_model}: "
                         f"{check_command(f.check, str(save / f'{name}.litmus'), budget)}")
                return format_test(replace(test, comments=(*test.comments, again)))

            name, text = kept_apart(test.name, found, saved if saved is not None else {})
            path = str(save / f"{name}.litmus")
            try:
                Path(path).write_text(text)
            except OSError as e:
                raise FencelabError(f"{path}: cannot be written ({e.strerror or e})") from None
        _line(console, escape(text.rstrip("\n")))
        for extra in f.check.extra:
            _line(console, f"extra outcome: [bold]{escape(format_state(extra.outcome, test.arch))}"
                  f"[/bold]  hardware witness: {escape(witness_text(f.check, extra.witness))}")  # fmt: skip
            if path and extra.witness:
                _line(console, f"replay: {escape(replay_command(f.check, extra.witness, path))}")
            if extra.note:
                _line(console, f"[italic]why:[/italic] {escape(extra.note)}")
