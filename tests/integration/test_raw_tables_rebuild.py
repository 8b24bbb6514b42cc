"""A table-only inbox: what the raw layer keeps of each received sheet gives back the same marts.

The tables are ours (the sample inbox's ledgers and workbook, the public-layout tables in
tests/data/tables, and a ragged CSV whose misfit rows leave gaps in the row numbers). The
night's marts are compared, frame for frame, with a rebuild's from raw.table_rows, and with
those of a warehouse in the earlier layout (one JSON text per row) after its conversion.
"""

from __future__ import annotations

import re
import shutil

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from flows.nightly import nightly, rebuild
from supplyline.settings import REPO_ROOT
from warehouse.upgrade import STAGED

pytestmark = pytest.mark.integration

TABLE_SUFFIXES = {".csv", ".xlsx", ".parquet", ".json"}
RAGGED = (
    "vessel,departure_port,departure_date,arrival_port,arrival_date,containers\n"
    "Angara,Rajin,2024-01-05,Dunai,2024-01-07,300\n"
    "Maia-1,Rajin,2024-01-09\n"  # too few cells: quarantined at ingest, row 2 left out
    "Lady R,Najin,2024-02-01,Vostochny,2024-02-03,150,extra\n"  # too many: row 3 left out
    "Sparta IV,Rajin,2024-02-10,Dunai,not a date,120\n"
)


@pytest.fixture(scope="module")
def tables_night(tmp_path_factory):
    """One night over an inbox that holds only tables."""
    root = tmp_path_factory.mktemp("raw-tables")
    inbox = root / "inbox"
    inbox.mkdir()
    for folder in (REPO_ROOT / "samples" / "inbox", REPO_ROOT / "tests" / "data" / "tables"):
        for path in folder.iterdir():
            if path.suffix in TABLE_SUFFIXES:
                shutil.copy(path, inbox / path.name)
    (inbox / "ragged_voyages.csv").write_text(RAGGED)
    warehouse = root / "wh.duckdb"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SUPPLYLINE_DATA_DIR", str(root / "data"))
        mp.delenv("SUPPLYLINE_SMTP_HOST", raising=False)
        assert nightly(inbox=str(inbox), warehouse=str(warehouse))["status"] == "completed"
        yield {"root": root, "warehouse": warehouse}


def _marts(path) -> dict[str, pl.DataFrame]:
    """Every mart and the received rows as frames, rows in a stated order."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        names = [
            n
            for (n,) in con.execute(
                "select table_name from information_schema.tables "
                "where table_schema = 'marts' order by 1"
            ).fetchall()
        ]
        frames = {n: con.execute(f"select * from marts.{n} order by all").pl() for n in names}
        # The received rows as a person reads them (file, sheet, row, JSON of the cells).
        frames["raw.received_rows"] = con.execute(
            "select sha256, file_name, sheet, row_number, row_json::varchar as row_json "
            "from raw.received_rows order by all"
        ).pl()
        return frames
    finally:
        con.close()


def _assert_same(before: dict[str, pl.DataFrame], after: dict[str, pl.DataFrame]) -> None:
    assert set(before) == set(after)
    for name, frame in before.items():
        try:
            assert_frame_equal(after[name], frame, check_exact=True)
        except AssertionError as exc:
            raise AssertionError(f"{name}: {exc}") from exc


def test_the_night_kept_every_sheet_typed_and_filled_the_marts(tables_night):
    con = duckdb.connect(str(tables_night["warehouse"]), read_only=True)
    try:
        sheets = con.execute(
            "select file_name, sheet, len(columns) from raw.tables order by 1, 2"
        ).fetchall()
        cells = con.execute(
            "select data_type from duckdb_columns() where schema_name = 'raw' "
            "and table_name = 'table_rows' and column_name like 'c%'"
        ).fetchall()
        numbers = con.execute(
            "select list(row_number order by row_number) from raw.received_rows "
            "where file_name = 'ragged_voyages.csv'"
        ).fetchone()
        shipments = con.execute("select count(*) from marts.shipments").fetchone()
    finally:
        con.close()
    names = {name for name, *_ in sheets}
    assert {"voyages_tracker.csv", "voyages_second_tracker.xlsx", "ragged_voyages.csv"} <= names
    assert "strike_log.csv" in names and "equipment_deliveries.parquet" in names
    assert cells and {t for (t,) in cells} == {"VARCHAR"}
    assert len(cells) == max(width for *_, width in sheets)
    assert numbers == ([1, 4],)  # the misfits' numbers stay gaps
    assert shipments[0] > 0


def test_a_rebuild_from_raw_gives_the_same_marts(tables_night):
    warehouse = tables_night["warehouse"]
    before = _marts(warehouse)
    assert before["shipments"].height and before["strike_events"].height
    assert rebuild(warehouse=str(warehouse))["status"] == "completed"
    _assert_same(before, _marts(warehouse))


def test_a_warehouse_with_json_rows_is_converted_and_rebuilds_the_same(tables_night, caplog):
    """A warehouse an earlier version wrote (each row one JSON text, the file on every raw and
    staged row) is converted when a run opens it; the rows, and the marts a rebuild makes, are
    the same."""
    old = tables_night["root"] / "old" / "wh.duckdb"  # same name: dbt's views name the catalog
    old.parent.mkdir()
    shutil.copy(tables_night["warehouse"], old)
    before = _marts(old)
    con = duckdb.connect(str(old))
    for name in STAGED:  # whole again: the file hash, sheet and name on every row
        con.execute(
            f"create table staging.{name}_whole as select * from staging.{name}; "
            f"drop view staging.{name}; drop table staging.{name}_rows; "
            f"alter table staging.{name}_whole rename to {name}"
        )
    con.execute(
        "create table raw.json_rows as select sha256, file_name, sheet, row_number, row_json, "
        "run_id from raw.received_rows; drop view raw.received_rows; drop table raw.table_rows; "
        "drop table raw.tables; alter table raw.json_rows rename to table_rows"
    )
    con.close()
    caplog.set_level("WARNING")
    assert rebuild(warehouse=str(old))["status"] == "completed"
    _assert_same(before, _marts(old))
    con = duckdb.connect(str(old), read_only=True)
    try:
        left = con.execute(
            "select count(*) from duckdb_columns() where schema_name = 'raw' "
            "and column_name = 'row_json' and table_name <> 'received_rows'"
        ).fetchone()
    finally:
        con.close()
    assert left == (0,)
    assert re.search(r"converted [1-9]\d* received sheets and 5 staged tables", caplog.text)
