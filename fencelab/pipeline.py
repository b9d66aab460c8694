"""The one pipeline from a litmus test to a result, shared by `run`, `check`, `hunt` and the TUI.

    test --compile (source tests, with a scheme)--> assembly test --load--> Program
         --+ model--> Machine --explore--> TestResult --to_source--> result in source terms

Source models (c11, rc11, sc-source) judge the source test itself; axiomatic hardware models
check the loaded program's candidate executions instead of running the machine. Everything
arrives resolved: a `Target`, a `Scheme`, a `ModelSpec` (the CLI and the TUI turn names into
objects once, at the edge).

A `Pipeline` is also the one place results are cached: with `cache=True` it explores each
distinct compiled program (and judges each distinct source test) once per model and options,
which is what makes `hunt` affordable (many ordering assignments compile to the same code).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, replace

from fencelab.errors import CodeError, FencelabError, MemoryFault, SourceError
from fencelab.isa.arch import ARCHES
from fencelab.isa.registry import DEFAULT_SOURCE_TARGET, get_target, own_target
from fencelab.isa.target import Target
from fencelab.limits import Limits
from fencelab.litmus.ast import SOURCE_ARCHES, LitmusTest
from fencelab.litmus.printer import strip_positions
from fencelab.lowering.schemes import DEFAULT_SCHEME, Scheme
from fencelab.lowering.table import get_scheme
from fencelab.machine.explore import Progress, exhaustive, random_runs, replay
from fencelab.machine.machine import DEFAULT_BUDGET, Machine
from fencelab.models.registry import LANGUAGE_MODEL, OPERATIONAL, ModelSpec, get_model, model_names
from fencelab.program.layout import Program
from fencelab.program.load import load, target_for
from fencelab.result import FinalState, TestResult

MODES = ("exhaustive", "random", "replay")
MADE = 1 << 16  # a caching pipeline's memo of compiled code and keys (`Pipeline._once`)


@dataclass(frozen=True)
class RunOptions:
    target: Target | None = None  # None: the test's own ISA (asm) or DEFAULT_SOURCE_TARGET
    scheme: Scheme = DEFAULT_SCHEME  # compiles source tests
    model: ModelSpec | None = None  # None: the target's own
    mode: str = "exhaustive"
    runs: int = 1000
    seed: int = 0
    schedule: str = ""
    budget: int = DEFAULT_BUDGET
    limits: Limits = Limits()  # states and memory one exploration may use
    start: tuple[str, ...] = ()  # exhaustive: explore only what follows this schedule (a split)
    # herd's counts: the axiomatic models judge every candidate to count the executions they
    # allow (TestResult.executions); False: the outcomes only, each found once (the checker)
    counts: bool = True

    @classmethod
    def named(cls, target: str | None = None, scheme: str = "default", model: str | None = None,
              **rest) -> RunOptions:  # fmt: skip
        """Options from the names a user writes (`armv8`, `rcpc`, `tso`): the edge's one
        resolution of targets, schemes and models (unknown names are one-line errors)."""
        return cls(get_target(target) if target is not None else None, get_scheme(scheme),
                   get_model(model) if model is not None else None, **rest)  # fmt: skip

    def __reduce__(self):
        """Pickled as the names it was made from (a target holds assembler handles that cannot
        cross processes): a worker process, or a Dask worker, resolves them in its own
        registries (fencelab/parallel)."""
        names = (self.target.name if self.target is not None else None, self.scheme.name,
                 self.model.name if self.model is not None else None)  # fmt: skip
        rest = {f: getattr(self, f) for f in ("mode", "runs", "seed", "schedule", "budget",
                                              "start", "limits", "counts")}  # fmt: skip
        return _named_options, (names, rest)


def _named_options(names: tuple, rest: dict) -> RunOptions:
    return RunOptions.named(*names, **rest)


def plan(test: LitmusTest, options: RunOptions, targets: tuple[Target, ...] | None = None,
         every: bool = False) -> tuple[list[RunOptions], str]:  # fmt: skip
    """Where one test runs (one RunOptions each), and a note when a named target does not fit.

    An asm test runs on its own architecture: on the named targets that run its code, else on
    its own target (with a note naming the targets that do not fit); `every` (`--target all`,
    every target for C/Rust tests) runs it on its own target, without a note. A C/Rust test without targets is judged by its
    language model (`options.model` when it is a source model, else LANGUAGE_MODEL), as herd7
    does; with targets, it is compiled for each; `every` puts the language model first, so its
    outcomes stand beside every target's."""
    language = options.model if options.model is not None and options.model.is_source \
        else get_model(LANGUAGE_MODEL)  # fmt: skip
    hardware = options.model if options.model is not None and not options.model.is_source \
        else None  # fmt: skip
    if not test.is_source:
        if language is options.model:  # a source model named: it cannot judge assembly code
            raise _not_its_model(test, language)
        if hardware is not None and test.arch not in hardware.arches:
            raise _not_its_model(test, hardware)
        own = target_for(test)
        fits = [t for t in targets or () if t.arch is own.arch] if not every else []
        note = ""
        if targets and not fits and not every:
            note = (f"{test.name}: an {test.arch} test runs on {own.name}; --target "
                    f"{','.join(t.name for t in targets)} is for C and Rust tests")  # fmt: skip
        return [replace(options, target=t, model=hardware) for t in fits or [None]], note
    if not targets:
        if hardware is not None:
            raise FencelabError(f"{test.name}: --model {hardware.name} runs compiled code: name "
                                f"a --target for this {test.arch} test (or a source model)")  # fmt: skip
        same = options.target is None and options.model is language  # (a source model named)
        return [options if same else replace(options, target=None, model=language)], ""
    compiled_runs = [replace(options, target=t, model=hardware) for t in targets]
    if every:
        return [replace(options, target=None, model=language), *compiled_runs], ""
    return compiled_runs, ""


