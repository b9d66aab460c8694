"""The TUI, driven through Textual's pilot like a user would, and compared with SVG snapshots.

Expected states come from x86-TSO (Owens, Sarkar, Sewell): in SB both stores may sit in their
cores' store buffers while both loads read 0 from memory, so `0:rax=0 /\\ 1:rax=0` is reachable
under tso (4 outcomes) and not under sc (3 outcomes).
"""

from __future__ import annotations

import asyncio
import functools

import pytest
from textual.widgets import Select

from fencelab.errors import FencelabError
from fencelab.limits import Limits
from fencelab.litmus.parser import parse_text
from fencelab.litmus.printer import format_state
from fencelab.machine.explore import replay
from fencelab.pipeline import RunOptions
from fencelab.tui.app import FencelabApp
from fencelab.tui.config import ConfigScreen
from fencelab.tui.help import HelpScreen
from fencelab.tui.machine_screen import MachineScreen
from fencelab.tui.outcomes import OutcomesScreen
from fencelab.tui.render import core_lines, memory_lines
from fencelab.tui.session import Session
from fencelab.tui.widgets import CorePane, MemoryPane, StatusLine, TransitionList
from tests.helpers import EXAMPLES, HERD_DATA, X86_SB

SB = X86_SB

SIZE = (100, 32)


def pilot_test(fn):
    """Run an async pilot test (no asyncio plugin needed)."""

    @functools.wraps(fn)
    def run(*args, **kwargs):
        return asyncio.run(fn(*args, **kwargs))

    return run


def sb_app(**options) -> FencelabApp:
    return FencelabApp.for_test(parse_text(SB), RunOptions.named(**options))


def panes(app: FencelabApp):
    screen = app.machine_screen
    cores = {p.tid: p.text for p in screen.query(CorePane)}
    return (
        cores,
        screen.query_one(MemoryPane).text,
        screen.query_one(TransitionList).text,
        screen.query_one(StatusLine).text,
    )


async def until_explored(pilot) -> OutcomesScreen:
    """Wait until the outcomes screen shows its result (the worker may start late on a busy machine)."""
    for _ in range(3000):
        screen = pilot.app.screen
        if isinstance(screen, OutcomesScreen) and screen.result is not None:
            break
        await pilot.pause(0.01)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, OutcomesScreen) and screen.result is not None, "no outcomes in 30 s"
    return screen


def current_line(core_text: str) -> str:
    return next(line for line in core_text.splitlines() if line.startswith("▶"))


@pilot_test
async def test_step_sb_to_the_tso_outcome():
    app = sb_app()
    async with app.run_test(size=SIZE) as pilot:
        cores, memory, transitions, status = panes(app)
        assert "movl $1, x(%rip)" in current_line(cores[0])  # capstone's text, location named
        assert "movl $1,(x)" in current_line(cores[0])  # the test's own line beside it
        assert transitions.splitlines() == [
            "[0] P0: execute movl $1, x(%rip)",
            "[1] P1: execute movl $1, y(%rip)",
        ]
        assert "schedule: (start)" in status

        await pilot.press("0", "1")  # both stores go into the store buffers
        cores, memory, transitions, status = panes(app)
        assert memory.splitlines() == [
            "memory: x=0  y=0",
            "store buffers:",
            "  P0: [x=1]",
            "  P1: [y=1]",
        ]
        assert "[d0] P0: drain x=1 to memory" in transitions
        assert "movl y(%rip), %eax" in current_line(cores[0])

        await pilot.press("0", "1")  # both loads read memory, which still holds 0
        cores, memory, transitions, status = panes(app)
        assert "rax=0  rip=0x10010" in cores[0]  # rip past the 6+10 bytes of P0's two movs
        assert "rax=0  rip=0x20010" in cores[1]
        assert "finished" in cores[0] and "finished" in cores[1]
        assert transitions.splitlines() == [
            "[d0] P0: drain x=1 to memory",
            "[d1] P1: drain y=1 to memory",
        ]

        await pilot.press("enter")  # the highlighted transition: drain P0's buffer
        assert panes(app)[1].splitlines()[:4] == [
            "memory: x=1  y=0", "store buffers:", "  P0: (empty)", "  P1: [y=1]",
        ]  # fmt: skip
        await pilot.press("1")  # core 1's first enabled transition is its drain
        cores, memory, transitions, status = panes(app)
        assert memory.splitlines()[0] == "memory: x=1  y=1"
        assert transitions == ""
        assert "schedule: 0,1,0,1,d0,d1" in status
        assert "final: 0:rax=0; 1:rax=0;" in status
        assert "✓ satisfies exists (0:rax=0 /\\ 1:rax=0)" in status
        # the schedule shown replays with `fencelab run --mode replay`
        result = replay(Session(parse_text(SB)).machine, app.session.schedule)
        assert format_state(result.states[0].outcome) == "0:rax=0; 1:rax=0;"


