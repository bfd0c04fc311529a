"""great-expectations suite + offline Data Docs (schemas/gx_suite.py, schemas/vendor_assets.py)."""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import polars as pl
import pytest
from gx_frames import make_frames, to_polars

from flows.report import validation_table
from schemas import vendor_assets
from schemas.gx_suite import CRITICAL, WARNING, GxReport, validate_with_gx

ALL_CHECKS = {
    "title is a headline or null",
    "at least one paragraph",
    "published is ISO date or null",
    "unique (file, article)",
    "no mojibake",
    "no no-break spaces",
    "no boilerplate phrases",
    "paragraph length 1..5000 chars",
    "known line role",
    "share of lines removed 0..0.6",
    "typos per 1,000 words <= 20",
}


def run(d: dict[str, list[dict]], report_dir: Path) -> GxReport:
    return validate_with_gx(*to_polars(d), report_dir=report_dir)


def failed_checks(report: GxReport) -> set[str]:
    return {r["check"] for r in report.rows if not r["passed"]}


@pytest.fixture(scope="module")
def clean_report(tmp_path_factory: pytest.TempPathFactory) -> GxReport:
    # report_dir does not exist yet, and the run is repeated into the same directory.
    report_dir = tmp_path_factory.mktemp("gx") / "reports" / "nested"
    run(make_frames(), report_dir)
    return run(make_frames(), report_dir)


# ----------------------------------------------------------------------------- results


def test_clean_frames_pass(clean_report: GxReport) -> None:
    r = clean_report
    assert r.success is True
    assert {row["check"] for row in r.rows} == ALL_CHECKS
    assert all(row["passed"] for row in r.rows), validation_table(r.rows)
    for row in r.rows:
        assert set(row) >= {"expectation", "column", "severity", "passed", "observed"}
        assert row["severity"] in {CRITICAL, WARNING}
        assert row["expectation"].startswith("expect_")
    assert r.validation_json.is_file() and r.validation_md.is_file() and r.data_docs_index.is_file()
    assert r.validation_json == r.validation_json.parent / "validation.json"
    assert r.data_docs_index == r.validation_json.parent / "data_docs" / "index.html"

    payload = json.loads(r.validation_json.read_text(encoding="utf-8"))
    assert payload["success"] is True
    assert payload["rows"] == r.rows
    assert set(payload["gx_results"]) == {"articles", "paragraphs", "lines", "files"}
    md = r.validation_md.read_text(encoding="utf-8")
    assert "| result | severity |" in md and "data_docs/index.html" in md
    assert md.count("| PASS |") == len(ALL_CHECKS)

    table = validation_table(r.rows)
    assert table.splitlines()[0].split()[:3] == ["result", "severity", "frame"]
    assert len(table.splitlines()) == len(r.rows) + 2

    # Everything GX wrote stays inside report_dir; each of the two runs leaves one result per frame.
    report_dir = r.validation_json.parent
    assert (report_dir / "gx" / "great_expectations.yml").is_file()
    assert "analytics_enabled: false" in (report_dir / "gx" / "great_expectations.yml").read_text()
    pages = sorted((report_dir / "data_docs" / "validations").rglob("*.html"))
    assert len(pages) == 8, pages
    runs = {p.relative_to(report_dir / "data_docs" / "validations").parts[1] for p in pages}
    assert len(runs) == 2 and all(r.startswith("newsclean-") for r in runs), runs


def _break(d: dict[str, list[dict]], case: str) -> None:
    a0 = d["articles"][0]
    if case == "boilerplate":
        a0["paragraphs"].append("Great match on Sunday. READ FULL ARTICLE")
    elif case == "boilerplate-line":
        a0["paragraphs"].append("Advertisement")
    elif case == "null-title":
        d["articles"][1]["title"] = None
    elif case == "blank-title":
        d["articles"][1]["title"] = "  "
    elif case == "long-title":
        d["articles"][1]["title"] = "A paragraph taken for a headline. " * 12
    elif case == "bad-date":
        a0["published"] = "05/03/2024"
    elif case == "bad-month":
        a0["published"] = "2024-13-01"
    elif case == "duplicate-key":
        d["articles"][2]["file"], d["articles"][2]["article"] = "a.txt", 1
    elif case == "nbsp":
        a0["paragraphs"][0] = "The council\u00a0approved the budget."
    elif case == "mojibake":
        a0["paragraphs"][0] = "The cafÃ© opened; officials said â€œyesâ€\x9d."
    elif case == "replacement-char":
        a0["paragraphs"][0] = "Broken \ufffd byte."
    elif case == "no-paragraphs":
        d["articles"][2]["paragraphs"] = []
    elif case == "bad-role":
        d["lines"][0]["role"] = "footer"
    else:  # pragma: no cover
        raise AssertionError(case)


