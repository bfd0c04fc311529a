"""flows.interrupt: a stuck shutdown after Ctrl-C or SIGTERM still ends the command, with its
cleanups run and the signal's exit status."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# A command whose shutdown after the interrupt never ends (as Prefect's did, waiting on a thread):
# it says "ready", then on KeyboardInterrupt says "caught" and sleeps.
STUCK = """
import sys, time
from pathlib import Path
from flows import interrupt
interrupt.install(grace=float(sys.argv[1]))
interrupt.on_forced_exit(lambda: Path(sys.argv[2]).write_text("cleaned up"))
try:
    print("ready", flush=True)
    time.sleep(60)
except KeyboardInterrupt:
    print("caught", flush=True)
    time.sleep(60)
"""


def _start(tmp_path: Path, grace: float) -> tuple[subprocess.Popen[str], Path]:
    marker = tmp_path / "cleanup"
    proc = subprocess.Popen(
        [sys.executable, "-c", STUCK, str(grace), str(marker)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    return proc, marker


@pytest.mark.parametrize(("sig", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_stuck_shutdown_ends_after_the_grace(tmp_path: Path, sig: int, status: int) -> None:
    proc, marker = _start(tmp_path, grace=1.0)
    t0 = time.monotonic()
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=30)
    assert "caught" in out  # the first signal was a KeyboardInterrupt, as without the handler
    assert proc.returncode == status, err
    assert time.monotonic() - t0 < 30
    assert marker.read_text() == "cleaned up"
    assert "did not stop within 1 s" in err and "Traceback" not in err


def test_a_second_signal_ends_it_at_once(tmp_path: Path) -> None:
    proc, marker = _start(tmp_path, grace=600.0)
    proc.send_signal(signal.SIGINT)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "caught"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)  # long before the grace of 600 s
    assert proc.returncode == 130, err
    assert marker.read_text() == "cleaned up"
    assert "a second signal" in err


def test_without_a_signal_nothing_is_forced(tmp_path: Path) -> None:
    """A command that ends by itself is not cut short by the watchdog of an earlier signal."""
    script = STUCK.replace("time.sleep(60)", "pass")
    proc = subprocess.run(
        [sys.executable, "-c", script, "5", str(tmp_path / "cleanup")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0 and proc.stdout.strip() == "ready", proc.stderr
    assert not (tmp_path / "cleanup").exists()
