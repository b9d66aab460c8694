"""What every command shares: its error handling, its inputs, and its options, declared once.

An option that names targets, schemes or models resolves the names here, when the command line
is read, so a command receives `Target`, `Scheme` and `ModelSpec` objects (or a bad name is one
line and exit status 2, before any work). Choices are listed in `--help` and completed by the
shell (`_FENCELAB_COMPLETE=bash_source fencelab`). Every number has a range (`click.IntRange`).

The rule for an option that cannot act in the combination given: it is an error that says why
(`--runs 5` without `--mode random`, `--scheme x86-mfence` with `--target armv8`, a `--scheme`
for a run with no C or Rust test, an option of one value given twice), never silently ignored. `all` names every target the other
options can act on.

`-j`, `--cluster` and `--no-reduce` become one `Runner` (fencelab/parallel).

Adding an option every command shares: one function here returning `click.option(...)`.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import gc
import os
import sys
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path

import click
from click.core import ParameterSource
from click.shell_completion import CompletionItem

from fencelab.cli import output
from fencelab.errors import FencelabError
from fencelab.interrupts import EXIT_INTERRUPTED, catch_ctrl_c
from fencelab.isa.registry import TARGET_NAMES, TARGETS, get_target
from fencelab.isa.target import Target
from fencelab.limits import (
    DEFAULT_MAX_MEMORY,
    DEFAULT_MAX_STATES,
    Limits,
    format_bytes,
    parse_bytes,
)
from fencelab.litmus.parser import STDIN, STDIN_FILE
from fencelab.lowering.schemes import SCHEME_NAMES, SCHEMES, Scheme
from fencelab.lowering.table import get_scheme
from fencelab.machine.machine import DEFAULT_BUDGET
from fencelab.models.registry import (
    AXIOMATIC,
    LANGUAGE_MODEL,
    MODEL_NAMES,
    OPERATIONAL,
    SOURCE,
    ModelSpec,
    get_model,
    model_names,
)
from fencelab.parallel import Runner, check_cluster, check_jobs
from fencelab.pipeline import MODES
from fencelab.reduce import (
    MODELS,
    REDUCTIONS,
    STEP_ARCHES,
    acts_under,
    check,
    disable,
    disabled,
    modes,
    set_disabled,
)

EXIT_NO_VERDICT = 3  # check, hunt: no counterexample, but some check reached no verdict
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE: what a shell reports for a writer whose reader left
UNWRITABLE = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO})  # (of a write)


class Group(click.Group):
    """The `fencelab` group: every error is one line on stderr, `fencelab: error: ...`: a
    FencelabError anywhere in a command (exit 2) and click's own usage errors (exit 2, one line,
    not click's three); Ctrl-C outside a command's own handling exits 130 quietly; a reader
    that stops reading (`fencelab run DIR | head`) ends the command quietly with 141, as a shell
    reports a writer killed by SIGPIPE (click's own answer, 1, is `check`'s "unsound")."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True,
             **extra):  # fmt: skip
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        catch_ctrl_c()
        output.legible_stdout()
        try:
            with collector_tuned():
                code = super().main(args, prog_name, complete_var, False, **extra)
        except click.exceptions.NoArgsIsHelpError as e:  # `fencelab` alone: the help, whole
            e.show()  # (as click shows it: on stderr, status 2; it was flattened to one line)
            code = e.exit_code
        except click.ClickException as e:
            output.error(_one_line(e))
            code = e.exit_code
        except click.Abort:
            output.error("interrupted")
            code = EXIT_INTERRUPTED
        except OSError as e:
            if e.errno not in UNWRITABLE or e.filename is not None:  # (files say their name)
                raise
            # stdout cannot take the output (a full disk, `> /dev/full`): one line, status 2, as
            # a file that cannot be written (it was a traceback and status 1, check's "unsound")
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            output.error(f"standard output: cannot be written ({e.strerror})")
            code = 2
        except SystemExit as e:
            if args is not None or not (e.code is None or isinstance(e.code, int)):
                raise
            code = e.code
        code = code if isinstance(code, int) else 0
        if args is None:  # the command line itself, not a caller's (click's test runner)
            exit_now(code)
        sys.exit(code)

    def resolve_command(self, ctx: click.Context, args: list[str]):
        name, command, rest = super().resolve_command(ctx, args)
        if command is not None and not ctx.resilient_parsing:  # (not while completing)
            refuse_repeats(command, click.Context(command, info_name=name, parent=ctx), rest)
        return name, command, rest

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except FencelabError as e:
            output.error(str(e))
            sys.exit(2)
        except BrokenPipeError:
            # nothing more can be written; keep Python's exit-time flush from failing again
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(EXIT_BROKEN_PIPE)