@pilot_test
async def test_changed_registers_are_highlighted():
    app = sb_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("0", "1")  # both stores buffered
        await pilot.press("down", "down", "enter")  # the third transition: drain P0
        await pilot.press("enter")  # the highlight stays on the third row: drain P1
        await pilot.press("0")  # P0 loads y=1 from memory
        assert app.session.schedule == "0,1,d0,d1,0"
        regs = {r.name: r for r in app.session.registers(0)}
        assert regs["rax"].value == 1 and regs["rax"].changed
        assert regs["rip"].changed
        assert not any(r.changed for r in app.session.registers(1))
        line = app.machine_screen.query_one("#core0", CorePane).lines[-1]
        highlighted = {line.plain[s.start : s.end] for s in line.spans if s.style}
        assert highlighted == {"rax=1", "rip=0x10010"}


@pilot_test
async def test_step_back_and_forward():
    app = sb_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("0", "1", "0", "1")
        await pilot.press("left")
        cores, memory, _, status = panes(app)
        assert "schedule: 0,1,0 → 1" in status
        assert "movl x(%rip), %eax" in current_line(cores[1])  # P1's load is next again
        assert "finished" not in cores[1]
        await pilot.press("right")
        assert "schedule: 0,1,0,1" in panes(app)[3]
        await pilot.press("left", "left")
        assert app.session.schedule == "0,1"
        assert app.session.redo == ["1", "0"]
        await pilot.press("1")  # a different step forgets the redo queue
        assert app.session.schedule == "0,1,1"
        assert app.session.redo == []
        await pilot.press("home")
        assert app.session.schedule == "" and "schedule: (start) → 0,1,1" in panes(app)[3]
        await pilot.press("end")
        assert app.session.schedule == "0,1,1"


@pilot_test
async def test_open_at_a_witness_and_step_through_it():
    app = FencelabApp.for_test(parse_text(SB), RunOptions(), schedule="0,0,1,1,d0,d1")
    async with app.run_test(size=SIZE) as pilot:
        assert app.session.steps == 0
        assert "schedule: (start) → 0,0,1,1,d0,d1" in panes(app)[3]
        await pilot.press("right", "right")  # P0 stores then loads y=0 from memory
        assert app.session.schedule == "0,0"
        assert "rax=0  rip=0x10010" in panes(app)[0][0]
        await pilot.press("end")
        assert "final: 0:rax=0; 1:rax=0;" in panes(app)[3]



U8 = """AArch64 U8
{ uint8_t x=0; 0:X1=x; 1:X1=x; }
 P0           | P1           ;
 MOV W0,#200  | LDRB W0,[X1] ;
 STRB W0,[X1] |              ;
exists (1:X0=200 /\\ x=200)
"""


