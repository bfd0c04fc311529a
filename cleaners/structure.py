"""Decide each line's role in context and split a file into articles.

Input: the signals frame of :func:`cleaners.lines.line_signals` (one row per non-blank line).
Output: the same rows with ``role``, ``reason`` and ``article``.

How the decision is made, per file:

1. **Lexicon first.** A line matched by a phrase family keeps that family's role and reason
   (ad slots, read-more links, comment prompts, source and date lines, bylines, photo credits…).
2. **Repetition.** A short unterminated line seen in several files of the run is template
   (``repeated_across_files``); a later copy of the title is ``duplicate_title``.
3. **Anchors.** Prose-shaped lines that end like sentences (``strong``) anchor the body. Where a
   file has none (a script without sentence punctuation), long lines anchor it instead.
4. **Articles.** A new article starts after an end-of-article run (read-more link, source or
   syndication line, comment prompt) when two or more anchors follow, or at a second date or
   byline block that follows two anchors and precedes two more. Its title is the first
   candidate line (a ``RELATED:`` teaser included); a teaser that starts nothing stays boilerplate.
5. **Position and neighbours.** Within an article, the title is the first candidate line and
   an unterminated line right after it is the subtitle. Between the first and last anchor, a
   short unterminated line is a subheading (body), unless three or more come in a row (a link
   menu); a long unterminated line is a caption. Before the first anchor, leftovers are head
   furniture; after the last one, only prose-shaped sentences stay body.

>>> import polars as pl
>>> from cleaners.lines import line_signals
>>> df = pl.DataFrame({"file": ["a"] * 5, "n": [1, 2, 3, 4, 5], "content": [
...     "Storm hits the coast", "Header Ads Widget", "The storm hit the coast on Monday night.",
...     "Officials said power was out for thousands.", "Leave a Reply"]})
>>> assign_structure(line_signals(df)).select("role", "reason", "article").rows()
[('title', None, 0), ('boilerplate', 'ad_slot', None), ('body', None, 0), ('body', None, 0), ('boilerplate', 'comment_prompt', None)]
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from cleaners.lexicon import END_REASONS

#: Every role a line can have (CONTRACT.md), and those that belong to an article (boilerplate does not).
ROLES = ("title", "subtitle", "meta", "byline", "body", "caption", "boilerplate")
ARTICLE_ROLES = frozenset(ROLES) - {"boilerplate"}
#: Meta reasons that open a second article when they sit between two runs of body.
_BLOCK_REASONS = frozenset({"published_line", "byline"})
#: Furniture that may sit inside a comment thread without ending it.
_COMMENT_AFTER = frozenset({"timestamp", "share_row", "navigation"})
_SHORT_RUN = 3  # this many short unterminated lines in a row form a link menu
_LONG_UNTERMINATED = 10  # words: an unterminated line this long inside a story is a caption
_MAX_TITLE_WORDS = 40


@dataclass
class _Line:
    """One line's signals, as the per-file decision needs them."""

    content: str
    words: int
    chars: int
    terminal: bool
    sentence: bool
    strong: bool
    list_item: bool
    lex_role: str | None
    lex_reason: str | None
    repeat_files: int
    role: str = ""
    reason: str | None = None
    article: int | None = None

    @property
    def candidate(self) -> bool:
        """Not decided by the lexicon: text whose role depends on shape and position."""
        return self.lex_role is None

    @property
    def teaser(self) -> bool:
        return self.lex_reason == "related_link"


def _long(ln: _Line) -> bool:
    """A long candidate line: the body's anchor where sentences have no final punctuation."""
    return ln.candidate and (ln.chars >= 60 or ln.words >= 12)


def _anchors(lines: list[_Line]) -> list[bool]:
    strong = [ln.candidate and ln.strong for ln in lines]
    if any(strong):
        return strong
    # No sentence punctuation at all (some scripts, some scrapers): long lines anchor the body.
    return [_long(ln) for ln in lines]


