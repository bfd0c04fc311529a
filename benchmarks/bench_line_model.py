"""Line-model throughput: features and both LightGBM stages over the realworld corpora, one core.

    .venv/bin/python benchmarks/bench_line_model.py [--shared ../shared]

Prints lines/s of the feature expressions, of the model (both stages, one thread), and of the whole
role decision (``assign_structure``), over every naive and extracted page of ../shared/data/realworld:
the first call (which also pays for touching fresh memory) and the best of three.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("POLARS_MAX_THREADS", "1")

from cleaners.features import line_features
from cleaners.lines import line_signals
from cleaners.model import load_model
from cleaners.pipeline import Source, decode_sources, repair_lines
from cleaners.structure import assign_structure


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default="../shared")
    args = ap.parse_args()
    base = Path(args.shared) / "data" / "realworld"
    paths = sorted(base.glob("*/*/*.txt"))
    paths = [p for p in paths if p.parent.name in ("naive", "extracted")]
    _, raw = decode_sources(
        [Source(f"{p.parent.parent.name}-{p.parent.name}-{p.name}", p.read_bytes()) for p in paths]
    )
    signals = line_signals(repair_lines(raw))
    n = signals.height
    model = load_model()

    def timed(fn: Callable[[], object]) -> tuple[float, float]:
        times = []
        for _ in range(3):
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
        return times[0], min(times)

    feats = line_features(signals)
    rows = {
        "features": timed(lambda: line_features(signals)),
        "model (2 stages)": timed(lambda: model.scores(feats)),
        "assign_structure": timed(lambda: assign_structure(signals)),
    }
    print(f"{len(paths)} pages, {n:,} lines; first call, then best of 3")
    for name, (first, best) in rows.items():
        print(
            f"{name:17} {first:6.2f} s {n / first:11,.0f} lines/s   best {best:6.2f} s {n / best:11,.0f} lines/s"
        )
    print("assign_structure: features, model with reasons, roles")


if __name__ == "__main__":
    main()