CRITICAL_CASES = {
    "boilerplate": "no boilerplate phrases",
    "boilerplate-line": "no boilerplate phrases",
    "long-title": "title is a headline or null",
    "bad-date": "published is ISO date or null",
    "bad-month": "published is ISO date or null",
    "duplicate-key": "unique (file, article)",
    "nbsp": "no no-break spaces",
    "mojibake": "no mojibake",
    "replacement-char": "no mojibake",
    "no-paragraphs": "at least one paragraph",
    "bad-role": "known line role",
}


@pytest.mark.parametrize("case", sorted(CRITICAL_CASES))
def test_critical_failure(case: str, tmp_path: Path) -> None:
    d = make_frames()
    _break(d, case)
    report = run(d, tmp_path / "rep")
    assert report.success is False
    assert failed_checks(report) == {CRITICAL_CASES[case]}, validation_table(report.rows)
    (row,) = [r for r in report.rows if not r["passed"]]
    assert row["severity"] == CRITICAL
    assert re.match(r"[12]/\d+ unexpected; e.g. ", row["observed"]), row
    payload = json.loads(report.validation_json.read_text(encoding="utf-8"))
    assert payload["success"] is False
    assert "| FAIL | critical |" in report.validation_md.read_text(encoding="utf-8")


def test_observed_names_the_offending_row(tmp_path: Path) -> None:
    d = make_frames()
    _break(d, "nbsp")
    report = run(d, tmp_path / "rep")
    (row,) = [r for r in report.rows if not r["passed"]]
    assert "a.txt/0/0" in row["observed"] and "\\xa0" in row["observed"], row


def test_warning_failure_keeps_success(tmp_path: Path) -> None:
    d = make_frames()
    d["files"][1].update(n_lines=10, n_removed_boilerplate=9)  # 90 % of the lines removed
    d["files"][0].update(n_typos=50)  # 50 typos per 1,000 words
    report = run(d, tmp_path / "rep")
    assert report.success is True
    failed = [r for r in report.rows if not r["passed"]]
    assert {r["check"] for r in failed} == {"share of lines removed 0..0.6", "typos per 1,000 words <= 20"}
    assert all(r["severity"] == WARNING for r in failed)
    assert any("b.txt" in r["observed"] for r in failed)
    assert "FAIL" in validation_table(report.rows)


@pytest.mark.parametrize("case", ["null-title", "blank-title"])
def test_missing_title_is_valid(case: str, tmp_path: Path) -> None:
    """Text without a headline (an extractor's output) has a null title: pandera and the suite agree."""
    d = make_frames()
    _break(d, case)
    report = run(d, tmp_path / "rep")
    assert report.success is True, validation_table(report.rows)
    assert not [r for r in report.rows if not r["passed"]]


