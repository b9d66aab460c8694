"""ARMv7 (not multicopy-atomic), operationally: see model.py (docstring being written)."""
