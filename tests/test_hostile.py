"""Hostile input: nothing from a file reaches a shell, eval, a template or a path; names cannot
lead writes outside the output folder; the regexes run in linear time on adversarial lines."""

from __future__ import annotations

import ast
import json
import os
import stat
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import polars as pl
import pytest
from badinput import GOOD
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaners.pipeline import Source, clean_corpus, documents
from flows.outputs import (
    RESERVED_STEMS,
    TMP_PREFIX,
    atomic_write_bytes,
    output_stems,
    remove_stale,
    write_documents,
)

ROOT = Path(__file__).resolve().parent.parent
NEWSCLEAN = str(Path(sys.executable).parent / "newsclean")

# ------------------------------------------------------------------------------------------------
# No shell, no eval, no pickle: checked on the source of every module
# ------------------------------------------------------------------------------------------------

_FORBIDDEN_CALLS = {
    "eval",
    "exec",
    "compile",
    "__import__",
    "os.system",
    "os.popen",
    "os.execv",
    "os.execvp",
    "os.spawnl",
    "subprocess.run",
    "subprocess.call",
    "subprocess.check_call",
    "subprocess.check_output",
    "subprocess.Popen",
    "pickle.loads",
    "pickle.load",
    "marshal.loads",
    "yaml.load",
    "jinja2.Template",
    "Template",
    "string.Template",
    "pl.sql",
    "pl.SQLContext",
}


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return "?"


# The one process the package starts: Prefect's temporary API server, from a fixed argument list
# (sys.executable -m uvicorn ... with a port number), never a shell and never input text.
_ALLOWED_CALLS = {"server.py": "subprocess.Popen"}


def _fixed_argv(call: ast.Call) -> bool:
    """Only ``env=`` and a constant ``process_group=``: no shell, no ``preexec_fn`` (code run in
    the child)."""
    return all(
        kw.arg == "env" or (kw.arg == "process_group" and isinstance(kw.value, ast.Constant))
        for kw in call.keywords
    )


def test_no_shell_eval_or_template_in_the_code() -> None:
    hits = []
    for pkg in ("cleaners", "flows", "schemas"):
        for path in sorted((ROOT / pkg).glob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Call):
                    name = _dotted(node.func)
                    allowed = _ALLOWED_CALLS.get(path.name) == name and _fixed_argv(node)
                    if (name in _FORBIDDEN_CALLS or name.endswith((".format_map",))) and not allowed:
                        hits.append(f"{path.name}:{node.lineno}: {name}")
                    for kw in node.keywords:
                        if kw.arg == "shell" and not (
                            isinstance(kw.value, ast.Constant) and not kw.value.value
                        ):
                            hits.append(f"{path.name}:{node.lineno}: shell=")
                if isinstance(node, ast.ImportFrom) and node.module in ("pickle", "marshal", "jinja2"):
                    hits.append(f"{path.name}:{node.lineno}: import from {node.module}")
    assert not hits, hits


HOSTILE_LINES = [
    "$(touch PWNED_SHELL) and `touch PWNED_TICK` ; touch PWNED_SEMI | cat /etc/passwd",
    "{{7*7}} ${7*7} #{7*7} <%= 7*7 %> {0} {x} %s %(x)s %n",
    "__import__('os').system('touch PWNED_EVAL')",
    "<script>alert(1)</script><img src=x onerror=alert(1)>",
    "../../../../etc/passwd and C:\\Windows\\System32 and /dev/null",
    "\x1b[31mred\x1b[0m terminal escape and \x07 bell",
    "Robert'); DROP TABLE students;-- said the story of the week.",
]


