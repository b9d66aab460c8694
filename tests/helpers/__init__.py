"""What several test files share: where things are, and small helpers (fixtures are in
tests/conftest.py). Test files import from here, never from each other."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent
EXAMPLES = REPO / "examples"
HERD_DATA = REPO / "tests" / "data" / "herd"