@pytest.mark.parametrize("model", ["arm", "sc"])
@pilot_test
async def test_an_unsigned_locations_values_show_in_its_type(model):
    """A uint8_t written 200 is 200 in the panes and the schedule (it was -56 under arm), and
    the schedule typed as the test writes it replays."""
    app = FencelabApp.for_test(parse_text(U8), RunOptions.named(model=model),
                               schedule="0.p1.x=200,0.w1,1.r1" if model == "arm" else "0,1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("right")
        _, memory, transitions, _ = panes(app)
        if model == "arm":
            assert "@1: location=x  value=200" in memory
            assert "promises=[x=200@1]" in memory
            assert "P0: execute strb w0, [x1] (fulfils promise x=200@1)" in transitions
        await pilot.press("end")
        cores, memory, _, status = panes(app)
        assert "final: 1:X0=200; [x]=200;" in status and "-56" not in memory + status
        if model == "sc":
            assert memory.splitlines() == ["memory: x=200"]
        await pilot.press("home", "w")  # the why screen: what core 0 may do first
        words = "may promise x=200 now" if model == "arm" else "writes x=200"
        assert words in app.screen.text and "-56" not in app.screen.text


def test_a_bad_schedule_is_refused():
    with pytest.raises(FencelabError, match="'d1' is not enabled"):
        FencelabApp.for_test(parse_text(SB), RunOptions(), schedule="0,d1")


@pilot_test
async def test_explore_lists_outcomes_and_replays_a_witness():
    app = sb_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")
        screen = await until_explored(pilot)
        assert screen.rows == [
            ["0:rax=0; 1:rax=0;", "✓ satisfies", "·", "6"],
            ["0:rax=0; 1:rax=1;", "✗ does not", "·", "6"],
            ["0:rax=1; 1:rax=0;", "✗ does not", "·", "6"],
            ["0:rax=1; 1:rax=1;", "✗ does not", "·", "6"],
        ]
        assert screen.result is not None and screen.result.verdict == "Allowed"
        await pilot.press("enter")  # replay the first outcome's witness
        assert isinstance(app.screen, MachineScreen)
        assert app.session.steps == 0 and len(app.session.redo) == 6
        await pilot.press("end")
        assert "final: 0:rax=0; 1:rax=0;" in panes(app)[3]


@pilot_test
async def test_the_outcomes_title_counts_in_agreement():
    """One thread, one outcome: `1 outcome, 3 states, 2 transitions` (it said `1 outcomes`)."""
    one = """X86_64 ONE
{ x=0; }
 P0          ;
 movl $1,(x) ;
exists (x=1)
"""
    app = FencelabApp.for_test(parse_text(one), RunOptions.named())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")
        screen = await until_explored(pilot)
        title = str(screen.query_one("#outcomes-title").render())
        assert screen.result.explored_states == 3 and screen.result.transitions == 2
        assert "\n1 outcome, 3 states, 2 transitions under tso on x86_64" in title


@pilot_test
async def test_a_not_exists_state_satisfies_when_its_proposition_is_false():
    """`~exists P` is satisfied by the states where P is false: the one where SB's loads both
    read 0 refutes it (`fencelab run` says No), the other three satisfy it."""
    not_exists = SB.replace("exists (0:rax=0", "~exists (0:rax=0")
    app = FencelabApp.for_test(parse_text(not_exists), RunOptions.named())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("0", "1", "0", "1", "enter", "enter")
        status = panes(app)[3]
        assert "final: 0:rax=0; 1:rax=0;" in status
        assert "✗ does not satisfy ~exists (0:rax=0 /\\ 1:rax=0)" in status
        await pilot.press("e")
        screen = await until_explored(pilot)
        assert [r[:2] for r in screen.rows] == [
            ["0:rax=0; 1:rax=1;", "✓ satisfies"],
            ["0:rax=1; 1:rax=0;", "✓ satisfies"],
            ["0:rax=1; 1:rax=1;", "✓ satisfies"],
            ["0:rax=0; 1:rax=0;", "✗ does not"],
        ]
        title = str(screen.query_one("#outcomes-title").content)
        assert "(~exists: 3 positive, 1 negative)" in title  # run's `Positive: 3 Negative: 1`


@pilot_test
async def test_herds_not_exists_test_is_satisfied_by_every_state():
    """herd's A025 (`~exists`, Ok): run says `Positive: 3 Negative: 0`, and so does the TUI."""
    test = parse_text((HERD_DATA / "arm" / "A025.litmus").read_text())
    app = FencelabApp.for_test(test, RunOptions.named())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")
        screen = await until_explored(pilot)
        assert len(screen.rows) == 3 and all(r[1] == "✓ satisfies" for r in screen.rows)
        title = str(screen.query_one("#outcomes-title").content)
        assert title.startswith("A025: Forbidden") and "(~exists: 3 positive, 0 negative)" in title


@pilot_test
async def test_a_forall_state_satisfies_when_its_proposition_is_true():
    forall = SB.replace("exists (0:rax=0 /\\ 1:rax=0)", "forall (0:rax=1 \\/ 1:rax=1)")
    app = FencelabApp.for_test(parse_text(forall), RunOptions.named())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("0", "1", "0", "1", "enter", "enter")
        assert "✗ does not satisfy forall (0:rax=1 \\/ 1:rax=1)" in panes(app)[3]
        await pilot.press("e")
        screen = await until_explored(pilot)
        assert [r[1] for r in screen.rows] == ["✓ satisfies"] * 3 + ["✗ does not"]
        assert screen.rows[-1][0] == "0:rax=0; 1:rax=0;"
        assert "(forall: 3 positive, 1 negative)" in str(screen.query_one("#outcomes-title").content)


@pilot_test
async def test_an_exploration_cut_at_a_limit_says_partial():
    app = FencelabApp.for_test(parse_text(SB), RunOptions(limits=Limits(max_states=3)))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")
        screen = await until_explored(pilot)
        assert screen.result.partial.startswith("state limit 3 reached")
        title = str(screen.query_one("#outcomes-title").content)
        assert ("partial: state limit 3 reached (raise with --max-states N): the outcomes found "
                "so far, not all") in title  # fmt: skip
        assert title.startswith("SB: no verdict (cut short)")


@pilot_test
async def test_an_exploration_where_no_execution_ended_gives_no_verdict():
    """Every execution hit the step budget: the model saw none end, so it says nothing of the
    condition's outcome (as `run --json`'s null verdict and its text's `Loop No`); the TUI said
    `Forbidden`."""
    app = FencelabApp.for_test(parse_text(SB), RunOptions(budget=1))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")
        screen = await until_explored(pilot)
        assert screen.rows == [] and screen.result.budget_exhausted > 0
        title = str(screen.query_one("#outcomes-title").content)
        assert title.startswith("SB: no verdict (no execution ended within the step budget)")
        assert "executions hit the step budget" in title


@pilot_test
async def test_switch_model_to_sc_and_explore():
    app = sb_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        assert isinstance(app.screen, ConfigScreen)
        assert app.screen.query_one("#scheme", Select).disabled  # an asm test: no scheme
        app.screen.query_one("#model", Select).value = "sc"
        await pilot.click("#apply")
        await pilot.pause()
        assert app.session.model == "sc"
        assert "memory (sc)" in str(app.machine_screen.query_one(MemoryPane).border_title)
        await pilot.press("0")
        assert panes(app)[1].splitlines() == ["memory: x=1  y=0"]  # no buffers under sc
        await pilot.press("e")
        await until_explored(pilot)
        rows = app.screen.rows
        assert [r[0] for r in rows] == [
            "0:rax=0; 1:rax=1;", "0:rax=1; 1:rax=0;", "0:rax=1; 1:rax=1;",
        ]  # fmt: skip
        assert all(r[1] == "✗ does not" for r in rows)
        assert app.screen.result.verdict == "Forbidden"


def scheme_choices(screen: ConfigScreen) -> list[str]:
    return [str(value) for _, value in screen.query_one("#scheme", Select)._options]


@pilot_test
async def test_configuration_offers_only_the_schemes_written_for_the_target():
    """Any scheme could be applied with any target (rcpc on x86_64), which the CLI refuses
    (`--scheme rcpc is written for armv8.3; it cannot act on --target x86_64`)."""
    test = parse_text((EXAMPLES / "rust" / "MP+rel+acq.litmus").read_text())
    app = FencelabApp.for_test(test, RunOptions.named(target="armv8.3", scheme="rcpc"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        screen = app.screen
        assert isinstance(screen, ConfigScreen)
        assert scheme_choices(screen) == ["default", "gcc", "rcpc", "tutorial"]
        assert screen.query_one("#scheme", Select).value == "rcpc"
        screen.query_one("#target", Select).value = "x86_64"
        await pilot.pause()
        assert scheme_choices(screen) == ["default", "x86-mfence", "tutorial"]
        assert screen.query_one("#scheme", Select).value == "default"  # rcpc cannot act there
        screen.query_one("#scheme", Select).value = "x86-mfence"
        screen.query_one("#target", Select).value = "armv8"
        await pilot.pause()
        assert scheme_choices(screen) == ["default", "gcc", "tutorial"]
        assert screen.query_one("#scheme", Select).value == "default"
        screen.query_one("#target", Select).value = "x86_64"
        await pilot.pause()
        screen.query_one("#scheme", Select).value = "tutorial"
        screen.query_one("#target", Select).value = "armv7"
        await pilot.pause()
        assert screen.query_one("#scheme", Select).value == "tutorial"  # written for armv7 too
        await pilot.click("#apply")
        await pilot.pause()
        assert (app.session.target, app.session.scheme) == ("armv7", "tutorial")


@pilot_test
async def test_random_run_ends_and_its_schedule_replays():
    app = sb_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("r")
        final = app.session.final_summary()
        assert final is not None
        result = replay(Session(parse_text(SB)).machine, app.session.schedule)
        assert format_state(result.states[0].outcome) == final[0]
        assert f"final: {final[0]}" in panes(app)[3]


@pilot_test
async def test_a_core_with_nothing_enabled_says_so():
    app = sb_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("7")
        assert "there is no core 7" in panes(app)[3]
        await pilot.press("0", "0", "0")  # store, load, then core 0's drain (its transition)
        assert app.session.schedule == "0,0,d0"
        await pilot.press("0")
        assert "core 0 has finished" in panes(app)[3]
        assert app.session.schedule == "0,0,d0"


# P1 reads y; only when it reads P0's y=1 does it go on to load through rbx, which holds no
# location's address (0): an instruction that faults in some executions, not at the start
LATE_FAULT = """X86_64 LateFault
{ y=0; }
 P0          | P1               ;
 movl $1,(y) | movl (y),%eax    ;
             | cmpl $1,%eax     ;
             | jne LC00         ;
             | movl (%rbx),%ecx ;
             | LC00:            ;
exists (1:rax=1)
"""
FAULT = "late.litmus:7:16: P1: movl (%rbx),%ecx: reads address 0x0, which is no location"


@pilot_test
async def test_a_step_to_an_instruction_that_faults_is_refused_at_its_line():
    """`fencelab run` stops at the fault with its line; the TUI crashed with a traceback on
    the step (or on the look-ahead after it). The step is refused, the status line says why,
    and the walk stays where it was."""
    app = FencelabApp.for_test(parse_text(LATE_FAULT, "late.litmus"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("0", "0")  # P0's store, then its drain: y=1 in memory
        assert app.session.schedule == "0,d0"
        for key in ("1", "r", "enter", "witness"):
            if key == "witness":  # a witness whose last step leads to it: refused
                app.machine_screen.replay_witness("0,d0,1")
            else:
                await pilot.press(key)
            await pilot.pause()
            assert app.session.schedule == "0,d0" and not app.session.redo, key
            status = " ".join(app.machine_screen.query_one(StatusLine).text.split())
            assert FAULT in status, key
        await pilot.press("left", "1")  # P1 reads y=0 now: it skips the load and finishes
        assert app.session.schedule == "0,1"
        assert app.session.finished(1)


def test_cli_refuses_an_instruction_that_faults_at_the_start(cli, tmp_path):
    path = tmp_path / "first.litmus"
    path.write_text("X86_64 FirstFault\n{ x=0; }\n P0 ;\n movl (%rbx),%eax ;\nexists (0:rax=1)\n")
    result = cli(["tui", str(path)])
    assert result.exit_code == 2
    assert result.output == (f"fencelab: error: {path}:4:2: P0: movl (%rbx),%eax: reads address "
                             "0x0, which is no location of the test (a register left "
                             "uninitialised?)\n")  # fmt: skip


def test_cli_refuses_a_schedule_whose_last_step_leads_to_a_fault(cli, tmp_path):
    """As `fencelab run --mode replay --schedule 0,d0,1`: its last step leads P1 to the
    load through rbx. The TUI opened at it, and → then refused the step."""
    path = tmp_path / "late.litmus"
    path.write_text(LATE_FAULT)
    result = cli(["tui", str(path), "--schedule", "0,d0,1"])
    assert result.exit_code == 2
    assert result.output.startswith(f"fencelab: error: {tmp_path / FAULT}")

@pilot_test
async def test_help_screen_names_keys_and_the_armv7_model():
    app = sb_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = " ".join(drawn(w) for w in app.screen.query("Static"))
        assert "step back" in text and "0-9" in text
        assert "ARMv7 code runs under the armv7 model (arm.cat: not multicopy-atomic)" in text
        await pilot.press("escape")
        assert isinstance(app.screen, MachineScreen)


def drawn(widget) -> str:
    """A widget's lines as drawn, at its width."""
    return "\n".join(strip.text.rstrip() for strip in
                     widget.render_lines(widget.content_region.reset_offset))  # fmt: skip


@pilot_test
async def test_the_help_wraps_a_keys_description_in_its_column_80x24():
    """At 80x24 a key's description that did not fit its row went on at the help's left
    edge, under the keys. It stays in its column (15 in: the keys, then two spaces)."""
    app = sb_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        lines = [ln for w in app.screen.query("Static") for ln in drawn(w).splitlines()]
        first = next(i for i, ln in enumerate(lines) if ln.startswith("          0-9  step core N"))
        assert lines[first + 1].startswith(" " * 15) and lines[first + 1].strip()
        assert lines[first + 2].startswith("Enter / click  take the highlighted transition")


@pilot_test
async def test_q_quits():
    app = sb_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("q")
        await pilot.pause()
        assert app.return_code == 0 and not app.is_running


@pilot_test
async def test_fits_80x24():
    app = sb_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("0", "1")
        screen = app.machine_screen
        for widget in (*screen.query(CorePane), screen.query_one(MemoryPane),
                       screen.query_one(TransitionList), screen.query_one(StatusLine)):  # fmt: skip
            r = widget.region
            assert r.height >= 1 and r.y + r.height <= 23, widget  # above the footer
            assert r.x + r.width <= 80
        # both instruction columns are readable at 38 columns a core
        assert "movl y(%rip), %eax  movl (y),%eax" in screen.query_one("#core0", CorePane).text


@pilot_test
async def test_a_long_schedule_at_80x24_keeps_the_final_outcome_in_sight():
    """A random run of the ticket lock compiled for armv7 is 20-odd steps: its schedule took
    the status line's three rows and hid the final outcome under it. The schedule now keeps
    its end after `… `."""
    from fencelab.litmus.parser import parse_file

    app = FencelabApp.for_test(parse_file(EXAMPLES / "c" / "ticketlock.litmus"),
                               RunOptions.named("armv7"))  # fmt: skip
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("r")
        await pilot.pause()
        lines = app.machine_screen.query_one(StatusLine).text.splitlines()
        assert app.session.status().value == "final" and len(app.session.schedule) > 150
        assert len(lines) == 3 and lines[0].startswith("… ") and lines[-1].startswith("final: ")
        assert lines[1].strip().endswith(app.session.schedule[-20:])




@pilot_test
async def test_a_message_longer_than_the_status_line_ends_in_an_ellipsis():
    """At 80x24 the status line has three rows: the schedule and two for a message. Why a
    Promising-ARM core cannot move at the start takes three; its last was cut off without a
    sign. It now ends in `…` in its second row (`w` gives the whole reason)."""
    from fencelab.litmus.parser import parse_file

    app = FencelabApp.for_test(parse_file(EXAMPLES / "aarch64" / "MP+dmb.sy+addr.litmus"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("1")
        await pilot.pause()
        status = app.machine_screen.query_one(StatusLine)
        lines = status.text.splitlines()
        assert app.session.schedule == ""
        assert len(lines) == StatusLine.ROWS == status.region.height
        assert lines[0] == "schedule: (start)"
        assert lines[1].startswith("core 1: ldr w0, [x1] cannot run yet: cores start executing")
        assert lines[2].endswith("…") and len(lines[2]) <= status.content_region.width


@pilot_test
async def test_the_memory_and_why_panes_scroll_where_their_lines_do_not_fit_80x24():
    """At 80x24 the why pane of SB after a step, and the memory pane of an ARM test (each
    thread's promises and views), are longer than the panes: their ends were cut off without
    a sign, and could not be scrolled to. They show a scrollbar and scroll to the last line."""
    from fencelab.litmus.parser import parse_file
    from fencelab.tui.widgets import ReasonsPane

    for app, keys, pane_type, last in (
        (sb_app(), ["0"], ReasonsPane, "cores"),
        (FencelabApp.for_test(parse_file(EXAMPLES / "aarch64" / "MP+dmb.sy+addr.litmus")), [],
         MemoryPane, "vCAP=0   vRel=0"),
    ):  # fmt: skip
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press(*keys)
            await pilot.pause()
            pane = app.machine_screen.query_one(pane_type)
            height = pane.scrollable_content_region.height
            assert pane.show_vertical_scrollbar and pane.max_scroll_y > 0, pane
            assert pane.virtual_size.height == pane.body.region.height > height
            pane.scroll_end(animate=False, immediate=True)
            await pilot.pause()
            assert pane.scroll_y == pane.max_scroll_y
            assert pane.text.splitlines()[-1].endswith(last), pane

def on_screen(app: FencelabApp, pane) -> bool:
    """Is the whole pane drawn within its container's visible region (not scrolled off)?"""
    return app.machine_screen.query_one("#cores").region.contains_region(pane.region)


@pilot_test
async def test_four_cores_at_80x24_wrap_into_rows_and_all_show():
    """IRIW's four cores need 104 columns side by side: at 80x24 only core 0 was drawn (the
    others sat off-screen to the right). They now wrap, two rows of two, each core in view."""
    from fencelab.litmus.parser import parse_file

    app = FencelabApp.for_test(parse_file(EXAMPLES / "x86_64" / "IRIW.litmus"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        cores = list(app.machine_screen.query(CorePane))
        assert [(p.region.x, p.region.width) for p in cores] == [(0, 40), (40, 40)] * 2
        assert cores[0].region.y == cores[1].region.y < cores[2].region.y == cores[3].region.y
        assert all(on_screen(app, p) for p in cores)
        assert "movl y(%rip), %eax" in cores[3].text
        await pilot.press("3")
        assert app.session.schedule == "3" and cores[3].has_class("focused")
        assert on_screen(app, cores[3]) and "rax=0  rbx=0" in cores[3].text


@pilot_test
async def test_a_core_stepped_is_scrolled_into_view_where_the_cores_do_not_fit():
    """At 40x20 IRIW's cores stand in one column, taller than the room for them: pressing 3
    steps core 3 and scrolls it into view, 0 scrolls back to core 0."""
    from fencelab.litmus.parser import parse_file

    app = FencelabApp.for_test(parse_file(EXAMPLES / "x86_64" / "IRIW.litmus"))
    async with app.run_test(size=(40, 20)) as pilot:
        await pilot.pause()
        cores = list(app.machine_screen.query(CorePane))
        assert not on_screen(app, cores[3])
        await pilot.press("3")
        await pilot.pause()
        assert app.session.schedule == "3" and on_screen(app, cores[3])
        await pilot.press("0")
        await pilot.pause()
        assert app.session.schedule == "3,0" and on_screen(app, cores[0])

def next_in_view(pane: CorePane) -> bool:
    """Is the ▶ row (the core's next instruction) within the pane's visible rows?"""
    here = next(i for i, line in enumerate(pane.lines) if line.plain.startswith("▶"))
    top = pane.scroll_offset.y
    return top <= here < top + pane.scrollable_content_region.height


@pilot_test
async def test_a_core_pane_shorter_than_its_thread_keeps_the_next_instruction_in_view():
    """The ticket lock compiled for x86_64 has 20-odd instructions a thread, in panes 12 rows
    high at 80x24: the ▶ row went below the pane's bottom, out of sight, as the core stepped
    (the pane clipped its thread and could not scroll). The pane now scrolls to keep it."""
    from fencelab.litmus.parser import parse_file

    app = FencelabApp.for_test(parse_file(EXAMPLES / "c" / "ticketlock.litmus"),
                               RunOptions.named("x86_64"))  # fmt: skip
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        pane = app.machine_screen.query_one("#core0", CorePane)
        assert len(pane.lines) > pane.scrollable_content_region.height
        for _ in range(4):  # ▶ on rows 4, 8, 12, 16 of the thread
            await pilot.press("0")
            await pilot.pause()
            assert next_in_view(pane), app.session.schedule
        assert pane.scroll_offset.y > 0  # it did have to scroll
        scrolled = pane.scroll_offset.y
        await pilot.press("home")  # back to the start: the pane scrolls back up to ▶
        await pilot.pause()
        assert pane.scroll_offset.y < scrolled and next_in_view(pane)


def test_memory_view_renders_nested_model_state():
    """The shape the ARM model describes: a message list and per-thread records of views."""
    view = {
        "phase": "promising",
        "memory": [
            {"ts": 0, "writes": "initial", "values": {"x": 0, "y": 0}},
            {"ts": 1, "location": "x", "value": 1, "thread": "P0"},
        ],
        "threads": [
            {"thread": "P0", "promises": ["x=1@1"], "coh": {"x": 1, "y": 0}, "vRel": 0,
             "exclusive": None, "fwd": {}},
            {"thread": "P1", "promises": [], "coh": {"x": 0, "y": 0}, "vRel": 0,
             "exclusive": {"location": "x", "view": {"ts": 1, "ok": True}}},
        ],
    }  # fmt: skip
    assert [line.plain for line in memory_lines(view, threads=2)] == [
        "phase: promising",
        "memory:",
        "  @0: writes=initial  values={x=0 y=0}",
        "  @1: location=x  value=1  thread=P0",
        "threads:",
        "  P0: promises=[x=1@1]  coh={x=1 y=0}  vRel=0",
        "  P1: promises=[]  coh={x=0 y=0}  vRel=0",
        "    exclusive:",
        "      location: x",
        "      view: ts=1  ok=True",
    ]


def test_memory_view_labels_per_core_lists():
    view = {"memory": {"x": 0, "y": 0}, "store buffers": [[("x", 1), ("y", 2)], []]}
    assert [line.plain for line in memory_lines(view, threads=2)] == [
        "memory: x=0  y=0", "store buffers:", "  P0: [x=1, y=2]", "  P1: (empty)",
    ]  # fmt: skip


MP_C = """C MP
{ x = 0; y = 0; }
P0(atomic_int *x, atomic_int *y) {
  atomic_store_explicit(x, 1, memory_order_relaxed);
  atomic_store_explicit(y, 1, memory_order_release);
}
P1(atomic_int *x, atomic_int *y) {
  int r0 = atomic_load_explicit(y, memory_order_acquire);
  int r1 = atomic_load_explicit(x, memory_order_relaxed);
}
exists (1:r0=1 /\\ 1:r1=0)
"""


@pilot_test
async def test_source_test_tags_rows_and_recompiles_for_another_target():
    app = FencelabApp.for_test(parse_text(MP_C), RunOptions.named(target="x86_64"))
    async with app.run_test(size=(120, 40)) as pilot:
        cores = panes(app)[0]
        # on x86-64 a release store and an acquire load are plain movs (x86-TSO orders them);
        # each group of rows is tagged with the source line it lowers
        store_y = "atomic_store_explicit(y, 1, memory_order_release);"
        assert f"movl $1, %eax       {store_y}" in cores[0]
        assert "movl %eax, y(%rip)\n" in cores[0]
        assert "movl y(%rip), %eax  int r0 = atomic_load_explicit(y, memory_order_acquire);" in cores[1]
        assert "rax(r0)=0  rbx(r1)=0" in cores[1]  # registers named by the source locals
        await pilot.press("i")
        details = [ln for ln in panes(app)[0][0].splitlines() if "↳" in ln]
        assert any("line 5: store y Release ·" in ln for ln in details), details
        await pilot.press("c")
        app.screen.query_one("#target", Select).value = "armv8"
        await pilot.click("#apply")
        await pilot.pause()
        assert app.session.target == "armv8" and app.session.model == "arm"
        cores = panes(app)[0]
        # ARMv8 (clang): release store = stlr, acquire load = ldar
        assert f"mov w2, #1     {store_y}\n  ▌stlr w2, [x1]\n" in cores[0]
        assert "ldar w0, [x2]  int r0 = atomic_load_explicit(y, memory_order_acquire);" in cores[1]



@pilot_test
async def test_op_info_wraps_under_itself_in_the_core_pane_80x24():
    """`i` adds each op's ordering and rationale under its first instruction; at 80x24 that
    line wrapped back to the pane's left edge, among the instructions. It wraps under its
    own text (six columns in), every row within the pane."""
    from fencelab.litmus.parser import parse_file

    app = FencelabApp.for_test(parse_file(EXAMPLES / "c" / "seqlock.litmus"),
                               RunOptions.named("armv8"))  # fmt: skip
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("i")
        await pilot.pause()
        pane = app.machine_screen.query_one("#core0", CorePane)
        width = pane.body.content_region.width
        # the lines the pane draws, at its width (instruction rows are cut with … instead)
        lines = [ln.plain for ln in core_lines(app.session, 0, True, width)]
        info_rows = [ln for ln in lines if ln.startswith(("    ↳ ", "      "))]
        assert len(info_rows) > 9 and all(len(ln) <= width for ln in info_rows), (width, lines)
        assert "\n    ↳ line 14: store seq\n      Relaxed · a" in "\n".join(lines)


@pilot_test
async def test_home_and_end_travel_in_time_whichever_pane_has_the_focus():
    """Home / End go to the start / the end of the redo queue; on a focused pane that scrolls
    (Tab: a core pane with `i`'s rationale at 80x24) they scrolled the pane instead."""
    from fencelab.litmus.parser import parse_file

    app = FencelabApp.for_test(parse_file(EXAMPLES / "c" / "seqlock.litmus"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("0", "0", "i")
        for pane in (*app.machine_screen.query(CorePane), app.machine_screen.query_one(MemoryPane)):
            pane.focus()
            await pilot.pause()
            assert app.focused is pane
            await pilot.press("home")
            assert app.session.schedule == "", pane
            await pilot.press("end")
            assert app.session.schedule == "0,0", pane
        assert app.machine_screen.query_one("#core0", CorePane).max_scroll_y > 0  # it scrolls


@pilot_test
async def test_the_graph_pane_keeps_its_columns_and_scrolls_sideways_80x24():
    """IRIW's graph has four thread columns, 44 wide; the graph pane at 80x24 is 24. Rich
    wrapped each row at the pane's edge, so that P2 and P3 came out under P0 and P1, and
    c, e (P2's and P3's reads) under a, b. Rows are no longer wrapped: the pane scrolls
    sideways, with a scrollbar, to the columns that do not fit."""
    from fencelab.litmus.parser import parse_file
    from fencelab.tui.graph_view import GraphPane

    app = FencelabApp.for_test(parse_file(EXAMPLES / "aarch64" / "IRIW.litmus"),
                               schedule="1.p1.y=1,0.p2.x=1,0.w2,2.r2,3.r1,3.r0,2.r0,1.w1")  # fmt: skip
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("end", "g")
        await pilot.pause()
        pane = app.machine_screen.query_one(GraphPane)
        assert pane.text.splitlines()[:2] == ["P0         P1         P2         P3         ",
                                              "a: W x=1   b: W y=1   c: R x=1   e: R y=1   "]
        assert pane.size.width < 44 <= pane.body.size.width  # the rows, each one row
        assert pane.show_horizontal_scrollbar and pane.max_scroll_x > 0

# -- command line ------------------------------------------------------------------------------


def test_cli_refuses_a_missing_file(cli, tmp_path):
    result = cli(["tui", str(tmp_path / "nope.litmus")])
    assert result.exit_code == 2
    assert "nope.litmus: no such file" in result.output


def test_cli_refuses_a_bad_schedule_before_opening(cli, tmp_path):
    path = tmp_path / "sb.litmus"
    path.write_text(SB)
    result = cli(["tui", str(path), "--schedule", "0,5"])
    assert result.exit_code == 2
    assert "'5' is not enabled; enabled: 0, 1, d0" in result.output


# -- snapshots (SVG, reviewed by eye; update with --snapshot-update) ------------------------------


async def _explored(pilot) -> None:
    await pilot.press("e")
    await until_explored(pilot)


def test_snapshot_start_80x24(snap_compare):
    assert snap_compare(sb_app(), press=["0", "1"], terminal_size=(80, 24))


def test_snapshot_final_120x40(snap_compare):
    assert snap_compare(sb_app(), press=["0", "1", "0", "1", "enter"], terminal_size=(120, 40))


def test_snapshot_outcomes_80x24(snap_compare):
    assert snap_compare(sb_app(), run_before=_explored, terminal_size=(80, 24))


def test_snapshot_help_80x24(snap_compare):
    assert snap_compare(sb_app(), press=["question_mark"], terminal_size=(80, 24))


def test_snapshot_config_80x24(snap_compare):
    assert snap_compare(sb_app(), press=["c"], terminal_size=(80, 24))



def test_compiled_outcomes_are_shown_in_source_names():

    from fencelab.litmus.parser import parse_file
    from fencelab.pipeline import RunOptions
    from fencelab.tui.session import Session

    examples = EXAMPLES
    test = parse_file(str(examples / "rust" / "MP+rel+acq.litmus"))
    session = Session(test, RunOptions.named(target="armv8"))
    while session.final_summary() is None:
        session.take(session.enabled()[0].key)
    text, _ = session.final_summary()
    assert text.startswith("1:r0=") and "X0" not in text


@pilot_test
async def test_an_outcome_with_a_location_shows_it_in_the_table():
    """(was: the table read each outcome as markup, and `[x]=1; 0:rax=0;` showed as
    `=1; 0:rax=0;`)"""
    text = SB.replace("exists (0:rax=0 /\\ 1:rax=0)", "exists ([x]=1 /\\ 0:rax=0)")
    assert text != SB
    app = FencelabApp.for_test(parse_text(text), RunOptions.named())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")
        screen = await until_explored(pilot)
        table = screen.query_one("DataTable")
        shown = "\n".join(table.render_line(y).text for y in range(1, table.row_count + 1))
        assert "0:rax=0; [x]=1;" in shown and "│ =1;" not in shown, shown


@pilot_test
async def test_a_final_state_shows_as_run_prints_it_not_in_the_conditions_order():
    """R+scs's condition names [y] before 1:r0. At the state `check --scheme tutorial` finds
    (its replay command's schedule) the status said `final: [y]=2; 1:r0=0;` and the outcomes
    table listed the states so, where `run` prints `1:r0=0; [y]=2;` (herd's order)."""
    from fencelab.litmus.parser import parse_file

    test = parse_file(str(EXAMPLES / "rust" / "R+scs.litmus"))
    app = FencelabApp.for_test(test, RunOptions.named(target="x86_64", scheme="tutorial"),
                               schedule="0,0,1,1,1,d0,0,0,d0,d1,1")  # fmt: skip
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("end")
        assert "final: 1:r0=0; [y]=2;  ✓ satisfies" in panes(app)[3], panes(app)[3]
        await pilot.press("e")
        screen = await until_explored(pilot)
        table = screen.query_one("DataTable")
        rows = [table.render_line(y).text for y in range(1, table.row_count + 1)]
        assert [row.split()[0:2] for row in rows] == [
            ["1:r0=0;", "[y]=2;"],  # (the one that satisfies the condition first)
            ["1:r0=0;", "[y]=1;"], ["1:r0=1;", "[y]=1;"], ["1:r0=1;", "[y]=2;"]], rows


@pilot_test
async def test_a_final_state_the_filter_drops_says_so():
    """herd's `filter P` drops the executions whose final state fails P: stepped to one, the
    status says it is no outcome (and satisfies nothing); the outcomes list leaves it out."""
    text = SB.replace("exists (", "filter (0:rax=1)\nexists (")
    assert text != SB
    app = FencelabApp.for_test(parse_text(text), RunOptions.named())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("0", "1", "0", "1", "enter", "enter")
        status = panes(app)[3]
        assert "final: 0:rax=0; 1:rax=0; (the filter drops it: not an outcome)" in status, status
        await pilot.press("e")
        screen = await until_explored(pilot)
        assert [r[0] for r in screen.rows] == ["0:rax=1; 1:rax=0;", "0:rax=1; 1:rax=1;"]
