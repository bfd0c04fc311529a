"""The report builders (flows/report.py) without a server: keys, caps, escaping, what a run that
changed nothing publishes, the per-file view and the tables. The real UI is in test_ui.py."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import polars as pl
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from ui_helpers import HOSTILE_LINES, ROOT


def _frames(names: list[str]) -> Any:
    from cleaners.pipeline import Source, clean_corpus
    from flows.report import RunFrames

    sources = [Source(n, ("\n".join(HOSTILE_LINES) + "\n").encode()) for n in names]
    c = clean_corpus(sources)
    failures = pl.DataFrame(
        {
            "file": [names[-1]],
            "frame": ["lines"],
            "check": ["<b>x</b>"],
            "column": [None],
            "failure_case": ["1"],
        },
        schema={
            "file": pl.Utf8,
            "frame": pl.Utf8,
            "check": pl.Utf8,
            "column": pl.Utf8,
            "failure_case": pl.Utf8,
        },
    )
    return RunFrames(
        files=c.files,
        lines=c.lines,
        articles=c.articles,
        typos=c.typos,
        failures=failures,
        stems={n: n for n in names},
        out_dir=Path("."),
        data_docs_index=Path("reports/data docs/index.html"),
        max_file_views=2,
    )


def test_publish_run_artifacts_keys_caps_and_escaping(monkeypatch: pytest.MonkeyPatch) -> None:
    import prefect.artifacts as pa

    from flows import report

    made: list[dict[str, Any]] = []
    for fn in ("create_markdown_artifact", "create_table_artifact", "create_link_artifact"):
        monkeypatch.setattr(pa, fn, lambda _fn=fn, **kw: made.append({"fn": _fn, **kw}))
    names = ["a.txt", "B.txt", "b.txt", "<img src=x>.txt", "zz.txt"]
    report.publish_run_artifacts(_frames(names))
    keys = [m["key"] for m in made if m.get("key")]
    assert len(keys) == len(set(keys))
    assert all(re.fullmatch(r"[a-z0-9-]+", k) for k in keys), keys
    assert keys == [report.DATA_DOCS_KEY, report.TYPOS_KEY, report.FILES_KEY, report.SUMMARY_KEY]
    assert made[-1]["key"] == report.SUMMARY_KEY  # created last: listed first in the UI
    views = [m for m in made if not m.get("key")]
    assert len(views) == 2  # capped, and the cap is stated
    assert all("2 of 5 files" in m["description"] for m in views)
    # the quarantined file (a validation failure) comes first: created last
    assert views[-1]["description"].startswith("newsclean: zz.txt in order")
    blob = json.dumps([m.get("markdown") or m.get("table") for m in made])
    assert "<script" not in blob and "<img" not in blob and "<b>" not in blob
    summary = made[-1]["markdown"]
    assert "FAILED: 1 of 5 file(s) quarantined" in summary
    assert "Since the last run" not in summary  # a run that did not say what changed
    assert "Lines by role and reason" in summary and "Typos by kind" in summary


def _published(monkeypatch: pytest.MonkeyPatch, frames: Any) -> list[dict[str, Any]]:
    import prefect.artifacts as pa

    from flows import report

    made: list[dict[str, Any]] = []
    for fn in ("create_markdown_artifact", "create_table_artifact", "create_link_artifact"):
        monkeypatch.setattr(
            pa, fn, lambda _fn=fn, **kw: made.append({"fn": _fn, **kw}) or "id-" + str(len(made))
        )
    report.publish_run_artifacts(frames)
    return made


def test_a_run_that_changed_nothing_republishes_no_table_or_view(monkeypatch: pytest.MonkeyPatch) -> None:
    from dataclasses import replace

    from flows import report

    names = ["a.txt", "b.txt", "c.txt"]
    same = replace(_frames(names), changes={"cleaned": 0, "unchanged": 3, "removed_stale": 0})
    made = _published(monkeypatch, same)
    assert [m.get("key") for m in made] == [report.DATA_DOCS_KEY, report.SUMMARY_KEY]
    summary = made[-1]["markdown"]
    assert "Nothing changed since the last run" in summary
    assert (
        f"({report.KEY_PATH}{report.FILES_KEY})" in summary
        and f"({report.KEY_PATH}{report.TYPOS_KEY})" in summary
    )
    # a stale output removed is a change: the tables are published again
    gone = replace(same, changes={"cleaned": 0, "unchanged": 3, "removed_stale": 1})
    assert report.FILES_KEY in {m.get("key") for m in _published(monkeypatch, gone)}


def test_views_go_to_the_files_cleaned_in_this_run(monkeypatch: pytest.MonkeyPatch) -> None:
    from dataclasses import replace

    names = ["a.txt", "b.txt", "c.txt", "d.txt"]
    frames = replace(
        _frames(names),
        changes={"cleaned": 2, "unchanged": 2, "removed_stale": 0},
        cleaned_files=frozenset({"b.txt", "c.txt"}),
        max_file_views=10,
    )
    made = _published(monkeypatch, frames)
    viewed = sorted(m["description"].split()[1] for m in made if not m.get("key"))
    assert viewed == ["b.txt", "c.txt"]
    summary = made[-1]["markdown"]
    assert "for 2 file(s) cleaned in this run" in summary and "/artifacts/artifact/id-" in summary


def test_the_files_table_puts_the_files_to_look_at_first_and_caps() -> None:
    from flows import report

    c = _frames(["a.txt", "b.txt", "c.txt"])
    rows = report.files_table(
        c.files, c.lines, c.articles, c.typos, c.failures, limit=2, order=["c.txt", "a.txt", "b.txt"]
    )
    assert [r["file"] for r in rows] == ["c.txt", "a.txt"]


def test_report_builders_on_empty_frames() -> None:
    from flows import report

    empty = pl.DataFrame()
    md = report.summary_markdown(empty, empty, empty, empty, empty, {})
    assert "# newsclean run summary" in md and "passed" in md
    assert report.files_table(empty, empty, empty, empty, empty) == []
    assert report.typos_table(empty, empty) == []


def test_files_table_counts_of_the_rows_shown_equal_the_whole_table() -> None:
    """files_table counts only the files it shows (a large run has 100,000): the first rows of a
    capped table equal those of the uncapped one."""
    from cleaners.pipeline import Source, clean_corpus
    from flows import report

    seeds = sorted((ROOT / "seeds").glob("*.txt"))
    c = clean_corpus([Source(p.name, p.read_bytes()) for p in seeds])
    no_failures = pl.DataFrame(schema={"file": pl.Utf8})
    whole = report.files_table(c.files, c.lines, c.articles, c.typos, no_failures)
    assert len(whole) == len(seeds)
    assert (
        any(r["fixes"] for r in whole)
        and any(r["typos"] for r in whole)
        and any(r["removed_boilerplate"] for r in whole)
    )
    assert report.files_table(c.files, c.lines, c.articles, c.typos, no_failures, limit=2) == whole[:2]


def test_reports_read_a_lazy_lines_scan_like_the_frame(tmp_path: Path) -> None:
    """The flow hands the reports a scan of the lines table (millions of rows in a large run): the
    summary and the files table are the same as from the frame in memory."""
    from cleaners.pipeline import Source, clean_corpus
    from flows import report

    seeds = sorted((ROOT / "seeds").glob("*.txt"))
    c = clean_corpus([Source(p.name, p.read_bytes()) for p in seeds])
    c.lines.write_parquet(tmp_path / "lines.parquet")
    scan = pl.scan_parquet(tmp_path / "lines.parquet")
    no_failures = pl.DataFrame(schema={"file": pl.Utf8})
    frames = (c.files, c.lines, c.articles, c.typos, no_failures)
    lazy = (c.files, scan, c.articles, c.typos, no_failures)
    stems = {f: f for f in c.files["file"]}
    summary = report.summary_markdown(*frames, stems)
    assert "Encoding and character fixes" in summary and "| body |" in summary
    assert report.summary_markdown(*lazy, stems) == summary
    assert report.files_table(*lazy) == report.files_table(*frames)
    empty = scan.clear()
    assert "No lines." in report.summary_markdown(c.files, empty, c.articles, c.typos, no_failures, stems)


@pytest.mark.parametrize(
    "raw",
    [
        "<script>alert(1)</script>",
        '<img src="http://evil.example/x.png" onerror=alert(1)>',
        "[click](http://evil.example) ![i](http://evil.example/i.png)",
        "see www.evil.example or http://evil.example or me@evil.example",
        "- list? 1. list? --- | pipe | `code` *em* _em_ ~~s~~",
    ],
)
def test_md_text_is_inert(raw: str) -> None:
    from flows.report import md_text

    out = md_text(raw)
    assert "<" not in out and ">" not in out
    assert not re.search(r"(?<!\\)\]\(|(?<!\\):/|(?<![\\\w])www\.(?!\\)|(?<!\\)@", out), out
    assert not re.match(r"[-=]|\d+\.", out)


def test_file_view_is_the_document_in_order_with_removals_typos_and_repairs() -> None:
    """A file's view is a diff of what the cleaner did: every line in order, removed lines struck
    through as scraped with their reason, typos marked inline, a repair shown before → after."""
    from cleaners.pipeline import Source, clean_corpus
    from flows.report import file_view_markdown

    text = (
        "Storm hits the coast\n"
        "Advertisement\n"
        "The storm hit teh coast on Monday, officials said.\n"
        "The mayor said the cafÃ© was closed on Tuesday and would reopen next week.\n"
        "Leave a Reply\n"
    )
    c = clean_corpus([Source("a.txt", text.encode())])
    md = file_view_markdown("a.txt", c.files.row(0, named=True), c.lines, c.typos, False)
    items = [ln for ln in md.splitlines() if ln.startswith("- `")]
    assert [int(re.match(r"- `(\d+)`", ln).group(1)) for ln in items] == [1, 2, 3, 4, 5]  # type: ignore[union-attr]
    assert items[1].startswith("- `2` ~~Advertisement~~ — *boilerplate · ad\\_slot*")
    assert items[4].startswith("- `5` ~~Leave a Reply~~ — *boilerplate · comment\\_prompt*")
    assert "⟦teh → the⟧ coast" in items[2] and "~~" not in items[2]
    repaired = md.split(items[3], 1)[1].splitlines()[1]
    assert (
        repaired.startswith("  - repaired (")
        and "cafÃ©" in repaired
        and repaired.endswith("the café was closed on Tuesday and would reopen next week.")
    )


def test_tables_put_the_columns_people_act_on_first() -> None:
    """At 1,400 px the first columns are on screen: the files table leads with the file, whether it
    is quarantined and its error; the typos table with the file, the token and its suggestion."""
    from flows import report

    f = _frames(["a.txt", "zz.txt"])
    files_rows = report.files_table(f.files, f.lines, f.articles, f.typos, f.failures)
    assert list(files_rows[0])[:4] == ["file", "quarantined", "error", "typos"]
    assert files_rows[-1]["quarantined"] == "yes" and files_rows[-1]["error"]
    typo_rows = report.typos_table(f.typos, f.articles)
    assert typo_rows and list(typo_rows[0])[:3] == ["file", "token", "suggestion"]
