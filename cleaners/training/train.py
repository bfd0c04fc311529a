"""Train the line model (``newsclean train``) and print its out-of-fold figures.

The training table is every labelled line of :mod:`cleaners.training.labels` with the features
of :mod:`cleaners.features`, each (set, input) cleaned as one corpus, as ``newsclean clean`` sees
a folder. Pages are split into :data:`FOLDS` folds grouped by site (a seeded permutation of the
sites); every figure printed is out-of-fold: a page is scored by a model that never saw its site.
The sequence stage learns from out-of-fold line-stage scores (nested inside each outer fold), as
it sees them at run time.

Training is deterministic: LightGBM with ``deterministic``, row-wise histograms, a fixed seed and
a fixed number of threads; the same data gives the same model file, byte for byte.

>>> folds_by_site(["b", "a", "c", "a"], k=2)
[1, 0, 0, 0]
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import polars as pl

from cleaners.features import FEATURES, line_features
from cleaners.lines import line_signals
from cleaners.model import SEQUENCE_FEATURES, model_to_json, sequence_features
from cleaners.pipeline import Source, decode_sources, repair_lines
from cleaners.training.labels import (
    INPUT_KINDS,
    REALWORLD_SETS,
    Page,
    fixture_pages,
    label_pages,
    realworld_pages,
    seed_pages,
)

FOLDS = 5
SEED = 0
#: The decision threshold on the sequence stage's logit: under 0 (p = 0.38), since losing body
#: costs more than keeping a footer.
THRESHOLD = -0.5
#: What one labelled line weighs: readability, seeds and fixtures pages weigh one each (their
#: token shares), a snippet line of trafilatura-dev a tenth of a page; extracted text counts
#: three times, where keep-all is hard to beat.
SET_WEIGHT = {"readability": 10.0, "seeds": 300.0, "fixtures": 10.0, "trafilatura-dev": 0.3}
KIND_WEIGHT = {"extracted": 3.0}
#: What makes a LightGBM fit the same file every time (the line model's and the title ranker's).
REPRODUCIBLE: dict[str, Any] = {
    "verbose": -1,
    "seed": SEED,
    "num_threads": 2,
    "deterministic": True,
    "force_row_wise": True,
}
PARAMS: dict[str, Any] = {
    "objective": "binary",
    "learning_rate": 0.25,
    "num_leaves": 15,
    "min_data_in_leaf": 20,
    "feature_fraction": 0.8,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    **REPRODUCIBLE,
}
LINE_ROUNDS = 40
SEQUENCE_ROUNDS = 25
_LEXICON = FEATURES.index("lexicon")


def folds_by_site(sites: Sequence[str], k: int = FOLDS, seed: int = SEED) -> list[int]:
    """The fold of each row: the sites, sorted, in a seeded random order, dealt round-robin."""
    names = sorted(set(sites))
    order = np.random.RandomState(seed).permutation(len(names))
    fold = {name: int(i % k) for i, name in zip(order, names, strict=True)}
    return [fold[s] for s in sites]


def _corpus_features(pages: Sequence[Page]) -> pl.DataFrame:
    _, raw = decode_sources([Source(f"{p.page}.txt", p.data) for p in pages])
    return line_features(line_signals(repair_lines(raw)))


def training_table(pages: Sequence[Page], progress: Callable[[str], None] | None = None) -> pl.DataFrame:
    """Features and labels of every line of ``pages``, one corpus per (set, kind), sorted."""
    groups: dict[tuple[str, str], list[Page]] = {}
    for p in pages:
        groups.setdefault((p.set, p.kind), []).append(p)
    frames = []
    for (set_, kind), group in groups.items():
        if progress:
            progress(f"features of {set_}/{kind} ({len(group)} pages)")
        labels = label_pages(group)
        feats = _corpus_features(group).select("file", "n", *FEATURES)
        frames.append(labels.join(feats, on=["file", "n"], how="left", maintain_order="left"))
    table = pl.concat(frames).sort("set", "kind", "file", "n")
    return table.with_columns(doc=pl.concat_str("set", "kind", "file", separator="/"))


@dataclass
class Fitted:
    line_stage: lgb.Booster
    sequence_stage: lgb.Booster


class Trainer:
    """Fits both stages on a subset of the training table."""

    def __init__(self, table: pl.DataFrame) -> None:
        self.table = table
        self.x = table.select(FEATURES).to_numpy().astype(np.float64)
        self.labelled = table["label"].is_not_null().to_numpy()
        self.y = table["label"].fill_null(0).to_numpy().astype(np.float64)
        w = table["weight"].to_numpy().astype(np.float64)
        w = w * table["set"].replace_strict(SET_WEIGHT, default=1.0, return_dtype=pl.Float64).to_numpy()
        w = w * table["kind"].replace_strict(KIND_WEIGHT, default=1.0, return_dtype=pl.Float64).to_numpy()
        self.w = w
        self.fold = np.array(folds_by_site(table["site"].to_list()))
        self.files = table["doc"]

    def _fit(self, x: np.ndarray, rows: np.ndarray, rounds: int, lexicon_col: int) -> lgb.Booster:
        data = lgb.Dataset(
            x[rows], self.y[rows], weight=self.w[rows], categorical_feature=[lexicon_col], free_raw_data=True
        )
        return lgb.train(PARAMS, data, rounds)

    def _line_scores(self, rows: np.ndarray) -> np.ndarray:
        """Out-of-fold line-stage scores of ``rows`` (each fold of them scored by the others)."""
        s = np.zeros(len(self.y))
        for k in sorted(set(self.fold[rows].tolist())):
            train = rows & self.labelled & (self.fold != k)
            m = self._fit(self.x, train, LINE_ROUNDS, _LEXICON)
            sel = rows & (self.fold == k)
            s[sel] = m.predict(self.x[sel], raw_score=True)
        return s

    def fit(self, rows: np.ndarray) -> Fitted:
        """Both stages trained on ``rows`` (a boolean mask)."""
        line = self._fit(self.x, rows & self.labelled, LINE_ROUNDS, _LEXICON)
        s = self._line_scores(rows)
        x2 = sequence_features(self.files, self.x, s)
        seq = self._fit(x2, rows & self.labelled, SEQUENCE_ROUNDS, len(SEQUENCE_FEATURES) + _LEXICON)
        return Fitted(line, seq)

    def out_of_fold(self, progress: Callable[[str], None] | None = None) -> np.ndarray:
        """Every line's sequence-stage score from the model of the folds without its site."""
        out = np.zeros(len(self.y))
        for k in range(FOLDS):
            if progress:
                progress(f"fold {k + 1} of {FOLDS}")
            fitted = self.fit(self.fold != k)
            test = self.fold == k
            s1 = np.asarray(fitted.line_stage.predict(self.x, raw_score=True))
            x2 = sequence_features(self.files, self.x, s1)
            out[test] = np.asarray(fitted.sequence_stage.predict(x2[test], raw_score=True))
        return out