@pytest.mark.parametrize("case", ["boilerplate", "bad-role", "duplicate-key", "long-title"])
def test_batched_validation_agrees_with_whole_and_streams_from_lazy_scans(tmp_path: Path, case: str) -> None:
    """Paragraphs and lines validated in batches (one article, two lines per checkpoint run) from
    Parquet scans give the same verdicts and counts as one batch; the offending batch is not the first."""
    d = make_frames()
    _break(d, case)
    articles, lines, files = to_polars(d)
    # the break lands in article 0's or line 0's frame: move those rows last so a later batch holds them
    articles = pl.concat([articles.slice(1), articles.head(1)])
    lines = pl.concat([lines.slice(1), lines.head(1)])
    articles.write_parquet(tmp_path / "articles.parquet")
    lines.write_parquet(tmp_path / "lines.parquet")
    whole = validate_with_gx(articles, lines, files, report_dir=tmp_path / "whole")
    batched = validate_with_gx(
        pl.scan_parquet(tmp_path / "articles.parquet"),
        pl.scan_parquet(tmp_path / "lines.parquet"),
        files,
        report_dir=tmp_path / "batched",
        paragraph_batch_articles=1,
        line_batch_rows=2,
    )
    assert failed_checks(batched) == failed_checks(whole) == {CRITICAL_CASES[case]}
    assert batched.success is whole.success is False

    def counts(report: GxReport) -> dict[str, str]:
        return {r["check"]: r["observed"].split(" unexpected")[0] for r in report.rows}

    assert counts(batched) == counts(whole)
    payload = json.loads(batched.validation_json.read_text(encoding="utf-8"))
    assert payload["frames"]["paragraphs"]["batches"] == len(articles) > 1
    assert payload["frames"]["lines"]["batches"] == -(-len(lines) // 2) > 1
    assert payload["frames"]["lines"]["rows"] == len(lines)
    assert payload["frames"]["articles"]["batches"] == payload["frames"]["files"]["batches"] == 1
    assert len(payload["gx_results"]["paragraphs"]) == len(articles)
    (row,) = [r for r in batched.rows if not r["passed"]]
    if row["frame"] in {"paragraphs", "lines"}:
        assert "batches; e.g. " in row["observed"], row
    pages = list((tmp_path / "batched" / "data_docs" / "validations").rglob("*.html"))
    assert len(pages) == sum(v["batches"] for v in payload["frames"].values())


# ----------------------------------------------------------------------------- offline Data Docs


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[tuple[str, str, str]] = []  # (tag, attr, value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in {"src", "href", "srcset", "action", "data", "poster"} and value is not None:
                self.refs.append((tag, name, value))


def html_refs(page: Path) -> list[tuple[str, str, str]]:
    parser = _Refs()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.refs


CSS_URL = re.compile(r"url\(\s*['\"]?([^)'\"]+)")


def external_refs(docs: Path) -> list[str]:
    bad = []
    for page in sorted(docs.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        for tag, attr, value in html_refs(page):
            if urlsplit(value.strip()).scheme not in {"", "file", "data"} or value.strip().startswith("//"):
                bad.append(f"{page.name}: <{tag} {attr}={value}>")
        bad += [f"{page.name}: url({u})" for u in CSS_URL.findall(text) if re.match(r"\s*(https?:)?//", u)]
    for css in sorted((docs / "static" / "styles").glob("*.css")):
        bad += [
            f"{css.name}: url({u})"
            for u in CSS_URL.findall(css.read_text())
            if re.match(r"\s*(https?:)?//", u)
        ]
    return bad


def test_data_docs_reference_no_outside_url(clean_report: GxReport) -> None:
    docs = clean_report.data_docs_index.parent
    pages = sorted(docs.rglob("*.html"))
    assert len(pages) >= 9  # index + 4 suites + 4 validation results
    assert external_refs(docs) == []


def test_data_docs_local_assets_exist(clean_report: GxReport) -> None:
    if vendor_assets.find_node_modules() is None:
        pytest.skip(f"node_modules not installed (run: {vendor_assets.NPM_INSTALL_HINT})")
    docs = clean_report.data_docs_index.parent
    vendor_refs = 0
    for page in sorted(docs.rglob("*.html")):
        for _tag, _attr, value in html_refs(page):
            parts = urlsplit(value)
            if parts.scheme in {"data"} or not parts.path or value.startswith("#"):
                continue
            target = (page.parent / unquote(parts.path)).resolve()
            assert target.exists(), f"{page.relative_to(docs)} -> {value}"
            vendor_refs += "static/vendor/" in value
    assert vendor_refs >= 9 * 15  # every page loads the ~15 vendored scripts/styles
    # every CDN asset has its local copy, and font-awesome's webfonts are next to its css
    for npm_path in vendor_assets.CDN_TO_NPM.values():
        assert (docs / vendor_assets._vendor_rel(npm_path)).is_file(), npm_path
    css = docs / vendor_assets._vendor_rel("@fortawesome/fontawesome-free/css/all.min.css")
    for font in set(re.findall(r"url\((\.\./webfonts/[^)]+)\)", css.read_text())):
        assert (css.parent / font).is_file(), font


CDN_PAGE = """<html><head>
<link rel="stylesheet" href="https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css"/>
<script src="https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js" integrity="sha384-x" crossorigin="anonymous"></script>
<script src="https://cdn.example.org/unknown.js"></script>
<style>.x { background: url('https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/full_logo_dark.png') }</style>
</head><body><a href="https://greatexpectations.io">GX</a>
<img src="https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/logo-long.png?d=1"></body></html>
"""


def test_localize_without_node_modules_warns_and_stays_offline(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    docs = tmp_path / "data_docs"
    (docs / "static" / "images").mkdir(parents=True)
    (docs / "static" / "images" / "logo-long.png").write_bytes(b"png")
    page = docs / "validations" / "x" / "page.html"
    page.parent.mkdir(parents=True)
    page.write_text(CDN_PAGE, encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="schemas.vendor_assets"):
        report = vendor_assets.localize_data_docs(docs, node_modules=tmp_path / "no_node_modules")
    assert report.node_modules is None and report.copied == []
    assert any("npm ci" in rec.getMessage() for rec in caplog.records)
    assert external_refs(docs) == []
    text = page.read_text(encoding="utf-8")
    assert 'href="../../static/vendor/bootstrap/dist/css/bootstrap.min.css"' in text
    assert "integrity" not in text and "crossorigin" not in text
    assert "unknown.js" not in text and 'src="../../static/images/logo-long.png"' in text
    assert not (docs / "static" / "vendor").exists()
    # idempotent: a second pass changes nothing
    vendor_assets.localize_data_docs(docs, node_modules=tmp_path / "no_node_modules")
    assert page.read_text(encoding="utf-8") == text


# ----------------------------------------------------------------------------- headless browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def render(url: str, tmp_path: Path) -> tuple[str, list[str]]:
    """DOM after scripts ran, and every http(s) request the page itself made (from Chromium's net log)."""
    assert CHROMIUM is not None
    net_log = tmp_path / f"net-{len(list(tmp_path.glob('net-*')))}.json"
    with tempfile.TemporaryDirectory() as profile:
        proc = subprocess.run(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={profile}",
                # nothing may leave the machine even if a page asked for it
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                f"--log-net-log={net_log}",
                "--virtual-time-budget=10000",
                "--dump-dom",
                url,
            ],
            capture_output=True,
            text=True,
            timeout=90,
        )
    assert proc.returncode == 0, proc.stderr[-2000:]
    log = json.loads(net_log.read_text(encoding="utf-8"))
    # Requests started by the page carry the file:// network-isolation key; the browser's own
    # background requests (update checks, accounts) do not.
    page_requests = sorted(
        {
            e["params"]["url"]
            for e in log["events"]
            if "url" in e.get("params", {})
            and "file://" in str(e["params"].get("network_isolation_key", ""))
            and urlsplit(e["params"]["url"]).hostname not in {"127.0.0.1", None}
        }
    )
    return proc.stdout, page_requests


def rows_with_index(dom: str, table_id_part: str) -> int:
    m = re.search(rf"<table[^>]*{re.escape(table_id_part)}[^>]*>.*?</tbody>", dom, re.S)
    return 0 if m is None else len(re.findall(r"<tr[^>]*data-index=", m.group(0)))


@pytest.mark.slow
@pytest.mark.skipif(
    CHROMIUM is None, reason="chromium not installed (apt-get install -y chromium); CI installs it"
)
def test_data_docs_render_offline_in_chromium(clean_report: GxReport, tmp_path: Path) -> None:
    if vendor_assets.find_node_modules() is None:
        pytest.skip(f"node_modules not installed (run: {vendor_assets.NPM_INSTALL_HINT})")
    docs = clean_report.data_docs_index.parent

    # The detector works: a page with outside URLs is caught (resolution is blocked, nothing leaves).
    probe = tmp_path / "probe.html"
    probe.write_text(CDN_PAGE, encoding="utf-8")
    _, probe_requests = render(probe.as_uri(), tmp_path)
    assert any("bootstrapcdn.com" in u for u in probe_requests), probe_requests

    dom, requests = render(clean_report.data_docs_index.as_uri(), tmp_path)
    assert requests == []
    assert 'class="bootstrap-table' in dom  # jquery + bootstrap-table ran
    # one validation result per frame and run (the fixture ran twice), rows generated by
    # bootstrap-table from the page's data
    assert rows_with_index(dom, "validation-results-table") == 8, dom[:2000]

    page = next(iter(sorted((docs / "validations" / "newsclean_paragraphs").rglob("*.html"))))
    dom, requests = render(page.as_uri(), tmp_path)
    assert requests == []
    assert "Observed Value" in dom
    # the paragraph column's results table: one row per paragraph expectation
    assert rows_with_index(dom, "section-2-content-block-2-body") == 4, dom[:2000]


def test_paragraph_patterns_run_on_pyarrow_not_per_row_python() -> None:
    """pandas hands a pattern to Python's re (one call per row, ~40x slower) when RE2 cannot take it."""
    import pandas as pd

    from schemas.patterns import BOILERPLATE, ISO_DATE, MOJIBAKE, NBSP

    arrow = pd.Series(["x"], dtype="string[pyarrow]").array
    for pattern in (BOILERPLATE, MOJIBAKE, NBSP, ISO_DATE):
        assert not arrow._needs_python_regex(pattern), pattern


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("Advertisement", True),
        ("— ADVERTISEMENT —", True),
        ("The ADVERTISEMENT ran twice.", True),
        ("The advertisement ran twice on Monday.", False),
        ("ADVERTISEMENTS are up.", False),
        ("SOURCE: Reuters", True),
        ("source: the ministry", True),
        ("The source: a senior official said so.", False),
        ("Share", True),
        ("Share prices fell.", False),
        ("Click here to read the report.", True),
    ],
)
def test_boilerplate_pattern_agrees_in_python_and_pyarrow(text: str, flagged: bool) -> None:
    import pandas as pd

    from schemas.patterns import BOILERPLATE

    assert (re.search(BOILERPLATE, text) is not None) is flagged
    arrow = pd.Series([text], dtype="string[pyarrow]").str.contains(BOILERPLATE, regex=True)
    assert bool(arrow.iloc[0]) is flagged


