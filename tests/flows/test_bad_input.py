"""Nothing lost, nothing let in: a generated corpus of bad inputs through the cleaners, the flow and the CLI.

Every input ends as a cleaned document or an error document (``error.kind`` + ``message``) with a
quarantine entry; the other files complete; the run summary counts them; no traceback reaches the user.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from badinput import (
    BIG,
    GOOD,
    HTML,
    Case,
    cases,
    display,
    eval_lines,
    subprocess_env,
    vanish_after_discover,
    write_corpus,
)

from cleaners.html import html_text
from cleaners.pipeline import DEFAULT_MAX_BYTES, Source, clean_corpus, documents
from flows.outputs import TMP_PREFIX, discover, output_stems, read_source

#: Runs flows, servers or long property searches: `bash scripts/test.sh --all` runs it.
pytestmark = pytest.mark.slow

NEWSCLEAN = str(Path(sys.executable).parent / "newsclean")
SMALL = cases(big=False)
#: The flow runs with this limit so the two 50 MB files become ``too_large`` quickly.
FLOW_MAX_BYTES = 8 * 1024 * 1024


def _check_doc(doc: dict, case: Case, raw: bytes | None, *, expect_error: frozenset[str]) -> None:
    assert doc["file"] == display(case.name)
    if expect_error:
        assert "error" in doc, f"{case.name}: expected an error {sorted(expect_error)}, got a document"
        assert doc["error"]["kind"] in expect_error, doc["error"]
        assert isinstance(doc["error"]["message"], str) and len(doc["error"]["message"]) > 5
        assert doc["articles"] == [] and doc["lines"] == []
        return
    assert "error" not in doc, f"{case.name}: unexpected error {doc.get('error')}"
    ns = [ln["n"] for ln in doc["lines"]]
    assert len(ns) == len(set(ns)), "a line appears twice"
    assert len(ns) >= case.min_lines
    if raw is not None and doc["encoding"].get("extracted_from") == "html":
        # the lines are those of the page's main text
        extracted = html_text(raw.decode("utf-8"))
        assert extracted is not None
        assert ns == eval_lines(extracted.encode()), f"{case.name}: extracted lines not conserved"
    elif raw is not None and doc["encoding"]["detected"].startswith(
        ("utf-8", "mixed(utf-8", "cp1252", "latin")
    ):
        # same line numbers as the evaluation tool (UTF-16 is read differently by it: see report)
        assert ns == eval_lines(raw), f"{case.name}: lines not conserved"
    for ln in doc["lines"]:
        assert ln["role"] in {"title", "subtitle", "meta", "byline", "body", "caption", "boilerplate"}
        if ln["role"] not in ("body", "title"):
            assert ln["reason"]


@pytest.mark.parametrize("case", SMALL, ids=[c.name for c in SMALL])
def test_cleaners_each_bad_input(case: Case, tmp_path: Path) -> None:
    """read_source + clean_corpus on each case alone: a document or an error document, never an exception."""
    write_corpus(tmp_path, [case])
    (path,) = discover(tmp_path)
    if case.kind == "vanish":
        path.unlink()  # found by discover(), gone before it is read
    src = read_source(path, DEFAULT_MAX_BYTES)
    docs = documents(clean_corpus([src]))
    assert list(docs) == [display(case.name)]
    _check_doc(docs[display(case.name)], case, case.data, expect_error=case.error)


def test_too_large_is_an_error_document(tmp_path: Path) -> None:
    """The size limit is a parameter: one byte over it is an error document, at it a document."""
    p = tmp_path / "x.txt"
    p.write_bytes(b"Title\nSome body text here.\n")
    n = p.stat().st_size
    assert read_source(p, n).error_kind is None
    src = read_source(p, n - 1)
    assert src.error_kind == "too_large" and src.data is None and "--max-bytes" in (src.error_message or "")
    doc = documents(clean_corpus([src], max_bytes=n - 1))["x.txt"]
    assert doc["error"]["kind"] == "too_large" and doc["lines"] == []


@pytest.fixture(scope="module")
def big_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bad-corpus") / "in"
    write_corpus(folder, cases(big=True))
    return folder


def _tree(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def test_flow_over_bad_corpus(prefect_harness: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole corpus (50 MB files included, over --max-bytes here) in one flow run."""
    from flows.clean_flow import clean_flow

    in_dir, out_dir = tmp_path / "in", tmp_path / "out"
    corpus = cases(big=True)
    by_name = write_corpus(in_dir, corpus)
    vanish_after_discover(monkeypatch, {c.name for c in corpus if c.kind == "vanish"})
    expected = {
        c.name: (frozenset({"too_large"}) if c.big else c.error) for c in corpus
    }  # 50 MB > FLOW_MAX_BYTES

    summary = clean_flow(input_dir=str(in_dir), output_dir=str(out_dir), max_bytes=FLOW_MAX_BYTES)

    bad = sorted(display(n) for n, e in expected.items() if e)
    assert summary["files"] == len(corpus)
    assert summary["errors"] == len(bad)
    assert set(bad) <= set(summary["quarantined"])
    manifest = json.loads((out_dir / "run-manifest.json").read_text(encoding="utf-8"))
    for k in ("files", "errors", "quarantined"):
        assert manifest[k] == summary[k], k

    stems = output_stems([c.name for c in corpus])
    for name, case in by_name.items():
        stem = stems[display(name)]
        doc = json.loads((out_dir / f"{stem}.json").read_text(encoding="utf-8"))
        _check_doc(doc, case, None if case.big else case.data, expect_error=expected[name])
        q = out_dir / "quarantine" / f"{stem}.json"
        if expected[name]:
            entry = json.loads(q.read_text(encoding="utf-8"))
            assert entry["file"] == display(name)
            assert entry["error"]["kind"] in expected[name] and entry["error"]["message"]
            kind, _, message = summary["quarantine_reasons"][display(name)].partition(": ")
            assert kind == entry["error"]["kind"] and message == entry["error"]["message"]
        elif q.exists():  # a cleaned document quarantined by validation must say why
            entry = json.loads(q.read_text(encoding="utf-8"))
            assert entry["validation_failures"], entry
            assert display(name) in summary["quarantined"]
            assert summary["quarantine_reasons"][display(name)].startswith("failed validation: ")
    assert len(list((out_dir / "quarantine").glob("*.json"))) == len(summary["quarantined"])
    assert sorted(summary["quarantine_reasons"]) == sorted(summary["quarantined"])
    # nothing written outside the output folder, nothing temporary left
    assert _tree(tmp_path) == sorted(
        ["in", "out", *(f"in/{p}" for p in _tree(in_dir)), *(f"out/{p}" for p in _tree(out_dir))]
    )
    assert not [p for p in out_dir.rglob("*") if p.name.startswith(TMP_PREFIX)]
    # the 50 MB inputs and the reserved name did not clobber anything
    assert json.loads((out_dir / "run-manifest.json").read_text(encoding="utf-8"))["files"] == len(corpus)


