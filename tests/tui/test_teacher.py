"""The TUI as a teacher: the why pane in each model's words, keys that say why they cannot act,
the source beside the assembly, a memory pane that wraps under itself, every key on every
screen; and SVG snapshots of a compiled Rust test on armv8 (80x24 and 200x60).

The reasons come from the models (`MemoryModel.explain`); what they say follows the papers:
x86-TSO's store buffers (Owens, Sarkar, Sewell), Promising-ARM's promises and views (Pulte et
al., PLDI 2019).
"""

from __future__ import annotations

import asyncio
import functools
import random

from textual.widgets import Select

from fencelab.litmus.parser import parse_file, parse_text
from fencelab.pipeline import RunOptions, run_test
from fencelab.tui.app import FencelabApp
from fencelab.tui.config import ConfigScreen
from fencelab.tui.help import HelpScreen
from fencelab.tui.machine_screen import MachineScreen
from fencelab.tui.outcomes import OutcomesScreen
from fencelab.tui.render import core_lines, memory_lines, source_lines
from fencelab.tui.session import Session
from fencelab.tui.why import WhyScreen
from fencelab.tui.widgets import MemoryPane, ReasonsPane, SourcePane, StatusLine
from tests.helpers import EXAMPLES, X86_SB, X86_SB_MFENCES

MP_RUST = EXAMPLES / "rust" / "MP+rel+acq.litmus"
SB_MFENCES = X86_SB_MFENCES


def pilot_test(fn):
    @functools.wraps(fn)
    def run(*args, **kwargs):
        return asyncio.run(fn(*args, **kwargs))

    return run


def rust_app(target: str = "armv8") -> FencelabApp:
    return FencelabApp.for_test(parse_file(MP_RUST), RunOptions.named(target=target))


def texts(session: Session, tid: int) -> list[str]:
    return [r.text for r in session.reasons(tid)]


# -- the reasons, model by model -----------------------------------------------------------------


def test_tso_reasons_name_the_store_buffer_forwarding_and_the_mfence_wait():
    s = Session(parse_text(X86_SB), RunOptions.named())
    s.take("0")  # P0's store waits in its buffer
    reasons = texts(s, 0)
    assert reasons[0] == "store buffer holds x=1 (oldest first; other cores cannot see these yet)"
    assert any("movl y(%rip), %eax: reads y=0 — reads memory: loads may pass its buffered "
               "stores" in r for r in reasons)  # fmt: skip
    assert any(r.startswith("drain x=1 to memory") for r in reasons)
    own = Session(parse_text(X86_SB.replace("movl (y),%eax | movl (x),%eax",
                                            "movl (x),%eax | movl (x),%eax")), RunOptions.named())  # fmt: skip
    own.take("0")
    assert any("forwards x=1 from its own store buffer" in r for r in texts(own, 0))
    fenced = Session(parse_text(SB_MFENCES), RunOptions.named())
    fenced.take("0")
    blocked = [r for r in fenced.reasons(0) if r.can is False]
    assert [r.text for r in blocked] == ["MFENCE waits for the store buffer to drain: drain d0 first"]
    assert fenced.why_not(0) == "core 0: MFENCE waits for the store buffer to drain: drain d0 first"


def test_sc_reasons_say_any_core_may_step_on_one_memory():
    s = Session(parse_text(X86_SB), RunOptions.named(model="sc"))
    reasons = s.reasons(1)
    assert reasons[0].text.startswith("SC: one memory, no buffers")
    assert reasons[1].can and reasons[1].key == "1"
    assert "writes y=1 (every core sees it at once)" in reasons[1].text


def test_arm_reasons_explain_promises_views_and_what_blocks_a_core():
    s = Session(parse_file(MP_RUST), RunOptions.named(target="armv8"))
    start = s.reasons(0)
    assert start[0].can and start[0].key == "0.p1.x=1"
    assert start[0].text.startswith("may promise x=1 now (timestamp 1)")
    assert "cores start executing only once every core can run to its end" in s.why_not(1)
    for key in ("0.p1.x=1", "0.p2.y=1", "1.r2"):  # the acquire load reads y=1 (@2)
        s.take(key)
    reasons = texts(s, 1)
    assert ("to load x it needs view >= 2 because vrNew=2: an earlier barrier or acquire orders "
            "later reads after that") in reasons  # fmt: skip
    assert "ldr w1, [x3] may read x from: @1 (P0) x=1" in reasons  # the initial x is hidden
    assert any(r.startswith("has promised x=1@1, y=1@2") for r in texts(s, 0))