def refuse_repeats(command: click.Command, ctx: click.Context, args: list[str]) -> None:
    """An option that takes one value, given more than once, is refused (click would keep the
    last value and drop the others silently: `-t armv8 -t x86_64` compiled for x86_64 only),
    named as the user wrote it. Repeatable options (`multiple`, `--no-reduce`) and flags are
    not refused."""
    try:
        _, _, order = command.make_parser(ctx).parse_args(args=list(args))
    except click.UsageError:
        return  # the command's own reading says what is wrong
    seen = set()
    for param in order:
        if not isinstance(param, click.Option) or param.multiple or param.is_flag or param.count:
            continue
        if param in seen:
            names = set(param.opts) | set(param.secondary_opts)
            written = []
            for arg in args:
                if arg == "--":
                    break
                head = arg.split("=", 1)[0] if arg.startswith("--") else arg[:2]
                if head in names and head not in written:
                    written.append(head)
            spelled = "/".join(written or param.opts[:1])
            times = order.count(param)
            raise click.UsageError(f"{spelled} is given "
                                   f"{'twice' if times == 2 else f'{times} times'}; it takes "
                                   "one value", ctx)  # fmt: skip
        seen.add(param)


def exit_now(code: int) -> None:
    """End the process as Python's exit does (atexit handlers, the standard streams flushed,
    the exit status) but without tearing down every object it made: a command's imports, a run's
    states and memos, whose finalization is serial work after the last line is printed (64 M
    instructions after `fencelab --help`; bench/RESULTS.md). Only when no other thread runs (a
    thread's work would be cut short); otherwise `sys.exit`. Every file fencelab writes is
    closed by its `with`; the standard streams are flushed here."""
    import atexit
    import threading

    if threading.active_count() > 1:
        sys.exit(code)
    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()
    except BrokenPipeError:  # the reader left with the last lines unread: as Group.invoke
        code = EXIT_BROKEN_PIPE
    except (OSError, ValueError, AttributeError):  # closed, unwritable or none: as Python's exit
        pass
    with contextlib.suppress(OSError, ValueError, AttributeError):
        sys.stderr.flush()
    os._exit(code)


FULL_COLLECTION = 100  # collections of the middle generation before a full one (Python: 10)


@contextlib.contextmanager
def collector_tuned():
    """Python's cycle collector, tuned for a command's run: what is imported is frozen (never
    traversed again, nor touched in forked workers: fencelab/parallel), and a full collection
    (a traversal of every live object: an exploration's states and memos) comes after
    `FULL_COLLECTION` collections of the middle generation instead of 10, still only once the
    objects that lived long grew by a quarter. The young generations are collected as before,
    so the cycles a test leaves (a C test's, a few thousand objects) are freed as soon. The
    collector took a fifth of the CPU of 100 generated tests and a third of GEN-ARM-546-0's
    (26,853 states: 1.0 s of 3.6, 9 full collections; now one, 0.37 s), with the same peak
    memory (bench/RESULTS.md, issue 17). The settings before are restored on exit (a command
    run inside another program)."""
    before = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(before[0], before[1], max(before[2], FULL_COLLECTION))
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


