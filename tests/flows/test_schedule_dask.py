"""A scheduled deployment reaches Completed on a real server; Dask runs give the same outputs as local runs."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from ui_helpers import free_port, prefect_server, stop

from flows.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    with prefect_server(tmp_path_factory.mktemp("prefect")) as srv:
        yield srv


def _outputs(d: Path) -> dict[str, bytes]:
    skip = ("run-manifest.json", ".state", "reports", ".work")
    return {
        str(p.relative_to(d)): p.read_bytes()
        for p in sorted(d.rglob("*"))
        if p.is_file() and not any(part in skip for part in p.relative_to(d).parts)
    }


def test_the_declared_schedule_is_hourly() -> None:
    args = build_parser().parse_args(["serve"])
    assert args.cron == "0 * * * *" and args.interval is None


def test_serve_without_a_server_says_what_is_missing(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    out = subprocess.run(
        [str(BIN / "newsclean"), "serve"], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120
    )
    assert out.returncode == 2 and "PREFECT_API_URL" in out.stderr and "Traceback" not in out.stderr


def test_a_served_deployment_runs_on_schedule_and_completes(server, tmp_path: Path) -> None:
    inp, out = tmp_path / "in", tmp_path / "out"
    shutil.copytree(ROOT / "seeds", inp)
    log = open(tmp_path / "serve.log", "wb")  # closed in the finally below
    proc = subprocess.Popen(
        [
            str(BIN / "newsclean"),
            "serve",
            "--interval",
            "10",
            "--input",
            "in",  # relative to the command's folder; the deployment stores them absolute
            "--output",
            "out",
        ],
        env=server.env,
        cwd=tmp_path,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 240
        completed = None
        while time.monotonic() < deadline and completed is None:
            time.sleep(3)
            assert proc.poll() is None, (tmp_path / "serve.log").read_text(errors="replace")[-3000:]
            runs = server.post(
                "/flow_runs/filter", {"flow_runs": {"state": {"type": {"any_": ["COMPLETED"]}}}}
            )
            completed = next((r for r in runs if r.get("deployment_id")), None)
        assert completed is not None, (
            "no scheduled run completed in 240 s:\n"
            + (tmp_path / "serve.log").read_text(errors="replace")[-3000:]
        )
        deployment = server.get(f"/deployments/{completed['deployment_id']}")
        assert deployment["name"] == "newsclean"  # named after the flow, whatever the schedule
        assert deployment["parameters"]["input_dir"] == str(inp.resolve())
        assert deployment["parameters"]["output_dir"] == str(out.resolve())
        assert deployment["description"] == f"Cleans {inp.resolve()} into {out.resolve()} every 10 s."
        assert (out / "001_907b5f3dfdec8150.json").exists()
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            stop(proc)  # type: ignore[arg-type]
        log.close()


def test_a_dask_cluster_run_equals_a_local_run(server, tmp_path: Path) -> None:
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**server.env, "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
    procs = [
        subprocess.Popen(
            [str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    ]
    try:
        time.sleep(3)
        for _ in range(2):
            procs.append(
                subprocess.Popen(
                    [
                        str(BIN / "dask"),
                        "worker",
                        address,
                        "--nthreads",
                        "1",
                        "--no-dashboard",
                        "--host",
                        "127.0.0.1",
                    ],
                    env=env,
                    cwd=ROOT,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    start_new_session=True,
                )
            )
        inp = tmp_path / "in"
        shutil.copytree(ROOT / "seeds", inp)
        local, dask = tmp_path / "local", tmp_path / "dask"
        base = [str(BIN / "newsclean"), "run", "--input", str(inp), "--batch-mb", "0.003"]
        r1 = subprocess.run(
            [*base, "--output", str(local), "--workers", "1"],
            env=server.env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert r1.returncode == 0, r1.stderr[-3000:]
        r2 = subprocess.run(
            [*base, "--output", str(dask), "--dask-address", address],
            env=server.env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert r2.returncode == 0, r2.stderr[-3000:]
        assert _outputs(dask) == _outputs(local)
        assert len(_outputs(local)) > 10
    finally:
        for p in reversed(procs):
            stop(p)  # type: ignore[arg-type]


def test_worker_processes_share_one_temporary_server_and_match_threads(tmp_path: Path) -> None:
    """--workers 3 without a server: one temporary Prefect server for the command and its workers.

    With the console handler at INFO (newsclean's default is WARNING) Prefect logs "Starting
    temporary server" whenever it starts one itself (in the command, or in a worker that did not
    find PREFECT_API_URL)."""
    inp = tmp_path / "in"
    shutil.copytree(ROOT / "seeds", inp)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    env.update(
        PREFECT_HOME=str(tmp_path / "home"),
        PREFECT_LOGGING_LEVEL="INFO",
        PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL="INFO",
    )
    base = [str(BIN / "newsclean"), "run", "--input", str(inp), "--batch-mb", "0.003"]
    runs = {}
    for workers in ("1", "3"):
        out = tmp_path / f"out{workers}"
        r = subprocess.run(
            [*base, "--output", str(out), "--workers", workers],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            cwd=tmp_path,
        )
        assert r.returncode == 0, r.stderr[-3000:]
        runs[workers] = r.stdout + r.stderr
        # newsclean starts the server before importing the flow; Prefect never starts another
        assert runs[workers].count("newsclean: temporary Prefect server on http://127.0.0.1:") == 1
        assert "Starting temporary server" not in runs[workers], runs[workers][-3000:]
        assert "Error logging to API" not in runs[workers]
        # the workers are stopped before the tables and reports, which run in the command's process
        # (3 slots: one in the command's process, two worker processes, started as calls need them)
        stopped = re.search(
            r"stopped (\d) idle worker process\(es\) before the tables and reports", runs[workers]
        )
        assert (stopped is not None) == (workers == "3"), runs[workers][-3000:]
        assert stopped is None or 1 <= int(stopped.group(1)) <= 2
    assert runs["3"].count("decode-and-repair") >= 5  # one task run per batch, in the batch slots
    assert _outputs(tmp_path / "out3") == _outputs(tmp_path / "out1")
    assert len(_outputs(tmp_path / "out1")) > 10


def test_workers_default_to_processes_only_for_large_inputs(tmp_path: Path) -> None:
    from flows.cli import AUTO_WORKERS_BATCHES, _workers

    (tmp_path / "a.txt").write_bytes(b"x" * 5000)
    small = build_parser().parse_args(["run", "--input", str(tmp_path), "--batch-mb", "0.01"])
    assert _workers(small) == 1
    many = build_parser().parse_args(
        ["run", "--input", str(tmp_path), "--batch-mb", str(4000 / AUTO_WORKERS_BATCHES / 1024 / 1024)]
    )
    assert _workers(many) == min(os.cpu_count() or 1, 8)
    explicit = build_parser().parse_args(["run", "--input", str(tmp_path), "--workers", "3"])
    assert _workers(explicit) == 3