def test_hostile_text_is_kept_as_text(tmp_path: Path) -> None:
    """Template, shell and format syntax comes out as written; nothing is run or created."""
    body = "\n".join(f"The story quotes this: {h} and goes on." for h in HOSTILE_LINES)
    data = ("A headline about hostile text\n" + body + "\n").encode("utf-8")
    os.chdir(tmp_path)  # anything created by accident would land here
    try:
        doc = documents(clean_corpus([Source("hostile.txt", data)]))["hostile.txt"]
    finally:
        os.chdir(ROOT)
    text = "\n".join(p for a in doc["articles"] for p in a["paragraphs"])
    for marker in ("{{7*7}}", "${7*7}", "%(x)s", "$(touch PWNED_SHELL)", "__import__('os')", "DROP TABLE"):
        assert marker in text, marker
    assert "49" not in text
    assert [ln["n"] for ln in doc["lines"]] == list(range(1, len(HOSTILE_LINES) + 2))
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------------------------------------
# File names cannot lead writes outside the output folder
# ------------------------------------------------------------------------------------------------

NAME = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="/\x00"), min_size=1, max_size=120
).filter(lambda s: s not in (".", ".."))


@settings(max_examples=300, deadline=None)
@given(st.lists(NAME, min_size=1, max_size=6, unique=True))
def test_output_stems_are_safe(names: list[str]) -> None:
    stems = output_stems(names)
    assert set(stems) == set(names)
    out = Path("/srv/out")
    assert len(set(stems.values())) == len(names), "two inputs share an output name"
    for stem in stems.values():
        assert stem and "/" not in stem and "\x00" not in stem
        assert stem[0] not in ".-", stem
        assert stem.lower() not in RESERVED_STEMS
        for name in (f"{stem}.json", f"{stem}-2.json", f"{stem}-99.txt"):
            assert len(name.encode("utf-8")) <= 255
            assert os.path.normpath(out / name).startswith(str(out) + "/")


def test_names_with_dots_and_dashes_stay_inside(tmp_path: Path) -> None:
    names = [
        "..txt",
        "...txt",
        "-rf.txt",
        "--output=..txt",
        "..\\..\\x.txt",
        "run-manifest.txt",
        "名" * 83 + ".txt",
    ]
    names.append("名" * 83 + ".md")  # same stem as the one before: gets "-2", still < 255 bytes
    out = tmp_path / "out"
    docs = {n: documents(clean_corpus([Source(n, GOOD.encode())]))[n] | {"file": n} for n in names}
    written = write_documents(out, docs, output_stems(names), {})
    for p in written:
        assert out.resolve() in p.resolve().parents
    assert {p.name for p in tmp_path.iterdir()} == {"out"}
    assert len(list(out.glob("*.json"))) == len(names)
    assert not (out / "run-manifest.json").exists()


def test_symlinked_output_targets_are_not_followed(tmp_path: Path) -> None:
    """A planted symlink in the output folder (a document, ``text/``, ``quarantine/``) is replaced,
    never written through; a tampered manifest cannot make stale removal delete outside."""
    outside = tmp_path / "outside"
    outside.mkdir()
    victim = outside / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    os.symlink(victim, out / "a.json")
    os.symlink(outside, out / "text")
    os.symlink(outside, out / "quarantine")
    doc_ok = documents(clean_corpus([Source("a.txt", GOOD.encode())]))["a.txt"]
    doc_bad = documents(clean_corpus([Source("b.txt", b"")]))["b.txt"]
    write_documents(out, {"a.txt": doc_ok, "b.txt": doc_bad}, {"a.txt": "a", "b.txt": "b"}, {})
    assert victim.read_text(encoding="utf-8") == "precious"
    assert sorted(p.name for p in outside.iterdir()) == ["victim.txt"]
    assert not (out / "a.json").is_symlink() and json.loads((out / "a.json").read_text())["file"] == "a.txt"
    assert (out / "text").is_dir() and not (out / "text").is_symlink() and list((out / "text").iterdir())
    assert (out / "quarantine" / "b.json").is_file()

    # stale removal: the manifest lists paths outside; a symlink inside points outside
    os.symlink(victim, out / "link.json")
    (out / "run-manifest.json").write_text(
        json.dumps(
            {"outputs": ["../outside/victim.txt", str(victim), "link.json", "text/../../outside/victim.txt"]}
        )
    )
    from flows.outputs import previous_outputs

    removed = remove_stale(out, [], previous_outputs(out))
    assert victim.read_text(encoding="utf-8") == "precious"
    assert all(out.resolve() in p.resolve().parents or p.is_symlink() for p in removed)


