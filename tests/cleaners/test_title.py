"""The title ranker: what may be a title, what never is, and how it learns."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from cleaners.pipeline import Source, clean_corpus, documents
from cleaners.title import TITLE_FEATURES, TITLE_MODEL_FILE, load_title_model, title_model_from_json
from cleaners.training import titles
from cleaners.training.labels import realworld_pages, seed_pages
from cleaners.training.train import THRESHOLD

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"

STORY = [
    "The storm hit the coast on Monday night, cutting power to thousands of homes, officials said.",
    "Engineers worked through the night to clear the main road into town before the morning rush.",
    "Schools will reopen on Thursday, the council said in a statement issued late on Tuesday.",
    "Residents were advised to boil drinking water until further notice, the water board said.",
]


def _article(lines: list[str]) -> dict:
    doc = documents(clean_corpus([Source("a.txt", "\n".join(lines).encode("utf-8"))]))["a.txt"]
    return doc["articles"][0]


def test_a_headline_over_the_story_is_the_title() -> None:
    assert _article(["Storm cuts power to thousands on the coast", *STORY])["title"] == (
        "Storm cuts power to thousands on the coast"
    )


def test_text_that_starts_with_the_story_has_no_title() -> None:
    lead = (
        "Whale whisperer Hori Parata was just seven years old when he attended his first mass stranding, "
        "a beaching of porpoises in the north, their cries screeching through the air on the deserted sand."
    )
    art = _article([lead, *STORY])
    assert art["title"] is None
    assert art["paragraphs"][0] == lead


def test_a_long_sentence_is_never_a_candidate() -> None:
    long_line = " ".join(["word"] * 30) + "."
    art = _article(["Home | News | Sport", long_line, *STORY])
    assert art["title"] != long_line


def test_the_rest_of_a_wrapped_sentence_is_never_a_candidate() -> None:
    from cleaners.lines import line_signals
    from cleaners.pipeline import decode_sources, repair_lines
    from cleaners.structure import _line
    from cleaners.title import candidates

    text = "\n".join(
        ["Storm cuts power on the coast", "The storm that hit the coast was", "announced by the", *STORY]
    )
    _, raw = decode_sources([Source("a.txt", text.encode("utf-8"))])
    sig = line_signals(repair_lines(raw)).with_columns(p_body=pl.lit(0.1), body=pl.lit(False))
    from cleaners.structure import _FIELDS

    lines = [_line(row, False) for row in sig.select(*_FIELDS).iter_rows()]
    got = candidates(lines, 0, 3, len(lines))
    assert 0 in got and 1 in got  # a headline, and a line that may be one
    assert 2 not in got  # "announced by the" carries on the line above it


def test_the_shipped_title_model_loads_once_and_refuses_other_features() -> None:
    assert load_title_model() is load_title_model()
    path = ROOT / "cleaners" / TITLE_MODEL_FILE
    assert path.stat().st_size < 2_000_000
    d = json.loads(path.read_text(encoding="utf-8"))
    d["features"] = d["features"][:-1]
    with pytest.raises(ValueError, match="retrain"):
        title_model_from_json(json.dumps(d))


def test_title_keys_match_site_suffixes_and_quotes() -> None:
    assert titles.title_key("“Star  Wars”") == titles.title_key('"star wars"')
    assert "getting lean with digital ad ux" in titles.title_variants("Getting LEAN with Digital Ad UX | IAB")


@pytest.mark.skipif(not (SHARED / "data" / "realworld").is_dir(), reason="needs ../shared/data")
def test_candidates_and_training_are_deterministic_on_a_slice() -> None:
    pages = [p for p in realworld_pages(SHARED / "data" / "realworld") if p.set == "readability"][:24]
    pages += seed_pages(ROOT / "seeds", SHARED / "gold")
    # a fixed ramp of line scores stands in for the line model's out-of-fold scores
    rows = []
    for p in pages:
        n = 0
        for line in p.data.decode("utf-8", "replace").splitlines():
            if line.strip():
                n += 1
        rows.append((p.set, p.kind, f"{p.page}.txt", n))
    frames = []
    for set_, kind, file, n in rows:
        frames.append(
            pl.DataFrame(
                {
                    "set": [set_] * n,
                    "kind": [kind] * n,
                    "file": [file] * n,
                    "n": list(range(1, n + 1)),
                    "score": np.linspace(-2.0, 1.0, n) if n else [],
                },
                schema={"set": pl.Utf8, "kind": pl.Utf8, "file": pl.Utf8, "n": pl.Int32, "score": pl.Float64},
            )
        )
    oof = pl.concat(frames)
    names = titles.readability_titles(SHARED / "data" / "realworld")
    a = titles.title_candidates(pages, oof, names, THRESHOLD)
    b = titles.title_candidates(pages, oof, names, THRESHOLD)
    assert a.frame.equals(b.frame) and np.array_equal(a.x, b.x, equal_nan=True)
    assert a.x.shape[1] == len(TITLE_FEATURES)
    assert a.frame["label"].sum() > 0  # some titles are found among the candidates
    s = titles.out_of_fold_scores(a)
    t1 = titles.train_title_model(a, s, {"slice": 1})
    t2 = titles.train_title_model(b, titles.out_of_fold_scores(b), {"slice": 1})
    assert t1 == t2
