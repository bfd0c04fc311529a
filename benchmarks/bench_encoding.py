"""Benchmark of the encoding stage (prints figures; no assertions on time).

    .venv/bin/python benchmarks/bench_encoding.py [--mb 20] [--sample-mb 2] [--repeat 3] [--threads 1]

* ``repair_frame`` on clean news text: the seeds repeated to ``--mb`` MB;
* ``repair_frame`` on damaged text: the seeds' lines with mojibake, double mojibake, HTML
  entities, cp1252 lines, lost closing quotes, no-break/zero-width chars (``--sample-mb``);
* plain ``ftfy.fix_text`` per line on the same texts (on a ``--sample-mb`` slice: it runs at
  about 1 MB/s), and the ratio;
* the pre-check speed-up: ``repair_frame`` against the reference ``repair_line`` on every line
  (ftfy + normalization on everything), on the same slice;
* ``decode_bytes`` on the clean bytes.

Polars runs on ``--threads`` threads (default 1, so the figures are per core).  Every timing is
the best of ``--repeat`` runs.  The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--mb", type=float, default=20.0, help="size of the clean corpus in MB")
    p.add_argument("--sample-mb", type=float, default=2.0, help="size of the slices for ftfy / damaged text")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--threads", type=int, default=1, help="POLARS_MAX_THREADS (1 = per-core figures)")
    return p.parse_args()


ARGS = _parse() if __name__ == "__main__" else None
if ARGS is not None:
    os.environ["POLARS_MAX_THREADS"] = str(ARGS.threads)
sys.path.insert(0, str(ROOT))

import ftfy  # noqa: E402
import polars as pl  # noqa: E402

from cleaners.encoding import decode_bytes, repair_frame, repair_line, split_lines  # noqa: E402


def _best(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    best = float("inf")
    result: Any = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def _mb(lines: list[str]) -> float:
    return sum(len(line.encode("utf-8")) + 1 for line in lines) / 1e6


def _seed_lines() -> list[str]:
    lines: list[str] = []
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        text = decode_bytes(path.read_bytes()).text or ""
        lines.extend(split_lines(text))
    return lines


def _repeat_to(lines: list[str], mb: float) -> list[str]:
    size = _mb(lines)
    reps = max(1, int(mb / size + 0.999))
    return (lines * reps)[: max(1, int(len(lines) * mb / size))]


def _mojibake(text: str) -> str:
    return text.encode("utf-8").decode("cp1252", errors="replace")


def _damage(lines: list[str]) -> list[str]:
    """Every other line damaged, in rotating ways (what a bad scrape looks like)."""
    out = []
    for i, line in enumerate(lines):
        kind = i % 12
        if kind == 0:
            line = _mojibake(line)
        elif kind == 2:
            line = _mojibake(_mojibake(line))
        elif kind == 4:
            line = (
                line.replace("’", "&rsquo;")
                .replace("“", "&#8220;")
                .replace("”", "&#8221;")
                .replace(" ", "&nbsp;", 2)
            )
        elif kind == 6:
            line = line.encode("cp1252", errors="replace").decode("latin-1")  # cp1252 read as latin-1
        elif kind == 8:
            line = line.replace("”", "â€").replace("“", "â€œ")  # lost closing quote byte
        elif kind == 10:
            line = (
                line.replace(" ", "\u00a0", 3).replace("e", "e\u200b", 2).replace("tion", "ti\u00adon")
                + " \t"
            )
        out.append(line)
    return out


def _ftfy_lines(lines: list[str]) -> list[str]:
    return [ftfy.fix_text(line) for line in lines]


def _ftfy_lines_project_options(lines: list[str]) -> list[str]:
    return [ftfy.fix_text(line, uncurl_quotes=False, unescape_html=True) for line in lines]


def _reference(lines: list[str]) -> list[str]:
    return [repair_line(line)[0] for line in lines]


def _frame(lines: list[str]) -> pl.DataFrame:
    return pl.DataFrame({"raw": lines}, schema={"raw": pl.Utf8})


def main() -> None:
    assert ARGS is not None
    repeat = ARGS.repeat
    seed = _seed_lines()
    clean = _repeat_to(seed, ARGS.mb)
    sample = _repeat_to(seed, ARGS.sample_mb)
    damaged = _damage(_repeat_to(seed, ARGS.sample_mb))
    clean_mb, sample_mb, damaged_mb = _mb(clean), _mb(sample), _mb(damaged)
    print(f"polars {pl.__version__} threads={pl.thread_pool_size()}  ftfy {ftfy.__version__}")
    print(f"clean corpus: {len(clean):,} lines, {clean_mb:.1f} MB; slices: {sample_mb:.2f} MB clean,")
    print(f"  {damaged_mb:.2f} MB damaged ({len(damaged):,} lines, every other line damaged)")

    clean_df, sample_df, damaged_df = _frame(clean), _frame(sample), _frame(damaged)
    t_frame_clean, out_clean = _best(lambda: repair_frame(clean_df), repeat)
    t_frame_sample, out_sample = _best(lambda: repair_frame(sample_df), repeat)
    t_frame_damaged, out_damaged = _best(lambda: repair_frame(damaged_df), repeat)
    changed_clean = int((out_clean["fixes"].list.len() > 0).sum())
    changed_damaged = int((out_damaged["fixes"].list.len() > 0).sum())

    ftfy_repeat = max(1, min(repeat, 2))
    t_ftfy_sample, _ = _best(lambda: _ftfy_lines(sample), ftfy_repeat)
    t_ftfy_damaged, _ = _best(lambda: _ftfy_lines(damaged), ftfy_repeat)
    t_ftfy_opts, _ = _best(lambda: _ftfy_lines_project_options(sample), ftfy_repeat)
    t_ref_sample, ref_sample = _best(lambda: _reference(sample), 1)
    t_ref_damaged, ref_damaged = _best(lambda: _reference(damaged), 1)

    mismatch = sum(a != b for a, b in zip(out_sample["text"].to_list(), ref_sample, strict=True))
    mismatch += sum(a != b for a, b in zip(out_damaged["text"].to_list(), ref_damaged, strict=True))

    raw_bytes = "\n".join(clean).encode("utf-8")
    t_decode, _ = _best(lambda: decode_bytes(raw_bytes), repeat)

    r: dict[str, Any] = {
        "threads": pl.thread_pool_size(),
        "clean_mb": round(clean_mb, 2),
        "repair_frame_clean_mb_s": round(clean_mb / t_frame_clean, 1),
        "repair_frame_clean_slice_mb_s": round(sample_mb / t_frame_sample, 1),
        "repair_frame_damaged_mb_s": round(damaged_mb / t_frame_damaged, 2),
        "ftfy_fix_text_clean_mb_s": round(sample_mb / t_ftfy_sample, 2),
        "ftfy_fix_text_project_options_clean_mb_s": round(sample_mb / t_ftfy_opts, 2),
        "ftfy_fix_text_damaged_mb_s": round(damaged_mb / t_ftfy_damaged, 2),
        "ratio_frame_vs_ftfy_clean": round((clean_mb / t_frame_clean) / (sample_mb / t_ftfy_sample), 1),
        "ratio_frame_vs_ftfy_damaged": round(
            (damaged_mb / t_frame_damaged) / (damaged_mb / t_ftfy_damaged), 2
        ),
        "reference_repair_line_clean_mb_s": round(sample_mb / t_ref_sample, 2),
        "precheck_speedup_clean": round((sample_mb / t_frame_sample) / (sample_mb / t_ref_sample), 1),
        "precheck_speedup_damaged": round((damaged_mb / t_frame_damaged) / (damaged_mb / t_ref_damaged), 2),
        "lines_changed_clean": changed_clean,
        "lines_changed_damaged": changed_damaged,
        "frame_vs_line_mismatches": mismatch,
        "decode_bytes_clean_mb_s": round(len(raw_bytes) / 1e6 / t_decode, 1),
    }
    print(f"repair_frame, clean text ({clean_mb:.1f} MB):   {r['repair_frame_clean_mb_s']:>8} MB/s")
    print(f"repair_frame, clean slice ({sample_mb:.1f} MB):   {r['repair_frame_clean_slice_mb_s']:>8} MB/s")
    print(f"repair_frame, damaged text ({damaged_mb:.1f} MB): {r['repair_frame_damaged_mb_s']:>8} MB/s")
    print(f"ftfy.fix_text per line, clean:       {r['ftfy_fix_text_clean_mb_s']:>8} MB/s")
    print(f"ftfy.fix_text (project options):     {r['ftfy_fix_text_project_options_clean_mb_s']:>8} MB/s")
    print(f"ftfy.fix_text per line, damaged:     {r['ftfy_fix_text_damaged_mb_s']:>8} MB/s")
    print(f"ratio repair_frame / ftfy, clean:    {r['ratio_frame_vs_ftfy_clean']:>8} x")
    print(f"ratio repair_frame / ftfy, damaged:  {r['ratio_frame_vs_ftfy_damaged']:>8} x")
    print(f"reference repair_line, clean:        {r['reference_repair_line_clean_mb_s']:>8} MB/s")
    print(
        f"pre-check speed-up, clean / damaged: {r['precheck_speedup_clean']} x / {r['precheck_speedup_damaged']} x"
    )
    print(f"lines changed: clean {changed_clean:,}, damaged {changed_damaged:,}")
    print(f"repair_frame vs repair_line text mismatches on the slices: {mismatch}")
    print(f"decode_bytes, clean bytes:           {r['decode_bytes_clean_mb_s']:>8} MB/s")
    print(json.dumps(r))


if __name__ == "__main__":
    main()
