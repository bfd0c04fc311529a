"""great-expectations 1.x validation of the cleaned frames, with offline Data Docs.

``validate_with_gx(articles, lines, files, report_dir)`` validates four pandas views of the polars
frames (articles, paragraphs = articles exploded, lines, files) against one expectation suite
each, through one Checkpoint per frame; the Data Docs site is built once after the runs.  Every expectation
carries ``meta={"severity": "critical" | "warning", "check": <label>}``: a failed critical
expectation makes ``GxReport.success`` False, a failed warning is only reported.

The paragraphs and lines views are validated in batches of ``PARAGRAPH_BATCH_ARTICLES`` articles
and ``LINE_BATCH_ROWS`` lines, one checkpoint run each; given lazy frames (scans of the run's
Parquet tables) for the articles and lines, each batch is read when it is validated, so the
corpus's text is never in memory whole. A check passes when it passes on every batch; its row sums the batches' counts. A batch
never splits an article, and the articles and files views (one row per article or file, no text)
are validated whole, so uniqueness is checked over the whole run.

Everything GX writes stays inside ``report_dir``::

    report_dir/gx/                    file-mode GX context (re-created on every run but for the
                                      stored results of the last HISTORY_RUNS runs)
    report_dir/data_docs/index.html   Data Docs (offline: CDN assets copied from node_modules)
    report_dir/validation.json        rows + GX validation results (sorted keys)
    report_dir/validation.md          markdown table of the rows + Data Docs path

No network: GX analytics are disabled (env and context config) and the Data Docs pages are
rewritten to local copies of their CSS/JS (see ``schemas.vendor_assets``).
"""

from __future__ import annotations

import html
import json
import logging
import math
import os
import re
import shutil
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

from cleaners.structure import ROLES
from flows.outputs import atomic_write_bytes, own_dir
from schemas.patterns import BOILERPLATE, ISO_DATE, MOJIBAKE, NBSP
from schemas.vendor_assets import localize_data_docs

log = logging.getLogger(__name__)

SITE_NAME = "newsclean"
DATASOURCE_NAME = "newsclean"
CRITICAL = "critical"
WARNING = "warning"

PARAGRAPH_MIN_CHARS = 1
PARAGRAPH_MAX_CHARS = 5000
#: The longest title (a headline of at most 40 words, cleaners.structure); a longer one is a paragraph.
TITLE_MAX_CHARS = 400
REMOVED_SHARE_MAX = 0.6
TYPOS_PER_1K_WORDS_MAX = 20.0
HISTORY_RUNS = 20  # runs whose results the Data Docs keep and list

FRAMES = ("articles", "paragraphs", "lines", "files")
PARAGRAPH_BATCH_ARTICLES = 5_000  # about 50,000 paragraphs of news per checkpoint run
LINE_BATCH_ROWS = 200_000
# On the 100k benchmark tables these take the time of 4x larger batches and half their memory
# (5.8 s, +281 MiB against 5.7 s, +612 MiB).
INDEX_COLUMNS: dict[str, list[str]] = {
    "articles": ["file", "article"],
    "paragraphs": ["file", "article", "paragraph_index"],
    "lines": ["file", "n"],
    "files": ["file"],
}


@dataclass
class GxReport:
    rows: list[dict]  # one per expectation: expectation, column, severity, passed, observed (+ frame, check)
    success: bool  # False when any critical expectation failed
    validation_json: Path  # <report_dir>/validation.json
    validation_md: Path  # <report_dir>/validation.md
    data_docs_index: Path  # <report_dir>/data_docs/index.html


# ----------------------------------------------------------------------------- frames


def _paragraphs_frame(articles: pl.DataFrame) -> pl.DataFrame:
    return (
        articles.select("file", "article", pl.col("paragraphs").alias("paragraph"))
        .explode("paragraph")
        .filter(pl.col("paragraph").is_not_null())  # an empty list explodes to one null row
        .with_columns(pl.int_range(pl.len()).over("file", "article").alias("paragraph_index"))
        .select("file", "article", "paragraph_index", "paragraph")
    )