def _run(
    args: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [NEWSCLEAN, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def test_cli_run_bad_corpus_no_traceback(big_corpus: Path, tmp_path: Path) -> None:
    """``newsclean run`` as a user runs it (its own temporary Prefect server): no traceback, summary printed."""
    out = tmp_path / "out"
    env = subprocess_env(tmp_path / "prefect-home")
    r = _run(
        ["run", "--input", str(big_corpus), "--output", str(out), "--max-bytes", str(FLOW_MAX_BYTES)],
        tmp_path,
        env,
    )
    assert "Traceback" not in r.stderr and "Traceback" not in r.stdout, r.stderr[-3000:]
    assert r.returncode == 0, r.stderr[-3000:]
    corpus = cases(big=True)
    n_bad = sum(1 for c in corpus if c.error or c.big) - 1  # the vanishing file is still there here
    assert f"{len(corpus)} files" in r.stdout and f"{n_bad} bad input" in r.stdout, r.stdout
    manifest = json.loads((out / "run-manifest.json").read_text(encoding="utf-8"))
    assert manifest["files"] == len(corpus) and manifest["errors"] == n_bad
    # each bad input's reason is printed, as clean prints it (up to 20, then a count)
    shown = [ln for ln in r.stderr.splitlines() if ln.startswith("newsclean run: ") and ": " in ln[15:]]
    assert len(shown) >= min(n_bad, 20), r.stderr[-3000:]
    for f, why in manifest["quarantine_reasons"].items():
        if f in manifest["quarantined"][:20]:
            assert f"newsclean run: {f}: {why}" in r.stderr


def test_cli_clean_bad_corpus_no_traceback(big_corpus: Path, tmp_path: Path) -> None:
    """``newsclean clean DIR --output OUT``: one document per input, bad ones named on stderr."""
    out = tmp_path / "out"
    r = _run(["clean", str(big_corpus), "--output", str(out), "--max-bytes", str(FLOW_MAX_BYTES)], tmp_path)
    assert "Traceback" not in r.stderr, r.stderr[-3000:]
    assert r.returncode == 0, r.stderr[-3000:]
    corpus = cases(big=True)
    assert len(list(out.glob("*.json"))) == len(corpus)
    for c in corpus:
        if c.error and c.kind != "vanish" or c.big:
            kind = "too_large" if c.big else next(iter(c.error))
            assert f"{display(c.name)}: {kind}:" in r.stderr, (c.name, r.stderr)


def test_cli_clean_single_bad_files(big_corpus: Path, tmp_path: Path) -> None:
    """One bad file: the error document on stdout, the reason on stderr, exit 1; usage errors exit 2."""
    r = _run(["clean", str(big_corpus / "png image.txt")], tmp_path)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert json.loads(r.stdout)["error"]["kind"] == "binary" and "binary" in r.stderr
    r = _run(["clean", str(big_corpus / "big one line.txt"), "--max-bytes", "1000000"], tmp_path, timeout=60)
    assert r.returncode == 1 and "too_large" in r.stderr and "Traceback" not in r.stderr
    r = _run(["clean", str(tmp_path / "missing.txt")], tmp_path)
    assert r.returncode == 2 and "missing.txt" in r.stderr and "Traceback" not in r.stderr
    r = _run(["run", "--input", str(tmp_path / "no-such-dir"), "--output", str(tmp_path / "o")], tmp_path)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    # a leading dash is an option unless after "--" or given as a path
    r = _run(["clean", "--", str(big_corpus / "-rf.txt")], tmp_path)
    assert r.returncode == 0 and json.loads(r.stdout)["file"] == "-rf.txt"
    r = _run(["clean", "./-rf.txt"], big_corpus)
    assert r.returncode == 0 and json.loads(r.stdout)["file"] == "-rf.txt"
    for sub in ("clean", "run"):
        assert "--max-bytes" in _run([sub, "--help"], tmp_path).stdout


@pytest.mark.slow
def test_50mb_files_at_default_limit(big_corpus: Path, tmp_path: Path) -> None:
    """The two 50 MB inputs under the default limit (64 MB) are cleaned, every line kept.

    Both run at once (one ``newsclean clean`` each) to use the two cores.
    """
    assert DEFAULT_MAX_BYTES >= BIG
    t0 = time.monotonic()
    procs = {}
    for name in ("big one line.txt", "big many lines.txt"):
        out = tmp_path / name.replace(" ", "-")
        procs[name] = (
            out,
            subprocess.Popen(
                [NEWSCLEAN, "clean", str(big_corpus / name), "--output", str(out)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            ),
        )
    for name, (out, proc) in procs.items():
        _, err = proc.communicate(timeout=900)
        assert proc.returncode == 0 and "Traceback" not in err, err[-3000:]
        doc = json.loads(next(out.glob("*.json")).read_text(encoding="utf-8"))
        assert "error" not in doc, doc.get("error")
        ns = [ln["n"] for ln in doc["lines"]]
        assert ns == eval_lines((big_corpus / name).read_bytes())
    print(f"50 MB files at the default limit: {time.monotonic() - t0:.0f} s")


_FAIL_GX = """
import dataclasses, sys
import flows.clean_flow
from flows.cli import main

real = flows.clean_flow.validate_with_gx


def failing(*args, **kwargs):
    report = real(*args, **kwargs)
    rows = [dict(r, passed=False, severity="critical") for r in report.rows[:1]]
    return dataclasses.replace(report, rows=rows + report.rows[1:], success=False)


flows.clean_flow.validate_with_gx = failing
sys.exit(main(sys.argv[1:]))
"""


def test_cli_run_failed_validation_has_no_traceback(prefect_harness: str, tmp_path: Path) -> None:
    """A run whose data-quality checks fail (forced here) exits 3 with a message, not a traceback."""
    in_dir = tmp_path / "in"
    in_dir.mkdir()
    (in_dir / "good.txt").write_text(GOOD, encoding="utf-8")
    r = subprocess.run(
        [sys.executable, "-c", _FAIL_GX, "run", "--input", str(in_dir), "--output", str(tmp_path / "out")],
        cwd=tmp_path,
        env=subprocess_env(tmp_path / "home", prefect_harness),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert r.returncode == 3, (r.returncode, r.stderr[-3000:])
    assert "Traceback" not in r.stderr, r.stderr[-3000:]


_MARKUP = re.compile(
    r"<!DOCTYPE|</?(?:html|head|body|script|style|nav|article|footer|p|h1|a|meta|title)\b", re.I
)


def test_html_page_is_cleaned_from_its_main_text_with_no_markup() -> None:
    """An HTML page saved as text: its main text is extracted and cleaned (recorded in the
    document), with no markup, script or style in title and paragraphs; a page with no text is an
    ``html`` error."""
    docs = documents(
        clean_corpus(
            [
                Source("page.txt", HTML.encode()),
                Source("empty.txt", b"<!DOCTYPE html><html><body><style>p{}</style></body></html>"),
            ]
        )
    )
    doc = docs["page.txt"]
    assert "error" not in doc and doc["encoding"]["extracted_from"] == "html"
    texts = [t for a in doc["articles"] for t in [a["title"] or "", *a["paragraphs"]]]
    assert any("officials said" in t for t in texts), texts
    assert any("roads were closed" in t and "&amp;" not in t for t in texts), texts
    leaked = [t for t in texts if _MARKUP.search(t) or "dataLayer" in t or "font-family" in t]
    assert not leaked, leaked[:3]
    assert docs["empty.txt"]["error"]["kind"] == "html"
    assert (
        "extracted_from"
        not in documents(clean_corpus([Source("t.txt", b"Storm\nIt rained.")]))["t.txt"]["encoding"]
    )
