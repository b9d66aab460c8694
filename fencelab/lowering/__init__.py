"""The lowering table: atomic operations x orderings -> instruction-sequence templates.

`lookup(target, scheme, op, order, width, failure)` returns an `Entry` (see `template.py`);
`entries(...)` enumerates the table; `SCHEMES` names the schemes.
"""

from fencelab.lowering.schemes import DEFAULT_SCHEME, SCHEME_NAMES, SCHEMES, Scheme
from fencelab.lowering.table import combinations, entries, get_scheme, lookup
from fencelab.lowering.template import Entry, Role

__all__ = ["DEFAULT_SCHEME", "SCHEME_NAMES", "SCHEMES", "Entry", "Role", "Scheme", "combinations", "entries",
           "get_scheme", "lookup"]