def test_arm_finished_thread_keeps_its_views():
    s = Session(parse_file(MP_RUST), RunOptions.named(target="armv8"))
    for key in ("0.p1.x=1", "0.p2.y=1", "0.w1", "0.w2"):
        s.take(key)
    assert s.finished(0)
    p0 = s.memory_view()["threads"][0]
    assert p0["coh"] == {"x": 1, "y": 2} and p0["vwOld"] == 2 and p0["vRel"] == 2


def test_arm_retry_loop_that_only_repeats_itself_says_so_not_just_stuck():
    """Promising-ARM with an LDXR/STXR retry loop: P1 promised x=2 and its first LDXR read the
    initial x=0, so its STXR failed; reading x=0 again leads only to the same failure, back at
    the loop head as before, an iteration the model takes once (`without_repeats`). The path
    ends there, and the reasons say why rather than only 'stuck'."""
    s = Session(parse_file(EXAMPLES / "aarch64" / "counter+ldxr-stxr.litmus"))
    for key in ("0.p1.x=1", "1.p2.x=2", "0.r0", "0.w1", "1.r0", "1.fail", "1.r0"):
        s.take(key)
    assert s.enabled() == [] and s.status().value == "stuck"
    assert s.why_not(1).startswith("core 1: its next step would bring it back to its loop's "
                                   "head exactly as its previous iteration did")  # fmt: skip
    s.back()  # one step back, reading x=1 (P0's write) lets P1 fulfil its promise
    s.take("1.r1")
    assert [t.key for t in s.enabled()] == ["1.w2"]  # succeeds, fulfilling x=2@2
    s.take("1.w2")
    assert s.status().value == "final" and s.memory_view()["memory"][-1]["value"] == 2


COUNTER_LDXR = EXAMPLES / "aarch64" / "counter+ldxr-stxr.litmus"


def test_arm_retry_loop_reads_that_lead_nowhere_are_marked_and_digit_keys_and_r_avoid_them():
    """At the state above, before P1's second LDXR: reading x=0 or x=2 leads only to dead
    ends (the repeated iteration, or a promise of x=2 it can no longer fulfil); reading P0's
    x=1 finishes. The look-ahead tells them apart, the why screen marks the two, and digit
    keys take a step after which some run finishes: core by core, never stuck (on the tree
    before, every one of these walks ended stuck)."""
    s = Session(parse_file(COUNTER_LDXR))
    for key in ("0.p1.x=1", "1.p2.x=2", "0.r0", "0.w1", "1.r0", "1.fail"):
        s.take(key)
    assert [(t.key, s.leads_nowhere(t)) for t in s.enabled()] == [
        ("1.r0", True), ("1.r1", False), ("1.r2", True)]  # fmt: skip
    assert s.dead_ends(1) == {"1.r0", "1.r2"} and not s.doomed()
    s.take_core(1)
    assert s.walk.taken[-1].key == "1.r1"
    for seed in range(10):
        s = Session(parse_file(COUNTER_LDXR))
        pick = random.Random(seed)
        while s.status().value == "running":
            tid = pick.randrange(2)
            if s.take_core(tid) is None:
                s.take_core(1 - tid)
        assert s.status().value == "final", (seed, s.schedule)
    for seed in range(10):  # `r`: 25 of 30 random runs ended stuck on the tree before
        s = Session(parse_file(COUNTER_LDXR))
        s.random = random.Random(seed)
        s.run_random()
        assert s.status().value == "final", (seed, s.schedule)


@pilot_test
async def test_a_state_every_step_of_which_leads_nowhere_says_so():
    """P1 has read x=0 twice (its second iteration repeats its first, so it is stuck for
    good); P0's write is all that is enabled, and no run after it finishes."""
    app = FencelabApp.for_test(parse_file(COUNTER_LDXR), RunOptions.named())
    async with app.run_test(size=(120, 40)) as pilot:
        for key in ("0.p1.x=1", "1.p2.x=2", "0.r0", "1.r0", "1.fail", "1.r0"):
            app.session.take(key)
        app.machine_screen.after_action()
        await pilot.pause()
        assert [t.key for t in app.session.enabled()] == ["0.w1"]
        assert "no run from here finishes" in app.machine_screen.query_one(StatusLine).text
        await pilot.press("w")
        assert "[0.w1]" in app.screen.text and "✗ dead end" in app.screen.text
        await pilot.press("escape", "r")  # a random run finds no way on: it says so, and stays
        assert app.session.schedule.endswith("1.fail,1.r0")
        assert "no random run from here finishes" in app.machine_screen.query_one(StatusLine).text


