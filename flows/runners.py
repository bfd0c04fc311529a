"""The batch runner: the flow's own process takes a share of the batches; worker processes stop
once the batches are done.

A batch slot in a worker process costs that process: its imports (~200 MiB: Prefect, polars,
pandera with pandas and pyarrow), the typo lexicons and the allocator's high-water mark, ~440 MiB
at the last stage of a 100,000-file run. The flow's own process has the imports already and
waits while the batches run (3 s or less of CPU per batch phase), so one of the slots is a thread
of it: ``BatchPoolTaskRunner(max_workers=2)`` runs two batches at a time with one worker process.

Each slot takes the next batch when it is free, so a slower slot is not left with a fixed share.
The tables, validation and reports run in the flow's process after the batches;
:meth:`BatchPoolTaskRunner.stop_workers` ends the idle workers first.
"""

from __future__ import annotations

import os
import queue
import signal
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from typing import Any

from prefect.context import FlowRunContext
from prefect.task_runners import ProcessPoolTaskRunner

from flows.orphans import watch_parent

_Call = tuple[Future[Any], Callable[..., Any], tuple[Any, ...], dict[str, Any]]


class SharedQueueExecutor(Executor):
    """Runs calls in one thread of this process and in a process pool; each slot (the thread,
    or one per worker process) takes the next call from one queue when it is free.

    >>> import os
    >>> ex = SharedQueueExecutor(None, processes=0)  # the local thread only
    >>> ex.submit(os.getpid).result() == os.getpid()
    True
    >>> ex.shutdown()
    """

    def __init__(self, pool: ProcessPoolExecutor | None, processes: int) -> None:
        self.pool = pool
        self._calls: queue.SimpleQueue[_Call | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._shut = False
        self._slots = [
            threading.Thread(target=self._slot, args=(None,), name="batch-slot-local", daemon=True)
        ]
        if pool is not None:
            self._slots += [
                threading.Thread(target=self._slot, args=(pool,), name=f"batch-slot-process-{i}", daemon=True)
                for i in range(processes)
            ]
        for t in self._slots:
            t.start()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        with self._lock:
            if self._shut:
                raise RuntimeError("cannot schedule new calls after shutdown")
            future: Future[Any] = Future()
            self._calls.put((future, fn, args, kwargs))
        return future

    def _slot(self, pool: ProcessPoolExecutor | None) -> None:
        if pool is not None:
            # The pool starts its worker processes from this thread, and a signal mask survives
            # their start: a Ctrl-C while a worker still imports waits for worker_setup. The
            # command's main thread handles SIGINT either way.
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        while (call := self._calls.get()) is not None:
            future, fn, args, kwargs = call
            if not future.set_running_or_notify_cancel():
                continue
            try:
                result = fn(*args, **kwargs) if pool is None else pool.submit(fn, *args, **kwargs).result()
            except BaseException as exc:  # the caller's future carries it, as an executor's would
                future.set_exception(exc)
            else:
                future.set_result(result)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._lock:
            if self._shut:
                return
            self._shut = True
        if cancel_futures:
            while True:
                try:
                    call = self._calls.get_nowait()
                except queue.Empty:
                    break
                if call is not None:
                    call[0].cancel()
        for _ in self._slots:
            self._calls.put(None)  # each slot ends after the calls queued before it
        if wait:
            for t in self._slots:
                t.join()
        if self.pool is not None:
            self.pool.shutdown(wait=wait, cancel_futures=cancel_futures)


def worker_setup(command: int) -> None:
    """In each worker process: a Ctrl-C at the terminal is the command's to handle (it stops the
    run and exits 130), so a worker does not die mid-batch with a traceback of its own. And the
    worker ends when its command is gone (killed, so it could not stop its pool): an idle worker
    of a process pool waits on a queue whose other end it holds itself, so would wait forever.
    ``command``: the command's process id (it may be gone by the time a worker has imported)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # blocked by the slot that started it
    watch_parent(command, lambda: os._exit(1))


class BatchPoolTaskRunner(ProcessPoolTaskRunner):
    """:class:`~prefect.task_runners.ProcessPoolTaskRunner` whose ``max_workers`` batch slots are
    one thread of the flow's process and ``max_workers - 1`` worker processes, with
    :meth:`stop_workers`.

    A task runs in the thread exactly as in a worker: the same pickled call, the same task
    engine, its result pickled back.

    Private attributes used, for want of a public API: Prefect's runner exposes neither the
    number of processes its pool starts (``_max_workers``, set here to one less than the slots)
    nor its executor (``_executor``, wrapped here in :class:`SharedQueueExecutor`, and shut down
    by :meth:`stop_workers`: the runner has no public "stop the pool, the run goes on"), and
    :class:`~concurrent.futures.ProcessPoolExecutor` does not count its live processes
    (``_processes``).
    """

    def __init__(self, max_workers: int | None = None) -> None:
        super().__init__(max_workers=max_workers, initializer=worker_setup, initargs=(os.getpid(),))
        self.slots = max(1, self._max_workers)
        self._max_workers = max(1, self.slots - 1)  # the worker processes Prefect's pool starts

    def duplicate(self) -> BatchPoolTaskRunner:
        return type(self)(max_workers=self.slots)

    def __eq__(self, value: object) -> bool:
        return isinstance(value, BatchPoolTaskRunner) and self.slots == value.slots

    def __enter__(self) -> BatchPoolTaskRunner:
        super().__enter__()
        pool = self._executor if self.slots > 1 else None
        if pool is None and self._executor is not None:  # one slot: the flow's thread only
            self._executor.shutdown(wait=False)
        self._executor = SharedQueueExecutor(pool, processes=self.slots - 1)  # type: ignore[assignment]
        return self

    def stop_workers(self) -> int:
        """Shut the batch slots down, waiting for the worker processes to exit; return how many
        worker processes there were.

        Submitting afterwards raises Prefect's "Task runner is not started" error: call it only
        when the flow submits nothing more.
        """
        executor: Any = self._executor
        if executor is None:
            return 0
        pool = getattr(executor, "pool", executor)
        n = len(getattr(pool, "_processes", None) or {})
        executor.shutdown(wait=True)
        self._executor = None
        return n


def stop_idle_workers() -> int:
    """Stop the current flow run's worker processes when its task runner can (0 otherwise:
    the default thread runner, or a Dask cluster that outlives the run)."""
    ctx: Any = FlowRunContext.get()
    runner = getattr(ctx, "task_runner", None)
    return runner.stop_workers() if isinstance(runner, BatchPoolTaskRunner) else 0