def _boundaries(lines: list[_Line], anchor: list[bool]) -> list[int]:
    """Indexes where a new article starts (the first is always 0)."""
    n = len(lines)
    starts = [0]
    seen = 0  # anchors in the current article
    i = 0
    while i < n:
        ln = lines[i]
        if ln.lex_reason in END_REASONS and seen:
            j = i
            run_reasons = set()
            while j < n and not (lines[j].candidate or lines[j].teaser):
                run_reasons.add(lines[j].lex_reason)
                j += 1
            # After comment furniture alone, prose is a comment thread: only a teaser or a
            # title followed by a date/byline/source block opens another article.
            comments_only = run_reasons <= {"comment_prompt", None} | _COMMENT_AFTER
            if comments_only and j < n and not (lines[j].teaser or _meta_follows(lines, j)):
                seen += anchor[i]
                i += 1
                continue
            if j < n and _anchors_ahead(lines, anchor, j) >= 2:
                starts.append(j)
                seen = 0
                i = j
                continue
        elif ln.lex_reason in _BLOCK_REASONS and seen >= 2 and _anchors_ahead(lines, anchor, i + 1) >= 2:
            k = i
            for back in range(i - 1, max(i - 4, starts[-1]), -1):
                if anchor[back] or lines[back].lex_reason in END_REASONS:
                    break
                if lines[back].candidate or lines[back].teaser:
                    k = back
            starts.append(k)
            seen = 0
            i += 1
            continue
        seen += anchor[i]
        i += 1
    return starts


def _meta_follows(lines: list[_Line], j: int, within: int = 4) -> bool:
    """A metadata block (date, byline, source) right after line ``j``: the shape of an article head."""
    return any(ln.lex_role in ("meta", "byline") for ln in lines[j + 1 : j + 1 + within])


def _anchors_ahead(lines: list[_Line], anchor: list[bool], j: int) -> int:
    """Anchors from ``j`` up to the next end-of-article line that follows an anchor."""
    count = 0
    for k in range(j, len(lines)):
        if lines[k].lex_reason in END_REASONS and count:
            break
        count += anchor[k]
    return count


def _decide_article(lines: list[_Line], anchor: list[bool], lo: int, hi: int, art: int) -> None:
    seg = range(lo, hi)
    title_i = next((i for i in seg if lines[i].candidate or lines[i].teaser), None)
    if title_i is not None and (
        lines[title_i].words > _MAX_TITLE_WORDS or (anchor[title_i] and art > 0 and not lines[title_i].teaser)
    ):
        title_i = None
    # A comment prompt after the body starts the comment thread: nothing after it is story.
    comment_at = next(
        (i for i in seg if lines[i].lex_reason == "comment_prompt" and any(anchor[k] for k in range(lo, i))),
        None,
    )
    body_hi = comment_at if comment_at is not None else hi
    anchor_idx = [i for i in range(lo, body_hi) if anchor[i] and i != title_i]
    if not anchor_idx:  # only the title reads like a sentence (a truncated page): long lines anchor
        anchor_idx = [i for i in range(lo, body_hi) if i != title_i and _long(lines[i])]
    anchored = set(anchor_idx)
    first = anchor_idx[0] if anchor_idx else hi
    last = anchor_idx[-1] if anchor_idx else lo - 1
    subtitle_i = None
    title_text = lines[title_i].content if title_i is not None else None
    if title_i is not None:
        nxt = next(
            (i for i in range(title_i + 1, first) if lines[i].candidate and lines[i].content != title_text),
            None,
        )
        if nxt is not None:
            s = lines[nxt]
            if not s.terminal and 4 <= s.words <= _MAX_TITLE_WORDS and not s.list_item:
                subtitle_i = nxt
    # runs of short unterminated candidate lines (link menus)
    short = [
        ln.candidate and not ln.terminal and ln.words < _LONG_UNTERMINATED and not ln.list_item
        for ln in lines
    ]
    run_len = [0] * len(lines)
    i = lo
    while i < hi:
        if short[i]:
            j = i
            while j < hi and short[j]:
                j += 1
            for k in range(i, j):
                run_len[k] = j - i
            i = j
        else:
            i += 1
    for i in seg:
        ln = lines[i]
        if i == title_i:
            ln.role, ln.reason = "title", None
        elif i == subtitle_i:
            ln.role, ln.reason = "subtitle", "after_title"
        elif ln.lex_reason == "author_bio" and first <= i <= last:
            ln.role, ln.reason = "body", None  # "<Name> is a reporter …" inside the story is story
        elif not ln.candidate:
            ln.role, ln.reason = ln.lex_role or "boilerplate", ln.lex_reason
        elif title_text is not None and ln.content == title_text:
            ln.role, ln.reason = "boilerplate", "duplicate_title"
        elif comment_at is not None and i > comment_at:
            ln.role, ln.reason = "boilerplate", "comment_section"
        elif (
            ln.repeat_files >= 2
            and not ln.terminal
            and ln.words <= 8
            and ln.chars <= 60
            and not first <= i <= last
        ):
            # Template lines repeat across the files of a site; copies of one story share their
            # subheadings too, so only lines outside the story's span count.
            ln.role, ln.reason = "boilerplate", "repeated_across_files"
        elif first <= i <= last:
            if i in anchored or ln.terminal or ln.list_item:
                ln.role, ln.reason = "body", None
            elif ln.words >= _LONG_UNTERMINATED:
                ln.role, ln.reason = "caption", "unterminated_long_line"
            elif run_len[i] >= _SHORT_RUN:
                ln.role, ln.reason = "boilerplate", "link_menu"
            else:
                ln.role, ln.reason = "body", None  # a subheading inside the story
        elif i < first:
            if ln.words >= _LONG_UNTERMINATED and not ln.terminal:
                ln.role, ln.reason = "caption", "unterminated_long_line"
            else:
                ln.role, ln.reason = "boilerplate", "before_body"
        else:
            if (ln.terminal and ln.sentence and ln.words >= 3 and run_len[i] == 0) or (
                ln.list_item and ln.sentence and ln.words >= 4
            ):
                ln.role, ln.reason = "body", None
            else:
                ln.role, ln.reason = "boilerplate", "after_body"
        ln.article = art if ln.role in ARTICLE_ROLES else None