def _eval_module(shared: Path) -> Any:
    """``../shared/eval/realworld.py`` (the metric the figures use)."""
    path = shared / "eval" / "realworld.py"
    spec = importlib.util.spec_from_file_location("realworld_eval", path)
    if spec is None or spec.loader is None:
        raise FileNotFoundError(path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules["realworld_eval"] = mod
    spec.loader.exec_module(mod)
    return mod


def oof_table(
    table: pl.DataFrame, scores: np.ndarray, shared: Path, threshold: float = THRESHOLD
) -> pl.DataFrame:
    """Precision, recall and F1 of the line model's kept lines beside keep-all, per realworld set
    and input."""
    kept = table.filter(pl.Series(scores >= threshold) & pl.col("set").is_in(REALWORLD_SETS))
    joined = kept.group_by("set", "kind", "page", maintain_order=True).agg(pl.col("content").str.join("\n\n"))
    preds: dict[tuple[str, str], dict[str, str]] = {}
    for set_, kind, page, text in joined.iter_rows():
        preds.setdefault((set_, kind), {})[page] = text
    for set_ in REALWORLD_SETS:
        for kind in INPUT_KINDS:
            preds.setdefault((set_, kind), {})
    return path_table(shared, preds)


def _sigmoid(x: pl.Expr) -> pl.Expr:
    return 1.0 / (1.0 + (-x).exp())


def path_predictions(
    pages: Sequence[Page], oof: pl.DataFrame, p_keep: float | None = None
) -> dict[tuple[str, str], dict[str, str]]:
    """What ``newsclean clean --format text`` would print for each realworld page when the line
    model's scores are the out-of-fold ``oof`` (set, kind, file, n, score): the whole per-file
    decision (:func:`cleaners.structure.decide_structure`) on scores the model made without the
    page's site. By (set, kind), then page."""
    from cleaners.config import CONFIG
    from cleaners.structure import decide_structure

    p_threshold = 1.0 / (1.0 + np.exp(-THRESHOLD))
    groups: dict[tuple[str, str], list[Page]] = {}
    for p in pages:
        if p.set in REALWORLD_SETS:
            groups.setdefault((p.set, p.kind), []).append(p)
    out: dict[tuple[str, str], dict[str, str]] = {}
    for (set_, kind), group in sorted(groups.items()):
        _, raw = decode_sources([Source(f"{p.page}.txt", p.data) for p in group])
        sig = line_signals(repair_lines(raw))
        score = oof.filter((pl.col("set") == set_) & (pl.col("kind") == kind)).select("file", "n", "score")
        sig = sig.join(score, on=["file", "n"], how="left").sort("file", "n")
        p_body = sig.select(_sigmoid(pl.col("score").fill_null(-9.0)).alias("p"))["p"].to_list()
        decided = decide_structure(
            sig.drop("score"),
            p_body,
            p_threshold,
            CONFIG.story_keep_p if p_keep is None else p_keep,
        )
        body = (
            decided.filter(pl.col("role") == "body")
            .group_by("file", maintain_order=True)
            .agg(pl.col("content").str.join("\n\n"))
        )
        texts = {f.removesuffix(".txt"): t for f, t in body.iter_rows()}
        out[(set_, kind)] = {p.page: texts.get(p.page, "") for p in group}
    return out


def path_table(shared: Path, preds: dict[tuple[str, str], dict[str, str]]) -> pl.DataFrame:
    """Precision, recall and F1 of :func:`path_predictions` beside keep-all (realworld.py's metric)."""
    import json

    ev = _eval_module(shared)
    base = shared / "data" / "realworld"
    snippets = json.loads((base / "trafilatura-dev" / "snippets.json").read_text(encoding="utf-8"))
    gold = {p.stem: p.read_text(encoding="utf-8") for p in (base / "readability" / "gold").glob("*.txt")}
    rows = []
    for (set_, kind), pred in sorted(preds.items()):
        inputs = {p.stem: p.read_text(encoding="utf-8") for p in (base / set_ / kind).glob("*.txt")}
        if set_ == "readability":
            got = ev.shingle_scores({k: (g, pred.get(k, "")) for k, g in gold.items()})
            keep_all = ev.shingle_scores({k: (g, inputs.get(k, "")) for k, g in gold.items()})
        else:
            got = ev.snippet_scores(snippets, pred)
            keep_all = ev.snippet_scores(snippets, inputs)
        rows.append(
            {
                "set": set_,
                "input": kind,
                "precision": got["precision"],
                "recall": got["recall"],
                "f1": got["f1"],
                "keep_all_recall": keep_all["recall"],
                "keep_all_f1": keep_all["f1"],
            }
        )
    return pl.DataFrame(rows)


def all_pages(shared: Path, seeds: Path, fixtures: Path) -> list[Page]:
    """Every page the model learns from: realworld, the seeds with their gold, the fixtures."""
    return (
        realworld_pages(shared / "data" / "realworld")
        + seed_pages(seeds, shared / "gold")
        + fixture_pages(fixtures)
    )


def train_model(table: pl.DataFrame, meta: dict[str, Any]) -> str:
    """The model file's text, trained on every labelled line of ``table``."""
    trainer = Trainer(table)
    fitted = trainer.fit(np.ones(len(trainer.y), dtype=bool))
    return model_to_json(fitted.line_stage, fitted.sequence_stage, THRESHOLD, meta)


def digest(text: str) -> str:
    """The sha256 of a model file's text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class Training:
    """What ``newsclean train`` produces: the model files' text and the out-of-fold figures."""

    model_text: str
    title_text: str
    oof: pl.DataFrame | None
    path_oof: pl.DataFrame | None
    title_oof: pl.DataFrame | None
    pages: int
    lines: int


def run_training(
    shared: Path,
    seeds: Path,
    fixtures: Path,
    *,
    out_of_fold: bool = True,
    progress: Callable[[str], None] | None = None,
) -> Training:
    """Label every page; the line model and the title ranker trained on everything; their
    out-of-fold figures unless ``out_of_fold`` is off. The line model's out-of-fold scores are
    computed either way: the title ranker learns from them."""
    from cleaners.training import titles

    pages = all_pages(shared, seeds, fixtures)
    table = training_table(pages, progress)
    scores = Trainer(table).out_of_fold(progress)
    oof = oof_table(table, scores, shared) if out_of_fold else None
    oof_scores = table.select("set", "kind", "file", "n").with_columns(score=pl.Series(scores))
    if out_of_fold and progress:
        progress("the whole path on out-of-fold scores")
    path_oof = path_table(shared, path_predictions(pages, oof_scores)) if out_of_fold else None
    if progress:
        progress("title candidates")
    cands = titles.title_candidates(
        pages,
        oof_scores,
        titles.readability_titles(shared / "data" / "realworld"),
        THRESHOLD,
    )
    title_scores = titles.out_of_fold_scores(cands)
    title_oof = titles.title_figures(cands, title_scores) if out_of_fold else None
    if progress:
        progress("the shipped model (every page)")
    counts = table.group_by("set", "kind").agg(pl.col("page").n_unique()).sort("set", "kind")
    meta = {
        "pages": {f"{s}/{k}": int(n) for s, k, n in counts.iter_rows()},
        "folds": FOLDS,
        "seed": SEED,
        "line_rounds": LINE_ROUNDS,
        "sequence_rounds": SEQUENCE_ROUNDS,
        "lightgbm": lgb.__version__,
    }
    title_meta = {"articles": int(cands.frame["group"].n_unique()), "rounds": titles.ROUNDS, "seed": SEED}
    return Training(
        train_model(table, meta),
        titles.train_title_model(cands, title_scores, title_meta),
        oof,
        path_oof,
        title_oof,
        len(pages),
        table.height,
    )
