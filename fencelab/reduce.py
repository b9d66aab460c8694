"""The reductions that make exhaustive exploration cheaper, and the one switch for each.

Every reduction here keeps every final outcome (the docstring at its implementation says why);
each can be turned off, for a comparison or when one is suspected:

- environment: `FENCELAB_NO_REDUCE=certify-share,promise-merge` (or `all`);
- command line: `fencelab run|check|hunt|graph|tui|hw --no-reduce NAME` (repeatable; beside
  those the variable turns off), which sets the variable too, so worker processes inherit it;
- Python: `fencelab.reduce.disable("tso-local-first")`, `fencelab.reduce.enable_all()`.

`tests/test_reduce.py` runs the examples and generated tests with and without each one and
compares the outcome sets.
"""

from __future__ import annotations

import os

ENV = "FENCELAB_NO_REDUCE"

REDUCTIONS = {
    "reuse": "Unicorn engines, cores and decoded instructions are reused across tests "
             "(fencelab/isa/core.py, fencelab/isa/target.py; assembly is always cached, "
             "fencelab/isa/assembler.py); ARMv7: a core's moves in solo searches are "
             "remembered (models/operational/armv7/certify.py, solo_moves)",
    "finished-threads": "a thread that has finished is known only by the registers the outcome "
                        "reads (machine/machine.py, Machine.key)",
    "arm-sequential": "Promising-ARM: once memory is fixed, threads run one after another instead "
                      "of interleaved (models/operational/arm/model.py, ARM.for_exhaustive)",
    "certify-share": "Promising-ARM: a thread's certification is shared between states in which "
                     "it sees the same memory (models/operational/arm/project.py)",
    "certify-dead-reads": "Promising-ARM: certification leaves out other threads' writes to "
                          "a location the thread reads only into registers nothing reads again "
                          "(models/operational/arm/project.py)",
    "axiomatic-dead-reads": "axiomatic models (tso-axiomatic, arm-axiomatic, "
                            "arm-2019-axiomatic, armv7-axiomatic, sc-axiomatic): a read whose "
                            "value nothing later uses (no "
                            "dependency, branch or observed register) gives its thread one "
                            "path, not one per value; rf picks any write "
                            "(models/axiomatic/events.py, PathExplorer._speculate)",
    "axiomatic-coherence-po": "axiomatic models: no coherence order puts a write before an "
                              "overlapping one po-before it, and (mixed-size locations) no "
                              "read is given a write po-after it, co-after or equal to one "
                              "po-after it, or overwritten on its bytes by one po-before it: "
                              "each closes a cycle the per-location axiom (`internal`) "
                              "refuses (models/axiomatic/candidates.py, coherence_orders, "
                              "_mixed_choices)",
    "axiomatic-byte-values": "axiomatic models: where sizes mix at a location, a choice of "
                             "thread paths is dropped when a byte some read takes is neither "
                             "the initial one nor written there by a chosen path (every byte "
                             "reads from a write covering it; models/axiomatic/candidates.py, "
                             "path_combinations)",
    "certify-count": "Promising-ARM: a promise is not certified (no solo search) when its "
                     "thread, free of loops, would have more promises, in all or to the "
                     "promise's location, than write instructions that may make them "
                     "(models/operational/arm/certify.py, WriteBound)",
    "promise-merge": "Promising-ARM: promise-phase states in which every thread sees the same "
                     "memory are explored once (models/operational/arm/project.py)",
    "threads-apart": "Promising-ARM: once memory is fixed, each thread's runs are found alone and "
                     "their results combined (models/operational/arm/apart.py)",
    "armv7-dmb-earliest": "ARMv7: a DMB of the one core still running puts its propagations only "
                          "at the earliest places (models/operational/armv7/model.py, "
                          "ARMv7.for_exhaustive)",
    "armv7-quiet-earliest": "ARMv7: once no core can read memory any more, a DMB or DMB ST puts "
                            "its propagations only at the earliest places "
                            "(models/operational/armv7/model.py, ARMv7.for_exhaustive)",
    "armv7-unread-earliest": "ARMv7: a DMB puts its propagations only at the earliest places "
                             "when no other core still running may read their locations (a "
                             "DMB ST: nor its own core; models/operational/armv7/model.py, "
                             "ARMv7.for_exhaustive)",
    "armv7-room-complete": "ARMv7: a core without loops that has made as many commits ahead as "
                           "it has writes left can run to its end once it certifies (no full "
                           "solo search; models/operational/armv7/model.py, ARMv7._complete)",
    "armv7-exec-order": "ARMv7: once the timeline is fixed, in a program without loops, cores "
                        "with two or more writes before a DMB/DSB execute after the others "
                        "(models/operational/armv7/model.py, ARMv7._order_of)",
    "armv7-certify-barriers": "ARMv7: armv7-certify-share also for cores with a barrier that "
                              "inserts propagations, projected on the locations they read and "
                              "write (models/operational/armv7/project.py)",
    "armv7-certify-written": "ARMv7: with armv7-certify-barriers, a core without loops sees "
                             "no other core's write coherence-after all of its own writes to a "
                             "location it does not read (models/operational/armv7/project.py)",
    "armv7-commit-order": "ARMv7: a core's write that nothing orders after other cores' events "
                          "is not committed right after a higher core's commit: that order is "
                          "explored the other way round (models/operational/armv7/order.py)",
    "armv7-commit-deps": "ARMv7: armv7-commit-order follows each core's dependencies through "
                         "its registers instead of taking everything after a reached read as "
                         "ordered after it (models/operational/armv7/order.py)",
    "armv7-commit-direct": "ARMv7: armv7-commit-order counts only paths of G that pass through "
                           "no other commit (models/operational/armv7/order.py, "
                           "CommitOrder._direct)",
    "armv7-viable-commits": "ARMv7: a core without loops or barriers that insert "
                            "propagations is offered a commit ahead only from solo runs that "
                            "can go on to execute every commit it made ahead "
                            "(models/operational/armv7/certify.py)",
    "armv7-solo-gaps": "ARMv7: with armv7-certify-share, a core without loops or barriers that "
                       "insert propagations sees other cores' writes between two of its "
                       "commits made ahead in one order (models/operational/armv7/project.py)",
    "armv7-solo-heads": "ARMv7: a core's solo states that differ only in the loop heads "
                        "visited since its last write are searched once "
                        "(models/operational/armv7/certify.py, _without_heads)",
    "armv7-guess-branches": "ARMv7: a solo run does not guess a predicated instruction's "
                            "condition a way no flags value gives together with a conditional "
                            "branch its path took on the same compare of the same register "
                            "values (models/operational/armv7/guess.py, _walk)",
    "armv7-certify-locations": "ARMv7: a core's certification drops a solo state with more "
                               "commits made ahead to a location, or of a value to it, than "
                               "writes that could execute them left on any path of its code "
                               "(models/operational/armv7/certify.py, _short_of_writes)",
    "armv7-exec-unfulfilled": "ARMv7: an executing core's move after which it has more "
                              "commits made ahead left than writes it can still execute (a "
                              "dead end) is not taken (models/operational/armv7/model.py, "
                              "_beyond_room)",
    "armv7-dead-commits": "ARMv7: a commit ahead after which a core that reads no memory can no "
                          "longer execute what it committed is not offered (a dead end; "
                          "models/operational/armv7/model.py, ARMv7._strands)",
    "armv7-threads-apart": "ARMv7: where no DMB/DSB has memory accesses both before and after it, "
                           "once the timeline is fixed, each core's runs are explored alone and "
                           "their results combined (models/operational/armv7/apart.py)",
    "armv7-certify-share": "ARMv7: while cores commit ahead, a core's solo search is shared "
                           "between states in which it sees the same storage "
                           "(models/operational/armv7/project.py)",
    "tso-local-first": "x86-TSO: a store into the buffer or a fence on an empty buffer is taken "
                       "alone, before any other move, and told before the other cores' moves "
                       "are made (models/operational/tso.py, TSO.select and TSO.alone)",
    "step-effects": "a pure instruction's step (x86 MOV to or from memory, fences; AArch64 "
                    "plain loads, stores and barriers) is remembered by its bytes, address, the "
                    "registers it reads and the values it reads, across states and tests: "
                    "Unicorn runs it once for each "
                    "(fencelab/isa/core.py, Core._remembered)",
    "tso-persistent": "x86-TSO: from each state only a persistent set of moves is followed: "
                      "the smallest set of instructions and drains closed under the moves that "
                      "touch what they touch (models/operational/tso.py, TSO.persistent)",
    "tso-step": "x86-TSO: with tso-persistent, a state's successors (plain loads, stores, "
                "fences and drains) and their keys are made in one fused step, without "
                "transition objects (models/operational/tso.py, TSO.successors; "
                "exhaustive search only, fencelab/machine/explore.py)",
    "tso-interned": "x86-TSO: with tso-step, exhaustive search knows a state by a tuple of "
                    "numbers (each thread's state and the memory, numbered as first met) and "
                    "remembers each core's move by its thread's and memory's numbers, each "
                    "drain by the memory's, final states' outcomes by their parts' numbers "
                    "(models/operational/tso.py, Interned; fencelab/machine/explore.py)",
    "source-paths-reuse": "source models (rc11, c11, sc-source): while the value domains grow to "
                          "their fixpoint, a thread's paths are kept from one round to the next "
                          "when no location it reads has new values "
                          "(models/source/paths.py, value_domains)",
    "source-paths-tree": "source models (rc11, c11, sc-source): while the value domains grow to "
                         "their fixpoint, a thread's runs are kept as a tree of their choices "
                         "and not run again: a round runs the body only from a value new in "
                         "the domains (models/source/paths.py, thread_paths)",
    "source-other-writes": "source models (rc11, c11, sc-source): a thread's path that reads, "
                           "before writing it itself, a value that neither the initial state "
                           "nor any path of another thread writes there is in no choice of "
                           "paths (models/source/rc11.py, _feasible_combinations)",
    "source-own-coherence": "source models (rc11, c11, sc-source): with source-other-writes, a "
                            "thread's path is in no choice of paths when one of its reads could "
                            "read neither another thread's write nor, coherently with its own "
                            "thread's earlier accesses there, the initial or its own latest "
                            "write (models/source/rc11.py, _own_coherent)",
    "source-own-reads": "source models (rc11, c11, sc-source): a read of a location its own "
                        "thread wrote before it in the path takes only that thread's latest "
                        "write there (while no read since took another value) or a value "
                        "another thread's path writes there, as coherence allows; the paths "
                        "of no execution go, and their writes no longer grow the value "
                        "domains (models/source/paths.py, _own_reads)",
    "source-rmw-chains": "source models (rc11, c11, sc-source): at a location that only "
                         "read-modify-writes write, a thread's RMW reads only a value some "
                         "chain of RMWs (each reading the one before, from the initial value; "
                         "its own thread's earlier ones among them) can write before it, which "
                         "keeps the RMWs' values from growing round after round "
                         "(models/source/paths.py, _Chains)",
    "source-axioms": "source models (rc11, c11): hb closed through the events sw leaves from "
                     "only, eco as rf | mo | rb | (mo | rb); rf without a closure, coherence "
                     "looked at on same-location pairs of hb "
                     "(models/source/axioms.py, happens_before, extended_coherence, coherent)",
    "source-sb-coherence": "source models (rc11, c11): a candidate's rf and mo are built "
                           "coherent with sb, so the coherence axiom looks only at hb's pairs "
                           "beyond sb, without building eco (models/source/axioms.py, "
                           "consistent, coherent_beyond_sb)",
    "source-dead-prefix": "source models (rc11, c11, sc-source): a choice of paths for the "
                          "first threads is dropped, with every choice that completes it, when "
                          "a location no later thread accesses has no coherent (rf, mo) "
                          "(models/source/rc11.py, _Enumerator.dead_prefix)",
    "source-open-prefix": "source models (rc11, c11, sc-source): a choice of paths for the "
                          "first threads is dropped, with every choice that completes it, when "
                          "the reads chosen of a location later threads access too cannot be "
                          "sourced, whatever those threads' paths write there "
                          "(models/source/rc11.py, _Enumerator.dead_prefix)",
    "source-rf-share": "source models (rc11, c11): the candidates of one choice of thread "
                       "paths that have the same rf (they differ in mo) share no-thin-air, hb "
                       "and the coherence and psc work that does not depend on mo "
                       "(models/source/axioms.py, consistent, rf_facts; models/source/rc11.py, "
                       "judge)",
}  # fmt: skip