def _article_view(articles: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    return (
        articles.lazy()
        .select(
            "file",
            "article",
            # a blank title is as missing as a null one
            pl.when(pl.col("title").str.strip_chars() == "")
            .then(None)
            .otherwise(pl.col("title"))
            .alias("title"),
            "published",
            pl.col("paragraphs").list.len().fill_null(0).cast(pl.Int64).alias("paragraph_count"),
            "n_paragraphs",
            "n_words",
            "n_typos",
        )
        .collect()
    )


def _file_view(files: pl.DataFrame) -> pl.DataFrame:
    return files.select(
        "file",
        "n_lines",
        "n_removed_boilerplate",
        "n_words",
        "n_typos",
        pl.when(pl.col("n_lines") > 0)
        .then(pl.col("n_removed_boilerplate") / pl.col("n_lines"))
        .otherwise(None)
        .cast(pl.Float64)
        .alias("removed_share"),
        pl.when(pl.col("n_words") > 0)
        .then(pl.col("n_typos") * 1000.0 / pl.col("n_words"))
        .otherwise(None)
        .cast(pl.Float64)
        .alias("typos_per_1k_words"),
    )


def _slices(frame: pl.DataFrame | pl.LazyFrame, rows: int) -> Iterator[pl.DataFrame]:
    """``frame`` in consecutive slices of at most ``rows`` rows (at least one, maybe empty)."""
    lf = frame.lazy()
    total = lf.select(pl.len()).collect().item()
    for offset in range(0, max(total, 1), rows):
        yield lf.slice(offset, rows).collect()


def frame_batches(
    articles: pl.DataFrame | pl.LazyFrame,
    lines: pl.DataFrame | pl.LazyFrame,
    files: pl.DataFrame,
    paragraph_batch_articles: int = PARAGRAPH_BATCH_ARTICLES,
    line_batch_rows: int = LINE_BATCH_ROWS,
) -> dict[str, Iterator[pl.DataFrame]]:
    """The polars views validated by GX, each as batches (no list columns: those are exploded or counted)."""
    return {
        "articles": iter([_article_view(articles)]),
        "paragraphs": (
            _paragraphs_frame(a)
            for a in _slices(
                articles.lazy().select("file", "article", "paragraphs"), paragraph_batch_articles
            )
        ),
        "lines": _slices(lines.lazy().select("file", "n", "role", "article"), line_batch_rows),
        "files": iter([_file_view(files)]),
    }


# ----------------------------------------------------------------------------- suite


def build_expectations(gxe: Any) -> dict[str, list[Any]]:
    """Expectations per frame; ``gxe`` is ``great_expectations.expectations``.

    Each carries its check name and severity as its GX ``description`` too, so the Data Docs show
    "no boilerplate phrases (critical)" where they would print the regex."""

    def meta(severity: str, check: str) -> dict[str, str]:
        return {"severity": severity, "check": check}

    suite = _expectations(gxe, meta)
    for expectations in suite.values():
        for e in expectations:
            e.description = f"{e.meta['check']} ({e.meta['severity']})"
    return suite


def _expectations(gxe: Any, meta: Callable[[str, str], dict[str, str]]) -> dict[str, list[Any]]:
    return {
        "articles": [
            # text without a headline (an extractor's output) has none: a null title is valid
            gxe.ExpectColumnValueLengthsToBeBetween(
                column="title",
                min_value=1,
                max_value=TITLE_MAX_CHARS,
                meta=meta(CRITICAL, "title is a headline or null"),
            ),
            gxe.ExpectColumnValuesToBeBetween(
                column="paragraph_count", min_value=1, meta=meta(CRITICAL, "at least one paragraph")
            ),
            gxe.ExpectColumnValuesToMatchRegex(
                column="published", regex=ISO_DATE, meta=meta(CRITICAL, "published is ISO date or null")
            ),
            gxe.ExpectCompoundColumnsToBeUnique(
                column_list=["file", "article"], meta=meta(CRITICAL, "unique (file, article)")
            ),
        ],
        "paragraphs": [
            gxe.ExpectColumnValuesToNotMatchRegex(
                column="paragraph", regex=MOJIBAKE, meta=meta(CRITICAL, "no mojibake")
            ),
            gxe.ExpectColumnValuesToNotMatchRegex(
                column="paragraph", regex=NBSP, meta=meta(CRITICAL, "no no-break spaces")
            ),
            gxe.ExpectColumnValuesToNotMatchRegex(
                column="paragraph", regex=BOILERPLATE, meta=meta(CRITICAL, "no boilerplate phrases")
            ),
            gxe.ExpectColumnValueLengthsToBeBetween(
                column="paragraph",
                min_value=PARAGRAPH_MIN_CHARS,
                max_value=PARAGRAPH_MAX_CHARS,
                meta=meta(WARNING, f"paragraph length {PARAGRAPH_MIN_CHARS}..{PARAGRAPH_MAX_CHARS} chars"),
            ),
        ],
        "lines": [
            gxe.ExpectColumnValuesToBeInSet(
                column="role", value_set=list(ROLES), meta=meta(CRITICAL, "known line role")
            ),
        ],
        "files": [
            gxe.ExpectColumnValuesToBeBetween(
                column="removed_share",
                min_value=0.0,
                max_value=REMOVED_SHARE_MAX,
                meta=meta(WARNING, f"share of lines removed 0..{REMOVED_SHARE_MAX}"),
            ),
            gxe.ExpectColumnValuesToBeBetween(
                column="typos_per_1k_words",
                min_value=0.0,
                max_value=TYPOS_PER_1K_WORDS_MAX,
                meta=meta(WARNING, f"typos per 1,000 words <= {TYPOS_PER_1K_WORDS_MAX:g}"),
            ),
        ],
    }


# ----------------------------------------------------------------------------- GX plumbing


def _import_gx() -> Any:
    os.environ["GX_ANALYTICS_ENABLED"] = "false"
    os.environ.setdefault("DO_NOT_TRACK", "1")
    import great_expectations as gx

    return gx


def _remove_tree(path: Path) -> None:
    """Remove ``path``: a symlink (or file) planted there is unlinked, never followed."""
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)


