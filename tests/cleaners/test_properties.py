"""Properties of the cleaners over arbitrary text and bytes (hypothesis).

* no exception; an error document has no lines and says why;
* every non-blank raw line is accounted for exactly once in ``doc["lines"]`` (the evaluation tool's
  semantics for UTF-8 input; the pipeline's own decoding for any bytes);
* paragraphs are normalized as the contract says;
* the same input always gives the same output (also across processes with different hash seeds).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from badinput import cases, eval_lines, eval_norm, write_corpus
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleaners.encoding import decode_bytes
from cleaners.pipeline import Source, clean_corpus, documents

#: Runs flows, servers or long property searches: `bash scripts/test.sh --all` runs it.
pytestmark = pytest.mark.slow

SETTINGS = settings(
    max_examples=int(os.environ.get("NEWSCLEAN_HYPOTHESIS_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
ROLES = {"title", "subtitle", "meta", "byline", "body", "caption", "boilerplate"}
#: What must never be in a paragraph: every white space but U+0020, zero-width space, word joiner,
#: soft hyphen, byte-order mark.
_REMOVED = {"\u200b", "\u2060", "\u00ad", "\ufeff"}

# Lines built from pieces that stress the cleaners: news words, exotic spaces, invisible marks,
# quotes, mojibake, combining marks, controls, boilerplate phrases, line breaks of every kind.
_PIECES = st.sampled_from(
    [
        "The storm hit the coast.",
        "Read more:",
        "Advertisement",
        "SOURCE: www.reuters.com",
        "“quoted”",
        "‘single’",
        "donâ€™t",
        "Ã©",
        "e\u0301",
        "\u00a0",
        "\u2009",
        "\u3000",
        "\u200b",
        "\u00ad",
        "\ufeff",
        "\u2060",
        "\t",
        "  ",
        "\x00",
        "\x1c",
        "\x85",
        "\u2028",
        "\r\n",
        "\r",
        "\n",
        "\x0b",
        "&amp;",
        "&nbsp;",
        "<p>",
        "…",
        "—",
        "Kim Jong Un",
        "said",
        "(AP)",
        "http://x.y/z",
    ]
)
NEWSY = st.lists(st.one_of(_PIECES, st.text(max_size=8)), max_size=40).map("".join)
TEXT = st.one_of(st.text(max_size=400), NEWSY)


def _doc(data: bytes) -> dict:
    docs = documents(clean_corpus([Source("x.txt", data)]))
    assert list(docs) == ["x.txt"]
    return docs["x.txt"]


def _check_common(doc: dict) -> None:
    if "error" in doc:
        assert doc["lines"] == [] and doc["articles"] == []
        assert doc["error"]["kind"] and doc["error"]["message"]
        return
    ns = [ln["n"] for ln in doc["lines"]]
    assert ns == sorted(set(ns)), "lines unordered or repeated"
    for ln in doc["lines"]:
        assert ln["role"] in ROLES
        assert ln["role"] in ("body", "title") or ln["reason"]
    for art in doc["articles"]:
        for p in art["paragraphs"]:
            assert p, "empty paragraph"
            assert p == unicodedata.normalize("NFC", p), f"not NFC: {p!r}"
            assert p == p.strip(" ") and "  " not in p, f"untrimmed or doubled space: {p!r}"
            bad = [c for c in p if (c.isspace() and c != " ") or c in _REMOVED]
            assert not bad, f"unnormalized characters {bad!r} in {p!r}"


@SETTINGS
@given(TEXT)
def test_text_lines_conserved_and_paragraphs_normalized(text: str) -> None:
    data = text.encode("utf-8")
    doc = _doc(data)
    _check_common(doc)
    if "error" in doc:
        # only inputs that really are not text may be refused
        assert doc["error"]["kind"] in {"empty", "binary"}, doc["error"]
        if doc["error"]["kind"] == "empty":  # no bytes, or nothing visible in them
            assert all(c.isspace() or unicodedata.category(c) in ("Cc", "Cf") for c in text), text
        return
    if doc["encoding"]["detected"] in ("utf-8", "utf-8-sig"):
        assert [ln["n"] for ln in doc["lines"]] == eval_lines(data)


@SETTINGS
@given(st.binary(max_size=600))
def test_any_bytes_no_exception_and_lines_conserved(data: bytes) -> None:
    doc = _doc(data)
    _check_common(doc)
    if "error" in doc:
        return
    text = decode_bytes(data).text
    assert text is not None
    lines = text.splitlines()
    # A line blank once decoded with a fallback, but holding bytes a UTF-8 reader sees as U+FFFD
    # (the evaluation tool), is accounted for too, so every reader agrees on the lines.
    view = data.decode("utf-8", "replace").splitlines() if doc["encoding"]["fallback_lines"] else []
    undecodable = {
        n
        for n, v in enumerate(view, start=1)
        if len(view) == len(lines) and "\ufffd" in v and not v.replace("\ufffd", "").strip()
    }
    want = [n for n, line in enumerate(lines, start=1) if eval_norm(line) or n in undecodable]
    assert [ln["n"] for ln in doc["lines"]] == want
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return
    if doc["encoding"]["detected"] == "utf-8":
        assert want == eval_lines(data)


@SETTINGS
@given(st.lists(TEXT, min_size=1, max_size=4))
def test_same_input_same_output(texts: list[str]) -> None:
    sources = [Source(f"f{i}.txt", t.encode("utf-8")) for i, t in enumerate(texts)]
    first = json.dumps(documents(clean_corpus(sources)), sort_keys=True, ensure_ascii=False)
    again = json.dumps(documents(clean_corpus(list(reversed(sources)))), sort_keys=True, ensure_ascii=False)
    assert first == again


def test_same_output_across_hash_seeds(tmp_path: Path) -> None:
    """Two processes with different PYTHONHASHSEED write the same bytes (no set/dict-order leaks)."""
    seeds = Path(__file__).resolve().parents[2] / "seeds"
    corpus = tmp_path / "in"
    write_corpus(corpus, [c for c in cases(big=False) if c.kind == "file"])
    for p in seeds.glob("*.txt"):
        (corpus / p.name).write_bytes(p.read_bytes())
    outs = []
    for seed in ("1", "2"):
        out = tmp_path / f"out-{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        r = subprocess.run(
            [str(Path(sys.executable).parent / "newsclean"), "clean", str(corpus), "--output", str(out)],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert r.returncode == 0, r.stderr[-2000:]
        outs.append({p.name: p.read_bytes() for p in sorted(out.iterdir())})
    assert len(outs[0]) >= 20
    assert outs[0] == outs[1], [k for k in outs[0] if outs[0][k] != outs[1].get(k)]


@pytest.mark.parametrize("blank_ish", [b"\xa0", b"\xa0 \xa0", b"\xad", b"\t\xa0"])
def test_fallback_blank_lines_counted_like_the_evaluator(blank_ish: bytes) -> None:
    data = b"Storm hits the coast\n" + blank_ish + b"\nThe storm hit the coast on Monday, officials said.\n"
    doc = _doc(data)
    assert [ln["n"] for ln in doc["lines"]] == eval_lines(data)
