"""Clean fixture frames for the great-expectations suite, as dicts (so a test can break one field)
and as the polars frames the suite reads. Used by ``tests/schemas/test_gx_suite.py`` and
``tests/test_hostile.py``."""

from __future__ import annotations

from typing import Any

import polars as pl


def make_frames() -> dict[str, list[dict]]:
    """Clean rows (as dicts, so a test can break one field) for the three pipeline frames."""
    articles = [
        {
            "file": "a.txt",
            "article": 0,
            "title": "Council approves budget",
            "subtitle": None,
            "source": "Daily Planet",
            "published": "2024-03-05",
            "byline": "By Lois Lane",
            "dateline": "METROPOLIS",
            "paragraphs": [
                "The council approved the budget on Tuesday.",
                "Officials said the advertisement campaign was misleading, and “quoted” text stays.",
            ],
            "captions": ["The council chamber. (Photo: Getty Images)"],
            "n_paragraphs": 2,
            "n_words": 20,
            "n_typos": 0,
        },
        {
            "file": "a.txt",
            "article": 1,
            "title": "Storm hits coast",
            "subtitle": "Thousands without power",
            "source": None,
            "published": None,
            "byline": None,
            "dateline": None,
            "paragraphs": ["SÃO PAULO — Rain fell for a third day at the café."],
            "captions": [],
            "n_paragraphs": 1,
            "n_words": 11,
            "n_typos": 0,
        },
        {
            "file": "b.txt",
            "article": 0,
            "title": "Markets rally",
            "subtitle": None,
            "source": None,
            "published": "2023-12-31",
            "byline": None,
            "dateline": None,
            "paragraphs": ["Stocks rose sharply.", "Analysts expect more gains."],
            "captions": [],
            "n_paragraphs": 2,
            "n_words": 7,
            "n_typos": 0,
        },
    ]
    lines = [
        {"file": "a.txt", "n": 1, "role": "title", "reason": None, "article": 0, "raw": "x", "text": "x"},
        {"file": "a.txt", "n": 2, "role": "body", "reason": None, "article": 0, "raw": "x", "text": "x"},
        {
            "file": "a.txt",
            "n": 3,
            "role": "boilerplate",
            "reason": "ad",
            "article": None,
            "raw": "Ad",
            "text": "",
        },
        {"file": "b.txt", "n": 1, "role": "title", "reason": None, "article": 0, "raw": "y", "text": "y"},
    ]
    files = [
        {"file": "a.txt", "n_lines": 10, "n_removed_boilerplate": 1, "n_words": 1000, "n_typos": 5},
        {"file": "b.txt", "n_lines": 4, "n_removed_boilerplate": 0, "n_words": 7, "n_typos": 0},
    ]
    return {"articles": articles, "lines": lines, "files": files}


ARTICLES_SCHEMA: dict[str, Any] = {
    "file": pl.Utf8,
    "article": pl.Int64,
    "title": pl.Utf8,
    "subtitle": pl.Utf8,
    "source": pl.Utf8,
    "published": pl.Utf8,
    "byline": pl.Utf8,
    "dateline": pl.Utf8,
    "paragraphs": pl.List(pl.Utf8),
    "captions": pl.List(pl.Utf8),
    "n_paragraphs": pl.Int64,
    "n_words": pl.Int64,
    "n_typos": pl.Int64,
}
LINES_SCHEMA: dict[str, Any] = {
    "file": pl.Utf8,
    "n": pl.Int64,
    "role": pl.Utf8,
    "reason": pl.Utf8,
    "article": pl.Int64,
    "raw": pl.Utf8,
    "text": pl.Utf8,
}
FILES_SCHEMA: dict[str, Any] = {
    "file": pl.Utf8,
    "sha256": pl.Utf8,
    "encoding": pl.Utf8,
    "n_lines": pl.Int64,
    "n_removed_boilerplate": pl.Int64,
    "n_words": pl.Int64,
    "n_typos": pl.Int64,
    "error_kind": pl.Utf8,
    "error_message": pl.Utf8,
}


def to_polars(d: dict[str, list[dict]]) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    files = [
        {"sha256": "0" * 64, "encoding": "utf-8", "error_kind": None, "error_message": None, **f}
        for f in d["files"]
    ]
    return (
        pl.DataFrame(d["articles"], schema=ARTICLES_SCHEMA),
        pl.DataFrame(d["lines"], schema=LINES_SCHEMA),
        pl.DataFrame(files, schema=FILES_SCHEMA),
    )
