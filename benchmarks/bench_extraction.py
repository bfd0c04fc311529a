"""Benchmark body extraction on the invented fixture pages in ``tests/fixtures/pages/``.

    .venv/bin/python benchmarks/bench_extraction.py              # in-process, one page at a time
    .venv/bin/python benchmarks/bench_extraction.py --cli        # through `newsclean clean - --format text`
    .venv/bin/python benchmarks/bench_extraction.py --batch 200  # also a 200-page batch through the CLI
    .venv/bin/python benchmarks/bench_extraction.py --verbose    # show missed and leaked lines

Each fixture is a pair: ``NAME.txt`` (the scraped page) and ``NAME.body.txt`` (the expected
body paragraphs, blank-line separated). A name starting with ``a`` is flavour (a), text left by a
main-content extractor; ``b`` is flavour (b), all visible text of the page, one line per block.

Score: body-only shingle F1. Tokens are the lowercase ``\\w+`` runs of the NFC text; shingles are
the 4-token windows (a text shorter than four tokens is one shingle), counted as a multiset;
precision and recall per page, F1 per page, averaged over pages. The keep-everything baseline
scores all non-blank lines of the page as if they were the body.

Prints a table per page, the means per flavour, and as the last line one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

FIXTURES = ROOT / "tests" / "fixtures" / "pages"
CLI = ROOT / ".venv" / "bin" / "newsclean"
_TOKEN = re.compile(r"\w+")
_SHINGLE = 4


def shingles(text: str, k: int = _SHINGLE) -> Counter[tuple[str, ...]]:
    """Multiset of ``k``-token windows of the lowercase ``\\w+`` tokens of ``text``.

    >>> sorted(shingles("A b, c d e"))
    [('a', 'b', 'c', 'd'), ('b', 'c', 'd', 'e')]
    >>> shingles("Two words")
    Counter({('two', 'words'): 1})
    >>> shingles("  ")
    Counter()
    """
    toks = _TOKEN.findall(unicodedata.normalize("NFC", text).lower())
    if not toks:
        return Counter()
    if len(toks) < k:
        return Counter([tuple(toks)])
    return Counter(tuple(toks[i : i + k]) for i in range(len(toks) - k + 1))


def prf(pred: str, gold: str) -> tuple[float, float, float]:
    """Shingle precision, recall and F1 of ``pred`` against ``gold``.

    >>> prf("the cat sat on the mat", "the cat sat on the mat")
    (1.0, 1.0, 1.0)
    >>> prf("", "")
    (1.0, 1.0, 1.0)
    >>> prf("", "the cat sat on the mat")
    (0.0, 0.0, 0.0)
    """
    p, g = shingles(pred), shingles(gold)
    if not p and not g:
        return 1.0, 1.0, 1.0
    tp = sum((p & g).values())
    precision = tp / sum(p.values()) if p else 0.0
    recall = tp / sum(g.values()) if g else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


@dataclass
class Page:
    name: str
    raw: bytes
    gold: str

    @property
    def flavour(self) -> str:
        return "b" if self.name.startswith("b") else "a"

    @property
    def keep_everything(self) -> str:
        text = self.raw.decode("utf-8", errors="replace")
        return "\n".join(ln for ln in text.splitlines() if ln.strip())


def load_pages(folder: Path = FIXTURES) -> list[Page]:
    pages = []
    for body in sorted(folder.glob("*.body.txt")):
        name = body.name[: -len(".body.txt")]
        pages.append(Page(name, (folder / f"{name}.txt").read_bytes(), body.read_text(encoding="utf-8")))
    return pages


def extract_in_process(page: Page) -> str:
    """The ``--format text`` output of one page, cleaned on its own (no cross-file repetition)."""
    from cleaners.pipeline import Source, body_text, clean_corpus, documents

    doc = documents(clean_corpus([Source(f"{page.name}.txt", page.raw)]))[f"{page.name}.txt"]
    return body_text(doc)


def extract_cli(page: Page) -> str:
    out = subprocess.run(
        [str(CLI), "clean", "-", "--format", "text"], input=page.raw, capture_output=True, check=True
    )
    return out.stdout.decode("utf-8")


def _variant(raw: bytes, k: int) -> bytes:
    """Same page, different bytes: CRLF endings, doubled blank lines, trailing no-break spaces."""
    text = raw.decode("utf-8")
    if k % 4 == 1:
        return text.replace("\n", "\r\n").encode("utf-8")
    if k % 4 == 2:
        return text.replace("\n", "\n\n").encode("utf-8")
    if k % 4 == 3:
        return "\n".join(ln + "\u00a0 " if ln else ln for ln in text.split("\n")).encode("utf-8")
    return raw


def run_batch(pages: list[Page], n: int) -> dict[str, object]:
    """Feed ``n`` pages (the fixtures repeated with byte-level variations) through the CLI in one process."""
    tmp = Path(tempfile.mkdtemp(prefix="bench_extraction_"))
    try:
        src, out = tmp / "in", tmp / "out"
        src.mkdir()
        golds: dict[str, Page] = {}
        for i in range(n):
            page = pages[i % len(pages)]
            stem = f"{i:03d}_{page.name}"
            (src / f"{stem}.txt").write_bytes(_variant(page.raw, i // len(pages)))
            golds[stem] = page
        t0 = time.perf_counter()
        proc = subprocess.run(
            [str(CLI), "clean", str(src), "--output", str(out), "--format", "text"],
            capture_output=True,
            text=True,
        )
        seconds = time.perf_counter() - t0
        written = sorted(out.glob("*.txt")) if out.exists() else []
        f1s = {"a": [], "b": []}
        for path in written:
            page = golds.get(path.stem)
            if page is not None:
                f1s[page.flavour].append(prf(path.read_text(encoding="utf-8"), page.gold)[2])
        return {
            "pages": n,
            "returncode": proc.returncode,
            "written": len(written),
            "seconds": round(seconds, 2),
            "ok": proc.returncode == 0 and len(written) == n,
            "stderr_tail": proc.stderr.strip().splitlines()[-1:] if proc.stderr.strip() else [],
            # Pages repeat across the batch, so repetition signals weigh in: informational only.
            "mean_f1_a": round(sum(f1s["a"]) / len(f1s["a"]), 4) if f1s["a"] else None,
            "mean_f1_b": round(sum(f1s["b"]) / len(f1s["b"]), 4) if f1s["b"] else None,
        }
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _diff(pred: str, gold: str) -> tuple[list[str], list[str]]:
    """Gold paragraphs missing from the prediction, predicted paragraphs not in gold."""
    norm = lambda s: " ".join(unicodedata.normalize("NFKC", s).split())  # noqa: E731
    p = [norm(x) for x in pred.split("\n\n") if x.strip()]
    g = [norm(x) for x in gold.split("\n\n") if x.strip()]
    return [x for x in g if x not in p], [x for x in p if x not in g]


def evaluate(pages: list[Page], extract=extract_in_process) -> list[dict[str, object]]:
    rows = []
    for page in pages:
        pred = extract(page)
        p, r, f = prf(pred, page.gold)
        bp, br, bf = prf(page.keep_everything, page.gold)
        missed, leaked = _diff(pred, page.gold)
        rows.append(
            {
                "page": page.name,
                "flavour": page.flavour,
                "f1": f,
                "precision": p,
                "recall": r,
                "baseline_f1": bf,
                "missed": missed,
                "leaked": leaked,
            }
        )
    return rows


def summarize(rows: list[dict[str, object]]) -> dict[str, object]:
    out: dict[str, object] = {"pages": len(rows)}
    for fl in ("a", "b"):
        sel = [r for r in rows if r["flavour"] == fl]
        for key in ("f1", "precision", "recall", "baseline_f1"):
            vals = [float(r[key]) for r in sel]  # type: ignore[arg-type]
            out[f"{fl}_{key}"] = round(sum(vals) / len(vals), 4) if vals else None
        out[f"{fl}_pages"] = len(sel)
    vals = [float(r["f1"]) for r in rows]  # type: ignore[arg-type]
    out["mean_f1"] = round(sum(vals) / len(vals), 4) if vals else None
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fixtures", type=Path, default=FIXTURES)
    ap.add_argument("--cli", action="store_true", help="run each page through the newsclean CLI (stdin)")
    ap.add_argument("--batch", type=int, default=0, metavar="N", help="also run an N-page batch via the CLI")
    ap.add_argument("--verbose", "-v", action="store_true", help="list missed and leaked paragraphs")
    args = ap.parse_args(argv)

    pages = load_pages(args.fixtures)
    if not pages:
        print(f"no fixtures in {args.fixtures}", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    rows = evaluate(pages, extract_cli if args.cli else extract_in_process)
    seconds = time.perf_counter() - t0
    print(f"{'page':32} fl  {'F1':>6} {'P':>6} {'R':>6}  {'keep-all':>8}")
    for r in rows:
        print(
            f"{r['page']:32} {r['flavour']}   {r['f1']:6.3f} {r['precision']:6.3f} {r['recall']:6.3f}"
            f"  {r['baseline_f1']:8.3f}"
        )
        if args.verbose:
            for x in r["missed"]:  # type: ignore[attr-defined]
                print(f"    - missed: {x[:100]}")
            for x in r["leaked"]:  # type: ignore[attr-defined]
                print(f"    + leaked: {x[:100]}")
    summary = summarize(rows)
    summary["mode"] = "cli" if args.cli else "in_process"
    summary["seconds"] = round(seconds, 2)
    for fl in ("a", "b"):
        print(
            f"flavour {fl}: {summary[f'{fl}_pages']} pages, mean F1 {summary[f'{fl}_f1']}"
            f" (P {summary[f'{fl}_precision']}, R {summary[f'{fl}_recall']});"
            f" keep-everything {summary[f'{fl}_baseline_f1']}"
        )
    if args.batch:
        batch = run_batch(pages, args.batch)
        summary["batch"] = batch
        status = "completed without error" if batch["ok"] else "FAILED"
        print(
            f"batch: {batch['pages']} pages through `newsclean clean DIR --output OUT --format text` "
            f"{status} (rc {batch['returncode']}, {batch['written']} written, {batch['seconds']} s)"
        )
    print(json.dumps(summary, ensure_ascii=False))
    if args.batch and not summary["batch"]["ok"]:  # type: ignore[index]
        return 1
    return 0


if __name__ == "__main__":
    os.environ.setdefault("POLARS_MAX_THREADS", "2")
    sys.exit(main())
