"""Benchmark typo detection on the labelled set in ``tests/typo_eval/``.

    .venv/bin/python benchmarks/bench_typos.py            # all files
    .venv/bin/python benchmarks/bench_typos.py --verbose  # list misses and false alarms

Prints precision, recall, F1, kind accuracy, first-suggestion accuracy, name false alarms
per 1,000 words, flags per 1,000 words on clean text and words/s; the last line is one JSON
object. The set format is described at the top of ``tests/typo_eval/dev.txt``.

Throughput is measured with the per-word caches cleared before every pass (lexicons stay
loaded), so repeated words inside one pass are the only cache hits.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from cleaners import typos  # noqa: E402

EVAL_DIR = ROOT / "tests" / "typo_eval"
SCORED_KINDS = frozenset(typos.KINDS) - {"grammar"}
_MARK = re.compile(r"\{\{([^{}|]*)\|([^{}|]*)\|([a-z_]*)\}\}")
_WORDS = re.compile(r"\w+")


@dataclass
class Label:
    paragraph: int
    start: int
    end: int
    wrong: str
    right: str
    kind: str


@dataclass
class Article:
    name: str
    corrupted: list[str] = field(default_factory=list)
    clean: list[str] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)


def parse_line(line: str) -> tuple[str, str, list[tuple[int, int, str, str, str]]]:
    """Corrupted text, clean text and labelled spans (start, end, wrong, right, kind) of one line."""
    bad, good, spans = [], [], []
    pos = bad_len = 0
    for m in _MARK.finditer(line):
        bad.append(line[pos : m.start()])
        good.append(line[pos : m.start()])
        bad_len += m.start() - pos
        wrong, right, kind = m.groups()
        spans.append((bad_len, bad_len + len(wrong), wrong, right, kind))
        bad.append(wrong)
        good.append(right)
        bad_len += len(wrong)
        pos = m.end()
    bad.append(line[pos:])
    good.append(line[pos:])
    return "".join(bad), " ".join("".join(good).split()), spans


def load_file(path: Path) -> list[Article]:
    """Articles of one evaluation file."""
    arts: list[Article] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("==="):
            arts.append(Article(line[3:].strip()))
            continue
        if not arts:
            arts.append(Article(path.stem))
        art = arts[-1]
        bad, good, spans = parse_line(line)
        idx = len(art.corrupted)
        art.corrupted.append(bad)
        art.clean.append(good)
        for s, e, wrong, right, kind in spans:
            if kind and kind != "fix":
                art.labels.append(Label(idx, s, e, wrong, right, kind))
    return arts


def load_eval(
    names: tuple[str, ...] = ("dev.txt", "holdout.txt", "holdout2.txt", "clean.txt", "clean2.txt"),
) -> dict[str, list[Article]]:
    """All evaluation files that exist, by file stem."""
    return {Path(n).stem: load_file(EVAL_DIR / n) for n in names if (EVAL_DIR / n).exists()}


def n_words(paragraphs: list[str]) -> int:
    return sum(len(_WORDS.findall(p)) for p in paragraphs)


def evaluate(articles: list[Article], verbose: bool = False) -> dict[str, float | int]:
    """Score find_typos on corrupted and clean versions of the articles."""
    tp = n_pred = n_gold = kind_ok = 0
    sugg_total = sugg_ok = 0
    name_fa = 0
    realword_gold = realword_hit = 0
    per_kind_gold: Counter[str] = Counter()
    per_kind_hit: Counter[str] = Counter()
    words = clean_words = clean_flags = 0
    for art in articles:
        preds = typos.find_typos(art.corrupted)
        words += n_words(art.corrupted)
        gold = [lb for lb in art.labels if lb.kind in SCORED_KINDS]
        real = [lb for lb in art.labels if lb.kind == "realword"]
        n_gold += len(gold)
        n_pred += len(preds)
        used: set[int] = set()
        for t in preds:
            hit = None
            for gi, g in enumerate(gold):
                if gi not in used and g.paragraph == t.paragraph and t.start < g.end and g.start < t.end:
                    hit = gi
                    break
            if hit is None:
                if any(r.paragraph == t.paragraph and t.start < r.end and r.start < t.end for r in real):
                    realword_hit += 1
                    n_pred -= 1  # a real-word error caught is neither a false alarm nor scored
                    continue
                if t.kind == "name_inconsistency":
                    name_fa += 1
                if verbose:
                    print(f"  FALSE  {art.name}[{t.paragraph}] {t.token!r} {t.kind} -> {t.suggestion}")
                continue
            used.add(hit)
            g = gold[hit]
            tp += 1
            per_kind_hit[g.kind] += 1
            kind_ok += t.kind == g.kind
            if g.kind in ("misspelling", "name_inconsistency"):
                sugg_total += 1
                ok = (t.suggestion or "").lower() == g.right.lower()
                sugg_ok += ok
                if verbose and not ok:
                    print(
                        f"  SUGG   {art.name}[{t.paragraph}] {g.wrong!r}: got {t.suggestion!r}, want {g.right!r}"
                    )
        for gi, g in enumerate(gold):
            per_kind_gold[g.kind] += 1
            if verbose and gi not in used:
                print(f"  MISSED {art.name}[{g.paragraph}] {g.wrong!r} ({g.kind})")
        realword_gold += len(real)
        # the same article without the injected errors: every flag is a false alarm
        clean_preds = typos.find_typos(art.clean)
        clean_words += n_words(art.clean)
        clean_flags += len(clean_preds)
        name_fa += sum(t.kind == "name_inconsistency" for t in clean_preds)
        if verbose:
            for t in clean_preds:
                print(f"  CLEAN  {art.name}[{t.paragraph}] {t.token!r} {t.kind} -> {t.suggestion}")
    p = tp / n_pred if n_pred else 1.0
    r = tp / n_gold if n_gold else 1.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    out: dict[str, float | int] = {
        "gold": n_gold,
        "pred": n_pred,
        "tp": tp,
        "precision": round(p, 4),
        "recall": round(r, 4),
        "f1": round(f1, 4),
        "kind_accuracy": round(kind_ok / tp, 4) if tp else 0.0,
        "first_suggestion_accuracy": round(sugg_ok / sugg_total, 4) if sugg_total else 0.0,
        "name_false_alarms_per_1k_words": round(1000 * name_fa / max(words + clean_words, 1), 3),
        "clean_flags_per_1k_words": round(1000 * clean_flags / max(clean_words, 1), 3),
        "realword_recall": round(realword_hit / realword_gold, 4) if realword_gold else 0.0,
        "words": words + clean_words,
    }
    for k in sorted(per_kind_gold):
        out[f"recall_{k}"] = round(per_kind_hit[k] / per_kind_gold[k], 4)
    return out


def throughput(articles: list[Article], min_seconds: float = 2.0) -> tuple[float, float]:
    """(words per second with per-word caches cleared each pass, first-load seconds)."""
    t0 = time.perf_counter()
    typos.find_typos(["Warm up the lexicons, recieve."])
    load = time.perf_counter() - t0
    texts = [a.corrupted for a in articles] + [a.clean for a in articles]
    words = sum(n_words(t) for t in texts)
    total_words, elapsed = 0, 0.0
    while elapsed < min_seconds:
        typos._check_lower.cache_clear()
        typos._candidates.cache_clear()
        t0 = time.perf_counter()
        for t in texts:
            typos.find_typos(t)
        elapsed += time.perf_counter() - t0
        total_words += words
    return total_words / elapsed, load


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--verbose", "-v", action="store_true")
    ap.add_argument("--seconds", type=float, default=2.0, help="minimum timing duration")
    a = ap.parse_args()
    sets = load_eval()
    wps, load = throughput([x for arts in sets.values() for x in arts], a.seconds)
    result: dict[str, object] = {}
    for name, arts in sets.items():
        if a.verbose:
            print(f"== {name}")
        r = evaluate(arts, a.verbose)
        result[name] = r
        print(f"{name}: " + ", ".join(f"{k}={v}" for k, v in r.items()))
    labelled = [x for n, arts in sets.items() if not n.startswith("clean") for x in arts]
    every = [x for arts in sets.values() for x in arts]
    overall = evaluate(labelled)
    overall["clean_flags_per_1k_words"] = evaluate(every)["clean_flags_per_1k_words"]
    overall["name_false_alarms_per_1k_words"] = evaluate(every)["name_false_alarms_per_1k_words"]
    overall["words_per_second"] = round(wps)
    overall["first_load_seconds"] = round(load, 2)
    for k in (
        "precision",
        "recall",
        "f1",
        "first_suggestion_accuracy",
        "name_false_alarms_per_1k_words",
        "clean_flags_per_1k_words",
        "words_per_second",
    ):
        print(f"{k:34} {overall[k]}")
    result["overall"] = overall
    print(json.dumps(result["overall"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
