"""Labelled lines from real gold: the training table of the line model.

Every page is cleaned up to the lines frame the model sees at run time (decoded, repaired,
white space collapsed), one corpus per folder as ``newsclean clean DIR`` would see it, and each
line gets ``label`` 1 (body), 0 (not body) or null (unlabelled):

``readability``       a line is body when at least half of its 4-token shingles occur in
                      ``gold/<id>.txt``; a line of fewer than four tokens is body when it is a
                      whole gold line, not body when its tokens occur nowhere in a row in the
                      gold, else unlabelled
``trafilatura-dev``   a line holding a 'with' snippet is body, one holding a 'without' snippet
                      is not, the others are unlabelled (a line holding both is unlabelled)
``seeds``             the seeds' gold (``../shared/gold``): body lines of the gold's articles
``fixtures``          the team's fixture pages (``tests/fixtures/pages``): a line is body when it
                      is one of the ``.body.txt`` paragraphs

``weight`` is what one line counts in the metric it is scored by: its share of the page's tokens
on readability, seeds and fixtures (so every page weighs the same, as the shingle metric averages
over pages), one per labelled snippet line on trafilatura-dev. ``site`` groups pages for the
folds: the registered domain of the page's url (of the archived url for web.archive.org), the id
up to its first ``-`` on readability, the file on seeds and fixtures.

>>> page_site("nytimes-3"), url_site("https://web.archive.org/web/2019/https://www.bbc.co.uk/news/x")
('nytimes', 'bbc.co.uk')
>>> _labels_from_gold(["The storm hit the coast on Monday night.", "Share", "Monday night"],
...                   "The storm hit the coast on Monday night.\\nIt was over by Monday night.")
[1, 0, None]
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from cleaners.pipeline import Source, decode_sources, repair_lines

_WORD = re.compile(r"\w+")
#: Second-level labels under which registered domains sit (``bbc.co.uk``, ``abc.net.au``).
_SECOND_LEVEL = frozenset({"co", "com", "net", "org", "gov", "ac", "edu", "or", "ne", "go", "gv", "gob"})

#: Where each kind of data lives below ``../shared`` (the labelled sets the model learns from).
REALWORLD_SETS = ("readability", "trafilatura-dev")
INPUT_KINDS = ("extracted", "naive")

LABELS_SCHEMA = {
    "set": pl.Utf8,
    "kind": pl.Utf8,
    "page": pl.Utf8,
    "site": pl.Utf8,
    "file": pl.Utf8,
    "n": pl.Int32,
    "content": pl.Utf8,
    "label": pl.Int8,
    "weight": pl.Float64,
}


def _tokens(text: str) -> list[str]:
    return _WORD.findall(text)


def _shingles(tokens: Sequence[str]) -> list[tuple[str, ...]]:
    """4-token shingles as ``../shared/eval/realworld.py`` counts them (a shorter text is one)."""
    if len(tokens) < 4:
        return [tuple(tokens)] if tokens else []
    return [tuple(tokens[i : i + 4]) for i in range(len(tokens) - 3)]


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def _labels_from_gold(lines: Sequence[str], gold: str) -> list[int | None]:
    """Body (1), not body (0) or unlabelled (None) for each line, against a gold text."""
    gold_tokens = _tokens(gold)
    gold_shingles = set(_shingles(gold_tokens))
    gold_lines = {_norm(g) for g in gold.splitlines() if g.strip()}
    joined = " " + " ".join(gold_tokens) + " "
    out: list[int | None] = []
    for line in lines:
        toks = _tokens(line)
        if len(toks) >= 4:
            sh = _shingles(toks)
            out.append(int(2 * sum(s in gold_shingles for s in sh) >= len(sh)))
        elif not toks:
            out.append(0)
        elif _norm(line) in gold_lines:
            out.append(1)
        elif f" {' '.join(toks)} " not in joined:
            out.append(0)
        else:
            out.append(None)
    return out


def _labels_from_snippets(lines: Sequence[str], item: dict) -> list[int | None]:
    """1 for a line holding a 'with' snippet, 0 for one holding a 'without' snippet."""
    keep = [_norm(w) for w in item["with"]]
    drop = [_norm(w) for w in item["without"]]
    out: list[int | None] = []
    for line in lines:
        t = _norm(line)
        has_keep = any(w and w in t for w in keep)
        has_drop = any(w and w in t for w in drop)
        out.append(None if has_keep == has_drop else int(has_keep))
    return out


def page_site(page: str) -> str:
    """The site of a readability page: its id up to the first ``-``."""
    return page.split("-", 1)[0]


def url_site(url: str) -> str:
    """The registered domain of a url (of the archived url on web.archive.org); '' for none."""
    if not url:
        return ""
    m = re.match(r"https?://web\.archive\.org/web/[^/]*/(.*)$", url)
    if m:
        url = m.group(1)
    host = re.sub(r"^[a-z]+://", "", url.lower()).split("/", 1)[0].split(":", 1)[0]
    parts = [p for p in host.split(".") if p]
    if len(parts) >= 3 and (parts[-2] in _SECOND_LEVEL or len(parts[-2]) <= 2) and len(parts[-1]) == 2:
        return ".".join(parts[-3:])
    return ".".join(parts[-2:])


@dataclass(frozen=True)
class Page:
    """One page of a labelled set: its text and how its lines get labels."""

    set: str
    kind: str
    page: str
    site: str
    data: bytes
    gold: str | None = None  # a gold text (readability, fixtures)
    snippets: dict | None = None  # 'with'/'without' snippets (trafilatura-dev)
    body_lines: frozenset[int] | None = None  # gold line numbers of the body (seeds)
    title_lines: frozenset[int] | None = None  # gold line numbers of the titles (seeds)


def realworld_pages(data: Path) -> list[Page]:
    """The pages of ``../shared/data/realworld`` (both sets, both inputs)."""
    pages: list[Page] = []
    for kind in INPUT_KINDS:
        base = data / "readability"
        for path in sorted((base / kind).glob("*.txt")):
            gold = (base / "gold" / path.name).read_text(encoding="utf-8")
            pages.append(
                Page("readability", kind, path.stem, page_site(path.stem), path.read_bytes(), gold=gold)
            )
        base = data / "trafilatura-dev"
        snippets = json.loads((base / "snippets.json").read_text(encoding="utf-8"))
        for path in sorted((base / kind).glob("*.txt")):
            item = snippets[path.stem]
            site = url_site(item.get("url") or "") or path.stem
            pages.append(Page("trafilatura-dev", kind, path.stem, site, path.read_bytes(), snippets=item))
    return pages


def seed_pages(seeds: Path, gold: Path) -> list[Page]:
    """The seeds with their gold body lines (``../shared/gold/<stem>.gold.json``)."""
    pages = []
    for path in sorted(seeds.glob("*.txt")):
        g = json.loads((gold / f"{path.stem}.gold.json").read_text(encoding="utf-8"))
        body = frozenset(n for a in g["articles"] for n in a["body_lines"])
        titles = frozenset(r["line"] for r in g["line_roles"] if r["role"] == "title")
        pages.append(
            Page(
                "seeds", "seed", path.stem, path.stem, path.read_bytes(), body_lines=body, title_lines=titles
            )
        )
    return pages


def fixture_pages(folder: Path) -> list[Page]:
    """The team's fixture pages: ``NAME.txt`` with its expected body ``NAME.body.txt``."""
    pages = []
    for path in sorted(folder.glob("*.txt")):
        if path.name.endswith(".body.txt"):
            continue
        body = path.with_name(f"{path.stem}.body.txt")
        if body.exists():
            paras = [_norm(p) for p in body.read_text(encoding="utf-8").split("\n\n") if p.strip()]
            pages.append(
                Page("fixtures", "fixture", path.stem, path.stem, path.read_bytes(), gold="\n".join(paras))
            )
    return pages