# -- keys -----------------------------------------------------------------------------------------


@pilot_test
async def test_digit_keys_say_why_a_core_cannot_move_and_w_lists_reasons():
    app = rust_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("1")
        status = app.machine_screen.query_one(StatusLine).text
        assert "core 1: ldar w0, [x2] cannot run yet" in status
        assert app.session.steps == 0
        assert app.machine_screen.query_one(ReasonsPane).text.startswith("core 1")  # focused
        await pilot.press("0")  # core 0's first enabled transition: its promise of x=1
        assert app.session.schedule == "0.p1.x=1"
        await pilot.press("w")
        assert isinstance(app.screen, WhyScreen)
        assert "✓ [0.p2.y=1] may promise y=1 now (timestamp 2)" in app.screen.text
        await pilot.press("1")  # the why screen shows another core
        assert "core 1" in str(app.screen.query_one("#why-title").render())
        await pilot.press("0", "down", "enter")  # take core 0's promise of y=1
        assert isinstance(app.screen, MachineScreen)
        assert app.session.schedule == "0.p1.x=1,0.p2.y=1"


@pilot_test
async def test_a_digit_for_no_core_on_the_why_screen_says_so():
    """On the machine screen `7` says there is no core 7; on the why screen it did nothing
    and said nothing. It says so there too, and the next core shown clears it."""
    app = rust_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("w", "7")
        assert isinstance(app.screen, WhyScreen)
        shown = [str(w.render()) for w in app.screen.query("Static")]
        assert "there is no core 7 (cores 0-1)" in shown
        assert "core 0" in str(app.screen.query_one("#why-title").render())
        await pilot.press("1")
        assert "core 1" in str(app.screen.query_one("#why-title").render())
        shown = [str(w.render()) for w in app.screen.query("Static")]
        assert "there is no core 7 (cores 0-1)" not in shown

@pilot_test
async def test_s_where_the_source_pane_has_no_room_says_so_and_shows_it_once_there_is():
    """Three cores leave the source pane no room at 80 columns. `s` there flipped the wish
    to see it off, without a word, so that widening the terminal did not bring it back;
    a second `s` then said there was no room. It says so at once, and the pane shows when
    the terminal is widened; `s` then hides it."""
    app = FencelabApp.for_test(parse_file(EXAMPLES / "c" / "WRC+rel+acq.litmus"))
    async with app.run_test(size=(80, 24)) as pilot:
        source = app.machine_screen.query_one(SourcePane)
        assert not source.display
        await pilot.press("s")
        status = app.machine_screen.query_one(StatusLine).text
        assert "no room for the source pane: widen the terminal" in status
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        assert source.display
        await pilot.press("s")
        assert not source.display

@pilot_test
async def test_keys_that_cannot_act_say_why_on_an_asm_test():
    app = FencelabApp.for_test(parse_text(X86_SB), RunOptions.named())
    async with app.run_test(size=(100, 32)) as pilot:
        for key, words in (("i", "op info is for compiled source tests (C / Rust): SB is an "
                                 "X86_64 test"),
                           ("s", "the source pane is for C / Rust tests: SB is an X86_64 test")):  # fmt: skip
            await pilot.press(key)
            assert words in app.machine_screen.query_one(StatusLine).text


@pilot_test
async def test_q_closes_and_question_mark_helps_on_every_screen():
    app = rust_app("x86_64")
    async with app.run_test(size=(120, 40)) as pilot:
        for key, screen in (("e", OutcomesScreen), ("c", ConfigScreen), ("w", WhyScreen),
                            ("question_mark", HelpScreen)):  # fmt: skip
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, screen)
            if screen is not HelpScreen:
                await pilot.press("question_mark")
                assert isinstance(app.screen, HelpScreen)
                await pilot.press("q")  # closes the help
                assert isinstance(app.screen, screen)
            await pilot.press("q")
            await pilot.pause()
            assert isinstance(app.screen, MachineScreen)
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


