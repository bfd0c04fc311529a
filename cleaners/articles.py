"""Articles and their metadata, read from classified lines.

Paragraphs, captions and metadata lines are gathered per (file, article) with polars; the
few metadata strings of each article are then parsed in Python (per article, not per line).

>>> parse_date("NIKKEI ASIA | Published January 14, 2025")
'2025-01-14'
>>> source_from_line("SOURCE: www.asia.nikkei.com")
'asia.nikkei.com'
>>> read_dateline("SEOUL, Jan 14 (Reuters) – After a battle in Russia’s snowy west, …")
('SEOUL, Jan 14 (Reuters)', 'Reuters')
>>> clean_title("RELATED: North Korean troops told to choose suicide over capture in Ukraine: Seoul")
'North Korean troops told to choose suicide over capture in Ukraine: Seoul'
"""

from __future__ import annotations

import re
from datetime import date

import polars as pl

from cleaners.frames import ArticlesFrame, polars_schema

_MONTHS = {
    m: i
    for i, ms in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        1,
    )
    for m in ms
}
_MON = (
    r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DATE_PATTERNS = [
    (re.compile(rf"\b{_MON}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.I), ("m", "d", "y")),
    (re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+{_MON},?\s+(\d{{4}})\b", re.I), ("d", "m", "y")),
    (re.compile(r"\b(\d{4})-(\d{2})-(\d{2})(?!\d)"), ("y", "m", "d")),
    (re.compile(r"\b(\d{4})/(\d{1,2})/(\d{1,2})\b"), ("y", "m", "d")),
    (re.compile(r"\b(\d{1,2})[/.](\d{1,2})[/.](\d{4})\b"), ("a", "b", "y")),
]
_DOMAIN = re.compile(r"(?:https?://)?(?:www\.)?((?:[a-z0-9-]+\.)+[a-z]{2,24})\b", re.I)
_SOURCE_PREFIX = re.compile(r"^(?:source|sources|via|originally published (?:at|on|by))\s*:\s*", re.I)
_SYNDICATION = re.compile(r"(?:appeared|published|posted)\s+(?:on|in|at|by)\s+(.+?)[.\s]*$", re.I)
_DATELINE = re.compile(
    r"^((?:[A-Z][A-Z.'’-]{2,}(?:[ ,/]+[A-Z][A-Za-z.'’-]*){0,4})"
    r"(?:,\s*[A-Z][a-z]{2,8}\.?\s+\d{1,2})?(?:\s*\(([^()]{2,40})\))?)\s*[–—-]+\s+\S"
)
_TEASER = re.compile(
    r"^(?:related|read more|also read|see also|must read|watch|more|recommended)\s*[:|–—-]\s*", re.I
)
_COPYRIGHT_HOLDER = re.compile(
    r"(?:©|\(c\)|copyright)\s*©?\s*(?:\d{4}(?:\s*[-–]\s*\d{4})?\s*,?\s*)?"
    r"(?:by\s+)?(?P<name>[^|•·,;]+?)\s*(?:\.\s|[|•·,;]|\.?$)",
    re.I,
)
_CORPORATE = re.compile(
    r"\s*,?\s+(?:inc|ltd|llc|limited|plc|gmbh|corp(?:oration)?|co|s\.?a|ag|group)\.?$", re.I
)
_NOT_A_HOLDER = re.compile(r"^(?:all rights reserved|\d{4}|the authors?|by individual contributors?)\b", re.I)
_BYLINE = re.compile(r"^(?:by|written by|words by|reporting by|author:)\s+", re.I)


def parse_date(text: str) -> str | None:
    """The first unambiguous calendar date in ``text`` as ISO ``YYYY-MM-DD``, else ``None``.

    >>> parse_date("Updated 3 Feb 2024, 10:00 GMT")
    '2024-02-03'
    >>> parse_date("04/05/2024") is None   # day and month cannot be told apart
    True
    """
    for rx, order in _DATE_PATTERNS:
        m = rx.search(text)
        if not m:
            continue
        parts = dict(zip(order, m.groups(), strict=True))
        try:
            y = int(parts["y"])
            if "m" in parts:
                mo = int(parts["m"]) if parts["m"].isdigit() else _MONTHS[parts["m"].lower().rstrip(".")]
                d = int(parts["d"])
            else:
                a, b = int(parts["a"]), int(parts["b"])
                if a > 12 >= b:
                    d, mo = a, b
                elif b > 12 >= a:
                    mo, d = a, b
                else:
                    return None
            return date(y, mo, d).isoformat()
        except (KeyError, ValueError):
            continue
    return None


def source_from_line(text: str) -> str | None:
    """The publisher named by a ``SOURCE:`` or syndication line: its domain without ``www.``.

    >>> source_from_line("This article originally appeared on The Conversation.")
    'The Conversation'
    """
    m = _DOMAIN.search(text)
    if m:
        return m.group(1).lower()
    rest = _SOURCE_PREFIX.sub("", text)
    if rest != text:
        return rest.strip(" .") or None
    s = _SYNDICATION.search(text)
    return s.group(1).strip(" .") if s else None


def publisher_from_copyright(text: str) -> str | None:
    """The holder a copyright line names (the site's publisher), without a corporate suffix.

    >>> publisher_from_copyright("Copyright © 2019 The Seattle Times | Privacy statement")
    'The Seattle Times'
    >>> publisher_from_copyright("Copyright 2006 - 2024 Spiceworks Inc. All rights reserved.")
    'Spiceworks'
    >>> publisher_from_copyright("© 2025 All rights reserved.") is None
    True
    """
    m = _COPYRIGHT_HOLDER.search(text)
    if not m:
        return None
    name = _CORPORATE.sub("", m.group("name").strip(" .")).strip(" .")
    if not name or _NOT_A_HOLDER.match(name) or len(name.split()) > 6 or not name[0].isupper():
        return None
    return name


def read_dateline(paragraph: str) -> tuple[str | None, str | None]:
    """A wire dateline opening a paragraph, and the agency named in it.

    >>> read_dateline("SEOUL — North Korean soldiers deployed to fight …")
    ('SEOUL', None)
    >>> read_dateline("The soldiers – all of them – left.")
    (None, None)
    """
    m = _DATELINE.match(paragraph)
    if not m:
        return None, None
    return m.group(1).strip(), (m.group(2).strip() if m.group(2) else None)


def clean_title(text: str) -> str:
    """A title without a teaser prefix (``RELATED:``, ``Read more:`` …)."""
    return _TEASER.sub("", text).strip()


def _file_publisher(footer: list[str]) -> str | None:
    """The publisher of a file's copyright footer lines: the last one that names a holder."""
    return _first([publisher_from_copyright(t) for t in reversed(footer)])


def _first(values: list[str | None]) -> str | None:
    return next((v for v in values if v), None)


def _metadata(row: dict) -> dict:
    """Title, source, date, byline and dateline of one article from its gathered lines."""
    meta_lines: list[str] = row["meta"] or []
    bylines: list[str] = row["bylines"] or []
    paragraphs: list[str] = row["paragraphs"] or []
    dateline, agency = read_dateline(paragraphs[0]) if paragraphs else (None, None)
    source = _first(
        [
            source_from_line(t)
            for t, r in zip(meta_lines, row["meta_reasons"], strict=True)
            if r in ("source_line", "syndication")
        ]
    )
    if source is None and agency:
        source = agency
    if source is None:
        named = [
            t.split("|")[0].strip()
            for t, r in zip(meta_lines, row["meta_reasons"], strict=True)
            if r == "published_line" and "|" in t
        ]
        source = _first([n for n in named if n and parse_date(n) is None])
    published = _first(
        [
            parse_date(t)
            for t, r in zip(meta_lines, row["meta_reasons"], strict=True)
            if r in ("published_line", "dateline_only")
        ]
        + [parse_date(b) for b in bylines]
    )
    byline = _first(
        [
            _BYLINE.sub("", b).strip()
            for b, r in zip(bylines, row["byline_reasons"], strict=True)
            if r == "byline"
        ]
    )
    return {
        "title": clean_title(row["title"]) if row["title"] else None,
        "subtitle": row["subtitle"],
        "source": source,
        "published": published,
        "byline": byline,
        "dateline": dateline,
    }


ARTICLE_SCHEMA = polars_schema(ArticlesFrame)  # the frame build_articles returns


def build_articles(lines: pl.DataFrame) -> pl.DataFrame:
    """One row per (file, article): paragraphs, captions and parsed metadata.

    ``lines`` needs ``file``, ``n``, ``content``, ``role``, ``reason`` and ``article``.
    """
    role, text = pl.col("role"), pl.col("content")
    grouped = (
        lines.filter(pl.col("article").is_not_null())
        .sort("file", "n")
        .group_by("file", "article", maintain_order=True)
        .agg(
            title=text.filter(role == "title").first(),
            subtitle=text.filter(role == "subtitle").first(),
            paragraphs=text.filter(role == "body"),
            captions=text.filter(role == "caption"),
            meta=text.filter(role == "meta"),
            meta_reasons=pl.col("reason").filter(role == "meta"),
            bylines=text.filter(role == "byline"),
            byline_reasons=pl.col("reason").filter(role == "byline"),
        )
    )
    meta = [_metadata(r) for r in grouped.iter_rows(named=True)]
    fields = ["title", "subtitle", "source", "published", "byline", "dateline"]
    out = grouped.select("file", "article", "paragraphs", "captions").with_columns(
        **{f: pl.Series([m[f] for m in meta], dtype=pl.Utf8) for f in fields}
    )
    # An article that names no source takes its page's publisher from the copyright footer.
    footers = (
        lines.filter(pl.col("reason") == "copyright_footer")
        .sort("file", "n")
        .group_by("file", maintain_order=True)
        .agg("content")
    )
    footer = pl.DataFrame(
        {
            "file": footers["file"],
            "publisher": pl.Series([_file_publisher(c) for c in footers["content"].to_list()], dtype=pl.Utf8),
        },
        schema={"file": pl.Utf8, "publisher": pl.Utf8},
    )
    out = (
        out.join(footer, on="file", how="left", maintain_order="left")
        .with_columns(source=pl.coalesce("source", "publisher"))
        .drop("publisher")
    )
    out = out.with_columns(
        n_paragraphs=pl.col("paragraphs").list.len().cast(pl.Int32),
        n_words=pl.col("paragraphs").list.join(" ").str.count_matches(r"\S+").fill_null(0).cast(pl.Int32),
    )
    return out.select([pl.col(c).cast(t) for c, t in ARTICLE_SCHEMA.items()])
