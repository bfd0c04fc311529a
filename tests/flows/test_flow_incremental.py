"""The flow: idempotent, incremental (unchanged files keep their outputs), equal to the CLI's corpus run."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import polars as pl
import pytest

#: Runs flows, servers or long property searches: `bash scripts/test.sh --all` runs it.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def _outputs(d: Path) -> dict[str, bytes]:
    """Every output file except the run manifest and the flow's internal state and reports."""
    skip = ("run-manifest.json", ".state", "reports", ".work")
    return {
        str(p.relative_to(d)): p.read_bytes()
        for p in sorted(d.rglob("*"))
        if p.is_file() and not any(part in skip for part in p.relative_to(d).parts)
    }


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    inp = tmp_path / "in"
    shutil.copytree(ROOT / "seeds", inp)
    return inp


def _run(inp: Path, out: Path, **kw: object) -> dict:
    from flows.clean_flow import clean_flow

    return clean_flow(input_dir=str(inp), output_dir=str(out), **kw)


def test_two_runs_leave_byte_identical_outputs_and_the_second_skips_everything(
    prefect_harness, corpus, tmp_path
):
    out = tmp_path / "out"
    first = _run(corpus, out)
    before = _outputs(out)
    second = _run(corpus, out)
    assert first["cleaned"] == 5 and second["cleaned"] == 0 and second["unchanged"] == 5
    assert _outputs(out) == before
    assert not (out / ".work").exists()


def test_flow_output_equals_the_committed_seed_output(prefect_harness, corpus, tmp_path):
    out = tmp_path / "out"
    _run(corpus, out)
    committed = _outputs(ROOT / "cleaned")
    assert _outputs(out) == committed


def test_the_last_stage_in_chunks_of_files_gives_the_same_outputs(
    prefect_harness, corpus, tmp_path, monkeypatch
):
    """Typos, checks and documents worked through two files at a time (the seeds' batch in three
    chunks) write what one pass over the batch wrote."""
    import flows.clean_flow

    monkeypatch.setattr(flows.clean_flow, "FINISH_CHUNK_FILES", 2)
    out = tmp_path / "out"
    summary = _run(corpus, out)
    assert summary["batches"] == 1 and summary["typos"] > 0
    assert _outputs(out) == _outputs(ROOT / "cleaned")


@pytest.mark.parametrize(
    "change", ["new_file_sharing_a_line", "new_file_of_a_known_source", "modify_and_delete", "force"]
)
def test_incremental_run_equals_a_full_run(prefect_harness, corpus, tmp_path, change):
    out, ref = tmp_path / "out", tmp_path / "ref"
    _run(corpus, out)
    kw: dict[str, object] = {}
    if change == "new_file_sharing_a_line":
        # shares its first line with 002's title: 002's context changes, so 002 is recleaned too
        (corpus / "005_new.txt").write_text(
            "Kim Jong Un Honours North Korean Troops Who Fought for Russia in Ukraine\nMarket rally continues\n"
            "Stocks rose on Monday as investors cheered strong earnings, analysts said.\n"
            "The index gained 2 percent by midday, traders said.\n",
            encoding="utf-8",
        )
        expect_cleaned = 2
    elif change == "new_file_of_a_known_source":
        # cites 001's source: that source's pooled name counts move, so 001's typos are redone
        # (its lines and articles re-staged from the last run's tables)
        (corpus / "006_wire.txt").write_text(
            "Seoul Weighs Response to Pyongyang Deployment\nSOURCE: www.reuters.com\n"
            "Officials in Seoul said Lee Jae-myung met Hegseth on Tuesday to discuss the deployment.\n"
            "Hegseth told reporters that Seoul and Washington would coordinate closely.\n",
            encoding="utf-8",
        )
        expect_cleaned = 2
    elif change == "modify_and_delete":
        p = corpus / "004_1a5239b33cff660f.txt"
        p.write_bytes(p.read_bytes() + b"\nAdvertisement\n")
        (corpus / "002_88dc7e6472a7a574.txt").unlink()
        expect_cleaned = 1
    else:
        kw["force"] = True
        expect_cleaned = 5
    summary = _run(corpus, out, **kw)
    _run(corpus, ref)
    assert summary["cleaned"] == expect_cleaned
    assert _outputs(out) == _outputs(ref)
    if change == "modify_and_delete":
        assert not (out / "002_88dc7e6472a7a574.json").exists()