@pilot_test
async def test_config_offers_only_the_models_that_cover_the_target():
    app = FencelabApp.for_test(parse_text(X86_SB), RunOptions.named())
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("c")
        models = [str(v) for _, v in app.screen.query_one("#model", Select)._options]
        assert models == ["", "sc", "tso"]  # no `arm` for an x86 test
    app = rust_app("x86_64")
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("c")
        app.screen.query_one("#target", Select).value = "armv8"
        await pilot.pause()
        models = [str(v) for _, v in app.screen.query_one("#model", Select)._options]
        assert models == ["", "sc", "arm"]  # the C/Rust test now compiles for AArch64


def test_tui_refuses_a_directory_saying_so(cli):
    out = cli(["tui", str(EXAMPLES)])
    assert out.exit_code == 2
    assert "is a directory (tui takes one test file)" in out.output


# -- what the panes show -----------------------------------------------------------------------


def test_source_pane_lines_share_the_colour_of_their_instructions():
    s = Session(parse_file(MP_RUST), RunOptions.named(target="armv8"))
    source = {ln.plain.strip("▶01 ▌"): ln for ln in source_lines(s)}
    store = source["y.store(1, Release);"]
    assert source["x.store(1, Relaxed);"].plain.startswith("▶0")  # core 0 is about to run it
    bar = next(span.style for span in store.spans if store.plain[span.start] == "▌")
    rows = [ln for ln in core_lines(s, 0) if "stlr" in ln.plain or "y.store" in ln.plain]
    assert rows and all(
        any(ln.plain[sp.start] == "▌" and sp.style == bar for sp in ln.spans) for ln in rows)
    assert "y.store(1, Release);" in rows[0].plain  # the source line beside its first row


def test_memory_pane_wraps_in_aligned_columns_never_flush_left():
    s = Session(parse_file(MP_RUST), RunOptions.named(target="armv8"))
    for key in ("0.p1.x=1", "0.p2.y=1", "0.w1"):
        s.take(key)
    for width in (24, 30, 40, 60):
        lines = [ln.plain for ln in memory_lines(s.memory_view(), 2, width)]
        assert all(len(ln) <= width for ln in lines), (width, lines)
        record = next(i for i, ln in enumerate(lines) if ln.strip().startswith("P0:"))
        indent = lines[record].index("P0:") + len("P0: ")
        following = lines[record + 1]  # its record wraps under its first item
        assert following.startswith(" " * indent), (width, lines[record:record + 2])


@pilot_test
async def test_title_and_panes_fit_80x24():
    app = rust_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.machine_screen
        title = screen.query_one("#title")
        assert title.region.height == 1 and title.region.right <= 80
        memory = screen.query_one(MemoryPane)
        assert all(len(ln) <= memory.content_region.width for ln in memory.text.splitlines())


def test_final_verdict_is_in_the_tests_own_names():
    test = parse_file(EXAMPLES / "rust" / "SB+scs.litmus")
    options = RunOptions.named(target="x86_64", scheme="tutorial")
    witness = next(st.witness for st in run_test(test, options).satisfying())
    s = Session(test, options)
    s.load_schedule(witness)
    s.to_end()
    assert s.final_summary() == ("0:r0=0; 1:r0=0;", True)


# -- snapshots ------------------------------------------------------------------------------------


async def _witness(pilot) -> None:
    """Explore, replay the condition's witness, step to its end."""
    app = pilot.app
    result = run_test(app.session.test, app.session.options)
    app.session.load_schedule(result.satisfying()[0].witness)
    await pilot.press("end")
    await pilot.pause()


def test_snapshot_rust_armv8_why_and_source_80x24(snap_compare):
    assert snap_compare(rust_app(), press=["0", "0", "1"], terminal_size=(80, 24))


def test_snapshot_rust_armv8_why_and_source_200x60(snap_compare):
    assert snap_compare(rust_app(), press=["0", "0", "1"], terminal_size=(200, 60))


def test_snapshot_rust_final_verdict_after_a_witness_120x40(snap_compare):
    app = FencelabApp.for_test(parse_file(EXAMPLES / "rust" / "MP+rlx.litmus"),
                               RunOptions.named(target="armv8"))  # fmt: skip
    assert snap_compare(app, run_before=_witness, terminal_size=(120, 40))
