"""What several test files share: where things are, and small helpers (fixtures are in
tests/conftest.py). Test files import from here, never from each other."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent
EXAMPLES = REPO / "examples"
HERD_DATA = REPO / "tests" / "data" / "herd"

# herd's store-buffering test on x86-64 (the machine's and the TUI's running example)
X86_SB = """X86_64 SB
{ x=0; y=0; }
 P0            | P1            ;
 movl $1,(x)   | movl $1,(y)   ;
 movl (y),%eax | movl (x),%eax ;
exists (0:rax=0 /\\ 1:rax=0)
"""

X86_SB_MFENCES = """X86_64 SB+mfences
{ x=0; y=0; }
 P0            | P1            ;
 movl $1,(x)   | movl $1,(y)   ;
 mfence        | mfence        ;
 movl (y),%eax | movl (x),%eax ;
exists (0:rax=0 /\\ 1:rax=0)
"""

# C/Rust examples with spin or retry loops that take minutes under the armv7 model (commits
# explored in every order and at every place in coherence; README "armv7 and aarch32"): tests
# that run every example on every target run these on armv7 under `aarch32`.
SLOW_ON_ARMV7 = frozenset({
    "dcl", "dekker+sc", "peterson+rel+acq", "peterson+sc", "spinlock+cas", "spinlock+rlx",
    "spinlock+swap", "ticketlock", "treiber", "treiber+rlx",
})  # fmt: skip


def model_for(target: str, example: Path) -> str | None:
    """The model a whole-catalogue test runs `example` under on `target` (None: the target's
    default)."""
    return "aarch32" if target == "armv7" and example.stem in SLOW_ON_ARMV7 else None


def one_error(result) -> str:
    """The one line a refused command prints (a click `Result`: stdout and stderr mixed):
    `fencelab: error: ...`, status 2, no traceback."""
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("fencelab: error: ") and "Traceback" not in result.output
    return lines[0]
