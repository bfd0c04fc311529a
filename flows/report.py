"""Human-readable run reports (Prefect artifacts, terminal). All scraped text is escaped."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from flows.outputs import escape_md


@dataclass
class RunFrames:
    """What a finished run hands to its reports."""

    files: pl.DataFrame
    lines: pl.DataFrame
    articles: pl.DataFrame
    typos: pl.DataFrame
    failures: pl.DataFrame
    stems: Mapping[str, str]
    out_dir: Path
    data_docs_index: Path | None = None


def _table(header: list[str], rows: list[list[object]]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def summary_markdown(
    files: pl.DataFrame,
    lines: pl.DataFrame,
    articles: pl.DataFrame,
    typos: pl.DataFrame,
    failures: pl.DataFrame,
    stems: Mapping[str, str],
) -> str:
    """Markdown summary of a run: files, articles, lines by role and reason, fixes, typos, validation."""
    n_files = len(files)
    errors = files.filter(pl.col("error_kind").is_not_null()) if n_files else files
    fixes = int(lines["fixes"].list.len().sum()) if "fixes" in lines.columns and len(lines) else 0
    quarantined = (
        sorted(set(failures["file"].drop_nulls().to_list()) | set(errors["file"].to_list()))
        if n_files
        else []
    )
    parts = [
        "# newsclean run summary",
        "",
        _table(
            [
                "files",
                "bad input",
                "articles",
                "lines",
                "encoding fixes",
                "typos",
                "validation failures",
                "quarantined",
            ],
            [
                [
                    n_files,
                    len(errors),
                    len(articles),
                    len(lines),
                    fixes,
                    len(typos),
                    len(failures),
                    len(quarantined),
                ]
            ],
        ),
        "",
        "## Lines by role and reason",
        "",
    ]
    if len(lines):
        by = lines.group_by("role", "reason").len().sort(["role", "len"], descending=[False, True])
        parts.append(
            _table(["role", "reason", "lines"], [[r, escape_md(str(s or "")), n] for r, s, n in by.rows()])
        )
    if len(typos):
        parts += ["", "## Typos by kind", ""]
        tk = typos.group_by("kind").len().sort("len", descending=True)
        parts.append(_table(["kind", "flags"], [list(r) for r in tk.rows()]))
    if len(errors):
        parts += ["", "## Bad input", ""]
        parts.append(
            _table(
                ["file", "kind", "message"],
                [
                    [escape_md(f), k, escape_md(m or "")]
                    for f, k, m in errors.select("file", "error_kind", "error_message").rows()
                ],
            )
        )
    if len(failures):
        parts += ["", "## Validation failures", ""]
        vf = failures.group_by("file", "frame", "check").len().sort("file", "frame", "check")
        parts.append(
            _table(
                ["file", "frame", "check", "cases"],
                [[escape_md(str(f)), fr, escape_md(c), n] for f, fr, c, n in vf.rows()],
            )
        )
    verdict = "passed" if not len(failures) else f"{len(quarantined)} file(s) quarantined"
    parts += ["", f"**Validation:** {verdict}"]
    return "\n".join(parts) + "\n"


def publish_run_artifacts(run: RunFrames) -> None:
    """Create the run's keyed Prefect artifacts (kept as a history per key in the UI)."""
    from prefect.artifacts import create_markdown_artifact

    create_markdown_artifact(
        key="newsclean-run-summary",
        markdown=summary_markdown(run.files, run.lines, run.articles, run.typos, run.failures, run.stems),
        description="newsclean run summary",
    )