def _one_line(e: click.ClickException) -> str:
    text = " ".join(e.format_message().split())
    ctx = getattr(e, "ctx", None)
    if isinstance(e, click.UsageError) and ctx is not None:
        text = f"{text.rstrip('.')} (see '{ctx.command_path} --help')"
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def given(name: str) -> bool:
    """Did the user write this option (as opposed to its default)?"""
    source = click.get_current_context().get_parameter_source(name)
    return source not in (None, ParameterSource.DEFAULT, ParameterSource.DEFAULT_MAP)


def refuse(option: str, why: str) -> FencelabError:
    """The one rule: an option that cannot act is an error that says why."""
    return FencelabError(f"{option} {why}")


def refuse_idle_scheme(scheme: Scheme, compiled: bool) -> None:
    """`--scheme` acts only where a C or Rust test is compiled for a target: given when nothing
    is (`compiled` false: asm tests only, or a language model judging the source), refused."""
    if given("scheme") and not compiled:
        raise refuse(f"--scheme {scheme.name}", "compiles C and Rust tests for a --target; no "
                     "test here is compiled")  # fmt: skip


# -- inputs --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Input:
    """One test of a catalogue: the path to read and how to name it (relative to the folder
    given, so `aarch64/MP.litmus` and `x86_64/MP.litmus` differ; with several inputs given, the
    path as the user's input spells it, so `a/MP.litmus` and `b/MP.litmus` differ too)."""

    path: str
    label: str


_PARTS = attrgetter("parts")


def litmus_files(paths: Sequence[str]) -> list[Input]:
    """Files named (or `-`), and every *.litmus below each directory named (sorted). A file
    that can't be read, or a directory with no test among other inputs, is reported when its
    turn comes (`read_test`), so it loses no other test's result. `-` given more than once is
    refused before any work: standard input is read once (a second `-` would read it empty)."""
    if paths.count(STDIN) > 1:
        times = paths.count(STDIN)
        raise FencelabError(f"{STDIN} (standard input) is given "
                            f"{'twice' if times == 2 else f'{times} times'}; it can be read once")
    files: list[Input] = []
    for p in paths:
        path = Path(p)
        if p == STDIN:
            files.append(Input(p, STDIN_FILE))
        elif os.path.isdir(p):  # (False where the path cannot be looked at: its turn says why)
            # in Path's order (by parts), each named from `path`'s parts on: what sorting the
            # paths and `relative_to` give, without their per-path cost (a catalogue's 40 tests:
            # 0.9 M instructions, a fifth of one test's judgement)
            found = sorted((f for f in path.rglob("*.litmus") if not f.is_dir()), key=_PARTS)
            # (a directory called `x.litmus` is walked, not read as a test: it was reported as
            # `no litmus tests found in DIR/x.litmus`, the tests in it run, exit status 2)
            skip = len(path.parts)
            files.extend(Input(str(f), str(f) if len(paths) > 1 else os.sep.join(f.parts[skip:]))
                         for f in found)  # fmt: skip
            if not found:  # its turn says it has none (alone: the error below)
                files.append(Input(p, p))
        else:  # a file, or a missing one: its error is its own line, in its turn
            files.append(Input(p, p))
    if all(os.path.isdir(f.path) for f in files):
        raise FencelabError("no litmus tests found in " + ", ".join(paths))
    return files


def named_path(_ctx, _param, value: str | None) -> str | None:
    """A path option's callback: an empty name (an unset shell variable, `--graph "$DIR"`)
    names nothing, and is refused, not taken as the current directory (`--graph ""` wrote
    there) nor as the option not given (`graph -o ""` printed text, `hunt --save ""` saved
    nothing, without a word)."""
    if value == "":
        raise click.BadParameter(f"{value!r} names no file or directory")
    if value == "-" and isinstance(_param.type, click.Path) and not _param.type.file_okay:
        # `-` is a standard stream wherever fencelab reads a name (TEST, `graph -o`), never a
        # directory: `run --graph -` made one called `-`, `hunt --save -` too
        raise click.BadParameter("'-' is a standard stream, not a directory; name one (./- for "
                                 "a directory called -)")  # fmt: skip
    return value


