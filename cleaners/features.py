"""Line features for the line model: polars expressions over the lines frame.

:func:`line_features` takes the signals frame of :func:`cleaners.lines.line_signals` (one row per
non-blank line, any order) and returns it sorted by file and line with one column per feature of
:data:`FEATURES`. Each feature belongs to a group (:data:`GROUPS`), and a line the model removes
names the group that weighed most against it (``model_shape``, ``model_context`` ...).

``shape``       the line itself: size, punctuation, case, digits, list and link shape
``language``    how much of it is running text: stop-word share in twenty languages, caseless script
``lexicon``     which phrase family of :mod:`cleaners.lexicon` matched (a category)
``repetition``  in how many files of the run, and how often in its own file, the line occurs
``position``    where the line sits in its file, and how far it is from the densest run of prose
``context``     the same shape and language features of the lines around it
``file``        what the whole file is like: an extractor's output or every block of a page

>>> import polars as pl
>>> from cleaners.lines import line_signals
>>> df = pl.DataFrame({"file": ["a"] * 3, "n": [1, 2, 3],
...                    "content": ["Menu", "The storm hit the coast on Monday and it was over.", "Share"]})
>>> f = line_features(line_signals(df))
>>> f.select("stop_share", "pos_rel").rows()
[(0.0, 0.0), (0.6363636363636364, 0.5), (0.0, 1.0)]
>>> len(FEATURES) == len(GROUPS)
True
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import polars as pl

#: The lexicon reasons the model knows as a category (code: 1 + the index; 0 for none).
LEX_REASONS: tuple[str, ...] = (
    "no_visible_text",
    "ad_slot",
    "read_more_link",
    "comment_prompt",
    "timestamp",
    "share_row",
    "follow_prompt",
    "newsletter_prompt",
    "tag_list",
    "copyright_footer",
    "author_bio",
    "markup_residue",
    "source_line",
    "syndication",
    "byline",
    "credit_line",
    "published_line",
    "dateline_only",
    "related_link",
    "navigation",
    "cookie_banner",
    "caption_prefix",
    "photo_credit",
    "photo_caption",
)
#: Offsets of the neighbours whose features a line sees.
NEIGHBOURS = (-3, -2, -1, 1, 2, 3)
#: Half-widths of the windows whose means a line sees.
WINDOWS = (2, 5, 15)
#: The features of a line that its neighbours see (context).
NEIGHBOUR_FEATURES = (
    "log_chars",
    "terminal",
    "strong",
    "stop_share",
    "list_item",
    "lexicon_hit",
    "title_case",
)


@cache
def stop_words() -> frozenset[str]:
    """The stop words of :file:`cleaners/data/stopwords.tsv` (lowercase, every language)."""
    text = resources.files("cleaners").joinpath("data/stopwords.tsv").read_text(encoding="utf-8")
    return frozenset(
        line.split("\t", 1)[1] for line in text.splitlines() if line and not line.startswith("#")
    )


def _shape() -> dict[str, pl.Expr]:
    c = pl.col("content")
    words = pl.col("words").cast(pl.Float64)
    chars = pl.col("chars").cast(pl.Float64)
    letters = c.str.count_matches(r"\p{L}").cast(pl.Float64)
    safe_words = pl.when(words > 0).then(words).otherwise(1.0)
    safe_chars = pl.when(chars > 0).then(chars).otherwise(1.0)
    return {
        "log_chars": (chars + 1).log(),
        "words": words,
        "word_len": chars / safe_words,
        "terminal": pl.col("terminal").cast(pl.Float64),
        "sentence": pl.col("sentence").cast(pl.Float64),
        "strong": pl.col("strong").cast(pl.Float64),
        "list_item": pl.col("list_item").cast(pl.Float64),
        "ends_colon": c.str.contains(r"[:：]\s*$").cast(pl.Float64),
        "ends_question": c.str.contains(r"[?？]['\"”’»)]*$").cast(pl.Float64),
        "sentence_ends": c.str.count_matches(r"[.!?。！？]['\"”’»)]*\s").cast(pl.Float64),
        "commas": c.str.count_matches(r"[,，、]").cast(pl.Float64) / safe_words,
        "upper_share": c.str.count_matches(r"\p{Lu}").cast(pl.Float64)
        / pl.when(letters > 0).then(letters).otherwise(1.0),
        "title_case": c.str.count_matches(r"(?:^|\s)\p{Lu}").cast(pl.Float64) / safe_words,
        "digit_share": c.str.count_matches(r"\d").cast(pl.Float64) / safe_chars,
        "punct_share": c.str.count_matches(r"[^\p{L}\p{N}\s]").cast(pl.Float64) / safe_chars,
        "separators": c.str.count_matches(r"[|•·»›/]").cast(pl.Float64),
        "url_or_mail": c.str.contains(r"(?i)https?://|www\.|\S@\S|\.(?:com|org|net)(?-u:\b)").cast(
            pl.Float64
        ),
        "starts_quote": c.str.contains(r"^[\"“”‘’'«„]").cast(pl.Float64),
        "has_quote": c.str.contains(r"[\"“”«»„]").cast(pl.Float64),
        "starts_lower": c.str.contains(r"^\p{Ll}").cast(pl.Float64),
        "starts_digit": c.str.contains(r"^\d").cast(pl.Float64),
        "bracketed": c.str.contains(r"^[\[(].*[\])]$").cast(pl.Float64),
    }


def _language() -> dict[str, pl.Expr]:
    c = pl.col("content")
    toks = c.str.to_lowercase().str.extract_all(r"\p{L}+")
    n = toks.list.len().cast(pl.Float64)
    stops = toks.list.eval(pl.element().is_in(list(stop_words())).cast(pl.Float64)).list.sum()
    return {
        "stop_share": pl.when(n > 0).then(stops / n).otherwise(0.0),
        "stop_count": stops,
        "caseless": pl.col("caseless").cast(pl.Float64),
        "cjk_share": c.str.count_matches(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}]").cast(pl.Float64)
        / pl.when(pl.col("chars") > 0).then(pl.col("chars")).otherwise(1).cast(pl.Float64),
    }


def _lexicon() -> dict[str, pl.Expr]:
    codes = {r: float(i + 1) for i, r in enumerate(LEX_REASONS)}  # 0: no family matched
    return {
        "lexicon": pl.col("lex_reason").replace_strict(codes, default=0.0, return_dtype=pl.Float64),
        "lexicon_hit": pl.col("lex_reason").is_not_null().cast(pl.Float64),
    }


def _repetition() -> dict[str, pl.Expr]:
    return {
        "repeat_files": (pl.col("repeat_files").cast(pl.Float64)).log(),
        "repeat_in_file": pl.col("repeat_in_file").cast(pl.Float64),
    }


def _position() -> dict[str, pl.Expr]:
    i = pl.col("_i").cast(pl.Float64)
    n = pl.col("_len").cast(pl.Float64)
    prose = pl.col("_prose")
    cum = prose.cum_sum().over("file")
    total = prose.sum().over("file")
    safe_total = pl.when(total > 0).then(total).otherwise(1.0)
    density = prose.rolling_sum(21, center=True, min_samples=1).over("file")
    peak = pl.col("_i").filter(density == density.max()).first().over("file").cast(pl.Float64)
    strong_i = pl.when(pl.col("strong")).then(i)
    prev_strong = strong_i.forward_fill().shift(1).over("file")
    next_strong = strong_i.backward_fill().shift(-1).over("file")
    return {
        "pos_rel": pl.when(n > 1).then(i / (n - 1)).otherwise(0.0),
        "pos_from_start": (i + 1).log(),
        "pos_from_end": (n - i).log(),
        "file_lines": n.log(),
        "prose_before": (cum - prose) / safe_total,
        "prose_after": (total - cum) / safe_total,
        "peak_distance": (i - peak) / pl.when(n > 1).then(n).otherwise(1.0),
        "peak_lines": (i - peak).abs().log1p(),
        "prev_strong_gap": (i - prev_strong).fill_null(-1.0),
        "next_strong_gap": (next_strong - i).fill_null(-1.0),
        "density": density / pl.when(total > 0).then(total).otherwise(1.0),
        "short_run": pl.col("_short_run").cast(pl.Float64),
    }


def _file() -> dict[str, pl.Expr]:
    """What kind of text the whole file is (an extractor's output, or every block of a page)."""
    return {
        "file_strong": pl.col("strong").cast(pl.Float64).mean().over("file"),
        "file_log_chars": pl.col("log_chars").mean().over("file"),
        "file_lexicon": pl.col("lexicon_hit").mean().over("file"),
        "file_short": (pl.col("_short_run") > 0).cast(pl.Float64).mean().over("file"),
        "file_list": pl.col("list_item").cast(pl.Float64).mean().over("file"),
        "file_stop": pl.col("stop_share").mean().over("file"),
    }


def _context() -> dict[str, pl.Expr]:
    out: dict[str, pl.Expr] = {}
    for k in NEIGHBOURS:
        for f in NEIGHBOUR_FEATURES:
            out[f"{f}_{'p' if k < 0 else 'n'}{abs(k)}"] = pl.col(f).shift(-k).over("file").fill_null(-1.0)
    for w in WINDOWS:
        for f in ("log_chars", "strong", "stop_share", "lexicon_hit"):
            out[f"{f}_w{w}"] = pl.col(f).rolling_mean(2 * w + 1, center=True, min_samples=1).over("file")
    return out


def _short_runs(df: pl.DataFrame) -> pl.Series:
    """The length of the run of short unterminated lines each line is part of (0 for other lines)."""
    short = (~pl.col("terminal")) & (pl.col("words") < 10) & pl.col("lex_reason").is_null()
    run_id = (short != short.shift(1)).fill_null(True).cum_sum().over("file")
    return df.select(
        pl.when(short).then(pl.len().over("file", run_id)).otherwise(0).alias("_short_run")
    ).to_series()


def _feature_table() -> list[tuple[str, str, pl.Expr]]:
    table = []
    for group, exprs in (
        ("shape", _shape()),
        ("language", _language()),
        ("lexicon", _lexicon()),
        ("repetition", _repetition()),
        ("position", _position()),
        ("context", _context()),
        ("file", _file()),
    ):
        table += [(name, group, e) for name, e in exprs.items()]
    return table


FEATURES: tuple[str, ...] = tuple(name for name, _, _ in _feature_table())
GROUPS: tuple[str, ...] = tuple(group for _, group, _ in _feature_table())


def line_features(signals: pl.DataFrame) -> pl.DataFrame:
    """``signals`` sorted by (file, n), with every feature of :data:`FEATURES` as a Float64 column."""
    df = signals.sort("file", "n").with_columns(
        _i=pl.int_range(pl.len()).over("file"),
        _len=pl.len().over("file"),
        _prose=pl.when(pl.col("strong")).then(pl.col("chars")).otherwise(0).cast(pl.Float64),
    )
    df = df.with_columns(_short_runs(df))
    table = _feature_table()
    line_level = [(n, e) for n, g, e in table if g not in ("context", "file")]
    df = df.with_columns([e.alias(n) for n, e in line_level])
    df = df.with_columns([e.alias(n) for n, g, e in table if g in ("context", "file")])
    return df.drop("_i", "_len", "_prose", "_short_run")
