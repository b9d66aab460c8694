"""Why can't this happen? The forbidding cycle of a hardware model, on a candidate execution.

An outcome the operational model never reaches is one every candidate execution with that
outcome breaks some axiom of the model's axiomatic twin (fencelab/graph/views.py). Among those
candidates we show the one that breaks the fewest axioms, with the shortest cycle — the
execution a reader would try first (for MP+dmb.sy+addr: the reader sees y=1 from the writer
and x=0 from the initial write) — with its cycle highlighted and the axiom named.

Outcomes are written as herd prints them, possibly partly: `1:X0=1; 1:X2=0` picks every final
state with those values (`x=1` and `[x]=1` both name a location).
"""

from __future__ import annotations

import itertools
import re

from fencelab.errors import FencelabError
from fencelab.graph.build import graph_of
from fencelab.graph.model import ExecutionGraph
from fencelab.graph.views import view_for
from fencelab.litmus.ast import LitmusTest, LocObs, RegObs
from fencelab.litmus.conditions import Outcome
from fencelab.litmus.parser import parse_int
from fencelab.litmus.printer import format_state
from fencelab.litmus.types import ValueType, observable_type
from fencelab.models.axiomatic.arm import outcome_of
from fencelab.models.axiomatic.candidates import (
    Execution,
    combine,
    mixed_locations,
    per_location_choices,
    skeletons,
)
from fencelab.models.axiomatic.events import enumerate_paths
from fencelab.values import NumberTooLong, fits

MAX_CANDIDATES = 20000  # candidate executions examined before settling for the best so far

class Wanted(dict[str, str]):
    """Normalised observable (`1:x0`, `[x]`) -> value, as herd spells them; `shown` keeps each
    observable as it was written (`1:X0`), so that a message names it as the user did."""

    def __init__(self):
        super().__init__()
        self.shown: dict[str, str] = {}


def _norm_obs(text: str) -> str:
    text = text.strip()
    if ":" in text:
        tid, reg = text.split(":", 1)
        return f"{tid.strip()}:{reg.strip().lower()}"
    return f"[{text.strip('[] ')}]"


_REG = re.compile(r"\s*(\d+)\s*:\s*(%?[A-Za-z_]\w*)\s*")  # the condition grammar's spellings
_LOC = re.compile(r"\s*(\[\s*)?([A-Za-z_][\w.]*(?:\s*\[\s*\d+\s*\])?)(?(1)\s*\])\s*")
_ADDRESS = re.compile(r"\s*([A-Za-z_][\w.]*(?:\s*\[\s*\d+\s*\])?)\s*(?:\+\s*\d+\s*)?")


def parse_outcome(text: str, test: LitmusTest) -> Wanted:
    """`1:X0=1; 1:X2=0`, `1:X0=1 /\\ 1:X2=0` or `x=1` -> {"1:x0": "1", ...}: each value read
    as the test's condition reads it (`0x1`, `01`: 1; in the type of what it names, within 64
    bits) and kept as a final state prints it; anything else is refused with the reason."""
    if "\\/" in text:
        raise FencelabError(f"outcome '{text}': a disjunction (\\/) is not one outcome; give "
                            "the final state's values, separated by ;")  # fmt: skip
    wanted = Wanted()
    for part in re.split(r";|/\\|\band\b|&&|,(?![^{]*})", text):  # not `x={1,0}`'s commas
        part = part.strip()
        if not part:
            continue
        if "=" not in part:
            raise FencelabError(f"outcome '{text}': '{part}' is not OBS=VALUE")
        obs, value = (p.strip() for p in part.split("=", 1))
        if not obs or not value:
            raise FencelabError(f"outcome '{text}': '{part}' is not OBS=VALUE")
        reg, loc = _REG.fullmatch(obs), _LOC.fullmatch(obs)
        if reg is None and loc is None:
            raise FencelabError(f"outcome '{text}': '{obs}' is not a register (T:REG) or a "
                                "location")  # fmt: skip
        observable = (RegObs(int(reg.group(1)), reg.group(2)) if reg
                      else LocObs(re.sub(r"\s+", "", loc.group(2))))  # fmt: skip
        key = _norm_obs(obs)
        read = _value(value, observable, test, text)
        if wanted.get(key, read) != read:
            raise FencelabError(f"outcome '{text}': {obs} given twice, with {wanted[key]} "
                                f"and {read}")  # fmt: skip
        wanted[key] = read
        wanted.shown.setdefault(key, obs)
    if not wanted:
        raise FencelabError(f"outcome '{text}': no OBS=VALUE in it")
    return wanted


def _value(value: str, obs: RegObs | LocObs, test: LitmusTest, text: str) -> str:
    """One outcome value as a final state prints it: a number read as the condition reader
    reads it, in `obs`'s type; an array's `{1,0}`; a location's name (its address)."""
    typ = observable_type(test, obs)
    if value.startswith("{") and value.endswith("}"):
        return "{" + ",".join(_number(v, typ, text) for v in value[1:-1].split(",")) + "}"
    address = _ADDRESS.fullmatch(value)
    if address is not None:
        name = re.sub(r"\s+", "", address.group(1))
        if any(loc.name == name for loc in test.locations):
            return re.sub(r"\s+", "", value)
        raise FencelabError(f"outcome '{text}': '{value}' is neither a number nor a location "
                            f"of {test.name}")  # fmt: skip
    return _number(value, typ, text)


