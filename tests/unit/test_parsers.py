"""Each input format we claim to read, parsed from real bytes."""

from __future__ import annotations

import datetime as dt
import io
import json

import polars as pl
import pytest

from supplyline.parsers import (
    ParseError,
    decode_text,
    parse_document,
    parse_markdown,
    parse_table,
    sniff_delimiter,
)


def test_markdown_front_matter_is_split_from_body():
    doc = parse_markdown(
        '---\nurl: "https://example.org/a"\noutlet: "Wire"\npublished: 2024-03-02\ntitle: "T"\n---\nBody text.\n'
    )
    assert (doc.url, doc.outlet, doc.published, doc.title) == (
        "https://example.org/a",
        "Wire",
        dt.date(2024, 3, 2),
        "T",
    )
    assert doc.text == "Body text."


def test_markdown_without_front_matter_keeps_everything():
    assert parse_markdown("# Head\n\nPara").text == "# Head\n\nPara"


def test_broken_front_matter_is_a_parse_error():
    with pytest.raises(ParseError, match="front matter"):
        parse_markdown("---\nurl: [unclosed\n---\nbody")


def test_html_visible_text_only():
    html = (
        b"<html><head><title>Page</title><meta name='published' content='2024-05-06'>"
        b"<style>p{color:red}</style><script>var containers = 999;</script></head>"
        b"<body><p>First <b>bold</b> para.</p><p>Second.</p><noscript>hidden</noscript></body></html>"
    )
    doc = parse_document(html, "html")
    assert doc.text == "First bold para.\n\nSecond."
    assert doc.title == "Page" and doc.published == dt.date(2024, 5, 6)
    assert "999" not in doc.text and "hidden" not in doc.text


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("Kursk – déjà vu".encode("utf-8-sig"), "Kursk – déjà vu"),
        ("Kursk – déjà vu".encode("utf-16"), "Kursk – déjà vu"),
        ("Dunaï".encode("latin-1"), "Dunaï"),
        (b"line one\r\nline two", "line one\nline two"),
    ],
)
def test_text_encodings(data, expected):
    assert decode_text(data) == expected


@pytest.mark.parametrize("data", [b"", b"   \n", bytes(range(256)) * 4])
def test_empty_or_binary_text_is_rejected(data):
    with pytest.raises(ParseError):
        parse_document(data, "txt")


def test_pdf_text_layer(tmp_path):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, "The tracker counted 64 voyages between the two ports.")
    doc = parse_document(bytes(pdf.output()), "pdf")
    assert "64 voyages" in doc.text


def test_pdf_truncated_and_fake():
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.cell(0, 6, "text")
    data = bytes(pdf.output())
    with pytest.raises(ParseError):
        parse_document(data[: len(data) // 3], "pdf")
    with pytest.raises(ParseError, match="not a PDF"):
        parse_document(b"hello", "pdf")


def test_csv_quoted_newlines_ragged_rows_and_semicolons():
    data = b'vessel;containers;note\nAngara;"1,200";"two\nlines"\nMaria;80\nLady R;10;x;extra\nUrsa;5;y\n'
    (table,) = parse_table(data, "csv")
    assert table.frame.columns == ["vessel", "containers", "note"]
    assert table.frame.rows() == [("Angara", "1,200", "two\nlines"), ("Ursa", "5", "y")]
    assert table.row_numbers.to_list() == [1, 4]
    assert table.row_problems == [
        (2, "too few cells: 2 where the header has 3", ["Maria", "80"]),
        (3, "too many cells: 4 where the header has 3", ["Lady R", "10", "x", "extra"]),
    ]
    assert table.rows_in == 4 and table.warning is None


def test_csv_header_only_has_zero_rows_and_a_warning():
    (table,) = parse_table(b"a,b\n", "csv")
    assert table.frame.height == 0 and table.frame.columns == ["a", "b"]
    assert table.warning == "a header and no rows"


def test_sniff_delimiter():
    assert sniff_delimiter("a\tb\tc\n1\t2\t3") == "\t"
    assert sniff_delimiter("a|b\n1|2") == "|"


def test_xlsx_dates_and_sheets():
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "voyages"
    ws.append(["Ship", "Sailed", "Boxes"])
    ws.append(["Angara", dt.datetime(2024, 1, 5), 120])
    ws.append(["Maria", dt.datetime(2024, 1, 9), "=100+20"])
    buf = io.BytesIO()
    wb.save(buf)
    (table,) = parse_table(buf.getvalue(), "xlsx")
    assert table.sheet == "voyages"
    assert table.frame["Ship"].to_list() == ["Angara", "Maria"]
    assert table.frame["Sailed"][0].startswith("2024-01-05")


def test_json_array_object_and_invalid():
    (table,) = parse_table(json.dumps([{"a": 1, "b": "x"}, {"a": 2, "c": [1]}]).encode(), "json")
    assert table.frame.columns == ["a", "b", "c"]
    assert table.frame["c"].to_list() == [None, "[1]"]
    with pytest.raises(ParseError, match="not an array"):
        parse_table(b'{"a": 1, "b": 2}', "json")
    with pytest.raises(ParseError, match="not JSON"):
        parse_table(b"{nope", "json")


def test_parquet_round_trip_as_text():
    buf = io.BytesIO()
    pl.DataFrame(
        {"metric": ["troops_deployed"], "value": [11000.0], "day": [dt.date(2024, 11, 1)]}
    ).write_parquet(buf)
    (table,) = parse_table(buf.getvalue(), "parquet")
    assert table.frame.row(0) == ("troops_deployed", "11000.0", "2024-11-01")
    with pytest.raises(ParseError):
        parse_table(b"PAR1garbage", "parquet")
