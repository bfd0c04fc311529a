"""Decide each line's role in context and split a file into articles.

Input: the signals frame of :func:`cleaners.lines.line_signals` (one row per non-blank line).
Output: the same rows with ``role``, ``reason`` and ``article``.

How the decision is made, per file:

1. **The line model.** :mod:`cleaners.model` gives every line ``p_body`` from its features and
   its neighbours' (:mod:`cleaners.features`); a line at or over the model's threshold is body.
2. **Certain lexicon families** (:data:`CERTAIN_REASONS`: ad slots, comment prompts, share rows,
   source lines...) decide their lines whatever the model says. The other families are features
   of the model and, where the model does not read the line as story, give its role and reason
   (a byline, a published line, a photo credit; an author bio is ``author_box``, a teaser after
   the story ``related_teaser``).
3. **Articles.** A new article starts after an end-of-article run (read-more link, source or
   syndication line, comment prompt) when two or more body lines follow, or at a second date or
   byline block between two runs of body. A ``RELATED:`` teaser that opens one is its title.
4. **Title.** The title ranker (:mod:`cleaners.title`) picks it among the lines from the article's
   start to just past its first body run; the file's first line, shaped like a headline over the
   story, is the title of a bare article. When no candidate scores high enough (an extractor's
   output that starts with the story) ``title`` is null and the first paragraph stays body; a
   standfirst right under the title is its ``subtitle`` (not a wrapped paragraph's first line).
5. **The rest.** After a comment prompt that follows the story, lines are ``comment_section``; a
   later copy of the title is ``duplicate_title``; a long unterminated line the model removes
   inside the story is a caption; every other removed line is boilerplate whose reason names the
   feature group that weighed most against it (``model_context``, ``model_shape``...).

>>> import polars as pl
>>> from cleaners.lines import line_signals
>>> df = pl.DataFrame({"file": ["a"] * 5, "n": [1, 2, 3, 4, 5], "content": [
...     "Storm hits the coast", "Header Ads Widget", "The storm hit the coast on Monday night.",
...     "Officials said power was out for thousands.", "Leave a Reply"]})
>>> assign_structure(line_signals(df)).select("role", "reason", "article").rows()
[('title', None, 0), ('boilerplate', 'ad_slot', None), ('body', None, 0), ('body', None, 0), ('boilerplate', 'comment_prompt', None)]
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter
from typing import Any

import numpy as np
import polars as pl

from cleaners.config import CONFIG
from cleaners.features import line_features
from cleaners.lexicon import END_REASONS, FORBIDDEN_IN_BODY
from cleaners.model import load_model
from cleaners.title import load_title_model

#: Every role a line can have (CONTRACT.md), and those that belong to an article (boilerplate does not).
ROLES = ("title", "subtitle", "meta", "byline", "body", "caption", "boilerplate")
ARTICLE_ROLES = frozenset(ROLES) - {"boilerplate"}
#: The article text; lines of the metadata roles are moved out of it, boilerplate lines removed.
KEPT_ROLES = ("title", "body")
#: The reason of a line the model removed, before the feature group against it is known.
MODEL_CONTEXT = "model_context"
METADATA_ROLES = ("subtitle", "meta", "byline", "caption")
#: Meta reasons that open a second article when they sit between two runs of body.
_BLOCK_REASONS = frozenset({"published_line", "byline"})
#: A phrase no kept paragraph may hold (:data:`cleaners.lexicon.FORBIDDEN_IN_BODY`).
_FORBIDDEN = re.compile(FORBIDDEN_IN_BODY)
#: Lexicon families that are never body on the labelled real pages: they decide a line whatever
#: the model says. The other families are features the model weighs (a byline or a photo credit
#: is sometimes the first sentence of a story).
CERTAIN_REASONS = frozenset(
    {
        "no_visible_text",
        "ad_slot",
        "comment_prompt",
        "timestamp",
        "share_row",
        "follow_prompt",
        "tag_list",
        "copyright_footer",
        "source_line",
        "syndication",
        "newsletter_prompt",
        "cookie_banner",
    }
)
#: Furniture that may sit inside a comment thread without ending it.
_COMMENT_AFTER = frozenset({"timestamp", "share_row", "navigation"})


@dataclass
class _Line:
    """One line's signals and the model's verdict, as the per-file decision needs them."""

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
    repeat_in_file: int
    caseless: bool
    p_body: float
    body: bool = False  # the model's decision: p_body at or over the model's threshold
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

    @property
    def certain(self) -> bool:
        """A lexicon family that is never body on real pages: it decides, not the model."""
        return self.lex_reason in CERTAIN_REASONS

    @property
    def forbidden(self) -> bool:
        """A line of a lexicon family that holds a phrase no paragraph may hold: its family gives
        its role even inside the story (it still bounds the story, as the model read it)."""
        return self.lex_reason is not None and _FORBIDDEN.search(self.content) is not None


def _anchors(lines: list[_Line]) -> list[bool]:
    """The model's body lines anchor the articles (never a line a certain family decided). A
    file where the model finds no body but has sentences (a short note, a one-paragraph page)
    keeps them: emptying a file of prose is worse than keeping it."""
    body = [ln.body and not ln.certain for ln in lines]
    if any(body):
        return body
    return [ln.strong and ln.candidate for ln in lines]


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


def story_start(anchor: list[bool], lo: int, hi: int) -> int:
    """Where the story of ``lines[lo:hi]`` starts: the first body line of a run (a stray body
    line in the page head is not it); ``hi`` when there is none."""
    run = min(CONFIG.story_run, sum(anchor[lo:hi]))
    return next(
        (i for i in range(lo, hi) if anchor[i] and sum(anchor[i : i + CONFIG.story_run + 2]) >= run), hi
    )


def _title(lines: list[_Line], lo: int, first: int, hi: int, art: int) -> int | None:
    """The article's title (the title ranker's choice, :mod:`cleaners.title`), or none: extracted
    text usually starts with the story, and its first paragraph stays body."""
    if art > 0 and lines[lo].teaser:
        return lo  # "RELATED: <headline>" that opens a second article is its title
    best = load_title_model().choose(lines, lo, first, hi)
    if best is not None:  # the first copy is the title, a later one its duplicate
        best = next(i for i in range(lo, best + 1) if lines[i].content == lines[best].content)
    return best


def _inside_story(lines: list[_Line], anchor_idx: list[int]) -> set[int]:
    """Lines between two consecutive anchors with no end-of-article line (a read-more link, a
    source line) between them: inside one story."""
    inside: set[int] = set()
    for a, b in zip(anchor_idx, anchor_idx[1:], strict=False):
        gap = range(a + 1, b)
        if not any(lines[k].lex_reason in END_REASONS for k in gap):
            inside.update(gap)
    return inside


def _story_resumes(anchor: list[bool], j: int, hi: int) -> bool:
    """The story goes on past a comment-prompt-shaped line (a table's "Comment" column): the
    next :attr:`~cleaners.config.CleanerConfig.comment_resume_lines` lines are all the model's body but one. A comment thread opens with its
    furniture (a name, a time, "Reply")."""
    nxt = anchor[j : min(j + CONFIG.comment_resume_lines, hi)]
    return len(nxt) == CONFIG.comment_resume_lines and sum(nxt) >= CONFIG.comment_resume_lines - 1


def _caption_shaped(ln: _Line) -> bool:
    """A long unterminated line: inside a story, the shape of a photo caption."""
    return not ln.terminal and ln.words >= CONFIG.caption_min_words


def _decide_article(
    lines: list[_Line], anchor: list[bool], lo: int, hi: int, art: int, p_keep: float = 1.0
) -> None:
    seg = range(lo, hi)
    # Where the story starts: the first body line of a run (a stray body line in the page head is not it).
    first_body = story_start(anchor, lo, hi)
    title_i = _title(lines, lo, first_body, hi, art)
    # A comment prompt after the body starts the comment thread: nothing after it is story.
    comment_at = next(
        (
            i
            for i in seg
            if lines[i].lex_reason == "comment_prompt"
            and any(anchor[k] for k in range(lo, i))
            and not _story_resumes(anchor, i + 1, hi)
        ),
        None,
    )
    body_hi = comment_at if comment_at is not None else hi
    anchor_idx = [i for i in range(lo, body_hi) if anchor[i] and i != title_i]
    first = anchor_idx[0] if anchor_idx else hi
    last = anchor_idx[-1] if anchor_idx else lo - 1
    inside = _inside_story(lines, anchor_idx)
    subtitle_i = None
    title_text = lines[title_i].content if title_i is not None else None
    if title_i is not None:
        nxt = title_i + 1  # a standfirst right under the headline, before the story's sentences
        if nxt < hi:
            s = lines[nxt]
            if (
                s.candidate
                and not s.terminal
                and 4 <= s.words <= CONFIG.title_max_words
                and not s.list_item
                and s.content != title_text
                and not (nxt + 1 < hi and lines[nxt + 1].content[:1].islower())  # a wrapped paragraph
            ):
                subtitle_i = nxt
    for i in seg:
        ln = lines[i]
        if i == title_i:
            ln.role, ln.reason = "title", None
        elif i == subtitle_i:
            ln.role, ln.reason = "subtitle", "after_title"
        elif ln.certain or ln.forbidden:
            ln.role, ln.reason = ln.lex_role or "boilerplate", ln.lex_reason
        elif title_text is not None and ln.content == title_text:
            ln.role, ln.reason = "boilerplate", "duplicate_title"
        elif comment_at is not None and i > comment_at:
            ln.role, ln.reason = "boilerplate", "comment_section"
        elif anchor[i] and i <= body_hi:
            ln.role, ln.reason = "body", None
        elif i in inside and ln.p_body >= p_keep and ln.candidate and not _caption_shaped(ln):
            ln.role, ln.reason = "body", None  # inside the story the model's doubt keeps the line
        elif not ln.candidate:
            # The lexicon's family, where the model does not read the line as story.
            reason = "author_box" if ln.lex_reason == "author_bio" else ln.lex_reason
            if ln.teaser and i > last:
                reason = "related_teaser"
            ln.role, ln.reason = ln.lex_role or "boilerplate", reason
        elif first <= i <= last and _caption_shaped(ln):
            ln.role, ln.reason = "caption", MODEL_CONTEXT  # a long unterminated line inside the story
        else:
            ln.role, ln.reason = "boilerplate", MODEL_CONTEXT
        ln.article = art if ln.role in ARTICLE_ROLES else None


def _articles(lines: list[_Line]) -> tuple[list[bool], list[tuple[int, int]]]:
    """The anchors of a file's lines and each article's ``(start, end)``."""
    anchor = _anchors(lines)
    bounds = [*_boundaries(lines, anchor), len(lines)]
    return anchor, list(zip(bounds, bounds[1:], strict=False))


def _line(fields: Sequence[Any], body: bool) -> _Line:
    """A line from its :data:`_FIELDS` values and the model's decision."""
    ln = _Line(*fields)
    ln.body = body
    return ln


def _by_file(rows: Iterable[tuple[str, _Line]]) -> Iterator[tuple[str, list[_Line]]]:
    """Each file's lines, from ``(file, line)`` rows sorted by file: one pass, no per-file frames."""
    for file, group in groupby(rows, key=itemgetter(0)):
        yield file, [ln for _, ln in group]


def _decide_file(lines: list[_Line], p_keep: float = 1.0) -> None:
    anchor, spans = _articles(lines)
    for art, (lo, hi) in enumerate(spans):
        _decide_article(lines, anchor, lo, hi, art, p_keep)
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
    "repeat_in_file",
    "caseless",
    "p_body",
)


