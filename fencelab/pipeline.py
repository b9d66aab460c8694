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
from fencelab.models.registry import AXIOMATIC, ModelSpec, get_model
from fencelab.program.layout import Program
from fencelab.result import TestResult

MODES = ("exhaustive", "random", "replay")
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
    """The operational model `name` (default: the target's own) for this program's code."""
    spec = get_model(name or program.target.default_model)
    spec.check_arch(program.test.arch)
    return spec.new()


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
    spec = get_model(options.model) if options.model else None
    if spec is not None and spec.is_source:
        return run_source_model(test, spec, options, target)
    if spec is not None and spec.kind == AXIOMATIC:
        _exhaustive_only(spec, options)
        program = program_for(test, target if target is not None else options.target,
                              options.scheme)  # fmt: skip
        spec.check_arch(program.test.arch)
        result = spec.new()(program, options.budget)
        return to_source(result, program.test, options.scheme) if test.is_source else result
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
    test: LitmusTest, spec: ModelSpec, options: RunOptions, target: str | None = None
) -> TestResult:
    """c11 / rc11 / sc-source judge the source test itself, no machine."""
    chosen = target if target is not None else options.target
    if chosen is not None:
        raise FencelabError(
            f"--model {spec.name} judges the source test itself; it takes no --target"
        )
    _exhaustive_only(spec, options)
    if not test.is_source:
        raise FencelabError(
            f"{test.name}: the {spec.name} model judges source tests (C or RUST); "
            f"this is an {test.arch} test (use --model sc, tso or arm)"
        )
    return spec.new()(test, options.budget)


def _exhaustive_only(spec: ModelSpec, options: RunOptions) -> None:
    if options.mode != "exhaustive":
        raise FencelabError(
            f"--model {spec.name} is axiomatic: it enumerates every execution "
            f"(--mode {options.mode} is for the machine)"
        )


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
