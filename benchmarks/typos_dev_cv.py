"""Choose the misspelling check's rare-word gap by 5-fold cross-validation on typos-dev.

    .venv/bin/python benchmarks/typos_dev_cv.py [--shared ../shared] [--grid 2.2,2.5,2.8,3.1,3.5,4.0]

conll_dev and names_dev are the same 201 documents with different errors: a fold is the document
index mod 5 in both. For each fold, the gap (``CleanerConfig.rare_gap`` of :mod:`cleaners.config`) that maximizes the sum
of the two sets' F1 on the other four folds is chosen, and the fold is scored with it. Prints the
gap each fold chose, the out-of-fold precision, recall, F1, false alarms per 1,000 words (on names
apart) and first-suggestion accuracy per set, then each gap's figure on all documents (in-sample).
The metric is ``score`` from ``../shared/eval/typos_dev.py``. See docs/typos.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from cleaners import typos  # noqa: E402

SETS = ("conll_dev", "names_dev")
FOLDS = 5


def _scorer(shared: Path) -> Any:
    spec = importlib.util.spec_from_file_location("typos_dev_eval", shared / "eval" / "typos_dev.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _flags(docs: list[dict], gap: float) -> dict[str, list[dict]]:
    typos.CONFIG = dataclasses.replace(typos.CONFIG, rare_gap=gap)
    typos.release_lexicons()  # the word tables and per-word decisions follow the gap
    return {
        d["id"]: [
            {"start": t.start, "end": t.end, "kind": t.kind, "suggestion": t.suggestion}
            for t in typos.find_typos_in_text(d["text"])
        ]
        for d in docs
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--grid", default="2.2,2.5,2.8,3.1,3.5,4.0")
    a = ap.parse_args()
    ev = _scorer(a.shared)
    grid = [float(x) for x in a.grid.split(",")]
    data = a.shared / "data" / "typos-dev"
    sets = {
        s: [
            json.loads(x) for x in (data / f"{s}.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()
        ]
        for s in SETS
    }
    flags = {(s, g): _flags(docs, g) for s, docs in sets.items() for g in grid}

    def score(s: str, g: float, fold: set[int]) -> dict[str, Any]:
        return dict(ev.score([d for i, d in enumerate(sets[s]) if i % FOLDS in fold], flags[(s, g)]))

    total = {s: Counter() for s in SETS}
    chosen = []
    for k in range(FOLDS):
        train = set(range(FOLDS)) - {k}
        best = max(grid, key=lambda g: sum(score(s, g, train)["f1"] for s in SETS))
        chosen.append(best)
        for s in SETS:
            r = score(s, best, {k})
            for key in ("tp", "fp", "fn", "words"):
                total[s][key] += r[key]
            total[s]["fp_names"] += r["false_alarms_on_names_per_1k_words"] * r["words"] / 1000
            total[s]["sugg"] += r["suggestion_right"] * r["tp"]
    print("gap chosen per fold:", ", ".join(f"{g:g}" for g in chosen))
    for s, c in total.items():
        p = c["tp"] / max(1, c["tp"] + c["fp"])
        r = c["tp"] / max(1, c["tp"] + c["fn"])
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        print(
            f"{s:10} out-of-fold P {p:.3f} R {r:.3f} F1 {f1:.3f}  false alarms "
            f"{1000 * c['fp'] / c['words']:.2f}/1k words ({1000 * c['fp_names'] / c['words']:.2f} on names)  "
            f"suggestion right {c['sugg'] / max(1, c['tp']):.2f}  (flagging nothing: R 0.000)"
        )
    print("in-sample, every document:")
    for g in grid:
        print(
            f"  gap {g:g}: " + "  ".join(f"{s} F1 {score(s, g, set(range(FOLDS)))['f1']:.3f}" for s in SETS)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
