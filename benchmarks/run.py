"""End-to-end benchmark: generate a corpus, then time the flow, the cleaners, datatrove and ftfy on it.

    .venv/bin/python benchmarks/run.py --n 10000 [--seed 0] [--keep] [--workdir DIR]

Everything runs in the same invocation on the same generated corpus (``benchmarks/generate.py``):

a. the whole flow, ``newsclean run --input CORPUS --output OUT`` as a subprocess with its own
   ``PREFECT_HOME``, whose database a first run on one file has created (a scheduled flow runs
   against an existing database; ``--cold`` times a first run instead, ~10 s more here; by
   default Prefect's temporary server starts in the timed run, as it does for ``newsclean run``
   on its own; ``--server`` starts a Prefect API server before the timed runs and points them at
   it, as a scheduled deployment runs): wall time, and peak RSS of the process tree (the sum of
   the RSS of the CLI, every descendant and the ``--server``, polled every 0.1 s; at least the
   ``ru_maxrss`` of the largest child);
b. the cleaners in this process without Prefect: ``cleaners.pipeline.clean_corpus`` over the
   corpus in batches of ``--batch-mb`` (the flow's default batch size), timed without the file
   reads; the Prefect overhead share is ``1 - cleaners_time / flow_wall_time`` (so it counts
   everything that is not the cleaners: interpreter and Prefect start, the server, task
   orchestration, reading, validation, writing);
c. datatrove's ``FTFYFormatter`` then ``C4QualityFilter`` over the same files (read and decoded
   as UTF-8 documents here, one process, one worker), timed including the reads;
d. the ftfy pre-check: ``cleaners.encoding.repair_frame`` on clean text (the same articles
   generated without damage) against ``ftfy.fix_text`` on every line of it, after checking that
   ``repair_frame`` gives exactly ``repair_line``'s text on every line (on the clean text and on
   a slice of the damaged corpus).

Figures: MB/s = raw input MB (10^6 bytes) / flow wall time; files/s; peak RSS MB (2^20 bytes);
Prefect overhead; ratio vs datatrove = our MB/s / datatrove MB/s; ftfy pre-check speed-up =
ftfy time / repair_frame time (each the best of 5 runs, interleaved). Progress goes to stderr; the last line of stdout is one JSON
object with exactly the keys n, mb_per_s, files_per_s, ratio_vs_datatrove, prefect_overhead,
peak_rss_mb, ftfy_precheck_speedup (a figure that could not be measured is null).

datatrove is optional (``pip install datatrove spacy``: the C4 filter counts sentences with a
blank spaCy English pipeline, which downloads nothing); without it the ratio is null.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
for _p in (str(ROOT), str(ROOT / "benchmarks")):
    if _p not in sys.path:
        sys.path.insert(0, _p)

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # datatrove imports huggingface_hub: never reach the hub
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")

import generate  # noqa: E402

KEYS = (
    "n",
    "mb_per_s",
    "files_per_s",
    "ratio_vs_datatrove",
    "prefect_overhead",
    "peak_rss_mb",
    "ftfy_precheck_speedup",
)
MB = 1e6
MIB = 1024 * 1024


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def _load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


# ---------------------------------------------------------------------------------------------
# Corpus
# ---------------------------------------------------------------------------------------------


def prepare_corpus(corpus: Path, n: int, seed: int, jobs: int) -> list[Path]:
    """Generate the corpus, or reuse it when a marker says it is the same ``n`` and ``seed``."""
    marker = corpus / ".bench.json"
    source = Path(generate.__file__).read_bytes()
    want = {"n": n, "seed": seed, "generator": hashlib.sha256(source).hexdigest()[:16]}
    if marker.exists():
        try:
            if json.loads(marker.read_text()) == want:
                paths = sorted(corpus.glob("*.txt"))
                if len(paths) == n:
                    log(f"reusing corpus {corpus} ({n} files)")
                    return paths
        except (OSError, ValueError):
            pass
    shutil.rmtree(corpus, ignore_errors=True)
    t0 = time.perf_counter()
    paths = generate.generate(n, corpus, seed=seed, jobs=jobs)
    marker.write_text(json.dumps(want))
    log(f"generated {n} files in {time.perf_counter() - t0:.1f} s -> {corpus}")
    return paths


# ---------------------------------------------------------------------------------------------
# a. the flow
# ---------------------------------------------------------------------------------------------


def _cli() -> list[str]:
    exe = Path(sys.executable).parent / "newsclean"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "flows.cli"]


def _has_option(cmd: list[str], option: str) -> bool:
    try:
        out = subprocess.run([*cmd, "run", "--help"], capture_output=True, text=True, timeout=120).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return option in out


def _tree_rss(proc: Any) -> int:
    import psutil

    total = 0
    try:
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def run_flow(
    corpus: Path,
    out: Path,
    prefect_home: Path,
    log_path: Path,
    batch_mb: float | None,
    extra: list[str] | None = None,
    fresh_home: bool = True,
    server: Any = None,
) -> dict[str, Any]:
    """Run ``newsclean run`` once; return wall time, peak tree RSS, exit code.

    ``fresh_home``: start from an empty ``PREFECT_HOME`` (Prefect creates its database); else keep it.
    ``server``: a running ``flows.server.TemporaryServer`` to run against; its RSS counts in the peak.
    """
    import psutil

    # Earlier outputs are moved aside now and deleted after the run: deleting tens of thousands of
    # files makes the file system slow to create new ones for a while (ext4 with discard), which
    # would be timed as the flow's.
    aside = (out, prefect_home) if fresh_home else (out,)
    stale = [p.rename(p.with_name(f"{p.name}.old-{os.getpid()}")) for p in aside if p.exists()]
    prefect_home.mkdir(parents=True, exist_ok=True)
    cmd = [*_cli(), "run", "--input", str(corpus), "--output", str(out)]
    if _has_option(_cli(), "--force"):
        cmd.append("--force")
    if batch_mb is not None:
        cmd += ["--batch-mb", str(batch_mb)]
    cmd += extra or []
    env = dict(os.environ, PREFECT_HOME=str(prefect_home))
    also = []
    if server is not None:
        env["PREFECT_API_URL"] = server.api_url
        also.append(psutil.Process(server.proc.pid))
    log(f"flow: {' '.join(cmd)}")
    peak = 0
    with open(log_path, "wb") as fh:
        t0 = time.perf_counter()
        proc = psutil.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, env=env, cwd=str(prefect_home.parent))
        last_report = t0
        try:
            while proc.poll() is None:
                peak = max(peak, _tree_rss(proc) + sum(_tree_rss(p) for p in also))
                time.sleep(0.1)
                if time.perf_counter() - last_report > 30:
                    last_report = time.perf_counter()
                    log(f"flow: {last_report - t0:.0f} s, tree RSS {peak / MIB:.0f} MiB so far")
        except BaseException:  # interrupted: do not leave the flow and its server running
            try:
                for child in proc.children(recursive=True):
                    child.kill()
                proc.kill()
            except psutil.Error:
                pass
            raise
        wall = time.perf_counter() - t0
    rc = proc.returncode
    for p in stale:
        shutil.rmtree(p, ignore_errors=True)
    ru_maxrss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024  # KiB on Linux
    peak = max(peak, ru_maxrss)
    written = sum(1 for _ in out.rglob("*.json")) if out.exists() else 0
    tail = log_path.read_text(errors="replace").strip().splitlines()[-5:]
    log(f"flow: exit {rc} in {wall:.1f} s, peak tree RSS {peak / MIB:.0f} MiB, {written} json files")
    for line in tail:
        log(f"flow| {line}")
    return {"wall_s": wall, "peak_rss": peak, "rc": rc, "json_files": written, "cmd": cmd}


# ---------------------------------------------------------------------------------------------
# b. the cleaners in-process
# ---------------------------------------------------------------------------------------------


def _batches(paths: list[Path], batch_bytes: int) -> Iterator[list[Path]]:
    batch: list[Path] = []
    size = 0
    for p in paths:
        n = p.stat().st_size
        if batch and size + n > batch_bytes:
            yield batch
            batch, size = [], 0
        batch.append(p)
        size += n
    if batch:
        yield batch


def run_cleaners(paths: list[Path], batch_bytes: int) -> dict[str, Any]:
    from cleaners.pipeline import Source, clean_corpus

    read_s = clean_s = 0.0
    articles = lines = 0
    done = 0
    last = time.perf_counter()
    for batch in _batches(paths, batch_bytes):
        t0 = time.perf_counter()
        sources = [Source(p.name, p.read_bytes()) for p in batch]
        t1 = time.perf_counter()
        corpus = clean_corpus(sources)
        t2 = time.perf_counter()
        read_s += t1 - t0
        clean_s += t2 - t1
        articles += corpus.articles.height
        lines += corpus.lines.height
        done += len(batch)
        if t2 - last > 30:
            last = t2
            log(f"cleaners: {done}/{len(paths)} files, {clean_s:.0f} s")
    log(f"cleaners: {clean_s:.1f} s (+ {read_s:.1f} s reading), {articles} articles, {lines} lines")
    return {"clean_s": clean_s, "read_s": read_s, "articles": articles, "lines": lines}


def start_server(prefect_home: Path) -> Any:
    """Start ``flows.server.TemporaryServer`` on a fresh ``prefect_home`` (an earlier one is moved
    aside and deleted) and wait until it answers; it creates its database while starting."""
    from flows.server import TemporaryServer

    if prefect_home.exists():
        aside = prefect_home.rename(prefect_home.with_name(f"{prefect_home.name}.old-{os.getpid()}"))
        shutil.rmtree(aside, ignore_errors=True)
    prefect_home.mkdir(parents=True)
    # the database goes to prefect_home; no telemetry, as newsclean sets for its own server (with
    # it on, a fresh database logged "database is locked" while starting)
    env = {
        "PREFECT_HOME": str(prefect_home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
    }
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        server = TemporaryServer()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    t0 = time.perf_counter()
    url = server.wait(timeout=120)
    log(f"server: {url} answered after {time.perf_counter() - t0:.1f} s (not timed)")
    return server


# ---------------------------------------------------------------------------------------------
# c. datatrove
# ---------------------------------------------------------------------------------------------


def run_datatrove(paths: list[Path]) -> dict[str, Any] | None:
    try:
        from datatrove.data import Document
        from datatrove.pipeline.filters import C4QualityFilter
        from datatrove.pipeline.formatters import FTFYFormatter
        from loguru import logger
    except ImportError as exc:
        log(f"datatrove: not installed ({exc}); ratio_vs_datatrove = null")
        return None
    logger.remove()  # datatrove logs every step through loguru
    steps = [FTFYFormatter(), C4QualityFilter()]
    n_bytes = 0

    def docs() -> Iterator[Any]:
        nonlocal n_bytes
        for p in paths:
            data = p.read_bytes()
            n_bytes += len(data)
            yield Document(text=data.decode("utf-8", errors="replace"), id=p.name)

    try:
        # warm the lazy sentence splitter outside the timing (spaCy's blank English pipeline)
        list(C4QualityFilter()([Document(text="One two three four. Five six seven.\n" * 5, id="w")]))
        t0 = time.perf_counter()
        data: Any = docs()
        for step in steps:
            data = step(data, rank=0, world_size=1)
        kept = sum(1 for _ in data)
        dt = time.perf_counter() - t0
    except ImportError as exc:  # the C4 filter needs spaCy to count sentences
        log(f"datatrove: a dependency is missing ({exc}); ratio_vs_datatrove = null")
        return None
    log(f"datatrove: {len(paths)} docs, {kept} kept by C4QualityFilter, {dt:.1f} s")
    return {"s": dt, "bytes": n_bytes, "kept": kept}


# ---------------------------------------------------------------------------------------------
# d. the ftfy pre-check
# ---------------------------------------------------------------------------------------------


def _nonblank_lines(texts: list[str]) -> list[str]:
    import polars as pl

    from cleaners.lines import BLANK

    lines = [ln for t in texts for ln in t.splitlines()]
    s = pl.Series(lines, dtype=pl.Utf8)
    return s.filter(~s.str.contains(BLANK)).to_list()


def _check_identical(lines: list[str]) -> tuple[int, float, float]:
    """Mismatches of repair_frame against repair_line; returns (mismatches, frame_s, line_s)."""
    import polars as pl

    from cleaners.encoding import repair_frame, repair_line

    t0 = time.perf_counter()
    out = repair_frame(pl.DataFrame({"raw": lines}, schema={"raw": pl.Utf8}), "raw")
    frame_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    ref = [repair_line(ln) for ln in lines]
    line_s = time.perf_counter() - t0
    bad = 0
    for (text, steps), got, fixes in zip(ref, out["text"].to_list(), out["fixes"].to_list(), strict=True):
        if got != text or bool(fixes) != bool(steps):
            bad += 1
    return bad, frame_s, line_s


def run_precheck(
    n: int, seed: int, sample_mb: float, repeat: int, corpus_paths: list[Path]
) -> dict[str, Any]:
    import ftfy
    import polars as pl

    from cleaners.encoding import decode_bytes, repair_frame

    texts: list[str] = []
    size = 0
    i = 0
    while size < sample_mb * MB and i < max(n, 1) * 50:
        _, data, _ = generate.build_file(i, seed, clean=True)
        texts.append(data.decode("utf-8"))
        size += len(data)
        i += 1
    lines = _nonblank_lines(texts)
    n_chars = sum(len(ln) for ln in lines)
    df = pl.DataFrame({"raw": lines}, schema={"raw": pl.Utf8})
    # best of the same number of runs on both sides, interleaved so both see the same load
    frame_s = ftfy_s = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        repair_frame(df, "raw")
        frame_s = min(frame_s, time.perf_counter() - t0)
        t0 = time.perf_counter()
        for ln in lines:
            ftfy.fix_text(ln)
        ftfy_s = min(ftfy_s, time.perf_counter() - t0)
    bad_clean, _, _ = _check_identical(lines)

    # the same check on the damaged corpus (mojibake, cp1252, NBSP, entities), about 1 MB
    damaged: list[str] = []
    size = 0
    for p in corpus_paths:
        dec = decode_bytes(p.read_bytes())
        if dec.text is not None:
            damaged.append(dec.text)
            size += len(dec.text)
        if size > 1 * MB:
            break
    dlines = _nonblank_lines(damaged)
    bad_damaged, _, _ = _check_identical(dlines)
    speedup = ftfy_s / frame_s if frame_s > 0 else None
    log(
        f"precheck: {len(lines)} clean lines ({size_mb(n_chars)} MB of text): repair_frame {frame_s * 1000:.1f} ms, "
        f"ftfy.fix_text per line {ftfy_s:.2f} s -> x{speedup:.0f}; mismatches vs repair_line: "
        f"{bad_clean} clean, {bad_damaged} of {len(dlines)} damaged lines"
    )
    return {
        "lines": len(lines),
        "chars": n_chars,
        "frame_s": frame_s,
        "ftfy_s": ftfy_s,
        "speedup": speedup,
        "mismatch_clean": bad_clean,
        "mismatch_damaged": bad_damaged,
        "damaged_lines": len(dlines),
    }


def size_mb(n: int) -> str:
    return f"{n / MB:.1f}"


# ---------------------------------------------------------------------------------------------


def _round(x: float | None, nd: int) -> float | None:
    return None if x is None else round(x, nd)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, required=True, help="number of files to generate")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workdir", help="folder for the corpus, outputs and PREFECT_HOME (default: a temp dir)")
    ap.add_argument("--keep", action="store_true", help="keep the corpus and outputs (and reuse the corpus)")
    ap.add_argument("--jobs", type=int, default=1, help="processes generating the corpus")
    ap.add_argument("--batch-mb", type=float, default=8.0, help="batch size of the in-process cleaners run")
    ap.add_argument("--flow-batch-mb", type=float, default=None, help="pass --batch-mb to the flow")
    ap.add_argument(
        "--flow-arg",
        action="append",
        default=[],
        metavar="ARG",
        help="extra argument for newsclean run, repeatable (e.g. --flow-arg=--max-bytes=65536)",
    )
    ap.add_argument(
        "--cold",
        action="store_true",
        help="time the flow's first run (Prefect creates its database, ~10 s here); by default a "
        "one-file run creates it first and is reported apart",
    )
    ap.add_argument(
        "--server",
        action="store_true",
        help="start a Prefect API server before the timed runs and run the flow against it (the "
        "scheduled setting: no server start in the run); its RSS counts in the peak",
    )
    ap.add_argument("--precheck-mb", type=float, default=3.0, help="clean text for the ftfy pre-check")
    ap.add_argument(
        "--datatrove-files", type=int, default=0, help="limit datatrove to the first N files (0: all)"
    )
    ap.add_argument(
        "--steps",
        default="flow,cleaners,datatrove,precheck",
        help="comma-separated subset of flow,cleaners,datatrove,precheck (figures of skipped steps are null)",
    )
    args = ap.parse_args(argv)
    steps = {s.strip() for s in args.steps.split(",") if s.strip()}
    unknown = steps - {"flow", "cleaners", "datatrove", "precheck"}
    if unknown:
        ap.error(f"unknown steps: {', '.join(sorted(unknown))}")
    if args.server and args.cold:
        ap.error("--server and --cold: the server creates the database before any timed run")

    workdir = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="newsclean-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    workdir = workdir.resolve()
    log(f"workdir {workdir}; load average {_load()}; {os.cpu_count()} cpus")
    t_start = time.perf_counter()
    try:
        paths = prepare_corpus(workdir / "corpus", args.n, args.seed, args.jobs)
        raw_bytes = sum(p.stat().st_size for p in paths)
        log(f"corpus: {len(paths)} files, {raw_bytes / MB:.1f} MB")

        flow = first = server = None
        if "flow" in steps and args.server:
            server = start_server(workdir / "prefect-home")
        if "flow" in steps:
            if not args.cold:
                # a scheduled flow runs against an existing database: create it first, on one file
                one = workdir / "first-run-input"
                shutil.rmtree(one, ignore_errors=True)
                one.mkdir()
                shutil.copy(paths[0], one / paths[0].name)
                first = run_flow(
                    one,
                    workdir / "first-run-out",
                    workdir / "prefect-home",
                    workdir / "first-run.log",
                    None,
                    fresh_home=server is None,
                    server=server,
                )
            flow = run_flow(
                workdir / "corpus",
                workdir / "flow-out",
                workdir / "prefect-home",
                workdir / "flow.log",
                args.flow_batch_mb,
                args.flow_arg,
                fresh_home=args.cold,
                server=server,
            )
            if server is not None:
                server.stop()
        cl = run_cleaners(paths, int(args.batch_mb * MIB)) if "cleaners" in steps else None
        dt_paths = paths[: args.datatrove_files] if args.datatrove_files else paths
        dt = run_datatrove(dt_paths) if "datatrove" in steps else None
        pc = run_precheck(args.n, args.seed, args.precheck_mb, 5, paths) if "precheck" in steps else None
    finally:
        if server is not None:
            server.stop()
        if not args.keep:
            for sub in (
                "corpus",
                "flow-out",
                "prefect-home",
                "flow.log",
                "first-run-input",
                "first-run-out",
                "first-run.log",
            ):
                target = workdir / sub
                if target.is_dir():
                    shutil.rmtree(target, ignore_errors=True)
                elif target.exists():
                    target.unlink()
            if not args.workdir:
                shutil.rmtree(workdir, ignore_errors=True)

    # exit 3: the run finished and wrote everything, but a critical expectation failed
    ok = flow is not None and flow["rc"] in (0, 3)
    wall = flow["wall_s"] if flow is not None and ok else None
    mb_s = raw_bytes / MB / wall if wall else None
    files_s = len(paths) / wall if wall else None
    overhead = 1 - cl["clean_s"] / wall if wall and cl else None
    dt_mb_s = dt["bytes"] / MB / dt["s"] if dt and dt["s"] > 0 else None
    ratio = mb_s / dt_mb_s if mb_s and dt_mb_s else None
    clean_mb_s = raw_bytes / MB / cl["clean_s"] if cl and cl["clean_s"] > 0 else None
    speedup = pc["speedup"] if pc and pc["mismatch_clean"] == 0 and pc["mismatch_damaged"] == 0 else None

    def fmt(x: float | None, spec: str) -> str:
        return "n/a" if x is None else format(x, spec)

    print(f"corpus            {len(paths)} files, {raw_bytes / MB:.1f} MB (seed {args.seed})")
    if flow:
        status = {0: "validation passed", 3: "validation FAILED, see flow.log"}.get(flow["rc"], "FAILED")
        print(
            f"flow              {flow['wall_s']:.1f} s wall (exit {flow['rc']}: {status}), "
            f"{flow['json_files']} json files"
        )
        if server is not None and first:
            print(
                f"  (against a Prefect server started before it, as a scheduled run; a one-file run "
                f"took {first['wall_s']:.1f} s, exit {first['rc']}: the floor of any run)"
            )
        elif first:
            print(
                f"  (against an existing Prefect database; creating it took a first one-file run "
                f"{first['wall_s']:.1f} s, exit {first['rc']}; --cold times a first run)"
            )
        else:
            print("  (a first run: Prefect created its database in it)")
    else:
        print("flow              skipped")
    print(f"  MB/s            {fmt(mb_s, '.2f')}")
    if flow and first and raw_bytes:
        # the run's cost past the floor of any run: what each further MB costs
        per_mb = max(flow["wall_s"] - first["wall_s"], 0.0) / (raw_bytes / MB)
        print(
            f"  past the fixed  {per_mb:.3f} s per MB ({fmt(1 / per_mb if per_mb else None, '.2f')} MB/s) after "
            f"the {first['wall_s']:.1f} s of a one-file run"
        )
    print(f"  files/s         {fmt(files_s, '.0f')}")
    print(f"  peak RSS        {fmt(flow['peak_rss'] / MIB if flow else None, '.0f')} MiB (process tree)")
    if cl:
        print(
            f"cleaners          {cl['clean_s']:.1f} s in-process ({fmt(clean_mb_s, '.2f')} MB/s), "
            f"+ {cl['read_s']:.1f} s reading"
        )
    else:
        print("cleaners          skipped")
    print(
        f"  Prefect overhead {fmt(overhead * 100 if overhead is not None else None, '.1f')} % of the flow's wall time"
    )
    if dt:
        print(
            f"datatrove         {dt['s']:.1f} s for {len(dt_paths)} files ({fmt(dt_mb_s, '.2f')} MB/s), "
            f"{dt['kept']} kept by C4QualityFilter"
        )
    else:
        print("datatrove         skipped or not installed")
    print(f"  ratio           {fmt(ratio, '.1f')}x (flow MB/s / datatrove MB/s)")
    if pc:
        print(
            f"ftfy pre-check    repair_frame {pc['frame_s'] * 1000:.1f} ms vs ftfy.fix_text {pc['ftfy_s']:.2f} s on "
            f"{pc['lines']} clean lines: x{fmt(pc['speedup'], '.0f')}; identical to repair_line: "
            f"{pc['mismatch_clean'] == 0} (clean), {pc['mismatch_damaged'] == 0} "
            f"({pc['damaged_lines']} damaged lines)"
        )
    else:
        print("ftfy pre-check    skipped")
    print(
        f"load average      {_load()} (1/5/15 min) on {os.cpu_count()} cpus; total {time.perf_counter() - t_start:.0f} s"
    )
    result = {
        "n": len(paths),
        "mb_per_s": _round(mb_s, 3),
        "files_per_s": _round(files_s, 1),
        "ratio_vs_datatrove": _round(ratio, 2),
        "prefect_overhead": _round(overhead, 4),
        "peak_rss_mb": _round(flow["peak_rss"] / MIB if flow is not None and ok else None, 1),
        "ftfy_precheck_speedup": _round(speedup, 1),
    }
    assert tuple(result) == KEYS
    print(json.dumps(result), flush=True)
    return 0 if ok or "flow" not in steps else 1


if __name__ == "__main__":
    sys.exit(main())
