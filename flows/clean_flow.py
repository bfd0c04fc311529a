"""The newsclean Prefect flow: scraped files in, validated cleaned documents out.

One task run per batch of files and stage; the frames of a batch stream through Parquet parts
in ``<output>/.work/`` so task results stay small and memory stays flat in corpus size:

1. ``decode-and-repair``   read, hash, decode and repair the changed files of a batch
2. (flow)                  cross-file repetition from 64-bit content hashes of every line,
                           streamed from Parquet parts the batches wrote
3. ``classify-and-split``  roles, reasons, articles and metadata
4. (flow)                  name counts pooled per source, for corpus-aware typo checks
5. ``typos-validate-write`` typos, pandera validation, documents, quarantine entries
6. (flow)                  final tables, incremental state, run manifest, artifacts

Incremental: ``<output>/.state/`` keeps each file's sha256, the cleaner version and the
signature of its cross-file context (which of its lines repeat elsewhere; the name counts of
its source). A file whose three are unchanged keeps its outputs; ``force=True`` recleans all.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TypedDict, cast

import polars as pl
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run as prefect_flow_run
from prefect.states import Failed

from cleaners.articles import build_articles
from cleaners.lines import line_hashes, repeated_lines
from cleaners.pipeline import (
    CLEANER_VERSION,
    DEFAULT_MAX_BYTES,
    FILES_SCHEMA,
    LINE_COLUMNS,
    RAW_SCHEMA,
    SUMS_SCHEMA,
    TYPO_SCHEMA,
    Corpus,
    classify_lines,
    decode_sources,
    detect_typos,
    documents,
    name_rows,
    pool_names,
    repair_lines,
    source_sums,
    with_article_typos,
    with_stats,
)
from cleaners.typos import release_lexicons
from flows import state as run_state
from flows.lock import output_lock
from flows.outputs import (
    atomic_write_bytes,
    atomic_write_parquet,
    discover_names,
    dump_json,
    output_stems,
    own_dir,
    present,
    read_source,
    same_names,
    same_names_message,
    write_documents,
    write_sorted_by_file,
)
from flows.progress import Progress
from flows.report import RunFrames, publish_run_artifacts
from flows.runners import stop_idle_workers
from schemas.frames import FAILURE_SCHEMA, validate_corpus
from schemas.gx_suite import run_verdict, validate_with_gx

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
class Decoded:
    """What the first stage hands back: small frames; the lines wait in a Parquet part."""

    files: pl.DataFrame  # files decoded in this run (FILES_SCHEMA)
    unchanged: dict[str, str] = field(default_factory=dict)  # file -> sha256, bytes and version as last run
    part: Path | None = None
    hashes: Path | None = None  # a Parquet part of line_hashes: (file, h) of each distinct line of a file
    n_bytes: int = 0


class RunSummary(TypedDict):
    """What a run returns (the flow run's result, also its Failed state's data) and what the
    CLI prints; run-manifest.json holds the same counts."""

    files: int  # inputs matched
    cleaned: int  # cleaned in this run
    unchanged: int  # kept their outputs
    errors: int  # bad input (binary, blank, HTML, too large, unreadable)
    quarantined: list[str]
    quarantine_reasons: dict[str, str]
    articles: int
    lines: int
    typos: int
    validation_failures: int  # pandera failure cases
    batches: int
    removed_stale: int  # outputs of earlier runs removed
    failed_batches: list[dict[str, Any]]  # stage, files and error of each batch that kept failing
    gx_success: bool
    gx_rows: list[dict[str, Any]]  # one per expectation (schemas.gx_suite)
    data_docs: str
    validation_md: str
    verdict: str  # schemas.gx_suite.run_verdict


def _gather(
    futures: list[Any],
    groups: list[list[str]],
    stage: str,
    failed: list[dict[str, Any]],
    keep_failed: bool = False,
) -> list[Any]:
    """Results of the task runs that completed; each failed one is recorded with its files.

    A batch whose task keeps failing (after its retries) is left out (or, with ``keep_failed``,
    stands as None so results line up with batches), and the rest of the run goes on; the run
    ends Failed and names those files.
    """
    out = []
    for fut, names in zip(futures, groups, strict=True):
        fut.wait()
        if fut.state.is_completed():
            out.append(fut.result())
        else:
            failed.append({"stage": stage, "files": names, "error": fut.state.message})
            if keep_failed:
                out.append(None)
    return out


def make_batches(paths: list[str], batch_bytes: int) -> list[list[str]]:
    """Group paths into batches of about ``batch_bytes`` (at least one file each), in order."""
    batches: list[list[str]] = [[]]
    size = 0
    for p in paths:
        try:
            n = os.stat(p).st_size
        except OSError:
            n = 0
        if batches[-1] and size + n > batch_bytes:
            batches.append([])
            size = 0
        batches[-1].append(p)
        size += n
    return [b for b in batches if b]


def _sha(data: bytes | None) -> str | None:
    return hashlib.sha256(data).hexdigest() if data is not None else None


@task(
    name="decode-and-repair",
    cache_policy=NO_CACHE,
    persist_result=False,
    retries=3,
    retry_delay_seconds=[1, 2, 4],
    retry_condition_fn=_retry_on_oserror,
)
def decode_task(
    paths: list[str],
    max_bytes: int,
    known: dict[str, str],
    part: Path,
    hashes: bool = True,
    root: str | None = None,
) -> Decoded:
    """Read a batch; decode and repair the files whose bytes changed since the last run.

    The repaired lines go to ``part``, their content hashes to ``part``'s ``.hashes.parquet``
    sibling: neither travels back to the flow. ``hashes=False`` (files decoded again after the
    repetition counts, whose hashes are counted already) writes no hashes. ``root``: the input
    folder, outside which symbolic links are not followed (None follows them anywhere).
    """
    sources, unchanged, n_bytes = [], {}, 0
    for p in paths:
        src = read_source(Path(p), max_bytes, root)
        n_bytes += len(src.data or b"")
        sha = _sha(src.data)
        if sha is not None and known.get(src.name) == sha:
            unchanged[src.name] = sha
        else:
            sources.append(src)
    files, raw = decode_sources(sources, max_bytes=max_bytes)
    lines = repair_lines(raw)
    hashes_part = part.with_suffix(".hashes.parquet") if hashes and len(lines) else None
    if len(lines):
        atomic_write_parquet(part, lines)
    if hashes_part is not None:
        atomic_write_parquet(hashes_part, line_hashes(lines))
    return Decoded(
        files=files,
        unchanged=unchanged,
        part=part if len(lines) else None,
        hashes=hashes_part,
        n_bytes=n_bytes,
    )


@task(
    name="classify-and-split",
    cache_policy=NO_CACHE,
    persist_result=False,
    retries=2,
    retry_delay_seconds=[1, 4],
    retry_condition_fn=_retry_on_oserror,
)
def classify_task(parts: list[Path], files: list[str], repeats: pl.DataFrame, out: Path) -> pl.DataFrame:
    """Roles, reasons, articles, metadata and name counts of ``files``, written beside ``out``.

    Returns the batch's name counts summed per source (the per-article rows stay in the part:
    there are millions of them in a large run).
    """
    lines = _read_parts(parts, files)
    lines = classify_lines(lines, repeats)
    articles = build_articles(lines)
    atomic_write_parquet(out.with_suffix(".lines.parquet"), lines.select(LINE_COLUMNS))
    atomic_write_parquet(out.with_suffix(".articles.parquet"), articles)
    rows = name_rows(articles)
    atomic_write_parquet(out.with_suffix(".names.parquet"), rows)
    return source_sums(rows.lazy())


@task(
    name="typos-validate-write",
    cache_policy=NO_CACHE,
    persist_result=False,
    retries=3,
    retry_delay_seconds=[1, 2, 4],
    retry_condition_fn=_retry_on_oserror,
)
def finish_task(
    stage: Path,
    files: pl.DataFrame,
    raw_parts: list[Path],
    pooled: dict[str, Counter[str]],
    out_dir: Path,
    stems: dict[str, str],
) -> tuple[pl.DataFrame, list[str]]:
    """Typos, validation, and the documents of one batch. Returns validation failures and the written paths (relative to out_dir).

    The batch is read once. Typos and documents are worked through :data:`FINISH_CHUNK_FILES`
    files at a time: every step is per file (name counts come pooled in ``pooled``), so the
    chunks give the batch's rows, and a worker holds one chunk's typo screens and documents, not
    a batch's. The checks run once on the whole batch (their cost is mostly per call).
    """
    names = files["file"].to_list()
    batch = {
        "lines": _read_one(stage.with_suffix(".lines.parquet"), names),
        "articles": _read_one(stage.with_suffix(".articles.parquet"), names),
        "names": _read_one(stage.with_suffix(".names.parquet"), names),
        "raw": _read_parts(raw_parts, names).select("file", "n", "raw", "keep"),
    }
    chunks = [
        pl.col("file").is_in(names[start : start + FINISH_CHUNK_FILES])
        for start in range(0, len(names), FINISH_CHUNK_FILES)
    ]
    all_typos = [detect_typos(_rows(batch["articles"], c), pooled, _rows(batch["names"], c)) for c in chunks]
    typos = pl.concat(all_typos) if all_typos else pl.DataFrame(schema=TYPO_SCHEMA)
    failures = (
        validate_corpus(batch["raw"], batch["lines"], batch["articles"], typos)
        if chunks
        else pl.DataFrame(schema=FAILURE_SCHEMA)
    )
    by_file: dict[str, list[dict[str, Any]]] = {}
    for row in failures.iter_rows(named=True):
        by_file.setdefault(row["file"] or "?", []).append(row)
    written = []
    for chunk, chunk_typos in zip(chunks, all_typos, strict=True):
        corpus = Corpus(
            files=files.filter(chunk),
            lines=_rows(batch["lines"], chunk),
            articles=_rows(batch["articles"], chunk),
            typos=chunk_typos,
        )
        written += write_documents(out_dir, documents(corpus), stems, by_file)
    atomic_write_parquet(stage.with_suffix(".typos.parquet"), typos)
    return failures, [p.relative_to(out_dir).as_posix() for p in written]


FINISH_CHUNK_FILES = 500  # files a batch's last stage works on at once (memory, not results)


def _rows(df: pl.DataFrame, chunk: pl.Expr) -> pl.DataFrame:
    return df.filter(chunk) if len(df.columns) else df


def _read_one(path: Path, files: list[str]) -> pl.DataFrame:
    return pl.read_parquet(path).filter(pl.col("file").is_in(files)) if path.exists() else pl.DataFrame()


def _read_parts(parts: list[Path], files: list[str]) -> pl.DataFrame:
    frames = [pl.scan_parquet(p).filter(pl.col("file").is_in(files)) for p in parts if p.exists()]
    if not frames:  # a batch of files without lines (every one bad input): the repaired lines' schema
        return repair_lines(pl.DataFrame(schema=RAW_SCHEMA))
    return pl.concat(frames).collect()


QUARANTINE_LOG_LIMIT = 50  # quarantined files named one by one in the run's log


def _quarantine_reasons(files: pl.DataFrame, failures: pl.DataFrame) -> dict[str, str]:
    """Why each quarantined file is there: its bad-input error, or the checks its output failed."""
    reasons: dict[str, str] = {}
    for f, kind, message in (
        files.filter(pl.col("error_kind").is_not_null())
        .select("file", "error_kind", "error_message")
        .iter_rows()
    ):
        reasons[f] = f"{kind}: {message}" if message else str(kind)
    failed = failures.drop_nulls("file").group_by("file").agg(pl.col("frame") + "." + pl.col("check"))
    for f, checks in failed.iter_rows():
        reasons.setdefault(f, "failed validation: " + ", ".join(sorted(set(checks))))
    return reasons


@flow(name="newsclean", log_prints=False)
def clean_flow(
    input_dir: str = "seeds",
    output_dir: str = "cleaned",
    pattern: str = "*.txt",
    batch_bytes: int = DEFAULT_BATCH_BYTES,
    max_bytes: int = DEFAULT_MAX_BYTES,
    force: bool = False,
    progress: bool = False,
    follow_links: bool = False,
) -> RunSummary:
    """Clean every file matching ``pattern`` in ``input_dir`` into ``output_dir``; return the run summary.

    Symbolic links among the inputs are followed only inside ``input_dir`` unless ``follow_links``.

    The run holds the output folder's lock (:mod:`flows.lock`) throughout: a second run on the same
    folder fails at once with :class:`flows.lock.OutputLocked` and touches nothing.
    """
    with output_lock(Path(output_dir)):
        root = None if follow_links else str(Path(input_dir))
        return _clean(input_dir, output_dir, pattern, batch_bytes, max_bytes, force, progress, root)


def _clean(
    input_dir: str,
    output_dir: str,
    pattern: str,
    batch_bytes: int,
    max_bytes: int,
    force: bool,
    progress: bool,
    root: str | None,
) -> RunSummary:
    """The run's steps, in order (each a method of :class:`_Run`)."""
    run = _Run(Path(input_dir), Path(output_dir), max_bytes, root)
    run.plan(pattern, batch_bytes, force, progress)
    try:
        run.decode_changed()  # 1. decode and repair what changed
        run.count_repetition()  # 2. cross-file repetition over the whole run
        run.classify()  # 3. classify and split the files to clean, in batches
        run.pool_names()  # 4. name counts per source; typos redone where a source's counts moved
        run.write_documents()  # 5. typos, validation, documents
        run.write_tables()  # 6. tables, state, stale outputs
        summary = run.validate_and_report()  # 7. great-expectations, artifacts, manifest
    finally:
        run.bar.close()  # also after an interrupt: the terminal gets its cursor back
    run.log_end(summary)
    problems = []
    if run.failed:
        problems.append(f"{len(run.failed)} batch(es) failed: {', '.join(sorted(run.lost))[:500]}")
    if not summary["gx_success"]:
        problems.append(summary["verdict"])
    if problems:
        # A failed run state without a traceback; the summary stays readable as the state's data.
        return Failed(message="; ".join(problems), data=summary)  # type: ignore[return-value]
    return summary


