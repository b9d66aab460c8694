"""How execution graphs look: one colour and line style per relation, in SVG, DOT and the TUI.

Colours follow herd7's pictures where herd has them (rf red, co blue, fr orange, po black,
dependencies purple); the deciding relations get their own (ARM's lob, x86-TSO's and ARMv7's
ppo green, ARMv7's prop olive, RC11's sw teal and psc magenta). A forbidding cycle is drawn over an amber band.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Style:
    colour: str
    dash: str = ""  # SVG stroke-dasharray ("" solid)
    width: float = 1.6
    meaning: str = ""  # the legend's words
    source_meaning: str = ""  # the legend's words in a source-model graph (RC11's names)


STYLES: dict[str, Style] = {
    "po": Style("#212121", "", 1.4, "po: program order", "sb: sequenced-before"),
    "po-weak": Style("#9e9e9e", "5,4", 1.4, "po the model does not keep in order"),
    "rf": Style("#d32f2f", "", 1.8, "rf: reads-from (rfe external, rfi internal)",
                "rf: reads-from"),
    "co": Style("#1565c0", "", 1.8, "co: coherence order", "mo: modification order"),
    "fr": Style("#ef6c00", "", 1.8, "fr: from-reads (rf⁻¹; co)", "rb: reads-before (rf⁻¹; mo)"),
    "rmw": Style("#6d4c41", "2,3", 2.2, "rmw: the read and write of one atomic update"),
    "addr": Style("#6a1b9a", "", 1.4, "addr: address dependency"),
    "data": Style("#8e24aa", "", 1.4, "data: data dependency"),
    "ctrl": Style("#ab47bc", "6,3", 1.4, "ctrl: control dependency"),
    "lob": Style("#2e7d32", "", 1.6, "lob: locally-ordered-before (part of ARM's ob)"),
    "ob": Style("#2e7d32", "8,3", 1.6, "ob: ordered-before"),
    "ppo": Style("#2e7d32", "", 1.6, "ppo and fences: what x86-TSO (ppo / mfence / implied) or "
                 "ARMv7 (arm.cat's ppo / dmb / dmb.st) keeps in order"),
    "prop": Style("#558b2f", "8,3", 1.6, "prop: ARMv7's propagation order (arm.cat)"),
    "sw": Style("#00838f", "", 1.8, "sw: synchronises-with (hb = (sb ∪ sw)⁺)"),
    "hb": Style("#00695c", "8,3", 1.6, "hb: happens-before"),
    "psc": Style("#c2185b", "4,3", 1.6, "psc: the partial SC order"),
}
CYCLE_BAND = "#ffca28"
NODE_FILL = "#fafafa"
INIT_FILL = "#eeeeee"
NODE_STROKE = "#424242"


def style_key(rel: str, weak: bool = False) -> str:
    if rel == "po" and weak:
        return "po-weak"
    return rel if rel in STYLES else "ob"


def style_of(rel: str, weak: bool = False) -> Style:
    return STYLES[style_key(rel, weak)]


def meaning(key: str, source: bool) -> str:
    s = STYLES[key]
    return (s.source_meaning or s.meaning) if source else s.meaning