def output_path(ctx, param, value: str | None) -> str | None:
    """A file option's callback where `-` is standard output, as `-` is standard input for
    TEST: None, as if the option were not given (`graph -o - --format svg` wrote a file
    called `-`)."""
    value = named_path(ctx, param, value)
    return None if value == "-" else value


def writable_file(path: str) -> None:
    """Refuse, before any work, an output file that cannot be written: an existing one not
    writable, or a new one its directory cannot take (made and removed to tell: a missing
    directory, /proc)."""
    try:
        if os.path.exists(path):
            if not os.access(path, os.W_OK):
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))
        else:
            open(path, "x").close()
            os.remove(path)
    except OSError as e:
        raise FencelabError(f"{path}: cannot be written ({e.strerror or e})") from None


def writable_dir(path: str, what: str) -> Path:
    """The directory `what` (graphs, tests) is written to, made if missing; refused before any
    work if it is a file or cannot take files (a file made there and removed to tell: a missing
    parent, /proc)."""
    directory = Path(path)
    if directory.exists() and not directory.is_dir():
        raise FencelabError(f"{path}: not a directory ({what} go to a directory)")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryFile(dir=directory).close()
    except OSError as e:
        raise FencelabError(f"{path}: cannot write {what} there ({e.strerror or e})") from None
    return directory


# -- names to objects ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Chosen:
    """What a list option named: the objects, and whether it was `all`."""

    items: tuple
    every: bool = False


class Names(click.ParamType):
    """One name, or (`many`) a comma list or `all`, resolved to objects; completed by the
    shell from `choices`."""

    def __init__(self, what: str, choices: Sequence[str], resolve: Callable[[str], object],
                 many: bool = False, every: Callable[[], tuple] | None = None,
                 one: bool = False):  # fmt: skip
        self.name = what
        self.choices = tuple(choices)
        self.resolve = resolve
        self.many = many
        self.every = every
        self.one = one  # (`many`, to refuse a list with its reason, but offers one name)

    def get_metavar(self, param, ctx=None) -> str:
        names = "|".join(self.choices)
        return f"[{names}|all or a,b]" if self.many else f"[{names}]"

    def convert(self, value, param, ctx):
        if isinstance(value, Chosen | Target | Scheme | ModelSpec):
            return value
        try:
            if not self.many:
                return self.resolve(value.strip())
            if value.strip().lower() == "all":  # (in any case, as every name: `-t ALL`)
                return Chosen(self.every(), every=True)
            names = [v.strip() for v in value.split(",") if v.strip()]
            if not names:
                raise FencelabError(f"no {self.name} named")
            if any(n.lower() == "all" for n in names):  # (was "unknown target 'all'")
                raise FencelabError(f"all names every {self.name}; give it alone, not in a list")
            return Chosen(tuple(dict.fromkeys(self.resolve(n) for n in names)))
        except FencelabError as e:
            self.fail(str(e), param, ctx)

    def shell_complete(self, ctx, param, incomplete):
        offers_many = self.many and not self.one
        head, _, last = incomplete.rpartition(",") if offers_many else ("", "", incomplete)
        prefix = f"{head}," if head else ""
        options = [*self.choices, "all"] if offers_many and not head else self.choices
        return [CompletionItem(prefix + c) for c in options if c.startswith(last)]


def _model_resolver(kinds: tuple[str, ...]) -> Callable[[str], ModelSpec]:
    valid = ", ".join(n for k in kinds for n in model_names(k))  # (that can act here)

    def resolve(name: str) -> ModelSpec:
        try:
            spec = get_model(name)
        except FencelabError:  # (it listed every model as valid, `hunt -m bogus` c11 too)
            raise FencelabError(f"unknown model {name!r}; valid: {valid}") from None
        if spec.kind not in kinds:
            article = "an" if spec.kind[0] in "aeiou" else "a"
            raise FencelabError(f"{name} is {article} {spec.kind} model, which cannot act here "
                                f"(valid: {valid})")  # fmt: skip
        return spec

    return resolve


