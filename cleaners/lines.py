"""Line signals: shape, lexicon and repetition, computed with polars expressions.

This stage looks at each non-blank line on its own (plus repetition counts) and adds columns:

``words``, ``chars``         size of the line
``terminal``                 ends like a sentence (``.!?…:;`` or a closing quote, CJK/Arabic/Devanagari stops)
``sentence``                 reads like prose: two or more lowercase words, or a caseless script
``strong``                   terminal and prose-shaped: almost certainly body text
``list_item``                starts with a bullet or a list number
``lex_role``, ``lex_reason`` what the phrase lexicons say (``None`` when no family matched)
``repeat_files``             in how many files of the run the same line occurs
``repeat_in_file``           how often the line occurs in its own file

The decision in context (position, neighbours, article boundaries) is made by
:mod:`cleaners.structure`; nothing here depends on the order of lines.

>>> import polars as pl
>>> df = pl.DataFrame({"file": ["a"] * 3, "n": [1, 2, 3],
...                    "content": ["Advertisement", "He said it was over.", "Kim Jong Un (left) poses for a photo"]})
>>> line_signals(df).select("lex_role", "lex_reason", "strong").rows()
[('boilerplate', 'ad_slot', False), (None, None, True), ('caption', 'photo_caption', False)]
"""

from __future__ import annotations

import polars as pl

from cleaners.lexicon import FAMILIES

#: Sentence-final punctuation, optionally followed by closing quotes or brackets.
TERMINAL = r"(?:[.!?…:;。！？؟۔।]['\"”’»)\]]*|[”»\"’])$"
LIST_ITEM = r"^(?:[•·▪●◦‣∙*–—-]\s|\d{1,2}[.)]\s)"
#: A raw line is blank when it holds only white space (Python's ``str.split`` set: Unicode
#: white space and the separators U+001C–U+001F), no-break, zero-width and soft-hyphen marks.
#: Blank lines get no role; every other raw line gets exactly one (the evaluation tool agrees).
BLANK = r"^[\s\x1c-\x1f\u200b\u00ad\ufeff]*$"


def collapse_ws(col: str | pl.Expr) -> pl.Expr:
    """Collapse runs of white space to one space and strip the ends (the paragraph form).

    >>> pl.select(collapse_ws(pl.lit("  a \\t b  ")).alias("x")).item()
    'a b'
    """
    e = pl.col(col) if isinstance(col, str) else col
    return e.str.replace_all(r"\s+", " ").str.strip_chars()


def line_signals(df: pl.DataFrame, repeats: pl.DataFrame | None = None) -> pl.DataFrame:
    """Add shape, lexicon and repetition signals to a frame of non-blank lines.

    ``df`` needs ``file``, ``n`` and ``content`` (white space collapsed). ``repeats``, when
    given, maps ``content`` to ``repeat_files`` counted over the whole run (see
    :func:`repeat_counts`); otherwise repetition is counted within ``df``.
    """
    c = pl.col("content")
    lex_role: pl.Expr = pl.lit(None, dtype=pl.Utf8)
    lex_reason: pl.Expr = pl.lit(None, dtype=pl.Utf8)
    n_chars = c.str.len_chars()
    for reason, role, pattern, max_chars in reversed(FAMILIES):
        hit = c.str.contains(pattern)
        if max_chars is not None:
            hit = hit & (n_chars <= max_chars)
        lex_role = pl.when(hit).then(pl.lit(role)).otherwise(lex_role)
        lex_reason = pl.when(hit).then(pl.lit(reason)).otherwise(lex_reason)
    words = c.str.count_matches(r"\S+")
    # two or more words start lowercase: a lowercase word start, then another one later
    two_lower_words = c.str.contains(r"(?s)(?:^|\s)\p{Ll}.*\s\p{Ll}")
    # caseless: no upper- or lowercase letter at all (contains stops at the first one; a count
    # of every cased letter took a fifth of this function)
    caseless = ~c.str.contains(r"[\p{Lu}\p{Ll}]")
    out = df.with_columns(
        words=words.cast(pl.Int32),
        chars=c.str.len_chars().cast(pl.Int32),
        terminal=c.str.contains(TERMINAL),
        sentence=two_lower_words | (caseless & (c.str.len_chars() >= 10)),
        list_item=c.str.contains(LIST_ITEM),
        lex_role=lex_role,
        lex_reason=lex_reason,
        repeat_in_file=pl.len().over("file", "content").cast(pl.Int32),
    )
    # A byline is a name, not a sentence: "By Monday, the troops had left." is body.
    is_sentence_byline = (pl.col("lex_reason") == "byline") & pl.col("terminal") & (pl.col("words") > 6)
    out = out.with_columns(
        lex_role=pl.when(is_sentence_byline).then(None).otherwise(pl.col("lex_role")),
        lex_reason=pl.when(is_sentence_byline).then(None).otherwise(pl.col("lex_reason")),
        caseless=caseless,
    )
    out = out.with_columns(
        # Caseless scripts (CJK, Thai…) put a whole sentence in one "word": count characters there.
        strong=pl.col("terminal")
        & pl.col("sentence")
        & ((pl.col("words") >= 4) | (pl.col("chars") >= 20) | (pl.col("caseless") & (pl.col("chars") >= 8))),
    )
    if "repeat_files" in out.columns:
        return out
    if repeats is None:
        repeats = repeat_counts(df)
    return (
        out.with_columns(h=content_hash())
        .join(repeats, on="h", how="left", maintain_order="left")
        .with_columns(pl.col("repeat_files").fill_null(1))
        .drop("h")
    )


