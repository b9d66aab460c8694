"""Results of running a litmus test: its final states and the condition's verdict.

Every engine — the operational machine under sc / tso / arm, and the axiomatic source models —
reports a `TestResult`, so the CLI, the checker and the TUI read one form. What the condition
means lives in `fencelab.litmus.conditions`; herd7's text form in `fencelab.report.herd`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from operator import itemgetter

from fencelab.litmus.ast import Condition, LitmusTest
from fencelab.litmus.conditions import Outcome, filter_of, holds
from fencelab.litmus.printer import format_states

INTERRUPTED = "interrupted"  # TestResult.partial when the user pressed Ctrl-C
UNDEF = "*undef*"  # herd's flag of undefined behaviour (`undefined_unless`): `Flag *undef*`


@dataclass(frozen=True)
class FinalState:
    outcome: Outcome
    witness: str = ""  # a schedule that replays to this state ; axiomatic engines: rf and mo
    count: int = 1  # random mode: how many runs ended here


def filtered(test: LitmusTest, states) -> tuple[list[FinalState], int]:
    """The final states of a hardware model's run of `test` (outcomes of the observables
    `Program.observables` lists: the filter's own last), as herd keeps them: those its
    `filter P` drops left out, the others without the filter's own observables (states that
    become one: the first witness, the counts added); and the runs (`count`) dropped."""
    keep = filter_of(test)
    if keep is None:
        return list(states), 0
    out: dict[Outcome, FinalState] = {}
    dropped = 0
    for s in states:
        shown = keep(s.outcome)
        if shown is None:
            dropped += s.count
        elif shown in out:
            out[shown] = FinalState(shown, out[shown].witness, out[shown].count + s.count)
        else:
            out[shown] = FinalState(shown, s.witness, s.count)
    return list(out.values()), dropped


@dataclass
class TestResult:
    """The verdict on one test under one engine."""

    test: LitmusTest
    engine: str  # "tso", "arm", "sc", "c11", "rc11"
    target: str = ""  # the ISA the test ran on ("" for source models)
    scheme: str = ""
    mode: str = "exhaustive"
    states: list[FinalState] = field(default_factory=list)
    explored_states: int = 0
    transitions: int = 0
    budget_exhausted: int = 0  # executions that hit the step budget (not in `states`)
    # source models: of those, the executions a bound cut (the step budget, a loop's unrolling),
    # which may go on to end in outcomes not in `states`; the others only spun (a spin's
    # repetitions add no behaviour: models/source/paths.py), so they hide no outcome
    cut_unexplored: int = 0
    cut_by: tuple[str, ...] = ()  # the bounds that cut those: "budget", "unroll" (paths.BOUNDS)
    runs: int = 0  # random mode
    stuck: int = 0  # random mode: runs that ended where the model could not go on (not in `states`)
    filtered: int = 0  # random mode: runs whose final state the test's `filter` drops (not in `states`)
    # random mode: runs stopped before they ended (0 or 1: the run in progress when a search
    # of the model's own passed a limit, or at Ctrl-C), their transitions in `transitions`,
    # not in `runs`
    cut_short: int = 0
    seconds: float = 0.0
    partial: str = ""  # "" = complete; else why the result was cut short (INTERRUPTED, a limit)
    flags: tuple[str, ...] = ()  # herd's flags, in herd's order: UNDEF when an execution races
    race: str = ""  # one data race the model found: the two accesses and their execution
    # exhaustive mode run as this many parts apart (`run --split`) whose counts are added: what
    # two parts both reach is counted in each; 0: one search (or parts merged as one search)
    parts: int = 0
    # what the run met that its model may judge otherwise than the cat file it follows (a
    # known difference, one line each: `MemoryModel.cautions`)
    cautions: tuple[str, ...] = ()
    # herd's counts (the axiomatic models): the candidate executions the model allows whose
    # final state satisfies the condition's proposition, and those whose does not; None: the
    # engine counts final states (runs in random mode) instead
    executions: tuple[int, int] | None = None

    @property
    def undefined(self) -> bool:
        """herd's `Undef` (instead of Ok / No): some execution the model allows has a data
        race, so the program's behaviour is undefined (the rc11 and c11 source models)."""
        return UNDEF in self.flags

    @property
    def result_word(self) -> str:
        """herd's line after the states: `Undef`, else `Ok` or `No`."""
        return "Undef" if self.undefined else "Ok" if self.ok else "No"

    @property
    def loop(self) -> bool:
        """herd's `Loop` before the result word: not every execution ended (some hit our step
        budget, herd's loop unrolling) or the search stopped early (`partial`)."""
        return bool(self.budget_exhausted or self.partial)

    @property
    def result_line(self) -> str:
        """herd's whole line after the states, as its text and its JSON (`-output-format
        json`'s `verdict`) both give it: `Ok`, `No`, `Undef`, after `Loop ` when `loop`. One
        line for every output that gives the result, so that none says a plain `No` where the
        text says `Loop No` (`run --json` did)."""
        return ("Loop " if self.loop else "") + self.result_word

    @property
    def judged(self) -> bool:
        """Does the model say anything of the condition's outcome? Not when the search stopped
        early (`partial`), nor when no execution ended, every one cut by the step budget:
        `Forbidden` or `Required` said of no execution was vacuous (as `check` gives no verdict
        on a side whose every execution hit the budget)."""
        return not self.partial and not self.none_ended

    @property
    def none_ended(self) -> bool:
        """Every execution was cut (the step budget, a spin, a loop's bound): none ended in a
        final state, so the model was seen to allow no outcome."""
        return bool(self.budget_exhausted) and not self.states

    @property
    def interrupted(self) -> bool:
        return self.partial == INTERRUPTED

    @property
    def condition(self) -> Condition:
        return self.test.condition

    def satisfying(self) -> list[FinalState]:
        """The final states whose outcome makes the proposition true, found once for the
        states and condition the result holds (printing a result asks a dozen times: herd's
        text, the summary row; with 1,000 final states that took longer than the exploration)."""
        prop, states = self.condition.prop, self.states
        memo = self.__dict__.get("_satisfying")
        if memo is None or memo[0] is not states or memo[1] != len(states) or memo[2] is not prop:
            memo = (states, len(states), prop, [s for s in states if holds(prop, s.outcome)])
            self.__dict__["_satisfying"] = memo
        return list(memo[3])

    def __getstate__(self) -> dict:
        """A result pickled (to the process that prints) without what `satisfying` found."""
        state = dict(self.__dict__)
        state.pop("_satisfying", None)
        return state

    @property
    def positive(self) -> int:
        """herd's pos: how many allowed executions (`executions`: the axiomatic models, as
        herd), else final states (runs in random mode) make the proposition true."""
        if self.executions is not None:
            return self.executions[0]
        if self.mode == "random":
            return sum(s.count for s in self.satisfying())
        return len(self.satisfying())

    @property
    def negative(self) -> int:
        """herd's neg: how many make it false (counted as `positive`)."""
        if self.executions is not None:
            return self.executions[1]
        total = sum(s.count for s in self.states) if self.mode == "random" else len(self.states)
        return total - self.positive

    @property
    def witnesses(self) -> tuple[int, int]:
        """herd's `Positive: p Negative: n` line (`check_wit`): the executions (or states)
        that make the proposition true and false, the other way round under `~exists`,
        where the witnesses are those that do not. The `Observation` line and the JSON
        record give `positive`, `negative` unswapped."""
        if self.condition.quantifier == "~exists":
            return self.negative, self.positive
        return self.positive, self.negative

    @property
    def ok(self) -> bool:
        """herd's Ok/No: does the condition hold of this test's outcome set?"""
        q = self.condition.quantifier
        if q == "exists":
            return self.positive > 0
        if q == "~exists":
            return self.positive == 0
        return self.negative == 0  # forall

    @property
    def observation(self) -> str:
        """herd's Always / Sometimes / Never for the proposition."""
        if self.positive == 0:
            return "Never"
        if self.negative == 0:
            return "Always"
        return "Sometimes"

    @property
    def verdict(self) -> str:
        """herd's first-line word: Allowed / Forbidden (exists, ~exists) or Required (forall)."""
        q = self.condition.quantifier
        if q == "forall":
            return "Required" if self.ok else "No"
        if q == "exists":
            return "Allowed" if self.ok else "Forbidden"
        return "Forbidden" if self.ok else "Allowed"

    @property
    def kind(self) -> str:
        """What herd7 prints on its first line: the test's kind, from its quantifier alone
        (herd's `dump_as_kind`: exists Allowed, ~exists Forbidden, forall Required); the
        result is the Ok / No line."""
        return {"forall": "Required", "exists": "Allowed"}.get(
            self.condition.quantifier, "Forbidden"
        )

    def outcome_set(self) -> frozenset[Outcome]:
        return frozenset(s.outcome for s in self.states)


def herd_states(result: TestResult) -> list[tuple[str, FinalState]]:
    """The result's final states in the order herd's `States` block lists them (by their
    lines, `format_state`), each with its line: the order of every output that lists them
    (the text, `run --json`, `run --graph`'s pictures)."""
    lines = format_states([s.outcome for s in result.states], result.test.arch)
    return sorted(zip(lines, result.states), key=itemgetter(0))