# Where a reduction acts beyond exhaustive exploration (`fencelab run --mode`; `--no-reduce`
# of one that cannot act in the mode given is refused, `modes`). In every mode: a replay
# steps the cores too. In random runs too: a run knows the states it steps back from by
# `Machine.key` (finished-threads), and ARMv7's runs draw from its exhaustive model
# (`ARMv7.for_random`; its threads-apart is the search's alone). Every other one acts in
# exhaustive exploration only: the models' `for_exhaustive`, the axiomatic and source models
# (which have no random or replay mode).
EVERY_MODE = frozenset({"reuse", "step-effects"})
RANDOM_TOO = EVERY_MODE | {
    "finished-threads", "armv7-dmb-earliest", "armv7-quiet-earliest", "armv7-unread-earliest",
    "armv7-room-complete", "armv7-exec-order", "armv7-certify-barriers", "armv7-certify-written",
    "armv7-commit-order", "armv7-commit-deps", "armv7-commit-direct", "armv7-viable-commits",
    "armv7-solo-gaps", "armv7-dead-commits", "armv7-certify-share", "armv7-solo-heads",
    "armv7-guess-branches",
    "armv7-exec-unfulfilled", "armv7-certify-locations",
}  # fmt: skip


# The models that consult each reduction (their names in models/registry.py; `acts_under`).
# `--no-reduce NAME` of one that no model a command runs consults is refused
# (cli/options.py, `refuse_idle_reductions`). `reuse` is consulted under every model.
_OPERATIONAL = ("sc", "tso", "arm", "aarch32", "armv7")
_AXIOMATIC = ("sc-axiomatic", "tso-axiomatic", "arm-axiomatic", "armv7-axiomatic")
_SOURCE = ("c11", "rc11", "sc-source")
MODELS: dict[str, tuple[str, ...]] = {
    "finished-threads": _OPERATIONAL,  # Machine.key (the axiomatic models have no machine)
    "axiomatic-dead-reads": _AXIOMATIC,
    "axiomatic-coherence-po": _AXIOMATIC,
    "axiomatic-byte-values": _AXIOMATIC,
    # a Core's step, on STEP_ARCHES code only (armv7, aarch32, armv7-axiomatic run ARM code)
    "step-effects": ("sc", "tso", "arm", "sc-axiomatic", "tso-axiomatic", "arm-axiomatic"),
    **{name: ("arm",) for name in ("arm-sequential", "certify-share", "certify-dead-reads",
                                   "certify-count", "promise-merge", "threads-apart")},
    **{name: ("armv7",) for name in REDUCTIONS if name.startswith("armv7-")},
    **{name: ("tso",) for name in REDUCTIONS if name.startswith("tso-")},
    **{name: _SOURCE for name in REDUCTIONS if name.startswith("source-")},
    **{name: ("c11", "rc11") for name in ("source-axioms", "source-sb-coherence",
                                          "source-rf-share")},  # (sc-source: acyclicity only)
}  # fmt: skip
STEP_ARCHES = ("X86_64", "X86", "AArch64")  # the code with pure instructions (InsnInfo.pure)