def content_hash(col: str = "content") -> pl.Expr:
    """A 64-bit hash of a line's content: cross-file repetition is counted on these."""
    return pl.col(col).hash(seed=0)


def repeat_counts(df: pl.DataFrame) -> pl.DataFrame:
    """In how many distinct files each line content (by :func:`content_hash`) occurs.

    ``df`` has ``file`` and either ``content`` or its hash ``h``.

    >>> df = pl.DataFrame({"file": ["a", "a", "b", "b"], "content": ["x", "x", "x", "y"]})
    >>> sorted(repeat_counts(df)["repeat_files"].to_list())
    [1, 2]
    """
    if "h" not in df.columns:
        df = df.select("file", h=content_hash())
    return df.group_by("h").agg(repeat_files=pl.col("file").n_unique().cast(pl.Int32)).sort("h")


def line_hashes(df: pl.DataFrame) -> pl.DataFrame:
    """One row per distinct line content of each file: ``file`` and its :func:`content_hash` ``h``.

    What :func:`repeated_lines` counts; a run keeps them (not the lines) to count again later.

    >>> df = pl.DataFrame({"file": ["a", "a", "b"], "content": ["x", "x", "x"]})
    >>> line_hashes(df)["file"].to_list()
    ['a', 'b']
    """
    return df.select("file", h=content_hash()).unique(maintain_order=True)


def repeated_lines(hashes: pl.LazyFrame) -> pl.DataFrame:
    """The line contents that occur in two or more files, with ``repeat_files``, sorted by ``h``.

    ``hashes`` holds :func:`line_hashes` rows of files that each appear in one part only, so
    counting rows counts files: a group-by on one 64-bit column, streamed from the parts, where
    counting distinct file names per line held every (file, line) pair in memory. Lines missing
    here occur in one file (``repeat_files`` 1, the default of :func:`line_signals`).

    >>> a = line_hashes(pl.DataFrame({"file": ["a", "a"], "content": ["x", "y"]}))
    >>> b = line_hashes(pl.DataFrame({"file": ["b", "b"], "content": ["x", "x"]}))
    >>> rep = repeated_lines(pl.concat([a.lazy(), b.lazy()]))
    >>> rep["repeat_files"].to_list(), rep["h"].to_list() == a["h"].head(1).to_list()
    ([2], True)
    """
    return (
        hashes.group_by("h")
        .agg(repeat_files=pl.len().cast(pl.Int32))
        .filter(pl.col("repeat_files") >= 2)
        .sort("h")
        .collect(engine="streaming")
    )