class _Run:
    """One run's working state, handed from step to step: which files are cleaned and which
    keep their outputs, where each batch's parts are, and what failed."""

    def __init__(self, in_dir: Path, out_dir: Path, max_bytes: int, root: str | None) -> None:
        self.log = get_run_logger()
        self.started = time.time()
        self.timer = _PhaseTimer()
        self.in_dir, self.out_dir, self.max_bytes, self.root = in_dir, out_dir, max_bytes, root
        self.work, self.state_dir = out_dir / ".work", out_dir / ".state"
        self.failed: list[dict[str, Any]] = []
        self.lost: set[str] = set()
        self.part_of: dict[str, Path] = {}  # file -> the Parquet part holding its raw lines

    def _decode(self, paths: list[str], part: Path, names: list[str]) -> list[Decoded]:
        """Decode ``paths`` again (no hashes: theirs are counted), into ``part``; noted in part_of."""
        task_run = decode_task.submit(paths, self.max_bytes, {}, part, hashes=False, root=self.root)
        out: list[Decoded] = _gather([task_run], [names], "decode", self.failed)
        for d in out:
            _note_part(self.part_of, d)
        return out

    def plan(self, pattern: str, batch_bytes: int, force: bool, progress: bool) -> None:
        """The inputs, their batches and output stems, the last run's state, and the files whose
        bytes may be unchanged (``known``: file -> its sha256 then)."""
        self.out_dir.mkdir(parents=True, exist_ok=True)
        if self.work.is_symlink():  # never follow a planted link out of the output folder
            self.work.unlink()
        shutil.rmtree(self.work, ignore_errors=True)  # parts of a killed run
        own_dir(self.work)
        own_dir(self.state_dir)
        # the inputs as path strings: a Path object each would hold ~480 bytes through the run
        self.paths = [os.path.join(self.in_dir, rel) for rel in discover_names(self.in_dir, pattern)]
        if clash := same_names(self.paths):  # one name is one key in every table and output
            raise ValueError(same_names_message(clash))
        self.stems = output_stems([_name(p) for p in self.paths])
        self.batches = make_batches(self.paths, batch_bytes)
        self.state = run_state.RunState.load(self.out_dir, force)  # a killed run's files are cleaned again
        # a file keeps its outputs only under the stem it had: a new name can take its stem (stems
        # are handed out in name order), and it then gets the stem it has in this run and is cleaned
        self.known = self.state.known(self.stems)
        self.bar = Progress(
            total_files=len(self.paths), total_batches=len(self.batches) * 3, enabled=progress
        )
        self.log.info("%d files in %d batches from %s", len(self.paths), len(self.batches), self.in_dir)

    def decode_changed(self) -> None:
        """Every batch read and hashed; the files whose bytes changed decoded and repaired."""
        known = self.known
        futures = [
            decode_task.submit(
                b,
                self.max_bytes,
                {_name(p): known[_name(p)] for p in b if _name(p) in known},
                self.work / f"raw-{i:05d}.parquet",
                root=self.root,
            )
            for i, b in enumerate(self.batches)
        ]
        groups = [[_name(p) for p in b] for b in self.batches]
        self.decoded: list[Decoded] = _gather(futures, groups, "decode", self.failed)
        for d in self.decoded:
            self.bar.step(files=len(d.files) + len(d.unchanged), n_bytes=d.n_bytes, stage="decode")
            _note_part(self.part_of, d)
        self.unchanged = {name: sha for d in self.decoded for name, sha in d.unchanged.items()}
        self.new_files = _concat([d.files for d in self.decoded], FILES_SCHEMA)
        self.timer.lap("decode")

    def count_repetition(self) -> None:
        """Which lines repeat across files; an unchanged file whose repeated lines moved is
        decoded again (its lines' roles may change)."""
        # the kept files' rows of the last state and this run's parts, read as the group-by goes
        self.hashes = [
            self.state.hashes.filter(pl.col("file").is_in(list(self.unchanged))),
            *(pl.scan_parquet(d.hashes) for d in self.decoded if d.hashes is not None),
        ]
        # a line seen in one file only is the default (repeat_files 1): the batches get just the rest
        self.repeated = repeated_lines(pl.concat(self.hashes))
        self.repeat_sig = run_state.repeat_sigs(pl.concat(self.hashes), self.repeated)
        self.same_bytes = list(self.unchanged)  # for the plan: known files whose bytes did not change
        changed = self.state.redo_context(self.unchanged, self.repeat_sig)
        if changed:
            redo = set(changed)
            paths = [p for p in self.paths if _name(p) in redo]
            for extra in self._decode(paths, self.work / "raw-context.parquet", changed):
                self.new_files = _concat([self.new_files, extra.files], FILES_SCHEMA)
            for name in changed:
                self.unchanged.pop(name)
        self.timer.lap("repetition")

    def classify(self) -> None:
        """Roles, reasons, articles and metadata of the files to clean, a batch at a time."""
        todo = self.new_files["file"].to_list()
        self.todo_batches = _regroup(self.batches, set(todo))
        futures = [
            classify_task.submit(_parts(self.part_of, b), b, self.repeated, self.work / f"stage-{i:05d}")
            for i, b in enumerate(self.todo_batches)
        ]
        self.sums = _gather(futures, self.todo_batches, "classify", self.failed, keep_failed=True)
        self.bar.step(stage="classify", batches=len(self.todo_batches))
        self.timer.lap("classify")

    def pool_names(self) -> None:
        """Name counts pooled per source. An unchanged file whose source's counts moved
        (``moved``) gets its typos redone: its lines and articles are re-staged from the last
        run's tables, as one more batch."""
        unchanged = self.unchanged
        self.kept_names = self.state.names.filter(pl.col("file").is_in(list(unchanged)))
        sums = [source_sums(self.kept_names), *(s for s in self.sums if s is not None)]
        self.pooled = pool_names(_concat(sums, SUMS_SCHEMA))
        self.sources_of = [[] if s is None else s["source"].unique().sort().to_list() for s in self.sums]
        self.names_sig = {
            s: run_state.signature([f"{k}:{v}" for k, v in c.items()]) for s, c in self.pooled.items()
        }
        names = [_name(p) for p in self.paths]
        plan = self.state.plan(names, self.same_bytes, self.repeat_sig, self.names_sig)
        self.moved, self.keep = list(plan.redo_typos), list(plan.keep)
        self.log.info(
            "%d files cleaned (%d of them for their repeated lines), %d keep their outputs, "
            "%d get their typos redone",
            len(plan.clean),
            len(plan.redo_context),
            len(plan.keep),
            len(plan.redo_typos),
        )
        self.prev = self.state.previous_rows(sorted(unchanged))
        if self.moved:
            self._restage_moved()
        self.timer.lap("names")

    def _restage_moved(self) -> None:
        moved, prev = self.moved, self.prev
        stage = self.work / "stage-moved"
        atomic_write_parquet(
            stage.with_suffix(".lines.parquet"), prev["lines"].filter(pl.col("file").is_in(moved)).collect()
        )
        atomic_write_parquet(
            stage.with_suffix(".articles.parquet"), prev["articles"].filter(pl.col("file").is_in(moved))
        )
        moved_names = self.kept_names.filter(pl.col("file").is_in(moved)).collect()
        atomic_write_parquet(stage.with_suffix(".names.parquet"), moved_names)
        self.sources_of.append(moved_names["source"].drop_nulls().unique().sort().to_list())
        moved_set = set(moved)
        self._decode([p for p in self.paths if _name(p) in moved_set], self.work / "raw-moved.parquet", moved)
        self.new_files = _concat(
            [self.new_files, prev["files"].filter(pl.col("file").is_in(moved)).select(list(FILES_SCHEMA))],
            FILES_SCHEMA,
        )
        self.todo_batches.append(moved)

    def write_documents(self) -> None:
        """Typos, pandera validation, documents and quarantine entries of every batch that got
        this far; then the worker processes stop."""
        self.file_rows = self.new_files.unique("file", keep="last")
        self.state.mark_pending(self.file_rows["file"].to_list(), self.stems)  # before any output
        n_new = len(self.todo_batches) - bool(self.moved)
        self.stages = [self.work / f"stage-{i:05d}" for i in range(n_new)] + (
            [self.work / "stage-moved"] if self.moved else []
        )
        lost = {name for f in self.failed for name in f["files"]}
        finish = [
            (st, b, srcs)
            for st, b, srcs in zip(self.stages, self.todo_batches, self.sources_of, strict=True)
            if not lost.intersection(b)
        ]
        futures = [
            finish_task.submit(
                st,
                self.file_rows.filter(pl.col("file").is_in(b)),
                _parts(self.part_of, b),
                {s: self.pooled[s] for s in srcs if s in self.pooled},  # only what the batch cites
                self.out_dir,
                {f: self.stems[f] for f in b},
            )
            for st, b, srcs in finish
        ]
        results = _gather(futures, [b for _, b, _ in finish], "write", self.failed)
        self.lost = {name for f in self.failed for name in f["files"]}
        self.bar.step(stage="write", batches=len(self.todo_batches))
        self.failures = _concat([r[0] for r in results], FAILURE_SCHEMA)
        self.written = [p for r in results for p in r[1]]
        stopped = stop_idle_workers()  # nothing more is submitted: give their memory back
        if stopped:
            self.log.info("stopped %d idle worker process(es) before the tables and reports", stopped)
        release_lexicons()  # a batch slot of this process loaded them; the tables and reports need room
        self.timer.lap("typos_write")

    def write_tables(self) -> None:
        """The tables (kept rows of unchanged files + this run's parts), the state, and the
        removal of outputs no file of this run has."""
        keep, prev, lost, stems = self.keep, self.prev, self.lost, self.stems
        keep_rows = {t: df.filter(pl.col("file").is_in(keep)) for t, df in prev.items()} if prev else {}
        empty_files = pl.DataFrame(schema={**FILES_SCHEMA, "stem": pl.Utf8})
        files = _concat([keep_rows.get("files", empty_files).drop("stem"), self.file_rows], FILES_SCHEMA)
        files = files.sort("file")
        # The lines (every raw line three times over: raw, text, content) and the articles' text
        # never sit in memory whole: they are written a range of files at a time, and each later
        # step reads back only the columns it needs.
        self.lines_path, self.articles_path = (
            self.out_dir / "lines.parquet",
            self.out_dir / "articles.parquet",
        )
        typos_parts = [st.with_suffix(".typos.parquet") for st in self.stages]
        key = ["file", "article", "paragraph", "start"]
        typos = _sorted_concat(keep_rows.get("typos"), typos_parts, key, TYPO_SCHEMA)
        if lost:  # a failed batch's files have no outputs from this run
            files, typos = (
                df.filter(~pl.col("file").is_in(list(lost))) if len(df) else df for df in (files, typos)
            )
        empty_lines = classify_lines(repair_lines(pl.DataFrame(schema=RAW_SCHEMA)))
        write_sorted_by_file(
            self.lines_path,
            _sources(keep_rows.get("lines"), self.stages, ".lines.parquet", lost),
            ["file", "n"],
            empty_lines.select(LINE_COLUMNS),
        )
        write_sorted_by_file(
            self.articles_path,
            _sources(keep_rows.get("articles"), self.stages, ".articles.parquet", lost),
            ["file", "article"],
            with_article_typos(build_articles(empty_lines), typos.clear()),
            transform=partial(with_article_typos, typos=typos),
        )
        # the columns the stats, the validation suite and the reports read (no text), read as
        # needed: they take aggregates or batches of them
        self.lines = pl.scan_parquet(self.lines_path).select(
            "file", "n", "role", "reason", "article", "fixes"
        )
        articles = pl.scan_parquet(self.articles_path).drop(ARTICLE_TEXT).collect()
        files, self.articles = with_stats(files, self.lines, articles, typos)
        self.files = files.with_columns(stem=pl.col("file").replace_strict(stems, default=None))
        self.typos = typos
        for t, df in {"files": self.files, "typos": typos}.items():
            atomic_write_parquet(self.out_dir / f"{t}.parquet", df)
        self.outputs = [*self.written, *self._kept_documents(), *(f"{t}.parquet" for t in run_state.TABLES)]
        # after a failed batch nothing is deleted: its files' earlier outputs stay until it succeeds
        self.removed = [] if self.failed else self.state.remove_stale(self.outputs)
        # the kept rows (the moved files' among them) and the rows of this run's classified batches
        new_stages = self.stages[: len(self.stages) - bool(self.moved)]
        name_parts = [self.kept_names, *_sources(None, new_stages, ".names.parquet", set())]
        self.state.save(
            self.files,
            self.hashes,
            name_parts,
            self.repeat_sig,
            self.names_sig,
            self.articles,
        )
        shutil.rmtree(self.work, ignore_errors=True)
        self.timer.lap("tables_state")

    def _kept_documents(self) -> list[str]:
        """The outputs of the files that keep theirs, as paths relative to the output folder
        (strings: a run can have hundreds of thousands)."""
        keep, stems = self.keep, self.stems
        n_articles = dict(self.articles.group_by("file").len().iter_rows()) if keep else {}
        quarantine_dir = self.out_dir / "quarantine"
        in_quarantine = (
            {p.name for p in quarantine_dir.iterdir()} if keep and quarantine_dir.is_dir() else set()
        )
        return (
            [f"{stems[f]}.json" for f in keep]
            + [f"text/{stems[f]}-{i}.txt" for f in keep for i in range(n_articles.get(f, 0))]
            + [f"quarantine/{stems[f]}.json" for f in keep if f"{stems[f]}.json" in in_quarantine]
        )

    def validate_and_report(self) -> RunSummary:
        """The run summary, the great-expectations validation, the artifacts and the manifest."""
        files, failures = self.files, self.failures
        self.quarantined = sorted(
            set(failures["file"].drop_nulls().to_list())
            | set(files.filter(pl.col("error_kind").is_not_null())["file"].to_list())
        )
        counts: dict[str, Any] = {
            "files": len(self.paths),
            "cleaned": len(self.file_rows),
            "unchanged": len(self.keep),
            "errors": int(files["error_kind"].is_not_null().sum()),
            "quarantined": self.quarantined,
            "quarantine_reasons": _quarantine_reasons(files, failures),
            "articles": len(self.articles),
            "lines": int(files["n_lines"].sum()),
            "typos": len(self.typos),
            "validation_failures": len(failures),
            "batches": len(self.batches),
            "removed_stale": len(self.removed),
            "failed_batches": self.failed,
        }
        manifest = {
            **counts,
            "cleaner_version": CLEANER_VERSION,
            "input_dir": str(self.in_dir),
            "output_dir": str(self.out_dir),
            "started": self.started,
            "seconds": round(time.time() - self.started, 3),
            "outputs": sorted(present(self.out_dir, self.outputs)),
        }
        gx = validate_with_gx(
            pl.scan_parquet(self.articles_path),
            self.lines,
            files,
            self.out_dir / "reports",
            quarantined=len(self.quarantined),
            quarantine_reasons=counts["quarantine_reasons"],
            run_name=prefect_flow_run.name,  # the Data Docs list this run's results under its name
        )
        verdict = run_verdict(gx.rows, len(self.quarantined), files.height)
        self.timer.lap("great_expectations")
        gx_fields = {
            "gx_success": gx.success,
            "gx_rows": gx.rows,
            "data_docs": str(gx.data_docs_index),
            "validation_md": str(gx.validation_md),
            "verdict": verdict,
        }
        summary = cast(RunSummary, {**counts, **gx_fields})
        manifest["gx_success"] = gx.success
        self.bar.close()
        publish_run_artifacts(
            RunFrames(
                files=files,
                lines=self.lines,
                lines_path=self.lines_path,
                articles_path=self.articles_path,
                articles=self.articles,
                typos=self.typos,
                failures=failures,
                stems=self.stems,
                out_dir=self.out_dir,
                data_docs_index=gx.data_docs_index,
                verdict=verdict,
                changes={k: summary[k] for k in ("cleaned", "unchanged", "removed_stale")},
                cleaned_files=frozenset(self.file_rows["file"].to_list()),
            )
        )
        self.timer.lap("artifacts")
        manifest["phase_seconds"] = self.timer.laps
        manifest["phase_cpu_seconds"] = self.timer.cpu
        manifest["phase_peak_rss_mib"] = self.timer.peak_rss_mib
        atomic_write_bytes(self.out_dir / "run-manifest.json", dump_json(manifest))
        if not self.failed:  # after a failed batch its files' outputs stay as they were: cleaned next run
            self.state.finish()
        return summary

    def log_end(self, summary: RunSummary) -> None:
        """Phases, counts, the quarantined files with their reasons, and the verdict, to the run's log."""
        log, timer, quarantined = self.log, self.timer, self.quarantined
        log.info("phase seconds: %s", ", ".join(f"{k} {v:.2f}" for k, v in timer.laps.items()))
        log.info(
            "flow process CPU seconds per phase: %s", ", ".join(f"{k} {v:.2f}" for k, v in timer.cpu.items())
        )
        log.info(
            "peak RSS MiB after each phase: %s", ", ".join(f"{k} {v}" for k, v in timer.peak_rss_mib.items())
        )
        log.info(
            "cleaned %d of %d files (%d unchanged): %d articles, %d typos, %d quarantined",
            summary["cleaned"],
            summary["files"],
            summary["unchanged"],
            summary["articles"],
            summary["typos"],
            len(quarantined),
        )
        reasons = summary["quarantine_reasons"]
        for name in quarantined[:QUARANTINE_LOG_LIMIT]:
            log.info("quarantined %s: %s", name, reasons.get(name, "see its document"))
        if len(quarantined) > QUARANTINE_LOG_LIMIT:
            log.info(
                "and %d more quarantined (run-manifest.json lists all)",
                len(quarantined) - QUARANTINE_LOG_LIMIT,
            )
        log.info("validation: %s", summary["verdict"])


