"""Line-model throughput: features and both LightGBM stages over the realworld corpora, one core.

    .venv/bin/python benchmarks/bench_line_model.py [--shared ../shared]

Prints lines/s of the feature expressions, of the model (both stages, one thread), and of the whole
role decision (``assign_structure``), over every naive and extracted page of ../shared/data/realworld.
"""

from __future__ import annotations

import argparse
import os
import time
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
    t = time.perf_counter()
    feats = line_features(signals)
    t_feat = time.perf_counter() - t
    t = time.perf_counter()
    model.scores(feats)
    t_model = time.perf_counter() - t
    t = time.perf_counter()
    assign_structure(signals)
    t_all = time.perf_counter() - t
    print(f"{len(paths)} pages, {n:,} lines")
    print(f"features        {t_feat:6.2f} s  {n / t_feat:12,.0f} lines/s")
    print(f"model (2 stages){t_model:6.2f} s  {n / t_model:12,.0f} lines/s")
    print(f"assign_structure{t_all:6.2f} s  {n / t_all:12,.0f} lines/s (features, model with reasons, roles)")


if __name__ == "__main__":
    main()