# ----------------------------------------------------------------------------- hostile values in Data Docs

# Each payload, if it ran, would mark the DOM (a dialog would not show in a dumped DOM).
HOSTILE_PARAGRAPHS = [
    "<script>document.documentElement.setAttribute('data-pwned','script')</script> continue reading",
    "<img src=x onerror=\"document.documentElement.setAttribute('data-pwned','img')\"> continue reading",
    '<a href="javascript:alert(7)">link</a> | a | pipe | [x](http://evil.example) continue reading',
    "| col | col |\n|---|---|\n| <svg onload=alert(8)> | x | continue reading",
]


def test_hostile_values_are_escaped_in_data_docs(tmp_path: Path) -> None:
    """Failing paragraphs holding markup reach the Data Docs as text: no element, handler or
    ``javascript:`` URL from the data, in the HTML and (when a browser is there) after it ran."""
    d = make_frames()
    d["articles"][0]["paragraphs"] = HOSTILE_PARAGRAPHS
    d["articles"][0]["title"] = "Title | with <b>pipes</b> and http://evil.example/x"
    report = run(d, tmp_path / "rep")
    assert report.success is False and "no boilerplate phrases" in failed_checks(report)
    pages = sorted(report.data_docs_index.parent.rglob("*.html"))
    assert pages
    for page in pages:
        text = page.read_text(encoding="utf-8")
        for needle in ("<script>document", "<img src=x", "<svg", 'href="javascript:', "<b>pipes"):
            assert needle not in text, f"{needle!r} raw in {page}"
    paragraphs_page = next(p for p in pages if "validations" in p.parts and "newsclean_paragraphs" in p.parts)
    assert "&lt;script&gt;document" in paragraphs_page.read_text(encoding="utf-8")
    md = report.validation_md.read_text(encoding="utf-8")
    assert "<script" not in md and "<img" not in md and "<svg" not in md
    if CHROMIUM is None:
        if os.environ.get("NEWSCLEAN_REQUIRE_BROWSER") == "1":
            pytest.fail("NEWSCLEAN_REQUIRE_BROWSER=1 but no Chromium found (apt-get install chromium)")
        return  # the static checks above still ran
    for page in pages:
        dom, requests = render(page.as_uri(), tmp_path)
        assert "data-pwned" not in dom.split(">", 1)[0] and 'data-pwned="' not in dom, page
        assert requests == [], requests
        for tag, attrs in _tags(dom):
            assert "onerror" not in attrs and "onload" not in attrs, (page, tag, attrs)
            # bootstrap-table's own pager links are ``javascript:void(0)``; none other may exist
            urls = [v or "" for v in attrs.values() if "javascript:" in (v or "")]
            assert all(u == "javascript:void(0)" for u in urls), (page, tag, attrs)