def assign_structure(signals: pl.DataFrame) -> pl.DataFrame:
    """Add ``p_body``, ``role``, ``reason`` and ``article`` to a signals frame (returned sorted by
    file, n): the line model's scores, then the per-file decision."""
    columns = signals.columns
    features = line_features(signals)
    model = load_model()
    p_body, x2, raw = model.score_lines(features)
    decided = decide_structure(features.select(columns), p_body, model.p_threshold)
    # The feature group behind a model's reason, only for the lines whose reason is the model's:
    # most lines under the threshold are decided by the lexicon or the story around them.
    reason = decided["reason"]
    rows = np.flatnonzero(((reason == MODEL_CONTEXT).fill_null(False).to_numpy()) & (raw < model.threshold))
    if len(rows) == 0:
        return decided
    named = reason.to_list()
    for row, group in zip(rows.tolist(), model.explain(x2[rows]), strict=True):
        named[row] = f"model_{group}"
    return decided.with_columns(reason=pl.Series(named, dtype=pl.Utf8))


def decide_structure(
    signals: pl.DataFrame,
    p_body: Sequence[float],
    p_threshold: float,
    p_keep: float = CONFIG.story_keep_p,
) -> pl.DataFrame:
    """The per-file decision on given line scores (a line is body at ``p_threshold``; inside the
    story, between its first and last body line, at ``p_keep``). ``newsclean train`` runs it on
    out-of-fold scores to measure the whole path. A line the model removes has the reason
    :data:`MODEL_CONTEXT`; :func:`assign_structure` names the feature group behind it."""
    signals = signals.with_columns(p_body=pl.Series(p_body, dtype=pl.Float64))
    roles: list[str] = []
    reasons: list[str | None] = []
    articles: list[int | None] = []
    rows = signals.select("file", *_FIELDS).iter_rows()
    for _, lines in _by_file((file, _line(fields, fields[-1] >= p_threshold)) for file, *fields in rows):
        _decide_file(lines, p_keep)
        roles.extend(ln.role for ln in lines)
        reasons.extend(ln.reason for ln in lines)
        articles.extend(ln.article for ln in lines)
    return signals.with_columns(
        role=pl.Series(roles, dtype=pl.Utf8),
        reason=pl.Series(reasons, dtype=pl.Utf8),
        article=pl.Series(articles, dtype=pl.Int32),
    )


def article_spans(signals: pl.DataFrame) -> Iterator[tuple[str, list[_Line], list[tuple[int, int, int]]]]:
    """Each file's lines and its articles' ``(start, story start, end)``, as the decision sees
    them, from a signals frame that already has ``p_body`` and ``body`` (sorted by file, n).
    The title ranker learns from these (:mod:`cleaners.training.titles`)."""
    rows = signals.select("file", *_FIELDS, "body").iter_rows()
    for file, lines in _by_file((file, _line(fields, bool(is_body))) for file, *fields, is_body in rows):
        anchor, spans = _articles(lines)
        yield file, lines, [(lo, story_start(anchor, lo, hi), hi) for lo, hi in spans]
