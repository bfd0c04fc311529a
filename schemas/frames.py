"""pandera models of the normalized output frames, and per-file validation.

``validate_corpus`` validates the lines, articles and typos frames (``lazy=True``, so every
failure is collected) plus the conservation rule, and returns one row per failure case with
the file it belongs to: the flow quarantines those files and the run goes on.
"""

from __future__ import annotations

from typing import Any

import pandera.polars as pa
import polars as pl
from pandera.errors import SchemaErrors

from cleaners.frames import ArticlesFrame, TyposFrame, polars_schema
from cleaners.lines import BLANK
from cleaners.structure import ROLES
from cleaners.typos import KINDS as TYPO_KINDS
from schemas.patterns import BOILERPLATE, ISO_DATE, MOJIBAKE, NOT_NORMALIZED


class StateFilesModel(pa.DataFrameModel):
    """The incremental state's row per input file (``.state/files.parquet``, :mod:`flows.state`):
    its sha256 and cleaner version, and the signatures of its cross-file context."""

    file: str = pa.Field(unique=True)
    sha256: str
    version: str
    repeat_sig: str  # which of its lines repeat in other files ("" when none)
    source: str = pa.Field(nullable=True)  # its first article's source
    names_sig: str  # the pooled name counts of that source ("" without one)


class LineHashesModel(pa.DataFrameModel):
    """The content hash of each distinct line of a file (``.state/line-hashes.parquet``)."""

    file: str
    h: pl.UInt64


class LinesModel(pa.DataFrameModel):
    """One row per non-blank raw line with its role and reason."""

    file: str
    n: pl.Int32 = pa.Field(ge=1)
    role: str = pa.Field(isin=list(ROLES))
    reason: str = pa.Field(nullable=True, str_matches=r"^[a-z][a-z0-9_]*$")
    article: pl.Int32 = pa.Field(nullable=True, ge=0)
    p_body: pl.Float64 = pa.Field(ge=0.0, le=1.0)

    @pa.dataframe_check
    @classmethod
    def reason_unless_body_or_title(cls, data: Any) -> Any:
        """Every role but body and title carries a reason."""
        return data.lazyframe.select(pl.col("role").is_in(["body", "title"]) | pl.col("reason").is_not_null())

    @pa.dataframe_check
    @classmethod
    def boilerplate_has_no_article(cls, data: Any) -> Any:
        return data.lazyframe.select((pl.col("role") != "boilerplate") | pl.col("article").is_null())

    @pa.dataframe_check
    @classmethod
    def body_and_title_have_article(cls, data: Any) -> Any:
        return data.lazyframe.select(
            ~pl.col("role").is_in(["body", "title"]) | pl.col("article").is_not_null()
        )

    @pa.dataframe_check
    @classmethod
    def one_role_per_line(cls, data: Any) -> Any:
        """Every raw line appears once."""
        return data.lazyframe.select(~pl.struct("file", "n").is_duplicated())

    class Config:
        strict = False
        coerce = False


class ArticlesModel(ArticlesFrame):
    """One row per article (:class:`cleaners.frames.ArticlesFrame`), with the output's checks."""

    file: str
    article: pl.Int32 = pa.Field(ge=0)
    title: str = pa.Field(nullable=True)
    published: str = pa.Field(nullable=True, str_matches=ISO_DATE)
    paragraphs: pl.List(pl.Utf8)  # type: ignore[valid-type]

    @pa.dataframe_check
    @classmethod
    def has_paragraphs(cls, data: Any) -> Any:
        return data.lazyframe.select(pl.col("paragraphs").list.len() > 0)

    @pa.dataframe_check
    @classmethod
    def paragraphs_not_empty(cls, data: Any) -> Any:
        return data.lazyframe.select(
            pl.col("paragraphs").list.eval(pl.element().str.len_chars() > 0).list.all()
        )

    @pa.dataframe_check
    @classmethod
    def no_mojibake(cls, data: Any) -> Any:
        return data.lazyframe.select(
            ~pl.col("paragraphs").list.eval(pl.element().str.contains(MOJIBAKE)).list.any()
        )

    @pa.dataframe_check
    @classmethod
    def normalized(cls, data: Any) -> Any:
        """No no-break or exotic spaces, invisible characters, or untrimmed/doubled white space; NFC."""
        bad_chars = pl.element().str.contains(NOT_NORMALIZED)
        not_nfc = pl.element() != pl.element().str.normalize("NFC")
        return data.lazyframe.select(~pl.col("paragraphs").list.eval(bad_chars | not_nfc).list.any())

    @pa.dataframe_check
    @classmethod
    def no_boilerplate_phrases(cls, data: Any) -> Any:
        return data.lazyframe.select(
            ~pl.col("paragraphs").list.eval(pl.element().str.contains(BOILERPLATE)).list.any()
        )

    @pa.dataframe_check
    @classmethod
    def unique_keys(cls, data: Any) -> Any:
        return data.lazyframe.select(~pl.struct("file", "article").is_duplicated())

    class Config:
        strict = False


