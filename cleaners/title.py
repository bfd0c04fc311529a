"""Which line is an article's title: a small learned ranker over the lines around the story's start.

The candidates are the lines from the article's start to just past its first run of body
(:func:`candidates`): not decided by the lexicon (a ``RELATED:`` teaser may be a title), not a list
item, 1 to 40 words, and never a long sentence, a paragraph or a sentence the line model reads as
story (a long prose paragraph is never a title). Each candidate gets the features of :data:`TITLE_FEATURES` (its distance to the story,
shape, the line model's ``p_body``, a date or byline block around it, how many of its words the
story repeats...), a LightGBM model scores it, and the best candidate is the title when its score
reaches the model's threshold; else the article has no title. One rule comes first: the file's
first line, shaped like a headline over the story that follows, is the title of a bare article (an extractor's output that starts
with the story). The model ships in :file:`cleaners/data/title_model.json`, written by
``newsclean train`` from the real pages' titles (``readability/metadata.json``) and the seeds' gold.

>>> from types import SimpleNamespace as L
>>> def line(content, words, **kw):
...     base = dict(content=content, words=words, chars=len(content), terminal=content.endswith("."),
...                 sentence=words > 3, strong=False, list_item=False, lex_role=None, lex_reason=None,
...                 repeat_files=1, repeat_in_file=1, caseless=False, p_body=0.1, body=False)
...     return L(**{**base, **kw})
>>> lines = [line("Home | News", 3), line("Storm floods the coast", 4),
...          line("The storm flooded the coast on Monday, officials said.", 9, p_body=0.9, body=True),
...          line("A long paragraph " * 20 + "ends here.", 63, p_body=0.9, body=True)]
>>> candidates(lines, 0, 2, 4)  # the story's sentences are not candidates
[0, 1]
>>> title_features(lines, 0, 2, 4, [1]).shape == (1, len(TITLE_FEATURES))
True
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Protocol

import lightgbm as lgb
import numpy as np

from cleaners.config import CONFIG

TITLE_MODEL_FILE = "data/title_model.json"
_WORD = re.compile(r"\w{4,}")
_INNER_STOP = re.compile(r"[.!?…]\s+[A-ZÀ-Þ]")  # one sentence ends, another starts
_SEPARATOR = re.compile(r"\s[|–—·-]\s")
_META = ("meta", "byline")

TITLE_FEATURES: tuple[str, ...] = (
    "dist",
    "pos",
    "rank",
    "words",
    "chars",
    "terminal",
    "stop",
    "question",
    "colon",
    "sentence",
    "strong",
    "p_body",
    "body",
    "repeat_files",
    "repeat_in_file",
    "caseless",
    "meta_after",
    "meta_before",
    "teaser",
    "capitals",
    "overlap",
    "separator",
    "digits",
    "next_body",
    "prev_body",
    "prev_meta",
    "next_words",
    "opening",
)


OPENING = TITLE_FEATURES.index("opening")


class HeadLine(Protocol):
    """What the title ranker reads of a line (:class:`cleaners.structure._Line` has it)."""

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
    body: bool


def _is_candidate(ln: HeadLine) -> bool:
    if ln.list_item or not (ln.lex_role is None or ln.lex_reason == "related_link"):
        return False
    if ln.caseless:
        return 0 < ln.chars <= CONFIG.title_max_caseless_chars
    if ln.body and (
        ln.content.endswith(".") or ln.words > CONFIG.title_max_body_words or _INNER_STOP.search(ln.content)
    ):
        return False  # a sentence, or sentences, the line model reads as story
    return 1 <= ln.words <= CONFIG.title_max_words and not (
        ln.terminal and ln.words > CONFIG.title_max_sentence_words
    )


def _opening(lines: Sequence[HeadLine], i: int, hi: int) -> bool:
    """The file's first line, shaped like a headline over the story that follows: no final stop,
    or one short sentence over a longer body line (the title of a bare article)."""
    ln = lines[i]
    nxt = next((x for x in lines[i + 1 : hi] if x.lex_role is None), None)
    if i != 0 or nxt is None or not (nxt.body or nxt.strong) or not (ln.caseless or ln.words >= 3):
        return False
    return not ln.terminal or (
        not ln.body and ln.words <= CONFIG.title_max_sentence_words and nxt.words > ln.words
    )


def candidates(lines: Sequence[HeadLine], lo: int, first: int, hi: int) -> list[int]:
    """Indexes of the lines of ``lines[lo:hi]`` that may be the title (``first``: the story's
    first body line): up to :attr:`~cleaners.config.CleanerConfig.title_after_first` lines past it, but not past a sentence of it."""
    out = []
    for i in range(lo, min(first + CONFIG.title_after_first, hi)):
        if i > first and lines[i - 1].strong:
            break  # past a sentence of the story: a heading inside it, not the title
        if _is_candidate(lines[i]) and not (i > lo and continues(lines[i - 1], lines[i])):
            out.append(i)
    return out


def continues(prev: HeadLine, ln: HeadLine) -> bool:
    """Whether ``ln`` carries on the sentence of the line before it (a hard-wrapped paragraph): the
    previous line has no final stop and this one starts with a lower-case word. Such a line is
    never a title.

    >>> from types import SimpleNamespace as L
    >>> continues(L(content="The LibreOffice project was", terminal=False),
    ...           L(content="announced with great fanfare in September 2010.", terminal=True))
    True
    >>> continues(L(content="Storm floods the coast", terminal=False), L(content="iPhone sales fall", terminal=False))
    False
    """
    word = ln.content.split(maxsplit=1)[0] if ln.content.strip() else ""
    return not prev.terminal and word.isalpha() and word.islower()


def title_features(
    lines: Sequence[HeadLine], lo: int, first: int, hi: int, cands: Sequence[int]
) -> np.ndarray:
    """One row of :data:`TITLE_FEATURES` per candidate index in ``cands``."""
    story: set[str] = set()
    for ln in lines[first:hi]:
        if len(story) >= CONFIG.title_body_words:
            break
        if ln.body:
            story.update(w.lower() for w in _WORD.findall(ln.content))
    rows = []
    for rank, i in enumerate(cands, start=1):
        ln = lines[i]
        prev = lines[i - 1] if i > lo else None
        nxt = lines[i + 1] if i + 1 < hi else None
        text = ln.content.rstrip()
        words = text.split()
        tokens = [w.lower() for w in _WORD.findall(text)]
        rows.append(
            (
                first - i,
                i - lo,
                rank,
                ln.words,
                ln.chars,
                ln.terminal,
                text.endswith("."),
                text[-1:] in ("?", "!"),
                ":" in text,
                ln.sentence,
                ln.strong,
                ln.p_body,
                ln.body,
                ln.repeat_files,
                ln.repeat_in_file,
                ln.caseless,
                any(x.lex_role in _META for x in lines[i + 1 : min(i + 4, hi)]),
                any(x.lex_role in _META for x in lines[max(lo, i - 3) : i]),
                ln.lex_reason == "related_link",
                sum(w[:1].isupper() for w in words) / max(len(words), 1),
                sum(t in story for t in tokens) / len(tokens) if tokens else 0.0,
                bool(_SEPARATOR.search(text)),
                sum(c.isdigit() for c in text) / max(len(text), 1),
                bool(nxt and nxt.body),
                bool(prev and prev.body),
                bool(prev and prev.lex_role in _META),
                nxt.words if nxt else 0,
                _opening(lines, i, hi),
            )
        )
    return np.array(rows, dtype=np.float64).reshape(len(rows), len(TITLE_FEATURES))


@dataclass(frozen=True)
class TitleModel:
    """The ranker and the score the best candidate must reach."""

    booster: lgb.Booster
    threshold: float

    def scores(self, x: np.ndarray) -> np.ndarray:
        if len(x) == 0:
            return np.zeros(0)
        return np.asarray(self.booster.predict(x, raw_score=True, num_threads=1))

    def choose(self, lines: Sequence[HeadLine], lo: int, first: int, hi: int) -> int | None:
        """The title's index in ``lines``, or None when no candidate scores high enough."""
        cands = candidates(lines, lo, first, hi)
        if not cands:
            return None
        x = title_features(lines, lo, first, hi, cands)
        opening = np.flatnonzero(x[:, OPENING] > 0)
        if len(opening):  # a bare article's headline over its story: a rule, not a score
            return cands[int(opening[0])]
        s = self.scores(x)
        best = int(np.argmax(s))
        return cands[best] if s[best] >= self.threshold else None


def title_model_to_json(booster: lgb.Booster, threshold: float, meta: dict[str, Any]) -> str:
    """The text of a title model file (deterministic)."""
    return json.dumps(
        {
            "format": 1,
            "features": list(TITLE_FEATURES),
            "threshold": threshold,
            "meta": meta,
            "model": booster.model_to_string(),
        },
        indent=1,
        sort_keys=True,
    )


def title_model_from_json(text: str) -> TitleModel:
    d = json.loads(text)
    if list(d["features"]) != list(TITLE_FEATURES):
        raise ValueError("the title model was trained on other features; retrain it with `newsclean train`")
    return TitleModel(lgb.Booster(model_str=d["model"]), float(d["threshold"]))


@cache
def load_title_model() -> TitleModel:
    """The shipped title model (read once per process)."""
    return title_model_from_json(
        resources.files("cleaners").joinpath(TITLE_MODEL_FILE).read_text(encoding="utf-8")
    )
