"""One run at a time per output folder (issue: two runs on one folder emptied its tables).

Every case uses real processes: the lock is the kernel's, and what matters is how it behaves
between processes and when its holder is killed.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest
from badinput import subprocess_env

from flows.lock import OutputLocked, lock_path, output_busy, output_lock

#: Runs flows, servers or long property searches: `bash scripts/test.sh --all` runs it.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
NEWSCLEAN = str(Path(sys.executable).parent / "newsclean")

HOLD = """
import sys, time
from pathlib import Path
from flows.lock import output_lock
with output_lock(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(600)
"""


def _holder(out: Path) -> subprocess.Popen[str]:
    """Another process that takes the lock of ``out`` and keeps it until killed."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(out)], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def _kill(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)


def test_a_held_lock_names_its_holder_and_a_killed_holder_never_blocks(tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = _holder(out)
    try:
        with pytest.raises(OutputLocked, match=f"process {proc.pid} on "), output_lock(out):
            pass
        busy = output_busy(out)
        assert busy is not None and f"process {proc.pid}" in busy
    finally:
        _kill(proc)
    assert lock_path(out).is_file()  # the lock file stays behind, and does not matter
    assert output_busy(out) is None
    with output_lock(out):
        info = json.loads(lock_path(out).read_text())
        assert info["pid"] != proc.pid


def test_wait_takes_the_lock_once_its_holder_is_gone(tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = _holder(out)
    killer = subprocess.Popen(["sh", "-c", f"sleep 1.5; kill -9 {proc.pid}"])
    try:
        start = time.monotonic()
        with output_lock(out, wait=60):
            waited = time.monotonic() - start
        assert 1.0 < waited < 30
    finally:
        killer.wait(timeout=30)
        proc.wait(timeout=30)


def test_a_planted_link_for_the_lock_file_is_replaced_not_followed(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n")
    out = tmp_path / "out"
    (out / ".state").mkdir(parents=True)
    lock_path(out).symlink_to(victim)
    with output_lock(out):
        pass
    assert victim.read_text() == "keep me\n"
    assert not lock_path(out).is_symlink()


def _corpus(folder: Path, copies: int) -> None:
    folder.mkdir()
    for i in range(copies):
        for p in sorted((ROOT / "seeds").glob("*.txt")):
            (folder / f"{i:03d}_{p.name}").write_bytes(p.read_bytes() + f"\nUpdate {i}.\n".encode())


@pytest.mark.slow
def test_a_second_run_on_the_same_output_exits_5_and_the_first_completes(
    prefect_harness: str, tmp_path: Path
) -> None:
    """The reported case: a second ``newsclean run`` started while the first runs."""
    inp, out = tmp_path / "in", tmp_path / "out"
    _corpus(inp, 120)  # 600 files: the first run holds the lock for several seconds
    env = subprocess_env(tmp_path / "home", prefect_harness)
    args = ["run", "--input", str(inp), "--output", str(out), "--batch-mb", "0.05"]
    first = subprocess.Popen(
        [NEWSCLEAN, *args], env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 120
        while output_busy(out) is None:
            assert first.poll() is None, "the first run ended before it was seen holding the lock"
            assert time.monotonic() < deadline, "the first run never took the lock"
            time.sleep(0.05)
        second = subprocess.run(
            [NEWSCLEAN, *args], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120
        )
        assert first.poll() is None, "the first run finished before the second was refused"
    finally:
        stdout, stderr = first.communicate(timeout=600)
    assert second.returncode == 5, second.stderr[-2000:]
    assert f"is in use by another newsclean run (process {first.pid} on " in second.stderr
    assert "Traceback" not in second.stderr
    assert first.returncode == 0, stderr[-3000:]
    assert "600 files" in stdout and "600 cleaned" in stdout
    assert pl.read_parquet(out / "files.parquet").height == 600
    # and the next run finds everything in place
    third = subprocess.run(
        [NEWSCLEAN, *args], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=600
    )
    assert third.returncode == 0, third.stderr[-2000:]
    assert "0 cleaned, 600 unchanged" in third.stdout
    assert pl.read_parquet(out / "lines.parquet").height > 0


@pytest.mark.slow
def test_a_run_waits_for_the_lock_with_wait(prefect_harness: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    inp = tmp_path / "in"
    shutil.copytree(ROOT / "seeds", inp)
    proc = _holder(out)
    env = subprocess_env(tmp_path / "home", prefect_harness)
    run = subprocess.Popen(
        [NEWSCLEAN, "run", "--input", str(inp), "--output", str(out), "--wait", "120"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(3)
    assert run.poll() is None, "the run did not wait for the lock"
    assert not (out / "files.parquet").exists()
    _kill(proc)
    stdout, stderr = run.communicate(timeout=600)
    assert run.returncode == 0, stderr[-2000:]
    assert "5 cleaned" in stdout