class TyposModel(TyposFrame):
    """One row per typo flag (:class:`cleaners.frames.TyposFrame`), with the output's checks."""

    file: str
    article: pl.Int32 = pa.Field(ge=0)
    paragraph: pl.Int32 = pa.Field(ge=0)
    start: pl.Int32 = pa.Field(ge=0)
    end: pl.Int32 = pa.Field(ge=1)
    token: str
    kind: str = pa.Field(isin=list(TYPO_KINDS))
    suggestion: str = pa.Field(nullable=True)
    confidence: pl.Float64 = pa.Field(ge=0.0, le=1.0)

    @pa.dataframe_check
    @classmethod
    def span_not_empty(cls, data: Any) -> Any:
        return data.lazyframe.select(pl.col("end") > pl.col("start"))

    class Config:
        strict = False


class FailureModel(pa.DataFrameModel):
    """One row per failed check case of a file's output (what quarantine records)."""

    file: str = pa.Field(nullable=True)  # None: a check of the whole batch
    frame: str  # lines, articles, files
    column: str = pa.Field(nullable=True)
    check: str
    failure_case: str = pa.Field(nullable=True)


FAILURE_SCHEMA = polars_schema(FailureModel)


def _failures(model: type[pa.DataFrameModel], frame_name: str, df: pl.DataFrame) -> pl.DataFrame:
    try:
        model.validate(df, lazy=True)
    except SchemaErrors as err:
        fc = err.failure_cases
        idx = fc.get_column("index")
        files = df.get_column("file")
        file_col = [files[int(i)] if i is not None and int(i) < len(files) else None for i in idx.to_list()]
        return pl.DataFrame(
            {
                "file": file_col,
                "frame": [frame_name] * len(fc),
                "column": fc.get_column("column").cast(pl.Utf8),
                "check": fc.get_column("check").cast(pl.Utf8),
                "failure_case": fc.get_column("failure_case").cast(pl.Utf8),
            },
            schema=FAILURE_SCHEMA,
        )
    return pl.DataFrame(schema=FAILURE_SCHEMA)


def conservation_failures(raw: pl.DataFrame, lines: pl.DataFrame) -> pl.DataFrame:
    """Non-blank raw lines missing from ``lines``, and ``lines`` rows that match no non-blank raw line.

    Blank raw lines (:data:`cleaners.lines.BLANK`) need no row.
    """
    keep = pl.col("keep") if "keep" in raw.columns else pl.lit(False)
    want = raw.filter(~pl.col("raw").str.contains(BLANK) | keep).select("file", "n")
    got = lines.select("file", "n")
    missing = want.join(got, on=["file", "n"], how="anti").with_columns(check=pl.lit("missing_line"))
    extra = got.join(want, on=["file", "n"], how="anti").with_columns(check=pl.lit("unexpected_line"))
    both = pl.concat([missing, extra])
    return both.select(
        "file",
        frame=pl.lit("lines"),
        column=pl.lit("n"),
        check="check",
        failure_case=pl.col("n").cast(pl.Utf8),
    ).cast(FAILURE_SCHEMA)  # type: ignore[arg-type]


def validate_corpus(
    raw: pl.DataFrame, lines: pl.DataFrame, articles: pl.DataFrame, typos: pl.DataFrame
) -> pl.DataFrame:
    """All failure cases of the corpus frames, one row each, with the file they belong to."""
    return pl.concat(
        [
            _failures(LinesModel, "lines", lines),
            _failures(ArticlesModel, "articles", articles),
            _failures(TyposModel, "typos", typos),
            conservation_failures(raw, lines),
        ]
    )