def _tags(dom: str) -> list[tuple[str, dict[str, str | None]]]:
    out: list[tuple[str, dict[str, str | None]]] = []

    class P(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            out.append((tag, dict(attrs)))

    P().feed(dom)
    return out


def test_strip_active_markup_keeps_gx_controls(tmp_path: Path) -> None:
    from schemas.gx_suite import strip_active_markup

    page = tmp_path / "p.html"
    page.write_text(
        '<button onclick="go()">b</button><img src=x onerror=alert(1)><a href="javascript:x()">a</a>',
        encoding="utf-8",
    )
    assert strip_active_markup(tmp_path) == 2
    text = page.read_text(encoding="utf-8")
    assert 'onclick="go()"' in text and "onerror" not in text and "javascript:" not in text


def test_each_run_keeps_its_own_results_in_the_data_docs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Data Docs list every recent run by its name (an older run's page still shows its own
    results), stored results are escaped once, and only the last HISTORY_RUNS runs are kept."""
    import schemas.gx_suite as suite

    monkeypatch.setattr(suite, "HISTORY_RUNS", 2)
    report_dir = tmp_path / "reports"
    hostile = make_frames()
    hostile["articles"][0]["paragraphs"] = HOSTILE_PARAGRAPHS
    first = validate_with_gx(*to_polars(hostile), report_dir=report_dir, run_name="run-one")
    assert first.success is False
    validate_with_gx(*to_polars(make_frames()), report_dir=report_dir, run_name="run-two")
    index = (report_dir / "data_docs" / "index.html").read_text(encoding="utf-8")
    assert "run-one" in index and "run-two" in index
    pages = [p for p in (report_dir / "data_docs").rglob("*.html") if "run-one" in p.parts]
    assert pages, "run-one's pages were rebuilt away"
    text = "".join(p.read_text(encoding="utf-8") for p in pages)
    assert "&lt;script&gt;document" in text and "&amp;lt;script" not in text  # escaped once
    assert (
        json.loads((report_dir / "validation.json").read_text(encoding="utf-8"))["gx_run_name"] == "run-two"
    )
    validate_with_gx(*to_polars(make_frames()), report_dir=report_dir, run_name="run-three")
    index = (report_dir / "data_docs" / "index.html").read_text(encoding="utf-8")
    assert "run-one" not in index and "run-two" in index and "run-three" in index


def test_validation_md_reads_well_in_a_ci_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """validation.md puts the failures first, each with examples long enough to show the phrase
    that matched (far into a long paragraph), lists the quarantined files with their reasons,
    prints our own check names without HTML entities and the Data Docs path relative to the
    project, and keeps scraped text escaped."""
    d = make_frames()
    long = "The council met on Monday to discuss the budget for the coming year. " * 6
    d["articles"][0]["paragraphs"] = [long + "Continue reading <script>x()</script> the main story"]
    monkeypatch.chdir(tmp_path)
    report = validate_with_gx(
        *to_polars(d),
        report_dir=tmp_path / "out" / "reports",
        quarantined=1,
        quarantine_reasons={"bad <b>.txt": "failed validation: lines.known line role"},
    )
    md = report.validation_md.read_text(encoding="utf-8")
    failures, rest = md.split("## Failures", 1)[1].split("## Quarantined files (1)", 1)
    assert "no boilerplate phrases" in failures and "Continue reading" in failures
    assert "| PASS |" not in failures
    assert "bad &lt;b&gt;.txt: failed validation: lines.known line role" in rest
    table = rest.split("## Expectations", 1)[1]
    results = re.findall(r"^\| (PASS|FAIL) \|", table, re.M)
    assert results[0] == "FAIL" and "FAIL" not in results[1:]
    assert "typos per 1,000 words <= 20" in md and "&lt;=" not in md
    assert "Data Docs: `out/reports/data_docs/index.html`" in md
    assert "<script" not in md and "<b>" not in md