def _reductions(_ctx, _param, value):
    for given_once in value:  # (`--no-reduce ""`, `--no-reduce ,` turned nothing off, unsaid)
        if not any(part.strip() for part in given_once.split(",")):
            raise FencelabError(f"--no-reduce {given_once!r}: no reduction named")
    try:
        return tuple(check(value))
    except ValueError as e:
        raise FencelabError(f"--no-reduce: {e}") from None


# -- the options ---------------------------------------------------------------------------------
_TARGET_LIST = ", ".join(TARGET_NAMES)


def target_option(*, many: bool = True, one: bool = False, default: str | None = None,
                  help: str):  # fmt: skip
    """`--target/-t`: one target (a `Target`), or (`many`) `T`, `T,T,...` or `all` (a
    `Chosen` of targets). `one`: a command that takes one target (tui, graph, hw) but reads
    a list to refuse it with its reason (`one_target`): its help offers one name."""
    kind = Names("target", TARGET_NAMES, get_target, many, lambda: tuple(TARGETS.values()), one)
    return click.option("--target", "-t", "target", type=kind, default=default,
                        metavar=f"[{'|'.join(TARGET_NAMES)}]" if one else None,
                        show_default=default is not None, help=help)  # fmt: skip


def scheme_option(*, many: bool = False, help: str = "Lowering scheme for C and Rust tests."):
    """`--scheme/-s`: a lowering scheme; `many`: a comma list or `all` (each on its targets)."""
    kind = Names("scheme", SCHEME_NAMES, get_scheme, many, lambda: tuple(SCHEMES.values()))
    return click.option("--scheme", "-s", type=kind, default="default", show_default=True,
                        help=f"{help} ({', '.join(SCHEME_NAMES)})")  # fmt: skip


def _model_help(kinds: tuple[str, ...]) -> str:
    defaults: dict[str, list[str]] = {}
    for t in TARGETS.values():
        defaults.setdefault(t.default_model, []).append(t.name)
    own = "; ".join(f"{', '.join(names)}: {m}" for m, names in defaults.items())
    hardware = [n for k in (OPERATIONAL, AXIOMATIC) if k in kinds for n in model_names(k)]
    text = f"Memory model: {', '.join(hardware)} (hardware; default the target's own: {own})"
    if SOURCE in kinds:
        text += (f"; {', '.join(model_names(SOURCE))} (the language models, for C and Rust "
                 f"tests; {LANGUAGE_MODEL} when no --target is named)")  # fmt: skip
    return text + "."


def model_option(*, kinds: tuple[str, ...] = (OPERATIONAL, AXIOMATIC, SOURCE)):
    """`--model/-m`: a model from the registry (a `ModelSpec`) of one of `kinds`; a model of
    another kind is refused, not ignored. None: the target's own."""
    choices = [n for n in MODEL_NAMES if get_model(n).kind in kinds]
    return click.option("--model", "-m", default=None, help=_model_help(kinds),
                        type=Names("model", choices, _model_resolver(kinds)))  # fmt: skip


def source_model_option():
    """`--source-model`: what the source test allows (a source model from the registry)."""
    return click.option("--source-model", default=LANGUAGE_MODEL, show_default=True,
                        type=Names("model", model_names(SOURCE), _model_resolver((SOURCE,))),
                        help="The language model the hardware is checked against "
                        f"({', '.join(model_names(SOURCE))}).")  # fmt: skip


MAX_BUDGET = 10_000
MAX_RUNS = 10_000_000
MAX_JOBS = 1024


def budget_option():
    return click.option("--budget", default=DEFAULT_BUDGET, show_default=True,
                        type=click.IntRange(1, MAX_BUDGET),
                        help="Memory instructions per core before an execution counts as "
                        f"unbounded (herd's Loop), 1 to {MAX_BUDGET:,}.")  # fmt: skip


