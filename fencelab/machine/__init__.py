"""The multi-core machine: Unicorn cores + a memory model + the scheduler and its exploration."""
