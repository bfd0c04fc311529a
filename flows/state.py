"""The incremental state of an output folder: what the last run left, and which files this run
must clean again.

``<output>/.state/`` keeps each file's sha256, the cleaner version and the signatures of its
cross-file context (which of its lines repeat in other files; the name counts of its source), the
content hashes of its lines, and the names it cites. A file whose three are unchanged keeps its
outputs; ``force`` recleans all. ``pending.json`` names the files a run is rewriting, written
before any output and removed after the manifest: a killed run's files are cleaned again.

:class:`RunState` is that state: :meth:`RunState.load` reads it, :meth:`RunState.plan` decides
which files keep their outputs and which are cleaned again (a :class:`Plan`), and
:meth:`RunState.save` writes the next one. The decisions are pure functions of the state
(:func:`known_files`, :func:`context_changed`, :func:`moved_files`), so they are tested without
Prefect; the flow (:mod:`flows.clean_flow`) calls them between its batches, as their inputs
become known.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import polars as pl

from cleaners.pipeline import CLEANER_VERSION, NAMES_SCHEMA
from flows.outputs import (
    atomic_write_bytes,
    atomic_write_parquet,
    dump_json,
    outputs_of_stems,
    previous_outputs,
    remove_stale,
    write_sorted_by_file,
)
from schemas.frames import LineHashesModel, StateFilesModel, polars_schema

TABLES = ("files", "lines", "articles", "typos")
# One row per distinct line of a file (cleaners.lines.line_hashes). Its own name: the state of
# earlier versions had a row per line, which would count a line repeated in its file twice.
HASHES_FILE = "line-hashes.parquet"

PENDING_FILE = "pending.json"  # in .state/: the files whose outputs a run is rewriting
TEXT_TABLES = ("lines", "articles")  # never read whole


def signature(values: list[str]) -> str:
    return _digest("\n".join(sorted(values)))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def repeat_sigs(hashes: pl.LazyFrame, repeated: pl.DataFrame) -> dict[str, str]:
    """Per file: which of its lines occur in other files too (a change there changes its roles).

    ``repeated`` has ``h`` and ``repeat_files``; a file none of whose lines is in it has no entry
    (its signature is ``""``).
    """
    # "h:n" strings are ASCII, so polars' byte order sorts them as Python would: the same
    # signatures as signature(values), without a frame per file
    per_file = (
        hashes.join(repeated.lazy().select("h", "repeat_files"), on="h", how="inner")
        .unique()
        .group_by("file")
        .agg(pl.format("{}:{}", "h", "repeat_files").sort().str.join("\n").alias("text"))
        .collect()
    )
    return {f: _digest(text) for f, text in per_file.iter_rows()}


def load_state(state_dir: Path, out_dir: Path, force: bool) -> dict[str, Any]:
    empty: dict[str, Any] = {
        "files": StateFilesModel.empty(),
        "hashes": LineHashesModel.empty().lazy(),
        "names": pl.DataFrame(schema=NAMES_SCHEMA).lazy(),
    }
    tables_ok = all((out_dir / f"{t}.parquet").exists() for t in TABLES)
    state_files = {"files": "files.parquet", "hashes": HASHES_FILE, "names": "names.parquet"}
    if force or not tables_ok or not all((state_dir / name).exists() for name in state_files.values()):
        return empty
    try:
        # hashes and names have millions of rows in a large run: read as needed
        state: dict[str, Any] = {
            "files": pl.read_parquet(state_dir / state_files["files"]),
            "hashes": pl.scan_parquet(state_dir / state_files["hashes"]),
            "names": pl.scan_parquet(state_dir / state_files["names"]),
        }
        if any(state[k].collect_schema() != empty[k].collect_schema() for k in empty):
            return empty  # written by another version
    except (OSError, pl.exceptions.PolarsError):
        return empty
    state["files"] = state["files"].filter(pl.col("version") == CLEANER_VERSION)
    return state


def read_pending(state_dir: Path) -> dict[str, list[str]]:
    """What a run that did not finish was rewriting: its ``files`` and their ``stems``.

    Written before any output, removed once the manifest is: while it is there, those files'
    outputs, tables and state may disagree, so they are cleaned again and every output under those
    stems is a candidate for stale removal.
    """
    try:
        pending = json.loads((state_dir / PENDING_FILE).read_text(encoding="utf-8"))
        return {k: [str(v) for v in pending.get(k, [])] for k in ("files", "stems")}
    except (OSError, ValueError, AttributeError):
        return {"files": [], "stems": []}


def write_pending(
    state_dir: Path, before: dict[str, list[str]], files: list[str], stems: dict[str, str]
) -> None:
    pending = {
        "files": sorted({*before["files"], *files}),
        "stems": sorted({*before["stems"], *(stems[f] for f in files)}),
    }
    atomic_write_bytes(state_dir / PENDING_FILE, dump_json(pending))


def previous_stems(out_dir: Path) -> dict[str, str]:
    """The stem each file's outputs were written under in the last run (``files.parquet``)."""
    try:
        rows = pl.read_parquet(out_dir / "files.parquet", columns=["file", "stem"])
    except (OSError, pl.exceptions.PolarsError):
        return {}
    return dict(rows.drop_nulls().iter_rows())