def acts_under(name: str, model: str, arch: str) -> bool:
    """Can reduction `name` act under `model` (a registry name) judging `arch` code?"""
    if name == "step-effects" and arch not in STEP_ARCHES:
        return False
    return name == "all" or name not in MODELS or model in MODELS[name]


def modes(name: str) -> tuple[str, ...]:
    """The modes of `fencelab run --mode` in which reduction `name` can act."""
    if name in EVERY_MODE:
        return ("exhaustive", "random", "replay")
    return ("exhaustive", "random") if name in RANDOM_TOO else ("exhaustive",)


def _from_env() -> frozenset[str]:
    names = {n.strip() for n in os.environ.get(ENV, "").split(",") if n.strip()}
    return frozenset(REDUCTIONS) if "all" in names else frozenset(names & set(REDUCTIONS))


_disabled: frozenset[str] = _from_env()


def enabled(name: str) -> bool:
    return name not in _disabled


def disabled() -> frozenset[str]:
    return _disabled


def check(names) -> list[str]:
    """The names as given, or a ValueError naming the unknown one and the valid ones."""
    out = []
    for name in names:
        for part in str(name).split(","):
            part = part.strip().lower()  # (in any case, as every name the CLI reads)
            if part and part != "all" and part not in REDUCTIONS:
                raise ValueError(f"unknown reduction {part!r}; valid: all, "
                                 f"{', '.join(REDUCTIONS)}")  # fmt: skip
            if part:
                out.append(part)
    return out


def set_disabled(names) -> None:
    """Exactly these reductions off (the others on), here and in processes started later."""
    global _disabled
    names = check(names)
    _disabled = frozenset(REDUCTIONS) if "all" in names else frozenset(names)
    if _disabled:
        os.environ[ENV] = ",".join(sorted(_disabled))
    else:
        os.environ.pop(ENV, None)


def disable(*names: str) -> None:
    set_disabled([*_disabled, *check(names)])


def enable_all() -> None:
    set_disabled([])


CACHE_LIMIT = 4096  # entries per cache of reused work; a full cache starts again empty


def reused(cache: dict, key, compute):
    """`compute()`, remembered in `cache` under `key` while the `reuse` reduction is on
    (decoding: a pure function of its key). Errors are not remembered."""
    if "reuse" in _disabled:
        return compute()
    found = cache.get(key)
    if found is None:
        if len(cache) >= CACHE_LIMIT:
            cache.clear()
        found = cache[key] = compute()
    return found
