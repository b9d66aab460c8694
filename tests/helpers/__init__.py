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