def _corpus_lines(pages: Sequence[Page]) -> pl.DataFrame:
    """The lines frame of a group of pages cleaned as one corpus (file = ``<page>.txt``)."""
    files, raw = decode_sources([Source(f"{p.page}.txt", p.data) for p in pages])
    return repair_lines(raw).select("file", "n", "content")


def label_pages(pages: Iterable[Page]) -> pl.DataFrame:
    """The labelled line table of pages, grouped by (set, kind) into corpora (:data:`LABELS_SCHEMA`)."""
    groups: dict[tuple[str, str], list[Page]] = {}
    for p in pages:
        groups.setdefault((p.set, p.kind), []).append(p)
    frames = []
    for (set_, kind), group in groups.items():
        lines = _corpus_lines(group)
        by_file = {f"{p.page}.txt": p for p in group}
        parts = lines.partition_by("file", as_dict=True, maintain_order=True)
        for (file,), df in parts.items():
            page = by_file[file]
            content = df["content"].to_list()
            if page.snippets is not None:
                labels = _labels_from_snippets(content, page.snippets)
                weights = [1.0] * len(content)
            else:
                if page.body_lines is not None:
                    labels = [int(n in page.body_lines) for n in df["n"].to_list()]
                else:
                    labels = _labels_from_gold(content, page.gold or "")
                counts = [max(1, len(_tokens(c))) for c in content]
                total = sum(counts) or 1
                weights = [c / total for c in counts]
            frames.append(
                df.with_columns(
                    set=pl.lit(set_),
                    kind=pl.lit(kind),
                    page=pl.lit(page.page),
                    site=pl.lit(f"{set_}:{page.site}"),
                    label=pl.Series(labels, dtype=pl.Int8),
                    weight=pl.Series(weights, dtype=pl.Float64),
                ).select(list(LABELS_SCHEMA))
            )
    return pl.concat(frames).cast(LABELS_SCHEMA)  # type: ignore[arg-type]


def label_summary(labels: pl.DataFrame) -> pl.DataFrame:
    """Pages, lines and labelled lines per (set, kind)."""
    return (
        labels.group_by("set", "kind", maintain_order=True)
        .agg(
            pages=pl.col("page").n_unique(),
            lines=pl.len(),
            body=(pl.col("label") == 1).sum(),
            not_body=(pl.col("label") == 0).sum(),
            unlabelled=pl.col("label").is_null().sum(),
        )
        .sort("set", "kind")
    )