def test_atomic_write_replaces_a_symlink_instead_of_writing_through(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_bytes(b"precious")
    os.symlink(victim, tmp_path / "target.json")
    atomic_write_bytes(tmp_path / "target.json", b"new")
    assert victim.read_bytes() == b"precious"
    assert (tmp_path / "target.json").read_bytes() == b"new" and not (tmp_path / "target.json").is_symlink()
    assert not list(tmp_path.glob(f"{TMP_PREFIX}*"))


def _flow_with_planted_symlinks(tmp_path: Path, subs: tuple[str, ...]) -> Path:
    from flows.clean_flow import clean_flow

    in_dir = tmp_path / "in"
    in_dir.mkdir()
    for name in ["..txt", "-rf.txt", "--help.txt", "a..b.txt", "ok.txt"]:
        (in_dir / name).write_text(GOOD, encoding="utf-8")
    (in_dir / "empty.txt").write_bytes(b"")
    outside = tmp_path / "outside"
    outside.mkdir()
    real_out = tmp_path / "real-out"
    real_out.mkdir()
    out = tmp_path / "out"
    os.symlink(real_out, out)  # the output folder itself may be a symlink: that is the user's choice
    for sub in subs:
        os.symlink(outside, real_out / sub)
    summary = clean_flow(input_dir=str(in_dir), output_dir=str(out))
    assert summary["files"] == 6 and summary["errors"] == 1
    assert list(outside.iterdir()) == [], "wrote outside the output folder"
    assert len(list(real_out.glob("*.json"))) == 7  # 6 documents and the manifest
    return real_out


def test_flow_with_symlinked_document_folders(prefect_harness: str, tmp_path: Path) -> None:
    """Planted ``text`` and ``quarantine`` symlinks in the output folder are replaced, not followed."""
    real_out = _flow_with_planted_symlinks(tmp_path, ("text", "quarantine"))
    assert not (real_out / "text").is_symlink() and list((real_out / "text").iterdir())


@pytest.mark.parametrize("sub", [".work", ".state"])
def test_flow_with_symlinked_work_folders(prefect_harness: str, tmp_path: Path, sub: str) -> None:
    _flow_with_planted_symlinks(tmp_path, (sub,))


# ------------------------------------------------------------------------------------------------
# Regexes in linear time: 1 MB adversarial lines through the whole pipeline
# ------------------------------------------------------------------------------------------------

MB = 1024 * 1024
ADVERSARIAL = {
    "dots": "." * MB,
    "bang_question": "!?" * (MB // 2),
    "ellipses": "…" * (MB // 3),
    "double_quotes": '"' * MB,
    "curly_quotes": "“‘“‘" * (MB // 12),
    "apostrophes": "'" * MB,
    "spaces_then_x": " " * MB + "x",
    "exotic_spaces": "\t\u00a0\u2009 x" * (MB // 7),
    "a_space": "a " * (MB // 2),
    "open_parens": "(((" * (MB // 3),
    "parens_unbalanced": "((a)" * (MB // 4),
    "brackets": "[" * MB,
    "read_more": "Read more: " * (MB // 11),
    "advertisement": "Advertisement " * (MB // 14),
    "source": "SOURCE: www." * (MB // 12),
    "urls": "http://a.b/" * (MB // 11),
    "emails": "a@b." * (MB // 4),
    "digits": "1" * MB,
    "dates": "2025-01-" * (MB // 8),
    "caps": "A" * MB,
    "initials": "A. " * (MB // 3),
    "byline": "By " * (MB // 3),
    "dashes": "— -" * (MB // 5),
    "entities": "&amp;&#" * (MB // 7),
    "mojibake_quote": "“â€" * (MB // 7),
    "daggers": "“x†" * (MB // 6),
    "replacement": "“\ufffd" * (MB // 6),
    "names": " ".join(f"Name{i:x}" for i in range(MB // 9)),
    "name_pairs": "Chernyak Chernya " * (MB // 17),
    "doubled_words": "the the " * (MB // 8),
    "stray_periods": "word . " * (MB // 7),
    "controls": "\x00\x1c\x7f\x85x" * (MB // 6),
}

_SCRIPT = """
import sys, time
from cleaners.pipeline import Source, clean_corpus, documents
sys.path.insert(0, {tests!r})
from test_hostile import ADVERSARIAL
name = sys.argv[1]
line = ADVERSARIAL[name]
data = ("Headline\\n" + line + "\\n" + "The end of the story.\\n").encode("utf-8")
t = time.monotonic()
doc = documents(clean_corpus([Source("x.txt", data)]))["x.txt"]
assert [ln["n"] for ln in doc["lines"]] == [1, 2, 3] or "error" in doc, doc["lines"][:5]
print(f"{{time.monotonic() - t:.1f}}")
"""
GUARD_SECONDS = 120  # generous: a backtracking regex on 1 MB takes hours; the machine may be loaded


def _run_adversarial(name: str) -> tuple[str, str | None, float | None]:
    script = _SCRIPT.format(tests=str(Path(__file__).parent))
    try:
        r = subprocess.run(
            [sys.executable, "-c", script, name],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=GUARD_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return name, f"did not finish in {GUARD_SECONDS} s", None
    if r.returncode != 0:
        return name, r.stderr[-1500:], None
    return name, None, float(r.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_adversarial_lines_run_in_linear_time() -> None:
    """Each 1 MB line through clean_corpus in its own process, two at a time, under a 120 s guard."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(_run_adversarial, ADVERSARIAL))
    failed = {name: err for name, err, _ in results if err}
    timings = {name: t for name, _, t in results if t is not None}
    print("seconds per 1 MB line:", json.dumps(timings))
    assert not failed, failed


@pytest.mark.parametrize(
    "pattern", ["*.txt", "*", "?.txt", "[ab]*", "*.TXT", "b.txt", "sub/*.txt", "**/*.txt"]
)
def test_discover_names_finds_what_discover_finds(tmp_path: Path, pattern: str) -> None:
    """The flow's listing (names, no Path objects) agrees with ``discover``: dot files, folders,
    broken links and case as pathlib's glob has them; other patterns go through ``discover``."""
    from flows.outputs import discover, discover_names

    for name in ("b.txt", ".hidden.txt", "a.TXT", "c.md", "caf\udce9.txt"):
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "dir.txt").mkdir()
    (tmp_path / "gone.txt").symlink_to(tmp_path / "missing")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "deep.txt").write_bytes(b"x")
    want = [str(p.relative_to(tmp_path)) for p in discover(tmp_path, pattern)]
    assert discover_names(tmp_path, pattern) == want
    if pattern == "*.txt":
        assert {".hidden.txt", "dir.txt", "gone.txt", "caf\udce9.txt"} <= set(want)


def test_outputs_get_the_mode_of_a_plain_open(tmp_path: Path) -> None:
    """Atomic writes go through mkstemp (mode 0600); the outputs must not stay private to the owner."""
    from flows.outputs import FILE_MODE, atomic_write_bytes, atomic_write_parquet

    atomic_write_bytes(tmp_path / "a.json", b"{}\n")
    atomic_write_parquet(tmp_path / "t.parquet", pl.DataFrame({"x": [1]}))
    probe = tmp_path / "probe"
    probe.write_bytes(b"")
    assert FILE_MODE == stat.S_IMODE(probe.stat().st_mode)
    for name in ("a.json", "t.parquet"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == FILE_MODE, name


# ------------------------------------------------------------------------------------------------
# Planted links under reports/ are replaced, not followed
# ------------------------------------------------------------------------------------------------


def _validate_into(report_dir: Path) -> None:
    from gx_frames import make_frames, to_polars

    from schemas.gx_suite import validate_with_gx

    validate_with_gx(*to_polars(make_frames()), report_dir=report_dir)


@pytest.mark.parametrize("planted", ["reports", "reports/gx", "reports/data_docs"])
def test_planted_report_folder_link_is_replaced(tmp_path: Path, planted: str) -> None:
    """A symlink at ``reports/`` (or its GX folders) leading elsewhere receives nothing; the
    reports are written inside the output folder, and a second run works the same."""
    out, outside = tmp_path / "out", tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "keep.txt").write_text("precious", encoding="utf-8")
    (out / "reports").mkdir(parents=True, exist_ok=planted != "reports")
    if planted == "reports":
        (out / "reports").rmdir()
    os.symlink(outside, out / planted)
    for _ in range(2):
        _validate_into(out / "reports")
    assert sorted(p.name for p in outside.iterdir()) == ["keep.txt"]
    assert (outside / "keep.txt").read_text(encoding="utf-8") == "precious"
    reports = out / "reports"
    assert reports.is_dir() and not reports.is_symlink()
    assert not (out / planted).is_symlink()
    assert (reports / "validation.md").is_file() and (reports / "data_docs" / "index.html").is_file()


@pytest.mark.parametrize("name", ["validation.md", "validation.json"])
def test_planted_report_file_link_is_replaced(tmp_path: Path, name: str) -> None:
    victim = tmp_path / "victim"
    victim.write_text("precious", encoding="utf-8")
    reports = tmp_path / "out" / "reports"
    reports.mkdir(parents=True)
    os.symlink(victim, reports / name)
    for _ in range(2):  # the next run works as normal too
        _validate_into(reports)
    assert victim.read_text(encoding="utf-8") == "precious"
    assert not (reports / name).is_symlink() and (reports / name).stat().st_size > 100


# ------------------------------------------------------------------------------------------------
# One verdict per run: state message, summary artifact, validation.md and the CLI's summary agree
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", ["passing", "quarantining", "critical"])
def test_one_verdict_for_a_run(
    prefect_harness: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    import prefect.artifacts as pa

    import schemas.gx_suite as gs
    from flows.clean_flow import clean_flow
    from flows.report import SUMMARY_KEY

    made: dict[str, str] = {}
    monkeypatch.setattr(
        pa, "create_markdown_artifact", lambda **kw: made.__setitem__(kw["key"], kw["markdown"])
    )
    if case == "critical":  # every paragraph "has boilerplate": a critical expectation fails
        monkeypatch.setattr(gs, "BOILERPLATE", "(?i)[a-z]")
    in_dir, out = tmp_path / "in", tmp_path / "out"
    in_dir.mkdir()
    (in_dir / "ok.txt").write_text(GOOD, encoding="utf-8")
    if case == "quarantining":
        (in_dir / "empty.txt").write_bytes(b"")
    state = clean_flow(input_dir=str(in_dir), output_dir=str(out), return_state=True)
    summary = state.result(raise_on_failure=False)  # as the CLI reads it; a Failed run's too
    verdict = gs.run_verdict(summary["gx_rows"], len(summary["quarantined"]), summary["files"])
    assert summary["verdict"] == verdict
    assert {"passing": "passed", "quarantining": "passed; 1 of 2 file(s) quarantined"}.get(
        case, verdict
    ) == verdict
    assert state.is_failed() == verdict.startswith("FAILED")
    if state.is_failed():
        assert verdict in (state.message or ""), state.message
    assert f"**Validation:** {verdict}" in made[SUMMARY_KEY]
    md = (out / "reports" / "validation.md").read_text(encoding="utf-8")
    assert f"**Run verdict:** {verdict}" in md.replace("\\", "")
