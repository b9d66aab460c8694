"""What every command shares: its error handling, its consoles, and its options, declared once.

An option that names a target, a scheme or a model resolves the name here, when the command line
is read, so a command receives `Target`, `Scheme` and `ModelSpec` objects (or a bad name becomes
one line and exit status 2, before any work). The `--model` help is written from the model
registry, the `--budget` default is the machine's one budget constant.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import click
from rich.console import Console

from fencelab.checker.core import DEFAULT_SOURCE_MODEL
from fencelab.errors import FencelabError
from fencelab.isa.registry import TARGET_NAMES, TARGETS, get_target
from fencelab.limits import (
    DEFAULT_MAX_MEMORY,
    DEFAULT_MAX_STATES,
    Limits,
    format_bytes,
    parse_bytes,
)
from fencelab.lowering.schemes import SCHEME_NAMES
from fencelab.lowering.table import get_scheme
from fencelab.machine.machine import DEFAULT_BUDGET
from fencelab.models.registry import AXIOMATIC, OPERATIONAL, SOURCE, get_model, model_names
from fencelab.pipeline import MODES

console = Console()
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


class Group(click.Group):
    """The `fencelab` group: a FencelabError anywhere in a command, its options included, is one
    line on stderr and exit status 2 (click's own usage errors exit with 2 too)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except FencelabError as e:
            err_console.print(f"fencelab: error: {e}", markup=False)
            sys.exit(2)


def litmus_files(paths: tuple[str, ...]) -> list[str]:
    """Files named, and every *.litmus below each directory named (sorted)."""
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


# -- names to objects ----------------------------------------------------------------------------
def _one_target(_ctx, _param, value):
    if isinstance(value, tuple):  # repeatable (`table`)
        return tuple(dict.fromkeys(get_target(v) for v in value))
    return get_target(value) if value is not None else None


def _targets(_ctx, _param, value):
    if value is None:
        return None
    if value == "all":
        return tuple(TARGETS.values())
    return tuple(dict.fromkeys(get_target(t.strip()) for t in value.split(",")))


def _schemes(_ctx, _param, value):
    if value == "all":
        return None  # every scheme, each on the targets it is written for
    return tuple(get_scheme(s.strip()) for s in value.split(","))




# -- the options ---------------------------------------------------------------------------------
_TARGET_LIST = ", ".join(TARGET_NAMES)


def target_option(*, many: bool = False, repeat: bool = False, default: str | None = None,
                  required: bool = False, help: str | None = None):  # fmt: skip
    """`--target/-t`: one target; `many`: one, a comma list or `all` (a tuple); `repeat`: the
    option may be given several times (a tuple)."""
    if help is None:
        help = f"{_TARGET_LIST}" + (", a comma list, or all" if many else "")
    return click.option("--target", "-t", "target", default=default, required=required,
                        multiple=repeat, show_default=default is not None, help=help,
                        callback=_targets if many else _one_target)  # fmt: skip


def scheme_option(*, many: bool = False, help: str | None = None):
    """`--scheme/-s`: a lowering scheme (a `Scheme`); `many`: a comma list or `all` (a tuple of
    schemes, None for all)."""
    if help is None:
        help = "Lowering scheme: " + ", ".join(SCHEME_NAMES)
        if many:
            help += "; a comma list, or all (each on its own targets)"
    return click.option("--scheme", "-s", default="default", show_default=True, help=help,
                        callback=_schemes if many else lambda c, p, v: get_scheme(v))  # fmt: skip


def _model_help(kinds: tuple[str, ...]) -> str:
    defaults: dict[str, list[str]] = {}
    for t in TARGETS.values():
        defaults.setdefault(t.default_model, []).append(t.name)
    own = "; ".join(f"{', '.join(names)} {m}" for m, names in defaults.items())
    hardware = [n for k in (OPERATIONAL, AXIOMATIC) if k in kinds for n in model_names(k)]
    text = f"Memory model: {', '.join(hardware)} (hardware; default: the target's own: {own})"
    if SOURCE in kinds:
        text += f"; {', '.join(model_names(SOURCE))} (source tests, axiomatic)"
    return text + "."


def model_option(*, kinds: tuple[str, ...] = (OPERATIONAL, AXIOMATIC, SOURCE)):
    """`--model/-m`: a memory model from the registry (a `ModelSpec`) of one of `kinds`;
    None: the target's own. A model of another kind is refused, not ignored."""

    def resolve(_ctx, _param, value):
        if value is None:
            return None
        spec = get_model(value)
        if spec.kind not in kinds:
            valid = ", ".join(n for k in kinds for n in model_names(k))
            raise FencelabError(f"--model {value} is a {spec.kind} model: it cannot act here "
                                f"(valid: {valid})")  # fmt: skip
        return spec

    return click.option("--model", "-m", default=None, callback=resolve,
                        help=_model_help(kinds))  # fmt: skip


def source_model_option():
    """`--source-model`: what the source test allows (a source model from the registry)."""
    return click.option("--source-model", default=DEFAULT_SOURCE_MODEL, show_default=True,
                        type=click.Choice(model_names(SOURCE)),
                        callback=lambda c, p, v: get_model(v),
                        help="what the source test allows")  # fmt: skip


def budget_option():
    return click.option("--budget", default=DEFAULT_BUDGET, show_default=True,
                        help="Memory instructions per core before an execution counts as "
                        "unbounded.")  # fmt: skip


def _size(_ctx, _param, value):
    try:
        return parse_bytes(value)
    except ValueError as e:
        raise click.BadParameter(str(e)) from None


def limits_options(fn):
    """`--max-states`, `--max-memory`: how far one exploration may go; the command receives
    them as one `limits` (a `Limits`). At a limit a result is partial, never silently cut."""

    @functools.wraps(fn)
    def command(*args, max_states, max_memory, **kwargs):
        return fn(*args, limits=Limits(max_states, max_memory), **kwargs)

    for option in reversed((
        click.option("--max-states", default=DEFAULT_MAX_STATES, show_default=True,
                     type=click.IntRange(min=1),
                     help="States (candidates for axiomatic models) one exploration may visit; "
                     "past it the result is partial."),
        click.option("--max-memory", default=format_bytes(DEFAULT_MAX_MEMORY).replace(" ", ""),
                     show_default=True, callback=_size,
                     help="Resident memory (800M, 2G) past which an exploration stops with a "
                     "partial result."),
    )):  # fmt: skip
        command = option(command)
    return command


def schedule_option(help: str = "Transition keys to follow in replay mode (a,b,c)."):
    return click.option("--schedule", default="", help=help)


def exploration_options(fn):
    """`--mode`, `--runs`, `--seed`, `--schedule`: how the machine explores."""
    for option in reversed((
        click.option("--mode", type=click.Choice(MODES), default="exhaustive", show_default=True),
        click.option("--runs", default=1000, show_default=True, help="Runs in random mode."),
        click.option("--seed", default=0, show_default=True, help="Seed in random mode."),
        schedule_option(),
    )):  # fmt: skip
        fn = option(fn)
    return fn
