"""Publication dates in the forms people write them, and where each document's date came from."""

from __future__ import annotations

import datetime as dt

import pytest

from supplyline.dates import date_from_file_name, parse_date
from supplyline.parsers import parse_document

MARCH_5 = dt.date(2025, 3, 5)


@pytest.mark.parametrize(
    "written",
    [
        "5 March 2025",
        "5th of March, 2025",
        "March 5, 2025",
        "March 5th 2025",
        "Mar 5 2025 14:00 UTC",
        "mar. 5, 2025",
        "2025-03-05",
        "2025-03-05T08:30:00+09:00",
        "2025-03-05 23:59",
        "2025/03/05",
        "05.03.2025",
        "5.3.2025",
        "03/05/2025",
        "Wed, 05 Mar 2025 14:00:00 GMT",
        "Wednesday, March 5, 2025",
        "5 марта 2025",
        dt.date(2025, 3, 5),
        dt.datetime(2025, 3, 5, 22, 0),
    ],
)
def test_common_written_forms(written):
    assert parse_date(written) == MARCH_5


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("25/03/2025", dt.date(2025, 3, 25)),  # cannot be month first
        ("2025-03", dt.date(2025, 3, 1)),
        ("March 2025", dt.date(2025, 3, 1)),
    ],
)
def test_partial_and_day_first_forms(written, expected):
    assert parse_date(written) == expected


@pytest.mark.parametrize(
    "junk",
    [
        None,
        "",
        "yesterday",
        "3 days ago",
        "March 5",
        "soon",
        "2025-02-30",
        "31.02.2025",
        "12 containers",
        "0012-03-05",
        "9999-01-01",
        True,
        20250305,
        "x" * 500,
    ],
)
def test_no_date_is_invented(junk):
    assert parse_date(junk) is None


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("name_2025-03-05.md", MARCH_5),
        ("wire_20250305_brief.txt", MARCH_5),
        ("note_2025_03_05.pdf", MARCH_5),
        ("reports/2025/03/05/note.txt", MARCH_5),
        ("sub/2024-01-01/report_2025-03-05.txt", MARCH_5),
        ("ledger_12345678.txt", None),
        ("note.txt", None),
        ("2025-13-40 note.txt", None),
    ],
)
def test_file_name_dates(path, expected):
    assert date_from_file_name(path) == expected


FRONT = "---\ntitle: Quay\n{key}: {value}\n---\nThe Maria left Rajin with 80 containers.\n"


@pytest.mark.parametrize("key", ["published", "date", "date_hint"])
@pytest.mark.parametrize(
    "value", ["5 March 2025", "March 5, 2025", "2025-03-05", "05.03.2025", "Mar 5 2025 14:00 UTC"]
)
def test_front_matter_dates(key, value):
    doc = parse_document(FRONT.format(key=key, value=value).encode(), "md", "desk/note.md")
    assert (doc.published, doc.published_source) == (MARCH_5, "front_matter")


def test_published_beats_date_hint_and_outlet_is_recorded():
    text = (
        "---\ndate_hint: 1 January 2024\npublished: 5 March 2025\noutlet: Quay Wire\n---\nBody.\n"
    )
    doc = parse_document(text.encode(), "md")
    assert (doc.published, doc.outlet, doc.outlet_source) == (MARCH_5, "Quay Wire", "front_matter")


def test_file_name_is_the_last_resort():
    md = parse_document(b"---\ntitle: no date\n---\nBody text.\n", "md", "desk/wire_2025-03-05.md")
    assert (md.published, md.published_source) == (MARCH_5, "file_name")
    txt = parse_document(b"Body text.\n", "txt", "wire_2025-03-05_note.txt")
    assert (txt.published, txt.published_source) == (MARCH_5, "file_name")
    assert (txt.outlet, txt.outlet_source) == (None, "none")  # read from the page at ingest
    dated = parse_document(b"---\npublished: 2024-12-01\n---\nBody.\n", "md", "wire_2025-03-05.md")
    assert (dated.published, dated.published_source) == (dt.date(2024, 12, 1), "front_matter")
    undated = parse_document(b"Body text.\n", "txt", "notes.txt")
    assert (undated.published, undated.published_source) == (None, "none")


def test_pdf_metadata_date():
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_creation_date(dt.datetime(2025, 3, 5, 9, 0, tzinfo=dt.UTC))
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    pdf.multi_cell(0, 6, "The tracker counted 64 voyages between the two ports.")
    doc = parse_document(bytes(pdf.output()), "pdf", "brief_2024-01-01.pdf")
    assert (doc.published, doc.published_source) == (MARCH_5, "pdf_metadata")