def _validations_dir(report_dir: Path) -> Path:
    return report_dir / "gx" / "uncommitted" / "validations"


def _fresh_context(gx: Any, report_dir: Path) -> Any:
    """A file context in report_dir/gx/, re-created from scratch so repeat runs are idempotent,
    but for the stored validation results of the last :data:`HISTORY_RUNS` runs (the Data Docs
    list each run by its name). A link planted where they live is dropped, never followed."""
    from great_expectations.data_context.types.base import ProgressBarsConfig

    kept = report_dir / ".validations-kept"
    _remove_tree(kept)
    validations = _validations_dir(report_dir)
    if validations.is_dir() and not any(p.is_symlink() for p in (validations, *validations.parents)):
        validations.rename(kept)
    for sub in ("gx", "data_docs"):
        _remove_tree(report_dir / sub)
    context = gx.get_context(mode="file", project_root_dir=str(report_dir))
    if kept.is_dir():
        _remove_tree(validations)
        validations.parent.mkdir(parents=True, exist_ok=True)
        kept.rename(validations)
        _prune_history(validations, HISTORY_RUNS - 1)
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    context.enable_analytics(False)  # also saves the variables
    # Drop the default site (gx/uncommitted/data_docs/local_site); build ours at report_dir/data_docs.
    for name in list(context.list_data_docs_sites()):
        context.delete_data_docs_site(name)
    context.add_data_docs_site(
        site_name=SITE_NAME,
        site_config={
            "class_name": "SiteBuilder",
            "show_how_to_buttons": False,
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": "../data_docs",  # relative to report_dir/gx
            },
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        },
    )
    return context


def _prune_history(validations: Path, keep: int) -> None:
    """Keep the stored results of the newest ``keep`` runs (``<suite>/<run name>/...``; a run's
    age is its newest file's)."""
    runs: dict[str, float] = {}
    for suite in validations.iterdir():
        if suite.is_dir() and not suite.is_symlink():
            for run in suite.iterdir():
                newest = max((p.stat().st_mtime for p in run.rglob("*.json")), default=0.0)
                runs[run.name] = max(runs.get(run.name, 0.0), newest)
    old = sorted(runs, key=lambda name: (runs[name], name), reverse=True)[keep:]
    for suite in validations.iterdir():
        for name in old:
            _remove_tree(suite / name)


def default_run_name() -> str:
    """The GX run name outside a Prefect flow run: ``newsclean-<UTC time>``."""
    return "newsclean-" + datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")


