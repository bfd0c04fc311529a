"""Crash safety and transient faults.

* ``newsclean run`` killed with SIGKILL part-way (twice), then rerun, gives byte for byte the outputs
  of an uninterrupted run, with no temporary or partial file left.
* Reading and writing retry on ``OSError``; a batch whose writes keep failing is marked failed and
  the other batches complete.
"""

from __future__ import annotations

import errno
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from badinput import GOOD, subprocess_env

from flows.outputs import TMP_PREFIX

#: Runs flows, servers or long property searches: `bash scripts/test.sh --all` runs it.
pytestmark = pytest.mark.slow

NEWSCLEAN = str(Path(sys.executable).parent / "newsclean")
SEEDS = Path(__file__).resolve().parents[2] / "seeds"
N_FILES = 2000
BATCH_MB = "0.05"  # about 70 files per batch: many task runs, so a kill lands between them


def _make_corpus(folder: Path, n: int) -> None:
    """``n`` small news-like files from the seed lines, with shared boilerplate and a few bad ones."""
    folder.mkdir(parents=True)
    pool = [
        ln
        for p in sorted(SEEDS.glob("*.txt"))
        for ln in p.read_text(encoding="utf-8").splitlines()
        if len(ln.split()) > 8 and ln.rstrip().endswith((".", "”", '"')) and "|" not in ln
    ]
    furniture = ["Advertisement", "Read more: Markets rally", "Share this article", "Leave a Reply"]
    for i in range(n):
        rng = random.Random(i)
        if i % 250 == 7:
            data = b""
        elif i % 250 == 11:
            data = b"\x89PNG\r\n\x1a\n" + bytes(rng.randrange(256) for _ in range(200))
        else:
            title = f"Storm update {i} for the {rng.choice(['northern', 'southern', 'eastern'])} coast"
            lines = [title, *rng.sample(pool, 3), rng.choice(furniture)]
            if i % 3 == 0:
                lines.insert(2, "")
            data = "\n".join(lines).encode("utf-8" if i % 17 else "cp1252", "replace")
        (folder / f"{i:05d}_{rng.getrandbits(32):08x}.txt").write_bytes(data)


#: Outputs that hold the time of the run (the lock file: who ran last, since when): left out of
#: the byte-for-byte comparison.
TIMED = ("run-manifest.json", "reports/", ".state/run.lock")


def _outputs(root: Path) -> dict[str, bytes]:
    out = {}
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root).as_posix()
        if p.is_file() and not rel.startswith(TIMED):
            out[rel] = p.read_bytes()
    return out


def _run_args(in_dir: Path, out_dir: Path) -> list[str]:
    return [NEWSCLEAN, "run", "--input", str(in_dir), "--output", str(out_dir), "--batch-mb", BATCH_MB]


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """One newsclean command to its end (15 minutes at most), output captured."""
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=900, check=False)


def _kill_when(cmd: list[str], env: dict[str, str], cwd: Path, ready: Any, what: str) -> None:
    """Start ``cmd``; SIGKILL its whole process group as soon as ``ready()`` holds."""
    proc = subprocess.Popen(
        cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
    )
    deadline = time.monotonic() + 600
    try:
        while not ready():
            if proc.poll() is not None:
                out, err = proc.communicate()
                pytest.fail(
                    f"run ended (rc={proc.returncode}) before the kill point '{what}': {err[-2000:]!r}"
                )
            if time.monotonic() > deadline:
                pytest.fail(f"kill point '{what}' never reached")
            time.sleep(0.02)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL, f"not killed at '{what}' (rc={proc.returncode})"


def _no_partial_json(out_dir: Path) -> int:
    """Every document present parses: an atomic write leaves the old file or the new one, never half."""
    n = 0
    for p in out_dir.rglob("*.json"):
        if not p.name.startswith(TMP_PREFIX):
            json.loads(p.read_text(encoding="utf-8"))
            n += 1
    return n


