"""The line model: each line's probability of being article body (``p_body``).

Two gradient-boosted tree models (LightGBM) run one after the other on the features of
:mod:`cleaners.features`:

1. the **line stage** scores every line from its own features and those of its neighbours;
2. the **sequence stage** sees the line stage's scores of the lines around it (the previous and
   next three, window means, the best score before and after, whether the line sits inside the
   file's best-scoring span) and decides again. This is the sequence smoothing: a short line
   between two paragraphs of story is story; the same line among link menus is not.

The shipped model is :file:`cleaners/data/line_model.json`, written by ``newsclean train``
(:mod:`cleaners.training.train`); it is read once per process. A line is body when its score
reaches the model's threshold; a removed line names the feature group that weighed most
against it (:func:`LineModel.explain`).

>>> import polars as pl
>>> from cleaners.lines import line_signals
>>> from cleaners.features import line_features
>>> df = pl.DataFrame({"file": ["a"] * 4, "n": [1, 2, 3, 4], "content": [
...     "Home | News | Sport", "The storm hit the coast on Monday night, officials said.",
...     "Power was out for thousands of homes until Tuesday morning.", "Share this article"]})
>>> model = load_model()
>>> p, x2, raw = model.score_lines(line_features(line_signals(df)))
>>> [x >= model.p_threshold for x in p], model.explain(x2[raw < model.threshold])
([False, True, True, False], ['lexicon', 'lexicon'])
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import lightgbm as lgb
import numpy as np
import polars as pl

from cleaners.features import FEATURES, GROUPS

MODEL_FILE = "data/line_model.json"

#: The sequence stage's own features (over the line stage's score ``s``), all in the ``context`` group.
_OFFSETS = (1, 2, 3)
_WINDOWS = (2, 5, 15)
_SANDWICH = (2, 5, 10)


def sequence_expressions() -> dict[str, pl.Expr]:
    """Features of the line stage's score ``s`` around each line (rows sorted by file, n)."""
    s = pl.col("s")
    out: dict[str, pl.Expr] = {}
    for k in _OFFSETS:
        out[f"s_p{k}"] = s.shift(k).over("file").fill_null(-9.0)
        out[f"s_n{k}"] = s.shift(-k).over("file").fill_null(-9.0)
    for w in _WINDOWS:
        out[f"s_w{w}"] = s.rolling_mean(2 * w + 1, center=True, min_samples=1).over("file")
    out["s_max_before"] = s.cum_max().over("file")
    out["s_max_after"] = s.cum_max(reverse=True).over("file")
    out["s_file"] = s.mean().over("file")
    for d in _SANDWICH:
        before = s.shift(1).rolling_max(d, min_samples=1).over("file").fill_null(-9.0)
        after = s.shift(-1).reverse().rolling_max(d, min_samples=1).reverse().over("file").fill_null(-9.0)
        out[f"s_sandwich{d}"] = pl.min_horizontal(before, after)
    total = s.sum().over("file")
    out["s_share_before"] = (s.cum_sum().over("file") - s) / pl.when(total.abs() > 1e-9).then(
        total
    ).otherwise(1.0)
    return out


def _best_span(df: pl.DataFrame) -> pl.DataFrame:
    """``s_in_span`` and ``s_span_gap``: the file's highest-sum run of scores (Kadane's span)."""
    i = pl.int_range(pl.len()).over("file")
    cs = pl.col("s").cum_sum().over("file")
    d = df.select("file", "s").with_columns(_i=i, _cs=cs)
    d = d.with_columns(
        _low=pl.min_horizontal(pl.col("_cs").shift(1).over("file").fill_null(0.0).cum_min().over("file"), 0.0)
    )
    d = d.with_columns(_gain=pl.col("_cs") - pl.col("_low"))
    d = d.with_columns(
        _end=pl.col("_i").filter(pl.col("_gain") == pl.col("_gain").max()).first().over("file")
    )
    d = d.with_columns(_lowv=pl.col("_low").filter(pl.col("_i") == pl.col("_end")).first().over("file"))
    start = (
        pl.col("_i")
        .filter((pl.col("_i") <= pl.col("_end")) & ((pl.col("_cs") - pl.col("s")) <= pl.col("_lowv") + 1e-9))
        .last()
        .over("file")
    )
    d = d.with_columns(_start=start.fill_null(0))
    return d.select(
        s_in_span=((pl.col("_i") >= pl.col("_start")) & (pl.col("_i") <= pl.col("_end"))).cast(pl.Float64),
        s_span_gap=pl.when(pl.col("_i") < pl.col("_start"))
        .then(pl.col("_start") - pl.col("_i"))
        .when(pl.col("_i") > pl.col("_end"))
        .then(pl.col("_i") - pl.col("_end"))
        .otherwise(0)
        .cast(pl.Float64)
        .log1p(),
    )


