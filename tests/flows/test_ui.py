"""The Prefect UI shows a run's reports: a real server, the flow against it, headless Chromium.

Starts ``prefect server start`` on a free port (own PREFECT_HOME), runs ``newsclean run`` against
it in a subprocess over the seeds plus one hostile file, checks the artifacts through the REST
API, then loads the artifact pages in headless Chromium: the summary is on the page, and the
hostile file's ``<script>`` / ``<img>`` / markdown links show as text, never as elements. Saves a
screenshots of the run's Artifacts tab (``docs/prefect-artifacts.png``), of the run summary
(``docs/prefect-run-summary.png``), of a file's view (``docs/prefect-file-view.png``), of the
files table (``docs/prefect-files-table.png``) and of the Data Docs' paragraphs page
(``docs/data-docs-paragraphs.png``), all at 1,400 px wide.

Skipped when no Chromium is installed, unless ``NEWSCLEAN_REQUIRE_BROWSER=1`` (CI).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from ui_helpers import (
    EVIL_HOST,
    HOSTILE_LINES,
    HOSTILE_NAME,
    ROOT,
    VENV_BIN,
    chromium,
    find_chromium,
    prefect_server,
    screenshot,
    screenshot_after_click,
)

pytestmark = pytest.mark.slow

SEEDS = ROOT / "seeds"
SCREENSHOT = ROOT / "docs" / "prefect-artifacts.png"
SUMMARY_SCREENSHOT = ROOT / "docs" / "prefect-run-summary.png"
VIEW_SCREENSHOT = ROOT / "docs" / "prefect-file-view.png"
FILES_SCREENSHOT = ROOT / "docs" / "prefect-files-table.png"
DATA_DOCS_SCREENSHOT = ROOT / "docs" / "data-docs-paragraphs.png"


def _browser() -> str:
    browser = find_chromium()
    if browser is None:
        if os.environ.get("NEWSCLEAN_REQUIRE_BROWSER") == "1":
            pytest.fail("NEWSCLEAN_REQUIRE_BROWSER=1 but no Chromium found (apt-get install chromium)")
        pytest.skip(
            "no Chromium installed (apt-get install chromium); set NEWSCLEAN_REQUIRE_BROWSER=1 to fail"
        )
    return browser


class _Page(HTMLParser):
    """Visible text and elements of a dumped DOM."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.text.append(data)

    @property
    def visible(self) -> str:
        return "".join(self.text)


def parse(dom: str) -> _Page:
    page = _Page()
    page.feed(dom)
    return page


def render(browser: str, url: str, tmp: Path) -> tuple[_Page, list[str]]:
    """The page after its scripts ran, and the URLs it requested (Chromium's net log)."""
    net_log = tmp / f"net-{time.monotonic_ns()}.json"
    res = chromium(
        browser,
        url,
        # nothing may leave the machine even if a page asked for it
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        f"--log-net-log={net_log}",
        "--dump-dom",
    )
    assert res.returncode == 0, res.stderr[-2000:]
    urls: list[str] = []
    try:
        log = json.loads(net_log.read_text(encoding="utf-8"))
        for ev in log.get("events", []):
            u = (ev.get("params") or {}).get("url")
            if isinstance(u, str):
                urls.append(u)
    except (OSError, ValueError):
        # Chromium may leave the log unterminated; fall back to a plain text search
        urls = [line for line in net_log.read_text(errors="replace").splitlines() if EVIL_HOST in line]
    return parse(res.stdout), urls


def wait_for_page(browser: str, url: str, needle: str, tmp: Path, tries: int = 3) -> tuple[_Page, list[str]]:
    """Render ``url`` until ``needle`` is visible (a cold UI can need a second load)."""
    page, urls = render(browser, url, tmp)
    for _ in range(tries - 1):
        if needle in page.visible:
            break
        time.sleep(2)
        page, urls = render(browser, url, tmp)
    return page, urls


def _flow_run(server: Any) -> dict[str, Any]:
    runs = server.post("/flow_runs/filter", {"sort": "START_TIME_DESC", "limit": 5})
    runs = [r for r in runs if r["state_type"] == "COMPLETED"]
    assert runs, "no completed flow run on the server"
    return runs[0]


