"""A run reads only its input folder and writes only its output folder (and Prefect's home in the
user's cache); odd inputs and odd arguments get a clear verdict, never a traceback."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from badinput import GOOD, subprocess_env

ROOT = Path(__file__).resolve().parents[2]
NEWSCLEAN = str(Path(sys.executable).parent / "newsclean")


def _cli(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([NEWSCLEAN, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def _linked_folder(tmp_path: Path) -> Path:
    """An input folder with a good file, a link to a file outside it and a link to one inside."""
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n" + GOOD, encoding="utf-8")
    inp = tmp_path / "in"
    (inp / "sub").mkdir(parents=True)
    (inp / "good.txt").write_text(GOOD, encoding="utf-8")
    (inp / "sub" / "kept.md").write_text(GOOD + "Inside the folder.\n", encoding="utf-8")
    (inp / "passwd.txt").symlink_to(secret)
    (inp / "inside.txt").symlink_to(inp / "sub" / "kept.md")
    return inp


def test_clean_follows_links_only_inside_the_input_folder(tmp_path: Path) -> None:
    inp = _linked_folder(tmp_path)
    r = _cli("clean", str(inp), "--output", str(tmp_path / "o"), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "passwd.txt: link_outside_input:" in r.stderr and "Traceback" not in r.stderr
    doc = json.loads((tmp_path / "o" / "passwd.json").read_text(encoding="utf-8"))
    assert doc["error"]["kind"] == "link_outside_input" and doc["lines"] == []
    assert "root:x" not in json.dumps(doc)
    inside = json.loads((tmp_path / "o" / "inside.json").read_text(encoding="utf-8"))
    assert "error" not in inside and inside["lines"]
    r = _cli("clean", str(inp), "--output", str(tmp_path / "f"), "--follow-links", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    followed = json.loads((tmp_path / "f" / "passwd.json").read_text(encoding="utf-8"))
    assert "error" not in followed and followed["lines"]


@pytest.mark.slow
def test_the_flow_quarantines_a_link_outside_the_input_folder(prefect_harness: str, tmp_path: Path) -> None:
    from flows.clean_flow import clean_flow

    inp, out = _linked_folder(tmp_path), tmp_path / "out"
    summary = clean_flow(input_dir=str(inp), output_dir=str(out))
    assert "passwd.txt" in summary["quarantined"]
    assert summary["quarantine_reasons"]["passwd.txt"].startswith("link_outside_input: ")
    files = pl.read_parquet(out / "files.parquet")
    kinds = dict(files.select("file", "error_kind").iter_rows())
    assert kinds == {"good.txt": None, "inside.txt": None, "passwd.txt": "link_outside_input"}
    assert "root:x" not in (out / "passwd.json").read_text(encoding="utf-8")
    followed = clean_flow(input_dir=str(inp), output_dir=str(tmp_path / "f"), follow_links=True)
    assert followed["quarantined"] == []


@pytest.mark.parametrize("pattern", ["../*.txt", "sub/../../*.txt", "..\\*.txt"])
def test_a_pattern_that_leaves_the_input_folder_is_a_usage_error(tmp_path: Path, pattern: str) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "outside.txt").write_text(GOOD, encoding="utf-8")
    for cmd in (["run", "--input", "in"], ["clean", "in", "--output", "o"]):
        r = _cli(*cmd, "--pattern", pattern, cwd=tmp_path)
        assert r.returncode == 2, r.stderr
        assert "expected a pattern inside the input folder" in r.stderr
    assert not (tmp_path / "o").exists() and not (tmp_path / "cleaned").exists()


def test_clean_into_an_existing_file_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("x\n")
    r = _cli("clean", str(ROOT / "seeds"), "--output", str(tmp_path / "taken"), cwd=tmp_path)
    assert r.returncode == 2, r.stderr
    assert f"--output {tmp_path / 'taken'} is a file, not a folder" in r.stderr
    assert "Traceback" not in r.stderr and (tmp_path / "taken").read_text() == "x\n"


def test_clean_of_an_empty_folder_makes_the_output_folder_it_names(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    r = _cli("clean", str(tmp_path / "empty"), "--output", str(tmp_path / "x"), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert f"wrote 0 file(s) to {tmp_path / 'x'}" in r.stderr
    assert (tmp_path / "x").is_dir()


def test_serve_against_an_api_that_does_not_answer_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as s:  # a loopback port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/api"
    env = {**subprocess_env(tmp_path / "home"), "PREFECT_API_URL": url}
    r = _cli("serve", "--interval", "60", cwd=tmp_path, env=env)
    assert r.returncode == 4, r.stderr[-2000:]
    assert f"no Prefect API answers at {url} (PREFECT_API_URL)" in r.stderr
    assert "Traceback" not in r.stderr


@pytest.mark.slow
def test_run_from_another_folder_writes_nothing_there(tmp_path: Path) -> None:
    """Prefect's database goes to the user's cache, not ``./.prefect`` of wherever the run starts."""
    elsewhere, cache = tmp_path / "elsewhere", tmp_path / "cache"
    elsewhere.mkdir()
    shutil.copytree(ROOT / "seeds", tmp_path / "in")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(XDG_CACHE_HOME=str(cache), DO_NOT_TRACK="1", PREFECT_SERVER_ANALYTICS_ENABLED="false")
    r = _cli(
        "run", "--input", str(tmp_path / "in"), "--output", str(tmp_path / "out"), cwd=elsewhere, env=env
    )
    assert r.returncode == 0, r.stderr[-3000:]
    assert list(elsewhere.iterdir()) == []
    assert (cache / "newsclean" / "prefect").is_dir() and list((cache / "newsclean" / "prefect").iterdir())


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
def test_run_into_proc_is_a_usage_error(prefect_harness: str, tmp_path: Path) -> None:
    """/proc passes every check a folder can pass before anything is made (it exists, is a folder,
    and is writable to root), and still no folder can be made in it."""
    env = subprocess_env(tmp_path / "home", prefect_harness)
    r = _cli("run", "--input", str(ROOT / "seeds"), "--output", "/proc/newsclean-out", cwd=tmp_path, env=env)
    assert r.returncode == 2, r.stderr[-2000:]
    assert "newsclean run: cannot write the output folder /proc/newsclean-out" in r.stderr
    assert "Traceback" not in r.stderr