def judged_by(arch: str, options: RunOptions) -> tuple[ModelSpec, str] | None:
    """The model that judges a run of an `arch` test under `options` (one of `plan`'s, or the
    options given to it, without a target), and the architecture of the code it judges (a C
    or Rust test compiled: its target's); None where `plan` or the run refuses (its error)."""
    model = options.model
    if arch in SOURCE_ARCHES:
        if options.target is None:
            if model is not None and not model.is_source:
                return None  # (a --model that runs compiled code, without a target)
            return model or get_model(LANGUAGE_MODEL), arch
        target = options.target
    elif arch not in ARCHES or (model is not None and model.is_source):
        return None
    else:
        target = options.target or own_target(ARCHES[arch])
    return model or get_model(target.default_model), target.arch.name


def _not_its_model(test: LitmusTest, spec: ModelSpec) -> FencelabError:
    """An asm test named with a model that does not judge its code: a language model, or a
    hardware model of other architectures (`--model tso` for an AArch64 test), with the test
    named (in a catalogue, which one) and the models that judge it."""
    judges = (f"source tests ({' or '.join(spec.arches)})" if spec.is_source
              else f"{', '.join(spec.arches)} code")  # fmt: skip
    hardware = [n for n in model_names(arch=test.arch) if not get_model(n).is_source]
    return FencelabError(f"{test.name}: the {spec.name} model judges {judges}; this is an "
                         f"{test.arch} test (its models: {', '.join(hardware)})")  # fmt: skip


def compiled(test: LitmusTest, target: Target | None, scheme: Scheme) -> tuple[LitmusTest, Target]:
    """The assembly test the machine runs and the target it runs on: a source test compiled
    with `scheme` (for `target`, default DEFAULT_SOURCE_TARGET), an asm test as it is."""
    if test.is_source:
        # imported here: only source tests compile, and a run of asm tests needs no compiler
        from fencelab.compiler.compile import compile_test

        target = target or DEFAULT_SOURCE_TARGET
        return compile_test(test, target, scheme), target
    return test, target_for(test, target)


