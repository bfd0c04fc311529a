"""Choose the typo checks' fitted values by 5-fold cross-validation on typos-dev.

    .venv/bin/python benchmarks/typos_dev_cv.py [--shared ../shared] [--grid 2.5,2.8,3.1,3.5]
        [--tie-grid 2,1.5,1,0.5] [--uses-grid 1,2,3,1000]

conll_dev and names_dev are the same 201 documents with different errors: a fold is the document
index mod 5 in both. The fitted values of :mod:`cleaners.config` are the misspelling check's
rare-word gap (``rare_gap``), the zipf that makes a name the dominant spelling on a tie
(``name_tie_zipf``) and how often a rare word may be used in an article and still be flagged
(``rare_word_max_uses``). For each fold, the combination that maximizes the sum of the two sets'
F1 on the other four folds is chosen, and the fold is scored with it. Prints the combination each
fold chose, the out-of-fold precision, recall, F1, false alarms per 1,000 words (on names apart)
and first-suggestion accuracy per set, then the shipped combination's figure on all documents
(in-sample). The metric is ``score`` from ``../shared/eval/typos_dev.py``. See docs/typos.md.
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


Combo = tuple[float, float, int]  # rare_gap, name_tie_zipf, rare_word_max_uses


def _flags(docs: list[dict], combo: Combo) -> dict[str, list[dict]]:
    gap, tie, uses = combo
    if typos.CONFIG.rare_gap != gap:
        typos.CONFIG = dataclasses.replace(typos.CONFIG, rare_gap=gap)
        typos.release_lexicons()  # the word tables and per-word decisions follow the gap
    typos.CONFIG = dataclasses.replace(typos.CONFIG, name_tie_zipf=tie, rare_word_max_uses=uses)
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
    ap.add_argument("--grid", default="2.5,2.8,3.1,3.5", help="rare_gap values")
    ap.add_argument("--tie-grid", default="2,1.5,1,0.5", help="name_tie_zipf values (ties go to the first)")
    ap.add_argument("--uses-grid", default="1,2,3,1000", help="rare_word_max_uses values")
    a = ap.parse_args()
    ev = _scorer(a.shared)
    shipped = typos.CONFIG
    grid: list[Combo] = [
        (float(g), float(t), int(u))
        for g in a.grid.split(",")
        for t in a.tie_grid.split(",")
        for u in a.uses_grid.split(",")
    ]
    data = a.shared / "data" / "typos-dev"
    sets = {
        s: [
            json.loads(x) for x in (data / f"{s}.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()
        ]
        for s in SETS
    }
    flags = {(s, c): _flags(docs, c) for c in grid for s, docs in sets.items()}
    every = set(range(FOLDS))

    def score(s: str, g: Combo, fold: set[int]) -> dict[str, Any]:
        return dict(ev.score([d for i, d in enumerate(sets[s]) if i % FOLDS in fold], flags[(s, g)]))

    total = {s: Counter() for s in SETS}
    chosen = []
    for k in range(FOLDS):
        train = every - {k}
        best = max(grid, key=lambda g: sum(score(s, g, train)["f1"] for s in SETS))
        chosen.append(best)
        for s in SETS:
            r = score(s, best, {k})
            for key in ("tp", "fp", "fn", "words"):
                total[s][key] += r[key]
            total[s]["fp_names"] += r["false_alarms_on_names_per_1k_words"] * r["words"] / 1000
            total[s]["sugg"] += r["suggestion_right"] * r["tp"]
    print("chosen per fold (rare_gap, name_tie_zipf, rare_word_max_uses):", ", ".join(f"{c}" for c in chosen))
    for s, c in total.items():
        p = c["tp"] / max(1, c["tp"] + c["fp"])
        r = c["tp"] / max(1, c["tp"] + c["fn"])
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        print(
            f"{s:10} out-of-fold P {p:.3f} R {r:.3f} F1 {f1:.3f}  false alarms "
            f"{1000 * c['fp'] / c['words']:.2f}/1k words ({1000 * c['fp_names'] / c['words']:.2f} on names)  "
            f"suggestion right {c['sugg'] / max(1, c['tp']):.2f}  (flagging nothing: R 0.000)"
        )
    best_all = max(grid, key=lambda g: sum(score(s, g, every)["f1"] for s in SETS))
    print(f"chosen on every document: {best_all}")
    ship: Combo = (shipped.rare_gap, shipped.name_tie_zipf, shipped.rare_word_max_uses)
    if ship in grid:
        print(f"in-sample, every document, shipped {ship}:")
        print("  " + "  ".join(f"{s} F1 {score(s, ship, every)['f1']:.3f}" for s in SETS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