def previous_rows(out_dir: Path, keep: list[str]) -> dict[str, Any]:
    """Rows of the last run's tables for the files that are not recleaned (those with text as lazy scans)."""
    if not keep:
        return {}
    rows: dict[str, Any] = {
        t: pl.read_parquet(out_dir / f"{t}.parquet").filter(pl.col("file").is_in(keep))
        for t in TABLES
        if t not in TEXT_TABLES
    }
    for t in TEXT_TABLES:
        rows[t] = pl.scan_parquet(out_dir / f"{t}.parquet").filter(pl.col("file").is_in(keep))
    return rows


def save_state(
    state_dir: Path,
    files: pl.DataFrame,
    hashes: list[pl.LazyFrame],
    names: list[pl.LazyFrame],
    repeat_sig: dict[str, str],
    names_sig: dict[str, str],
    articles: pl.DataFrame,
) -> None:
    source = (
        dict(articles.filter(pl.col("article") == 0).select("file", "source").iter_rows())
        if len(articles)
        else {}
    )
    rows = [
        {
            "file": f,
            "sha256": sha,
            "version": CLEANER_VERSION,
            "repeat_sig": repeat_sig.get(f, ""),
            "source": source.get(f),
            "names_sig": names_sig.get(source.get(f) or "", ""),
        }
        # bad input that was read (binary, blank, HTML) too: while its bytes stay the same it keeps
        # its error document, like any unchanged file; unreadable inputs have no sha256 and are
        # looked at again every run
        for f, sha in files.select("file", "sha256").iter_rows()
        if sha
    ]
    atomic_write_parquet(
        state_dir / "files.parquet", pl.DataFrame(rows, schema=polars_schema(StateFilesModel))
    )
    # sorted a range of files at a time, not copied whole
    write_sorted_by_file(state_dir / HASHES_FILE, hashes, ["file", "h"], LineHashesModel.empty())
    (state_dir / "hashes.parquet").unlink(missing_ok=True)  # earlier runs' row-per-line copy
    write_sorted_by_file(
        state_dir / "names.parquet", names, ["file", "article", "name"], pl.DataFrame(schema=NAMES_SCHEMA)
    )


def known_files(
    state_files: pl.DataFrame, stems: Mapping[str, str], before: Mapping[str, str], unfinished: set[str]
) -> dict[str, str]:
    """The files that may keep their outputs, with their sha256 in the last run: those the last
    run finished (not in ``unfinished``) under the stem they have now (``before``: file -> its
    stem then; a new name can take a file's stem, and the file is then cleaned again).

    >>> st = pl.DataFrame({"file": ["a", "b", "c", "d"], "sha256": ["1", "2", "3", "4"]})
    >>> known_files(st, {"a": "a", "b": "b", "c": "c-2"}, {"a": "a", "b": "b", "c": "c", "d": "d"}, {"b"})
    {'a': '1'}
    """
    return {
        f: sha
        for f, sha in state_files.select("file", "sha256").iter_rows()
        if f in stems and before.get(f) == stems[f] and f not in unfinished
    }


def context_changed(
    unchanged: Iterable[str], old: Mapping[str, Mapping[str, Any]], repeat_sig: Mapping[str, str]
) -> list[str]:
    """The unchanged files whose repeated lines changed (another file now shares a line with
    them, or no longer does): their roles may change, so they are cleaned again.

    >>> old = {"a": {"repeat_sig": "x"}, "b": {"repeat_sig": ""}, "c": {"repeat_sig": "y"}}
    >>> context_changed(["a", "b", "c"], old, {"a": "x", "c": "z"})
    ['c']
    """
    return [f for f in unchanged if old[f]["repeat_sig"] != repeat_sig.get(f, "")]


def moved_files(
    unchanged: Iterable[str], old: Mapping[str, Mapping[str, Any]], names_sig: Mapping[str, str]
) -> list[str]:
    """The unchanged files whose source's pooled name counts moved: their typos are redone (their
    lines and articles stay). A file with no source has no pooled names.

    >>> old = {"a": {"source": "S", "names_sig": "1"}, "b": {"source": None, "names_sig": ""},
    ...        "c": {"source": "T", "names_sig": "2"}}
    >>> moved_files(["a", "b", "c"], old, {"S": "1", "T": "3"})
    ['c']
    """
    return [
        f
        for f in unchanged
        if old[f]["source"] is not None and old[f]["names_sig"] != names_sig.get(old[f]["source"], "")
    ]