def _number(value: str, typ: ValueType, text: str) -> str:
    try:
        number = parse_int(value)
    except NumberTooLong as e:
        raise FencelabError(f"outcome '{text}': {e}") from None
    if number is None:
        raise FencelabError(f"outcome '{text}': '{value.strip()}' is not a number")
    bits = max(64, typ.width)
    if not fits(number, bits):
        raise FencelabError(f"outcome '{text}': {value.strip()} does not fit in {bits} bits")
    return str(typ.wrap(number))


def outcome_pairs(outcome: Outcome) -> dict[str, str]:
    pairs = {}
    for part in format_state(outcome).split(";"):
        if "=" in part:
            obs, value = part.split("=", 1)
            pairs[_norm_obs(obs)] = value.strip()
    return pairs


def matches(outcome: Outcome, wanted: Wanted) -> bool:
    pairs = outcome_pairs(outcome)
    return all(pairs.get(k) == v for k, v in wanted.items())


def check_observed(wanted: Wanted, observed: Outcome, test_name: str) -> None:
    """Refuse an outcome that names something the test does not observe."""
    known = outcome_pairs(observed)
    unknown = [wanted.shown.get(k, k) for k in wanted if k not in known]
    if unknown:
        names = [part.split("=", 1)[0].strip() for part in format_state(observed).split(";")]
        raise FencelabError(f"{test_name}: {', '.join(unknown)} is not observed by the test "
                            f"(it observes {', '.join(n for n in names if n)})")  # fmt: skip


def wanted_text(wanted: Wanted) -> str:
    return " ".join(f"{wanted.shown.get(k, k)}={v};" for k, v in wanted.items())


def seeds(wanted: Wanted) -> tuple[int, ...]:
    """The outcome's integer values: a value no write makes (thin air) must still be tried."""
    return tuple(sorted({int(v) for v in wanted.values() if re.fullmatch(r"-?\d+", v)}))


def explain_hardware(
    program, model: str, wanted: Wanted, budget: int, to_source=None, missed: str = ""
) -> ExecutionGraph | None:
    """The forbidding cycle of `wanted` under `model` (arm, tso or sc), on the best candidate;
    None when no candidate execution has that outcome at all. `to_source` restates a compiled
    test's outcome in source terms before matching; `missed`: why the run that did not reach it
    may simply have missed it, if it may have (`explanation_notes`)."""
    view = view_for(model)
    if view is None:
        raise FencelabError(f"model {model}: no axiomatic view to explain forbidden outcomes with")
    paths, _ = enumerate_paths(program, budget, seeds(wanted), register_deps=view.register_deps,
                               dead_reads=False, defer_faults=True)  # fmt: skip
    # (a drawing shows every value read; a path that faults ends with no final state to draw:
    # the run, before, refused the test if an execution it allows takes one)
    paths = [[p for p in thread if p.fault is None] for thread in paths]
    if mixed_locations(program, paths):
        raise FencelabError(f"{program.test.name}: execution graphs of mixed-size accesses are "
                            "not drawn (a byte/half-word/word access inside a location, or two "
                            "sizes at one location)")  # fmt: skip

    def candidates():
        for sk in skeletons(program, paths):
            per_loc = [per_location_choices(sk, loc, lambda x: True, every_order=True)
                       for loc in range(sk.n_locations)]  # fmt: skip
            for choice in itertools.product(*per_loc):
                outcome = outcome_of(program, sk, tuple(c.final for c in choice))
                if to_source is not None:
                    outcome = to_source(outcome)
                if matches(outcome, wanted):
                    x = Execution(sk, *combine(sk.n, choice))
                    yield (x, outcome), view.violations(x)

    found = best_candidate(candidates())
    if found is None:
        return None
    (x, outcome), violations, cut = found
    first = violations[0] if violations else None
    arch = None if to_source is not None else program.test.arch  # (source names as written)
    graph = graph_of(program, x, view, model=model, outcome=format_state(outcome, arch),
                     allowed=first is None, violation=first)  # fmt: skip
    graph.witness = "candidate execution"
    explanation_notes(graph, violations, cut, missed)
    return graph


def best_candidate(candidates):
    """Of (candidate, violations) pairs, the candidate breaking the fewest axioms, then with
    the shortest cycle for its first (the axioms come in their cat file's order); and whether
    the search stopped at MAX_CANDIDATES. None when there is no candidate at all."""
    best = None
    seen = 0
    for candidate, violations in candidates:
        seen += 1
        score = (len(violations), len(violations[0].edges) if violations else 0)
        if best is None or score < best[0]:
            best = (score, candidate, violations)
        if seen >= MAX_CANDIDATES:
            break
    if best is None:
        return None
    return best[1], best[2], seen >= MAX_CANDIDATES


def explanation_notes(graph: ExecutionGraph, violations, cut: bool, missed: str = "") -> None:
    """What the picture must also say: other axioms broken, a disagreement, a cut search.
    A candidate no axiom forbids, of an outcome the run never reached, is a disagreement of
    the two models only if the run met every execution: `missed` says why one that did not
    (stopped at a limit or by Ctrl-C, random runs, one replayed schedule) may simply not have
    come to it (`graph.api.missed_because`)."""
    if not violations and missed:
        graph.notes.append(f"no axiom forbids this candidate; {missed}")
    elif not violations:  # no axiom forbids it, yet the operational model never reached it
        graph.notes.append("no axiom forbids this candidate, yet the operational model never "
                           "reached it: the two models disagree here")  # fmt: skip
    elif len(violations) > 1:
        graph.notes.append("it also breaks " + ", ".join(v.axiom for v in violations[1:]))
    if cut:
        graph.notes.append(f"best of the first {MAX_CANDIDATES} candidate executions")