@pytest.mark.slow
def test_sigkill_then_rerun_matches_uninterrupted_run(prefect_harness: str, tmp_path: Path) -> None:
    in_dir, ref, out = tmp_path / "in", tmp_path / "ref", tmp_path / "out"
    _make_corpus(in_dir, N_FILES)

    t0 = time.monotonic()
    r = _run(_run_args(in_dir, ref), tmp_path, subprocess_env(tmp_path / "home-ref", prefect_harness))
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr[-3000:]
    ref_seconds = time.monotonic() - t0
    expected = _outputs(ref)
    assert sum(1 for k in expected if "/" not in k and k.endswith(".json")) == N_FILES

    # 1st kill: early, while batches are being decoded (nothing final written yet)
    _kill_when(
        _run_args(in_dir, out),
        subprocess_env(tmp_path / "home-1", prefect_harness),
        tmp_path,
        lambda: (out / ".work").is_dir() and any((out / ".work").iterdir()),
        "decoding",
    )
    # 2nd kill: in the middle of writing the documents
    _kill_when(
        _run_args(in_dir, out),
        subprocess_env(tmp_path / "home-2", prefect_harness),
        tmp_path,
        lambda: sum(1 for _ in out.glob("*.json")) >= N_FILES // 3,
        "writing",
    )
    n_written = _no_partial_json(out)
    assert 0 < n_written, "the kill left no document at all: it did not land mid-write"

    r = _run(_run_args(in_dir, out), tmp_path, subprocess_env(tmp_path / "home-3", prefect_harness))
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr[-3000:]
    got = _outputs(out)
    assert sorted(got) == sorted(expected), {
        "missing": sorted(set(expected) - set(got))[:10],
        "extra": sorted(set(got) - set(expected))[:10],
    }
    differ = [k for k in expected if got[k] != expected[k]]
    assert not differ, f"{len(differ)} outputs differ from the uninterrupted run, e.g. {differ[:10]}"
    assert not [p for p in tmp_path.rglob(f"{TMP_PREFIX}*")], "temporary files left"
    print(f"uninterrupted run of {N_FILES} files: {ref_seconds:.0f} s; {n_written} documents at the 2nd kill")


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (from /proc: the temporary server, the workers)."""
    kids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            kids.append(int(stat.parent.name))
    return kids


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()[:200]
    except OSError:
        return ""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").is_file() and " Z " not in Path(f"/proc/{pid}/stat").read_text()


def _signal_the_run(tmp_path: Path, send: Any) -> tuple[subprocess.Popen[str], str, list[int], list[Any]]:
    """Start ``newsclean run --workers 2`` on 600 files with its own temporary Prefect server,
    call ``send(proc)`` once the batches run, wait for the command to end; return it, its
    stderr, the processes it had started and those of them still there 15 s after it ended."""
    in_dir, out = tmp_path / "in", tmp_path / "out"
    _make_corpus(in_dir, 600)
    proc = subprocess.Popen(
        [*_run_args(in_dir, out), "--workers", "2"],
        cwd=tmp_path,
        env=subprocess_env(tmp_path / "home-1"),  # no PREFECT_API_URL: the command starts its server
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own group, as a shell gives a foreground job
    )
    kids: list[int] = []
    try:
        deadline = time.monotonic() + 400
        while not ((out / ".work").is_dir() and any((out / ".work").glob("*.parquet"))):
            assert proc.poll() is None, f"the run ended before its batches: {proc.communicate()[1][-2000:]}"
            assert time.monotonic() < deadline, "the batches never started"
            time.sleep(0.05)
        kids = _children(proc.pid)
        send(proc)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate(timeout=60)
        gone_by = time.monotonic() + 15  # a worker sees its command's pipe close, then ends
        while any(_alive(k) for k in kids) and time.monotonic() < gone_by:
            time.sleep(0.1)
        left = [(k, _cmdline(k)) for k in kids if _alive(k)]
        for k, _ in left:
            os.kill(k, signal.SIGKILL)
    assert kids, "no server or worker process seen"
    return proc, err, kids, left


def _next_run_is_whole(tmp_path: Path) -> None:
    """After the interrupted run, a run on the same output equals an uninterrupted one."""
    in_dir, ref, out = tmp_path / "in", tmp_path / "ref", tmp_path / "out"
    args = [*_run_args(in_dir, out), "--workers", "2"]
    r = _run(args, tmp_path, subprocess_env(tmp_path / "home-2"))
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr[-3000:]
    r = _run([*_run_args(in_dir, ref), "--workers", "2"], tmp_path, subprocess_env(tmp_path / "home-3"))
    assert r.returncode == 0, r.stderr[-3000:]
    got, expected = _outputs(out), _outputs(ref)
    assert sorted(got) == sorted(expected)
    assert [k for k in expected if got[k] != expected[k]] == []


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_ctrl_c_stops_the_run_with_130_and_leaves_nothing(tmp_path: Path) -> None:
    """Ctrl-C at the terminal (SIGINT to the command's process group) during the batches, with
    the command's own temporary Prefect server and two batch slots: exit 130, no traceback, the
    server and the worker processes gone with it; the next run equals an uninterrupted one."""
    proc, err, _, left = _signal_the_run(tmp_path, lambda p: os.killpg(p.pid, signal.SIGINT))
    assert proc.returncode == 130, (proc.returncode, err[-3000:])
    assert "Traceback" not in err, err[-3000:]
    assert "interrupted" in err
    assert not left, f"processes left after Ctrl-C: {left}"
    _next_run_is_whole(tmp_path)


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_sigterm_stops_the_run_with_143_and_its_server(tmp_path: Path) -> None:
    """SIGTERM to the command alone (``kill``, a supervisor): exit 143, no traceback, and the
    temporary server (its own process group) and the workers gone with it."""
    proc, err, _, left = _signal_the_run(tmp_path, lambda p: p.send_signal(signal.SIGTERM))
    assert proc.returncode == 143, (proc.returncode, err[-3000:])
    assert "Traceback" not in err, err[-3000:]
    assert not left, f"processes left after SIGTERM: {left}"
    _next_run_is_whole(tmp_path)


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_killed_command_takes_its_server_with_it(tmp_path: Path) -> None:
    """SIGKILL to the command (the OOM killer): it cannot stop its server, which ends by itself."""
    proc, _, _, left = _signal_the_run(tmp_path, lambda p: p.send_signal(signal.SIGKILL))
    assert proc.returncode == -signal.SIGKILL
    assert not left, f"processes left after SIGKILL: {left}"


# ------------------------------------------------------------------------------------------------
# Transient faults: retries with backoff on OSError
# ------------------------------------------------------------------------------------------------


def _small_corpus(folder: Path, names: list[str]) -> None:
    folder.mkdir(parents=True)
    for i, name in enumerate(names):
        (folder / name).write_text(GOOD.replace("Monday", f"day {i}"), encoding="utf-8")


def _flaky_writes(monkeypatch: pytest.MonkeyPatch, target: str, failures: int | None) -> list[str]:
    """Make atomic writes of ``target`` (a file name) raise EIO ``failures`` times (None: always)."""
    import flows.clean_flow
    import flows.outputs

    real = flows.outputs.atomic_write_bytes
    calls: list[str] = []

    def flaky(path: Path, data: bytes, make_parent: bool = True) -> None:
        if path.name == target:
            calls.append(path.name)
            if failures is None or len(calls) <= failures:
                raise OSError(errno.EIO, "Input/output error (injected)", str(path))
        real(path, data, make_parent=make_parent)

    monkeypatch.setattr(flows.outputs, "atomic_write_bytes", flaky)
    monkeypatch.setattr(flows.clean_flow, "atomic_write_bytes", flaky, raising=False)
    return calls


def test_write_fault_twice_then_success(
    prefect_harness: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.clean_flow import clean_flow

    names = ["a.txt", "b.txt", "c.txt"]
    _small_corpus(tmp_path / "in", names)
    calls = _flaky_writes(monkeypatch, "b.json", failures=2)
    summary = clean_flow(input_dir=str(tmp_path / "in"), output_dir=str(tmp_path / "out"), batch_bytes=1)
    assert len(calls) == 3, calls  # two faults, then the retry that succeeds
    assert summary["files"] == 3 and summary["errors"] == 0
    for n in ("a", "b", "c"):
        assert json.loads((tmp_path / "out" / f"{n}.json").read_text(encoding="utf-8"))["articles"]
    assert not list((tmp_path / "out").rglob(f"{TMP_PREFIX}*"))


def test_read_fault_twice_then_success(
    prefect_harness: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.clean_flow import clean_flow

    names = ["a.txt", "flaky.txt", "c.txt"]
    _small_corpus(tmp_path / "in", names)
    real_open = Path.open
    calls: list[str] = []

    def flaky_open(self: Path, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if self.name == "flaky.txt" and "r" in mode:
            calls.append(mode)
            if len(calls) <= 2:
                raise OSError(errno.EIO, "Input/output error (injected)", str(self))
        return real_open(self, mode, *args, **kwargs)

    monkeypatch.setattr(Path, "open", flaky_open)
    summary = clean_flow(input_dir=str(tmp_path / "in"), output_dir=str(tmp_path / "out"), batch_bytes=1)
    assert len(calls) >= 3, calls
    assert summary["files"] == 3 and summary["errors"] == 0, summary
    doc = json.loads((tmp_path / "out" / "flaky.json").read_text(encoding="utf-8"))
    assert "error" not in doc and doc["articles"]


def test_persistent_write_fault_fails_only_its_batch(
    prefect_harness: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.clean_flow import clean_flow

    names = ["a.txt", "poison.txt", "c.txt"]
    _small_corpus(tmp_path / "in", names)
    calls = _flaky_writes(monkeypatch, "poison.json", failures=None)
    out = tmp_path / "out"
    state = clean_flow(input_dir=str(tmp_path / "in"), output_dir=str(out), batch_bytes=1, return_state=True)
    assert len(calls) == 4, calls  # the first try and 3 retries
    # the other batches completed
    for n in ("a", "c"):
        assert json.loads((out / f"{n}.json").read_text(encoding="utf-8"))["articles"]
    assert not (out / "poison.json").exists()
    assert not list(out.rglob(f"{TMP_PREFIX}*"))
    # the run says which batch failed: in the Prefect state, the summary and the manifest
    assert state.is_failed(), state
    assert "poison" in (state.message or "")
    manifest = json.loads((out / "run-manifest.json").read_text(encoding="utf-8"))
    assert manifest["files"] == 3
    assert [f for b in manifest["failed_batches"] for f in b["files"]] == ["poison.txt"]
    assert "poison.txt" in manifest["quarantined"] or "poison.txt" in json.dumps(manifest["failed_batches"])
