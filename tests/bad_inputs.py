"""A corpus of awkward and broken inbox files, built from code at test time, with expected outcomes.

Every case names one file (relative to the inbox), a builder that writes it, and what the nightly
run must record for it in ``ops.files``: ``loaded``, ``failed``, ``skipped`` or ``duplicate``, a
substring of the error / skip reason / note, and for tables the row accounting. "Odd but valid"
files must load; broken files must fail with a clear reason; row-level problems are quarantined
row by row while the file's good rows load.

All text and tables here are short made-up notes about DPRK-Russia shipments.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import random
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

Builder = Callable[[Path, Path], None]  # (file path in the inbox, a folder outside the inbox)

OUTSIDE_MARKER = "OUTSIDE-THE-INBOX-7f3a: this sentence must never be read by the pipeline."
SCRIPT_MARKER = "SCRIPT-ONLY-TEXT-c41d"
VOYAGE_HEADER = [
    "vessel",
    "departure_port",
    "departure_date",
    "arrival_port",
    "arrival_date",
    "containers",
    "evidence",
    "source",
]


@dataclass(frozen=True)
class Case:
    """One bad (or odd but valid) input file and the outcome the run must record for it."""

    kind: str  # short id, used as the test id
    name: str  # path relative to the inbox, exactly as ops.files must record it
    build: Builder
    status: str  # loaded | failed | skipped | duplicate
    reason: str | None = None  # substring of ops.files error (failed/skipped) or note (tables)
    rows_in: int | None = None
    rows_loaded: int | None = None
    rows_quarantined: int | None = None
    rows_skipped: int | None = None
    quarantine_reasons: tuple[
        str, ...
    ] = ()  # each must appear in a dq.quarantine reason of the file
    duplicate_of: str | None = None
    # (sql, expected rows); the sql takes the file's path as its only ? parameter
    check: tuple[str, list[tuple]] | None = None
    xfail: str | None = None  # a known bug outside the corpus' reach (see the report)
    tags: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_table(self) -> bool:
        return self.rows_in is not None


# --------------------------------------------------------------------------- small builders


def _bytes(data: bytes) -> Builder:
    def build(path: Path, outside: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    return build


def _text(text: str, encoding: str = "utf-8") -> Builder:
    return _bytes(text.encode(encoding))


def _csv(rows: list[list[str]], delimiter: str = ",") -> bytes:
    def cell(value: str) -> str:
        if any(ch in value for ch in (delimiter, '"', "\n", "\r")):
            return '"' + value.replace('"', '""') + '"'
        return value

    return "".join(delimiter.join(cell(v) for v in row) + "\n" for row in rows).encode()


def _junk(seed: int, size: int = 4096) -> bytes:
    return random.Random(seed).randbytes(size)


REPORT = (
    "Port watchers counted containers on the quay at Rajin before the Angara sailed for "
    "Vostochny. A maritime monitor said the ship carried about 200 containers on that voyage.\n"
)


def _voyages(*rows: list[str]) -> list[list[str]]:
    return [VOYAGE_HEADER, *[list(r) for r in rows]]


GOOD_VOYAGES = _voyages(
    [
        "Angara",
        "Rajin",
        "2025-01-06",
        "Vostochny",
        "2025-01-08",
        "210",
        "port camera",
        "Corpus Desk",
    ],
    [
        "Lady R",
        "Rajin",
        "2025-01-11",
        "Dunay",
        "2025-01-13",
        "150",
        "satellite imagery",
        "Corpus Desk",
    ],
)


def _pdf(pages: list[str], encrypt: bool = False) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=11)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 6, text)
    if encrypt:
        pdf.set_encryption(owner_password="owner-pw", user_password="reader-pw")
    return bytes(pdf.output())


def _truncated_pdf(path: Path, outside: Path) -> None:
    data = _pdf([REPORT * 4, REPORT * 3])
    path.write_bytes(data[: len(data) // 3])


def _xlsx(build_sheet: Callable, patch: Callable[[bytes], bytes] | None = None) -> Builder:
    def build(path: Path, outside: Path) -> None:
        from openpyxl import Workbook

        book = Workbook()
        build_sheet(book.active)
        buf = io.BytesIO()
        book.save(buf)
        data = buf.getvalue()
        path.write_bytes(patch(data) if patch else data)

    return build


def _merged_sheet(ws) -> None:
    ws.title = "voyages"
    ws.append(["Ship", "From", "Sailed", "To", "Arrived", "Boxes", "Basis", "Compiled by"])
    ws.append(
        [
            "Maria",
            "Rajin",
            dt.date(2025, 2, 3),
            "Dunay",
            dt.date(2025, 2, 5),
            120,
            "AIS gap",
            "Merged Desk",
        ]
    )
    ws.append(
        ["Sparta IV", None, dt.date(2025, 2, 9), None, dt.date(2025, 2, 12), 95, "imagery", None]
    )
    ws.append(
        ["Ursa Major", None, dt.date(2025, 2, 14), None, dt.date(2025, 2, 16), 80, "imagery", None]
    )
    ws.merge_cells("B2:B4")  # "Rajin" for all three voyages
    ws.merge_cells("D2:D4")
    ws.merge_cells("H2:H4")


def _formula_sheet(ws) -> None:
    ws.title = "voyages"
    ws.append(["Ship", "Sailed", "Arrived", "Boxes on deck", "Boxes below", "Boxes"])
    ws.append(["Maia-1", dt.date(2025, 3, 2), dt.date(2025, 3, 4), 100, 140, "=D2+E2"])
    ws.append(["Angara", dt.date(2025, 3, 8), dt.date(2025, 3, 10), 60, 30, "=D3+E3"])


def _cache_formula_values(data: bytes) -> bytes:
    """Write the cached results Excel would store next to each formula (openpyxl stores none)."""
    results = {"D2+E2": "240", "D3+E3": "90"}
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for item in src.infolist():
            body = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                text = body.decode()
                for formula, value in results.items():
                    text = re.sub(
                        rf"<f>{re.escape(formula)}</f><v\s*(?:/>|></v>)",
                        f"<f>{formula}</f><v>{value}</v>",
                        text,
                    )
                body = text.encode()
            dst.writestr(item, body)
    return out.getvalue()


def _past_header_sheet(ws) -> None:
    ws.title = "voyages"
    ws.append(VOYAGE_HEADER)
    ws.append(["Angara", "Rajin", "2025-01-06", "Vostochny", "2025-01-08", "210", "camera", "Desk"])
    ws.append(
        ["Maria", "Rajin", "2025-01-09", "Dunay", "2025-01-11", "75", "imagery", "Desk", "see note"]
    )
    ws.append(["Lady R", "Rajin", "2025-01-12", "Dunay", "2025-01-14", "60", "imagery", "Desk"])


def _serial_sheet(ws) -> None:
    ws.title = "voyages"
    ws.append(["vessel", "departure_date", "arrival_date", "containers"])
    # Dates typed in as plain numbers: Excel day serials (45719 = 2025-03-03).
    ws.append(["Lady R", 45719, 45721, 130])
    ws.append(["Sparta IV", 45726, 45729, 75])


def _parquet_wrong_types(path: Path, outside: Path) -> None:
    import polars as pl

    pl.DataFrame(
        {
            "vessel": ["Angara", "Maria", "Maia-1", "Lady R"],
            "departure_date": [
                "2025-04-01",
                "2025-02-30",
                "2025-04-09",
                "2025-04-15",
            ],  # text, one impossible
            "arrival_date": ["2025-04-03", "2025-03-02", "2025-04-11", "2025-04-17"],
            "containers": [240.0, 180.0, -7.0, 120.0],  # floats, one negative
        }
    ).write_parquet(path)


def _figures_json() -> bytes:
    records = [
        {
            "metric": "troops_deployed",
            "value_low": 10000,
            "value_high": 12000,
            "qualifier": "range",
            "date": "2025-01-20",
            "source": "Corpus Desk",
            "note": "range as reported",
        },
        {
            "metric": "troops_deployed",
            "value_low": 14000,
            "value_high": 9000,
            "qualifier": "range",
            "date": "2025-02-20",
            "source": "Corpus Desk",
            "note": "bounds typed the wrong way round",
        },
        {
            "metric": "troops_deployed",
            "value_low": 11000,
            "value_high": None,
            "qualifier": "approx",
            "date": "2025-03-20",
            "source": "Corpus Desk",
            "note": "single figure",
        },
    ]
    return json.dumps(records, indent=1).encode()


def _symlink_outside(path: Path, outside: Path) -> None:
    outside.mkdir(parents=True, exist_ok=True)
    target = outside / "secret_report.txt"
    target.write_text(OUTSIDE_MARKER + "\n")
    path.symlink_to(target)


def _symlink_dir_outside(path: Path, outside: Path) -> None:
    folder = outside / "linked_folder_target"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "inside_link.txt").write_text(OUTSIDE_MARKER + "\n")
    path.symlink_to(folder, target_is_directory=True)


def _fifo(path: Path, outside: Path) -> None:
    os.mkfifo(path)


def _non_utf8_name(path: Path, outside: Path) -> None:
    # The name on disk is Latin-1 bytes ("caf\xe9 ..."); ops.files shows the byte as \xe9.
    raw = os.fsencode(path.parent) + b"/caf\xe9 note.txt"
    fd = os.open(raw, os.O_WRONLY | os.O_CREAT, 0o644)
    with os.fdopen(fd, "wb") as fh:
        fh.write(b"The cafe by the Rajin quay watched the Maria load 120 containers.\n")


HTML_WITH_SCRIPTS = f"""<!DOCTYPE html><html><head><title>Quay notes</title>
<script>var hidden = "{SCRIPT_MARKER}";</script><style>p {{ color: red }}</style></head>
<body><script>document.write("{SCRIPT_MARKER}")</script>
<p>Observers said the Maria left Rajin with 150 containers.</p>
<noscript>{SCRIPT_MARKER}</noscript><p>It docked at Dunay two days later.</p></body></html>
"""

FAKE_PDF = b"<html><body><p>The Maria sailed from Rajin with 90 containers.</p></body></html>\n"

STAT = "select {cols} from staging.stg_ledgers__shipments where source_file = ? order by row_number"


# --------------------------------------------------------------------------- hostile files
#
# Bombs are small on disk and huge once unpacked or parsed. They are built here in a second or
# two, never committed: a deflate stream made with a full flush restarts with no history, so one
# compressed megabyte can be repeated to stand for gigabytes without compressing them.

_MB = 1 << 20


def _repeated_deflate(prefix: bytes, chunk: bytes, times: int, suffix: bytes, wbits: int) -> bytes:
    """A deflate stream of ``prefix + chunk * times + suffix`` (raw for zip, zlib-wrapped for PDF)."""
    import zlib

    comp = zlib.compressobj(9, zlib.DEFLATED, wbits)
    head = comp.compress(prefix) + comp.flush(zlib.Z_FULL_FLUSH)
    block = comp.compress(chunk) + comp.flush(zlib.Z_FULL_FLUSH)
    tail = comp.compress(suffix) + comp.flush(zlib.Z_FULL_FLUSH)
    body = head + block * times + tail + b"\x03\x00"  # an empty final block ends the stream
    if wbits < 0:
        return body
    adler = zlib.adler32(prefix)
    for _ in range(times):
        adler = zlib.adler32(chunk, adler)
    return body + zlib.adler32(suffix, adler).to_bytes(4, "big")


def _zip(parts: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip of already-deflated parts: (name, deflated bytes, unpacked size, crc32)."""
    import struct

    out, central = bytearray(), bytearray()
    for name, data, size, crc in parts:
        raw = name.encode()
        central += (
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                20,
                20,
                0,
                8,
                0,
                0x21,
                crc,
                len(data),
                size,
                len(raw),
                0,
                0,
                0,
                0,
                0,
                len(out),
            )
            + raw
        )
        out += struct.pack(
            "<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(data), size, len(raw), 0
        )
        out += raw + data
    end = struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, len(parts), len(parts), len(central), len(out), 0
    )
    return bytes(out + central + end)