class Size(click.ParamType):
    """A number of bytes written `800M`, `1.5G`, `2GB` or `2048`, from `min` to `max`."""

    name = "size"

    def __init__(self, min: int, max: int):
        self.min = min
        self.max = max

    def convert(self, value, param, ctx):
        if isinstance(value, int):
            return value
        try:
            size = parse_bytes(value)
        except ValueError as e:
            self.fail(str(e), param, ctx)
        if not self.min <= size <= self.max:
            self.fail(f"{value!r} is not in the range {self.range}", param, ctx)
        return size

    @property
    def range(self) -> str:
        return f"{format_bytes(self.min)} to {format_bytes(self.max)}"


MAX_STATES = 1_000_000_000
MEMORY_RANGE = Size(16 << 20, 256 << 30)


def max_states_option():
    return click.option("--max-states", default=DEFAULT_MAX_STATES, show_default=True,
                        type=click.IntRange(1, MAX_STATES),
                        help="States one exploration may visit (random mode: transitions; "
                        "axiomatic and source models: candidate executions); past it the result "
                        f"is partial. 1 to {MAX_STATES:,}.")  # fmt: skip


def max_memory_option():
    return click.option("--max-memory", default=format_bytes(DEFAULT_MAX_MEMORY).replace(" ", ""),
                        show_default=True, type=MEMORY_RANGE,
                        help="Resident memory (800M, 2G) past which an exploration stops with a "
                        f"partial result, {MEMORY_RANGE.range}.")  # fmt: skip


def limits_options(fn):
    """`--max-states`, `--max-memory`: how far one exploration may go; the command receives
    them as one `limits` (a `Limits`). At a limit a result is partial, never silently cut.
    In replay mode (one schedule, no exploration) they cannot act: refused."""

    @functools.wraps(fn)
    def command(*args, max_states, max_memory, **kwargs):
        if kwargs.get("mode") == "replay":
            for option in ("max_states", "max_memory"):
                if given(option):
                    raise refuse(f"--{option.replace('_', '-')}", "bounds an exploration; replay "
                                 "mode follows one schedule")  # fmt: skip
        return fn(*args, limits=Limits(max_states, max_memory), **kwargs)

    return max_states_option()(max_memory_option()(command))


def schedule_option(help: str = "Transition keys to follow (a,b,c): replay mode."):
    return click.option("--schedule", default="", callback=_schedule, help=help)


def _schedule(ctx, param, value: str) -> str:
    """`--schedule`'s callback: given empty (an unset shell variable) it names no transition,
    and is refused, not taken as the option not given (`tui` opened at the start)."""
    if not value.strip() and ctx.get_parameter_source(param.name) is not ParameterSource.DEFAULT:
        raise click.BadParameter(f"{value!r} names no transition (give keys a,b,c)")
    return value


_MODE_WORK = {"exhaustive": "exhaustive exploration", "random": "random runs"}  # (`--no-reduce`)


def exploration_options(fn):
    """`--mode`, `--runs`, `--seed`, `--schedule`: how the machine explores. `--runs` and
    `--seed` act in random mode only and `--schedule` in replay mode only: given in another
    mode they are refused with the reason; so is the command's `--no-reduce NAME` of a
    reduction that cannot act in the mode (fencelab/reduce.py, `modes`)."""
    options = (
        click.option("--mode", type=click.Choice(MODES, case_sensitive=False), default="exhaustive",
                     show_default=True,
                     help="exhaustive: every outcome; random: --runs seeded runs (litmus7's "
                     "histogram); replay: one --schedule."),
        click.option("--runs", default=1000, show_default=True,
                     type=click.IntRange(1, MAX_RUNS),
                     help=f"Runs in random mode, 1 to {MAX_RUNS:,}."),
        click.option("--seed", default=0, show_default=True, type=click.IntRange(0, 2**32 - 1),
                     help="Seed of random mode, 0 to 2^32-1."),
        schedule_option(),
    )  # fmt: skip

    @functools.wraps(fn)
    def checked(*args, mode, runs, seed, schedule, **kwargs):
        for option, acts_in in (("runs", "random"), ("seed", "random"), ("schedule", "replay")):
            if given(option) and mode != acts_in:
                raise refuse(f"--{option}", f"acts in {acts_in} mode only (add --mode "
                             f"{acts_in}; this run is {mode})")  # fmt: skip
        if mode == "replay" and not schedule:
            raise refuse("--mode replay", "needs --schedule (a witness's transition keys)")
        for name in kwargs.get("no_reduce", ()):
            if name != "all" and mode not in modes(name):
                acts = " and ".join(_MODE_WORK[m] for m in modes(name))
                raise refuse(f"--no-reduce {name}", f"cannot act in --mode {mode}: it reduces "
                             f"{acts} only")  # fmt: skip
        return fn(*args, mode=mode, runs=runs, seed=seed, schedule=schedule, **kwargs)

    for option in reversed(options):
        checked = option(checked)
    return checked


