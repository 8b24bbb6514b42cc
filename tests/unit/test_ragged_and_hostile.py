"""Tables whose rows do not fit their header, tables without rows or header, and hostile files:
each is found at parse time with its reason, from real bytes built here."""

from __future__ import annotations

import datetime as dt
import io
import zlib
from pathlib import Path

import polars as pl
import pytest

from supplyline.inbox import parse_file, scan_inbox
from supplyline.parsers import ParseError, parse_document, parse_table
from tests.bad_inputs import (
    YAML_LAUGHS,
    _repeated_deflate,
    _zip,
    nested_html,
    nested_json,
    parquet_bomb,
    pdf_stream_bomb,
    xlsx_bomb,
)


def _xlsx(fill) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    fill(book.active)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _built(builder, tmp_path: Path, name: str) -> bytes:
    path = tmp_path / name
    builder(path, tmp_path)
    return path.read_bytes()


# --------------------------------------------------------------------------- rows that do not fit


def test_xlsx_value_past_the_last_header_column_is_a_row_problem():
    def fill(ws):
        ws.title = "voyages"
        ws.append(["vessel", "containers"])
        ws.append(["Angara", 210])
        ws.append(["Maria", 80, "checked twice"])
        ws.append(["Lady R", 60])

    (table,) = parse_table(_xlsx(fill), "xlsx")
    assert table.frame.rows() == [("Angara", "210"), ("Lady R", "60")]
    assert table.row_numbers.to_list() == [1, 3]
    assert table.row_problems == [
        (2, "too many cells: 3 where the header has 2", ["Maria", "80", "checked twice"])
    ]


def test_title_above_the_header_is_not_a_row_and_merges_below_a_blank_row_line_up():
    def fill(ws):
        ws["B2"] = "Voyage log, first quarter"
        ws["B4"], ws["C4"], ws["D4"] = "vessel", "port", "containers"
        ws["B5"], ws["C5"], ws["D5"] = "Angara", "Rajin", 120
        ws["B7"], ws["C7"], ws["D7"] = "Maria", "Dunay", 80  # a blank row 6 above it
        ws["B8"], ws["D8"] = "Lady R", 60
        ws.merge_cells("C7:C8")

    (table,) = parse_table(_xlsx(fill), "xlsx")
    assert table.frame.rows() == [
        ("Angara", "Rajin", "120"),
        ("Maria", "Dunay", "80"),
        ("Lady R", "Dunay", "60"),
    ]
    assert (
        table.warning
        == "a title above the header was not read as a row (Voyage log, first quarter)"
    )
    (csv,) = parse_table(b"Voyage log\n\nvessel,containers\nAngara,120\n", "csv")
    assert csv.frame.rows() == [("Angara", "120")] and csv.warning.startswith(
        "a title above the header"
    )


@pytest.mark.parametrize(
    ("data", "fmt", "warning"),
    [
        (b"vessel,containers\n", "csv", "a header and no rows"),
        (b"[]", "json", "an empty array: no records"),
        (
            b"2025-01-06,210\n2025-01-09,80\n",
            "csv",
            "no header row: the first row holds only numbers and dates (2025-01-06, 210), so every row was read as data",
        ),
        (b"12;1,250\n13;(300)\n", "csv", "no header row"),
    ],
)
def test_tables_without_rows_or_header_warn(data, fmt, warning):
    (table,) = parse_table(data, fmt)
    assert table.warning.startswith(warning)
    if "no header" in warning:
        assert table.frame.columns == ["column_1", "column_2"] and table.frame.height == 2


def test_headerless_and_header_only_workbooks_and_parquet_warn():
    (headerless,) = parse_table(
        _xlsx(
            lambda ws: [ws.append([dt.date(2025, 1, 6), 210]), ws.append([dt.date(2025, 1, 9), 80])]
        ),
        "xlsx",
    )
    assert headerless.warning.startswith("no header row") and headerless.frame.height == 2
    (header_only,) = parse_table(_xlsx(lambda ws: ws.append(["vessel", "containers"])), "xlsx")
    assert header_only.warning == "a header and no rows" and header_only.frame.columns == [
        "vessel",
        "containers",
    ]
    buf = io.BytesIO()
    pl.DataFrame({"vessel": []}, schema={"vessel": pl.String}).write_parquet(buf)
    (empty,) = parse_table(buf.getvalue(), "parquet")
    assert empty.warning == "a schema and no rows"


