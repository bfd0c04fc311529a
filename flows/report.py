"""Human-readable run reports: Prefect artifacts a person reads in the UI.

Every artifact key is fixed (or derived from the input's file name), so the UI keeps a history
per key across runs. Keys use lowercase letters, digits and dashes only (Prefect's rule).

All scraped text (file names, lines, tokens, messages) goes through :func:`md_text`: HTML and
markdown specials are escaped and autolinks are broken, so a scraped ``<script>``, ``<img src=…>``
or ``[link](http://…)`` shows exactly as written and stays inert. Prefect renders markdown in
table-artifact cells too, so cells are escaped the same way.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from cleaners.structure import KEPT_ROLES, METADATA_ROLES
from flows.outputs import escape_md

#: Artifact keys (stable across runs: the UI shows each key's history).
SUMMARY_KEY = "newsclean-run-summary"
FILES_KEY = "newsclean-files"
TYPOS_KEY = "newsclean-typos"
DATA_DOCS_KEY = "newsclean-data-docs"

#: Caps that keep a big run's artifacts small enough for the UI.
MAX_FILE_VIEWS = 50
MAX_VIEW_LINKS = 10  # links to per-file views in the summary
#: Where the Prefect UI shows an artifact (a path on the UI's own origin: the link works wherever
#: the UI is opened from).
ARTIFACT_PATH = "/artifacts/artifact/"
#: Where the UI shows a key's latest artifact and its history.
KEY_PATH = "/artifacts/key/"
MAX_LINES_PER_VIEW = 300
#: Rows of the files and typos tables (the UI renders a table artifact in one piece: 2,000 rows
#: took 5.5 s); every row is in files.parquet and typos.parquet.
MAX_TABLE_ROWS = 500
MAX_CELL_CHARS = 1500
CONTEXT_CHARS = 24

# Things a GFM renderer turns into links on its own: scheme URLs, www. hosts, e-mail addresses.
_AUTOLINK = re.compile(r"(?i)(?<=www)\.|[:@]")
# Block markers that would matter at the start of a table-artifact cell (each cell is rendered
# as its own markdown document): list items, thematic breaks, setext underlines.
_LEADING_BLOCK = re.compile(r"^(?:[-=]|\d+(?=[.)]))")


def _inline(text: str) -> str:
    """escape_md, then break what a GFM renderer would autolink (``http:``, ``www.``, ``a@b``)."""
    return _AUTOLINK.sub(lambda m: "\\" + m.group(0), escape_md(text))


def md_text(text: object, limit: int = MAX_CELL_CHARS) -> str:
    """Scraped text as inert markdown (inline, one line) that renders exactly as written.

    >>> md_text('<img src="http://x/y.png"> [a](www.e.com) me@x.org')
    '&lt;img src=\\\\"http\\\\://x/y.png\\\\"&gt; \\\\[a\\\\]\\\\(www\\\\.e.com\\\\) me\\\\@x.org'
    >>> md_text("- item"), md_text("2024. A year"), md_text(None)
    ('\\\\- item', '2024\\\\. A year', '')
    """
    if text is None:
        return ""
    s = str(text).strip()
    if len(s) > limit:
        s = s[:limit] + " …"
    s = _inline(s)
    m = _LEADING_BLOCK.match(s)
    if m:
        s = m.group(0) + "\\" + s[m.end() :] if m.group(0)[0].isdigit() else "\\" + s
    return s


@dataclass
class RunFrames:
    """What a finished run hands to its reports."""

    files: pl.DataFrame
    #: One row per line (a lazy scan in a large run: the reports read aggregates of it)
    lines: pl.DataFrame | pl.LazyFrame
    articles: pl.DataFrame
    typos: pl.DataFrame
    failures: pl.DataFrame
    stems: Mapping[str, str]
    out_dir: Path
    data_docs_index: Path | None = None
    #: The run's verdict (:func:`schemas.gx_suite.run_verdict`), shown in the summary.
    verdict: str | None = None
    #: What changed since the last run: files ``cleaned`` (new or changed), ``unchanged`` (kept),
    #: ``removed_stale`` (outputs of files gone from the input).
    changes: Mapping[str, int] | None = None
    #: The files cleaned in this run (new or changed; None: every file): only they get a view, an
    #: unchanged file's view is the one of the run that cleaned it.
    cleaned_files: frozenset[str] | None = None
    max_file_views: int = MAX_FILE_VIEWS
    #: Where the full lines table is, when ``lines`` holds only some columns: the per-file views
    #: read their files' rows (raw and repaired text) from it.
    lines_path: Path | None = None
    #: Where the full articles table is, when ``articles`` holds no text: the typo table reads the
    #: paragraphs of the flags it lists from it.
    articles_path: Path | None = None


def _has(df: pl.DataFrame | pl.LazyFrame, *cols: str) -> bool:
    """``df`` has these columns and, when in memory, rows (a lazy frame's are not known unread)."""
    if isinstance(df, pl.LazyFrame):
        return all(c in df.collect_schema().names() for c in cols)
    return len(df) > 0 and all(c in df.columns for c in cols)


def _count(df: pl.DataFrame | pl.LazyFrame) -> int:
    return int(df.select(pl.len()).collect().item()) if isinstance(df, pl.LazyFrame) else len(df)


def _table(header: list[str], rows: list[list[object]]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join("" if c is None else str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def _bad_files(files: pl.DataFrame) -> pl.DataFrame:
    if not _has(files, "error_kind"):
        return files.clear() if len(files.columns) else files
    return files.filter(pl.col("error_kind").is_not_null())


def quarantined_files(files: pl.DataFrame, failures: pl.DataFrame) -> list[str]:
    """Files with bad input or a validation failure, sorted."""
    out = set(_bad_files(files)["file"].to_list()) if _has(files, "file", "error_kind") else set()
    if _has(failures, "file"):
        out |= set(failures["file"].drop_nulls().to_list())
    return sorted(out)


def _fix_rows(lines: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """One row per encoding/normalization fix: file, n, before, after, steps."""
    schema = {"file": pl.Utf8, "n": pl.Int32, "before": pl.Utf8, "after": pl.Utf8, "steps": pl.Utf8}
    if not _has(lines, "file", "n", "fixes"):
        return pl.DataFrame(schema=schema)
    fx = (
        lines.lazy()
        .select("file", "n", "fixes")
        .filter(pl.col("fixes").list.len() > 0)
        .explode("fixes")
        .collect()
    )
    if not len(fx):
        return pl.DataFrame(schema=schema)
    fx = fx.unnest("fixes")
    steps = (
        pl.col("steps").list.join(", ")
        if "steps" in fx.columns and fx.schema["steps"] == pl.List(pl.Utf8)
        else pl.lit("")
    )
    return fx.select(
        pl.col("file"), pl.col("n").cast(pl.Int32), pl.col("before"), pl.col("after"), steps.alias("steps")
    )


def _ref(key: str, links: Mapping[str, str]) -> str:
    """An artifact key, as a link to the artifact's page when its id is known.

    >>> _ref("newsclean-files", {"newsclean-files": "1f2e"}), _ref("newsclean-typos", {})
    ('[`newsclean-files`](/artifacts/artifact/1f2e)', '`newsclean-typos`')
    """
    return f"[`{key}`]({ARTIFACT_PATH}{links[key]})" if key in links else f"`{key}`"


def changed_line(changes: Mapping[str, int]) -> str:
    """What a run changed, in a few words.

    >>> changed_line({"cleaned": 0, "unchanged": 5, "removed_stale": 0})
    '0 cleaned (new or changed), 5 unchanged, 0 stale output(s) removed'
    """
    return (
        f"{changes.get('cleaned', 0)} cleaned (new or changed), {changes.get('unchanged', 0)} unchanged, "
        f"{changes.get('removed_stale', 0)} stale output(s) removed"
    )


def summary_markdown(
    files: pl.DataFrame,
    lines: pl.DataFrame | pl.LazyFrame,
    articles: pl.DataFrame,
    typos: pl.DataFrame,
    failures: pl.DataFrame,
    stems: Mapping[str, str],
    *,
    file_views: int = 0,
    data_docs: bool = False,
    verdict: str | None = None,
    changes: Mapping[str, int] | None = None,
    links: Mapping[str, str] | None = None,
    views: Mapping[str, str] | None = None,
) -> str:
    """Markdown summary of a run: what changed since the last run, files, articles, lines by role
    and reason, fixes, typos, validation. ``links`` (artifact key -> id) and ``views`` (file ->
    the id of its view, worst first) become links to those artifacts in the UI."""
    links, views = links or {}, views or {}
    n_files = len(files)
    errors = _bad_files(files)
    fixes = _fix_rows(lines)
    quarantined = quarantined_files(files, failures)
    by_role = (  # lines per (role, reason): all the summary needs of the lines themselves
        lines.lazy().group_by("role", "reason").len().collect()
        if _has(lines, "role", "reason")
        else pl.DataFrame(schema={"role": pl.Utf8, "reason": pl.Utf8, "len": pl.UInt32})
    )
    n_lines = int(by_role["len"].sum()) if len(by_role) else _count(lines)
    n_removed = int(by_role.filter(pl.col("role") == "boilerplate")["len"].sum())
    n_moved = int(by_role.filter(pl.col("role").is_in(METADATA_ROLES))["len"].sum())
    verdict = verdict or (
        "passed: every file validated"
        if not len(failures) and not len(errors)
        else f"FAILED: {len(quarantined)} of {n_files} file(s) quarantined "
        f"({len(errors)} bad input, {len(failures)} validation failure(s))"
    )
    counts = {
        "files": n_files,
        "bad input": len(errors),
        "articles": len(articles),
        "lines": n_lines,
        "removed (boilerplate)": n_removed,
        "moved to metadata": n_moved,
        "encoding fixes": len(fixes),
        "typos": len(typos),
        "validation failures": len(failures),
        "quarantined": len(quarantined),
    }
    parts = [
        "# newsclean run summary",
        "",
        f"**Validation:** {verdict}",
        "",
        *([f"**Since the last run:** {changed_line(changes)}", ""] if changes is not None else []),
        _table(list(counts), [list(counts.values())]),
        "",
        _artifacts_sentence(changes, links, file_views, data_docs),
        "",
        *([_views_line(views), ""] if views else []),
        "## Lines by role and reason",
        "",
    ]
    parts += _roles_section(by_role) + _fixes_section(fixes) + _typos_section(typos)
    parts += _problems_section(errors, failures, quarantined)
    return "\n".join(parts) + "\n"


def _artifacts_sentence(
    changes: Mapping[str, int] | None, links: Mapping[str, str], file_views: int, data_docs: bool
) -> str:
    """What "removed" counts, and where this run's tables, views and Data Docs are."""
    if nothing_changed(changes):
        where = (
            "Nothing changed since the last run, so this run publishes no tables or views: the latest are "
            f"[`{FILES_KEY}`]({KEY_PATH}{FILES_KEY}) and [`{TYPOS_KEY}`]({KEY_PATH}{TYPOS_KEY})"
        )
    else:
        where = (
            f"Artifacts of this run: {_ref(FILES_KEY, links)} (one row per file), {_ref(TYPOS_KEY, links)} "
            "(typo flags by suggestion)"
        )
        if file_views:
            where += (
                f", per-file views on this run's Artifacts tab (the document in order, for {file_views} file(s) "
                "cleaned in this run: quarantined, then most removed and typos)"
            )
    docs = f", {_ref(DATA_DOCS_KEY, links)} (great-expectations Data Docs)" if data_docs else ""
    return (
        "Removed lines are every line that is not a `title` or `body` line "
        f"(they are kept in the JSON documents with their role and reason). {where}{docs}."
    )


def _views_line(views: Mapping[str, str]) -> str:
    """Links to the per-file views, worst first."""
    shown = ", ".join(f"[{md_text(f)}]({ARTIFACT_PATH}{i})" for f, i in list(views.items())[:MAX_VIEW_LINKS])
    more = "" if len(views) <= MAX_VIEW_LINKS else f" and {len(views) - MAX_VIEW_LINKS} more"
    return f"Files to look at first: {shown}{more}"


def _roles_section(by_role: pl.DataFrame) -> list[str]:
    """The lines per (role, reason) table of the summary."""
    if not len(by_role):
        return ["No lines."]
    by = by_role.sort(["role", "len", "reason"], descending=[False, True, False])  # ties by name
    return [
        _table(["role", "reason", "lines"], [[md_text(r), md_text(s or "—"), n] for r, s, n in by.rows()])
    ]


def _fixes_section(fixes: pl.DataFrame) -> list[str]:
    """The encoding and character fixes by step, with examples."""
    parts: list[str] = []
    if len(fixes):
        parts += ["", "## Encoding and character fixes", ""]
        by_step = fixes.group_by("steps").len().sort(["len", "steps"], descending=[True, False])
        parts.append(_table(["fix", "lines"], [[md_text(s or "—"), n] for s, n in by_step.rows()]))
        sample = fixes.filter(pl.col("steps") != "normalize_spaces").head(15)
        if len(sample):
            parts += ["", "Examples (other than space normalization):", ""]
            parts.append(
                _table(
                    ["file", "line", "before", "after"],
                    [
                        [md_text(f), n, md_text(b, 160), md_text(a, 160)]
                        for f, n, b, a in sample.select("file", "n", "before", "after").rows()
                    ],
                )
            )
    return parts


def _typos_section(typos: pl.DataFrame) -> list[str]:
    """Typo flags by kind and the most frequent suggestions."""
    parts: list[str] = []
    if _has(typos, "kind"):
        parts += ["", "## Typos by kind", ""]
        tk = typos.group_by("kind").len().sort(["len", "kind"], descending=[True, False])
        parts.append(_table(["kind", "flags"], [[md_text(k), n] for k, n in tk.rows()]))
        if "suggestion" in typos.columns:
            sugg = (
                typos.filter(pl.col("suggestion").is_not_null())
                .group_by("suggestion")
                .agg(
                    pl.len().alias("flags"),
                    pl.col("token").unique().sort().alias("tokens"),
                    pl.col("file").n_unique().alias("files"),
                )
                .sort(["flags", "suggestion"], descending=[True, False])
                .head(20)
            )
            if len(sugg):
                parts += ["", "Most frequent suggestions:", ""]
                parts.append(
                    _table(
                        ["suggestion", "flagged as", "flags", "files"],
                        [
                            [md_text(s), ", ".join(md_text(t, 80) for t in toks[:8]), n, nf]
                            for s, n, toks, nf in sugg.select("suggestion", "flags", "tokens", "files").rows()
                        ],
                    )
                )
    return parts


def _problems_section(errors: pl.DataFrame, failures: pl.DataFrame, quarantined: list[str]) -> list[str]:
    """Bad input, validation failures and the quarantined files."""
    parts: list[str] = []
    if len(errors):
        parts += ["", "## Bad input", ""]
        parts.append(
            _table(
                ["file", "kind", "message"],
                [
                    [md_text(f), md_text(k), md_text(m or "")]
                    for f, k, m in errors.select("file", "error_kind", "error_message").rows()
                ],
            )
        )
    if _has(failures, "file", "frame", "check"):
        parts += ["", "## Validation failures", ""]
        vf = failures.group_by("file", "frame", "check").len().sort("file", "frame", "check", nulls_last=True)
        parts.append(
            _table(
                ["file", "frame", "check", "cases"],
                [[md_text(f or "—"), md_text(fr), md_text(c), n] for f, fr, c, n in vf.rows()],
            )
        )
    if quarantined:
        parts += ["", "## Quarantined", ""]
        shown = quarantined[:100]
        parts += [f"- {md_text(f)}" for f in shown]
        if len(quarantined) > len(shown):
            parts.append(f"- … and {len(quarantined) - len(shown)} more (see `{FILES_KEY}`)")
    return parts


def files_table(
    files: pl.DataFrame,
    lines: pl.DataFrame | pl.LazyFrame,
    articles: pl.DataFrame,
    typos: pl.DataFrame,
    failures: pl.DataFrame,
    limit: int = MAX_TABLE_ROWS,
    order: Sequence[str] | None = None,
) -> list[dict[str, Any]]:
    """One row per file (escaped), the columns a reader acts on first: file, quarantined, error,
    typos, removed_boilerplate, moved_to_metadata, fixes, lines, articles, encoding. The first
    ``limit`` files of ``order`` (default: as in ``files``)."""
    if not _has(files, "file"):
        return []
    if order is None:
        shown = files.head(limit)
    else:
        rank = {f: i for i, f in enumerate(order[:limit])}
        shown = (
            files.filter(pl.col("file").is_in(list(rank)))
            .with_columns(_rank=pl.col("file").replace_strict(rank, return_dtype=pl.Int64))
            .sort("_rank")
            .drop("_rank")
        )
    wanted = pl.col("file").is_in(shown["file"].implode())  # counts of the rows shown only

    def counts(df: pl.DataFrame | pl.LazyFrame, name: str, cond: pl.Expr | None = None) -> dict[str, int]:
        if not _has(df, "file"):
            return {}
        keep = wanted if cond is None else wanted & cond
        return dict(df.lazy().filter(keep).group_by("file").len().collect().rows())

    n_articles = counts(articles, "articles")
    n_lines = counts(lines, "lines")
    has_role = _has(lines, "role")
    n_removed = counts(lines, "removed", pl.col("role") == "boilerplate") if has_role else {}
    n_moved = counts(lines, "moved", pl.col("role").is_in(METADATA_ROLES)) if has_role else {}
    n_typos = counts(typos, "typos")
    n_fixes = counts(_fix_rows(lines.lazy().filter(wanted) if _has(lines, "file") else lines), "fixes")
    quarantined = set(quarantined_files(files, failures))
    n_fail = counts(failures, "failures")
    rows = []
    for r in shown.iter_rows(named=True):
        f = r["file"]
        err = ""
        if r.get("error_kind"):
            err = f"{r['error_kind']}: {r.get('error_message') or ''}"
        elif n_fail.get(f):
            err = f"{n_fail[f]} validation failure(s)"
        rows.append(
            {
                "file": md_text(f),
                "quarantined": "yes" if f in quarantined else "no",
                "error": md_text(err, 300),
                "typos": n_typos.get(f, 0),
                "removed_boilerplate": n_removed.get(f, 0),
                "moved_to_metadata": n_moved.get(f, 0),
                "fixes": n_fixes.get(f, 0),
                "lines": n_lines.get(f, 0),
                "articles": n_articles.get(f, 0),
                "encoding": md_text(r.get("encoding") or "—"),
            }
        )
    return rows


def _context(paragraph: str | None, start: int, end: int, width: int = CONTEXT_CHARS) -> str:
    """The flagged span in its paragraph, marked ⟦like this⟧, escaped."""
    if not paragraph:
        return ""
    start, end = max(0, start), max(start, min(end, len(paragraph)))
    a = max(0, start - width)
    b = min(len(paragraph), end + width)
    before, span, after = paragraph[a:start], paragraph[start:end], paragraph[end:b]
    return (
        ("…" if a > 0 else "")
        + _inline(before)
        + "⟦"
        + _inline(span)
        + "⟧"
        + _inline(after)
        + ("…" if b < len(paragraph) else "")
    )


def typos_table(
    typos: pl.DataFrame, articles: pl.DataFrame | pl.LazyFrame, limit: int = MAX_TABLE_ROWS
) -> list[dict[str, Any]]:
    """Typo flags sorted by suggestion (flags without one last), then token and file; escaped.

    ``articles`` may be a lazy scan: only the paragraphs of the listed flags' articles are read.
    """
    if not _has(typos, "file", "token", "kind"):
        return []
    ordered = typos.sort(
        ["suggestion", "token", "file", "article", "paragraph", "start"], nulls_last=True
    ).head(limit)
    paragraphs: dict[tuple[str, int], list[str]] = {}
    if {"file", "article", "paragraphs"} <= set(articles.lazy().collect_schema().names()):
        wanted = ordered.select("file", "article").unique()
        for f, a, ps in (
            articles.lazy()
            .join(wanted.lazy(), on=["file", "article"], how="semi")
            .select("file", "article", "paragraphs")
            .collect()
            .iter_rows()
        ):
            paragraphs[(f, a)] = ps or []
    rows = []
    for r in ordered.iter_rows(named=True):
        ps = paragraphs.get((r["file"], r["article"]), [])
        p = r.get("paragraph")
        para = ps[p] if p is not None and 0 <= p < len(ps) else None
        rows.append(
            {
                "file": md_text(r["file"]),
                "token": md_text(r["token"], 120),
                "suggestion": md_text(r.get("suggestion") or "—"),
                "kind": md_text(r["kind"]),
                "context": _context(para, r.get("start") or 0, r.get("end") or 0),
            }
        )
    return rows


def file_view_markdown(
    name: str,
    file_row: Mapping[str, Any],
    lines: pl.DataFrame,
    typos: pl.DataFrame,
    quarantined: bool,
    max_lines: int = MAX_LINES_PER_VIEW,
) -> str:
    """One file's document in order, a diff of what the cleaner did: removed lines struck through
    (as scraped) with their role and reason, kept lines as they now read with typos marked inline,
    repairs before → after, each line with the line model's ``p_body``."""
    mine = lines.filter(pl.col("file") == name).sort("n") if _has(lines, "file", "n") else lines
    removed = mine.filter(~pl.col("role").is_in(KEPT_ROLES)) if _has(mine, "role") else mine.clear()
    kept = mine.filter(pl.col("role").is_in(KEPT_ROLES)) if _has(mine, "role") else mine.clear()
    n_typos = len(typos.filter(pl.col("file") == name)) if _has(typos, "file") else 0
    parts = [
        f"# {md_text(name)}",
        "",
        _table(
            [
                "encoding",
                "lines",
                "removed (boilerplate)",
                "moved to metadata",
                "kept",
                "typos",
                "quarantined",
            ],
            [
                [
                    md_text(file_row.get("encoding") or "—"),
                    len(mine),
                    len(removed.filter(pl.col("role") == "boilerplate")) if _has(removed, "role") else 0,
                    len(removed.filter(pl.col("role").is_in(METADATA_ROLES))) if _has(removed, "role") else 0,
                    len(kept),
                    n_typos,
                    "yes" if quarantined else "no",
                ]
            ],
        ),
    ]
    if file_row.get("error_kind"):
        parts += [
            "",
            f"**Bad input:** {md_text(file_row['error_kind'])}: {md_text(file_row.get('error_message') or '')}",
        ]
    parts += [
        "",
        "## The document in order",
        "",
        "Removed lines are struck through, with their role and reason; typos are marked ⟦like this → "
        "suggestion⟧; repaired lines show the text before → after.",
        "",
    ]
    if not len(mine):
        parts.append("No lines.")
        return "\n".join(parts) + "\n"
    flags = _typos_by_paragraph(typos.filter(pl.col("file") == name) if _has(typos, "file") else typos)
    paragraph_of = _paragraph_numbers(mine)
    shown = mine.head(max(max_lines, 0))
    for r in shown.iter_rows(named=True):
        parts += _view_line(r, flags.get(paragraph_of.get(r["n"], (-1, -1)), []))
    if len(shown) < len(mine):
        parts += [
            "",
            f"*{len(mine) - len(shown)} more line(s) not shown (the view is capped at {max_lines} "
            "lines; the JSON document has them all).*",
        ]
    return "\n".join(parts) + "\n"


def _paragraph_numbers(lines: pl.DataFrame) -> dict[int, tuple[int, int]]:
    """Each body line's (article, paragraph index): an article's paragraphs are its body lines in order."""
    if not _has(lines, "role", "article", "n"):
        return {}
    body = lines.filter(pl.col("role") == "body").sort("n")
    body = body.with_columns(paragraph=pl.int_range(pl.len()).over("article"))
    return {n: (a, p) for n, a, p in body.select("n", "article", "paragraph").iter_rows()}


def _typos_by_paragraph(typos: pl.DataFrame) -> dict[tuple[int, int], list[dict[str, Any]]]:
    out: dict[tuple[int, int], list[dict[str, Any]]] = {}
    if not _has(typos, "article", "paragraph", "start", "end"):
        return out
    for t in typos.sort("article", "paragraph", "start").iter_rows(named=True):
        out.setdefault((t["article"], t["paragraph"]), []).append(t)
    return out


def _marked(text: str, flags: list[dict[str, Any]], limit: int = MAX_CELL_CHARS) -> str:
    """``text`` escaped, each flagged span marked ⟦like this → suggestion⟧.

    >>> _marked("It siad so.", [{"start": 3, "end": 7, "suggestion": "said"}])
    'It ⟦siad → said⟧ so.'
    """
    text = text[:limit]
    out, at = [], 0
    for t in flags:
        start, end = max(at, t["start"] or 0), min(len(text), t["end"] or 0)
        if end <= start:
            continue
        sug = f" → {_inline(t['suggestion'])}" if t.get("suggestion") else ""
        out += [_inline(text[at:start]), "⟦", _inline(text[start:end]), sug, "⟧"]
        at = end
    out.append(_inline(text[at:]))
    return "".join(out).strip()


def _view_line(r: Mapping[str, Any], flags: list[dict[str, Any]]) -> list[str]:
    """One line of the document view (a list item, with its repairs as a sub-item)."""
    role, n = r.get("role"), r["n"]
    p_body = r.get("p_body")
    score = "" if p_body is None else f" · p_body {p_body:.2f}"
    if role not in KEPT_ROLES:
        raw = md_text(r.get("raw"))
        shown = f"~~{raw}~~" if raw else "*(empty)*"
        return [f"- `{n}` {shown} — *{md_text(role)} · {md_text(r.get('reason') or '—')}*{score}"]
    text = _marked(r.get("content") or "", flags) if role == "body" else md_text(r.get("content"))
    label = "**title** " if role == "title" else ""
    out = [f"- `{n}` {label}{text}{score}"]
    for fx in r.get("fixes") or []:
        steps = ", ".join(fx.get("steps") or [])
        out.append(
            f"  - repaired ({md_text(steps)}): {md_text(fx.get('before'))} → {md_text(fx.get('after'))}"
        )
    return out


def _safe(
    create: Callable[..., Any], log: logging.Logger | logging.LoggerAdapter[Any], **kwargs: Any
) -> str | None:
    """Create one artifact and return its id; a failure is logged, never fatal (the outputs are
    already written)."""
    try:
        made = create(**kwargs)
    except Exception as exc:  # reports must not fail a finished run
        log.warning("could not create artifact %s: %s", kwargs.get("key"), exc)
        return None
    return None if made is None else str(made)


def _logger() -> logging.Logger | logging.LoggerAdapter[Any]:
    try:
        from prefect import get_run_logger

        return get_run_logger()
    except Exception:
        return logging.getLogger("newsclean.report")


def nothing_changed(changes: Mapping[str, int] | None) -> bool:
    """Whether a run cleaned no file and removed no stale output (its tables would repeat the
    last ones).

    >>> nothing_changed({"cleaned": 0, "unchanged": 5, "removed_stale": 0}), nothing_changed(None)
    (True, False)
    """
    return changes is not None and not changes.get("cleaned", 0) and not changes.get("removed_stale", 0)


def publish_run_artifacts(run: RunFrames) -> None:
    """Create the run's Prefect artifacts: the keyed summary, files and typos tables and Data Docs
    link (a history per key in the UI), and unkeyed per-file views (on the run's page, linked from
    the summary: a key per file would pile up as inputs come and go).

    Created in reverse reading order (the UI lists a run's artifacts newest first): per-file
    views, the Data Docs link, the typo and file tables, then the summary. A run that changed
    nothing publishes no views or tables: the summary links to the latest ones.
    """
    from prefect.artifacts import create_markdown_artifact

    log = _logger()
    quarantined = set(quarantined_files(run.files, run.failures))
    names: list[str] = run.files["file"].to_list() if _has(run.files, "file") else []
    same = nothing_changed(run.changes)
    ranked = [] if same else files_that_matter(run.files, quarantined)  # the files table's order too
    fresh = ranked if run.cleaned_files is None else [f for f in ranked if f in run.cleaned_files]
    chosen = fresh[: max(run.max_file_views, 0)]

    view_ids = _publish_file_views(run, chosen, len(fresh), quarantined, log)
    links = _publish_tables(run, same, ranked, len(names), log)
    _safe(
        create_markdown_artifact,
        log,
        key=SUMMARY_KEY,
        markdown=summary_markdown(
            run.files,
            run.lines,
            run.articles,
            run.typos,
            run.failures,
            run.stems,
            file_views=len(chosen),
            data_docs=run.data_docs_index is not None,
            verdict=run.verdict,
            changes=run.changes,
            links={k: v for k, v in links.items() if v is not None},
            views={f: view_ids[f] for f in chosen if f in view_ids},
        ),
        description=(
            f"newsclean run summary: {md_text(run.verdict or 'no verdict')}; {len(names)} file(s)"
            + (f" ({changed_line(run.changes)})" if run.changes is not None else "")
            + f", {len(run.articles)} article(s), {len(run.typos)} typo flag(s)"
        ),
    )


def _publish_file_views(
    run: RunFrames, chosen: list[str], n_fresh: int, quarantined: set[str], log: Any
) -> dict[str, str]:
    """One unkeyed markdown artifact per chosen file, last first; return file -> artifact id."""
    from prefect.artifacts import create_markdown_artifact

    rows_by_file = (  # the viewed files' rows only (a dict per file of a large run is ~100 MB)
        {r["file"]: r for r in run.files.filter(pl.col("file").is_in(chosen)).iter_rows(named=True)}
        if chosen
        else {}
    )
    view_lines = (
        pl.scan_parquet(run.lines_path).filter(pl.col("file").is_in(chosen)).collect()
        if run.lines_path is not None and chosen
        else run.lines.lazy().collect()
    )
    lines_of = _by_file(view_lines, chosen)
    typos_of = _by_file(run.typos, chosen)
    note = (
        f"; views exist for {len(chosen)} of {n_fresh} files cleaned in this run (quarantined first, "
        "then the most lines removed or moved plus typos)"
        if len(chosen) < n_fresh
        else ""
    )
    view_ids: dict[str, str] = {}
    for name in reversed(chosen):
        made = _safe(
            create_markdown_artifact,
            log,
            markdown=file_view_markdown(
                name,
                rows_by_file[name],
                lines_of.get(name, view_lines.clear()),
                typos_of.get(name, run.typos.clear()),
                name in quarantined,
            ),
            description=f"newsclean: {md_text(name)} in order, removals struck through{note}",
        )
        if made is not None:
            view_ids[name] = made
    return view_ids


def _publish_tables(
    run: RunFrames, same: bool, ranked: list[str], n_files: int, log: Any
) -> dict[str, str | None]:
    """The Data Docs link and, unless nothing changed, the typos and files tables; return
    artifact key -> id (None where creating it failed)."""
    from prefect.artifacts import create_link_artifact, create_table_artifact

    links: dict[str, str | None] = {}
    if run.data_docs_index is not None:
        links[DATA_DOCS_KEY] = _safe(
            create_link_artifact,
            log,
            key=DATA_DOCS_KEY,
            link=Path(run.data_docs_index).resolve().as_uri(),
            link_text="great-expectations Data Docs",
            description="newsclean: validation report (a file on the machine that ran the flow)",
        )
    if same:
        return links
    articles = pl.scan_parquet(run.articles_path) if run.articles_path is not None else run.articles
    typo_rows = typos_table(run.typos, articles)
    if typo_rows:
        cap = (
            f" (first {len(typo_rows)} of {len(run.typos)}; all of them: {md_text(run.out_dir / 'typos.parquet')})"
            if len(typo_rows) < len(run.typos)
            else ""
        )
        links[TYPOS_KEY] = _safe(
            create_table_artifact,
            log,
            key=TYPOS_KEY,
            table=typo_rows,
            description=f"newsclean: typo flags sorted by suggestion{cap}; the flagged span is marked ⟦like this⟧",
        )
    file_rows = files_table(run.files, run.lines, run.articles, run.typos, run.failures, order=ranked)
    if file_rows:
        cap = (
            f" (the {len(file_rows)} to look at first of {n_files}; all of them: "
            f"{md_text(run.out_dir / 'files.parquet')})"
            if len(file_rows) < n_files
            else ""
        )
        links[FILES_KEY] = _safe(
            create_table_artifact,
            log,
            key=FILES_KEY,
            table=file_rows,
            description=f"newsclean: one row per input file{cap}",
        )
    return links


#: The per-file counts (:func:`cleaners.pipeline.with_stats`) that rank the files to look at.
_WORTH_A_LOOK = ("n_removed_boilerplate", "n_moved_to_metadata", "n_typos")


def files_that_matter(files: pl.DataFrame, quarantined: set[str]) -> list[str]:
    """The files a reader opens first: quarantined ones, then the most lines removed or moved to
    metadata plus typo flags (the per-file counts in ``files``), then by name.

    >>> files = pl.DataFrame({"file": ["a", "b", "c", "d"], "n_removed_boilerplate": [0, 1, 0, None],
    ...     "n_moved_to_metadata": [0, 1, 0, None], "n_typos": [0, 0, 1, None]})
    >>> files_that_matter(files, {"d"})
    ['d', 'b', 'c', 'a']
    """
    if not _has(files, "file"):
        return []
    counts = [c for c in _WORTH_A_LOOK if c in files.columns]
    weight = pl.sum_horizontal(pl.col(c).fill_null(0) for c in counts) if counts else pl.lit(0)
    ranked = files.select("file", weight=weight).iter_rows()
    return [f for f, _ in sorted(ranked, key=lambda r: (r[0] not in quarantined, -r[1], r[0]))]


def _by_file(df: pl.DataFrame, names: list[str]) -> dict[str, pl.DataFrame]:
    """The rows of ``df`` for each of ``names`` (one pass, not one filter per file)."""
    if not _has(df, "file") or not names:
        return {}
    parts = df.filter(pl.col("file").is_in(names)).partition_by("file", as_dict=True, maintain_order=True)
    return {str(k[0]): v for k, v in parts.items()}


def _short_line(text: object, width: int) -> str:
    """``text`` on one line, cut to ``width`` characters with an ellipsis."""
    line = " ".join(str(text).split())
    return line if len(line) <= width else line[: width - 1] + "…"


def validation_table(rows: Sequence[Mapping[str, Any]], width: int = 160) -> str:
    """The great-expectations results as a terminal table for the run's output and a CI log (rich,
    no colour codes): one row per expectation. Observed examples are scraped text, shown as plain
    text (never read as rich markup), on one line each.

    >>> print(validation_table([{"passed": False, "severity": "critical", "frame": "paragraphs",
    ...     "check": "no boilerplate phrases", "expectation": "e", "column": "paragraph",
    ...     "observed": "[bold]x[/bold]"}]))
    result  severity  frame       check                   column     observed
    ───────────────────────────────────────────────────────────────────────────────
    FAIL    critical  paragraphs  no boilerplate phrases  paragraph  [bold]x[/bold]
    """
    from io import StringIO

    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, 1, 0, 0), header_style="")
    for col in ("result", "severity", "frame", "check", "column", "observed"):
        table.add_column(col, no_wrap=True, overflow="ellipsis")
    for r in rows:
        table.add_row(
            *(
                Text(str(v))
                for v in (
                    "PASS" if r["passed"] else "FAIL",
                    r["severity"],
                    r.get("frame", ""),
                    r.get("check", r["expectation"]),
                    r["column"],
                    _short_line(r["observed"], 90),
                )
            )
        )
    out = StringIO()
    Console(file=out, width=width, color_system=None, force_terminal=False).print(table)
    return "\n".join(line.rstrip() for line in out.getvalue().splitlines())
