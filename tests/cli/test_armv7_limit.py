"""`--max-states` bounds armv7's certification too: the states of the cores' solo runs
(certify.py), where most of the time of armv7's lock tests goes, count toward the limit, and a
check whose certification passes it ends partial (the limit's words, exit 3) instead of
running on for many minutes (treiber+rlx ran ~300 s, then failed with `P0 alone has more than
200000 states to certify its commits`; spinlock+rlx ran past 720 s)."""

from __future__ import annotations

import json
import re

from tests.helpers import EXAMPLES


def test_a_check_whose_certification_passes_the_limit_ends_partial(cli):
    result = cli(["check", str(EXAMPLES / "c" / "treiber+rlx.litmus"), "-t", "armv7",
                  "--max-states", "2000"])  # fmt: skip
    assert result.exit_code == 3, result.output
    line = result.output.splitlines()[1]
    assert line.split()[:3] == ["partial", "treiber+rlx", "armv7"]
    assert re.search(r"partial: state limit 2,000 reached, [\d,]+ of them in the cores' solo runs "
                     r"\(raise with --max-states N\)$", line)


def test_the_solo_runs_states_count_toward_the_limit(cli):
    # counter compiled to armv7: 37 machine states (those of the threads run apart included)
    # and 434 states of solo runs certifying the cores' commits made ahead; before, a limit
    # of 200 let the check end sound (exit 0) as if it had cost 37 states
    cut = cli(["check", str(EXAMPLES / "c" / "counter.litmus"), "-t", "armv7",
               "--max-states", "200"])  # fmt: skip
    assert cut.exit_code == 3, cut.output
    assert "partial: state limit 200 reached, 191 of them in the cores' solo runs (raise with " \
        "--max-states N)" in cut.output
    whole = cli(["check", str(EXAMPLES / "c" / "counter.litmus"), "-t", "armv7"])
    assert whole.exit_code == 0 and whole.output.splitlines()[1].startswith("sound")
    # the same program in herd's ARM: `# Explored` stays the machine's states, the limit
    # counts both (471: a search whose last step passes it is whole, as README says)
    path = str(EXAMPLES / "arm" / "counter+ldrex-strex.litmus")
    full = json.loads(cli(["run", path, "--json"]).output)
    assert (full["partial"], full["explored_states"], full["result"]) == (None, 37, "Ok")
    cut = json.loads(cli(["run", path, "--json", "--max-states", "400"]).output)
    assert cut["partial"] == ("state limit 400 reached, 374 of them in the cores' solo runs (raise "
                            "with --max-states N)")  # (`# Explored` 27: the rest)
    assert cut["explored_states"] < 37
    enough = json.loads(cli(["run", path, "--json", "--max-states", "500"]).output)
    assert enough | {"seconds": 0} == full | {"seconds": 0}


def test_a_random_run_the_certification_passes_the_limit_in_is_counted_not_dropped(cli):
    """In random mode the solo runs' states pass the limit amid a run: that run was dropped
    whole, its transitions too, and counter's first run cut so said `# Ran 0 runs, 0
    transitions` (spinlock+rlx compiled for armv7 the same, at --max-states 20000, after 200
    transitions). The run cut short is said and its transitions counted; `runs` stays the runs
    that ended, each in an outcome, the budget, stuck or the filter."""
    args = ["run", str(EXAMPLES / "arm" / "counter+ldrex-strex.litmus"), "--mode", "random",
            "--runs", "50", "-j", "1"]  # fmt: skip
    cut = json.loads(cli([*args, "--json", "--max-states", "50"]).output)
    assert cut["partial"] == ("state limit 50 reached, 50 of them in the cores' solo runs (raise "
                            "with --max-states N)")
    assert (cut["runs"], cut["transitions"], cut["states"]) == (0, 1, [])
    assert (cut["cut_short"], cut["result"], cut["verdict"]) == (1, "Loop Ok", None)
    text = cli([*args, "--max-states", "50"]).output
    assert "# Ran 0 runs (and 1 cut short by the limit), 1 transition\n" in text
    # four runs end within 400, the fifth is cut: the same four runs as `--runs 4`, and the
    # fifth's transitions counted on top of theirs
    later = json.loads(cli([*args, "--json", "--max-states", "400"]).output)
    four = json.loads(cli([*args[:-4], "--runs", "4", "-j", "1", "--json"]).output)
    assert (later["runs"], later["cut_short"], four["cut_short"]) == (4, 1, 0)
    assert later["states"] == four["states"] and four["partial"] is None
    assert later["transitions"] > four["transitions"]
    whole = json.loads(cli([*args, "--json"]).output)  # (no limit reached: nothing cut)
    assert (whole["runs"], whole["cut_short"], whole["partial"]) == (50, 0, None)
