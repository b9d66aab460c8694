"""ARMv7, operationally: a non-multicopy-atomic model whose outcomes are herd's `arm.cat`'s.

The formulation, and why
------------------------
A promising-style machine (like the ARMv8 model, Pulte et al. PLDI 2019) over a storage
subsystem that is not multicopy-atomic. Cores execute in program order on Unicorn; every event
gets times on a global *timeline* of storage events, computed from per-core views; writes are
committed ahead of execution (promises), then executed. We chose it over a Sarkar-style
storage subsystem with a speculative thread subsystem (PLDI 2011) because (a) our cores run in
order, and views let an in-order core give its events the out-of-order times ARM allows; (b)
`arm.cat` is not the PLDI machine (Herding cats §7 found the two differ), whereas a timing
characterisation of `arm.cat` can be proved directly (below); (c) it reuses the promise-first
exploration and certification of the ARMv8 model.

The storage subsystem (storage.py): a timeline of `Msg` (a write is committed: from then on
any core may read it) and `Gp` (a committed write has reached every core). Coherence is a
separate per-location order: a write is inserted anywhere coherence-after the writes that had
reached every core when it was committed — so a write committed later may still be
coherence-before one a core has already read (W+RW+RW). A write reaches the cores that read it
one by one, lazily; which cores a write has reached is shown by `describe()`.

The cores (local.py): `arm.cat`'s ppo is a fixpoint of four orders (ppo.cat: ii, ic, ci, cc)
between two points of each event, `i` and `c`; each event takes the earliest times its views
allow. A read at time t takes any write of its location coherence-after its core's floor,
unless it is *stale*: a write of another core lies coherence-between it and a write that had
reached every core by t. A DMB (DSB) happens once every write of its group A (its core's
writes, and the writes its core's reads took from other cores) has reached every core, and
everything after it happens after it; DMB ST likewise for its core's writes, ordering later
writes only. Missing propagations are inserted on the timeline where the barrier needs them,
at every place where no core's executed read becomes stale.

Equivalence with arm.cat (loop-free tests)
-----------------------------------------
For ARM all fences are strong (`light = 0`), so `propbase ⊆ chapo?;strong;hb*` and
`prop = chapo?; strong; hb*`. Call a *timing* of a candidate execution an assignment of times
i(e) ≤ c(e) to memory events (c(w) a write's commit), t(F) to barriers and gp(w) to writes
with: (1) the base orders ii0 = dd|rfi|rdw (i<i), ci0 = ctrlisb|detour (c<i), cc0 =
dd|ctrl|addrpo (c<c); (2) rfe: c(w) ≤ i(r); (3) barriers: events before F are at or before
t(F), events after (writes only, for DMB ST) after it, and gp(g) ≤ t(F) for g in its group A;
(4) c(w) ≤ gp(w), and w co w' ⇒ c(w) < gp(w'); (5) no read is stale at its time i(r).

- Timing ⇒ arm.cat. thinair: ppo is exactly the order (1) forces between the visible points
  (i of reads, c of writes) — the ii/ic/ci/cc fixpoint is the closure of (1) with i ≤ c — and
  fence and rfe go forward in time, with a strict step into every write, so hb has no cycle.
  propagation: (4) lets us pick coherence points cp(w) in [c(w), gp(w)] in co order; every
  case of `chapo?` before a strong fence puts its source before t(F) (a fre source by (5), a
  coe source by cp ≤ gp ≤ t(F), ...), so co|prop follows a time order. observation: if
  r fre w prop e hb* r, w is coherence-before-or-equal to a write of the fence's group A,
  which had reached every core before t(F) ≤ i(r): r is stale, against (5).
- arm.cat ⇒ timing. The constraint graph of (1)–(5) on the points i, c, t(F), gp is acyclic
  for a consistent execution: its paths between visible points within a core are ppo edges
  (same closure), a path through t(F) is a fence edge, through gp(g) → t(F) a prop edge, and
  a stale edge i(r) → gp(g) with g in group A closes a fre;prop;hb* cycle; a cycle would be
  one of hb (thinair), co|prop (propagation) or fre;prop;hb* (observation). Topological
  sorting gives the timing.
- Machine ⇔ timing. The machine computes the least times the views allow and checks every
  upper bound (staleness at reads, and again when a propagation is inserted; a write's commit
  above its floor), so each run is a timing; conversely, commit writes in the timing's order
  (promise-first, certified against the current timeline as in Promising-ARM: everything a
  write depends on was committed before it), execute each core reading its rf, and insert
  each propagation where the timing has it. uniproc is the coherence floors (a write goes
  above its floor, an unexecuted own commit below a later read is a lost promise), not the
  commit order: arm.cat's cc0 has no po-loc ("po-loc deleted"), so a core's later write to a
  location may commit (and reach other cores) before its earlier one, which still goes
  coherence-before it — a commit made ahead waits only for the events it depends on, (1) and
  (3), never for its core's earlier writes of the location (thread.py, `_write_moves`: once it
  waited, and A32R2026-245's outcomes were missing); `atomic`
  forbids another core's write coherence-between an LDREX's write and its STREX's, scXX is
  checked on the store-exclusives' coherence and program orders.

Predicated (conditionally executed) instructions. arm.cat reads no dependency in an A32
instruction's condition (isa/insn.py `as_executed`: herd's `checkZ` reaches it by iico_ctrl,
which arm.cat's addr, data and ctrl do not follow), so (1) has no edge from the reads a
condition depends on, and the views carry none (thread.py). But whether a predicated store
happens, and the value a predicated instruction leaves in a register, do depend on those
reads, and a solo run reads only writes already committed: to commit such a store before the
write its condition reads (S with the reader's store an STREQ on the value it read), or a
store that exists only because of the value it lets another core read (LB whose stores are
STREQs of 1 made after reading 1), certification may *guess* the condition (guess.py): a solo
run may run a predicated instruction whose flags its own reads decided the other way. The
real execution never guesses, and executes every commit it made ahead or never ends, so each
run is still a timing; and the converse holds again, each commit certified by the solo run
that guesses the conditions the timing's reads decide (values are never guessed: data and
addresses keep their views). A core guesses in loops too (each time it runs the instruction)
and at a store-exclusive's condition (STREXEQ; its success stays the monitor's).

This is an argument, not a machine-checked proof; bench/armv7_crosscheck.py checks it on
generated tests (numbers in README). Beyond arm.cat: tests with loops (herd unrolls them) run
with two prunings (certify.py): a core never commits ahead a store-exclusive putting back the
value it read when, succeeding, it would retry anyway (a spin, `thread.retries_anyway`: it fails
and retries instead), and solo runs skip repeated loop iterations. Exhaustive search adds
reductions that keep every final state (model.py, `ARMv7.for_exhaustive`; `exhaustive(...,
reduce=False)` turns them off): cores execute one after another once the timeline is fixed, and
the last core still running places a DMB's propagations at the earliest places only; where no
barrier has memory accesses both before and after it, each core's executions are explored
alone and combined (apart.py); while cores commit ahead, a core's solo search runs on what it
sees of the storage and is shared by every state where that is the same (project.py; a core
with barriers is projected on the locations it reads and writes, without other cores' writes
coherence-after all of its own to a location it does not read). While cores commit ahead, a
commit right after a higher core's commit that nothing can order after it is explored only the
other way round (order.py: following each core's register dependencies, and only paths that pass
through no other commit), and a commit that
leaves a core reading no memory unable to execute its commits is not offered (model.py,
`_strands`); once no core reads any more, barriers place their propagations earliest, and so does a
barrier whose propagations' locations no other core still running may read (model.py,
`ARMv7.for_exhaustive`); a core with two or more writes before a barrier executes after the
others (`_order_of`); a core that cannot commit more is complete once it certifies
(`_complete`). For a
core without loops or barriers between accesses, a commit ahead is certified only at coherence
places a solo run that can go on to certify allows (certify.py, `explore_alone`; every place
where a store-exclusive may fulfil one after its load-exclusive read a fresh write), and its solo
search sees other cores' writes between two of its own commits in one order (project.py). Checking a
commit made ahead (certify.py, `certifies`) stops at the first certifying solo run and skips
solo states with more commits to execute than writes left in the code. Out of scope: mixed-size accesses, ARMv8-only instructions (models/armv7_scope.py).
"""
