"""The output contract on the seeds: shared scorer thresholds, conservation, validation, committed outputs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from cleaners.articles import parse_date, read_dateline, source_from_line
from cleaners.pipeline import Source, clean_corpus, decode_sources, documents
from flows.outputs import article_text, dump_json, output_stems
from schemas.frames import validate_corpus

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))


def _need_shared() -> None:
    if not (SHARED / "eval" / "score.py").exists():
        pytest.fail(f"../shared is missing beside the checkout ({SHARED}); CI and developers have it")


@pytest.fixture(scope="module")
def seed_run() -> tuple[list[Source], dict]:
    sources = [Source(p.name, p.read_bytes()) for p in SEEDS]
    corpus = clean_corpus(sources)
    return sources, {"corpus": corpus, "docs": documents(corpus)}


def test_seeds_are_the_shared_seeds_byte_for_byte() -> None:
    _need_shared()
    shared = sorted((SHARED / "seeds").glob("*.txt"))
    assert [p.name for p in SEEDS] == [p.name for p in shared]
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(SEEDS, shared, strict=True))


def test_shared_scorer_meets_the_bar(seed_run, tmp_path: Path) -> None:
    _need_shared()
    _, run = seed_run
    stems = output_stems(list(run["docs"]))
    for name, doc in run["docs"].items():
        (tmp_path / f"{stems[name]}.json").write_bytes(dump_json(doc))
    out = subprocess.run(
        [
            sys.executable,
            str(SHARED / "eval" / "score.py"),
            "--gold",
            str(SHARED / "gold"),
            "--pred",
            str(tmp_path),
            "--raw",
            str(ROOT / "seeds"),
            "--json",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    score = json.loads(out.stdout)
    assert score["paragraph_f1"] == 1.0
    assert score["title_accuracy"] == score["source_accuracy"] == score["published_accuracy"] == 1.0
    assert score["article_split_accuracy"] == 1.0
    assert score["boilerplate_leaks"] == 0
    assert score["conservation"] is True
    assert score["typo_precision"] >= 0.75 and score["typo_recall"] >= 0.75


def test_every_seed_validates_and_conserves_its_lines(seed_run) -> None:
    sources, run = seed_run
    _, raw = decode_sources(sources)
    c = run["corpus"]
    failures = validate_corpus(raw, c.lines, c.articles, c.typos)
    assert failures.is_empty(), failures


def test_validation_catches_a_leftover_and_a_lost_line(seed_run) -> None:
    sources, run = seed_run
    _, raw = decode_sources(sources)
    c = run["corpus"]
    broken = c.articles.with_columns(
        paragraphs=pl.col("paragraphs").list.concat(pl.lit(["READ FULL ARTICLE"]))
    )
    failures = validate_corpus(raw, c.lines.slice(1), broken, c.typos)
    assert set(failures["check"].to_list()) >= {"no_boilerplate_phrases", "missing_line"}
    assert failures["file"].null_count() == 0


def test_documents_follow_the_contract(seed_run) -> None:
    _, run = seed_run
    for name, doc in run["docs"].items():
        assert doc["file"] == name and len(doc["sha256"]) == 64
        assert doc["encoding"]["detected"].startswith("utf-8")
        for line in doc["lines"]:
            assert line["role"] in {"title", "subtitle", "meta", "byline", "body", "caption", "boilerplate"}
            assert line["role"] in ("body", "title") or line["reason"]
        for art in doc["articles"]:
            assert set(art) >= {
                "title",
                "subtitle",
                "source",
                "published",
                "byline",
                "dateline",
                "paragraphs",
                "captions",
                "typos",
            }
            for t in art["typos"]:
                assert art["paragraphs"][t["paragraph"]][t["start"] : t["end"]] == t["token"]


def test_committed_cleaned_outputs_match_a_fresh_run(seed_run) -> None:
    """Every behaviour change shows up as a reviewed diff of cleaned/ (regenerate with `newsclean run`)."""
    _, run = seed_run
    cleaned = ROOT / "cleaned"
    stems = output_stems(list(run["docs"]))
    for name, doc in run["docs"].items():
        committed = cleaned / f"{stems[name]}.json"
        assert committed.exists(), f"{committed} missing: run `newsclean run`"
        assert committed.read_bytes() == dump_json(doc), f"{committed} is stale: run `newsclean run`"
        for i, art in enumerate(doc["articles"]):
            assert (cleaned / "text" / f"{stems[name]}-{i}.txt").read_text(encoding="utf-8") == article_text(
                art
            )
    c = run["corpus"]
    for table, frame in (("articles", c.articles), ("typos", c.typos), ("lines", c.lines)):
        assert pl.read_parquet(cleaned / f"{table}.parquet").equals(frame), (
            f"cleaned/{table}.parquet is stale"
        )


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("Published January 14, 2025", "2025-01-14"),
        ("NIKKEI ASIA | Published January 14, 2025", "2025-01-14"),
        ("14 March 2024 10:32 GMT", "2024-03-14"),
        ("2023-11-02T10:00:00Z", "2023-11-02"),
        ("Sept. 5, 2022", "2022-09-05"),
        ("25/12/2024", "2024-12-25"),
        ("03/04/2024", None),
        ("February 30, 2024", None),
        ("20 hours ago", None),
    ],
)
def test_parse_date(text: str, want: str | None) -> None:
    assert parse_date(text) == want


def test_sources_and_datelines() -> None:
    assert source_from_line("SOURCE: www.reuters.com") == "reuters.com"
    assert source_from_line("Source: https://www.example.co.uk/news/1") == "example.co.uk"
    assert read_dateline("KYIV, Ukraine, March 3 (AP) — Russia launched …") == (
        "KYIV, Ukraine, March 3 (AP)",
        "AP",
    )
    assert read_dateline("WASHINGTON — The Senate voted …") == ("WASHINGTON", None)
    assert read_dateline("US officials – speaking anonymously – said …") == (None, None)
