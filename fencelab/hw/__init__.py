"""Run litmus tests on this machine's CPU, as litmus7 does, beside the model's verdict.

`fencelab hw` takes the bytes fencelab assembled for the emulator (the loaded `Program`: each
thread's code at its fixed address, each location at its own) and runs them natively many times,
then compares every final state the CPU produced with the outcome set of the host's model.

Harness design: one generic C program (`harness.c`), built once per host with the system's C
compiler and cached; each test's bytes, initial registers, locations and observables are written
to its standard input. Why:

- A compiled harness, as litmus7's, keeps the whole loop native: the barrier that releases the
  threads, the random delay, resetting the locations and recording the registers cost
  nanoseconds, so threads really overlap (millions of runs a second, SB's 0/0 in ~1-10% of
  runs). Python threads calling into executable memory through ctypes would release the GIL per
  call, but the barrier and bookkeeping between runs would be Python's: microseconds of skew,
  far wider than a test's few instructions, and far fewer weak outcomes.
- Generic rather than generated per test (litmus7 writes one C file per test): no compile per
  test (a cc run costs ~0.1-0.3 s; a test's native runs often less); the bytes stay exactly
  fencelab's, not re-assembled by gcc.
- The code is position-dependent: x86-64 tests address locations by absolute 32-bit address
  (`movl $1,0x100000`), and fault reports should name the instruction by the address the source
  map knows. So the harness maps each thread's bytes at the address fencelab assembled them for
  and the test's memory (its own mapping) at the locations' addresses (`MAP_FIXED_NOREPLACE`;
  a clash is one error line). Branches are PC-relative either way.
- The host's calling convention is one small assembly trampoline per architecture
  (`fl_call`: load every general register from an array, call the thread's bytes with a return
  instruction appended, store every register back): x86-64 (SysV) and AArch64 (AAPCS64: x30
  carries the return address, so tests keep x0-x29).
- A child process isolates faults: a signal handler reports the signal, thread and PC (mapped
  back to the test's line), a watchdog thread stops a run in which a thread loops for 2 s, and
  the parent has a time limit too; each is one error line, never a crash of fencelab.

Without a C compiler (`$CC`, `cc`, `gcc` or `clang`) `fencelab hw` refuses with one line saying
so; there is no slower fallback, since its results would mislead about what the CPU does.
Tests for another architecture than the host's are refused in one line naming both.

Modules: `native` (the harness: build, describe a Program to it, run, read back), `run` (one test:
host target, native runs, the model's verdict, `HwResult`), `report` (litmus7's histogram and the
side-by-side), `command` (the CLI's loop over tests).
"""