class _PhaseTimer:
    """Wall seconds of each phase of a run, the flow process's CPU seconds in it, and its peak RSS
    (MiB) at its end.

    All go to the run manifest (never in the documents): they show where a run's time and memory
    went. CPU and peak are the flow process's own (all its threads), not its worker processes'.
    """

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self.peak_rss_mib: dict[str, int] = {}
        self._t = time.perf_counter()
        self._cpu = time.process_time()

    def lap(self, name: str) -> None:
        now, cpu = time.perf_counter(), time.process_time()
        self.laps[name] = round(self.laps.get(name, 0.0) + now - self._t, 3)
        self.cpu[name] = round(self.cpu.get(name, 0.0) + cpu - self._cpu, 3)
        self.peak_rss_mib[name] = peak_rss_mib()
        self._t, self._cpu = now, cpu


def peak_rss_mib() -> int:
    """This process's peak resident set size so far, in MiB (0 where the OS does not say)."""
    try:
        import resource
    except ImportError:  # not on Windows
        return 0
    # ru_maxrss is KiB on Linux, bytes on macOS
    scale = 1 if sys.platform == "darwin" else 1024
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale) >> 20


def _note_part(part_of: dict[str, Path], d: Decoded) -> None:
    if d.part is not None:
        part_of.update(dict.fromkeys(d.files["file"].to_list(), d.part))


