"""fencelab: run memory-ordering litmus tests on real instruction bytes."""

__version__ = "0.1.0"
