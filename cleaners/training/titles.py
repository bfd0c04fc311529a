"""Train the title ranker (:mod:`cleaners.title`) and measure it out-of-fold.

Labelled titles: on ``readability`` (both inputs), the line equal to the page's title in
``metadata.json`` after :func:`title_key` (case, white space, quote marks; a ``<title>`` such as
"Mozilla - Wikipedia" also matches its longest part, "Mozilla"); on the seeds, the gold's title
lines. An article with no labelled candidate should get no title: extracted text usually has
none. The line scores the ranker sees are the line model's out-of-fold scores, as a page the
shipped model never saw gets them.

The threshold is the one that scores best on the other folds' out-of-fold scores (nested), where a
right title counts 1, a rightly absent one :data:`ABSENT_CREDIT` and the gold's first paragraph
taken as a title costs :data:`FIRST_PARAGRAPH_COST`.

>>> title_key("  ‘Star Wars’  Cuts ") == title_key("'star wars' cuts")
True
>>> sorted(title_variants("Mozilla - Wikipedia"))
['mozilla', 'mozilla - wikipedia', 'wikipedia']
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import lightgbm as lgb
import numpy as np
import polars as pl

from cleaners.lines import line_signals
from cleaners.pipeline import Source, decode_sources, repair_lines
from cleaners.structure import article_spans
from cleaners.title import OPENING, TITLE_FEATURES, candidates, title_features, title_model_to_json
from cleaners.training.labels import Page
from cleaners.training.train import FOLDS, REPRODUCIBLE, folds_by_site

PARAMS = {
    "objective": "binary",
    "learning_rate": 0.1,
    "num_leaves": 7,
    "min_data_in_leaf": 5,
    "feature_fraction": 0.8,
    "lambda_l2": 1.0,
    **REPRODUCIBLE,
}
ROUNDS = 30
FIRST_PARAGRAPH_COST = 3.0
ABSENT_CREDIT = 0.5
_GRID = tuple(x / 4 for x in range(-16, 9))
_SEPARATORS = re.compile(r"\s+(?:\||-|–|—|·|::|»|_)\s+|\s*[|_]\s*")


def title_key(text: str) -> str:
    """A title as the metadata comparison reads it: NFKC, straight quotes, one space, casefolded."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"[‘’`´]", "'", text)
    text = re.sub(r"[“”„«»]", '"', text)
    return " ".join(text.split()).casefold()


def title_variants(title: str) -> set[str]:
    """The keys a line may have to be this title: the whole, and its first and longest parts
    between site separators (`` | ``, `` - ``...)."""
    key = title_key(title)
    parts = [p for p in _SEPARATORS.split(key) if p]
    return {key, parts[0], max(parts, key=len)} if parts else {key}


@dataclass
class Candidates:
    """Every title candidate with its features, its article and what it should be."""

    frame: pl.DataFrame  # set, kind, page, site, group, label, first_paragraph, sentence, real, has_label
    x: np.ndarray


def _first_paragraph(gold: str | None) -> str | None:
    if not gold:
        return None
    return next((title_key(line) for line in gold.splitlines() if line.strip()), None)


def title_candidates(
    pages: Sequence[Page], oof: pl.DataFrame, titles: dict[str, str], threshold: float
) -> Candidates:
    """Candidates of the readability and seed pages, the line model's out-of-fold score in ``oof``
    (set, kind, file, n, score), ``titles`` the readability titles by page."""
    groups: dict[tuple[str, str], list[Page]] = {}
    for p in pages:
        if p.set == "readability" or p.set == "seeds":
            groups.setdefault((p.set, p.kind), []).append(p)
    rows: list[dict] = []
    xs: list[np.ndarray] = []
    for (set_, kind), group in sorted(groups.items()):
        by_file = {f"{p.page}.txt": p for p in group}
        _, raw = decode_sources([Source(name, p.data) for name, p in by_file.items()])
        sig = line_signals(repair_lines(raw))
        score = oof.filter((pl.col("set") == set_) & (pl.col("kind") == kind)).select("file", "n", "score")
        sig = sig.join(score, on=["file", "n"], how="left").sort("file", "n")
        sig = sig.with_columns(
            p_body=1.0 / (1.0 + (-pl.col("score").fill_null(-9.0)).exp()),
            body=pl.col("score").fill_null(-9.0) >= threshold,
        )
        numbers = dict(sig.group_by("file", maintain_order=True).agg("n").iter_rows())
        for file, lines, spans in article_spans(sig):
            page = by_file[file]
            if set_ == "readability":
                want = title_variants(titles.get(page.page, "\0"))
                label = [title_key(ln.content) in want for ln in lines]
                spans = spans[:1]  # a readability page is one article
            else:
                gold = page.title_lines or frozenset()
                label = [n in gold for n in numbers[file]]
            first_para = _first_paragraph(page.gold) if set_ == "readability" else None
            for art, (lo, first, hi) in enumerate(spans):
                cands = candidates(lines, lo, first, hi)
                if not cands:
                    cands_x = np.zeros((0, len(TITLE_FEATURES)))
                else:
                    cands_x = title_features(lines, lo, first, hi, cands)
                group_id = f"{set_}/{kind}/{page.page}/{art}"
                has_label = any(label[lo:hi])
                article = dict(
                    set=set_, kind=kind, page=page.page, site=page.site, group=group_id, has_label=has_label
                )
                # An article with no candidate still counts: a row with no features marks it.
                rows.append(
                    {**article, "label": False, "first_paragraph": False, "sentence": False, "real": False}
                )
                xs.append(np.full((1, len(TITLE_FEATURES)), np.nan))
                rows.extend(
                    {
                        **article,
                        "label": label[i],
                        "first_paragraph": title_key(lines[i].content) == first_para,
                        "sentence": lines[i].terminal,
                        "real": True,
                    }
                    for i in cands
                )
                xs.append(cands_x)
    return Candidates(pl.DataFrame(rows), np.vstack(xs))


def _fit(x: np.ndarray, y: np.ndarray) -> lgb.Booster:
    return lgb.train(PARAMS, lgb.Dataset(x, y.astype(np.float64), free_raw_data=True), ROUNDS)


def out_of_fold_scores(c: Candidates) -> np.ndarray:
    """Every candidate's score from the ranker trained on the folds without its site."""
    real = c.frame["real"].to_numpy()
    y = c.frame["label"].to_numpy()
    fold = np.array(folds_by_site(c.frame["site"].to_list()))
    s = np.full(len(y), -math.inf)
    for k in range(FOLDS):
        train = real & (fold != k)
        test = real & (fold == k)
        if test.any():
            s[test] = _fit(c.x[train], y[train]).predict(c.x[test], raw_score=True)
    return s


def picks(c: Candidates, scores: np.ndarray, threshold: float) -> pl.DataFrame:
    """Per article: whether the title chosen at ``threshold`` is right, absent rightly, or the
    gold's first paragraph."""
    opening = np.nan_to_num(c.x[:, OPENING]) > 0
    f = c.frame.with_columns(s=pl.Series(np.where(opening, math.inf, scores)))
    best = f.sort("s", descending=True, maintain_order=True).group_by("group", maintain_order=True).first()
    best = best.with_columns(picked=pl.col("real") & (pl.col("s") >= threshold))
    return best.with_columns(
        right=pl.when(pl.col("picked")).then(pl.col("label")).otherwise(~pl.col("has_label")),
        wrong_paragraph=pl.col("picked") & pl.col("first_paragraph"),
    ).sort("group")


def _utility(p: pl.DataFrame) -> float:
    titled = int((p["picked"] & p["label"]).sum())
    absent = int((~p["picked"] & ~p["has_label"]).sum())
    return titled + ABSENT_CREDIT * absent - FIRST_PARAGRAPH_COST * int(p["wrong_paragraph"].sum())


def best_threshold(c: Candidates, scores: np.ndarray, rows: np.ndarray | None = None) -> float:
    """The threshold of :data:`_GRID` with the best utility over the articles of ``rows``."""
    sub = c if rows is None else Candidates(c.frame.filter(pl.Series(rows)), c.x[rows])
    s = scores if rows is None else scores[rows]
    return max(_GRID, key=lambda t: (_utility(picks(sub, s, t)), -abs(t)))


def title_figures(c: Candidates, scores: np.ndarray) -> pl.DataFrame:
    """Out-of-fold title figures per set and input, the threshold of each fold chosen on the others."""
    fold = np.array(folds_by_site(c.frame["site"].to_list()))
    parts = []
    for k in range(FOLDS):
        t = best_threshold(c, scores, fold != k)
        p = picks(c, scores, t)
        held = set(c.frame.filter(pl.Series(fold == k))["group"].to_list())
        parts.append(p.filter(pl.col("group").is_in(held)))
    p = pl.concat(parts)
    p = p.filter(~((pl.col("set") == "readability") & ~pl.col("group").str.ends_with("/0")))
    return (
        p.group_by("set", "kind")
        .agg(
            articles=pl.len(),
            right_title=(pl.col("picked") & pl.col("label")).sum(),
            no_title=(~pl.col("picked")).sum(),
            first_paragraph_as_title=pl.col("wrong_paragraph").sum(),
            first_sentence_as_title=(pl.col("wrong_paragraph") & pl.col("sentence")).sum(),
        )
        .sort("set", "kind")
    )


def train_title_model(c: Candidates, scores: np.ndarray, meta: dict) -> str:
    """The model file's text: the ranker on every candidate, the threshold from the out-of-fold
    scores."""
    real = c.frame["real"].to_numpy()
    booster = _fit(c.x[real], c.frame["label"].to_numpy()[real])
    return title_model_to_json(booster, best_threshold(c, scores), meta)


def readability_titles(data: Path) -> dict[str, str]:
    """The expected title of each readability page."""
    meta = json.loads((data / "readability" / "metadata.json").read_text(encoding="utf-8"))
    return {page: m["title"] for page, m in meta.items() if m.get("title")}
