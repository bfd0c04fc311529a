"""The line model: shipped file, deterministic training, folds by site, decisions and reasons."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from cleaners.model import MODEL_FILE, load_model, model_from_json
from cleaners.pipeline import Source, clean_corpus, documents
from cleaners.title import TITLE_MODEL_FILE
from cleaners.training import labels
from cleaners.training.train import (
    Trainer,
    digest,
    folds_by_site,
    run_training,
    train_model,
    training_table,
)

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"  # the labelled data lives beside the checkout (CI has it too)


def _doc(text: str) -> dict:
    return documents(clean_corpus([Source("a.txt", text.encode("utf-8"))]))["a.txt"]


def test_folds_keep_each_site_in_one_fold() -> None:
    sites = [f"site{i % 13}" for i in range(200)]
    folds = folds_by_site(sites, k=5)
    by_site: dict[str, set[int]] = {}
    for s, f in zip(sites, folds, strict=True):
        by_site.setdefault(s, set()).add(f)
    assert all(len(f) == 1 for f in by_site.values())
    assert set(folds) == set(range(5))


def test_site_of_pages_and_urls() -> None:
    assert labels.page_site("nytimes-3") == "nytimes"
    assert labels.url_site("https://web.archive.org/web/2019/https://www.bbc.co.uk/news/x") == "bbc.co.uk"
    assert labels.url_site("https://edition.cnn.com/a") == "cnn.com"
    assert labels.url_site("") != labels.url_site("https://cnn.com")


def test_shipped_model_is_small_and_loads_once() -> None:
    path = ROOT / "cleaners" / MODEL_FILE
    assert path.stat().st_size < 2_000_000
    assert load_model() is load_model()


def test_model_refuses_other_features() -> None:
    d = json.loads((ROOT / "cleaners" / MODEL_FILE).read_text(encoding="utf-8"))
    d["features"] = d["features"][:-1]
    with pytest.raises(ValueError, match="retrain"):
        model_from_json(json.dumps(d))


def test_prose_first_line_is_body_not_title() -> None:
    """Extractor output starts with the story: its first paragraph is never a title."""
    first = (
        "The city council voted on Tuesday to close the old bridge for repairs, after engineers "
        "found cracks in two of its supports during a routine inspection last month."
    )
    doc = _doc(
        first + "\nThe work will take a year and cost about 4 million euros, the mayor said.\n"
        "Drivers will be sent over the northern ring road while the bridge is closed.\n"
    )
    (art,) = doc["articles"]
    assert art["title"] is None
    assert art["paragraphs"][0] == first


def test_headline_then_story() -> None:
    doc = _doc(
        "Council closes old bridge for a year of repairs\n"
        "The city council voted on Tuesday to close the old bridge for repairs, after engineers found cracks.\n"
        "The work will take a year and cost about 4 million euros, the mayor said on Wednesday.\n"
    )
    (art,) = doc["articles"]
    assert art["title"] == "Council closes old bridge for a year of repairs"
    assert len(art["paragraphs"]) == 2


def test_every_line_has_p_body_and_model_reasons_name_a_group() -> None:
    doc = _doc(
        "Home | News | Sport | Weather\n"
        "Council closes old bridge for a year of repairs\n"
        "The city council voted on Tuesday to close the old bridge for repairs, after engineers found cracks.\n"
        "The work will take a year and cost about 4 million euros, the mayor said on Wednesday.\n"
        "Advertisement\n"
        "Most read\n"
        "Weather warning for the weekend\n"
        "Five things to do this summer\n"
    )
    lines = doc["lines"]
    assert all(0.0 <= ln["p_body"] <= 1.0 for ln in lines)
    by_n = {ln["n"]: ln for ln in lines}
    assert by_n[5]["reason"] == "ad_slot"  # a certain lexicon family decides, whatever the model says
    model_reasons = {ln["reason"] for ln in lines if (ln["reason"] or "").startswith("model_")}
    assert model_reasons, lines
    groups = {"shape", "language", "lexicon", "repetition", "position", "context", "file"}
    assert {r.removeprefix("model_") for r in model_reasons} <= groups
    body = [ln for ln in lines if ln["role"] == "body"]
    assert all(ln["p_body"] >= load_model().p_threshold for ln in body)


def test_lines_frame_carries_p_body() -> None:
    c = clean_corpus(
        [Source("a.txt", b"Title here now\nThe storm hit the coast on Monday night, officials said.\n")]
    )
    assert c.lines["p_body"].dtype == pl.Float64
    assert c.lines["p_body"].is_between(0.0, 1.0).all()


def test_training_is_deterministic_on_a_slice() -> None:
    pages = labels.realworld_pages(SHARED / "data" / "realworld")
    some = [p for p in pages if p.set == "readability"][:12] + [p for p in pages if p.set != "readability"][
        :40
    ]
    table = training_table(some)
    a, b = train_model(table, {"slice": 1}), train_model(table, {"slice": 1})
    assert digest(a) == digest(b)
    # and it learns from the data: other pages give another model
    other = train_model(training_table([p for p in pages if p.set == "readability"][12:24]), {"slice": 1})
    assert digest(other) != digest(a)
    # the out-of-fold scores are the same run to run, too
    s1, s2 = Trainer(table).out_of_fold(), Trainer(table).out_of_fold()
    assert np.array_equal(s1, s2)


@pytest.mark.slow
def test_shipped_model_is_what_training_produces() -> None:
    result = run_training(SHARED, ROOT / "seeds", ROOT / "tests" / "fixtures" / "pages", out_of_fold=False)
    shipped = (ROOT / "cleaners" / MODEL_FILE).read_text(encoding="utf-8")
    assert digest(result.model_text) == digest(shipped), "retrain with `newsclean train` and commit the model"
    shipped_titles = (ROOT / "cleaners" / TITLE_MODEL_FILE).read_text(encoding="utf-8")
    assert digest(result.title_text) == digest(shipped_titles), "retrain with `newsclean train` and commit it"


def test_reasons_explained_only_where_the_model_decides_equal_explaining_every_line() -> None:
    """assign_structure asks the model why only for the lines whose reason is the model's; the
    reasons equal those of explaining every line under the threshold at once (the fixture pages)."""
    from cleaners.features import line_features
    from cleaners.lines import line_signals
    from cleaners.pipeline import decode_sources, repair_lines
    from cleaners.structure import MODEL_CONTEXT, assign_structure, decide_structure

    pages = sorted((ROOT / "tests" / "fixtures" / "pages").glob("*.txt"))
    sources = [Source(p.name, p.read_bytes()) for p in pages if not p.name.endswith(".body.txt")]
    _, raw = decode_sources(sources)
    signals = line_signals(repair_lines(raw))
    lazy = assign_structure(signals)
    model = load_model()
    features = line_features(signals)
    p, x2, scores = model.score_lines(features)
    low = np.flatnonzero(scores < model.threshold)
    group = dict(zip(low.tolist(), model.explain(x2[low]), strict=True))
    plain = decide_structure(features.select(signals.columns), p, model.p_threshold)["reason"].to_list()
    eager = [f"model_{group[i]}" if r == MODEL_CONTEXT and i in group else r for i, r in enumerate(plain)]
    assert lazy["reason"].to_list() == eager
    model_reasons = lazy.filter(pl.col("reason").str.starts_with("model_"))["reason"]
    assert (
        model_reasons.len() > 10 and model_reasons.n_unique() > 1
    )  # the groups are named, not all "context"