def program_for(test: LitmusTest, target: Target | None = None,
                scheme: Scheme = DEFAULT_SCHEME) -> Program:  # fmt: skip
    return load(*compiled(test, target, scheme))


def model_for(arch: str, target: Target, spec: ModelSpec | None) -> ModelSpec:
    """The model that judges `arch` code on `target`: `spec`, or the target's own."""
    spec = spec or get_model(target.default_model)
    spec.check_arch(arch)
    return spec


def machine_for(test: LitmusTest, options: RunOptions) -> Machine:
    """The machine the TUI steps: the program under an operational model."""
    program = program_for(test, options.target, options.scheme)
    spec = model_for(program.test.arch, program.target, options.model)
    if spec.kind != OPERATIONAL:
        raise FencelabError(f"model {spec.name} is {spec.kind}: the machine steps the "
                            f"operational models ({', '.join(model_names(OPERATIONAL))})")  # fmt: skip
    return Machine(program, spec.new(), options.budget)


class Pipeline:
    """Runs tests; with `cache=True`, each distinct program (or source test) once per model.

    A caching pipeline also keeps what it made of each test object (`_made`): its key as a
    source test, and its compiled code and that code's key for each target and scheme. `check`
    asks for one test's source result once per target and scheme, and with workers it asks for
    every key first (`work`) and runs the checks after (fencelab/parallel/tasks.py): compiling
    and keying again were most of `hunt`'s time (its variants compile to few programs, explored
    once)."""

    def __init__(self, cache: bool = False):
        self._cache: dict[Hashable, TestResult] | None = {} if cache else None
        self._made: dict[tuple, tuple] | None = {} if cache else None
        self.explored = {"code": 0, "source": 0}  # runs actually made, by what was run
        self.cache_hits = 0

    def _once(self, what: str, things: tuple, make: Callable[[], object]):
        """`make()` (`what` of these objects), made once while they are the same objects (kept
        alive with it, so that their ids cannot be reused): a caching pipeline's memo;
        otherwise made each time. At most MADE entries, the oldest dropped first."""
        if self._made is None:
            return make()
        ids = (what, *map(id, things))
        entry = self._made.get(ids)
        if entry is None or any(a is not b for a, b in zip(entry[0], things)):
            if len(self._made) >= MADE:
                del self._made[next(iter(self._made))]
            entry = self._made[ids] = (things, make())
        return entry[1]

    def run(self, test: LitmusTest, options: RunOptions,
            progress: Progress | None = None) -> TestResult:  # fmt: skip
        key, compute, finish = self._plan(test, options, progress)
        return finish(self._cached(key, compute))

    def work(self, test: LitmusTest,
             options: RunOptions) -> tuple[Hashable, Callable[[], TestResult]]:  # fmt: skip
        """What `run` comes down to: the key it files the result under (compiling a source
        test first) and the computation of that result. A parallel runner computes it
        elsewhere and hands it back with `remember`; `run` then finds it."""
        key, compute, _ = self._plan(test, options, None)
        return key, compute

    def remember(self, key: Hashable, result: TestResult) -> None:
        """A result computed elsewhere (`work`), counted as explored."""
        self.explored[key[0]] += 1
        if self._cache is not None:
            self._cache[key] = result

    def cached(self, key: Hashable) -> bool:
        return self._cache is not None and key in self._cache

    def _plan(self, test: LitmusTest, options: RunOptions, progress: Progress | None):
        if options.mode not in MODES:
            raise FencelabError(f"unknown mode {options.mode!r}; valid: {', '.join(MODES)}")
        if options.model is not None and options.model.is_source:
            key, compute = self._judge_source(test, options.model, options)
            return key, compute, lambda result: result
        asm, target = self._once("compiled", (test, options.target, options.scheme),
                                 lambda: compiled(test, options.target, options.scheme))
        spec = model_for(asm.arch, target, options.model)
        if spec.kind != OPERATIONAL:
            _exhaustive_only(spec, options)
        key = ("code", target.name, spec.name, options.mode, options.runs, options.seed,
               options.schedule, options.budget, options.start, options.limits,
               options.counts and spec.kind != OPERATIONAL) + (
            (self._once("code key", (asm,), lambda: HashedOnce(code_key(asm))),)
            if self._cache is not None else ())

        def finish(raw: TestResult) -> TestResult:
            return to_source(raw, asm, options.scheme.name) if test.is_source else raw

        return key, lambda: _run_program(asm, target, spec, options, progress), finish

    def _judge_source(self, test: LitmusTest, spec: ModelSpec, options: RunOptions):
        """c11 / rc11 / sc-source judge the source test itself, no machine."""
        if options.target is not None:
            raise FencelabError(
                f"--model {spec.name} judges the source test itself; it takes no --target"
            )
        _exhaustive_only(spec, options)
        if not test.is_source:
            raise _not_its_model(test, spec)
        key = ("source", spec.name, options.budget, options.limits, options.counts) + (
            (self._once("source key", (test,), lambda: HashedOnce(source_key(test))),)
            if self._cache is not None else ())
        return key, lambda: spec.new()(test, options.budget, options.limits, options.counts)

    def _cached(self, key: tuple, compute: Callable[[], TestResult]) -> TestResult:
        if self._cache is not None and key in self._cache:
            self.cache_hits += 1
            return self._cache[key]
        result = compute()
        self.explored[key[0]] += 1
        if self._cache is not None and not result.partial:  # a result cut short is not kept
            self._cache[key] = result
        return result


