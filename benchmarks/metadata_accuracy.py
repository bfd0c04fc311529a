"""Title, byline, source and date accuracy on the readability pages, against ``metadata.json``.

Runs ``newsclean clean`` on ``../shared/data/realworld/readability/<input>`` and compares the first
article's fields with the expected ones, over the pages that have the field: the title exactly after
normalizing case, white space and quote marks (and leniently: a ``<title>`` such as "Mozilla -
Wikipedia" also matches its first or longest part), the byline when one contains the other, the
source exactly, the published date by its day. The shipped models saw these pages: the figures are
in-sample (``newsclean train`` prints the title ranker's out-of-fold ones).

    .venv/bin/python benchmarks/metadata_accuracy.py [--input naive|extracted] [--shared ../shared] [-v]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cleaners.training.titles import title_key, title_variants  # noqa: E402

FIELDS = (("title", "title"), ("byline", "byline"), ("siteName", "source"), ("publishedTime", "published"))


def matches(field: str, want: str, got: str | None) -> bool:
    if got is None:
        return False
    if field == "publishedTime":
        return got[:10] == want[:10]
    if field == "byline":
        return title_key(want) in title_key(got) or title_key(got) in title_key(want)
    return title_key(got) == title_key(want)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--input", choices=("naive", "extracted"), default="naive")
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    ap.add_argument("-v", "--verbose", action="store_true", help="list every miss")
    args = ap.parse_args()
    base = Path(args.shared) / "data" / "realworld" / "readability"
    meta = json.loads((base / "metadata.json").read_text(encoding="utf-8"))
    console = Console()
    with tempfile.TemporaryDirectory() as out:
        cmd = [str(ROOT / ".venv" / "bin" / "newsclean"), "clean", str(base / args.input), "--output", out]
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode != 0:
            print(done.stderr, file=sys.stderr)
            return done.returncode
        docs = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in Path(out).glob("*.json")}
    right: dict[str, int] = {}
    total: dict[str, int] = {}
    lenient = 0
    for page, m in sorted(meta.items()):
        arts = docs.get(page, {}).get("articles") or [{}]
        art = arts[0]
        for field, key in FIELDS:
            want = m.get(field)
            if not want:
                continue
            total[field] = total.get(field, 0) + 1
            ok = matches(field, want, art.get(key))
            right[field] = right.get(field, 0) + ok
            if field == "title":
                lenient += art.get("title") is not None and title_key(art["title"]) in title_variants(want)
            if not ok and args.verbose:
                console.print(
                    f"{field:13} {page:28} want {want!r:.60}  got {art.get(key)!r:.60}", markup=False
                )
    table = Table(title=f"readability/{args.input}: first article against metadata.json (in-sample)")
    for col in ("field", "pages", "right", "accuracy", "nothing (baseline)"):
        table.add_column(col, justify="left" if col == "field" else "right")
    for field, _ in FIELDS:
        n = total.get(field, 0)
        table.add_row(
            field, str(n), str(right.get(field, 0)), f"{right.get(field, 0) / max(n, 1):.3f}", "0.000"
        )
    n = total.get("title", 0)
    table.add_row("title (lenient)", str(n), str(lenient), f"{lenient / max(n, 1):.3f}", "0.000")
    console.print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
