"""The process-pool runner's workers stop once the batches are done (their memory goes back)."""

from __future__ import annotations

import os
import time

import psutil
import pytest

from flows.runners import BatchPoolTaskRunner, stop_idle_workers


def _gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def test_stop_workers_ends_the_worker_processes() -> None:
    with BatchPoolTaskRunner(max_workers=2) as runner:
        executor = runner._executor
        assert executor is not None
        pids = {executor.submit(os.getpid).result(timeout=120) for _ in range(4)}
        assert pids and os.getpid() not in pids
        assert all(not _gone(p) for p in pids)  # idle workers stay alive until stopped
        assert runner.stop_workers() == len(pids)  # the workers it started (on demand)
        deadline = time.monotonic() + 30
        while not all(_gone(p) for p in pids) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert all(_gone(p) for p in pids)
        assert runner.stop_workers() == 0  # a second call has nothing to stop
        with pytest.raises(RuntimeError, match="not started"):
            runner.submit(None, {})  # type: ignore[arg-type]


def test_stop_idle_workers_outside_a_pool_is_a_no_op() -> None:
    assert stop_idle_workers() == 0  # no flow run at all