def _run_checkpoints(
    gx: Any, context: Any, frames: dict[str, Iterator[pl.DataFrame]], run_name: str
) -> tuple[dict[str, list[Any]], dict[str, int]]:
    """Each frame's batches through its checkpoint: the run results and the rows validated, per frame."""
    import great_expectations.expectations as gxe
    from great_expectations.core.run_identifier import RunIdentifier

    source = context.data_sources.add_pandas(name=DATASOURCE_NAME)
    expectations = build_expectations(gxe)
    results: dict[str, list[Any]] = {}
    rows: dict[str, int] = {}
    for name in FRAMES:
        asset = source.add_dataframe_asset(name=name)
        batch_definition = asset.add_batch_definition_whole_dataframe(f"{name}_whole")
        suite = context.suites.add(
            gx.ExpectationSuite(name=f"newsclean_{name}", expectations=expectations[name])
        )
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(name=f"newsclean_{name}", data=batch_definition, suite=suite)
        )
        checkpoint = context.checkpoints.add(
            gx.Checkpoint(
                name=f"newsclean_{name}",
                validation_definitions=[definition],
                actions=[],  # Data Docs are built once after all the runs, not once per run
                result_format={
                    "result_format": "SUMMARY",
                    "partial_unexpected_count": 5,
                    "unexpected_index_column_names": INDEX_COLUMNS[name],
                },
            )
        )
        results[name], rows[name] = [], 0
        for batch in frames[name]:
            # one run name for the whole run; each batch its own run time (its own stored result)
            run_id = RunIdentifier(run_name=run_name, run_time=datetime.now(UTC))
            result = checkpoint.run(batch_parameters={"dataframe": batch.to_pandas()}, run_id=run_id)
            (run_result,) = result.run_results.values()
            results[name].append(run_result)
            rows[name] += batch.height
    return results, rows


# ----------------------------------------------------------------------------- rows


def _short(value: Any, width: int = 40) -> str:
    if isinstance(value, float):
        text = "null" if math.isnan(value) else f"{value:.3g}"
    elif isinstance(value, dict):
        text = ", ".join(f"{k}={_short(v, 20)}" for k, v in value.items())
    elif value is None:
        text = "null"
    else:
        text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def _observed(result: Any) -> str:
    info = result.exception_info or {}
    if info.get("raised_exception"):
        return f"error: {_short(info.get('exception_message'), 120)}"
    res = result.result or {}
    if "unexpected_count" not in res:
        return _short(res.get("observed_value", ""), 120)
    text = f"{res['unexpected_count']}/{res.get('element_count', '?')} unexpected"
    examples = [
        f"{_short(key, 30)}: {_short(value)}"
        if key is not None and not isinstance(value, dict)
        else _short(value)
        for key, value in _located(res)[:3]
    ]
    if examples and res["unexpected_count"]:
        text += "; e.g. " + "; ".join(examples)
    return text


def _merged_observed(results: list[Any]) -> str:
    """One expectation's observation over several batches: the summed counts and the first examples."""
    observed = [_observed(r) for r in results]
    if len(results) == 1:
        return observed[0]
    errors = [
        o for o, r in zip(observed, results, strict=True) if (r.exception_info or {}).get("raised_exception")
    ]
    if errors:
        return errors[0]
    res = [r.result or {} for r in results]
    if not all("unexpected_count" in x for x in res):
        failing = [o for o, r in zip(observed, results, strict=True) if not r.success]
        return "; ".join(failing)[:120] or observed[0]
    unexpected = sum(x["unexpected_count"] for x in res)
    total = sum(x.get("element_count") or 0 for x in res)
    text = f"{unexpected}/{total} unexpected in {len(results)} batches"
    examples = [o.split("; e.g. ", 1)[1] for o in observed if "; e.g. " in o]
    if examples and unexpected:
        text += "; e.g. " + "; ".join(examples)[:200]
    return text