def run_test(test: LitmusTest, options: RunOptions,
             progress: Progress | None = None) -> TestResult:  # fmt: skip
    """One test, one configuration, no cache."""
    return Pipeline().run(test, options, progress)


def split_model(test: LitmusTest, options: RunOptions):
    """The model whose exhaustive run of `test` can be split and merged exactly
    (fencelab/machine/parts.py), with the test's program (compiled, target); None when it
    cannot: not an operational model's exhaustive run of an asm test, state keys that differ
    between processes, a split start already given."""
    from fencelab.machine.parts import splittable

    if (options.mode != "exhaustive" or options.start or test.is_source
            or options.model is not None and options.model.is_source):  # fmt: skip
        return None
    asm, target = compiled(test, options.target, options.scheme)
    spec = model_for(asm.arch, target, options.model)
    if spec.kind != OPERATIONAL:
        return None
    model = spec.new()
    return (model, asm, target) if splittable(model) else None


def explore_part(test: LitmusTest, options: RunOptions, part: int, parts: int,
                 width: int):  # fmt: skip
    """Part `part` of `parts` of the exhaustive run of `test` (fencelab/machine/parts.py): a
    result naming its test, engine and target, and the part's graph; None when the run cannot
    be split (`split_model`)."""
    from fencelab.machine import parts as split

    found = split_model(test, options)
    if found is None:
        return None
    model, asm, target = found
    program = load(asm, target)
    try:
        machine = Machine(program, model, options.budget)
        started = time.perf_counter()
        try:
            graph = split.explore_part(machine, part, parts, width, options.limits)
        except CodeError as e:
            raise _stopped_at(program, e) from None
        result = TestResult(test=program.test, engine=machine.model.name,
                            target=program.target.name, mode="exhaustive",
                            seconds=time.perf_counter() - started)  # fmt: skip
        return result, graph
    finally:
        program.release()


def _run_program(asm: LitmusTest, target: Target, spec: ModelSpec, options: RunOptions,
                 progress: Progress | None) -> TestResult:  # fmt: skip
    """Load, explore, and free the program's engines (a run's memory ends with the run; with
    the `reuse` reduction its cores stay, bounded, for the next test of the same code)."""
    program = load(asm, target)
    try:
        return _explore(program, spec, options, progress)
    finally:
        program.release()


