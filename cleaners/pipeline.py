"""The cleaning stages composed over a corpus of raw files, as polars frames.

Pure functions (no Prefect, no file writing): the flow and the command line both call them.

Stage by stage the corpus is a frame of lines that gains columns:

``decode_sources``   bytes -> ``files`` (one row per input) and ``raw`` lines (file, n, raw)
``repair_lines``     + ``text`` (encoding repaired, characters normalized), ``fixes``, ``content``
                     (white space collapsed); blank lines are dropped here (they carry no role)
``classify_lines``   + signals, ``role``, ``reason``, ``article``
``build_articles``   one row per (file, article) with paragraphs, captions and metadata
``detect_typos``     one row per typo flag

>>> src = [Source("a.txt", "Storm hits coast\\nThe storm hit the coast on Monday.\\nLeave a Reply".encode())]
>>> corpus = clean_corpus(src)
>>> corpus.articles.select("title", "paragraphs").rows()
[('Storm hits coast', ['The storm hit the coast on Monday.'])]
>>> [(d["n"], d["role"], d["reason"]) for d in documents(corpus)["a.txt"]["lines"]]
[(1, 'title', None), (2, 'body', None), (3, 'boilerplate', 'comment_prompt')]
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from importlib import resources
from typing import Any

import polars as pl

from cleaners.articles import build_articles
from cleaners.encoding import decode_bytes, repair_frame
from cleaners.frames import FilesFrame, NamesFrame, RawLinesFrame, SourceSumsFrame, TyposFrame, polars_schema
from cleaners.html import EXTRACTED_FROM_HTML, html_text, is_html_page
from cleaners.lines import BLANK, collapse_ws, line_signals
from cleaners.model import MODEL_FILE
from cleaners.structure import METADATA_ROLES, assign_structure
from cleaners.title import TITLE_MODEL_FILE
from cleaners.typos import NameIndex, count_names, find_typos, name_counts, screen_paragraphs


def _models_digest() -> str:
    """A short sha256 of the shipped model files: a retrained model changes the cleaner's output."""
    h = hashlib.sha256()
    for name in (MODEL_FILE, TITLE_MODEL_FILE):
        h.update(resources.files("cleaners").joinpath(name).read_bytes())
    return h.hexdigest()[:12]


#: Bump the first part when a change to the cleaners' code changes their output; the second part
#: follows the shipped models. Incremental runs re-clean a file cleaned by another version.
CLEANER_VERSION = f"0.3.6+{_models_digest()}"
DEFAULT_MAX_BYTES = 64 * 1024 * 1024

#: The dtype mappings of the cleaners' frames (:mod:`cleaners.frames` declares them).
FILES_SCHEMA = polars_schema(FilesFrame)
RAW_SCHEMA = polars_schema(RawLinesFrame)
TYPO_SCHEMA = polars_schema(TyposFrame)
NAMES_SCHEMA = polars_schema(NamesFrame)
SUMS_SCHEMA = polars_schema(SourceSumsFrame)
#: Columns of the lines frame that are written out (the signals stay in memory).
LINE_COLUMNS = ["file", "n", "role", "reason", "article", "p_body", "raw", "text", "content", "fixes"]


@dataclass(frozen=True)
class Source:
    """One raw input: its name (the contract's ``file``) and its bytes, or why it could not be read."""

    name: str
    data: bytes | None
    error_kind: str | None = None
    error_message: str | None = None


@dataclass
class Corpus:
    """The frames of a cleaned corpus."""

    files: pl.DataFrame
    lines: pl.DataFrame
    articles: pl.DataFrame
    typos: pl.DataFrame


#: A text with nothing to read: whitespace (no-break spaces among it), invisible format
#: characters (zero-width space, word joiner, BOM, soft hyphen) and control characters.
_BLANK = re.compile(r"[\s\u200b-\u200f\u2060\ufeff\u00ad\x00-\x1f\x7f-\x9f]*")


