"""Exports read back with Polars and openpyxl: same rows, numbers as numbers, no live formulas."""

from __future__ import annotations

import csv
import datetime as dt
import json

import duckdb
import openpyxl
import polars as pl
import pytest
from typer.testing import CliRunner

from supplyline.cli import app
from supplyline.desk import export as export_module
from supplyline.desk.export import FORMULA_START, export, neutralise

DANGEROUS = [
    "=1+2",
    "+SUM(A1:A3)",
    "-2+3",
    "@SUM(A1)",
    "\tcmd",
    "\r=cmd",
    '=HYPERLINK("http://x","y")',
]
SAFE = ["Rajin", "a = b", "", "3 + 4", "'quoted"]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    path = tmp_path_factory.mktemp("export") / "wh.duckdb"
    con = duckdb.connect(str(path))
    con.execute("create schema marts")
    con.execute(
        "create table marts.cells (n integer, text varchar, amount double, price decimal(10, 2), "
        'day date, tags varchar[], info struct(k varchar), "=cmd" integer)'
    )
    texts = DANGEROUS + SAFE + [None]
    for i, text in enumerate(texts):
        con.execute(
            "insert into marts.cells values (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                -i,
                text,
                -1.5 * i,
                12.34,
                dt.date(2024, 1, 1) + dt.timedelta(days=i),
                ["=x", "y"],
                {"k": "=z"},
                i,
            ],
        )
    con.close()
    return path


@pytest.fixture
def con(warehouse):
    c = duckdb.connect(str(warehouse), read_only=True)
    yield c
    c.close()


def _no_formula_text(value) -> bool:
    return not (isinstance(value, str) and value.startswith(FORMULA_START))


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_xlsx_round_trip_has_no_live_formulas(con, tmp_path):
    out = tmp_path / "cells.xlsx"
    result = export(con, "marts.cells", out)
    assert (result.rows, result.columns) == (13, 8)
    assert result.neutralised == len(DANGEROUS) + 1  # the cells, and the column named =cmd
    sheet = openpyxl.load_workbook(out).active
    rows = list(sheet.iter_rows())
    assert [c.value for c in rows[0]] == [
        "n",
        "text",
        "amount",
        "price",
        "day",
        "tags",
        "info",
        "'=cmd",
    ]
    assert len(rows) == 14
    for row in rows:
        for cell in row:
            assert cell.data_type != "f", cell.coordinate
            assert _no_formula_text(cell.value), (cell.coordinate, cell.value)
    body = rows[1:]
    # (openpyxl's plain XML reader turns a stored carriage return into a line feed; with lxml
    # installed it keeps it, so both sides are compared with line feeds)
    assert [r[1].value.replace("\r", "\n") for r in body[: len(DANGEROUS)]] == [
        "'" + t.replace("\r", "\n") for t in DANGEROUS
    ]
    assert [r[1].value for r in body[len(DANGEROUS) : -1]] == SAFE[:2] + [None] + SAFE[
        3:
    ]  # '' reads back as empty
    # Numbers and dates keep their types: negative numbers are numbers, not neutralised text.
    assert [r[0].value for r in body] == [-i for i in range(13)]
    assert all(r[0].data_type == "n" and r[2].data_type == "n" for r in body)
    assert body[3][2].value == -4.5 and body[0][3].value == 12.34
    assert body[2][4].value == dt.datetime(2024, 1, 3) and body[2][4].is_date
    assert json.loads(body[0][5].value) == ["=x", "y"] and json.loads(body[0][6].value) == {
        "k": "=z"
    }


def test_csv_round_trip(con, tmp_path):
    out = tmp_path / "cells.csv"
    export(con, "cells", out)
    back = pl.read_csv(out, try_parse_dates=True)
    assert back.height == 13 and back.columns[-1] == "'=cmd"
    assert back["n"].to_list() == [-i for i in range(13)] and back["n"].dtype == pl.Int64
    assert back["amount"].dtype == pl.Float64 and back["day"].dtype == pl.Date
    assert back["text"].to_list()[: len(DANGEROUS)] == ["'" + t for t in DANGEROUS]
    with out.open(newline="") as f:
        cells = [cell for row in csv.reader(f) for cell in row]
    # Only numbers (negative ones) may start with a sign; every such text cell was quoted.
    assert all(_no_formula_text(c) or _is_number(c) for c in cells)
    # the seven cells, the =cmd header, and SAFE's own "'quoted"
    assert sum(c.startswith("'") for c in cells) == len(DANGEROUS) + 2


def test_parquet_and_json_keep_values_exactly(con, tmp_path):
    export(con, "marts.cells", tmp_path / "cells.parquet")
    export(con, "select * from marts.cells order by n desc", tmp_path / "cells.json")
    expected = con.sql("select * from marts.cells").pl()
    assert pl.read_parquet(tmp_path / "cells.parquet").equals(expected)
    back = json.loads((tmp_path / "cells.json").read_text())
    assert [r["text"] for r in back] == DANGEROUS + SAFE + [None]
    assert back[1]["tags"] == ["=x", "y"] and back[1]["day"] == "2024-01-02"


def test_a_query_exports_its_rows_and_bad_targets_are_refused(con, tmp_path):
    result = export(con, "select n, text from marts.cells where n > -3", tmp_path / "few.csv")
    assert result.rows == 3 and pl.read_csv(tmp_path / "few.csv").height == 3
    with pytest.raises(ValueError, match=r"\.parquet, \.csv, \.xlsx or \.json"):
        export(con, "marts.cells", tmp_path / "cells.txt")
    with pytest.raises(duckdb.Error):
        export(con, "delete from marts.cells", tmp_path / "x.csv")  # read-only connection


def test_too_many_rows_for_a_sheet(con, tmp_path, monkeypatch):
    monkeypatch.setattr(export_module, "XLSX_MAX_ROWS", 5)
    with pytest.raises(ValueError, match="do not fit in one sheet"):
        export(con, "marts.cells", tmp_path / "big.xlsx")


def test_neutralise():
    assert [neutralise(t) for t in DANGEROUS] == ["'" + t for t in DANGEROUS]
    assert [neutralise(t) for t in SAFE] == SAFE


def test_cli_export(warehouse, tmp_path):
    out = tmp_path / "cells.xlsx"
    result = CliRunner().invoke(
        app, ["export", "marts.cells", "--to", str(out), "-w", str(warehouse)]
    )
    assert result.exit_code == 0, result.output
    assert (
        "exported 13 rows x 8 columns" in result.output
        and "8 formula-looking cells quoted" in result.output
    )
    assert openpyxl.load_workbook(out).active.max_row == 14
    bad = CliRunner().invoke(
        app,
        ["export", "select * from nowhere", "--to", str(tmp_path / "x.csv"), "-w", str(warehouse)],
    )
    assert bad.exit_code == 1 and "nowhere" in bad.output