SEQUENCE_FEATURES: tuple[str, ...] = (*sequence_expressions(), "s_in_span", "s_span_gap")


def sequence_features(files: pl.Series, x: np.ndarray, score: np.ndarray) -> np.ndarray:
    """The sequence stage's input: its own features of the line-stage ``score``, beside the line
    features ``x`` (rows sorted by file, n; ``files`` names each row's file)."""
    df = pl.DataFrame({"file": files, "s": pl.Series(score, dtype=pl.Float64)})
    df = df.with_columns(**sequence_expressions())
    df = pl.concat([df, _best_span(df)], how="horizontal")
    return np.hstack([df.select(SEQUENCE_FEATURES).to_numpy(), x]).astype(np.float64, copy=False)


#: The feature group of every column the sequence stage sees.
SEQUENCE_GROUPS: tuple[str, ...] = ("context",) * len(SEQUENCE_FEATURES) + GROUPS


@dataclass(frozen=True)
class LineModel:
    """The two stages and the threshold on the sequence stage's score (a logit)."""

    line_stage: lgb.Booster
    sequence_stage: lgb.Booster
    threshold: float
    meta: dict[str, Any]

    def _stages(self, features: pl.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        x = features.select(pl.col(FEATURES).cast(pl.Float64)).to_numpy()  # one copy, in polars
        s1 = np.asarray(self.line_stage.predict(x, raw_score=True, num_threads=1))
        x2 = sequence_features(features["file"], x, s1)
        return x2, np.asarray(self.sequence_stage.predict(x2, raw_score=True, num_threads=1))

    def scores(self, features: pl.DataFrame) -> np.ndarray:
        """The sequence stage's raw score (a logit) of each row of ``features`` (sorted by file, n)."""
        if features.height == 0:
            return np.zeros(0)
        return self._stages(features)[1]

    def score_lines(self, features: pl.DataFrame) -> tuple[list[float], np.ndarray, np.ndarray]:
        """``p_body`` of each line, with the sequence stage's inputs and raw scores (for
        :meth:`explain`)."""
        if features.height == 0:
            return [], np.zeros((0, len(SEQUENCE_GROUPS))), np.zeros(0)
        x2, raw = self._stages(features)
        return (1.0 / (1.0 + np.exp(-raw))).tolist(), x2, raw

    def explain(self, x2: np.ndarray) -> list[str]:
        """For each row of the sequence stage's inputs, the feature group that weighed most
        against body: the group whose SHAP contributions to its score sum lowest. Rows are
        explained one by one, so a subset gets the answers the whole would."""
        if len(x2) == 0:
            return []
        contrib = np.asarray(self.sequence_stage.predict(x2, pred_contrib=True, num_threads=1))[:, :-1]
        names = group_names()
        member = np.zeros((len(SEQUENCE_GROUPS), len(names)))
        for j, g in enumerate(SEQUENCE_GROUPS):
            member[j, names.index(g)] = 1.0
        return [names[g] for g in (contrib @ member).argmin(axis=1).tolist()]

    @property
    def p_threshold(self) -> float:
        """The threshold as a probability."""
        return 1.0 / (1.0 + math.exp(-self.threshold))


def model_from_json(text: str) -> LineModel:
    """A :class:`LineModel` from the text of a model file."""
    d = json.loads(text)
    if list(d["features"]) != list(FEATURES) or list(d["sequence_features"]) != list(SEQUENCE_FEATURES):
        raise ValueError("the line model was trained on other features; retrain it with `newsclean train`")
    return LineModel(
        line_stage=lgb.Booster(model_str=d["line_stage"]),
        sequence_stage=lgb.Booster(model_str=d["sequence_stage"]),
        threshold=float(d["threshold"]),
        meta=d.get("meta", {}),
    )


def model_to_json(
    line_stage: lgb.Booster, sequence_stage: lgb.Booster, threshold: float, meta: dict[str, Any]
) -> str:
    """The text of a model file (deterministic: same boosters, same text)."""
    return json.dumps(
        {
            "format": 1,
            "features": list(FEATURES),
            "sequence_features": list(SEQUENCE_FEATURES),
            "threshold": threshold,
            "meta": meta,
            "line_stage": line_stage.model_to_string(),
            "sequence_stage": sequence_stage.model_to_string(),
        },
        indent=1,
        sort_keys=True,
    )


@cache
def load_model() -> LineModel:
    """The shipped model (read once per process)."""
    return model_from_json(resources.files("cleaners").joinpath(MODEL_FILE).read_text(encoding="utf-8"))


def group_names() -> Sequence[str]:
    """Every feature group a removed line may name."""
    return sorted(set(SEQUENCE_GROUPS))