def test_a_header_that_merely_contains_years_is_a_header():
    (table,) = parse_table(b"metric,2024,2025\ntroops,11000,12000\n", "csv")
    assert table.warning is None and table.frame.columns == ["metric", "2024", "2025"]


# --------------------------------------------------------------------------- hostile files


def test_xlsx_bomb_is_refused_from_its_declared_sizes(tmp_path):
    data = _built(xlsx_bomb(50), tmp_path, "bomb.xlsx")
    assert len(data) < 300_000
    with pytest.raises(ParseError, match=r"unpacks to 52 MB, past the 10 MB limit .*a zip bomb\?"):
        parse_table(data, "xlsx", max_unpacked=10_000_000)
    (table,) = parse_table(
        data, "xlsx", max_unpacked=100_000_000
    )  # under the limit it is a real workbook
    assert table.frame.columns == ["vessel", "containers"] and table.frame.height > 10_000


def test_xlsx_part_that_lies_about_its_size_is_refused(tmp_path):
    """A part declaring 1 KB (with the checksum of that first KB) that inflates to 50 MB: a
    reader trusting the directory would inflate it all."""
    honest = _built(xlsx_bomb(1), tmp_path, "small.xlsx")
    import zipfile

    row = b"<row><c><v>1</v></c></row>"
    chunk = row * ((1 << 20) // len(row))
    prefix = b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    stream = _repeated_deflate(prefix, chunk, 50, b"</sheetData></worksheet>", -15)
    first_kb = (prefix + chunk)[:1024]
    parts = []
    with zipfile.ZipFile(io.BytesIO(honest)) as src:
        for info in src.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                parts.append((info.filename, stream, 1024, zlib.crc32(first_kb)))
            else:
                body = src.read(info.filename)
                comp = zlib.compressobj(6, zlib.DEFLATED, -15)
                parts.append(
                    (info.filename, comp.compress(body) + comp.flush(), len(body), zlib.crc32(body))
                )
    with pytest.raises(ParseError, match=r"sheet1.xml inflates past the 1,024 bytes it declares"):
        parse_table(_zip(parts), "xlsx")


def test_parquet_bomb_is_refused_from_its_footer(tmp_path):
    data = _built(parquet_bomb(2_000_000, 2), tmp_path, "bomb.parquet")
    with pytest.raises(ParseError, match=r"2,000,000 rows x 2 columns\), past the 10 MB limit"):
        parse_table(data, "parquet", max_unpacked=10_000_000)
    (table,) = parse_table(data, "parquet", max_unpacked=100_000_000)
    assert table.frame.height == 2_000_000


def test_pdf_stream_bomb_fails_at_the_stream_limit(tmp_path):
    with pytest.raises(ParseError, match="PDF content unpacks past the 32 MB limit"):
        parse_document(_built(pdf_stream_bomb(200), tmp_path, "bomb.pdf"), "pdf")
    # The same PDF with a small stream is read: the limit, not the file's shape, refused it.
    assert (
        "Angara 210" in parse_document(_built(pdf_stream_bomb(1), tmp_path, "ok.pdf"), "pdf").text
    )


@pytest.mark.parametrize(
    ("builder", "fmt", "reason"),
    [
        (nested_json(200_000), "json", "JSON nested too deeply"),
        (nested_html(200_000), "html", "HTML nested more than 255 levels deep"),
    ],
)
def test_nesting_bombs_fail_as_files(builder, fmt, reason, tmp_path):
    data = _built(builder, tmp_path, f"deep.{fmt}")
    with pytest.raises(ParseError, match=reason):
        parse_table(data, fmt) if fmt == "json" else parse_document(data, fmt)


def test_json_nested_a_little_is_still_read():
    (table,) = parse_table(
        b'[{"vessel": "Angara", "route": ' + b"[" * 50 + b"]" * 50 + b"}]", "json"
    )
    assert table.frame["vessel"].to_list() == ["Angara"]


def test_yaml_alias_bomb_in_front_matter():
    with pytest.raises(ParseError, match="front matter expands to more than 10,000 values"):
        parse_document(YAML_LAUGHS.encode(), "md")


def test_inbox_passes_its_size_limit_to_the_parsers(tmp_path):
    """scan_inbox's limit reaches parse_file: the same workbook passes a loose scan and fails a
    tight one."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    xlsx_bomb(20)(inbox / "bomb.xlsx", tmp_path)
    (loose,) = scan_inbox(inbox, 100_000_000)
    assert parse_file(loose).error is None
    (tight,) = scan_inbox(inbox, 5_000_000)
    assert "past the 5 MB limit" in parse_file(tight).error
