"""The ``newsclean`` command line.

    newsclean clean PATH [PATH ...] [--format json|text] [--output DIR]
    newsclean run [--input DIR] [--output DIR] [--pattern GLOB] [--force] [--wait SECONDS] [--dask-address ADDR]
    newsclean serve [--cron EXPR | --interval SECONDS]
    newsclean repair PATH|-
    newsclean typos PATH|- | --jsonl FILE

``clean``, ``repair`` and ``typos`` run the cleaners directly (no Prefect, fast start);
``run`` runs the Prefect flow once; ``serve`` serves it on a schedule.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import json
import math
import os
import re
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

# polars allocates through its own jemalloc, which by default keeps freed pages for seconds and
# then lets the kernel reclaim them only under pressure: after a batch a process still counted
# ~100 MiB more than it used. Handing them back at once cost no measurable time here. Read when
# polars loads, so set before it is imported (worker processes inherit it); a user's value wins.
os.environ.setdefault("_RJEM_MALLOC_CONF", "dirty_decay_ms:0,muzzy_decay_ms:0")

from cleaners.pipeline import DEFAULT_MAX_BYTES, Source

EXIT_OK, EXIT_BAD_INPUT, EXIT_USAGE = 0, 1, 2


def prefect_home() -> Path:
    """Where Prefect keeps its database when ``PREFECT_HOME`` is not set: the user's cache
    (``$XDG_CACHE_HOME/newsclean/prefect``, else ``~/.cache/newsclean/prefect``), not the current
    folder, so a run writes nothing outside its output folder but there."""
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "newsclean" / "prefect"


def _prefect_env() -> None:
    """Sane defaults for Prefect's embedded server (see STACK.md); a user's settings win."""
    os.environ.setdefault("PREFECT_HOME", str(prefect_home()))
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    # The run logs at INFO to the API (the UI shows it); the terminal shows warnings and errors only.
    os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "WARNING")


def _input_paths(paths: Sequence[str], pattern: str) -> tuple[list[Path | None], list[str | None]]:
    """The input files of ``newsclean clean``: each file given, each match in each folder given;
    None for standard input. Beside them, the folder each was found in (None for a file named
    directly): links are followed only inside it."""
    from flows.outputs import discover

    found: list[Path | None] = []
    roots: list[str | None] = []
    for p in paths:
        if p == "-":
            found.append(None)
            roots.append(None)
            continue
        path = Path(p)
        if path.is_dir():
            matches = discover(path, pattern)
            found += matches
            roots += [str(path)] * len(matches)
        elif not path.exists() and not path.is_symlink():
            raise FileNotFoundError(f"no such file or folder: {p}")
        else:
            found.append(path)
            roots.append(None)
    return found, roots


def _read_inputs(found: Sequence[Path | None], roots: Sequence[str | None], max_bytes: int) -> list[Source]:
    from flows.outputs import read_source

    return [
        Source("stdin", sys.stdin.buffer.read()) if p is None else read_source(p, max_bytes, root)
        for p, root in zip(found, roots, strict=True)
    ]


def cmd_clean(args: argparse.Namespace) -> int:
    from cleaners.pipeline import body_text, clean_corpus, documents
    from flows.outputs import (
        atomic_write_bytes,
        display_name,
        dump_json,
        output_stems,
        same_names,
        same_names_message,
    )

    found, roots = _input_paths(args.paths, args.pattern)
    if args.follow_links:
        roots = [None] * len(found)
    if args.output and Path(args.output).exists() and not Path(args.output).is_dir():
        print(f"newsclean clean: --output {args.output} is a file, not a folder", file=sys.stderr)
        return EXIT_USAGE
    several = len(found) != 1 or any(Path(p).is_dir() for p in args.paths if p != "-")
    if several and not args.output:
        print(
            "newsclean clean: several inputs need --output DIR (one output file per input)", file=sys.stderr
        )
        return EXIT_USAGE
    clash = same_names([p if p is not None else "stdin" for p in found])
    if clash:
        print(f"newsclean clean: {same_names_message(clash)}", file=sys.stderr)
        return EXIT_USAGE
    if args.output:
        suffix = ".txt" if args.format == "text" else ".json"
        stems = output_stems([p.name if p is not None else "stdin" for p in found])
        inputs = {os.path.realpath(p) for p in found if p is not None}  # no error on a link loop
        hit = [
            p
            for p in found
            if p is not None
            and os.path.realpath(Path(args.output) / f"{stems[display_name(p.name)]}{suffix}") in inputs
        ]
        if hit:
            print(
                f"newsclean clean: writing {args.format} into {args.output} would overwrite the input "
                f"{hit[0]}; choose another --output folder",
                file=sys.stderr,
            )
            return EXIT_USAGE
    docs = documents(clean_corpus(_read_inputs(found, roots, args.max_bytes), max_bytes=args.max_bytes))
    bad = [d for d in docs.values() if "error" in d]
    for d in bad:
        print(f"newsclean clean: {d['file']}: {d['error']['kind']}: {d['error']['message']}", file=sys.stderr)
    if args.output:
        out = Path(args.output)
        out.mkdir(parents=True, exist_ok=True)  # also when no input matched: it says it wrote there
        stems = output_stems(list(docs))
        for name, doc in docs.items():
            if args.format == "text":
                atomic_write_bytes(out / f"{stems[name]}.txt", (body_text(doc) + "\n").encode("utf-8"))
            else:
                atomic_write_bytes(out / f"{stems[name]}.json", dump_json(doc))
        print(f"wrote {len(docs)} file(s) to {out}", file=sys.stderr)
    else:
        doc = next(iter(docs.values()))
        text = body_text(doc) + "\n" if args.format == "text" else dump_json(doc).decode("utf-8")
        sys.stdout.write(text)
    return EXIT_BAD_INPUT if bad and len(bad) == len(docs) else EXIT_OK


AUTO_WORKERS_BATCHES = 4  # above this many batches of input, --workers defaults to one per core
EXIT_VALIDATION = 3  # a critical great-expectations expectation failed
QUARANTINE_SHOWN = 20  # quarantined files whose reason run prints
EXIT_FAILED = 4  # a batch kept failing (its files are named); the rest completed
EXIT_LOCKED = 5  # another run holds the output folder


def _flow_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "input_dir": args.input,
        "output_dir": args.output,
        "pattern": args.pattern,
        "batch_bytes": int(args.batch_mb * 1024 * 1024),
        "max_bytes": args.max_bytes,
        "follow_links": args.follow_links,
    }


@contextlib.contextmanager
def _shared_api(url: str | None) -> Iterator[None]:
    """Run the flow against the temporary server at ``url``, or as configured if None.

    ``cmd_run`` has put ``url`` in ``PREFECT_API_URL`` already, where worker processes find it
    (without it each would start its own temporary server, seconds each, on the same database);
    the settings context covers a Prefect imported before that. A set ``PREFECT_API_URL`` (a real
    server) is used as it is.
    """
    if url is None:
        yield
        return
    from prefect.settings import PREFECT_API_URL, temporary_settings

    try:
        with temporary_settings(updates={PREFECT_API_URL: url}):
            yield
    finally:
        os.environ.pop("PREFECT_API_URL", None)


def _workers(args: argparse.Namespace) -> int:
    """Batch slots (this process and N-1 workers): ``--workers``, or by default one per core above a few batches.

    A worker process pays a few seconds to start (imports, lexicons) and ~170 MiB: at 4 batches
    of 8 MB two slots were only 3-4 % faster than one here, so smaller inputs stay in threads.
    """
    if args.workers is not None:
        return max(1, args.workers)
    from flows.outputs import discover

    enough = AUTO_WORKERS_BATCHES * args.batch_mb * 1024 * 1024
    total = 0
    for p in discover(Path(args.input), args.pattern):
        try:
            total += p.stat().st_size
        except OSError:
            continue
        if total > enough:
            break
    return min(os.cpu_count() or 1, 8) if total > enough else 1


def _api_unreachable(url: str) -> str | None:
    """Why nothing answers at the Prefect API ``url``, or None if something does (any HTTP answer,
    an error status included: a server that wants credentials is still there)."""
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(f"{url.rstrip('/')}/health", timeout=10):
            return None
    except urllib.error.HTTPError:
        return None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return str(getattr(exc, "reason", exc))


def _dask_unreachable(address: str) -> str | None:
    """Why nothing accepts a connection at a ``tcp://HOST:PORT`` (or ``HOST:PORT``) Dask scheduler
    address, or None (also for other schemes, which are left to Dask)."""
    import socket
    from urllib.parse import urlsplit

    if "://" not in address:  # Dask reads HOST:PORT as tcp://HOST:PORT
        address = f"tcp://{address}"
    if not address.startswith("tcp://"):
        return None
    try:
        parts = urlsplit(address)
        host, port = parts.hostname, parts.port
    except ValueError as exc:
        return str(exc)
    if not host or not port:
        return "expected tcp://HOST:PORT"
    try:
        with socket.create_connection((host, port), timeout=10):
            return None
    except OSError as exc:
        return exc.strerror or str(exc)


def _output_problem(out: Path) -> str | None:
    """Why ``out`` cannot be made or written as a folder, or None. Nothing is created: a run that
    stops before its flow starts leaves no trace."""
    probe = out.absolute()
    while not probe.exists():
        if probe.is_symlink():
            return f"{probe} is a broken symbolic link"
        probe = probe.parent
    if not probe.is_dir():
        return f"{probe} is not a directory"
    if not os.access(probe, os.W_OK | os.X_OK):
        return f"{probe} is not writable"
    return None


def cmd_run(args: argparse.Namespace) -> int:
    from flows import interrupt

    interrupt.install()
    _prefect_env()
    if (code := _run_preflight(args)) is not None:
        return code
    server = None
    if not os.environ.get("PREFECT_API_URL") and not args.dask_address:
        from flows.server import TemporaryServer

        server = TemporaryServer()  # starts while the flow's modules import
        interrupt.on_forced_exit(server.stop)
        # Before Prefect is imported: its settings (in every thread, and in worker processes)
        # then point at this server, and Prefect never starts one of its own.
        os.environ["PREFECT_API_URL"] = server.api_url
    from flows.clean_flow import clean_flow

    run = clean_flow
    if args.dask_address:
        from prefect_dask import DaskTaskRunner

        run = clean_flow.with_options(task_runner=DaskTaskRunner(address=args.dask_address))  # type: ignore[arg-type]
    workers = 1 if args.dask_address else _workers(args)
    if workers > 1:
        from flows.runners import BatchPoolTaskRunner

        run = clean_flow.with_options(task_runner=BatchPoolTaskRunner(max_workers=workers))  # type: ignore[arg-type]
    url = None
    if server is not None:
        try:
            url = server.wait()
        except RuntimeError as exc:
            os.environ.pop("PREFECT_API_URL", None)
            print(f"newsclean run: {exc}", file=sys.stderr)
            return EXIT_FAILED
        print(f"newsclean: temporary Prefect server on {url}", file=sys.stderr)
    from flows.lock import OutputLocked, output_lock

    held = contextlib.ExitStack()
    try:
        held.enter_context(output_lock(Path(args.output), wait=args.wait))
    except OutputLocked as exc:
        print(f"newsclean run: {exc}", file=sys.stderr)
        return EXIT_LOCKED
    except OSError as exc:  # the output folder cannot be made or written after all (/proc/…)
        print(f"newsclean run: cannot write the output folder {args.output}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    with held, _shared_api(url):
        state = run(**_flow_kwargs(args), force=args.force, progress=sys.stderr.isatty(), return_state=True)
    return _report_run(args, state)


def _run_preflight(args: argparse.Namespace) -> int | None:
    """The exit code when ``run`` cannot start (each problem said on stderr), else None: checked
    before a server is started for nothing."""
    if not Path(args.input).is_dir():
        print(f"newsclean run: input folder not found: {args.input}", file=sys.stderr)
        return EXIT_USAGE
    from flows.outputs import discover_names, same_names, same_names_message

    try:
        clash = same_names(discover_names(Path(args.input), args.pattern))
    except (OSError, ValueError, NotImplementedError) as exc:
        print(
            f"newsclean run: cannot list {args.input} with --pattern {args.pattern}: {exc}", file=sys.stderr
        )
        return EXIT_USAGE
    if clash:
        print(f"newsclean run: {same_names_message(clash)}", file=sys.stderr)
        return EXIT_USAGE
    if (why := _output_problem(Path(args.output))) is not None:
        print(f"newsclean run: cannot write the output folder {args.output}: {why}", file=sys.stderr)
        return EXIT_USAGE
    api = os.environ.get("PREFECT_API_URL")
    if api and (why := _api_unreachable(api)) is not None:
        print(
            f"newsclean run: no Prefect API answers at {api} (PREFECT_API_URL): {why}; start that "
            "server, or unset PREFECT_API_URL to run on a temporary one",
            file=sys.stderr,
        )
        return EXIT_FAILED
    if args.dask_address and (why := _dask_unreachable(args.dask_address)) is not None:
        print(f"newsclean run: no Dask scheduler answers at {args.dask_address}: {why}", file=sys.stderr)
        return EXIT_FAILED
    from flows.lock import output_busy

    if (why := output_busy(Path(args.output))) is not None and not args.wait:
        print(f"newsclean run: {why}", file=sys.stderr)
        return EXIT_LOCKED
    return None


def _report_run(args: argparse.Namespace, state: Any) -> int:
    """Print the run's counts, quarantined files, failed batches, validation table and verdict;
    return the exit code."""
    from flows.report import validation_table

    summary = state.result(raise_on_failure=False)
    if not isinstance(summary, dict):
        print(f"newsclean run: the run failed: {state.message}", file=sys.stderr)
        return EXIT_FAILED
    code = EXIT_OK
    if not state.is_completed():
        code = EXIT_FAILED if summary.get("failed_batches") else EXIT_VALIDATION
        print(f"newsclean run: {state.message}", file=sys.stderr)
    print(
        f"newsclean: {summary['files']} files -> {args.output}: {summary['cleaned']} cleaned, "
        f"{summary['unchanged']} unchanged; {summary['articles']} articles, {summary['lines']} lines, "
        f"{summary['typos']} typos, {summary['errors']} bad input, {len(summary['quarantined'])} quarantined"
    )
    if not summary["files"]:
        print(f"newsclean run: no files match {args.pattern} in {args.input}", file=sys.stderr)
    reasons = summary.get("quarantine_reasons", {})
    for f in summary["quarantined"]:
        print(f"  quarantined: {f}")
    for f in summary["quarantined"][:QUARANTINE_SHOWN]:  # why, on stderr like clean's errors
        print(f"newsclean run: {f}: {reasons.get(f, 'see its quarantine entry')}", file=sys.stderr)
    if len(summary["quarantined"]) > QUARANTINE_SHOWN:
        more = len(summary["quarantined"]) - QUARANTINE_SHOWN
        print(f"newsclean run: and {more} more (their reasons are in quarantine/)", file=sys.stderr)
    for batch in summary.get("failed_batches", []):
        print(f"  failed at {batch['stage']}: {', '.join(batch['files'])}: {batch['error']}")
    print()
    print(validation_table(summary["gx_rows"]))
    print(
        f"\nvalidation: {summary['verdict']}; "
        f"report {summary['validation_md']}; Data Docs {summary['data_docs']}"
    )
    return code


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the flow as a deployment with a schedule (needs PREFECT_API_URL of a running server)."""
    _prefect_env()
    if not os.environ.get("PREFECT_API_URL"):
        print(
            "newsclean serve: set PREFECT_API_URL to a running `prefect server start` "
            "(e.g. http://127.0.0.1:4200/api)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    api = os.environ["PREFECT_API_URL"]
    if (why := _api_unreachable(api)) is not None:
        print(
            f"newsclean serve: no Prefect API answers at {api} (PREFECT_API_URL): {why}; "
            "start that server first (prefect server start)",
            file=sys.stderr,
        )
        return EXIT_FAILED
    from flows.clean_flow import clean_flow

    schedule: dict[str, object] = {"interval": args.interval} if args.interval else {"cron": args.cron}
    # A worker started elsewhere reads the same folders: the deployment stores them absolute.
    params = {
        **_flow_kwargs(args),
        "input_dir": str(Path(args.input).resolve()),
        "output_dir": str(Path(args.output).resolve()),
        "force": False,
    }
    every = f"every {args.interval:g} s" if args.interval else f"on cron '{args.cron}' (UTC)"
    description = f"Cleans {params['input_dir']} into {params['output_dir']} {every}."
    # limit=1: a run that is due while the last one still runs waits for it (they share an output folder)
    clean_flow.serve(
        name=args.name or clean_flow.name,
        parameters=params,
        description=description,
        limit=1,
        **schedule,  # type: ignore[arg-type]
    )
    return EXIT_OK


def _read_one(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    return Path(path).read_bytes()


def cmd_repair(args: argparse.Namespace) -> int:
    from cleaners.encoding import repair_text

    text, decoded = repair_text(_read_one(args.path))
    if decoded.error_kind:
        print(
            f"newsclean repair: {args.path}: {decoded.error_kind}: {decoded.error_message}", file=sys.stderr
        )
        return EXIT_BAD_INPUT
    sys.stdout.buffer.write(text.encode("utf-8"))
    return EXIT_OK


def _typo_record(t: Any) -> dict[str, Any]:
    return {
        "start": t.start,
        "end": t.end,
        "token": t.token,
        "kind": t.kind,
        "suggestion": t.suggestion,
        "confidence": t.confidence,
    }


def _jsonl_docs(path: str) -> tuple[list[tuple[Any, str]], str | None]:
    """The ``{"id", "text"}`` objects of a JSON-lines file (blank lines skipped), or the first
    malformed line's message."""
    docs: list[tuple[Any, str]] = []
    raw = _read_one(path).decode("utf-8", errors="replace")
    for no, line in enumerate(raw.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            return [], f"line {no}: not JSON ({e.msg})"
        if not isinstance(obj, dict) or "id" not in obj or not isinstance(obj.get("text"), str):
            return [], f'line {no}: expected an object with "id" and a string "text"'
        docs.append((obj["id"], obj["text"]))
    return docs, None


def cmd_typos(args: argparse.Namespace) -> int:
    from cleaners.encoding import decode_bytes
    from cleaners.typos import find_typos_in_text

    if args.jsonl is not None and args.path is not None:
        print("newsclean typos: give PATH|- or --jsonl FILE, not both", file=sys.stderr)
        return EXIT_USAGE
    if args.jsonl is not None:
        docs, error = _jsonl_docs(args.jsonl)
        if error is not None:
            print(f"newsclean typos: {args.jsonl}: {error}", file=sys.stderr)
            return EXIT_USAGE
        for doc_id, text in docs:  # the lexicons load once, for the first document
            for t in find_typos_in_text(text):
                print(json.dumps({"id": doc_id, **_typo_record(t)}, ensure_ascii=False))
        return EXIT_OK
    if args.path is None:
        print("newsclean typos: give PATH, - (stdin) or --jsonl FILE", file=sys.stderr)
        return EXIT_USAGE
    decoded = decode_bytes(_read_one(args.path))
    if decoded.error_kind == "empty":
        return EXIT_OK  # nothing to check is not bad input here: no typos
    if decoded.text is None:
        print(f"newsclean typos: {args.path}: {decoded.error_kind}: {decoded.error_message}", file=sys.stderr)
        return EXIT_BAD_INPUT
    for t in find_typos_in_text(decoded.text):
        print(json.dumps(_typo_record(t), ensure_ascii=False))
    return EXIT_OK


def cmd_train(args: argparse.Namespace) -> int:
    from rich.console import Console

    from cleaners.model import MODEL_FILE
    from cleaners.title import TITLE_MODEL_FILE
    from cleaners.training.train import digest, run_training

    root = Path(__file__).resolve().parent.parent
    shared = Path(args.shared)
    if not (shared / "data" / "realworld").is_dir():
        print(f"newsclean train: no labelled data at {shared / 'data' / 'realworld'}", file=sys.stderr)
        return EXIT_USAGE
    err = Console(stderr=True)
    with err.status("training") as status:
        result = run_training(
            shared,
            root / "seeds",
            root / "tests" / "fixtures" / "pages",
            out_of_fold=not args.no_oof,
            progress=lambda msg: status.update(f"training: {msg}"),
        )
    out = Console(width=None if sys.stdout.isatty() else 120)
    for table in _training_tables(result):
        out.print(table)
    targets = {
        Path(args.output) if args.output else root / "cleaners" / MODEL_FILE: result.model_text,
        Path(args.title_output)
        if args.title_output
        else root / "cleaners" / TITLE_MODEL_FILE: result.title_text,
    }
    if args.check:
        differ = [t for t, text in targets.items() if not t.exists() or t.read_text(encoding="utf-8") != text]
        for t, text in targets.items():
            out.print(
                f"{t}: {'differs from' if t in differ else 'matches'} the trained model ({digest(text)[:12]})"
            )
        return 1 if differ else EXIT_OK
    for t, text in targets.items():
        t.write_text(text, encoding="utf-8")
        out.print(f"wrote {t} ({len(text) // 1024} KB, sha256 {digest(text)[:12]})")
    out.print(f"trained on {result.pages} pages, {result.lines} lines")
    return EXIT_OK


def _training_tables(result: Any) -> list[Any]:
    """rich tables of the training's out-of-fold figures: the line model, the whole path, titles."""
    from rich.table import Table

    def table(title: str, cols: Sequence[str], rows: list[list[str]]) -> Table:
        t = Table(title=title)
        for col in cols:
            t.add_column(col, justify="left" if col in ("set", "input") else "right", no_wrap=True)
        for row in rows:
            t.add_row(*row)
        return t

    tables = []
    figures = (
        (result.oof, f"line model, out-of-fold, {result.pages} pages grouped by site (realworld.py metric)"),
        (result.path_oof, "whole path on the out-of-fold line scores (what `clean --format text` keeps)"),
    )
    scores = ("precision", "recall", "f1", "keep_all_f1", "keep_all_recall")
    for frame, title in figures:
        if frame is not None:
            rows = [
                [r["set"], r["input"], *(f"{r[k]:.3f}" for k in scores)] for r in frame.iter_rows(named=True)
            ]
            tables.append(table(title, ("set", "input", "P", "R", "F1", "keep-all F1", "keep-all R"), rows))
    if result.title_oof is not None:
        counts = (
            "articles",
            "right_title",
            "no_title",
            "first_paragraph_as_title",
            "first_sentence_as_title",
        )
        cols = (
            "set",
            "input",
            "articles",
            "right title",
            "no title",
            "gold's 1st paragraph as title",
            "as a sentence",
        )
        rows = [
            [r["set"], r["kind"], *(str(r[k]) for k in counts)]
            for r in result.title_oof.iter_rows(named=True)
        ]
        tables.append(table("titles, out-of-fold (readability: metadata.json; seeds: gold)", cols, rows))
    return tables


def _float(text: str) -> float:
    """``text`` as a float, or argparse's error; the callers check its range (nan and inf fail it)."""
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None


def _megabytes(text: str) -> float:
    """An argparse type: a finite number of megabytes, 0 or more (0: a batch per file)."""
    value = _float(text)
    if not math.isfinite(value) or value < 0 or value > 1e6:
        raise argparse.ArgumentTypeError(f"expected megabytes from 0 to 1000000, got {text!r}")
    return value


def _at_least_one(text: str) -> int:
    """An argparse type: a whole number, 1 or more."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected 1 or more, got {text!r}")
    return value


def _seconds(text: str) -> float:
    """An argparse type: a finite number of seconds, more than 0."""
    value = _float(text)
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"expected seconds above 0, got {text!r}")
    return value


def _wait_seconds(text: str) -> float:
    """An argparse type: a finite number of seconds, 0 or more."""
    value = _float(text)
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"expected seconds from 0, got {text!r}")
    return value


def _pattern(text: str) -> str:
    """An argparse type: a file pattern relative to the input folder (``*.txt``, ``*/*.txt``)."""
    parts = re.split(r"[/\\]", text)
    if not text or text.startswith(("/", "\\")) or Path(text).is_absolute() or ".." in parts:
        raise argparse.ArgumentTypeError(
            f"expected a pattern inside the input folder, like *.txt; got {text!r}"
        )
    return text


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="newsclean", description="Clean scraped news text: boilerplate, encoding, typos, validation."
    )
    sub = ap.add_subparsers(dest="command", required=True)
    _add_clean(sub)
    folders = _folder_options()
    _add_run(sub, folders)
    _add_serve(sub, folders)
    _add_tools(sub)
    return ap


def _follow_links(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--follow-links",
        action="store_true",
        help="read inputs that are symbolic links to files outside the input folder (default: an error)",
    )


def _max_bytes(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--max-bytes",
        type=_at_least_one,
        default=DEFAULT_MAX_BYTES,
        help=f"larger inputs become error documents (default {DEFAULT_MAX_BYTES})",
    )


def _folder_options() -> argparse.ArgumentParser:
    """The options ``run`` and ``serve`` share: which folder, which files, how they are batched."""
    f = argparse.ArgumentParser(add_help=False)
    f.add_argument("--input", default="seeds", metavar="DIR", help="folder of scraped files (default seeds)")
    f.add_argument("--output", default="cleaned", metavar="DIR", help="output folder (default cleaned)")
    f.add_argument(
        "--pattern", type=_pattern, default="*.txt", help="file pattern inside --input (default *.txt)"
    )
    f.add_argument(
        "--batch-mb", type=_megabytes, default=8.0, help="megabytes of input per task run (default 8)"
    )
    _max_bytes(f)
    _follow_links(f)
    return f


def _add_clean(sub: Any) -> None:
    c = sub.add_parser(
        "clean", help="print the cleaned document of a file (or write one per input with --output)"
    )
    c.add_argument("paths", nargs="+", metavar="PATH", help="input file, folder, or - for stdin")
    c.add_argument(
        "--format",
        choices=["json", "text"],
        default="json",
        help="json: the contract document; text: body paragraphs only, blank-line separated",
    )
    c.add_argument("--output", metavar="DIR", help="write <stem>.json / <stem>.txt per input into DIR")
    c.add_argument(
        "--pattern", type=_pattern, default="*.txt", help="file pattern inside input folders (default: *.txt)"
    )
    _max_bytes(c)
    _follow_links(c)
    c.set_defaults(func=cmd_clean)


def _add_run(sub: Any, folders: argparse.ArgumentParser) -> None:
    r = sub.add_parser(
        "run", parents=[folders], help="run the Prefect flow over a folder (default seeds/ -> cleaned/)"
    )
    r.add_argument("--force", action="store_true", help="reclean every file, even unchanged ones")
    r.add_argument(
        "--wait",
        type=_wait_seconds,
        default=0.0,
        metavar="SECONDS",
        help="wait up to this long for another run on the same --output to finish (default: exit 5 at once)",
    )
    r.add_argument(
        "--dask-address", metavar="tcp://HOST:PORT", help="run the batches on an existing Dask cluster"
    )
    r.add_argument(
        "--workers",
        type=_at_least_one,
        metavar="N",
        help="batches run at once: one in this process, N-1 in worker processes (default: one per core "
        "when the input is more than 4 batches, else 1 = threads in this process)",
    )
    r.set_defaults(func=cmd_run)


def _add_serve(sub: Any, folders: argparse.ArgumentParser) -> None:
    sv = sub.add_parser(
        "serve",
        parents=[folders],
        help="serve the flow on a schedule against a Prefect server (default: hourly)",
    )
    sv.add_argument("--name", help="deployment name (default: the flow's, newsclean)")
    sv.add_argument("--cron", default="0 * * * *", help="cron schedule (default hourly)")
    sv.add_argument("--interval", type=_seconds, help="seconds between runs instead of --cron")
    sv.set_defaults(func=cmd_serve)


def _add_tools(sub: Any) -> None:
    """``repair``, ``typos`` and ``train``."""
    rp = sub.add_parser("repair", help="print the text decoded, repaired and normalized, every line in place")
    rp.add_argument("path", metavar="PATH|-")
    rp.set_defaults(func=cmd_repair)
    t = sub.add_parser("typos", help="print one JSON object per suspected typo")
    t.add_argument("path", metavar="PATH|-", nargs="?")
    t.add_argument(
        "--jsonl",
        metavar="FILE",
        help='check every {"id", "text"} line of FILE (or -); each flag printed with its "id"',
    )
    t.set_defaults(func=cmd_typos)
    tr = sub.add_parser(
        "train", help="retrain the line and title models on ../shared/data; print their out-of-fold figures"
    )
    tr.add_argument(
        "--shared", default="../shared", metavar="DIR", help="the shared data folder (default ../shared)"
    )
    tr.add_argument(
        "--output", metavar="FILE", help="where to write the line model (default: the shipped model file)"
    )
    tr.add_argument(
        "--title-output", metavar="FILE", help="where to write the title model (default: the shipped file)"
    )
    tr.add_argument("--no-oof", action="store_true", help="skip the out-of-fold tables")
    tr.add_argument("--check", action="store_true", help="write nothing; exit 1 if the shipped model differs")
    tr.set_defaults(func=cmd_train)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError, PermissionError) as exc:
        print(f"newsclean {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        from flows.interrupt import exit_status

        print("newsclean: interrupted", file=sys.stderr)
        return exit_status()


def entry() -> None:
    """The ``newsclean`` command: :func:`main`, then the usual exit without the interpreter's
    teardown of the imported modules (Prefect, great-expectations, polars, pyarrow: 1.7 s after
    every run here).

    When :func:`main` returns every output is written and closed. The exit proceeds as usual
    (threads joined, then the exit handlers: Prefect's, the temporary server's stop) up to the
    last handler, registered here first so it runs after all the others, which leaves at once.
    """
    exit_code = [1]  # an uncaught exception: Python's traceback, then exit status 1
    atexit.register(_leave_now, exit_code)
    try:
        exit_code[0] = main()
    except SystemExit as exc:  # argparse: 0 after --help, 2 on a usage error
        code = exc.code
        exit_code[0] = code if isinstance(code, int) else (0 if code is None else 1)
        if code is not None and not isinstance(code, int):
            print(code, file=sys.stderr)
    sys.exit(exit_code[0])


def _leave_now(exit_code: list[int]) -> None:
    import logging

    logging.shutdown()  # its own exit handler was registered before this one's, so would not run
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):  # a closed pipe: nothing more to say
            stream.flush()
    os._exit(exit_code[0])


if __name__ == "__main__":
    entry()