def xlsx_bomb(unpacked_mb: int) -> Builder:
    """A valid workbook whose one sheet's XML inflates to about ``unpacked_mb`` MB of rows."""

    def build(path: Path, outside: Path) -> None:
        import zlib

        from openpyxl import Workbook

        book = Workbook()
        book.active.append(["vessel", "containers"])
        buf = io.BytesIO()
        book.save(buf)
        row = b'<row><c t="inlineStr"><is><t>Angara</t></is></c><c><v>210</v></c></row>'
        chunk = row * (_MB // len(row))
        prefix = (
            b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            b'<sheetData><row><c t="inlineStr"><is><t>vessel</t></is></c>'
            b'<c t="inlineStr"><is><t>containers</t></is></c></row>'
        )
        suffix = b"</sheetData></worksheet>"
        parts = []
        with zipfile.ZipFile(buf) as src:
            for name in src.namelist():
                if name == "xl/worksheets/sheet1.xml":
                    crc = zlib.crc32(prefix)
                    for _ in range(unpacked_mb):
                        crc = zlib.crc32(chunk, crc)
                    parts.append(
                        (
                            name,
                            _repeated_deflate(prefix, chunk, unpacked_mb, suffix, -15),
                            len(prefix) + len(chunk) * unpacked_mb + len(suffix),
                            zlib.crc32(suffix, crc),
                        )
                    )
                else:
                    data = src.read(name)
                    comp = zlib.compressobj(6, zlib.DEFLATED, -15)
                    parts.append(
                        (name, comp.compress(data) + comp.flush(), len(data), zlib.crc32(data))
                    )
        path.write_bytes(_zip(parts))

    return build


def pdf_stream_bomb(unpacked_mb: int) -> Builder:
    """A one-page PDF whose content stream inflates to ``unpacked_mb`` MB of drawing operators."""

    def build(path: Path, outside: Path) -> None:
        ops = b"BT /F1 12 Tf 72 700 Td (Angara 210) Tj ET\n"
        stream = _repeated_deflate(b"", ops * (_MB // len(ops)), unpacked_mb, b"", 15)
        objects = [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream)
            + stream
            + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]
        out, offsets = bytearray(b"%PDF-1.4\n"), []
        for number, body in enumerate(objects, start=1):
            offsets.append(len(out))
            out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
        xref = len(out)
        out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
        out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
        out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
            len(objects) + 1,
            xref,
        )
        path.write_bytes(bytes(out))

    return build


def parquet_bomb(rows: int, columns: int) -> Builder:
    """A Parquet file of ``rows`` x ``columns`` cells of one repeated number: about a megabyte on
    disk, gigabytes once every cell is text."""

    def build(path: Path, outside: Path) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        step = min(rows, 1_000_000)
        same = pa.repeat(pa.scalar(7, pa.int8()), step)
        chunk = pa.table({f"c{i}": same for i in range(columns)})
        with pq.ParquetWriter(path, chunk.schema, compression="zstd") as writer:
            for _ in range(rows // step):
                writer.write_table(chunk)

    return build


def nested_json(depth: int) -> Builder:
    return _bytes(b"[" * depth + b"]" * depth)


def nested_html(depth: int) -> Builder:
    return _bytes(b"<html><body>" + b"<b>" * depth + b"The Maria left Rajin.</body></html>")


# Each alias repeats the one before ten times: nine lines that stand for a billion strings.
YAML_LAUGHS = (
    "---\n"
    + "".join(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}' if i else 'x'] * 10)}]\n" for i in range(9))
    + "---\nThe Angara sailed.\n"
)


def bomb_cases(scale: str) -> list[Case]:
    """The hostile files, each failed with its reason. ``small`` fits the corpus run (files under
    MAX_FILE_MB); ``large`` is for the memory test, far past what the machine could unpack."""
    large = scale == "large"
    return [
        Case(
            "xlsx_zip_bomb", "bomb.xlsx", xlsx_bomb(3500 if large else 50), "failed", "a zip bomb?"
        ),
        Case("json_nested_200k", "deep.json", nested_json(200_000), "failed", "nested too deeply"),
        Case(
            "pdf_stream_bomb",
            "bomb.pdf",
            pdf_stream_bomb(500 if large else 200),
            "failed",
            "a decompression bomb?",
        ),
        Case(
            "parquet_bomb",
            "bomb.parquet",
            parquet_bomb(10_000_000, 30) if large else parquet_bomb(200_000, 1),
            "failed",
            "refused unread",
        ),
        Case(
            "html_nested_200k",
            "deep.html",
            nested_html(200_000),
            "failed",
            "nested more than 255 levels",
        ),
        Case("yaml_alias_bomb", "laughs.md", _text(YAML_LAUGHS), "failed", "YAML aliases"),
    ]


# --------------------------------------------------------------------------- the corpus


def _cases() -> list[Case]:
    text_cases = [
        Case("zero_byte_txt", "empty.txt", _bytes(b""), "failed", "empty file"),
        Case("whitespace_only_md", "blank.md", _bytes(b"  \n\n\t \r\n"), "failed", "empty file"),
        Case("binary_junk_txt", "junk.txt", _bytes(_junk(1)), "failed", "binary content"),
        Case("truncated_pdf", "truncated.pdf", _truncated_pdf, "failed", "PDF"),
        Case(
            "encrypted_pdf",
            "encrypted.pdf",
            _bytes(_pdf([REPORT], encrypt=True)),
            "failed",
            "encrypted PDF",
        ),
        Case("html_named_pdf", "fake.pdf", _bytes(FAKE_PDF), "failed", "not a PDF"),
        Case(
            "same_bytes_as_a_failed_file", "zz same bytes as fake.html", _bytes(FAKE_PDF), "loaded"
        ),
        Case(
            "html_with_scripts",
            "scripts.html",
            _text(HTML_WITH_SCRIPTS),
            "loaded",
            check=(
                "select text like '%150 containers%', text like ?||'%' from raw.documents "
                "where file_name = 'scripts.html'",
                [(True, False)],
            ),
        ),
        Case(
            "html_only_scripts",
            "only_scripts.html",
            _text(
                f"<html><head><script>{SCRIPT_MARKER}</script></head><body><script>x()</script></body></html>"
            ),
            "failed",
            "no visible text",
        ),
        Case(
            "utf8_bom_txt",
            "bom.txt",
            _bytes(b"\xef\xbb\xbf" + "Rajin \u2192 Vostochny: 80 containers.\n".encode()),
            "loaded",
            check=(
                "select text from raw.documents where file_name = ?",
                [("Rajin \u2192 Vostochny: 80 containers.",)],
            ),
        ),
        Case(
            "latin1_txt",
            "latin1.txt",
            _text("Le navire a quitt\u00e9 Rajin pr\u00e8s du quai.\n", "latin-1"),
            "loaded",
            check=(
                "select text from raw.documents where file_name = ?",
                [("Le navire a quitt\u00e9 Rajin pr\u00e8s du quai.",)],
            ),
        ),
        Case(
            "cp1252_quotes_txt",
            "cp1252.txt",
            _text("\u201cRajin\u201d \u2013 the quay was full.\n", "cp1252"),
            "loaded",
            check=(
                "select text from raw.documents where file_name = ?",
                [("\u201cRajin\u201d \u2013 the quay was full.",)],
            ),
        ),
        Case(
            "utf16_bom_txt",
            "utf16.txt",
            _text("Ursa Major sailed from Vostochny.\n", "utf-16"),
            "loaded",
            check=(
                "select text from raw.documents where file_name = ?",
                [("Ursa Major sailed from Vostochny.",)],
            ),
        ),
        Case(
            "utf16_without_bom_txt",
            "utf16_nobom.txt",
            _text("Sparta IV sailed from Rajin.\n", "utf-16-le"),
            "loaded",
            check=(
                "select text from raw.documents where file_name = ?",
                [("Sparta IV sailed from Rajin.",)],
            ),
        ),
        Case(
            "broken_front_matter_md",
            "front_matter.md",
            _text("---\ntitle: [unclosed\noutlet: Corpus Desk\n---\nThe Angara sailed.\n"),
            "failed",
            "front matter is not valid YAML",
        ),
        Case(
            "front_matter_only_md",
            "header_only.md",
            _text("---\ntitle: Nothing below\n---\n"),
            "failed",
            "no text after the header",
        ),
    ]
    table_cases = [
        Case("csv_binary_junk", "junk.csv", _bytes(_junk(2)), "failed", "binary content"),
        Case(
            "csv_quoted_newlines",
            "quoted_newlines.csv",
            _bytes(
                _csv(
                    _voyages(
                        [
                            "Maria",
                            "Rajin",
                            "2025-01-20",
                            "Dunay",
                            "2025-01-22",
                            "90",
                            "camera\nand imagery",
                            "Desk",
                        ],
                        [
                            "Angara",
                            "Rajin",
                            "2025-01-25",
                            "Dunay",
                            "2025-01-27",
                            "70",
                            "line one\r\nline two",
                            "Desk",
                        ],
                        [
                            "Maia-1",
                            "Rajin",
                            "2025-01-29",
                            "Dunay",
                            "2025-01-31",
                            "60",
                            "single line",
                            "Desk",
                        ],
                    )
                )
            ),
            "loaded",
            "read as shipments",
            3,
            3,
            0,
            0,
            check=(
                STAT.format(cols="evidence"),
                [("camera\nand imagery",), ("line one\nline two",), ("single line",)],
            ),
        ),
        Case(
            "csv_ragged_rows",
            "ragged.csv",
            _bytes(
                b"vessel,departure_port,departure_date,containers\n"
                b"Angara,Rajin,2025-02-01,50\n"
                b"Maria,Rajin,2025-02-04,40,stray cell\n"
                b"Maia-1,Rajin\n"
                b"Lady R,Rajin,2025-02-09\n"
                b"Sparta IV,Rajin,2025-02-12,30\n"
            ),
            "loaded",
            "read as shipments",
            5,
            2,
            3,
            0,
            quarantine_reasons=(
                "too many cells: 5 where the header has 4",
                "too few cells: 2 where the header has 4",
                "too few cells: 3 where the header has 4",
            ),
            # The misfits keep their own cells; the rows after them keep their own numbers.
            check=(
                "select locator, original_row::varchar from dq.quarantine where source_file = ? and stage = 'ingest' "
                "union all select 'raw row ' || row_number, json_extract_string(row_json, '$.vessel') from raw.received_rows "
                "where file_name = ? order by 1",
                [
                    ("raw row 1", "Angara"),
                    ("raw row 5", "Sparta IV"),
                    ("row 2", '["Maria", "Rajin", "2025-02-04", "40", "stray cell"]'),
                    ("row 3", '["Maia-1", "Rajin"]'),
                    ("row 4", '["Lady R", "Rajin", "2025-02-09"]'),
                ],
            ),
        ),
        Case(
            "csv_no_header",
            "no_header.csv",
            _bytes(b"2025-01-20,10000,12000\n2025-02-20,9000,11000\n"),
            "loaded",
            "warning: no header row",
            2,
            0,
            0,
            2,
        ),
        Case(
            "json_empty_array",
            "empty_array.json",
            _text("[]\n"),
            "loaded",
            "warning: an empty array",
            0,
            0,
            0,
            0,
        ),
        Case(
            "xlsx_value_past_the_header",
            "past_header.xlsx",
            _xlsx(_past_header_sheet),
            "loaded",
            "read as shipments",
            3,
            2,
            1,
            0,
            quarantine_reasons=("too many cells: 9 where the header has 8",),
            check=(
                "select locator, original_row from dq.quarantine where source_file = ? and stage = 'ingest'",
                [
                    (
                        "voyages:row 2",
                        json.dumps(
                            [
                                "Maria",
                                "Rajin",
                                "2025-01-09",
                                "Dunay",
                                "2025-01-11",
                                "75",
                                "imagery",
                                "Desk",
                                "see note",
                            ]
                        ),
                    )
                ],
            ),
        ),
        Case(
            "csv_semicolon_delimiter",
            "semicolons.csv",
            _bytes(
                _csv(
                    _voyages(
                        [
                            "Sparta IV",
                            "Rajin",
                            "03.02.2025",
                            "Dunay",
                            "05.02.2025",
                            "85",
                            "imagery, AIS",
                            "Desk",
                        ],
                        [
                            "Ursa Major",
                            "Rajin",
                            "08.02.2025",
                            "Dunay",
                            "10.02.2025",
                            "75",
                            "imagery",
                            "Desk",
                        ],
                    ),
                    delimiter=";",
                )
            ),
            "loaded",
            "read as shipments",
            2,
            2,
            0,
            0,
            check=(
                STAT.format(cols="departure_date, evidence"),
                [(dt.date(2025, 2, 3), "imagery, AIS"), (dt.date(2025, 2, 8), "imagery")],
            ),
        ),
        Case(
            "tsv_tab_delimiter",
            "tabs.tsv",
            _bytes(_csv(GOOD_VOYAGES, delimiter="\t")),
            "loaded",
            "read as shipments",
            2,
            2,
            0,
            0,
        ),
        Case(
            "csv_thousands_separators",
            "thousands.csv",
            _bytes(
                _csv(
                    _voyages(
                        [
                            "Angara",
                            "Rajin",
                            "2025-02-11",
                            "Dunay",
                            "2025-02-13",
                            "1,250",
                            "port tally",
                            "Desk",
                        ],
                        [
                            "Maria",
                            "Rajin",
                            "2025-02-15",
                            "Dunay",
                            "2025-02-17",
                            "2 400",
                            "port tally",
                            "Desk",
                        ],
                        [
                            "Maia-1",
                            "Rajin",
                            "2025-02-19",
                            "Dunay",
                            "2025-02-21",
                            "12,000",
                            "port tally",
                            "Desk",
                        ],
                    )
                )
            ),
            "loaded",
            "read as shipments",
            3,
            3,
            0,
            0,
            check=(STAT.format(cols="containers"), [(1250,), (2400,), (12000,)]),
        ),
        Case(
            "csv_dot_thousands_separator",
            "dot_thousands.csv",
            _bytes(
                _csv(
                    _voyages(
                        [
                            "Lady R",
                            "Rajin",
                            "2025-02-23",
                            "Dunay",
                            "2025-02-25",
                            "1.250",
                            "port tally",
                            "Desk",
                        ],
                    ),
                    delimiter=";",
                )
            ),
            "loaded",
            "read as shipments",
            1,
            1,
            0,
            0,
            check=(STAT.format(cols="containers"), [(1250,)]),
        ),
        Case(
            "csv_unparseable_count",
            "bad_count.csv",
            _bytes(
                _csv(
                    _voyages(
                        [
                            "Ursa Major",
                            "Rajin",
                            "2025-02-26",
                            "Dunay",
                            "2025-02-28",
                            "about 300",
                            "estimate",
                            "Desk",
                        ],
                    )
                )
            ),
            "loaded",
            "read as shipments",
            1,
            0,
            1,
            0,
            quarantine_reasons=("containers",),
        ),
        Case(
            "csv_missing_required_columns",
            "missing_columns.csv",
            _bytes(b"vessel,containers\nAngara,10\nMaria,20\n"),
            "loaded",
            "match no known table shape",
            2,
            0,
            0,
            2,
        ),
        Case(
            "csv_extra_columns",
            "extra_columns.csv",
            _bytes(
                _csv(
                    [
                        [*VOYAGE_HEADER, "analyst_comment"],
                        [*GOOD_VOYAGES[1][:5], "33", "imagery", "Desk", "looks heavy"],
                        [*GOOD_VOYAGES[2][:5], "44", "imagery", "Desk", ""],
                    ]
                )
            ),
            "loaded",
            "read as shipments",
            2,
            2,
            0,
            0,
            check=(
                "select row_json::json->>'analyst_comment' from raw.received_rows where file_name = ? "
                "order by row_number",
                [("looks heavy",), ("",)],
            ),
        ),
        Case(
            "csv_header_only",
            "header_only.csv",
            _bytes(_csv([VOYAGE_HEADER])),
            "loaded",
            "warning: a header and no rows",
            0,
            0,
            0,
            0,
        ),
        Case(
            "csv_huge_field",
            "huge_field.csv",
            _bytes(
                _csv(
                    _voyages(
                        [
                            "Angara",
                            "Rajin",
                            "2025-03-12",
                            "Dunay",
                            "2025-03-14",
                            "55",
                            "x" * 300_000,
                            "Desk",
                        ],
                        [
                            "Maria",
                            "Rajin",
                            "2025-03-16",
                            "Dunay",
                            "2025-03-18",
                            "65",
                            "short",
                            "Desk",
                        ],
                    )
                )
            ),
            "loaded",
            "read as shipments",
            2,
            2,
            0,
            0,
            check=(STAT.format(cols="length(evidence)"), [(300_000,), (5,)]),
        ),
        Case(
            "csv_row_level_problems",
            "row_problems.csv",
            _bytes(
                _csv(
                    _voyages(
                        [
                            "Angara",
                            "Rajin",
                            "2025-03-20",
                            "Dunay",
                            "2025-03-22",
                            "100",
                            "camera",
                            "Desk",
                        ],
                        [
                            "Maria",
                            "Rajin",
                            "the 31st of Febtember",
                            "Dunay",
                            "2025-03-24",
                            "100",
                            "camera",
                            "Desk",
                        ],
                        [
                            "Maia-1",
                            "Rajin",
                            "2025-03-25",
                            "Dunay",
                            "2025-03-27",
                            "-40",
                            "camera",
                            "Desk",
                        ],
                        [
                            "Lady R",
                            "Rajin",
                            "2025-03-29",
                            "Dunay",
                            "2025-03-26",
                            "100",
                            "camera",
                            "Desk",
                        ],
                        [
                            "Sparta IV",
                            "Rajin",
                            "2025-03-30",
                            "Dunay",
                            "2025-04-01",
                            "100",
                            "camera",
                            "Desk",
                        ],
                    )
                )
            ),
            "loaded",
            "read as shipments",
            5,
            2,
            3,
            0,
            quarantine_reasons=("departure_date", "containers", "arrival_date >= departure_date"),
        ),
        Case(
            "xlsx_merged_cells",
            "merged.xlsx",
            _xlsx(_merged_sheet),
            "loaded",
            "read as shipments",
            3,
            3,
            0,
            0,
            check=(
                STAT.format(cols="departure_port, arrival_port, source"),
                [("Rajin", "Dunay", "Merged Desk")] * 3,
            ),
        ),
        Case(
            "xlsx_formulas",
            "formulas.xlsx",
            _xlsx(_formula_sheet, _cache_formula_values),
            "loaded",
            "read as shipments",
            2,
            2,
            0,
            0,
            check=(STAT.format(cols="containers"), [(240,), (90,)]),
        ),
        Case(
            "xlsx_serial_dates",
            "serial_dates.xlsx",
            _xlsx(_serial_sheet),
            "loaded",
            "read as shipments",
            2,
            2,
            0,
            0,
            check=(
                STAT.format(cols="departure_date, arrival_date"),
                [
                    (dt.date(2025, 3, 3), dt.date(2025, 3, 5)),
                    (dt.date(2025, 3, 10), dt.date(2025, 3, 13)),
                ],
            ),
        ),
        Case(
            "xlsx_not_a_zip",
            "broken.xlsx",
            _text("vessel,containers\nAngara,10\n"),
            "failed",
            "unreadable XLSX",
        ),
        Case(
            "json_object_not_array",
            "object.json",
            _text(json.dumps({"vessel": "Angara", "containers": 10, "port": "Rajin"})),
            "failed",
            "not an array",
        ),
        Case(
            "json_not_json",
            "not_json.json",
            _text("vessel: Angara\ncontainers: 10\n"),
            "failed",
            "not JSON",
        ),
        Case(
            "json_figures_row_problem",
            "figures_bounds.json",
            _bytes(_figures_json()),
            "loaded",
            "read as figures",
            3,
            2,
            1,
            0,
            quarantine_reasons=("low_not_above_high",),
        ),
        Case(
            "parquet_wrong_types",
            "wrong_types.parquet",
            _parquet_wrong_types,
            "loaded",
            "read as shipments",
            4,
            2,
            2,
            0,
            quarantine_reasons=("departure_date", "containers"),
        ),
        Case(
            "parquet_truncated",
            "broken.parquet",
            _bytes(b"PAR1" + _junk(3, 300) + b"PAR1"),
            "failed",
            "unreadable Parquet",
        ),
    ]
    name_cases = [
        Case(
            "name_with_spaces",
            "voyage ledger with spaces.csv",
            _bytes(_csv(GOOD_VOYAGES)),
            "loaded",
            "read as shipments",
            2,
            2,
            0,
            0,
        ),
        Case(
            "name_unicode",
            "\u0420\u0430\u0434\u0436\u0438\u043d \u7f85\u6d25 note.md",
            _text("---\ntitle: Unicode name\n---\n" + REPORT),
            "loaded",
        ),
        Case("name_leading_dashes", "-rf --all.txt", _text(REPORT), "loaded"),
        Case(
            "name_very_long",
            "long_" + "x" * 240 + ".txt",
            _text(REPORT.replace("Angara", "Maria")),
            "loaded",
        ),
        Case(
            "name_html_markup_failed",
            "<b>bold & co.txt",
            _bytes(b"\n \n"),
            "failed",
            "empty file",
            tags=frozenset({"html_name"}),
        ),
        Case(
            "name_newline_failed", "line\nbreak.txt", _bytes(_junk(4)), "failed", "binary content"
        ),
        Case(
            "name_carriage_return",
            "carriage\rreturn.csv",
            _bytes(_csv(_voyages(GOOD_VOYAGES[1]))),
            "loaded",
            "read as shipments",
            1,
            1,
            0,
            0,
        ),
        Case("name_not_utf8", "caf\\xe9 note.txt", _non_utf8_name, "loaded"),
        Case(
            "nested_folder",
            "sub folder/nested.txt",
            _text(REPORT.replace("Angara", "Sparta IV")),
            "loaded",
        ),
    ]
    other_cases = [
        Case(
            "symlink_outside_inbox",
            "outside_link.txt",
            _symlink_outside,
            "skipped",
            "symbolic link",
        ),
        Case(
            "symlink_to_folder_outside",
            "linked_folder",
            _symlink_dir_outside,
            "skipped",
            "symbolic link",
        ),
        Case("fifo", "pipe.txt", _fifo, "skipped", "not a regular file"),
        Case("hidden_file", ".DS_Store", _bytes(_junk(5, 64)), "skipped", "hidden file"),
        Case(
            "unsupported_extension",
            "notes.docx",
            _bytes(b"PK\x03\x04" + _junk(6, 100)),
            "skipped",
            "unsupported file type",
        ),
        Case("too_large", "huge_report.txt", _text(REPORT * 6000), "skipped", "file too large"),
        Case(
            "same_file_first_name",
            "voyages copy A.csv",
            _bytes(_csv(_voyages(GOOD_VOYAGES[2]))),
            "loaded",
            "read as shipments",
            1,
            1,
            0,
            0,
        ),
        Case(
            "same_file_second_name",
            "voyages copy B.csv",
            _bytes(_csv(_voyages(GOOD_VOYAGES[2]))),
            "duplicate",
            "same content as voyages copy A.csv",
            duplicate_of="voyages copy A.csv",
        ),
    ]
    return text_cases + table_cases + name_cases + other_cases + bomb_cases("small")


CASES: list[Case] = _cases()
MAX_FILE_MB = 1.0  # run setting that makes "too_large" (about 1.2 MB) too large


def duplicate_of_sample(sample_name: str) -> Case:
    """A copy of a sample file under a later-sorting name: recorded as its duplicate."""

    def build(path: Path, outside: Path) -> None:
        path.write_bytes((path.parent / sample_name).read_bytes())

    return Case(
        "same_file_as_a_sample",
        f"zz copy of {sample_name}",
        build,
        "duplicate",
        f"same content as {sample_name}",
        duplicate_of=sample_name,
    )


def build_corpus(inbox: Path, outside: Path, cases: list[Case] | None = None) -> list[Case]:
    """Write every case's file into ``inbox`` (links point into ``outside``); returns the cases."""
    inbox.mkdir(parents=True, exist_ok=True)
    for case in cases or CASES:
        path = inbox / case.name
        path.parent.mkdir(parents=True, exist_ok=True)
        case.build(path, outside)
    return cases or CASES
