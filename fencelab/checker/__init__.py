"""The mapping checker: is a lowering scheme sound against the source model? (`check`, `hunt`)."""

from fencelab.checker.core import (
    DEFAULT_SOURCE_MODEL,
    THIN_AIR_NOTE,
    Check,
    Checker,
    Extra,
)

__all__ = ["DEFAULT_SOURCE_MODEL", "THIN_AIR_NOTE", "Check", "Checker", "Extra"]
