"""Rebuild the binary sample files in ``samples/inbox`` from the text sources in ``samples/src``.

Run from the repository root::

    .venv/bin/python samples/build_samples.py

Outputs (all deterministic: fixed PDF creation dates, fixed zip timestamps):

* ``inbox/<stem>.pdf`` for every report source listed in ``PDF_SOURCES``;
* ``inbox/voyages_second_tracker.xlsx`` from ``src/voyages_second_tracker.csv``;
* ``inbox/equipment_deliveries.parquet`` from ``src/equipment_deliveries.csv``.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
from fpdf import FPDF
from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
SRC = HERE / "src"
INBOX = HERE / "inbox"

FIXED_DATETIME = datetime(2025, 1, 1, tzinfo=UTC)
ZIP_TIMESTAMP = (2025, 1, 1, 0, 0, 0)

# source text -> (PDF author, PDF subject)
PDF_SOURCES: dict[str, tuple[str, str]] = {
    "kmo_technical_note_2025-04-15.txt": (
        "Korea Maritime Observatory",
        "Container-based estimate of shells shipped from Rajin",
    ),
    "eu_sede_hearing_2025-03-27.txt": (
        "Subcommittee on Security and Defence secretariat",
        "Hearing summary: North Korea's military support to Russia",
    ),
}


class ReportPDF(FPDF):
    """A plain A4 report with a running header and page-number footer."""

    def __init__(self, running_head: str) -> None:
        super().__init__(format="A4")
        self.running_head = running_head

    def header(self) -> None:
        self.set_font("Helvetica", "I", 8)
        self.cell(0, 6, self.running_head, new_x="LMARGIN", new_y="NEXT", align="R")
        self.ln(2)

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font("Helvetica", "I", 8)
        self.cell(0, 10, f"Page {self.page_no()} of {{nb}}", align="C")


def _is_heading(par: str) -> bool:
    return "\n" not in par and len(par) < 40 and not par.rstrip().endswith(".")


def build_pdf(src: Path, author: str, subject: str) -> Path:
    text = src.read_text(encoding="utf-8")
    text.encode("latin-1")  # core fonts only cover latin-1; fail loudly otherwise
    lines = text.strip().splitlines()
    running_head, title, dateline = lines[0], lines[1], lines[2]
    body = "\n".join(lines[3:]).strip()
    paragraphs = [p.strip() for p in body.split("\n\n") if p.strip()]

    pdf = ReportPDF(running_head)
    # The report's own date (in its file name) is its creation date, as a publisher's PDF has.
    dated = re.search(r"(\d{4})-(\d\d)-(\d\d)", src.stem)
    pdf.set_creation_date(
        datetime(*map(int, dated.groups()), tzinfo=UTC) if dated else FIXED_DATETIME
    )
    pdf.set_title(title)
    pdf.set_author(author)
    pdf.set_subject(subject)
    pdf.set_creator("Supplyline samples/build_samples.py")
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.add_page()

    pdf.set_font("Helvetica", "B", 15)
    pdf.multi_cell(0, 7, title, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    pdf.set_font("Helvetica", "", 9)
    pdf.multi_cell(0, 5, dateline, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    for par in paragraphs:
        if _is_heading(par):
            pdf.set_font("Helvetica", "B", 11)
            pdf.multi_cell(0, 6, par, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        else:
            pdf.set_font("Helvetica", "", 10.5)
            pdf.multi_cell(0, 5.5, " ".join(par.split()), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(3)

    out = INBOX / (src.stem + ".pdf")
    pdf.output(str(out))
    return out


def _normalise_zip(data: bytes) -> bytes:
    """Rewrite a zip archive with fixed member timestamps so the bytes are reproducible."""
    buf = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as zin,
        zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zout,
    ):
        for info in zin.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_TIMESTAMP)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            payload = zin.read(info.filename)
            if info.filename == "docProps/core.xml":
                # openpyxl stamps "modified" with the current time on save; pin it.
                payload = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>2025-01-01T00:00:00Z\g<2>",
                    payload,
                )
            zout.writestr(fixed, payload)
    return buf.getvalue()


def build_xlsx() -> Path:
    src = SRC / "voyages_second_tracker.csv"
    with src.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    header, records = rows[0], rows[1:]

    wb = Workbook()
    ws = wb.active
    ws.title = "voyages"
    ws.append(header)
    date_cols = {header.index("Sailed"), header.index("Arrived")}
    int_cols = {header.index("TEU/containers")}
    for rec in records:
        row: list[object] = []
        for i, val in enumerate(rec):
            if i in date_cols:
                row.append(datetime.combine(date.fromisoformat(val), datetime.min.time()))
            elif i in int_cols:
                row.append(int(val))
            else:
                row.append(val)
        ws.append(row)
    for col in ("C", "E"):
        for cell in ws[col][1:]:
            cell.number_format = "yyyy-mm-dd"
        ws.column_dimensions[col].width = 12
    ws.column_dimensions["H"].width = 28
    ws.freeze_panes = "A2"

    naive = FIXED_DATETIME.replace(tzinfo=None)
    wb.properties.creator = "Korea Maritime Observatory"
    wb.properties.title = "Rajin shuttle voyages (second tracker)"
    wb.properties.created = naive
    wb.properties.modified = naive
    wb.properties.lastModifiedBy = "Supplyline samples"

    raw = io.BytesIO()
    wb.save(raw)
    out = INBOX / "voyages_second_tracker.xlsx"
    out.write_bytes(_normalise_zip(raw.getvalue()))
    return out


def build_parquet() -> Path:
    df = pl.read_csv(
        SRC / "equipment_deliveries.csv",
        schema={
            "period_start": pl.Date,
            "period_end": pl.Date,
            "metric": pl.String,
            "value_low": pl.Float64,
            "value_high": pl.Float64,
            "qualifier": pl.String,
            "source": pl.String,
        },
    )
    out = INBOX / "equipment_deliveries.parquet"
    df.write_parquet(out, statistics=False)
    return out


def main() -> None:
    INBOX.mkdir(parents=True, exist_ok=True)
    built = [build_pdf(SRC / name, *meta) for name, meta in PDF_SOURCES.items()]
    built.append(build_xlsx())
    built.append(build_parquet())
    for path in built:
        print(f"wrote {path.relative_to(HERE.parent)} ({path.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
