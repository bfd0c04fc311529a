"""The frames the cleaners hand on, declared once as pandera models: their columns, dtypes and
which may be null. The dtype mappings the code builds frames with come from them
(:func:`polars_schema`), and :mod:`schemas.frames` adds the output checks to the ones written out
(articles, typos). The models import nothing from the rest of the package, so every module may
use them.

>>> polars_schema(SourceSumsFrame)
{'source': String, 'name': String, 'count': Int64}
>>> ArticlesFrame.empty().columns[:3]
['file', 'article', 'title']
"""

from __future__ import annotations

from typing import Any

import pandera.polars as pa
import polars as pl


def polars_schema(model: type[pa.DataFrameModel]) -> dict[str, Any]:
    """The column -> polars dtype mapping of a model (to build its frame from rows)."""
    return dict(model.empty().schema)


class FilesFrame(pa.DataFrameModel):
    """One row per input file as decoded (:func:`cleaners.pipeline.decode_sources`)."""

    file: str
    sha256: str = pa.Field(nullable=True)  # None: the file could not be read
    n_bytes: pl.Int64 = pa.Field(nullable=True)
    encoding: str = pa.Field(nullable=True)
    fallback_lines: pl.List(pl.Int32) = pa.Field(nullable=True)  # type: ignore[valid-type]
    extracted_from: str = pa.Field(nullable=True)  # "html": the page's main text (cleaners.html)
    error_kind: str = pa.Field(nullable=True)
    error_message: str = pa.Field(nullable=True)


class RawLinesFrame(pa.DataFrameModel):
    """One row per raw line of a file, as decoded (``keep``: a blank line that still counts)."""

    file: str
    n: pl.Int32
    raw: str
    keep: bool


class ArticlesFrame(pa.DataFrameModel):
    """One row per article: paragraphs, captions and metadata (:func:`cleaners.articles.build_articles`)."""

    file: str
    article: pl.Int32
    title: str = pa.Field(nullable=True)
    subtitle: str = pa.Field(nullable=True)
    source: str = pa.Field(nullable=True)
    published: str = pa.Field(nullable=True)
    byline: str = pa.Field(nullable=True)
    dateline: str = pa.Field(nullable=True)
    paragraphs: pl.List(pl.Utf8)  # type: ignore[valid-type]
    captions: pl.List(pl.Utf8)  # type: ignore[valid-type]
    n_paragraphs: pl.Int32
    n_words: pl.Int32


class TyposFrame(pa.DataFrameModel):
    """One row per typo flag (:mod:`cleaners.typos`); offsets into the article's paragraph."""

    file: str
    article: pl.Int32
    paragraph: pl.Int32
    start: pl.Int32
    end: pl.Int32
    token: str
    kind: str
    suggestion: str = pa.Field(nullable=True)
    confidence: pl.Float64


class NamesFrame(pa.DataFrameModel):
    """Capitalised name counts, one row per (file, article, source, name) (:func:`cleaners.pipeline.name_rows`)."""

    file: str
    article: pl.Int32
    source: str = pa.Field(nullable=True)
    name: str
    count: pl.Int64


class SourceSumsFrame(pa.DataFrameModel):
    """Name counts summed per (source, name) (:func:`cleaners.pipeline.source_sums`)."""

    source: str
    name: str
    count: pl.Int64