def test_the_cli_corpus_run_writes_the_same_documents(prefect_harness, corpus, tmp_path):
    out, cli = tmp_path / "out", tmp_path / "cli"
    _run(corpus, out)
    subprocess.run(
        [str(ROOT / ".venv" / "bin" / "newsclean"), "clean", str(corpus), "--output", str(cli)],
        check=True,
        capture_output=True,
    )
    for p in cli.glob("*.json"):
        assert p.read_bytes() == (out / p.name).read_bytes(), p.name


def test_a_critical_expectation_failure_fails_the_run_and_the_cli(
    prefect_harness, corpus, tmp_path, monkeypatch, capsys
):
    """Breaking a paragraph on purpose (READ FULL ARTICLE left in a body) makes `newsclean run` exit 3."""
    import polars as pl

    import flows.clean_flow as cf
    from flows.cli import main

    real = cf.classify_lines

    def leaky(lines, repeats=None):
        out = real(lines, repeats)
        keep = pl.col("content") == "READ FULL ARTICLE"
        return out.with_columns(
            role=pl.when(keep).then(pl.lit("body")).otherwise(pl.col("role")),
            reason=pl.when(keep).then(None).otherwise(pl.col("reason")),
            article=pl.when(keep).then(pl.lit(0, dtype=pl.Int32)).otherwise(pl.col("article")),
        )

    monkeypatch.setattr(cf, "classify_lines", leaky)
    code = main(["run", "--input", str(corpus), "--output", str(tmp_path / "out")])
    printed = capsys.readouterr().out
    assert code == 3
    assert "FAIL" in printed and "no boilerplate phrases" in printed
    assert (tmp_path / "out" / "reports" / "validation.md").exists()


def test_state_written_by_another_version_means_a_full_reclean(prefect_harness, corpus, tmp_path):
    """A state table whose columns changed (names gained ``article``) is not read: everything is recleaned."""
    import polars as pl

    out = tmp_path / "out"
    _run(corpus, out)
    before = _outputs(out)
    names = out / ".state" / "names.parquet"
    pl.read_parquet(names).drop("article").write_parquet(names)  # as an older version wrote it
    again = _run(corpus, out)
    assert again["cleaned"] == 5 and again["unchanged"] == 0
    assert _outputs(out) == before
    assert "article" in pl.read_parquet(names).columns


def test_a_state_of_row_per_line_hashes_means_a_full_reclean(prefect_harness, corpus, tmp_path):
    """Earlier runs kept a hash per line (``hashes.parquet``); counting its rows as files would
    count a line repeated in its file twice. Such a state is not read, and is replaced."""
    out = tmp_path / "out"
    _run(corpus, out)
    before = _outputs(out)
    state = out / ".state"
    (state / "line-hashes.parquet").rename(state / "hashes.parquet")  # as an earlier run left it
    again = _run(corpus, out)
    assert again["cleaned"] == 5 and again["unchanged"] == 0
    assert _outputs(out) == before
    assert (state / "line-hashes.parquet").exists() and not (state / "hashes.parquet").exists()
    kept = pl.read_parquet(state / "line-hashes.parquet")
    assert len(kept) == len(kept.unique()) > 0  # one row per distinct line of a file


def test_repeated_lines_from_parts_equal_distinct_files_per_line() -> None:
    """Counting rows of per-file distinct hashes over several parts (the flow's way) gives the
    number of distinct files per line, for lines in two or more files."""
    import random

    from cleaners.lines import line_hashes, repeat_counts, repeated_lines

    rng = random.Random(3)
    pool = ["Advertisement", "Share this", "Read more", "A line", "Another line", "x"]
    rows = [(f"f{i}.txt", rng.choice(pool)) for i in range(40) for _ in range(rng.randint(0, 9))]
    df = pl.DataFrame(rows, schema=["file", "content"], orient="row")
    parts = [
        line_hashes(df.filter(pl.col("file").is_in([f"f{i}.txt" for i in range(k, 40, 3)]))) for k in range(3)
    ]
    got = repeated_lines(pl.concat([p.lazy() for p in parts]))
    want = repeat_counts(df).filter(pl.col("repeat_files") >= 2).sort("h")
    assert got.rows() == want.rows()
    assert got["repeat_files"].max() > 2 and len(got) > 3


