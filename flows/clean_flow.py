"""The newsclean Prefect flow: scraped files in, validated cleaned documents out.

discover -> batches of files -> [decode and repair] -> cross-file repetition -> [classify lines,
split articles, read metadata] -> corpus name counts -> [typos] -> [validate] -> [write]
-> tables and run summary artifact. Each bracketed stage is one task run per batch.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from cleaners.articles import build_articles
from cleaners.lines import repeat_counts
from cleaners.pipeline import (
    CLEANER_VERSION,
    DEFAULT_MAX_BYTES,
    LINE_COLUMNS,
    Corpus,
    classify_lines,
    decode_sources,
    detect_typos,
    documents,
    name_counts_by_source,
    repair_lines,
)
from flows.outputs import (
    atomic_write_bytes,
    atomic_write_parquet,
    discover,
    dump_json,
    output_stems,
    previous_outputs,
    read_source,
    remove_stale,
    write_documents,
)
from flows.report import RunFrames, publish_run_artifacts
from schemas.frames import FAILURE_SCHEMA, validate_corpus

DEFAULT_BATCH_BYTES = 8 * 1024 * 1024


def _retry_on_oserror(task: Any, task_run: Any, state: Any) -> bool:
    """Retry a task only for I/O faults (a busy disk, a file system hiccup), not for bugs."""
    try:
        state.result()
    except OSError:
        return True
    except Exception:
        return False
    return False


@dataclass
class Batch:
    """The frames of one batch of files as they move through the stages."""

    files: pl.DataFrame
    raw: pl.DataFrame
    lines: pl.DataFrame
    articles: pl.DataFrame = field(default_factory=pl.DataFrame)
    typos: pl.DataFrame = field(default_factory=pl.DataFrame)
    failures: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=FAILURE_SCHEMA))


def make_batches(paths: list[Path], batch_bytes: int) -> list[list[Path]]:
    """Group paths into batches of about ``batch_bytes`` (at least one file each), in order."""
    batches: list[list[Path]] = [[]]
    size = 0
    for p in paths:
        try:
            n = p.stat().st_size
        except OSError:
            n = 0
        if batches[-1] and size + n > batch_bytes:
            batches.append([])
            size = 0
        batches[-1].append(p)
        size += n
    return [b for b in batches if b]


@task(
    name="decode-and-repair",
    cache_policy=NO_CACHE,
    persist_result=False,
    retries=3,
    retry_delay_seconds=[1, 2, 4],
    retry_condition_fn=_retry_on_oserror,
)
def decode_and_repair(paths: list[Path], max_bytes: int) -> Batch:
    """Read a batch of files, decode their bytes and repair the encoding of every line."""
    sources = [read_source(p, max_bytes) for p in paths]
    files, raw = decode_sources(sources, max_bytes=max_bytes)
    return Batch(files=files, raw=raw, lines=repair_lines(raw))


@task(name="classify-and-split", cache_policy=NO_CACHE, persist_result=False)
def classify_and_split(batch: Batch, repeats: pl.DataFrame) -> Batch:
    """Give every line a role and reason, split articles and read their metadata."""
    lines = classify_lines(batch.lines, repeats)
    return Batch(
        files=batch.files, raw=batch.raw, lines=lines.select(LINE_COLUMNS), articles=build_articles(lines)
    )


@task(name="detect-typos", cache_policy=NO_CACHE, persist_result=False)
def typos_task(batch: Batch, pooled: dict[str, Counter[str]]) -> Batch:
    batch.typos = detect_typos(batch.articles, pooled)
    return batch


@task(name="validate", cache_policy=NO_CACHE, persist_result=False)
def validate_task(batch: Batch) -> Batch:
    """pandera models and the conservation rule; failures name their file."""
    batch.failures = validate_corpus(batch.raw, batch.lines, batch.articles, batch.typos)
    return batch


@task(
    name="write-outputs",
    cache_policy=NO_CACHE,
    persist_result=False,
    retries=3,
    retry_delay_seconds=[1, 2, 4],
    retry_condition_fn=_retry_on_oserror,
)
def write_task(batch: Batch, out_dir: Path, stems: dict[str, str]) -> list[Path]:
    corpus = Corpus(files=batch.files, lines=batch.lines, articles=batch.articles, typos=batch.typos)
    failures: dict[str, list[dict[str, Any]]] = {}
    for row in batch.failures.iter_rows(named=True):
        failures.setdefault(row["file"] or "?", []).append(row)
    return write_documents(out_dir, documents(corpus), stems, failures)


def _concat(frames: list[pl.DataFrame]) -> pl.DataFrame:
    return pl.concat(frames, how="vertical") if frames else pl.DataFrame()


@flow(name="newsclean", log_prints=False)
def clean_flow(
    input_dir: str = "seeds",
    output_dir: str = "cleaned",
    pattern: str = "*.txt",
    batch_bytes: int = DEFAULT_BATCH_BYTES,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> dict[str, Any]:
    """Clean every file matching ``pattern`` in ``input_dir`` into ``output_dir``; return the run summary."""
    log = get_run_logger()
    started = time.time()
    in_dir, out_dir = Path(input_dir), Path(output_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = discover(in_dir, pattern)
    stems = output_stems([p.name for p in paths])
    batches = make_batches(paths, batch_bytes)
    log.info("%d files in %d batches from %s", len(paths), len(batches), in_dir)

    decoded = [f.result() for f in [decode_and_repair.submit(b, max_bytes) for b in batches]]
    all_lines = _concat([b.lines.select("file", "content") for b in decoded])
    repeats = (
        repeat_counts(all_lines)
        if len(all_lines)
        else pl.DataFrame(schema={"content": pl.Utf8, "repeat_files": pl.Int32})
    )
    structured = [f.result() for f in [classify_and_split.submit(b, repeats) for b in decoded]]
    pooled = (
        name_counts_by_source(
            _concat([b.articles for b in structured if len(b.articles)]).select("source", "paragraphs")
        )
        if any(len(b.articles) for b in structured)
        else {}
    )
    with_typos = [f.result() for f in [typos_task.submit(b, pooled) for b in structured]]
    validated = [f.result() for f in [validate_task.submit(b) for b in with_typos]]
    written = [p for f in [write_task.submit(b, out_dir, stems) for b in validated] for p in f.result()]

    files = _concat([b.files for b in validated])
    lines = _concat([b.lines for b in validated])
    articles = _concat([b.articles for b in validated])
    typos = _concat([b.typos for b in validated])
    failures = _concat([b.failures for b in validated])
    if len(files):
        atomic_write_parquet(
            out_dir / "files.parquet", files.with_columns(stem=pl.col("file").replace_strict(stems))
        )
        atomic_write_parquet(out_dir / "lines.parquet", lines.drop("fixes"))
        atomic_write_parquet(out_dir / "articles.parquet", articles)
        atomic_write_parquet(out_dir / "typos.parquet", typos)
    tables = [out_dir / f"{t}.parquet" for t in ("files", "lines", "articles", "typos")]
    removed = remove_stale(out_dir, [*written, *tables], previous_outputs(out_dir))

    summary: dict[str, Any] = {
        "files": len(files),
        "errors": int(files["error_kind"].is_not_null().sum()) if len(files) else 0,
        "quarantined": sorted(
            set(failures["file"].drop_nulls().to_list())
            | set(files.filter(pl.col("error_kind").is_not_null())["file"].to_list())
        )
        if len(files)
        else [],
        "articles": len(articles),
        "lines": len(lines),
        "typos": len(typos),
        "validation_failures": len(failures),
        "batches": len(batches),
        "removed_stale": len(removed),
    }
    manifest = {
        **summary,
        "cleaner_version": CLEANER_VERSION,
        "input_dir": str(in_dir),
        "output_dir": str(out_dir),
        "started": started,
        "seconds": round(time.time() - started, 3),
        "outputs": sorted(str(p.relative_to(out_dir)) for p in [*written, *tables] if p.exists()),
    }
    atomic_write_bytes(out_dir / "run-manifest.json", dump_json(manifest))
    publish_run_artifacts(
        RunFrames(
            files=files,
            lines=lines,
            articles=articles,
            typos=typos,
            failures=failures,
            stems=stems,
            out_dir=out_dir,
        )
    )
    log.info(
        "cleaned %d files: %d articles, %d typos, %d quarantined",
        summary["files"],
        summary["articles"],
        summary["typos"],
        len(summary["quarantined"]),
    )
    return summary