def test_artifacts_in_prefect_ui(tmp_path: Path) -> None:
    browser = _browser()
    inputs = tmp_path / "in"
    inputs.mkdir()
    for p in sorted(SEEDS.glob("*.txt")):
        shutil.copy(p, inputs / p.name)
    (inputs / HOSTILE_NAME).write_text("\n".join(HOSTILE_LINES) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    started = time.monotonic()

    with prefect_server(tmp_path, health_timeout=120) as server:
        newsclean = VENV_BIN / "newsclean"
        run = subprocess.run(
            [str(newsclean), "run", "--input", str(inputs), "--output", str(out)],
            env=server.env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert run.returncode == 0, f"{run.stdout[-3000:]}\n{run.stderr[-3000:]}"

        # REST: the run and its artifacts, with the stable keys
        flow_run = _flow_run(server)
        arts = server.post("/artifacts/filter", {"artifacts": {"flow_run_id": {"any_": [flow_run["id"]]}}})
        by_key = {a["key"]: a for a in arts}
        from flows.report import FILES_KEY, SUMMARY_KEY, TYPOS_KEY, md_text

        names = [p.name for p in sorted(inputs.iterdir())]
        expected = {SUMMARY_KEY, FILES_KEY, TYPOS_KEY}
        assert expected <= set(by_key), f"missing artifacts: {sorted(expected - set(by_key))}"
        # the per-file views are unkeyed (a key per file would pile up), one per file of this run
        unkeyed = [a for a in arts if not a["key"]]
        views = {
            n: a
            for n in names
            for a in unkeyed
            if (a["description"] or "").startswith(f"newsclean: {md_text(n)} in")
        }
        assert set(views) == set(names) and len(unkeyed) == len(names), sorted(
            a["description"] for a in unkeyed
        )
        for a in arts:
            if a["key"]:
                assert all(c.islower() or c.isdigit() or c == "-" for c in a["key"]), a["key"]
        assert by_key[SUMMARY_KEY]["type"] == "markdown"
        assert "# newsclean run summary" in by_key[SUMMARY_KEY]["data"]
        since = f"**Since the last run:** {len(list(inputs.iterdir()))} cleaned (new or changed), 0 unchanged"
        assert since in by_key[SUMMARY_KEY]["data"]
        assert "cleaned (new or changed)" in (by_key[SUMMARY_KEY]["description"] or "")
        assert by_key[FILES_KEY]["type"] == "table"
        files_rows = json.loads(by_key[FILES_KEY]["data"])
        assert len(files_rows) == len(names)
        assert {
            "file",
            "encoding",
            "articles",
            "lines",
            "removed_boilerplate",
            "moved_to_metadata",
            "typos",
            "error",
            "quarantined",
        } <= set(files_rows[0])
        typo_rows = json.loads(by_key[TYPOS_KEY]["data"])
        suggestions = [r["suggestion"] for r in typo_rows]
        with_s = [s for s in suggestions if s != "—"]
        assert with_s == sorted(with_s) and suggestions[: len(with_s)] == with_s  # by suggestion, none last
        # nothing scraped reaches an artifact unescaped
        for a in arts:
            data = str(a.get("data") or "")
            assert "<script" not in data and "<img" not in data and "](http" not in data, a["description"]

        # The browser: summary on the page
        ui = server.ui_url
        summary_url = f"{ui}/artifacts/artifact/{by_key[SUMMARY_KEY]['id']}"
        page, _ = wait_for_page(browser, summary_url, "newsclean run summary", tmp_path)
        assert "newsclean run summary" in page.visible, page.visible[:2000]
        assert "Lines by role and reason" in page.visible
        assert "Can't connect to Server API" not in page.visible
        # the summary links to the run's other artifacts: the files table, the worst files' views
        hrefs = {a.get("href") for tag, a in page.tags if tag == "a"}
        assert f"/artifacts/artifact/{by_key[FILES_KEY]['id']}" in hrefs, sorted(h for h in hrefs if h)
        assert any(f"/artifacts/artifact/{v['id']}" in hrefs for v in views.values())
        page, _ = wait_for_page(
            browser, f"{ui}/artifacts/artifact/{by_key[FILES_KEY]['id']}", "removed_boilerplate", tmp_path
        )
        assert "removed_boilerplate" in page.visible

        # The hostile file's view: every line shows as written, nothing became an element
        hostile_url = f"{ui}/artifacts/artifact/{views[HOSTILE_NAME]['id']}"
        page, urls = wait_for_page(browser, hostile_url, "Hostile page", tmp_path)
        text = re.sub(r"⟦([^⟧]*?) → [^⟧]*⟧", r"\1", page.visible)  # as written, less the typo marks
        assert HOSTILE_NAME in text, text[:3000]
        for line in HOSTILE_LINES:
            assert line in text, f"not shown as written: {line!r}\n{text[:4000]}"
        for tag, attrs in page.tags:
            values = " ".join(v or "" for v in attrs.values())
            assert EVIL_HOST not in values, f"live element from scraped text: <{tag} {attrs}>"
            assert "javascript:" not in values, f"live element from scraped text: <{tag} {attrs}>"
            assert not (tag == "script" and "alert" in values), attrs
        assert all(tag not in ("b", "i") for tag, _ in page.tags), "the file name's markup became elements"
        assert not [u for u in urls if EVIL_HOST in u], f"the page fetched {EVIL_HOST}"
        # the view is a diff of the document: its removed lines render struck through
        struck = [a for _, a in page.tags if "markdown-renderer__text--del" in (a.get("class") or "")]
        assert struck, "removed lines not struck through"

        # A seed's view with a typo: the flagged span is marked inline with its suggestion
        typo_row = typo_rows[0]
        seed_view = views[typo_row["file"].replace("\\", "")]
        assert "⟦" in seed_view["data"]
        view_url = f"{ui}/artifacts/artifact/{seed_view['id']}"
        page, _ = wait_for_page(browser, view_url, "The document in order", tmp_path)
        assert "⟦" in page.visible and " → " in page.visible, page.visible[:3000]
        view_shot = screenshot(browser, view_url, tmp_path / "file-view.png")

        # The files table, and the Data Docs page of the paragraphs: check names and severities
        # where great-expectations would print the regex
        files_url = f"{ui}/artifacts/artifact/{by_key[FILES_KEY]['id']}"
        wait_for_page(browser, files_url, "removed_boilerplate", tmp_path)
        files_shot = screenshot(browser, files_url, tmp_path / "files.png")
        docs_page = sorted(
            (out / "reports" / "data_docs" / "validations").rglob("newsclean-paragraphs.html")
        )[-1]
        page, _ = wait_for_page(browser, docs_page.as_uri(), "no boilerplate phrases", tmp_path)
        assert "no boilerplate phrases (critical)" in page.visible, page.visible[:3000]
        assert "(?i)" not in page.visible, "a regex shown in the Data Docs"
        docs_shot = screenshot(browser, docs_page.as_uri(), tmp_path / "data-docs.png")

        # The flow run page knows the run (same server, UI pointed at the right API port)
        run_page, _ = wait_for_page(
            browser, f"{ui}/runs/flow-run/{flow_run['id']}", flow_run["name"], tmp_path
        )
        assert flow_run["name"] in run_page.visible

        # The pictures for the docs: the run's Artifacts tab (needs a click: the UI ignores
        # ?tab= on a cold load) and the run summary as the UI renders it
        tab_shot = screenshot_after_click(
            browser,
            f"{ui}/runs/flow-run/{flow_run['id']}",
            tmp_path / "artifacts-tab.png",
            click_text="Artifacts",
            wait_text=SUMMARY_KEY,
        )
        summary_shot = screenshot(browser, summary_url, tmp_path / "summary.png")
        for shot in (tab_shot, summary_shot, view_shot, files_shot, docs_shot):
            assert shot.stat().st_size > 20_000, f"{shot.name} looks empty"
        if os.environ.get("NEWSCLEAN_UPDATE_SCREENSHOTS") == "1":  # refresh the committed pictures
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(tab_shot, SCREENSHOT)
            shutil.copy(summary_shot, SUMMARY_SCREENSHOT)
            shutil.copy(view_shot, VIEW_SCREENSHOT)
            shutil.copy(files_shot, FILES_SCREENSHOT)
            shutil.copy(docs_shot, DATA_DOCS_SCREENSHOT)

        # A second run over the same files changes nothing: only the summary and the Data Docs
        # link; the summary links to the files table's key, whose history names the run that made it
        again = subprocess.run(
            run.args, env=server.env, cwd=tmp_path, capture_output=True, text=True, timeout=180
        )
        assert again.returncode == 0, f"{again.stdout[-3000:]}\n{again.stderr[-3000:]}"
        second = _flow_run(server)
        assert second["id"] != flow_run["id"]
        arts2 = server.post("/artifacts/filter", {"artifacts": {"flow_run_id": {"any_": [second["id"]]}}})
        assert sorted(a["key"] or "" for a in arts2) == sorted(
            [SUMMARY_KEY, "newsclean-data-docs", "newsclean-progress"]
        ), arts2
        summary2 = next(a for a in arts2 if a["key"] == SUMMARY_KEY)
        assert "Nothing changed since the last run" in summary2["data"]
        page, _ = wait_for_page(
            browser, f"{ui}/artifacts/artifact/{summary2['id']}", "Nothing changed", tmp_path
        )
        hrefs = {a.get("href") for tag, a in page.tags if tag == "a"}
        assert f"/artifacts/key/{FILES_KEY}" in hrefs, sorted(h for h in hrefs if h)
        page, _ = wait_for_page(
            browser, f"{ui}/artifacts/key/{FILES_KEY}", "one row per input file", tmp_path
        )
        assert flow_run["name"] in page.visible, page.visible[
            -2000:
        ]  # the key's history: the run that made it

    assert server.proc.poll() is not None, "server still running after the test"
    assert time.monotonic() - started < 300