def _explore(program: Program, spec: ModelSpec, options: RunOptions,
             progress: Progress | None) -> TestResult:  # fmt: skip
    """Explore `program`; an instruction that cannot run is named at the user's line."""
    try:
        if spec.kind != OPERATIONAL:
            return spec.new()(program, options.budget, options.limits, options.counts)
        machine = Machine(program, spec.new(), options.budget)
        if options.mode == "exhaustive":
            result = exhaustive(machine, progress, start=options.start, limits=options.limits)
        elif options.mode == "random":
            result = random_runs(machine, options.runs, options.seed, progress, options.limits)
        elif not options.schedule:
            raise FencelabError("--mode replay needs --schedule")
        else:
            result = replay(machine, options.schedule)
        result.cautions = machine.model.cautions()
        return result
    except CodeError as e:
        raise (_stopped_at(program, e) if spec.kind == OPERATIONAL else program.locate(e)) from None


def _stopped_at(program: Program, error: CodeError) -> SourceError:
    """An instruction an operational model could not run, at the user's line. A fault there
    (an access to no location) is reported whatever the test's filter says: the run stops at
    it, before the final state the filter judges. The axiomatic and language models, as herd
    (its mem.ml applies the filter to a candidate's final state before the model sees the
    candidate, and a failure met while building it is raised only if the model accepts it),
    report one only in an execution the filter keeps: the line says so."""
    located = program.locate(error)
    if not isinstance(error, MemoryFault) or program.test.filter is None:
        return located
    return SourceError(f"{located.message}; an operational model stops at it, before the final "
                       "state the filter judges (under an axiomatic model, as in herd, only an "
                       "execution the filter keeps reports it)", located.file, located.line,
                       located.col)  # fmt: skip


def _exhaustive_only(spec: ModelSpec, options: RunOptions) -> None:
    """`--mode random|replay` runs the machine; an axiomatic model has none. The model may be
    the test's default (c11 for C and Rust without --target): say which, and what runs one."""
    if options.mode != "exhaustive":
        hint = (" (a --target runs the compiled test on a machine model)" if spec.is_source
                else "")  # fmt: skip
        raise FencelabError(
            f"--mode {options.mode} runs the machine, and the model here, {spec.name}, is "
            f"axiomatic: it enumerates every execution{hint}"
        )


def to_source(result: TestResult, compiled: LitmusTest, scheme: str) -> TestResult:
    """A compiled test's result restated in source terms: `0:r0=1`, not `0:X0=1`."""
    info = compiled.origin
    if info is None:
        return result
    states = [FinalState(info.source_outcome(s.outcome), s.witness, s.count)
              for s in result.states]  # fmt: skip
    return replace(result, test=info.source, scheme=scheme, states=states)


class HashedOnce(tuple):
    """A tuple that computes its hash once: a result's key holds a whole program or source
    test (a tree of frozen dataclasses, hashed all over again at each look-up: a fifth of
    `hunt`'s time in the process that prints). The pipeline makes each once per test
    (`Pipeline._once`), so a look-up hashes its few other fields and compares it by identity."""

    def __hash__(self) -> int:
        try:
            return self._hash
        except AttributeError:
            self._hash = tuple.__hash__(self)
            return self._hash

    def __reduce__(self):  # (another process hashes strings with another seed: not its hash)
        return HashedOnce, (tuple(self),)


def source_key(test: LitmusTest) -> tuple:
    """Source tests are compared by content (positions and file names aside)."""
    return (test.arch, strip_positions(test.threads), test.locations, test.reg_inits,
            test.condition, test.observed, test.filter)  # fmt: skip


def code_key(asm: LitmusTest) -> tuple:
    """What the machine sees of an assembly test: its rows, initial state and observables."""
    rows = tuple(tuple(line.text for line in t.asm) for t in asm.threads)
    return (asm.arch, rows, asm.locations, asm.reg_inits, asm.condition, asm.observed, asm.filter)