def decode_sources(
    sources: Sequence[Source], *, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Decode every source; return the ``files`` frame and the frame of raw lines.

    Lines are numbered as ``str.splitlines`` numbers them, like the evaluation tools do.
    A source that cannot be decoded gets an ``error_kind`` and no lines.
    """
    files: list[dict[str, Any]] = []
    names: list[str] = []
    numbers: list[int] = []
    raws: list[str] = []
    keeps: list[bool] = []
    for src in sources:
        row: dict[str, Any] = {
            "file": src.name,
            "sha256": None,
            "n_bytes": None,
            "encoding": None,
            "fallback_lines": [],
            "extracted_from": None,
            "error_kind": src.error_kind,
            "error_message": src.error_message,
        }
        if src.data is not None and src.error_kind is None:
            row["sha256"] = hashlib.sha256(src.data).hexdigest()
            row["n_bytes"] = len(src.data)
            dec = decode_bytes(src.data, max_bytes=max_bytes)
            row.update(
                encoding=dec.encoding,
                fallback_lines=list(dec.fallback_lines),
                error_kind=dec.error_kind,
                error_message=dec.error_message,
            )
            if dec.text is not None and dec.error_kind is None and is_html_page(dec.text):
                extracted = html_text(dec.text)
                if extracted is None:
                    row.update(
                        error_kind="html",
                        error_message=f"{src.name} is an HTML page with no main text to extract",
                    )
                dec = replace(dec, text=extracted, fallback_lines=())
                row.update(extracted_from=EXTRACTED_FROM_HTML, fallback_lines=[])
            if dec.text is not None and row["error_kind"] is None and _BLANK.fullmatch(dec.text):
                row.update(
                    error_kind="empty",
                    error_message=f"file holds only whitespace ({len(src.data)} bytes, no visible character)",
                )
            if dec.text is not None and row["error_kind"] is None:
                lines = dec.text.splitlines()
                names += [src.name] * len(lines)
                numbers += range(1, len(lines) + 1)
                raws += lines
                keeps += (
                    _undecodable_lines(src.data, len(lines)) if dec.fallback_lines else [False] * len(lines)
                )
        files.append(row)
    return (
        pl.DataFrame(files, schema=FILES_SCHEMA),
        pl.DataFrame({"file": names, "n": numbers, "raw": raws, "keep": keeps}, schema=RAW_SCHEMA),
    )


def _undecodable_lines(data: bytes, n_lines: int) -> list[bool]:
    """Lines that look blank once decoded with a fallback but hold bytes that are not UTF-8.

    A cp1252 line of only 0xA0 bytes is no-break spaces to us and U+FFFD to a UTF-8 reader (the
    evaluation tool): such a line is kept, so every reader accounts for the same lines.
    """
    view = data.decode("utf-8", "replace").splitlines()
    if len(view) != n_lines:
        return [False] * n_lines
    return ["\ufffd" in line and not line.replace("\ufffd", "").strip() for line in view]


def repair_lines(raw: pl.DataFrame) -> pl.DataFrame:
    """Repair encoding and normalize characters; keep only non-blank lines.

    A line of white space and no-break spaces only is blank (:data:`cleaners.lines.BLANK`): it
    gets no role. A line of control characters only is not blank; it keeps an empty ``content``.
    """
    kept = raw.filter(~pl.col("raw").str.contains(BLANK) | pl.col("keep"))
    return repair_frame(kept, "raw").with_columns(content=collapse_ws("text"))


def classify_lines(lines: pl.DataFrame, repeats: pl.DataFrame | None = None) -> pl.DataFrame:
    """Signals, then each line's role, reason and article (see :mod:`cleaners.structure`)."""
    return assign_structure(line_signals(lines, repeats))


def name_rows(articles: pl.DataFrame) -> pl.DataFrame:
    """Capitalised name counts of every article, one row per (file, article, source, name), in
    article order and then name order (:func:`cleaners.typos.name_counts`)."""
    paras = articles.select(text="paragraphs").with_row_index("key").explode("text")
    keys = articles.select("file", "article", "source").with_row_index("key")
    return (
        name_counts(paras, "key")
        .join(keys, on="key", how="left", maintain_order="left")
        .select([pl.col(c).cast(t) for c, t in NAMES_SCHEMA.items()])
    )


def source_sums(rows: pl.LazyFrame) -> pl.DataFrame:
    """Name counts summed per (source, name) over rows of :func:`name_rows` (rows without a source
    dropped): what :func:`pool_names` needs, without one row per article.

    >>> r = pl.DataFrame({"file": ["a", "b", "c"], "article": [0, 0, 0], "source": ["x", "x", None],
    ...                   "name": ["Kim", "Kim", "Kim"], "count": [1, 2, 5]})
    >>> source_sums(r.lazy()).rows()
    [('x', 'Kim', 3)]
    """
    return (
        rows.filter(pl.col("source").is_not_null())
        .group_by("source", "name")
        .agg(pl.col("count").sum())
        .sort("source", "name")
        .collect()
        .select([pl.col(c).cast(t) for c, t in SUMS_SCHEMA.items()])
    )


def pool_names(rows: pl.DataFrame) -> dict[str, Counter[str]]:
    """Name counts pooled over the articles of each named source (for corpus-aware typo checks)."""
    pooled: dict[str, Counter[str]] = {}
    for source, name, count in (
        rows.filter(pl.col("source").is_not_null()).select("source", "name", "count").iter_rows()
    ):
        pooled.setdefault(source, Counter())[name] += count
    return pooled


def detect_typos(
    articles: pl.DataFrame,
    pooled: Mapping[str, Counter[str]] | None = None,
    names: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """One row per typo flag. Articles of a source named elsewhere in the run share name counts.

    Which detectors can fire on each paragraph is decided first for the whole frame by polars
    expressions and joins against the vocabulary (:func:`cleaners.typos.screen_paragraphs`);
    Python runs a detector only where that screen leaves it possible. ``names``, the
    :func:`name_rows` of these articles, saves counting their names again and lets an article
    none of whose names has a more frequent variant skip the name check.
    """
    rows: list[dict[str, Any]] = []
    pooled = pooled or {}
    own: dict[tuple[str, int], dict[str, int]] = {}
    if names is not None:
        for f, a, name, c in names.select("file", "article", "name", "count").iter_rows():
            own.setdefault((f, a), {})[name] = c
    indexes: dict[str, NameIndex] = {}
    for _, file, art, source, paragraphs, screen in _screened(articles):
        mine = own.get((file, art), {}) if names is not None else None
        if source and source in pooled:
            index = indexes.get(source)
            if index is None:
                index = indexes[source] = NameIndex(pooled[source])
        else:
            index = NameIndex(mine if mine is not None else count_names(paragraphs))
        # a name of the article that is not among its counts only opens sentences and is a common
        # word: it has no variant, so the names counted are all there is to check
        check_names = mine is None or any(index.dominant(n) is not None for n in mine)
        for t in find_typos(paragraphs, screen=screen, names=index, check_names=check_names):
            rows.append(
                {
                    "file": file,
                    "article": art,
                    "paragraph": t.paragraph,
                    "start": t.start,
                    "end": t.end,
                    "token": t.token,
                    "kind": t.kind,
                    "suggestion": t.suggestion,
                    "confidence": t.confidence,
                }
            )
    return pl.DataFrame(rows, schema=TYPO_SCHEMA)


#: Articles screened together: the screen's word frames (a row per word, several columns) are
#: its memory peak, so they are built a slice at a time; larger slices are no faster.
SCREEN_ARTICLES = 500


def _screened(
    articles: pl.DataFrame,
) -> Iterator[tuple[int, str, int, str | None, list[str], list[int] | None]]:
    """``(key, file, article, source, paragraphs, screen)`` per article, screened
    :data:`SCREEN_ARTICLES` at a time (:func:`cleaners.typos.screen_paragraphs`)."""
    arts = articles.select("file", "article", "source", "paragraphs")
    for chunk in arts.iter_slices(SCREEN_ARTICLES):
        chunk = chunk.with_row_index("key")
        paras = (
            chunk.select("key", text="paragraphs")
            .explode("text")
            .drop_nulls("text")
            .with_columns(paragraph=pl.int_range(pl.len()).over("key"))
        )
        masks = (
            screen_paragraphs(paras)
            .sort("key", "paragraph")
            .group_by("key", maintain_order=True)
            .agg("screen")
        )
        yield from chunk.join(masks, on="key", how="left", maintain_order="left").iter_rows()


def clean_corpus(sources: Sequence[Source], *, max_bytes: int = DEFAULT_MAX_BYTES) -> Corpus:
    """Every stage over one corpus held in memory (the command line; the flow runs them in batches)."""
    files, raw = decode_sources(sources, max_bytes=max_bytes)
    lines = classify_lines(repair_lines(raw))
    articles = build_articles(lines)
    names = name_rows(articles)
    typos = detect_typos(articles, pool_names(names), names)
    lines = lines.select(LINE_COLUMNS)
    files, articles = with_stats(files, lines, articles, typos)
    return Corpus(files=files, lines=lines, articles=articles, typos=typos)


def with_stats(
    files: pl.DataFrame, lines: pl.DataFrame | pl.LazyFrame, articles: pl.DataFrame, typos: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Per-file counts (lines, lines removed as boilerplate, lines moved to metadata, body words, typos) and per-article typo counts.

    >>> c = clean_corpus([Source("a.txt", b"Storm hits coast\\nThe the storm hit the coast on Monday.\\nLeave a Reply")])
    >>> f, a = with_stats(c.files, c.lines, c.articles, c.typos)
    >>> f.select("n_lines", "n_removed_boilerplate", "n_moved_to_metadata", "n_words", "n_typos").row(0)
    (3, 1, 0, 8, 1)
    >>> a["n_typos"].to_list()
    [1]
    """
    per_file = (
        lines.lazy()
        .group_by("file")
        .agg(
            n_lines=pl.len().cast(pl.Int32),
            n_removed_boilerplate=(pl.col("role") == "boilerplate").sum().cast(pl.Int32),
            n_moved_to_metadata=pl.col("role").is_in(METADATA_ROLES).sum().cast(pl.Int32),
        )
        .collect()
    )
    words = articles.group_by("file").agg(n_words=pl.col("n_words").sum().cast(pl.Int32))
    n_typos = typos.group_by("file").agg(n_typos=pl.len().cast(pl.Int32))
    stats = ["n_lines", "n_removed_boilerplate", "n_moved_to_metadata", "n_words", "n_typos"]
    files = (
        files.drop([c for c in stats if c in files.columns])
        .join(per_file, on="file", how="left", maintain_order="left")
        .join(words, on="file", how="left", maintain_order="left")
        .join(n_typos, on="file", how="left", maintain_order="left")
        .with_columns(pl.col(stats).fill_null(0))
    )
    return files, with_article_typos(articles, typos)


def with_article_typos(articles: pl.DataFrame, typos: pl.DataFrame) -> pl.DataFrame:
    """``articles`` with ``n_typos``, each article's number of typo flags (0 without any).

    >>> a = pl.DataFrame({"file": ["a", "a"], "article": [0, 1]})
    >>> t = pl.DataFrame({"file": ["a", "a"], "article": [1, 1]})
    >>> with_article_typos(a, t)["n_typos"].to_list()
    [0, 2]
    """
    counts = typos.group_by("file", "article").agg(n_typos=pl.len().cast(pl.Int32))
    return (
        articles.drop("n_typos", strict=False)
        .join(counts, on=["file", "article"], how="left", maintain_order="left")
        .with_columns(pl.col("n_typos").fill_null(0))
    )


_TYPO_FIELDS = ("paragraph", "start", "end", "token", "kind", "suggestion", "confidence")
_ARTICLE_FIELDS = ("title", "subtitle", "source", "published", "byline", "dateline")


def documents(corpus: Corpus) -> dict[str, dict[str, Any]]:
    """Contract documents (``CONTRACT.md``) for every file of a corpus, keyed by file name.

    Each frame is read once, in order, and its rows are dealt out to their files.
    """
    fixes: dict[str, list[dict[str, Any]]] = {}
    for f, n, fx in (
        corpus.lines.filter(pl.col("fixes").list.len() > 0)
        .sort("file", "n")
        .select("file", "n", "fixes")
        .iter_rows()
    ):
        fixes.setdefault(f, []).extend(
            {"line": n, "before": x["before"], "after": x["after"], "steps": x["steps"]} for x in fx
        )
    lines: dict[str, list[dict[str, Any]]] = {}
    for f, n, role, art, reason, p_body in (
        corpus.lines.sort("file", "n").select("file", "n", "role", "article", "reason", "p_body").iter_rows()
    ):
        lines.setdefault(f, []).append(
            {"n": n, "role": role, "article": art, "reason": reason, "p_body": round(p_body, 4)}
        )
    typos: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for t in corpus.typos.sort("file", "article", "paragraph", "start").iter_rows(named=True):
        typos.setdefault((t["file"], t["article"]), []).append({k: t[k] for k in _TYPO_FIELDS})
    articles: dict[str, list[dict[str, Any]]] = {}
    for a in corpus.articles.sort("file", "article").iter_rows(named=True):
        articles.setdefault(a["file"], []).append(
            {
                **{k: a[k] for k in _ARTICLE_FIELDS},
                "paragraphs": list(a["paragraphs"]),
                "captions": list(a["captions"]),
                "typos": typos.get((a["file"], a["article"]), []),
            }
        )
    out: dict[str, dict[str, Any]] = {}
    for row in corpus.files.iter_rows(named=True):
        f = row["file"]
        doc: dict[str, Any] = {
            "file": f,
            "sha256": row["sha256"],
            "encoding": {
                "detected": row["encoding"],
                "fallback_lines": list(row["fallback_lines"] or []),
                "fixes": fixes.get(f, []) if row["error_kind"] is None else [],
                **({"extracted_from": row["extracted_from"]} if row["extracted_from"] else {}),
            },
            "articles": [],
            "lines": [],
        }
        if row["error_kind"] is not None:
            doc["error"] = {"kind": row["error_kind"], "message": row["error_message"]}
        else:
            doc["articles"] = articles.get(f, [])
            doc["lines"] = lines.get(f, [])
        out[f] = doc
    return out


def body_text(doc: Mapping[str, Any]) -> str:
    """The ``--format text`` view: body paragraphs of all articles, separated by blank lines."""
    return "\n\n".join(p for a in doc.get("articles", []) for p in a["paragraphs"])
