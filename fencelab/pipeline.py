"""From a litmus test to a TestResult: compile if needed, load, pick the model, explore.

This is the one pipeline the CLI, the checker and the TUI share:
test -> (compile with a lowering scheme) -> Program (isa) -> Machine (+ model) -> TestResult.
"""

from __future__ import annotations

from dataclasses import dataclass

from fencelab.errors import FencelabError
from fencelab.isa.registry import TARGET_NAMES, get_target
from fencelab.litmus.ast import LitmusTest
from fencelab.machine.explore import Progress, exhaustive, random_runs, replay
from fencelab.machine.machine import DEFAULT_BUDGET, Machine
from fencelab.models import get_model
from fencelab.program.layout import Program
from fencelab.result import TestResult

MODES = ("exhaustive", "random", "replay")
# Source-level axiomatic models (fencelab.models.source.rc11): `--model sc` stays the operational SC
# machine on the compiled code; `sc-source` is SC judged on the source test.
SOURCE_MODELS = ("c11", "rc11", "sc-source")
DEFAULT_SOURCE_TARGET = "x86_64"


@dataclass(frozen=True)
class RunOptions:
    target: str | None = None  # None: the test's own ISA (asm) or x86_64 (source)
    scheme: str = "default"
    model: str | None = None  # None: the target's default model
    mode: str = "exhaustive"
    runs: int = 1000
    seed: int = 0
    schedule: str = ""
    budget: int = DEFAULT_BUDGET


def targets_for(test: LitmusTest, target: str | None) -> list[str | None]:
    """`--target all` means every target for source tests, the test's own for asm tests."""
    if target == "all":
        if test.is_source:
            return list(TARGET_NAMES)
        return [None]
    return [target]


def program_for(test: LitmusTest, target: str | None, scheme: str = "default") -> Program:
    from fencelab.program.load import load

    if test.is_source:
        from fencelab.compiler.compile import compile_test

        asm = compile_test(test, get_target(target or DEFAULT_SOURCE_TARGET), scheme)
        return load(asm, target or DEFAULT_SOURCE_TARGET)
    return load(test, target)


def model_for(program: Program, name: str | None):
    name = name or program.target.default_model
    if name == "arm":
        try:
            import fencelab.models.operational.arm.model  # noqa: F401
        except ImportError:
            raise FencelabError(
                f"{program.target.name}: the ARMv8 model is not available yet; "
                "use --model sc for the interleaving baseline"
            ) from None
    return get_model(name)


def machine_for(test: LitmusTest, options: RunOptions, target: str | None = None) -> Machine:
    program = program_for(test, target if target is not None else options.target, options.scheme)
    return Machine(program, model_for(program, options.model), options.budget)


def run_test(
    test: LitmusTest,
    options: RunOptions,
    target: str | None = None,
    progress: Progress | None = None,
) -> TestResult:
    if options.mode not in MODES:
        raise FencelabError(f"unknown mode {options.mode!r}; valid: {', '.join(MODES)}")
    if options.model in SOURCE_MODELS:
        return run_source_model(test, options, target)
    machine = machine_for(test, options, target)
    if options.mode == "exhaustive":
        result = exhaustive(machine, progress)
    elif options.mode == "random":
        result = random_runs(machine, options.runs, options.seed, progress)
    else:
        if not options.schedule:
            raise FencelabError("--mode replay needs --schedule")
        result = replay(machine, options.schedule)
    if test.is_source:
        to_source(result, machine.program.test, options.scheme)
    return result


def run_source_model(
    test: LitmusTest, options: RunOptions, target: str | None = None
) -> TestResult:
    """c11 / rc11 / sc-source judge the source test itself (fencelab.models.source.rc11), no machine."""
    from fencelab.models.source.rc11 import run_source

    chosen = target if target is not None else options.target
    if chosen is not None:
        raise FencelabError(
            f"--model {options.model} judges the source test itself; it takes no --target"
        )
    if options.mode != "exhaustive":
        raise FencelabError(
            f"--model {options.model} is axiomatic: it enumerates every execution "
            f"(--mode {options.mode} is for the machine)"
        )
    return run_source(test, options.model, options.budget)


def to_source(result: TestResult, compiled: LitmusTest, scheme: str) -> TestResult:
    """Restate a compiled test's result in source terms: `0:r0=1`, not `0:X0=1`."""
    from fencelab.result import FinalState

    info = compiled.origin
    if info is None:
        return result
    result.test = info.source
    result.scheme = scheme
    result.states = [
        FinalState(info.source_outcome(s.outcome), s.witness, s.count) for s in result.states
    ]
    return result
