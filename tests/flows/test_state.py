"""flows.state: the last run's state read back, and the decisions about which files are cleaned
again, without Prefect."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from flows import state
from schemas.frames import LineHashesModel, StateFilesModel, polars_schema


def test_repeat_signatures_match_the_per_file_reference() -> None:
    """repeat_sigs (one polars group-by) gives the signatures of the per-file Python definition."""
    import random

    from flows.state import repeat_sigs, signature

    rng = random.Random(7)
    files = [f"f{i}.txt" for i in range(60)]
    rows = [
        (f, rng.choice([1, 2, 3, 2**63 + 5, rng.getrandbits(64)]))
        for f in files
        for _ in range(rng.randint(0, 8))
    ]
    rows.append(("solo.txt", 10**12))  # only lines no other file has: the empty signature
    hashes = pl.DataFrame(rows, schema={"file": pl.Utf8, "h": pl.UInt64}, orient="row")
    repeats = hashes.group_by("h").agg(repeat_files=pl.col("file").n_unique().cast(pl.Int32))
    rep = dict(repeats.filter(pl.col("repeat_files") >= 2).iter_rows())
    repeated = pl.DataFrame(list(rep.items()), schema=["h", "repeat_files"], orient="row")
    sigs = repeat_sigs(hashes.lazy(), repeated)
    mine: dict[str, set[str]] = {}
    for f, h in rows:
        mine.setdefault(f, set())
        if h in rep:
            mine[f].add(f"{h}:{rep[h]}")
    want = {f: signature(sorted(v)) if v else "" for f, v in mine.items()}
    assert set(sigs) <= set(want)  # a file without repeated lines has no entry: its signature is ""
    got = {f: sigs.get(f, "") for f in want}
    assert got == want
    assert sum(1 for v in got.values() if v) > 10 and sum(1 for v in got.values() if not v) > 0


def _state_folder(tmp_path: Path, version: str) -> tuple[Path, Path]:
    out = tmp_path / "out"
    st = out / ".state"
    st.mkdir(parents=True)
    for t in state.TABLES:
        (out / f"{t}.parquet").write_bytes(b"")  # present: load_state only checks they exist
    files = pl.DataFrame(
        [
            {
                "file": "a.txt",
                "sha256": "1",
                "version": version,
                "repeat_sig": "",
                "source": None,
                "names_sig": "",
            }
        ],
        schema=polars_schema(StateFilesModel),
    )
    files.write_parquet(st / "files.parquet")
    LineHashesModel.empty().write_parquet(st / state.HASHES_FILE)
    from cleaners.pipeline import NAMES_SCHEMA

    pl.DataFrame(schema=NAMES_SCHEMA).write_parquet(st / "names.parquet")
    return st, out


def test_load_state_keeps_files_of_this_cleaner_version_only(tmp_path: Path) -> None:
    from cleaners.pipeline import CLEANER_VERSION

    st, out = _state_folder(tmp_path, CLEANER_VERSION)
    assert state.load_state(st, out, force=False)["files"]["file"].to_list() == ["a.txt"]
    assert state.load_state(st, out, force=True)["files"].is_empty()
    st2, out2 = _state_folder(tmp_path / "old", "0.0.1")
    assert state.load_state(st2, out2, force=False)["files"].is_empty()


def test_load_state_without_the_tables_starts_afresh(tmp_path: Path) -> None:
    from cleaners.pipeline import CLEANER_VERSION

    st, out = _state_folder(tmp_path, CLEANER_VERSION)
    (out / "typos.parquet").unlink()  # the outputs it describes are gone
    assert state.load_state(st, out, force=False)["files"].is_empty()


def test_pending_files_are_read_back_and_accumulate(tmp_path: Path) -> None:
    assert state.read_pending(tmp_path) == {"files": [], "stems": []}
    state.write_pending(tmp_path, {"files": ["a.txt"], "stems": ["a"]}, ["b.txt"], {"b.txt": "b"})
    assert state.read_pending(tmp_path) == {"files": ["a.txt", "b.txt"], "stems": ["a", "b"]}
    (tmp_path / state.PENDING_FILE).write_text("[1, 2", encoding="utf-8")  # torn by a crash
    assert state.read_pending(tmp_path) == {"files": [], "stems": []}


# ------------------------------------------------------------------------------------------------
# RunState.plan: every case the incremental flow tests cover, without Prefect
# ------------------------------------------------------------------------------------------------


def _last_run(
    tmp_path: Path, rows: list[dict], stems: dict[str, str], pending: list[str] = ()
) -> state.RunState:
    """A RunState as :meth:`RunState.load` reads it from a folder where the last run left
    ``rows`` (file, sha256, repeat_sig, source, names_sig) under ``stems``."""
    from cleaners.pipeline import CLEANER_VERSION

    out = tmp_path / "out"
    st = out / ".state"
    st.mkdir(parents=True)
    for t in state.TABLES:
        (out / f"{t}.parquet").write_bytes(b"")
    files = pl.DataFrame(
        [{"version": CLEANER_VERSION, **r} for r in rows], schema=polars_schema(StateFilesModel)
    )
    files.write_parquet(st / "files.parquet")
    LineHashesModel.empty().write_parquet(st / state.HASHES_FILE)
    from cleaners.pipeline import NAMES_SCHEMA

    pl.DataFrame(schema=NAMES_SCHEMA).write_parquet(st / "names.parquet")
    pl.DataFrame({"file": list(stems), "stem": list(stems.values())}).write_parquet(out / "files.parquet")
    if pending:
        state.write_pending(st, {"files": [], "stems": []}, list(pending), stems)
    return state.RunState.load(out, force=False)


ROWS = [
    {"file": "a.txt", "sha256": "1", "repeat_sig": "", "source": "S", "names_sig": "n"},
    {"file": "b.txt", "sha256": "2", "repeat_sig": "r", "source": None, "names_sig": ""},
    {"file": "c.txt", "sha256": "3", "repeat_sig": "", "source": "T", "names_sig": "m"},
]
STEMS = {"a.txt": "a", "b.txt": "b", "c.txt": "c"}
SIGS = {"b.txt": "r"}
NAMES = {"S": "n", "T": "m"}


def _plan(
    st: state.RunState, inputs: dict[str, str], stems: dict[str, str] = STEMS, **kw: dict
) -> state.Plan:
    """What the flow does: the known files, those whose bytes (``inputs``: file -> sha256 now)
    are the same, then the plan."""
    known = st.known(stems)
    same = [f for f in inputs if f in known and known[f] == inputs[f]]
    return st.plan(list(inputs), same, kw.get("repeat_sig", SIGS), kw.get("names_sig", NAMES))


def test_a_rerun_on_unchanged_inputs_keeps_everything(tmp_path: Path) -> None:
    plan = _plan(_last_run(tmp_path, ROWS, STEMS), {"a.txt": "1", "b.txt": "2", "c.txt": "3"})
    assert plan == state.Plan(clean=(), redo_context=(), redo_typos=(), keep=("a.txt", "b.txt", "c.txt"))


def test_changed_and_new_files_are_cleaned_and_gone_ones_are_in_no_list(tmp_path: Path) -> None:
    plan = _plan(_last_run(tmp_path, ROWS, STEMS), {"a.txt": "1", "b.txt": "2*", "d.txt": "4"})
    assert plan.clean == ("b.txt", "d.txt")
    assert plan.keep == ("a.txt",)
    assert "c.txt" not in {*plan.clean, *plan.keep, *plan.redo_typos}  # its outputs are stale


def test_a_file_whose_repeated_lines_moved_is_cleaned_again(tmp_path: Path) -> None:
    plan = _plan(
        _last_run(tmp_path, ROWS, STEMS),
        {"a.txt": "1", "b.txt": "2", "c.txt": "3"},
        repeat_sig={"a.txt": "x"},
    )
    # a now shares a line with another file; b no longer does
    assert plan.redo_context == ("a.txt", "b.txt")
    assert plan.clean == ("a.txt", "b.txt")
    assert plan.keep == ("c.txt",)


def test_a_file_whose_source_names_moved_gets_its_typos_redone(tmp_path: Path) -> None:
    plan = _plan(
        _last_run(tmp_path, ROWS, STEMS),
        {"a.txt": "1", "b.txt": "2", "c.txt": "3"},
        names_sig={"S": "n", "T": "m2"},
    )
    assert plan == state.Plan(clean=(), redo_context=(), redo_typos=("c.txt",), keep=("a.txt", "b.txt"))


def test_a_killed_runs_files_and_a_taken_stem_are_cleaned_again(tmp_path: Path) -> None:
    st = _last_run(tmp_path, ROWS, STEMS, pending=["a.txt"])
    # a new name sorted before c takes its stem: c gets another and is cleaned under it
    plan = _plan(
        st, {"a.txt": "1", "b.txt": "2", "c.txt": "3"}, stems={"a.txt": "a", "b.txt": "b", "c.txt": "c-2"}
    )
    assert plan.clean == ("a.txt", "c.txt")
    assert plan.keep == ("b.txt",)


def test_force_and_another_version_plan_a_full_clean(tmp_path: Path) -> None:
    _last_run(tmp_path, ROWS, STEMS)
    forced = state.RunState.load(tmp_path / "out", force=True)
    assert _plan(forced, {"a.txt": "1", "b.txt": "2"}).clean == ("a.txt", "b.txt")
    files = pl.read_parquet(tmp_path / "out" / ".state" / "files.parquet").with_columns(
        version=pl.lit("0.0.1")
    )
    files.write_parquet(tmp_path / "out" / ".state" / "files.parquet")
    other = state.RunState.load(tmp_path / "out", force=False)
    assert _plan(other, {"a.txt": "1", "b.txt": "2"}).keep == ()