def test_the_run_manifest_records_phase_seconds(prefect_harness, corpus, tmp_path):
    import json

    out = tmp_path / "out"
    _run(corpus, out)
    manifest = json.loads((out / "run-manifest.json").read_text())
    phases = manifest["phase_seconds"]
    assert list(manifest["phase_cpu_seconds"]) == list(manifest["phase_peak_rss_mib"]) == list(phases)
    assert all(isinstance(v, float) and v >= 0 for v in manifest["phase_cpu_seconds"].values())
    assert list(phases) == [
        "decode",
        "repetition",
        "classify",
        "names",
        "typos_write",
        "tables_state",
        "great_expectations",
        "artifacts",
    ]
    assert all(isinstance(v, float) and v >= 0 for v in phases.values())


def test_a_decode_without_hashes_writes_no_hashes_part(tmp_path: Path) -> None:
    """Files decoded again after the repetition counts (their hashes are counted already) get
    their lines staged, and no hashes part beside them."""
    from flows.clean_flow import decode_task

    paths = [str(p) for p in sorted((ROOT / "seeds").glob("*.txt"))[:2]]
    with_h = decode_task.fn(paths, 1 << 20, {}, tmp_path / "a.parquet")
    without = decode_task.fn(paths, 1 << 20, {}, tmp_path / "b.parquet", hashes=False)
    assert with_h.hashes == tmp_path / "a.hashes.parquet" and with_h.hashes.exists()
    assert without.hashes is None and not (tmp_path / "b.hashes.parquet").exists()
    assert without.part is not None
    assert pl.read_parquet(without.part).equals(pl.read_parquet(with_h.part))


def test_a_folder_that_starts_empty_grows_and_empties_again(prefect_harness, corpus, tmp_path):
    """A scheduled run over a folder with no files yet completes with empty tables of the usual
    columns; once files arrive they are cleaned as in a run that had them from the start, and
    once they are gone their outputs go too."""
    from cleaners.pipeline import TYPO_SCHEMA

    inp, out = tmp_path / "grow", tmp_path / "out"
    inp.mkdir()
    empty = _run(inp, out)
    assert empty["files"] == 0 and empty["cleaned"] == 0 and empty["gx_success"]
    assert pl.read_parquet(out / "typos.parquet").schema == pl.Schema(TYPO_SCHEMA)
    for t in ("files", "lines", "articles"):
        assert pl.read_parquet(out / f"{t}.parquet").height == 0, t

    for p in corpus.glob("*.txt"):
        shutil.copy(p, inp / p.name)
    grown = _run(inp, out)
    assert grown["cleaned"] == 5 and grown["unchanged"] == 0
    full = tmp_path / "full"
    _run(corpus, full)
    assert _outputs(out) == _outputs(full)

    for p in inp.glob("*.txt"):
        p.unlink()
    emptied = _run(inp, out)
    assert emptied["files"] == 0 and emptied["removed_stale"] > 0
    assert not list(out.glob("*.json")) or [p.name for p in out.glob("*.json")] == ["run-manifest.json"]
    assert not list((out / "text").glob("*.txt"))


def test_a_new_name_that_takes_a_kept_files_stem_moves_that_file_not_its_outputs(
    prefect_harness, corpus, tmp_path
):
    """Stems are handed out in name order: "a&b.txt" arriving beside "a+b.txt" takes its stem "a_b"
    and pushes it to "a_b-2". Each file must end with its own document under the stem the files
    table names, as in a full run, and when "a&b.txt" goes "a+b.txt" gets "a_b" back."""
    seeds = sorted(corpus.glob("*.txt"))
    inp, out = tmp_path / "names", tmp_path / "out"
    inp.mkdir()
    shutil.copy(seeds[0], inp / "a+b.txt")
    _run(inp, out)
    shutil.copy(seeds[4], inp / "a&b.txt")

    def check() -> None:
        full = tmp_path / "full"
        shutil.rmtree(full, ignore_errors=True)
        _run(inp, full)
        assert _outputs(out) == _outputs(full)
        for f, stem in pl.read_parquet(out / "files.parquet").select("file", "stem").iter_rows():
            doc = json.loads((out / f"{stem}.json").read_text(encoding="utf-8"))
            assert doc["file"] == f
            assert doc["sha256"] == hashlib.sha256((inp / f).read_bytes()).hexdigest()

    second = _run(inp, out)
    assert second["cleaned"] == 2  # a+b.txt moved to a_b-2: cleaned again under it
    check()
    (inp / "a&b.txt").unlink()
    _run(inp, out)
    check()
    assert not (out / "a_b-2.json").exists()


