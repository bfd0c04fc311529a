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