def _parts(part_of: dict[str, Path], files: list[str]) -> list[Path]:
    """The parts holding these files' raw lines (a batch reads its own part, not every part)."""
    return sorted({part_of[f] for f in files if f in part_of})


def _regroup(batches: list[list[str]], todo: set[str]) -> list[list[str]]:
    """The files to clean, in the original batches' order (context-changed files join the last batch)."""
    out = [[_name(p) for p in b if _name(p) in todo] for b in batches]
    seen = {n for b in out for n in b}
    rest = sorted(todo - seen)
    if rest:
        out.append(rest)
    return [b for b in out if b]


def _name(path: str) -> str:
    """An input's name, its key in every table (``Path(path).name`` without the Path)."""
    return os.path.basename(path)


def _concat(frames: list[pl.DataFrame], schema: dict[str, Any]) -> pl.DataFrame:
    frames = [f.select([pl.col(c).cast(t) for c, t in schema.items()]) for f in frames if len(f)]
    return pl.concat(frames, how="vertical") if frames else pl.DataFrame(schema=schema)


def _sorted_concat(
    kept: pl.DataFrame | None, parts: list[Path], keys: list[str], schema: dict[str, Any]
) -> pl.DataFrame:
    """The kept rows and the parts, sorted by ``keys``; an empty frame of ``schema`` if there are none."""
    frames = [pl.scan_parquet(p) for p in parts if p.exists()]
    if kept is not None and len(kept):
        frames.insert(0, kept.lazy())
    if not frames:
        return kept if kept is not None else pl.DataFrame(schema=schema)
    df = pl.concat(frames, how="diagonal_relaxed").collect()
    return df.sort(keys)


ARTICLE_TEXT = ["paragraphs", "captions"]  # the articles' columns that hold the text


def _sources(kept: Any, stages: list[Path], suffix: str, lost: set[str]) -> list[pl.LazyFrame]:
    """The kept rows of unchanged files and this run's stage parts of one table, without lost files."""
    frames = [pl.scan_parquet(p) for st in stages if (p := st.with_suffix(suffix)).exists()]
    if kept is not None:
        frames.insert(0, kept.lazy())
    return [f.filter(~pl.col("file").is_in(list(lost))) for f in frames] if lost else frames
