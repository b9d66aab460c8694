"""Every memory model fencelab runs, by name: one entry each, the only list there is.

An entry says what the model is (`kind`), which code it judges (`arches`: herd architecture
names; source models judge C and Rust tests themselves) and how to make one (`factory`):

- `operational`: the factory returns a `MemoryModel` (fencelab/machine/model.py) that the
  machine interleaves under; exhaustive, random and replay exploration all work.
- `axiomatic`: a hardware model checked over candidate executions of the loaded program; the
  factory returns a function `(program, budget, limits) -> TestResult`.
- `source`: a language model judged on the source test itself (no compiling, no target); the
  factory returns a function `(test, budget, limits) -> TestResult`.

Adding a model is one `ModelSpec` below (and, to make it a target's default, the target's
`default_model` in fencelab/isa/). The pipeline (fencelab/pipeline.py), the CLI's `--model`
help and the TUI's model list all read this table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fencelab.errors import FencelabError
from fencelab.limits import DEFAULT_LIMITS
from fencelab.litmus.ast import SOURCE_ARCHES

OPERATIONAL = "operational"
AXIOMATIC = "axiomatic"
SOURCE = "source"


@dataclass(frozen=True)
class ModelSpec:
    name: str
    kind: str  # OPERATIONAL, AXIOMATIC or SOURCE
    arches: tuple[str, ...]  # herd architectures of the code (or source tests) it judges
    description: str
    factory: Callable[[], Any]

    @property
    def is_source(self) -> bool:
        return self.kind == SOURCE

    def check_arch(self, arch: str) -> None:
        """Refuse code this model does not cover."""
        if arch not in self.arches:
            raise FencelabError(
                f"model {self.name} does not cover {arch} code "
                f"(it covers {', '.join(self.arches)})"
            )

    def new(self) -> Any:
        """A fresh model (operational) or run function (axiomatic, source)."""
        return self.factory()


def _sc():
    from fencelab.models.operational.sc import SC

    return SC()


def _tso():
    from fencelab.models.operational.tso import TSO

    return TSO()


def _arm():
    from fencelab.models.operational.arm.model import ARM

    return ARM()


def _aarch32():
    from fencelab.models.operational.arm.aarch32 import AArch32

    return AArch32()


def _armv7():
    from fencelab.models.operational.armv7.model import ARMv7

    return ARMv7()


def _axiomatic(cat: str):
    """The axiomatic checker of one cat file (`arm`: aarch64.cat, `armv7`: arm.cat, `x86`:
    x86tso-mixed.cat, `sc`: sc.cat)."""

    def new():
        from fencelab.models.axiomatic.arm import run_axiomatic

        model = cat
        if cat == "x86":  # x86.py builds on arm.py's checker, so arm.py does not list it
            from fencelab.models.axiomatic.x86 import X86_TSO_MODEL as model
        return lambda program, budget, limits=DEFAULT_LIMITS, counts=True: run_axiomatic(
            program, model, budget, limits, counts)  # fmt: skip

    return new


def _source(name: str) -> Callable[[], Any]:
    def factory():
        from fencelab.models.source.rc11 import run_source

        return lambda test, budget, limits=DEFAULT_LIMITS, counts=True: run_source(
            test, name, budget, limits=limits, counts=counts)  # fmt: skip

    return factory


_HARDWARE = ("X86_64", "X86", "AArch64", "ARM")
_ARM = ("AArch64", "ARM")

MODELS: dict[str, ModelSpec] = {
    m.name: m
    for m in (
        ModelSpec("sc", OPERATIONAL, _HARDWARE,
                  "sequential consistency: interleaving over one memory (baseline)", _sc),
        ModelSpec("tso", OPERATIONAL, ("X86_64", "X86"),
                  "x86-TSO: per-core FIFO store buffers (Owens, Sarkar, Sewell)", _tso),
        ModelSpec("arm", OPERATIONAL, _ARM,
                  "ARMv8 (AArch64, AArch32): Promising-ARM (Pulte et al., PLDI 2019)", _arm),
        ModelSpec("aarch32", OPERATIONAL, ("ARM",),
                  "A32 under ARMv8 AArch32 rules: the arm model (multicopy-atomic)", _aarch32),
        ModelSpec("armv7", OPERATIONAL, ("ARM",),
                  "ARMv7 (A32), not multicopy-atomic: herdtools7's arm.cat, operationally",
                  _armv7),
        ModelSpec("sc-axiomatic", AXIOMATIC, _HARDWARE,
                  "sequential consistency as herdtools7's sc.cat, over candidate executions",
                  _axiomatic("sc")),
        ModelSpec("tso-axiomatic", AXIOMATIC, ("X86_64", "X86"),
                  "x86-TSO as herdtools7's x86tso-mixed.cat, over candidate executions",
                  _axiomatic("x86")),
        ModelSpec("arm-axiomatic", AXIOMATIC, _ARM,
                  "ARMv8 as herdtools7's aarch64.cat, over candidate executions", _axiomatic("arm")),
        ModelSpec("armv7-axiomatic", AXIOMATIC, ("ARM",),
                  "ARMv7 as herdtools7's arm.cat, over candidate executions", _axiomatic("armv7")),
        ModelSpec("c11", SOURCE, SOURCE_ARCHES,
                  "C++20 / Rust: RC11 without no-thin-air",
                  _source("c11")),
        ModelSpec("rc11", SOURCE, SOURCE_ARCHES,
                  "Lahav et al. 2017: forbids po ∪ rf cycles, i.e. load buffering",
                  _source("rc11")),
        ModelSpec("sc-source", SOURCE, SOURCE_ARCHES,
                  "sequential consistency over the source test's candidate executions",
                  _source("sc-source")),
    )  # fmt: skip
}
MODEL_NAMES = tuple(MODELS)
LANGUAGE_MODEL = "c11"  # what a C or Rust test means when no target is named (as in herd7)


def get_model(name: str) -> ModelSpec:
    """The model named `name`, in any case (`TSO`, as `--target` takes `ARMv8`)."""
    spec = MODELS.get(name.lower())
    if spec is None:
        raise FencelabError(f"unknown model {name!r}; valid: {', '.join(MODEL_NAMES)}")
    return spec


def model_names(kind: str | None = None, arch: str | None = None) -> tuple[str, ...]:
    """The models of one kind (all of them without `kind`) that cover `arch` code (any
    without `arch`), in table order."""
    return tuple(n for n, m in MODELS.items()
                 if (kind is None or m.kind == kind) and (arch is None or arch in m.arches))  # fmt: skip
