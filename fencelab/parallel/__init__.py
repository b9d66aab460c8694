"""Many tests at once: worker processes on this machine (`-j N`), or a Dask cluster (`--cluster`).

A `Runner` applies a task (a module-level function of fencelab/parallel/tasks.py) to each of a
list of argument tuples and yields the results in the order of the list, each as soon as it and
every one before it are done: output streams, in input order, while the workers run ahead.

- `jobs=1`: in this process, one after another (what fencelab always did);
- `jobs=N`: N worker processes, started once per runner and reused for every task (forked on
  Linux, so they start with everything this process imported and built);
- `cluster="tcp://host:port"`: a Dask distributed scheduler (`pip install 'fencelab[cluster]'`);
  its workers need fencelab installed. Results are the same as a local run's.

Each task carries the reductions turned off here (fencelab/reduce.py), so remote workers run
exactly what this process would.

Ctrl-C: only this process decides. Local workers ignore SIGINT (a terminal sends it to the whole
process group); when this process is interrupted while it waits for a result, it asks the workers
to stop their tasks (SIGUSR1, a KeyboardInterrupt in the task, which exploration turns into a
partial result), yields the result it was waiting for (partial, or `Stopped()` when the task
stopped outside exploration), and then raises KeyboardInterrupt: a command sees what it
would have seen running the tests itself, in the same order. A cluster's tasks are cancelled,
and those running stop at their next step (`_remote_call`), as they do when this process ends.

A cluster that loses every worker (none for `CLUSTER_TIMEOUT` seconds) does not hold this
process forever: each task it did not finish gives `Lost`, in its turn. A cluster's task that
ends without its result (an error on its worker; cancelled by Dask: its workers kept dying, or
its scheduler cancelled it) gives `Failed`, in its turn. A cluster whose scheduler or workers
run other code than this process (another fencelab, another Python) is refused before any task
(`_same_code`); a worker that joins later is asked again by each task it is given, which it
refuses if it runs other code (`_remote_call`): that test gives `Failed`, naming the worker, in
its turn, never another fencelab's result.
"""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from fencelab import interrupts, reduce
from fencelab.errors import FencelabError
from fencelab.isa import assembler
from fencelab.report.words import plural