@dataclass(frozen=True)
class Plan:
    """Which files a run cleans, and which keep their outputs (every input is in exactly one of
    ``clean`` and ``keep``, or in ``redo_typos``)."""

    clean: tuple[str, ...]  # new, changed, unfinished or re-stemmed; redo_context among them
    redo_context: tuple[str, ...]  # bytes unchanged, but which of their lines repeat elsewhere moved
    redo_typos: tuple[str, ...]  # bytes and context unchanged, their source's pooled names moved
    keep: tuple[str, ...]  # every output kept


@dataclass
class RunState:
    """The state the last run left in ``out_dir`` (``.state/``): its files' rows, their line
    hashes and names, what it was rewriting when it stopped (``pending``), and the stems its
    outputs were written under (``before``)."""

    out_dir: Path
    files: pl.DataFrame
    hashes: pl.LazyFrame
    names: pl.LazyFrame
    pending: dict[str, list[str]] = field(default_factory=lambda: {"files": [], "stems": []})
    before: dict[str, str] = field(default_factory=dict)

    @property
    def state_dir(self) -> Path:
        return self.out_dir / ".state"

    @classmethod
    def load(cls, out_dir: Path, force: bool) -> RunState:
        """The last run's state; empty with ``force``, or when it is missing, unreadable or
        written by another cleaner version. A killed run's files are never known."""
        state_dir = out_dir / ".state"
        st = load_state(state_dir, out_dir, force)
        before = previous_stems(out_dir) if len(st["files"]) else {}
        return cls(out_dir, st["files"], st["hashes"], st["names"], read_pending(state_dir), before)

    @cached_property
    def old(self) -> dict[str, dict[str, Any]]:
        """The last run's row of each file, by file."""
        return {r["file"]: r for r in self.files.iter_rows(named=True)}

    def known(self, stems: Mapping[str, str]) -> dict[str, str]:
        """The files that may keep their outputs, with their sha256 then (:func:`known_files`)."""
        return known_files(self.files, stems, self.before, set(self.pending["files"]))

    def redo_context(self, unchanged: Iterable[str], repeat_sig: Mapping[str, str]) -> list[str]:
        """The unchanged files whose repeated lines moved (:func:`context_changed`)."""
        return context_changed(unchanged, self.old, repeat_sig)

    def plan(
        self,
        inputs: Iterable[str],
        unchanged: Iterable[str],
        repeat_sig: Mapping[str, str],
        names_sig: Mapping[str, str],
    ) -> Plan:
        """The plan for ``inputs``, given the files whose bytes are those of the last run
        (``unchanged``: known, same sha256) and the cross-file signatures of this run. ``keep``
        is sorted; the others keep the order they are given in.

        >>> st = RunState(Path("out"), pl.DataFrame({"file": ["a", "b", "c"], "sha256": ["1", "2", "3"],
        ...     "repeat_sig": ["", "r", ""], "source": ["S", None, "T"], "names_sig": ["n", "", "m"]}),
        ...     pl.LazyFrame(), pl.LazyFrame())
        >>> st.plan(["a", "b", "c", "d"], ["a", "b", "c"], {"b": "r2"}, {"S": "n", "T": "m2"})
        Plan(clean=('b', 'd'), redo_context=('b',), redo_typos=('c',), keep=('a',))
        """
        same = list(unchanged)
        context = self.redo_context(same, repeat_sig)
        still = [f for f in same if f not in set(context)]
        typos = moved_files(still, self.old, names_sig)
        keep = sorted(set(still) - set(typos))
        settled = set(still)
        return Plan(
            clean=tuple(f for f in inputs if f not in settled),
            redo_context=tuple(context),
            redo_typos=tuple(typos),
            keep=tuple(keep),
        )

    def mark_pending(self, files: list[str], stems: dict[str, str]) -> None:
        """Name the files this run rewrites, before any output (:func:`write_pending`)."""
        write_pending(self.state_dir, self.pending, files, stems)

    def previous_rows(self, files: list[str]) -> dict[str, Any]:
        """The last run's table rows of ``files`` (:func:`previous_rows`)."""
        return previous_rows(self.out_dir, files)

    def remove_stale(self, outputs: Iterable[str | Path]) -> list[Path]:
        """Delete what the last run (or an unfinished one) wrote and this run did not."""
        previous = [*previous_outputs(self.out_dir), *outputs_of_stems(self.out_dir, self.pending["stems"])]
        return remove_stale(self.out_dir, outputs, previous)

    def save(
        self,
        files: pl.DataFrame,
        hashes: list[pl.LazyFrame],
        names: list[pl.LazyFrame],
        repeat_sig: dict[str, str],
        names_sig: dict[str, str],
        articles: pl.DataFrame,
    ) -> None:
        """Write the next run's state (:func:`save_state`)."""
        save_state(self.state_dir, files, hashes, names, repeat_sig, names_sig, articles)

    def finish(self) -> None:
        """The run wrote everything: nothing is pending."""
        (self.state_dir / PENDING_FILE).unlink(missing_ok=True)
