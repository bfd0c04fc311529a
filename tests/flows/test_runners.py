"""The batch runner: one slot in the flow's own process, the rest in worker processes, each slot
taking the next batch when free; the workers stop once the batches are done."""

from __future__ import annotations

import os
import time
from concurrent.futures import ProcessPoolExecutor

import psutil
import pytest

from flows.runners import BatchPoolTaskRunner, SharedQueueExecutor, stop_idle_workers

#: Runs flows, servers or long property searches: `bash scripts/test.sh --all` runs it.
pytestmark = pytest.mark.slow


def _gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def _slow_pid(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def _fail(message: str) -> None:
    raise ValueError(message)


def test_stop_workers_ends_the_worker_processes() -> None:
    with BatchPoolTaskRunner(max_workers=3) as runner:
        executor = runner._executor
        assert executor is not None and runner.slots == 3
        pids = {executor.submit(_slow_pid, 0.3).result(timeout=120) for _ in range(3)}
        futures = [executor.submit(_slow_pid, 0.3) for _ in range(9)]
        pids |= {f.result(timeout=120) for f in futures}
        workers = pids - {os.getpid()}
        assert os.getpid() in pids and 1 <= len(workers) <= 2  # the flow's own slot and worker processes
        assert all(not _gone(p) for p in workers)  # idle workers stay alive until stopped
        # the worker processes its pool started (on demand: one may have started without a call)
        assert len(workers) <= runner.stop_workers() <= 2
        deadline = time.monotonic() + 30
        while not all(_gone(p) for p in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert all(_gone(p) for p in workers)
        assert runner.stop_workers() == 0  # a second call has nothing to stop
        with pytest.raises(RuntimeError, match="not started"):
            runner.submit(None, {})  # type: ignore[arg-type]


def test_each_slot_takes_the_next_call_when_free() -> None:
    """A slot is not handed a fixed share: with one slow worker process the local thread takes
    the calls it frees up for, and every call's result reaches its own future."""
    pool = ProcessPoolExecutor(max_workers=1)
    worker = pool.submit(os.getpid).result(timeout=120)  # started before the calls are queued
    ex = SharedQueueExecutor(pool, processes=1)
    try:
        calls = [ex.submit(_slow_pid, 1.5 if i == 0 else 0.05) for i in range(12)]
        pids = [f.result(timeout=120) for f in calls]
    finally:
        ex.shutdown()
    assert set(pids) == {os.getpid(), worker}
    # whichever slot took the slow call, the other one took most of the rest meanwhile
    slow = pids[0]
    assert sum(p != slow for p in pids[1:]) >= 8, pids
    deadline = time.monotonic() + 30  # the executor's shutdown shut its pool down too
    while not _gone(worker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _gone(worker)


def test_a_failing_call_fails_its_future_and_queued_calls_can_be_cancelled() -> None:
    ex = SharedQueueExecutor(None, processes=0)
    failed = ex.submit(_fail, "bad batch")
    with pytest.raises(ValueError, match="bad batch"):
        failed.result(timeout=30)
    blocker = ex.submit(time.sleep, 0.5)
    queued = [ex.submit(os.getpid) for _ in range(3)]
    deadline = time.monotonic() + 30
    while not blocker.running() and time.monotonic() < deadline:  # the slot has taken it
        time.sleep(0.01)
    ex.shutdown(wait=True, cancel_futures=True)
    assert blocker.done() and not blocker.cancelled()
    assert all(q.cancelled() for q in queued)
    with pytest.raises(RuntimeError, match="after shutdown"):
        ex.submit(os.getpid)


def test_one_slot_is_the_flows_own_thread() -> None:
    with BatchPoolTaskRunner(max_workers=1) as runner:
        assert runner._executor is not None
        assert runner._executor.submit(os.getpid).result(timeout=30) == os.getpid()
        assert runner.stop_workers() == 0  # no worker process was started
    assert BatchPoolTaskRunner(max_workers=2).duplicate() == BatchPoolTaskRunner(max_workers=2)
    assert BatchPoolTaskRunner(max_workers=2) != BatchPoolTaskRunner(max_workers=3)


def test_stop_idle_workers_outside_a_pool_is_a_no_op() -> None:
    assert stop_idle_workers() == 0  # no flow run at all
