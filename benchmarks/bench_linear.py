"""Every stage stays linear on adversarial lines: seconds per stage at 1k, 10k, 100k and 1M characters.

    .venv/bin/python benchmarks/bench_linear.py [--only NAME ...] [--max-chars 1048576]

The inputs are the 1 MB adversarial lines of ``tests/test_hostile.py`` (``ADVERSARIAL``: runs of
dots, quotes, brackets, URLs, names, doubled words, controls…) plus the two that were quadratic
(``"http://" + "a" * n`` and a random a/b token), each cut to the size, between a headline and a
closing sentence, through the stages of ``cleaners.pipeline.clean_corpus`` one by one. Prints one
row per input: the seconds of the slowest stage at each size and the growth from 100k to 1M
characters (linear: about 10 once the fixed cost is small beside it; quadratic: about 100), then
the worst growth. Each size runs ``--repeat`` times and the fastest counts. A figure to read, not a
timed test: the machine is shared.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
for p in (ROOT, ROOT / "tests"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

from test_hostile import ADVERSARIAL, MB  # noqa: E402

from cleaners.pipeline import (  # noqa: E402
    Source,
    build_articles,
    classify_lines,
    decode_sources,
    detect_typos,
    name_rows,
    pool_names,
    repair_lines,
)

SIZES = (1_000, 10_000, 100_000, 1_000_000)


def _inputs() -> dict[str, str]:
    rng = random.Random(0)
    extra = {
        "url_token": "http://" + "a" * MB,
        "ab_token": "".join(rng.choice("ab") for _ in range(MB)),
    }
    return {**ADVERSARIAL, **extra}


def _typos(articles: Any) -> Any:
    names = name_rows(articles)
    return detect_typos(articles, pool_names(names), names)


#: clean_corpus's stages in order, each fed the one before's result.
STAGES: tuple[tuple[str, Callable[[Any], Any]], ...] = (
    ("decode", lambda data: decode_sources([Source("x.txt", data)])[1]),
    ("repair", repair_lines),
    ("classify", classify_lines),
    ("articles", build_articles),
    ("typos", _typos),
)


def stage_seconds(line: str) -> dict[str, float]:
    """Seconds of each stage of clean_corpus on one file holding ``line``."""
    value: Any = ("Headline\n" + line + "\nThe end of the story.\n").encode("utf-8")
    out: dict[str, float] = {}
    for name, stage in STAGES:
        t = time.perf_counter()
        value = stage(value)
        out[name] = time.perf_counter() - t
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", nargs="*", help="inputs to run (default: all)")
    ap.add_argument("--max-chars", type=int, default=SIZES[-1])
    ap.add_argument("--repeat", type=int, default=2, help="runs per size; the fastest counts (default 2)")
    a = ap.parse_args()
    sizes = [s for s in SIZES if s <= a.max_chars]
    stage_seconds("warm up the lexicons and the model. " * 20)
    inputs = {k: v for k, v in _inputs().items() if not a.only or k in a.only}
    print(f"{'input':18} " + " ".join(f"{s:>9,}" for s in sizes) + "   growth  slowest stage")
    worst = 0.0
    for name, line in inputs.items():
        row = []
        for size in sizes:
            unit = line[:size] if len(line) >= size else (line * (size // max(1, len(line)) + 1))[:size]
            runs = [stage_seconds(unit) for _ in range(a.repeat)]
            row.append(min(runs, key=lambda r: sum(r.values())))  # the least disturbed run
        last = row[-1]
        slow = max(last, key=lambda k: last[k])
        tot = [sum(r.values()) for r in row]
        growth = tot[-1] / max(tot[-2], 1e-3) if len(tot) > 1 else float("nan")
        worst = max(worst, growth)
        print(f"{name:18} " + " ".join(f"{x:9.3f}" for x in tot) + f"   {growth:6.1f}  {slow}")
    print(f"worst growth per 10x characters: {worst:.1f} (linear is about 10)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