def _window(value: Any, regex: str | None, width: int) -> str:
    """A failing value as shown in validation.md: around the regex's match when there is one
    (so the matching phrase shows), else its start.

    >>> _window("x" * 100 + " Continue reading " + "y" * 100, r"(?i)continue reading", 40)
    "…'xxxxxxxxxxx Continue reading yyyyyyyyyyy'…"
    """
    if not isinstance(value, str) or not regex:
        return _short(value, width)
    try:
        m = re.search(regex, value)
    except re.error:
        m = None
    if m is None or len(value) <= width:
        return _short(value, width)
    pad = max(0, (width - (m.end() - m.start())) // 2)
    a, b = max(0, m.start() - pad), min(len(value), m.end() + pad)
    return ("…" if a else "") + repr(value[a:b]) + ("…" if b < len(value) else "")


def _located(res: dict[str, Any]) -> list[tuple[str | None, Any]]:
    """The failing values GX kept of one result, each with where it is (file/article/… from the
    index columns; None when GX gave no index)."""
    where = res.get("partial_unexpected_index_list") or []
    columns = res.get("unexpected_index_column_names") or []
    out: list[tuple[str | None, Any]] = []
    for i, value in enumerate(res.get("partial_unexpected_list") or []):
        loc = where[i] if i < len(where) else None
        key = "/".join(str(loc[c]) for c in columns if c in loc) if isinstance(loc, dict) else None
        out.append((key, value))
    return out


def _examples(results: list[Any], regex: str | None, limit: int = 3, width: int = 160) -> list[str]:
    """Up to ``limit`` failing values of one expectation over its batches, each with where it is."""
    located = [kv for r in results for kv in _located(r.result or {})][:limit]
    return [(f"{key[:60]}: " if key else "") + _window(value, regex, width) for key, value in located]


def collect_rows(results: dict[str, list[Any]]) -> list[dict]:
    """One row per expectation; with several batches, it passes only if it passed on every one."""
    rows: list[dict] = []
    for frame in FRAMES:
        batches = results[frame]
        for i, first in enumerate(batches[0].results):
            per_batch = [b.results[i] for b in batches]
            cfg = first.expectation_config
            kwargs = cfg.kwargs
            column = kwargs.get("column") or ", ".join(kwargs.get("column_list") or [])
            meta = cfg.meta or {}
            raised = any((r.exception_info or {}).get("raised_exception") for r in per_batch)
            rows.append(
                {
                    "frame": frame,
                    "check": meta.get("check", cfg.type),
                    "expectation": cfg.type,
                    "column": column,
                    "severity": meta.get("severity", CRITICAL),
                    "passed": all(bool(r.success) for r in per_batch) and not raised,
                    "observed": _merged_observed(per_batch),
                    "examples": _examples(per_batch, kwargs.get("regex")),
                }
            )
    return rows


# ----------------------------------------------------------------------------- Data Docs safety


def _escape_strings(obj: Any) -> Any:
    """Every string in ``obj`` (nested lists and dicts, keys too) HTML-escaped."""
    if isinstance(obj, str):
        return html.escape(obj, quote=True)
    if isinstance(obj, list):
        return [_escape_strings(v) for v in obj]
    if isinstance(obj, dict):
        return {html.escape(str(k), quote=True): _escape_strings(v) for k, v in obj.items()}
    return obj


def escape_stored_results(validations_dir: Path, skip: set[Path] | frozenset[Path] = frozenset()) -> int:
    """HTML-escape the data GX stored for each expectation (``result``: unexpected values, their
    index rows, observed values) in the validation results the Data Docs are built from.

    GX 1.x renders those values into the pages as raw HTML, so a scraped ``<script>`` in a
    failing paragraph would run when the page is opened. Returns the files rewritten.
    """
    count = 0
    for path in sorted(validations_dir.rglob("*.json")) if validations_dir.is_dir() else []:
        if path in skip:
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        for entry in data.get("results") or []:
            if isinstance(entry, dict):
                for key in ("result", "exception_info"):
                    if key in entry:
                        entry[key] = _escape_strings(entry[key])
        path.write_text(json.dumps(data), encoding="utf-8")
        count += 1
    return count


# GX's own page controls use ``onclick`` on <button> and <label>; nothing else may carry a handler.
_TAG_OPEN = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
_HANDLER = re.compile(r"""\s(on[a-zA-Z]+)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)""")
_JS_URL = re.compile(r"""(\s(?:href|src|action|formaction|xlink:href)\s*=\s*["']?)\s*javascript:""", re.I)


def strip_active_markup(docs_dir: Path) -> int:
    """Defence in depth after :func:`escape_stored_results`: drop every event-handler attribute
    GX's templates do not use (only ``onclick`` on ``<button>``/``<label>`` stays) and every
    ``javascript:`` URL from the built pages. Returns the attributes removed."""
    removed = 0

    def tag(m: re.Match[str]) -> str:
        nonlocal removed
        name, attrs = m.group(1).lower(), m.group(2)

        def handler(a: re.Match[str]) -> str:
            nonlocal removed
            if name in {"button", "label"} and a.group(1).lower() == "onclick":
                return a.group(0)
            removed += 1
            return ""

        attrs = _HANDLER.sub(handler, attrs)
        attrs, n = _JS_URL.subn(r"\1#blocked:", attrs)
        removed += n
        return f"<{m.group(1)}{attrs}>"

    for page in sorted(docs_dir.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        new = _TAG_OPEN.sub(tag, text)
        if new != text:
            page.write_text(new, encoding="utf-8")
    return removed


# ----------------------------------------------------------------------------- output


# Random per-run UUIDs GX puts in results; dropped so validation.json only changes with run times.
VOLATILE_KEYS = frozenset({"id", "checkpoint_id", "validation_id"})


def _json_safe(obj: Any, drop: frozenset[str] = frozenset()) -> Any:
    if isinstance(obj, dict):
        return {str(k): _json_safe(v, drop) for k, v in obj.items() if k not in drop}
    if isinstance(obj, list | tuple):
        return [_json_safe(v, drop) for v in obj]
    if isinstance(obj, float) and (math.isnan(obj) or math.isinf(obj)):
        return None
    if isinstance(obj, str | int | float | bool) or obj is None:
        return obj
    return str(obj)


def _md_cell(text: Any) -> str:
    return (
        str(text)
        .replace("\\", "\\\\")
        .replace("|", "\\|")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("`", "\\`")
        .replace("\n", " ")
    )


def run_verdict(rows: list[dict], quarantined: int = 0, files: int = 0) -> str:
    """The one verdict of a run, from the GX rows and the files quarantined (pandera or bad input).

    The CLI line, the summary artifact, the Prefect state message and ``validation.md`` all print
    it. A failed critical expectation fails the run (exit 3); quarantine and warnings do not.

    >>> ok = {"passed": True, "severity": CRITICAL, "check": "a"}
    >>> run_verdict([ok])
    'passed'
    >>> run_verdict([ok, {"passed": False, "severity": WARNING, "check": "w"}], 1, 5)
    'passed with warnings (w); 1 of 5 file(s) quarantined'
    >>> run_verdict([{"passed": False, "severity": CRITICAL, "check": "c"}])
    'FAILED: critical expectations failed: c'
    """
    critical = [r["check"] for r in rows if not r["passed"] and r["severity"] == CRITICAL]
    warnings = [r["check"] for r in rows if not r["passed"] and r["severity"] == WARNING]
    head = (
        f"FAILED: critical expectations failed: {', '.join(critical)}"
        if critical
        else f"passed with warnings ({', '.join(warnings)})"
        if warnings
        else "passed"
    )
    return head + (f"; {quarantined} of {files} file(s) quarantined" if quarantined else "")


def _md_own(text: Any) -> str:
    """Our own words (check names, severities, columns) for validation.md: only what breaks a
    table is escaped, so a CI log reads ``<= 20``, not ``&lt;= 20``."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def _shown_path(path: Path) -> str:
    """``path`` relative to the working folder when it is inside it (CI logs stay short)."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def format_markdown(
    rows: list[dict],
    success: bool,
    data_docs_index: Path,
    verdict: str | None = None,
    quarantine_reasons: Mapping[str, str] | None = None,
) -> str:
    """validation.md: the verdict, the failures with examples, the quarantined files with their
    reasons, then every expectation (failures first). Scraped values are escaped (:func:`_md_cell`)."""
    failed = [r for r in rows if not r["passed"]]
    failed_critical = sum(1 for r in failed if r["severity"] == CRITICAL)
    failed_warning = sum(1 for r in failed if r["severity"] == WARNING)
    out = [
        "# great-expectations validation",
        "",
        f"**Run verdict:** {_md_cell(verdict if verdict is not None else run_verdict(rows))}",
        "",
        f"**{'PASSED' if success else 'FAILED'}**: {len(rows)} expectations, "
        f"{failed_critical} critical and {failed_warning} warning failures.",
    ]
    ordered = sorted(rows, key=lambda r: (r["passed"], r["severity"] != CRITICAL))
    if failed:
        out += ["", "## Failures", ""]
        for r in ordered[: len(failed)]:
            column = f" (`{_md_own(r['column'])}`)" if r.get("column") else ""
            out.append(
                f"- **{_md_own(r['severity'])}** · {_md_own(r.get('frame', ''))} · "
                f"{_md_own(r.get('check', r['expectation']))}{column}: "
                f"{_md_cell(r['observed'].split('; e.g. ', 1)[0])}"
            )
            out += [f"  - {_md_cell(e)}" for e in r.get("examples") or []]
    if quarantine_reasons:
        out += ["", f"## Quarantined files ({len(quarantine_reasons)})", ""]
        out += [f"- {_md_cell(f)}: {_md_cell(why)}" for f, why in sorted(quarantine_reasons.items())]
    out += [
        "",
        "## Expectations",
        "",
        "| result | severity | frame | check | expectation | column | observed |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in ordered:
        own = ("PASS" if r["passed"] else "FAIL", r["severity"], r.get("frame", ""), r.get("check", ""))
        out.append(
            "| "
            + " | ".join([*(_md_own(c) for c in own), _md_own(r["expectation"]), _md_own(r["column"])])
            + f" | {_md_cell(r['observed'])} |"
        )
    out += ["", f"Data Docs: `{_shown_path(data_docs_index)}`", ""]
    return "\n".join(out)


def validate_with_gx(
    articles: pl.DataFrame | pl.LazyFrame,
    lines: pl.DataFrame | pl.LazyFrame,
    files: pl.DataFrame,
    report_dir: Path,
    *,
    paragraph_batch_articles: int = PARAGRAPH_BATCH_ARTICLES,
    line_batch_rows: int = LINE_BATCH_ROWS,
    quarantined: int = 0,
    quarantine_reasons: Mapping[str, str] | None = None,
    run_name: str | None = None,
) -> GxReport:
    """Validate the three pipeline frames with great-expectations; write JSON, markdown, Data Docs.

    ``validation.json`` holds the rows, the rows validated per frame, and per frame the list of
    GX results (one per batch). ``run_name`` (the Prefect flow run's name; else
    :func:`default_run_name`) names this run's results in the Data Docs, beside the last
    :data:`HISTORY_RUNS` runs'.
    """
    run_name = run_name or default_run_name()
    report_dir = Path(report_dir)
    report_dir.parent.mkdir(parents=True, exist_ok=True)
    # a symlink planted at reports/ is replaced by a folder of our own, never followed (the
    # output folder itself may be a link: that is the user's choice, so only the parent resolves)
    report_dir = own_dir(report_dir.parent.resolve() / report_dir.name)
    gx = _import_gx()
    frames = frame_batches(articles, lines, files, paragraph_batch_articles, line_batch_rows)
    context = _fresh_context(gx, report_dir)
    validations = _validations_dir(report_dir)
    earlier = set(validations.rglob("*.json")) if validations.is_dir() else set()
    results, n_rows = _run_checkpoints(gx, context, frames, run_name)
    rows = collect_rows(results)
    success = not any(not r["passed"] and r["severity"] == CRITICAL for r in rows)

    docs_dir = report_dir / "data_docs"
    index = docs_dir / "index.html"
    escape_stored_results(validations, skip=earlier)  # earlier runs' results are escaped already
    context.build_data_docs(site_names=[SITE_NAME])
    localize_data_docs(docs_dir)
    strip_active_markup(docs_dir)

    validation_json = report_dir / "validation.json"
    payload = {
        "success": success,
        "rows": rows,
        "data_docs_index": "data_docs/index.html",
        "gx_run_name": run_name,
        "frames": {name: {"rows": n_rows[name], "batches": len(results[name])} for name in FRAMES},
        "gx_results": {
            name: [_json_safe(r.to_json_dict(), VOLATILE_KEYS) for r in results[name]] for name in FRAMES
        },
    }
    text = json.dumps(_json_safe(payload), sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False)
    # atomic writes: a link planted at either name is replaced, not written through
    atomic_write_bytes(validation_json, (text + "\n").encode("utf-8"), make_parent=False)
    validation_md = report_dir / "validation.md"
    atomic_write_bytes(
        validation_md,
        format_markdown(
            rows, success, index, run_verdict(rows, quarantined, files.height), quarantine_reasons
        ).encode("utf-8"),
        make_parent=False,
    )
    return GxReport(
        rows=rows,
        success=success,
        validation_json=validation_json,
        validation_md=validation_md,
        data_docs_index=index,
    )