_NO_REDUCE = click.option(
    "--no-reduce", "no_reduce", multiple=True, metavar="NAME", callback=_reductions,
    help="Turn a reduction of exhaustive exploration off (repeatable): all, "
    + ", ".join(REDUCTIONS) + ".")  # fmt: skip


def no_reduce_option(fn):
    """`--no-reduce NAME` (repeatable) for a command that explores in this process (graph, tui,
    hw): the reductions are off while the command runs (and in the processes it starts).
    Commands with workers take it through `parallel_options`, whose Runner carries it to them."""

    @functools.wraps(fn)
    def command(*args, no_reduce, **kwargs):
        before = disabled()
        disable(*no_reduce)
        try:
            return fn(*args, **kwargs)
        finally:
            set_disabled(sorted(before))

    return _NO_REDUCE(command)


def refuse_idle_reductions(runs: Iterable[tuple[ModelSpec, str] | None]) -> None:
    """`--no-reduce NAME` of a reduction that no model the command runs consults is refused
    (`armv7-dmb-earliest` on x86 tests: fencelab/reduce.py, `acts_under`); one that some run
    consults (of a catalogue's tests of several architectures, any) is taken. `runs`: the
    model and the architecture of the code it judges of every run the command makes
    (`pipeline.judged_by`; None: a run refused on its own), read only as far as needed."""
    todo = [n for n in click.get_current_context().params.get("no_reduce", ()) if n in MODELS]
    seen: dict[str, None] = {}
    for run in runs if todo else ():
        if run is not None:
            model, arch = run
            seen[f"{model.name} ({arch})"] = None
            todo = [n for n in todo if not acts_under(n, model.name, arch)]
            if not todo:
                return
    if todo and seen:  # (no run at all: every test's error says why)
        name = todo[0]
        code = f" on {', '.join(STEP_ARCHES)} code" if name == "step-effects" else ""
        raise refuse(f"--no-reduce {name}", f"cannot act here: it acts under "
                     f"{', '.join(MODELS[name])}{code} only; this command runs "
                     f"{', '.join(seen)}")  # fmt: skip


def parallel_options(fn):
    """`-j/--jobs N` (default: every core), `--cluster tcp://HOST:PORT` (a Dask scheduler) and
    `--no-reduce NAME` (repeatable): the command receives them as one `runner`, a
    fencelab.parallel.Runner to use as a context manager."""

    @functools.wraps(fn)
    def command(*args, jobs, cluster, no_reduce, **kwargs):
        if jobs is not None and cluster is not None:
            raise refuse(f"-j {jobs}", "cannot act with --cluster (the cluster decides how many "
                         "workers run): give one of them")  # fmt: skip
        if cluster is not None:
            check_cluster(cluster)
        runner = Runner(1 if cluster is not None else check_jobs(jobs), cluster, no_reduce)
        return fn(*args, runner=runner, **kwargs)

    for option in reversed((
        click.option("--jobs", "-j", type=click.IntRange(1, MAX_JOBS), default=None,
                     help=f"Worker processes, 1 to {MAX_JOBS} (default: every core; 1: in this "
                     "process)."),
        click.option("--cluster", default=None, metavar="tcp://HOST:PORT",
                     help="Run on this Dask scheduler's workers (pip install 'fencelab[cluster]')."),
        _NO_REDUCE,
    )):  # fmt: skip
        command = option(command)
    return command