def default_jobs() -> int:
    """Every core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def check_jobs(jobs: int | None) -> int:
    if jobs is None:
        return default_jobs()
    if jobs < 1:
        raise FencelabError(f"-j {jobs}: the number of worker processes must be at least 1")
    return jobs


@dataclass(frozen=True)
class Stopped:
    """What a task stopped by Ctrl-C returns when it had no result to give (it was stopped
    outside exploration, which keeps what it found as a partial result)."""


@dataclass(frozen=True)
class Lost:
    """What a cluster's task gives when the cluster lost its workers before it was done: the
    line to report (after the test's name)."""

    message: str


@dataclass(frozen=True)
class Failed:
    """What a cluster's task gives when it ended without its result (an error on its worker, or
    Dask cancelled it): the line to report (after the test's name)."""

    message: str


_STOP = signal.SIGUSR1  # the parent's request to a local worker: stop the task running
_running = False  # is this worker running a task? (a stop request between tasks is dropped)
_stopped = None  # a local worker's: the parent's Event, set once it stopped the workers


def _worker_started(assembles: bool, stopped, parent: int) -> None:
    global _stopped
    _stopped = stopped
    # die with the parent (Linux), as its keystone process does: a parent killed (kill PID)
    # left its workers running their tests on to the end, minutes
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # (it died before that)
        os._exit(1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(_STOP, _stop_task)
    if assembles:  # its own keystone process, forked by this process's (isa/assembler.py)
        assembler.start()


def _stop_task(_signum, frame) -> None:
    if _running:
        interrupts.interrupt(frame)


def _call(task: Callable, args: tuple, disabled: frozenset[str]):
    """Run one task under the caller's reductions (in a worker, local or remote)."""
    global _running
    if _stopped is not None and _stopped.is_set():  # (queued before the workers were stopped)
        return Stopped()
    if reduce.disabled() != disabled:
        reduce.set_disabled(sorted(disabled))
    interrupts.clear()
    _running = True
    try:
        return task(*args)
    except KeyboardInterrupt:
        return Stopped()
    finally:
        _running = False


STOP_POLL = 0.5  # seconds: how often a cluster's task asks whether it is still wanted


@dataclass(frozen=True)
class _OtherCode:
    """What a cluster's task gives, unrun, on a worker that runs other code than the process
    that submitted it (`_remote_call`): why, in `_other_code`'s words."""

    why: str


def _remote_call(task: Callable, args: tuple, disabled: frozenset[str],
                 code: tuple[str, str, str]):  # fmt: skip
    """`_call` on a cluster's worker if it runs the submitting process's `code` (its
    `code_id`; `_OtherCode` if not: the cluster was checked before any task, `_same_code`, but
    a worker may join it after that), stopped at its next step (`interrupts.stop_thread`; as a
    local worker's by Ctrl-C) once it is no longer wanted: its client cancelled it (Ctrl-C) or
    went away (ended, however), and the scheduler released it. Dask cannot stop the thread
    running a task; it marks the task cancelled on its worker, which this thread watches (a
    test ran on there for minutes, for nobody)."""
    from distributed import get_worker
    from distributed.worker import thread_state

    worker, key, ident = get_worker(), thread_state.key, threading.get_ident()
    if code_id() != tuple(code):
        return _OtherCode(_other_code(f"worker {worker.address}", code_id(), tuple(code)))
    done = threading.Event()

    def watch() -> None:
        while not done.wait(STOP_POLL):
            state = worker.state.tasks.get(key)
            if state is None or state.state == "cancelled":
                interrupts.stop_thread(ident)
                return

    watcher = threading.Thread(target=watch, name="fencelab-stop", daemon=True)
    watcher.start()
    try:
        return _call(task, args, disabled)
    finally:
        done.set()
        watcher.join()
        interrupts.forget_thread(ident)


class Runner:
    """Runs tasks in this process, in local worker processes, or on a Dask cluster, with the
    reductions `off` turned off (beside those already off). Use as a context manager: the
    reductions are turned off and workers start on entry (before any progress display starts a
    thread); workers stop and the reductions are restored on exit."""

    def __init__(self, jobs: int = 1, cluster: str | None = None, off: tuple[str, ...] = ()):
        if cluster is not None and jobs != 1:
            raise FencelabError(f"-j {jobs} and --cluster: the cluster decides how many workers "
                                "run; give one of them")  # fmt: skip
        self.jobs = jobs
        self.cluster = cluster
        self.off = tuple(reduce.check(off))
        self._before: frozenset[str] = frozenset()
        self._pool = None
        self._stopped = None  # (local workers: set when they are stopped; they start no task)
        self._client = None

    def at_most(self, tasks: int) -> Runner:
        """This runner for a command that has at most `tasks` tasks: no more local workers than
        tasks, and none for one (it runs here: forking workers that get nothing to do cost a
        one-test run about 30 ms of its 200). A cluster's is unchanged."""
        if self.cluster is not None or tasks >= self.jobs:
            return self
        return Runner(max(tasks, 1), None, self.off)

    @property
    def local(self) -> bool:
        """Do tasks run here, one after another?"""
        return self.cluster is None and self.jobs == 1

    def __enter__(self) -> Runner:
        self._before = reduce.disabled()
        if self.off:
            reduce.disable(*self.off)
        if self.cluster is not None:
            self._client = _dask_client(self.cluster)
        elif self.jobs > 1:  # (imported here: -j 1 starts no process)
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            context = multiprocessing.get_context("fork" if sys.platform == "linux" else None)
            self._stopped = context.Event()
            self._pool = ProcessPoolExecutor(self.jobs, mp_context=context,
                                             initializer=_worker_started,
                                             initargs=(assembler.running(), self._stopped,
                                                       os.getpid()))
            # start every worker now (a fork pool starts them all at its first task)
            self._pool.submit(int).result()
        return self

    def __exit__(self, *exc) -> None:
        if self._pool is not None:
            if exc[0] is not None:  # stop what still runs (Ctrl-C, an error): do not wait for it
                _stop_workers(self._pool, self._stopped)
            self._pool.shutdown(wait=True, cancel_futures=True)
        if self._client is not None:
            self._client.close()
        reduce.set_disabled(sorted(self._before))

    def map(self, task: Callable, calls: Iterable[tuple], cost: Sequence[float] | None = None,
            early: Early | None = None, **local_kwargs) -> Iterator:  # fmt: skip
        """`task(*args)` for each `args` in `calls`, yielded in order. `cost` (an estimate for
        each call, fencelab/parallel/cost.py) is the order in which workers start them, the
        costliest first, so that a long task does not start last and run alone while the other
        workers idle, then the small ones several to a task in input order (`chunks`); it
        changes no result and not the order they are yielded in. Without
        `cost`, local workers are handed each call as it is drawn from `calls`, so a caller that
        makes them as it goes (`tasks.check_all` compiles each test) has the workers start on
        the first while it makes the next. `early` (local workers only): while this process
        waits for a result, the results of those calls are handed over as soon as they are in
        (`Early`). `local_kwargs` are passed only when running here (a progress callback, which
        cannot cross processes)."""
        if self.local:
            return (task(*args, **local_kwargs) for args in calls)
        disabled = reduce.disabled()
        if cost is None and self._client is None:
            return _pool_map(self._pool, self._stopped, task, calls, disabled, None, early)
        calls = list(calls)
        if len(calls) <= 1 and self.cluster is None:
            return (task(*args, **local_kwargs) for args in calls)
        order = costliest_first(cost) if cost is not None else range(len(calls))
        if self._client is not None:
            return _dask_map(self._client, self.cluster, task, calls, disabled, order)
        groups = (chunks(order, cost, self.jobs, early.indices if early is not None else ())
                  if cost is not None else [[i] for i in order])  # fmt: skip
        return _pool_map(self._pool, self._stopped, task, calls, disabled, groups, early)


@dataclass(frozen=True)
class Early:
    """Calls whose results a caller takes (`take(index, result)`, in this process, in the
    order they come in) while it waits for an earlier result: it combines a split test's parts
    as soon as they are in, while the workers run the other tests, instead of when the test's
    turn to be printed comes, which is often after the workers are done (serial). A result
    that is an exception is not handed over (the caller meets it in its turn), nor is any
    result once the caller stops waiting (Ctrl-C)."""

    indices: Sequence[int]
    take: Callable[[int, object], None]


def costliest_first(cost: Sequence[float]) -> list[int]:
    """The indices of `cost`, the largest first (ties in input order)."""
    return sorted(range(len(cost)), key=lambda i: -cost[i])


SMALL = 1e4  # a call guessed to cost less (cost.py's units: a test of a few ms) may share a task
CHUNK_MAX = 4  # calls in one task at most
CHUNK_SHARE = 2  # a task takes at most 1/(CHUNK_SHARE * workers) of the small calls left


def chunks(order: Sequence[int], cost: Sequence[float], jobs: int,
           alone: Iterable[int] = ()) -> list[list[int]]:  # fmt: skip
    """The calls of `order` (costliest first) grouped into the tasks local workers are handed.
    Each task costs a round trip through the pool (the call pickled and queued, its result
    read back, a future woken: about 0.4 ms of CPU, shared by this process and a worker),
    which a small test (a catalogue's most, 1-4 ms) pays again and again: so the small calls
    go several to a task, each task at most CHUNK_MAX of them and a share of the small calls
    left, so that the last tasks, which no other task can balance, hold one call each (guided
    self-scheduling). The calls not small, and those of no guess (0: a test read here, whose
    text is not guessed), are a task each, in `order`; the small ones come after them in input
    order: results are printed in that order, so they are printed as the small tests run,
    instead of once the cheapest, often among the first, has run last (a catalogue of 2,100
    tests stopped by Ctrl-C after 4 s had printed none). A small call in `alone` (its result is
    handed over early) is a task of its own, at its place among them."""
    alone = set(alone)
    groups = [[i] for i in order if not 0 < cost[i] < SMALL]
    small = sorted(i for i in order if 0 < cost[i] < SMALL)
    at = 0
    while at < len(small):
        size = 1 if small[at] in alone else min(CHUNK_MAX,
                                                (len(small) - at) // (CHUNK_SHARE * jobs))
        group = [small[at]]
        at += 1
        while len(group) < size and at < len(small) and small[at] not in alone:
            group.append(small[at])
            at += 1
        groups.append(group)
    return groups


def _pool_map(pool, stopped, task, calls: Iterable[tuple], disabled,
              groups: list[list[int]] | None, early: Early | None = None) -> Iterator:  # fmt: skip
    """Submit every task at once, in the order of `groups` (the calls of each task, `chunks`:
    a long one never holds the other workers back; None: a task for each call as it is drawn
    from `calls`), yield the results in the order of `calls`; hand `early`'s over as they come
    in. Ctrl-C while waiting: the tasks not started are cancelled, those running are stopped,
    the one awaited is yielded (cut short; `Stopped()` if it had not started), then
    KeyboardInterrupt; while the calls are drawn: the same, nothing yielded."""
    from concurrent.futures import FIRST_COMPLETED, wait  # (imported by the pool already)

    futures: list = []  # each call's task: a future, and where its result is in the task's
    try:
        if groups is None:
            for args in calls:
                futures.append((pool.submit(_call, task, args, disabled), None))
        else:
            futures = [None] * len(calls)
            for group in groups:
                if len(group) == 1:
                    futures[group[0]] = (pool.submit(_call, task, calls[group[0]], disabled),
                                         None)  # fmt: skip
                    continue
                future = pool.submit(_call_all, task, [calls[i] for i in group], disabled)
                for place, i in enumerate(group):
                    futures[i] = (future, place)
    except KeyboardInterrupt:
        for future, _ in filter(None, futures):
            future.cancel()
        _stop_workers(pool, stopped)
        raise
    watched = {i: futures[i][0] for i in early.indices} if early is not None else {}
    try:
        for future, place in futures:
            try:
                while watched:
                    _hand_over(watched, early.take)
                    if future.done():
                        break
                    wait([future, *watched.values()], return_when=FIRST_COMPLETED)
                result = _picked(future.result(), place)
            except KeyboardInterrupt:
                for later, _ in futures:
                    later.cancel()
                _stop_workers(pool, stopped)
                yield Stopped() if future.cancelled() else _picked(future.result(), place)
                raise
            yield result
    finally:
        for future, _ in futures:
            future.cancel()


@dataclass(frozen=True)
class _Raised:
    """A call of a task of several (`_call_all`) that raised: raised again in its turn."""

    error: BaseException


def _call_all(task: Callable, calls: list[tuple], disabled: frozenset[str]) -> list:
    """`_call` of each of `calls` (in a local worker), one result each; an error is kept for
    its call's turn, so that it loses none of the others' results."""
    results = []
    for args in calls:
        try:
            results.append(_call(task, args, disabled))
        except Exception as e:
            results.append(_Raised(e))
    return results


def _picked(result, place: int | None):
    """The result of the call at `place` of a task's (`_call_all`), or the task's own."""
    if place is None:
        return result
    result = result[place]
    if isinstance(result, _Raised):
        raise result.error
    return result


def _hand_over(watched: dict, take: Callable[[int, object], None]) -> None:
    """`take` each watched result that is in (not an exception: its turn raises it)."""
    for i, future in list(watched.items()):
        if future.done():
            del watched[i]
            if not future.cancelled() and future.exception() is None:
                take(i, future.result())


def _stop_workers(pool, stopped) -> None:
    """Ask every worker to stop the task it runs (an idle worker ignores it), and to start no
    other: the pool has handed tasks on to its workers' queue already, which cancelling their
    futures does not take back (the pool's shutdown waited for them: Ctrl-C took 35 s)."""
    stopped.set()
    for process in list((pool._processes or {}).values()):
        with contextlib.suppress(ProcessLookupError):
            os.kill(process.pid, _STOP)


CLUSTER_TIMEOUT = 10  # seconds: for the scheduler to answer, and for a worker to be there


def check_cluster(address: str) -> None:
    """Refuse, before any work, a `--cluster` that cannot act: Dask not installed, or an
    address that is not a scheduler's (`tcp://HOST:PORT`, `HOST:PORT` or `tls://HOST:PORT`;
    a port 1-65535)."""
    try:
        from distributed.comm.addressing import parse_address, parse_host_port
    except ImportError:
        raise FencelabError("--cluster needs Dask: pip install 'fencelab[cluster]'") from None
    try:
        scheme, location = parse_address(address)
        host, port = parse_host_port(location)
        if scheme not in ("tcp", "tls") or not host or not 0 < port <= 65535:
            raise ValueError
    except ValueError:
        raise FencelabError(f"--cluster {address}: not a scheduler's address; give "
                            "tcp://HOST:PORT") from None  # fmt: skip


def _dask_client(address: str):
    """A client of the scheduler at `address`, which has a worker; or one line saying why not,
    within `CLUSTER_TIMEOUT` seconds of each (Dask's own timeout covers only opening the
    connection: a server that accepts it and answers nothing, or not as Dask does, held
    `Client` forever; a scheduler without workers held the first result forever)."""
    check_cluster(address)
    import logging

    from distributed import Client

    # Dask's client logs what it retries or gives up on ("Couldn't gather 1 keys, rescheduling")
    # on stderr, dated, between fencelab's lines; what reaches the command is said in its turn.
    # (Dask's logging config gives some of its loggers their own level: `distributed.client`)
    for name in list(logging.root.manager.loggerDict):
        if name.split(".")[0] == "distributed":
            logging.getLogger(name).setLevel(logging.CRITICAL)
    _answers(address)
    try:
        client = Client(address, timeout=CLUSTER_TIMEOUT)
    except (OSError, TimeoutError, ValueError) as e:
        raise FencelabError(f"--cluster {address}: cannot reach a Dask scheduler ({e})") from None
    try:
        client.wait_for_workers(1, timeout=CLUSTER_TIMEOUT)
    except TimeoutError:
        client.close()
        raise FencelabError(f"--cluster {address}: the scheduler has no workers (none came in "
                            f"{CLUSTER_TIMEOUT} s); start some: dask worker {address}") from None
    try:
        _same_code(client, address)
    except BaseException:
        client.close()
        raise
    return client


INCOMPATIBLE = ("the cluster's workers cannot run this fencelab's tasks (a different fencelab "
                "or Python version)")  # fmt: skip


def _same_code(client, address: str) -> None:
    """Refuse a cluster whose scheduler (which unpickles the tasks) or a worker runs other code
    than this process: another fencelab (`code_id`), or another Python. Its tasks failed each
    with a traceback, or ran other code (a result that is not this fencelab's)."""
    here = code_id()
    try:
        scheduler = client.run_on_scheduler(code_id)
    except Exception as e:  # (it cannot load code_id: no fencelab, or an older one)
        scheduler = e
    there = {"the scheduler": scheduler,
             **{f"worker {w}": got for w, got in client.run(code_id, on_error="return").items()}}
    for who, got in there.items():
        if isinstance(got, Exception):
            why = f"{who} cannot load fencelab.parallel.code_id"
        elif tuple(got) != here:
            why = _other_code(who, tuple(got), here)
        else:
            continue
        raise FencelabError(f"--cluster {address}: {INCOMPATIBLE}: {why}")


def _other_code(who: str, got: tuple[str, str, str], here: tuple[str, str, str]) -> str:
    """Why `who` (a worker, the scheduler), whose `code_id` is `got`, cannot run the tasks of
    the command whose code is `here`."""
    python, version, _ = got
    return (f"{who} runs fencelab {version}" + (" of other code" if version == here[1] else "")
            + f" on Python {python}; this one fencelab {here[1]} on Python {here[0]}")


@functools.cache
def code_id() -> tuple[str, str, str]:
    """This process's Python (major.minor), fencelab's version, and a hash of fencelab's code
    (every module of the `fencelab` package imported here)."""
    import hashlib
    from pathlib import Path

    import fencelab

    root = Path(fencelab.__file__).parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    python = ".".join(map(str, sys.version_info[:2]))
    return python, fencelab.__version__, digest.hexdigest()


def _answers(address: str) -> None:
    """Does a Dask scheduler answer at `address` (its handshake) within `CLUSTER_TIMEOUT`?"""
    import asyncio

    from distributed.comm import connect
    from distributed.security import Security

    async def handshake():
        comm = await connect(address, timeout=CLUSTER_TIMEOUT,
                             **Security().get_connection_args("client"))  # fmt: skip
        await comm.close()

    try:
        asyncio.run(asyncio.wait_for(handshake(), CLUSTER_TIMEOUT))
    except asyncio.TimeoutError:
        why = f"nothing answered as one in {CLUSTER_TIMEOUT} s"
    except (OSError, TypeError) as e:  # (TypeError: tls:// without Dask's TLS configuration)
        why = str(e).splitlines()[0] if str(e) else type(e).__name__
    except Exception:  # what answers is not Dask (its bytes read as a frame of any size)
        why = "what answers there does not speak Dask's protocol"
    else:
        return
    raise FencelabError(f"--cluster {address}: cannot reach a Dask scheduler ({why})")


def _dask_map(client, address: str, task, calls: list[tuple], disabled,
              order: Iterable[int]) -> Iterator:  # fmt: skip
    """As `_pool_map`, on a cluster: `order` becomes the tasks' priorities (the scheduler
    starts a higher one first). Each result is fetched as soon as it is done (it stays on its
    worker until then, and goes with it). Once the cluster has had no worker for
    `CLUSTER_TIMEOUT` seconds while a result was awaited, that result and each later one not
    fetched is `Lost` (the scheduler keeps a task without a worker waiting for one forever)."""
    from distributed import as_completed

    futures = [None] * len(calls)
    for rank, i in enumerate(order):
        futures[i] = client.submit(_remote_call, task, calls[i], disabled, code_id(),
                                   pure=False, priority=len(calls) - rank)  # fmt: skip
    waiting = {future.key: i for i, future in enumerate(futures)}  # (not yielded yet)
    done = as_completed(futures)
    got: dict[int, object] = {}  # results fetched before their turn
    lost = Lost(f"--cluster {address}: the cluster lost its workers (none for "
                f"{CLUSTER_TIMEOUT} s)")  # fmt: skip
    gone = False

    def fetch() -> None:
        for future in done.next_batch(block=False):
            i = waiting.get(future.key)
            if i is not None and future.status == "finished":
                got[i] = _result(future, lost, address)

    try:
        for i, future in enumerate(futures):
            since = time.monotonic()  # (the last time the cluster had a worker)
            while not gone and i not in got and not _waited(future):
                fetch()
                if _has_workers(client):
                    since = time.monotonic()
                gone = time.monotonic() - since >= CLUSTER_TIMEOUT
            fetch()
            del waiting[future.key]
            if i in got:
                yield got.pop(i)
            else:  # (done, or the cluster gone)
                yield lost if gone else _result(future, lost, address)
    except KeyboardInterrupt:
        client.cancel(futures)
        raise


def _waited(future) -> bool:
    """Is `future` done (cancelled too), within a second?"""
    from distributed import CancelledError, wait

    try:
        wait(future, timeout=1)
    except TimeoutError:
        return False
    except CancelledError:
        pass
    return True


def _result(future, lost: Lost, address: str):
    """A done future's result; `lost` if it went with its worker before it was fetched (the
    scheduler waits for a worker to compute it again); `Failed` if its task ended without one
    (its error, or Dask cancelled it) or its worker refused it (`_OtherCode`)."""
    from distributed import CancelledError, KilledWorker

    try:
        got = future.result(timeout=CLUSTER_TIMEOUT)
        if isinstance(got, _OtherCode):
            return Failed(f"--cluster {address}: {INCOMPATIBLE}: {got.why}")
        return got
    except TimeoutError:
        return lost
    except KilledWorker as e:
        return Failed(f"--cluster {address}: {plural(e.allowed_failures + 1, 'worker')} died "
                      "running it; Dask gave it up")  # fmt: skip
    except CancelledError as e:
        why = getattr(e, "reason", "")
        return Failed(f"--cluster {address}: Dask cancelled it on the cluster"
                      + (f" ({why})" if why and why != "unknown" else ""))  # fmt: skip
    except Exception as e:
        if isinstance(e, RuntimeError) and "deserializ" in str(e):  # (a scheduler of other code)
            return Failed(f"--cluster {address}: {INCOMPATIBLE}")
        return Failed(f"--cluster {address}: it failed on its worker: "
                      f"{_first_line(e)}")  # fmt: skip


def _first_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return f"{type(e).__name__}: {text[0]}" if text else type(e).__name__


def _has_workers(client) -> bool:
    try:
        return bool(client.nthreads())
    except OSError:  # (its scheduler is gone; the client tries to reach it again)
        return False
