"""The scan's hash cache, the quiet in-place run, and extraction in worker processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from supplyline import extract_worker
from supplyline.inbox import load_hash_cache, now_ns, save_hash_cache, scan_inbox
from supplyline.settings import REPO_ROOT
from transforms.rules import load_rules
from warehouse import db
from warehouse.targets import FileWarehouse

OLD = 1_600_000_000  # a file stamp well outside the racy window


def _aged(path: Path, text: str) -> Path:
    path.write_text(text)
    os.utime(path, (OLD, OLD))
    return path


def test_unchanged_files_keep_their_hash_and_changed_ones_are_read_again(tmp_path):
    inbox, cache = tmp_path / "inbox", tmp_path / "cache.parquet"
    inbox.mkdir()
    a = _aged(inbox / "a.txt", "first report")
    _aged(inbox / "b.txt", "second report")
    first = {f.path: f for f in scan_inbox(inbox, 10_000)}
    # ctime is "now" after writing, so wait out the racy window by saving as of a later clock
    assert save_hash_cache(cache, list(first.values()), now_ns() + 3_000_000_000) == 2
    known = load_hash_cache(cache)
    assert set(known) == {"a.txt", "b.txt"}
    written = cache.stat().st_mtime_ns
    os.utime(cache, ns=(written - 10**9, written - 10**9))
    # Nothing changed since: the cache file is left alone (a no-op night writes nothing).
    assert (
        save_hash_cache(cache, scan_inbox(inbox, 10_000, known), now_ns() + 3_000_000_000, known)
        == 2
    )
    assert cache.stat().st_mtime_ns == written - 10**9
    # The cache is trusted for an unchanged stamp: a planted hash comes back without a read.
    known["b.txt"] = (known["b.txt"][0], "planted")
    # Same size, mtime put back: only ctime tells that a.txt was rewritten.
    a.write_text("FIRST REPORT")
    os.utime(a, (OLD, OLD))
    again = {f.path: f for f in scan_inbox(inbox, 10_000, known)}
    assert again["b.txt"].sha256 == "planted"
    assert again["a.txt"].sha256 != first["a.txt"].sha256
    assert again["a.txt"].size_bytes == first["a.txt"].size_bytes


def test_files_changed_just_before_a_scan_are_not_cached(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "fresh.txt").write_text("just written")
    files = scan_inbox(inbox, 10_000)
    assert save_hash_cache(tmp_path / "c.parquet", files, now_ns()) == 0


def test_a_corrupt_cache_is_an_empty_one(tmp_path):
    bad = tmp_path / "c.parquet"
    bad.write_bytes(b"not parquet")
    assert load_hash_cache(bad) == {}
    assert load_hash_cache(tmp_path / "missing.parquet") == {}


def _published(tmp_path: Path) -> Path:
    path = tmp_path / "wh.duckdb"
    con = db.connect(path)
    db.apply_ddl(con)
    con.close()
    return path


def test_a_quiet_run_writes_in_place_and_rolls_back_on_abort(tmp_path):
    path = _published(tmp_path)
    target = FileWarehouse(path)
    con = target.open(quiet=True)
    assert target.in_place and target.published() is None
    assert not path.with_name(path.name + ".work").exists()
    con.execute("insert into ops.state values ('k', 'v', current_timestamp::timestamp)")
    target.abort(con)
    assert duckdb.connect(str(path), read_only=True).execute(
        "select count(*) from ops.state where key = 'k'"
    ).fetchone() == (0,)
    target = FileWarehouse(path)
    con = target.open(quiet=True)
    con.execute("insert into ops.state values ('k', 'v', current_timestamp::timestamp)")
    target.commit(con)
    assert duckdb.connect(str(path), read_only=True).execute(
        "select value from ops.state where key = 'k'"
    ).fetchone() == ("v",)


def test_a_quiet_run_uses_a_working_copy_while_a_reader_holds_the_file(tmp_path):
    path = _published(tmp_path)
    reader = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1], read_only=True); "
            "print('ready', flush=True); time.sleep(60)",
            str(path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout.readline().strip() == "ready"
        target = FileWarehouse(path)
        con = target.open(quiet=True)
        assert not target.in_place and path.with_name(path.name + ".work").exists()
        target.abort(con)
    finally:
        reader.kill()
        reader.wait()


def test_worker_processes_give_the_serial_result(sample_documents, tmp_path):
    rules = load_rules(REPO_ROOT / "reference")
    serial = extract_worker.extract_reports(sample_documents, rules)
    parallel = extract_worker.extract_in_processes(
        sample_documents, rules, REPO_ROOT / "reference", 2, 1, tmp_path
    )
    assert serial[0].height > 20
    assert_frame_equal(parallel[0], serial[0])
    assert_frame_equal(parallel[1], serial[1])
    assert list(tmp_path.iterdir()) == []  # scratch files are removed


def test_a_failing_worker_is_an_error_not_a_silent_gap(sample_documents, tmp_path):
    rules = load_rules(REPO_ROOT / "reference")
    with pytest.raises(RuntimeError, match="extraction worker failed"):
        extract_worker.extract_in_processes(
            sample_documents, rules, tmp_path / "no_reference", 2, 1, tmp_path
        )


def test_text_split_is_contiguous_and_balanced():
    docs = pl.DataFrame({"text": ["x" * n for n in (10, 10, 10, 10, 40, 10, 10)]})
    parts = extract_worker.split_by_text(docs, 2)
    assert sum(p.height for p in parts) == docs.height
    assert pl.concat(parts)["text"].to_list() == docs["text"].to_list()
    sizes = [int(p["text"].str.len_bytes().sum()) for p in parts]
    assert max(sizes) <= 60