def _interrupt_before_state(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the next run stop as a SIGKILL or Ctrl-C would after its documents and tables are
    written and before its state is saved."""
    import flows.state

    def killed(*args: object, **kw: object) -> None:
        raise KeyboardInterrupt("interrupted before the state was saved")

    monkeypatch.setattr(flows.state, "save_state", killed)


def _docs_match_inputs(inp: Path, out: Path) -> None:
    for f, stem in pl.read_parquet(out / "files.parquet").select("file", "stem").iter_rows():
        doc = json.loads((out / f"{stem}.json").read_text(encoding="utf-8"))
        assert doc["sha256"] == hashlib.sha256((inp / f).read_bytes()).hexdigest(), f


@pytest.mark.parametrize("force", [False, True])
def test_an_edit_undone_after_an_interrupted_run_leaves_no_stale_document(
    prefect_harness, corpus, tmp_path, monkeypatch, force
):
    """Edit a file, run, interrupt after its document is written, undo the edit, run again: the
    document, its text files and the tables are the undone file's, as in a full run."""
    out, ref = tmp_path / "out", tmp_path / "ref"
    _run(corpus, out)
    p = corpus / "004_1a5239b33cff660f.txt"
    original = p.read_bytes()
    p.write_bytes(
        original + b"\nStorm Season Ends Early\n"
        b"Forecasters said on Friday that the storm season had ended two weeks early this year.\n"
        b"The agency said rainfall was below average across the region, officials said.\n"
    )
    with monkeypatch.context() as m:
        _interrupt_before_state(m)
        with pytest.raises(KeyboardInterrupt):
            _run(corpus, out)
    edited = json.loads((out / "004_1a5239b33cff660f.json").read_text(encoding="utf-8"))
    assert edited["sha256"] == hashlib.sha256(p.read_bytes()).hexdigest()  # it did land mid-way
    p.write_bytes(original)
    summary = _run(corpus, out, force=force)
    _run(corpus, ref)
    assert summary["cleaned"] >= 1
    assert _outputs(out) == _outputs(ref)
    _docs_match_inputs(corpus, out)
    assert not (out / ".state" / "pending.json").exists()


@pytest.mark.parametrize("force", [False, True])
def test_outputs_of_an_interrupted_run_for_a_file_deleted_since_are_removed(
    prefect_harness, corpus, tmp_path, monkeypatch, force
):
    out, ref = tmp_path / "out", tmp_path / "ref"
    _run(corpus, out)
    new = corpus / "zz_new.txt"
    new.write_bytes((corpus / "001_907b5f3dfdec8150.txt").read_bytes() + b"\nA late correction.\n")
    with monkeypatch.context() as m:
        _interrupt_before_state(m)
        with pytest.raises(KeyboardInterrupt):
            _run(corpus, out)
    assert (out / "zz_new.json").exists() and list((out / "text").glob("zz_new-*.txt"))
    new.unlink()
    _run(corpus, out, force=force)
    _run(corpus, ref)
    assert not (out / "zz_new.json").exists()
    assert not list((out / "text").glob("zz_new-*.txt"))
    assert _outputs(out) == _outputs(ref)


def test_bad_input_files_keep_their_error_documents_like_unchanged_files(prefect_harness, corpus, tmp_path):
    """A file that is bad input but can be read (binary, blank, an HTML page with no text) is not read and
    decoded again while its bytes stay the same: its error document and quarantine entry are kept."""
    (corpus / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    (corpus / "blank.txt").write_bytes(b" \n\xc2\xa0\n")
    out = tmp_path / "out"
    first = _run(corpus, out)
    assert sorted(first["quarantined"]) == ["blank.txt", "image.txt"]
    before = _outputs(out)
    second = _run(corpus, out)
    assert second["cleaned"] == 0 and second["unchanged"] == 7
    assert sorted(second["quarantined"]) == ["blank.txt", "image.txt"]
    assert _outputs(out) == before
    (corpus / "image.txt").unlink()
    (corpus / "blank.txt").write_bytes(
        b"Storm Warning Lifted\nThe storm warning was lifted on Friday, officials said.\n"
    )
    third = _run(corpus, out)
    assert third["cleaned"] == 1 and third["quarantined"] == []
    assert not (out / "image.json").exists() and not (out / "quarantine" / "image.json").exists()
    assert not (out / "quarantine" / "blank.json").exists()
    ref = tmp_path / "ref"
    _run(corpus, ref)
    assert _outputs(out) == _outputs(ref)