def _decide_file(lines: list[_Line]) -> None:
    anchor = _anchors(lines)
    starts = _boundaries(lines, anchor)
    bounds = [*starts, len(lines)]
    for art, (lo, hi) in enumerate(zip(bounds, bounds[1:], strict=False)):
        _decide_article(lines, anchor, lo, hi, art)
    # An article needs a body: a segment without one gives its title back as furniture.
    with_body = sorted({ln.article for ln in lines if ln.role == "body" and ln.article is not None})
    renumber = {old: new for new, old in enumerate(with_body)}
    for ln in lines:
        if ln.article is None:
            continue
        if ln.article not in renumber:
            if ln.role in ("title", "subtitle"):
                ln.role, ln.reason = "boilerplate", "no_body"
            ln.article = None
        else:
            ln.article = renumber[ln.article]


_FIELDS = (
    "content",
    "words",
    "chars",
    "terminal",
    "sentence",
    "strong",
    "list_item",
    "lex_role",
    "lex_reason",
    "repeat_files",
)


def assign_structure(signals: pl.DataFrame) -> pl.DataFrame:
    """Add ``role``, ``reason`` and ``article`` to a signals frame (rows sorted by file, n)."""
    signals = signals.sort("file", "n")
    roles: list[str] = []
    reasons: list[str | None] = []
    articles: list[int | None] = []
    rows = signals.select("file", *_FIELDS).iter_rows()
    current: str | None = None
    lines: list[_Line] = []

    def flush() -> None:
        _decide_file(lines)
        roles.extend(ln.role for ln in lines)
        reasons.extend(ln.reason for ln in lines)
        articles.extend(ln.article for ln in lines)

    for file, *fields in rows:  # sorted by file: one pass, no per-file frame operations
        if file != current and lines:
            flush()
            lines = []
        current = file
        lines.append(_Line(*fields))
    if lines:
        flush()
    return signals.with_columns(
        role=pl.Series(roles, dtype=pl.Utf8),
        reason=pl.Series(reasons, dtype=pl.Utf8),
        article=pl.Series(articles, dtype=pl.Int32),
    )
