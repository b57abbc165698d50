"""``postguard screen --workers N``: screen batches in N forked worker processes, output in input order.

The parent loads the pipeline (policies, models) once and forks the workers from it, so the model
pages are shared copy-on-write rather than loaded N times. Each worker receives a chunk of
``batch_size`` numbered lines, parses and screens it exactly as the in-process path does
(``runner.screen_numbered`` with ``pipeline_batch``) and sends the outcomes back. Chunks are the
batches one in-process run makes, so decisions do not depend on N.

The parent keeps at most ``window`` chunks between the next one to write and the last one handed out
(one chunk per worker at a time plus a reassembly buffer), so memory does not grow with the input.

Failures fail closed, one record per line as always:

- a chunk the worker raises on: every post of it gets ``{"line", "error": "screening failed: <Type>"}``;
- a worker that dies (killed, crashed): the posts of its chunk get ``screening failed: worker process
  died (...)``, a message on stderr names the pid and lines, a new worker is forked and the run goes
  on (exit status 1). After ``workers`` such deaths no more are forked; once none is left every
  remaining line gets an error record without being screened.

Workers ignore SIGINT: Ctrl-C reaches the parent, which stops them (SIGTERM) and re-raises.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from postguard.embedded.runner import (
    NumberedLine,
    Outcome,
    ScreenBatch,
    ScreeningFailedError,
    pipeline_batch,
    screen_numbered,
)

STOP_TIMEOUT_SECONDS = 5.0
Chunk = list[NumberedLine]


def available_cores() -> int:
    """CPUs this process may run on (its affinity mask, e.g. under ``taskset``), at least 1."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except (AttributeError, OSError):  # not Linux
        return max(os.cpu_count() or 1, 1)


def chunks(lines: Iterable[NumberedLine], size: int) -> Iterator[Chunk]:
    """Consecutive chunks of ``size`` numbered lines (the last one shorter)."""
    it = iter(lines)
    while chunk := list(itertools.islice(it, size)):
        yield chunk


def failed_batch(reason: str) -> ScreenBatch:
    """A batch function failing every post with ``screening failed: <reason>``."""
    return lambda posts: [ScreeningFailedError(reason) for _ in posts]


def describe_exit(exitcode: int | None) -> str:
    """``killed by SIGKILL`` / ``exit status 3`` / ``still running`` for a process exit code."""
    if exitcode is None:
        return "stopped answering"
    if exitcode < 0:
        try:
            return f"killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exit status {exitcode}"


def _serve(
    conn: Connection, pipeline: Any, batch_size: int, inherited: list[Connection], base_dir: Path | None
) -> None:
    """Worker main loop: ``(seq, chunk)`` in, ``(seq, outcomes)`` or ``(seq, reason)`` out, until EOF."""
    code = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        for other in inherited:  # other workers' pipe ends: their EOF must not depend on this process
            other.close()
        screen, registry = pipeline_batch(pipeline), pipeline.policies
        while True:
            try:
                message = conn.recv()
            except (EOFError, OSError):
                break
            if message is None:
                break
            seq, chunk = message
            try:
                outcomes = list(
                    screen_numbered(chunk, screen, registry, batch_size=batch_size, base_dir=base_dir)
                )
                conn.send((seq, outcomes))
            except (EOFError, OSError):
                break
            except Exception as exc:  # fail closed: the chunk's posts become error records
                conn.send((seq, type(exc).__name__))
    except BaseException:
        code = 1
    finally:
        os._exit(code)  # no interpreter shutdown: never flush stdio buffers inherited from the parent


@dataclass
class _Worker:
    process: Any
    conn: Connection
    job: tuple[int, Chunk] | None = None


@dataclass
class _Pool:
    """The worker processes; ``fork`` starts one more from the parent's current memory."""

    pipeline: Any
    batch_size: int
    before_fork: Callable[[], None]
    base_dir: Path | None = None
    workers: list[_Worker] = field(default_factory=list)

    def fork(self) -> _Worker:
        self.before_fork()  # flush the parent's buffered output
        gc.freeze()  # objects alive now stay untouched by the children's collector: pages stay shared
        ctx = multiprocessing.get_context("fork")
        parent_end, child_end = ctx.Pipe(duplex=True)
        inherited = [parent_end, *(w.conn for w in self.workers)]
        process = ctx.Process(
            target=_serve,
            args=(child_end, self.pipeline, self.batch_size, inherited, self.base_dir),
            name="postguard-screen-worker",
            daemon=True,
        )
        # Ctrl-C waits until the new worker is in ``workers``: a KeyboardInterrupt between the fork and
        # the append would leave a running worker that ``stop`` never ends or reaps. The child inherits
        # the blocked SIGINT, which it ignores anyway (``_serve``).
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            try:
                process.start()
            finally:
                gc.unfreeze()  # the parent collects as usual again
                child_end.close()
            worker = _Worker(process, parent_end)
            self.workers.append(worker)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        return worker

    def remove(self, worker: _Worker) -> None:
        self.workers.remove(worker)
        worker.conn.close()
        worker.process.join(STOP_TIMEOUT_SECONDS)
        if worker.process.exitcode is None:
            worker.process.kill()
            worker.process.join()

    def stop(self, *, graceful: bool) -> None:
        """End every worker: ask them (EOF) when ``graceful``, else SIGTERM; SIGKILL when they linger."""
        for w in self.workers:
            if graceful:
                with contextlib.suppress(OSError):
                    w.conn.send(None)
            else:
                w.process.terminate()
        for w in list(self.workers):
            self.remove(w)


