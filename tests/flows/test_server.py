"""The temporary Prefect server newsclean starts before importing the flow (flows/server.py)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from flows.server import TemporaryServer

#: Runs flows, servers or long property searches: `bash scripts/test.sh --all` runs it.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def test_server_answers_health_then_stops(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "home"))
    server = TemporaryServer()
    try:
        url = server.wait(timeout=180)
        assert url == server.api_url and url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(f"{url}/health", timeout=5) as r:
            assert r.status == 200
    finally:
        server.stop()
    assert server.proc.poll() is not None  # the process is gone, not left behind


def test_a_server_that_exits_while_starting_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self: TemporaryServer) -> subprocess.Popen[bytes]:
        return subprocess.Popen([sys.executable, "-c", "import sys; sys.exit(7)"])

    monkeypatch.setattr(TemporaryServer, "_spawn", broken)
    server = TemporaryServer()
    with pytest.raises(RuntimeError, match="exited with code 7 while starting"):
        server.wait(timeout=30)


def test_run_reports_a_server_that_does_not_start_in_time(tmp_path: Path) -> None:
    r = _newsclean_run(
        tmp_path, ROOT / "seeds", tmp_path / "out", PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="0"
    )
    assert r.returncode == 4, r.stderr[-2000:]
    assert "the temporary Prefect server did not answer within" in r.stderr
    assert "Traceback" not in r.stderr
    assert not (tmp_path / "out").exists()  # nothing was written


def _entry(main_body: str) -> subprocess.CompletedProcess[str]:
    """Run flows.cli.entry in a fresh interpreter with ``main`` replaced by ``main_body``."""
    code = (
        "import atexit, sys\n"
        "import flows.cli as cli\n"
        f"def main():\n    {main_body}\n"
        "cli.main = main\n"
        "cli.entry()\n"
    )
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)


def test_the_command_runs_the_exit_handlers_and_keeps_its_status() -> None:
    """entry() skips the interpreter's teardown, not the exit handlers registered during the run
    (Prefect's, the temporary server's stop), nor the exit status or the last output."""
    r = _entry("atexit.register(print, 'handler ran'); print('last line', end=''); return 3")
    assert r.returncode == 3, r.stderr
    assert r.stdout == "last line" + "handler ran\n"


def test_the_command_exits_1_with_the_traceback_on_an_uncaught_error() -> None:
    r = _entry("raise ZeroDivisionError('boom')")
    assert r.returncode == 1
    assert "ZeroDivisionError: boom" in r.stderr


def test_a_server_whose_app_fails_to_start_is_not_called_a_port_clash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """uvicorn exits 3 both when its port is taken and when the app fails to start; a PREFECT_HOME
    that is a file (no database can be opened) is the second, and the error says so."""
    home = tmp_path / "home"
    home.write_text("not a folder\n")
    monkeypatch.setenv("PREFECT_HOME", str(home))
    server = TemporaryServer()
    try:
        with pytest.raises(RuntimeError, match="failed to start") as err:
            server.wait(timeout=180)
        assert "was taken" not in str(err.value) and str(home) in str(err.value)
        assert server.proc.returncode == 3
    finally:
        server.stop()


def test_run_creates_a_prefect_home_whose_parents_are_missing(tmp_path: Path) -> None:
    home = tmp_path / "not" / "yet" / "home"
    r = _newsclean_run(tmp_path, ROOT / "seeds", tmp_path / "out", PREFECT_HOME=str(home))
    assert r.returncode == 0, r.stderr[-3000:]
    assert (home / "prefect.db").is_file()
    assert len(list((tmp_path / "out").glob("*.json"))) == len(list((ROOT / "seeds").glob("*.txt"))) + 1


def _newsclean_run(
    tmp_path: Path, inp: Path, out: Path, *args: str, **env_extra: str
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    env["PREFECT_HOME"] = str(tmp_path / "home")
    env.update(env_extra)
    return subprocess.run(
        [str(BIN / "newsclean"), "run", "--input", str(inp), "--output", str(out), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
    )


def test_run_against_an_api_that_does_not_answer_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as s:  # a loopback port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/api"
    r = _newsclean_run(tmp_path, ROOT / "seeds", tmp_path / "out", PREFECT_API_URL=url)
    assert r.returncode == 4, r.stderr[-2000:]
    assert f"no Prefect API answers at {url} (PREFECT_API_URL)" in r.stderr
    assert "Traceback" not in r.stderr
    assert not (tmp_path / "out").exists()  # nothing was written


def test_run_into_an_output_path_below_a_file_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("x\n")
    r = _newsclean_run(tmp_path, ROOT / "seeds", tmp_path / "a-file" / "out")
    assert r.returncode == 2, r.stderr[-2000:]
    assert (
        f"cannot write the output folder {tmp_path / 'a-file' / 'out'}: {tmp_path / 'a-file'} is not a directory"
        in r.stderr
    )
    assert "Traceback" not in r.stderr


def test_run_over_an_empty_folder_completes_and_says_so(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    r = _newsclean_run(tmp_path, tmp_path / "in", tmp_path / "out")
    assert r.returncode == 0, r.stderr[-2000:]
    assert "no files match *.txt in" in r.stderr
    assert "0 files ->" in r.stdout and "validation: passed" in r.stdout
    assert "Traceback" not in r.stderr


def test_run_on_a_dask_address_that_does_not_answer_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as s:  # a loopback port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    r = _newsclean_run(tmp_path, ROOT / "seeds", tmp_path / "out", "--dask-address", address)
    assert r.returncode == 4, r.stderr[-2000:]
    assert f"no Dask scheduler answers at {address}: Connection refused" in r.stderr
    assert "Traceback" not in r.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (["--help"], 0, "usage: newsclean"),
        (["run", "--help"], 0, "--batch-mb"),
        ([], 2, "required"),
        (["run", "--bogus"], 2, "unrecognized arguments"),
        (["run", "--batch-mb", "abc"], 2, "not a number"),
        (["run", "--batch-mb", "nan"], 2, "expected megabytes"),
        (["run", "--batch-mb", "inf"], 2, "expected megabytes"),
        (["run", "--max-bytes", "0"], 2, "expected 1 or more"),
        (["run", "--workers", "1.5"], 2, "not a whole number"),
        (["run", "--pattern", ""], 2, "expected a pattern inside the input folder"),
        (["run", "--pattern", "/abs/*.txt"], 2, "expected a pattern inside the input folder"),
        (["clean", "x", "--pattern", ""], 2, "expected a pattern inside the input folder"),
        (["serve", "--interval", "0"], 2, "expected seconds above 0"),
    ],
)
def test_the_command_line_is_checked_before_anything_starts(args: list[str], code: int, says: str) -> None:
    r = subprocess.run([str(BIN / "newsclean"), *args], capture_output=True, text=True, timeout=120)
    assert r.returncode == code, (r.returncode, r.stderr[-1000:])
    assert says in r.stdout + r.stderr
    assert "Traceback" not in r.stderr


def test_a_dask_address_without_a_scheme_is_checked_as_tcp(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    r = _newsclean_run(tmp_path, ROOT / "seeds", tmp_path / "out", "--dask-address", f"127.0.0.1:{port}")
    assert r.returncode == 4, r.stderr[-2000:]
    assert f"no Dask scheduler answers at 127.0.0.1:{port}: Connection refused" in r.stderr
    assert "Traceback" not in r.stderr


def _two_folders_with_one_name(tmp_path: Path) -> Path:
    seeds = sorted((ROOT / "seeds").glob("*.txt"))
    for day, seed in (("day1", seeds[0]), ("day2", seeds[1])):
        (tmp_path / "in" / day).mkdir(parents=True)
        shutil.copy(seed, tmp_path / "in" / day / "index.txt")
    return tmp_path / "in"


def test_clean_refuses_inputs_that_share_a_name(tmp_path: Path) -> None:
    inp = _two_folders_with_one_name(tmp_path)
    r = subprocess.run(
        [
            str(BIN / "newsclean"),
            "clean",
            str(inp / "day1"),
            str(inp / "day2"),
            "--output",
            str(tmp_path / "o"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 2, r.stderr[-2000:]
    assert "inputs share a file name, so their outputs would collide: index.txt" in r.stderr
    assert not (tmp_path / "o").exists()


def test_run_refuses_a_pattern_whose_files_share_a_name(tmp_path: Path) -> None:
    inp = _two_folders_with_one_name(tmp_path)
    r = _newsclean_run(tmp_path, inp, tmp_path / "out", "--pattern", "day*/*.txt")
    assert r.returncode == 2, r.stderr[-2000:]
    assert "inputs share a file name, so their outputs would collide: index.txt" in r.stderr
    assert "Traceback" not in r.stderr and not (tmp_path / "out").exists()


def test_clean_never_writes_over_its_inputs(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "seeds", tmp_path / "in")
    before = {p.name: p.read_bytes() for p in (tmp_path / "in").iterdir()}
    r = subprocess.run(
        [
            str(BIN / "newsclean"),
            "clean",
            str(tmp_path / "in"),
            "--output",
            str(tmp_path / "in"),
            "--format",
            "text",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 2, r.stderr[-2000:]
    assert "would overwrite the input" in r.stderr
    assert {p.name: p.read_bytes() for p in (tmp_path / "in").iterdir()} == before
    # json documents beside the inputs are fine: they overwrite nothing
    r = subprocess.run(
        [str(BIN / "newsclean"), "clean", str(tmp_path / "in"), "--output", str(tmp_path / "in")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    assert len(list((tmp_path / "in").glob("*.json"))) == len(before)


def test_a_run_logs_at_info_to_the_api_and_keeps_the_terminal_quiet(tmp_path: Path) -> None:
    """The UI shows the run's log (counts, phases, quarantine reasons, the verdict); the terminal
    prints only the command's own lines."""
    import sqlite3

    inp = tmp_path / "in"
    shutil.copytree(ROOT / "seeds", inp)
    (inp / "zz_blank.txt").write_bytes(b"  \n\n")  # quarantined: empty
    r = _newsclean_run(tmp_path, inp, tmp_path / "out")
    assert r.returncode == 0, r.stderr[-3000:]
    assert " INFO " not in r.stderr and "| INFO" not in r.stderr, r.stderr[-3000:]
    with sqlite3.connect(tmp_path / "home" / "prefect.db") as db:
        rows = db.execute("SELECT level, message FROM log WHERE flow_run_id IS NOT NULL").fetchall()
    messages = [m for level, m in rows if level == 20]  # logging.INFO
    assert any(m.startswith("cleaned 6 of 6 files") for m in messages), messages
    assert any(m.startswith("phase seconds:") for m in messages), messages
    assert any(m.startswith("quarantined zz_blank.txt: empty") for m in messages), messages
    assert any(m.startswith("validation: ") for m in messages), messages
