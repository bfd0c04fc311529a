"""The benchmark corpus generator (benchmarks/generate.py) and a tiny end-to-end benchmark run."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks"


def _load_generate() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_generate", BENCH / "generate.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look the module up while the class is built
    spec.loader.exec_module(mod)
    return mod


gen = _load_generate()


def _read_all(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_same_seed_gives_identical_bytes(tmp_path: Path) -> None:
    a = gen.generate(120, tmp_path / "a", seed=7)
    b = gen.generate(120, tmp_path / "b", seed=7)
    assert [p.name for p in a] == [p.name for p in b]
    assert _read_all(tmp_path / "a") == _read_all(tmp_path / "b")
    assert len(a) == 120 and all(p.suffix == ".txt" for p in a)


def test_output_does_not_depend_on_jobs(tmp_path: Path) -> None:
    gen.generate(2100, tmp_path / "one", seed=3, jobs=1)
    gen.generate(2100, tmp_path / "two", seed=3, jobs=2)
    assert _read_all(tmp_path / "one") == _read_all(tmp_path / "two")


def test_another_seed_gives_other_files(tmp_path: Path) -> None:
    gen.generate(20, tmp_path / "a", seed=0)
    gen.generate(20, tmp_path / "b", seed=1)
    a, b = _read_all(tmp_path / "a"), _read_all(tmp_path / "b")
    assert set(a) != set(b)
    assert set(a.values()).isdisjoint(b.values())


def test_files_are_about_3_kb() -> None:
    sizes = [len(gen.build_file(i, 0)[1]) for i in range(300)]
    mean = sum(sizes) / len(sizes)
    assert 2000 < mean < 4500, mean
    assert min(sizes) > 1000


def test_produces_every_family_and_kind_of_damage() -> None:
    """Over a few hundred files every site family and every requested feature occurs."""
    files = [gen.build_file(i, 0) for i in range(400)]
    families = {f["family"] for _, _, f in files}
    assert families == set(gen.FAMILIES)
    feats = {k for _, _, f in files for k, v in f.items() if v is True}
    assert {
        "glued",
        "mojibake",
        "cp1252_file",
        "cp1252_line",
        "nbsp",
        "doubled_word",
        "misspelling",
        "name_variant",
        "crlf",
        "html_entity",
        "invisible",
        "double_mojibake",
    } <= feats
    blob = b"\n".join(data for _, data, _ in files)
    text = blob.decode("utf-8", errors="replace")
    for phrase in (
        "Advertisement",
        "Header Ads Widget",
        "READ FULL ARTICLE",
        "SOURCE: www.",
        "Post a Comment",
        "0 Comments",
        " ago",
        "KCNA VIA KNS/AFP via Getty Images",
        "(Photo: ",
        "RELATED: ",
        "| Published ",
        "Share | Tweet | Email",
        "newsletter",
        "\u00a0",
        "â€",  # UTF-8 read as cp1252
    ):
        assert phrase in text, phrase


def test_damage_is_what_it_claims() -> None:
    cp1252, not_utf8 = 0, 0
    for i in range(400):
        _, data, f = gen.build_file(i, 0)
        if f.get("cp1252_file") or f.get("cp1252_line"):
            cp1252 += 1
            data.decode("cp1252", errors="replace")
            try:
                data.decode("utf-8")
            except UnicodeDecodeError:
                not_utf8 += 1
            # (a cp1252 file whose only non-ASCII text is mojibake is valid UTF-8 by accident)
        else:
            text = data.decode("utf-8")
            if f.get("mojibake"):
                assert "â€" in text or "Ã¢â‚¬" in text
            if f.get("double_mojibake"):
                assert "Ã¢â‚¬" in text
            if f.get("crlf"):
                assert "\r\n" in text
    assert cp1252 >= 20 and not_utf8 >= 0.9 * cp1252


def test_clean_variant_needs_no_repair() -> None:
    from cleaners.encoding import repair_line

    for i in range(40):
        _, data, _ = gen.build_file(i, 0, clean=True)
        text = data.decode("utf-8")
        assert "\r" not in text and "\u00a0" not in text and "â€" not in text
        for line in text.splitlines():
            if line.strip():
                assert repair_line(line) == (line, []), line


def test_prose_lines_end_like_sentences() -> None:
    """Long lines are prose: nearly all end in '.', '”' or '’' (the rest are captions)."""
    long_lines = []
    for i in range(30):
        _, data, _ = gen.build_file(i, 0, clean=True)
        long_lines += [ln for ln in data.decode("utf-8").splitlines() if len(ln) > 150]
    assert len(long_lines) > 100
    prose = [ln for ln in long_lines if ln.endswith((".", "”", "’"))]
    assert len(prose) / len(long_lines) > 0.85


def test_headlines_get_no_typos_or_damage() -> None:
    """Typos and damage go into body paragraphs only. A headline ending in a quote mark is long
    enough to pass for prose; sentences appended to it left articles without a title."""
    for i in range(3000):
        _, data, f = gen.build_file(i, 0)
        first = data.decode("cp1252" if f.get("cp1252_file") else "utf-8", errors="replace").splitlines()[0]
        assert not first.endswith("."), (i, first)
        assert "â€" not in first and "&#8217;" not in first, (i, first)


def test_mojibake_roundtrips_through_ftfy() -> None:
    import ftfy

    s = "Kim’s “heroes” – 100\u00a0km"
    assert gen.mojibake(s) != s
    assert ftfy.fix_text(gen.mojibake(s), uncurl_quotes=False) == s
    assert ftfy.fix_text(gen.mojibake(gen.mojibake(s)), uncurl_quotes=False) == s


@pytest.mark.slow
def test_tiny_benchmark_run_prints_the_json_line(tmp_path: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            str(BENCH / "run.py"),
            "--n",
            "50",
            "--workdir",
            str(tmp_path),
            "--precheck-mb",
            "0.5",
        ],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    last = proc.stdout.strip().splitlines()[-1]
    result = json.loads(last)
    assert list(result) == [
        "n",
        "mb_per_s",
        "files_per_s",
        "ratio_vs_datatrove",
        "prefect_overhead",
        "peak_rss_mb",
        "ftfy_precheck_speedup",
    ]
    assert result["n"] == 50
    for key in ("mb_per_s", "files_per_s", "prefect_overhead", "peak_rss_mb", "ftfy_precheck_speedup"):
        assert isinstance(result[key], float), (key, result)
    assert result["mb_per_s"] > 0 and result["peak_rss_mb"] > 0
    assert result["prefect_overhead"] < 1
    # datatrove is an optional extra: the ratio is a number when it is installed, else null
    if importlib.util.find_spec("datatrove") is None:
        assert result["ratio_vs_datatrove"] is None
    else:
        assert isinstance(result["ratio_vs_datatrove"], float)
    # without --keep the corpus and outputs are removed
    assert not (tmp_path / "corpus").exists()


@pytest.mark.slow
def test_benchmark_server_mode_runs_the_flow_against_a_started_server(tmp_path: Path) -> None:
    """``--server``: one Prefect server, started before the timed runs, serves both flow runs (the
    one-file run and the timed one), and is stopped at the end."""
    import psutil

    before = {p.pid for p in psutil.process_iter()}
    proc = subprocess.run(
        [
            sys.executable,
            str(BENCH / "run.py"),
            "--n",
            "20",
            "--workdir",
            str(tmp_path),
            "--steps",
            "flow",
            "--server",
            "--keep",
        ],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "against a Prefect server started before it" in proc.stdout
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["n"] == 20 and result["mb_per_s"] > 0 and result["peak_rss_mb"] > 0
    # both runs used the benchmark's server, none started its own temporary one
    for log in ("first-run.log", "flow.log"):
        assert "temporary Prefect server" not in (tmp_path / log).read_text(), log
    docs = [p for p in (tmp_path / "flow-out").glob("*.json") if p.name != "run-manifest.json"]
    assert len(docs) == 20
    # the server is gone once the benchmark exits
    servers = [
        p
        for p in psutil.process_iter(["pid", "cmdline"])
        if p.info["pid"] not in before
        and "prefect.server.api.server:create_app" in " ".join(p.info["cmdline"] or [])
    ]
    assert servers == []


def test_benchmark_refuses_server_with_cold() -> None:
    proc = subprocess.run(
        [sys.executable, str(BENCH / "run.py"), "--n", "1", "--server", "--cold"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert proc.returncode == 2
    assert "--server and --cold" in proc.stderr