def screen_parallel(
    lines: Iterable[NumberedLine],
    pipeline: Any,
    *,
    workers: int,
    batch_size: int,
    on_line: Callable[[], None] | None = None,
    warn: Callable[[str], None] | None = None,
    before_fork: Callable[[], None] = lambda: None,
    window: int | None = None,
    base_dir: Path | None = None,
) -> Iterator[Outcome]:
    """One ``Outcome`` per numbered line, in order, screened by ``workers`` forked processes.

    ``on_line`` is called once per outcome as it is yielded; ``warn`` gets one message per worker
    that died; ``before_fork`` runs before each fork (flush output buffers there); ``window`` bounds
    the chunks in flight or waiting to be written (default ``2 * workers``); ``base_dir``: where
    attachment ``path``s are read from (``runner.parse_line``).
    """
    say = warn or (lambda message: print(f"postguard: {message}", file=sys.stderr))
    limit = max(window or 2 * workers, workers)
    pool = _Pool(pipeline, batch_size, before_fork, base_dir)
    todo = chunks(lines, batch_size)
    done: dict[int, list[Outcome]] = {}
    next_seq = next_out = deaths = 0
    exhausted = False
    graceful = False

    def lost(worker: _Worker, reason: str) -> None:
        nonlocal deaths
        deaths += 1
        pool.remove(worker)
        if worker.job is not None:
            seq, chunk = worker.job
            say(
                f"worker process {worker.process.pid} {reason} while screening lines "
                f"{chunk[0][0]}-{chunk[-1][0]}; those posts get error records"
            )
            done[seq] = _failed_chunk(chunk, f"worker process died ({reason})", pipeline.policies)
        else:
            say(f"worker process {worker.process.pid} {reason} while idle")
        if deaths <= workers:
            pool.fork()
        elif not pool.workers:
            say("worker processes keep dying: the remaining lines are not screened")

    try:
        for _ in range(workers):
            pool.fork()
        while True:
            while next_out in done:  # write what is ready first: it frees the window for more work
                for outcome in done.pop(next_out):
                    yield outcome
                    if on_line is not None:
                        on_line()
                next_out += 1
            if not pool.workers:  # given up: every line left fails closed, unscreened
                for chunk in todo:
                    for outcome in _failed_chunk(chunk, "no worker process left", pipeline.policies):
                        yield outcome
                        if on_line is not None:
                            on_line()
                break
            for worker in [w for w in pool.workers if w.job is None]:
                if exhausted or next_seq - next_out >= limit:
                    break
                chunk = next(todo, None)
                if chunk is None:
                    exhausted = True
                    break
                worker.job = (next_seq, chunk)
                next_seq += 1
                try:
                    worker.conn.send(worker.job)
                except OSError:
                    worker.process.join(STOP_TIMEOUT_SECONDS)
                    lost(worker, describe_exit(worker.process.exitcode))
            if not any(w.job is not None for w in pool.workers):
                # nothing in flight: every chunk handed out is in ``done`` (written above, or just
                # failed by ``lost``), so the window was free and the input is used up
                if exhausted and not done:
                    break
                continue
            _collect(pool, done, lost)
        graceful = True
    finally:
        pool.stop(graceful=graceful)


def _collect(pool: _Pool, done: dict[int, list[Outcome]], lost: Callable[[_Worker, str], None]) -> None:
    """Wait for a reply or a worker death; file the replies in ``done`` by sequence number."""
    by_handle: dict[Any, _Worker] = {}
    for w in pool.workers:
        by_handle[w.process.sentinel] = w
        if w.job is not None:
            by_handle[w.conn] = w
    ready = wait(list(by_handle))
    handled: set[int] = set()
    for handle in ready:
        worker = by_handle[handle]
        if id(worker) in handled:
            continue
        handled.add(id(worker))
        reply = None
        if worker.job is not None and worker.conn.poll():
            try:
                reply = worker.conn.recv()
            except (EOFError, OSError):
                reply = None
        if reply is None:
            worker.process.join(STOP_TIMEOUT_SECONDS)
            lost(worker, describe_exit(worker.process.exitcode))
            continue
        seq, result = reply
        if worker.job is None or seq != worker.job[0]:  # a worker answers the chunk it was sent
            worker.process.kill()
            lost(worker, "answered out of turn")
            continue
        chunk = worker.job[1]
        worker.job = None
        if isinstance(result, str):  # the worker raised: the chunk fails closed
            result = _failed_chunk(chunk, result, pool.pipeline.policies)
        done[seq] = result


def _failed_chunk(chunk: Chunk, reason: str, registry: Any) -> list[Outcome]:
    """The chunk's outcomes when it was not screened: parse errors as usual, else ``reason``."""
    return list(screen_numbered(chunk, failed_batch(reason), registry, batch_size=len(chunk)))