def split_option():
    """`--split` (run): one test's exhaustive exploration divided among the workers."""
    return click.option("--split", is_flag=True,
                        help="Split each test's exploration across the workers by its first "
                        "transitions (exhaustive mode).")  # fmt: skip


# -- the rule, for targets and schemes -----------------------------------------------------------
def target_named(every: bool = False) -> str:
    """How a refusal or a note names `--target` (`all` with `every`): as the user gave it, or
    the command's default (hw's, tui's: an option never given)."""
    option = "--target all" if every else "--target"
    return option if given("target") else f"the default {option}"


def lowerings(targets: Chosen, schemes: Chosen,
              note: bool = True) -> list[tuple[Target, Scheme]]:  # fmt: skip
    """The (target, scheme) pairs to lower with. `all` (targets or schemes) means those the
    other option can act on: each scheme on the targets it is written for. A scheme named with
    a target named that it is not written for cannot act: refused, with the reason; one that
    `all` targets name: left out, with a note on stderr (as `model_targets`, unless `note` is
    false: a command that refuses `all`)."""
    pairs, notes = [], []
    for scheme in schemes.items:
        left = []
        for target in targets.items:
            if scheme.covers(target):
                pairs.append((target, scheme))
            elif not targets.every and not schemes.every:
                raise refuse(f"--scheme {scheme.name}",
                             f"is written for {', '.join(scheme.targets)}; it cannot act on "
                             f"{target_named()} {target.name}")  # fmt: skip
            else:
                left.append(target.name)
        if note and left and not schemes.every:  # (`-s all`: each scheme on its own targets, unsaid)
            notes.append(f"{target_named(every=True)}: --scheme {scheme.name} is written for "
                         f"{', '.join(scheme.targets)}; left out: {', '.join(left)}")  # fmt: skip
    if not pairs:
        raise refuse("--scheme", "names no scheme written for the targets named")
    for note in notes:
        output.note(note)
    return pairs


def scheme_targets(targets: Chosen, scheme: Scheme, note: bool = True) -> Chosen:
    """The targets one scheme lowers for (`lowerings` with one scheme)."""
    pairs = lowerings(targets, Chosen((scheme,)), note)
    return Chosen(tuple(t for t, _ in pairs), targets.every)


def one_target(chosen: Chosen | None, command: str) -> Target | None:
    """Commands that show one machine (tui, graph) take one target."""
    if chosen is None:
        return None
    if chosen.every or len(chosen.items) != 1:
        raise refuse("--target", f"takes one target here ({command} shows one machine)")
    return chosen.items[0]


def model_targets(targets: Chosen | None, model: ModelSpec | None,
                  note: bool = True) -> Chosen | None:  # fmt: skip
    """The targets a `--model` can act on: a hardware model only on the targets whose code it
    covers (`all`: those, with a note on stderr naming the targets left out, unless `note` is
    false: a command that refuses `all`), a language model on none (`all`: it stands beside
    them). Named targets it cannot act on are refused, and so is a command's default target
    (tui's, hw's: `targets` when no --target is given)."""
    if targets is None or model is None:
        return targets
    if model.is_source:
        if targets.every:
            return targets
        raise refuse(f"--model {model.name}", "judges C and Rust tests themselves, not compiled "
                     "code: drop --target, or use --target all to see it beside every target")
    fit = tuple(t for t in targets.items if t.arch.name in model.arches)
    if not targets.every and len(fit) < len(targets.items):
        bad = next(t for t in targets.items if t not in fit)
        raise refuse(f"--model {model.name}", f"covers {', '.join(model.arches)} code; it "
                     f"cannot act on {target_named()} {bad.name}")  # fmt: skip
    if not fit:
        raise refuse(f"--model {model.name}", "covers no target's code")
    if note and len(fit) < len(targets.items):
        left = ", ".join(t.name for t in targets.items if t not in fit)
        output.note(f"{target_named(every=True)}: --model {model.name} runs "
                    f"{', '.join(model.arches)} code; left out: {left}")  # fmt: skip
    return Chosen(fit, targets.every)
