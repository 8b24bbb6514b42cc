"""Parsers that turn one input file's bytes into text or rows; no database, no Prefect."""

from __future__ import annotations

import codecs
import datetime as dt
import io
import json
import re
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import yaml

from supplyline import dates
from supplyline.html_page import normalise_whitespace

TEXT_FORMATS = {
    ".txt": "txt",
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
}
# What a compressed file may unpack to unless told otherwise: the default file size limit
# (SUPPLYLINE_MAX_FILE_MB). The inbox passes the limit it scanned with.
MAX_UNPACKED_BYTES = 2_000_000_000
TABLE_FORMATS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".xlsx": "xlsx",
    ".json": "json",
    ".jsonl": "json",
    ".parquet": "parquet",
}

# The C loader is ~20x faster where libyaml is present; both are the safe loader.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)


class ParseError(ValueError):
    """The file cannot be read as the format its name claims; the message says why."""


@dataclass
class ParsedDocument:
    """Text of a report plus what its header says about it, and where each part was read."""

    text: str
    title: str | None = None
    url: str | None = None
    outlet: str | None = None
    published: dt.date | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    published_source: str = "none"  # one of transforms.vocabulary.DATE_SOURCES
    outlet_source: str = "none"  # one of transforms.vocabulary.OUTLET_SOURCES


_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")


def decode_text(data: bytes) -> str:
    """Decode bytes as UTF-8 (BOM-aware), UTF-16 (with BOM, or plain ASCII-range UTF-16 without
    one), Windows-1252 or Latin-1; reject binary junk."""
    if not data.strip():
        raise ParseError("empty file: no text")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = _decode_utf16(data, "utf-16")
    elif (bom_less := _utf16_without_bom(data)) is not None:
        text = _decode_utf16(data, bom_less)
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            if b"\x00" in data:
                raise ParseError("binary content: not a text file") from None
            try:
                # Windows-1252 first: its curly quotes and dashes would be C1 controls in Latin-1.
                text = data.decode("cp1252")
            except UnicodeDecodeError:
                text = data.decode("latin-1")
    controls = len(_CONTROL_CHARS.findall(text))
    if "\x00" in text or controls > max(8, len(text) // 100):
        raise ParseError("binary content: not a text file")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _decode_utf16(data: bytes, codec: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        raise ParseError(f"broken {codec.upper()} text: odd length or unpaired surrogate") from None


def _utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le' / 'utf-16-be' when every other byte is NUL, as in mostly-ASCII UTF-16 text."""
    if len(data) < 4 or len(data) % 2:
        return None
    even, odd = data[0::2], data[1::2]
    if odd.count(0) >= 0.9 * len(odd) and even.count(0) == 0:
        return "utf-16-le"
    if even.count(0) >= 0.9 * len(even) and odd.count(0) == 0:
        return "utf-16-be"
    return None


def parse_date(value: Any) -> dt.date | None:
    """The date a front-matter or metadata value states, in any common written form."""
    return dates.parse_date(value)


# Front-matter keys, in the order they are trusted.
_FRONT_MATTER_DATES = ("published", "date", "date_hint")
_FRONT_MATTER_OUTLETS = ("outlet", "publisher", "site_name")
_MAX_FRONT_MATTER_VALUES = 10_000


def parse_markdown(text: str) -> ParsedDocument:
    """Split optional YAML front matter (url, outlet, published, title) from the body."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return ParsedDocument(text=text.strip("\n"))
    try:
        meta = yaml.load(match.group(1), Loader=_YAML_LOADER) or {}
    except yaml.YAMLError as exc:
        raise ParseError(f"front matter is not valid YAML: {exc}".splitlines()[0]) from None
    except RecursionError:
        raise ParseError("front matter is nested too deeply") from None
    if not isinstance(meta, dict):
        raise ParseError("front matter is not a mapping")
    if _count_values(meta, _MAX_FRONT_MATTER_VALUES) > _MAX_FRONT_MATTER_VALUES:
        # YAML aliases can make a few lines expand to billions of values once written out.
        raise ParseError(
            f"front matter expands to more than {_MAX_FRONT_MATTER_VALUES:,} values (YAML aliases?)"
        )
    body = text[match.end() :].strip("\n")
    published = next(
        (d for k in _FRONT_MATTER_DATES if (d := parse_date(meta.get(k))) is not None), None
    )
    outlet = next(
        (o for k in _FRONT_MATTER_OUTLETS if (o := _str_or_none(meta.get(k))) is not None), None
    )
    return ParsedDocument(
        text=body,
        title=_str_or_none(meta.get("title")),
        url=_str_or_none(meta.get("url")),
        outlet=outlet,
        published=published,
        meta={k: str(v) for k, v in meta.items()},
        published_source="front_matter" if published else "none",
        outlet_source="front_matter" if outlet else "none",
    )


def _count_values(value: Any, limit: int) -> int:
    """How many values a loaded YAML document holds, counting shared (aliased) ones each time
    they appear; stops counting past ``limit``."""
    count, stack = 0, [value]
    while stack and count <= limit:
        item = stack.pop()
        count += 1
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple | set):
            stack.extend(item)
    return count


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value).strip() or None


def parse_html(text: str) -> ParsedDocument:
    """The main text of a web page (trafilatura, or the visible text of its story block), with
    its title, date and outlet from the markup (see ``supplyline.html_page``)."""
    from supplyline.html_page import PageError, read_page

    try:
        page = read_page(text)
    except PageError as exc:
        raise ParseError(str(exc)) from None
    return ParsedDocument(
        text=page.text,
        title=page.title,
        outlet=page.outlet,
        published=page.published,
        published_source=page.published_source,
        outlet_source=page.outlet_source,
    )


# Text extraction never needs a stream this large; a page's content is kilobytes. A stream
# that would unpack past it is a decompression bomb or not worth the memory (~10x its size).
PDF_MAX_STREAM_BYTES = 32_000_000
_PDF_LIMITS: dict[str, Any] = {  # keyword overrides of pypdf's configuration
    name: PDF_MAX_STREAM_BYTES
    for name in (
        "zlib_maximum_output_length",
        "lzw_maximum_output_length",
        "brotli_maximum_output_length",
        "run_length_maximum_output_length",
        "array_based_stream_maximum_output_length",
    )
}


def parse_pdf(data: bytes) -> ParsedDocument:
    """Text layer of a PDF; encrypted (with a user password), truncated or image-only PDFs fail,
    and so does one whose streams unpack past ``PDF_MAX_STREAM_BYTES``."""
    from pypdf import PdfReader, apply_configuration
    from pypdf.errors import LimitReachedError, PdfReadError

    try:
        with apply_configuration(**_PDF_LIMITS):
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted and not reader.decrypt(""):
                raise ParseError("encrypted PDF: a password is needed to read it")
            pages = [page.extract_text() or "" for page in reader.pages]
            info: Any = reader.metadata or {}
    except ParseError:
        raise
    except LimitReachedError as exc:
        raise ParseError(
            f"PDF content unpacks past the {PDF_MAX_STREAM_BYTES // 1_000_000} MB limit "
            f"(a decompression bomb?): {exc}".splitlines()[0]
        ) from None
    except RecursionError:
        raise ParseError("unreadable PDF: objects nested too deeply") from None
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise ParseError(f"unreadable PDF: {exc}") from None
    except Exception as exc:  # pypdf raises many internal types on damaged files
        raise ParseError(f"unreadable PDF: {type(exc).__name__}: {exc}") from None
    body = "\n\n".join(reflow_lines(normalise_whitespace(p)) for p in pages if p.strip())
    if not body:
        raise ParseError("PDF has no text layer (scanned image?)")
    title = _str_or_none(info.get("/Title")) if hasattr(info, "get") else None
    published = parse_date(_pdf_date(info.get("/CreationDate"))) if hasattr(info, "get") else None
    return ParsedDocument(
        text=body,
        title=title,
        published=published,
        published_source="pdf_metadata" if published else "none",
    )


def reflow_lines(page: str) -> str:
    """Join a PDF page's wrapped lines back into paragraphs.

    A text layer breaks lines where the layout wrapped them; a line ends a paragraph only when
    it is clearly shorter than a full line or already followed by a blank line.
    """
    lines = page.split("\n")
    full = max((len(ln) for ln in lines), default=0)
    out: list[str] = []
    for line in lines:
        heading = len(line) < 0.5 * full and not line.endswith((".", ",", ";", ":"))
        if out and out[-1] and line and not heading and len(out[-1]) >= 0.8 * full:
            out[-1] = out[-1] + " " + line
        else:
            out.append(line)
    return "\n".join(out)


def _pdf_date(value: Any) -> str | None:
    match = re.match(r"D?:?(\d{4})(\d{2})(\d{2})", str(value or ""))
    return f"{match[1]}-{match[2]}-{match[3]}" if match else None


def parse_document(data: bytes, fmt: str, name: str | None = None) -> ParsedDocument:
    """Dispatch on the text format (txt, md, html, pdf); a document whose contents give no date
    takes the one in its file ``name``, if any (source ``file_name``). A missing outlet is read
    from the page text at ingest (``transforms.claims.outlet``), the file name last."""
    try:
        doc = _parse_document(data, fmt)
    except RecursionError:  # a nesting bomb that got past the parser's own checks
        raise ParseError(_TOO_DEEP.format(what=fmt.upper())) from None
    if doc.published is None and name and (found := dates.date_from_file_name(name)) is not None:
        doc.published, doc.published_source = found, "file_name"
    return doc


def _parse_document(data: bytes, fmt: str) -> ParsedDocument:
    if fmt == "pdf":
        if not data.startswith(b"%PDF"):
            raise ParseError("not a PDF: the file does not start with %PDF")
        doc = parse_pdf(data)
    else:
        text = decode_text(data)
        if fmt == "md":
            doc = parse_markdown(text)
        elif fmt == "html":
            doc = parse_html(text)
        else:
            doc = ParsedDocument(text=text.strip("\n"))
    if not doc.text.strip():
        raise ParseError("no text after the header")
    return doc


class RowProblem(NamedTuple):
    """A table row that cannot be read as a row of its table, with its cells as received."""

    row_number: int  # 1-based among the table's data rows, as raw.table_rows numbers them
    reason: str
    cells: list[str]


@dataclass
class ParsedTable:
    """One sheet of a table file; every cell kept as the text it was received as.

    ``frame`` holds the rows that fit the header. A row with too few or too many cells is not
    in it: it is in ``row_problems`` with its original cells, and ``row_numbers`` then gives
    each frame row's own number, so locators stay true. ``warning`` says what is wrong with
    the table as a whole (a header and no rows; no header at all).
    """

    sheet: str
    frame: Any  # polars.DataFrame of String columns, in file order
    row_problems: list[RowProblem] = field(default_factory=list)
    row_numbers: Any = None  # polars.Series (Int64) when row_problems took rows out; else 1..height
    warning: str | None = None

    @property
    def rows_in(self) -> int:
        """Data rows received: the rows read and the rows that did not fit."""
        return self.frame.height + len(self.row_problems)


_DELIMITERS = [",", ";", "\t", "|"]


def sniff_delimiter(sample: str) -> str:
    """The delimiter that splits the header and first rows most consistently."""
    lines = [ln for ln in sample.splitlines()[:20] if ln.strip()]
    if not lines:
        return ","
    best, best_score = ",", -1
    for delim in _DELIMITERS:
        counts = [ln.count(delim) for ln in lines]
        if counts[0] == 0:
            continue
        score = sum(1 for c in counts if c == counts[0]) * 10 + counts[0]
        if score > best_score:
            best, best_score = delim, score
    return best


def parse_csv(data: bytes) -> list[ParsedTable]:
    """CSV with a sniffed delimiter; rows with too few or too many cells are row problems."""
    plain = _plain_utf8(data)
    if plain is not None:
        # The bytes are exactly what decoding to text and encoding back would give, so Polars
        # reads them as they are: no 1 GB text copy for a large ledger.
        delim = sniff_delimiter(plain[: _SNIFF_CHARS * 4].decode("utf-8", "ignore")[:_SNIFF_CHARS])
        table = _csv_fast(plain, delim)
        return [table if table is not None else _csv_tolerant(plain.decode("utf-8"), delim)]
    text = decode_text(data)
    delim = sniff_delimiter(text[:_SNIFF_CHARS])
    table = _csv_fast(text.encode(), delim)
    return [table if table is not None else _csv_tolerant(text, delim)]


_SNIFF_CHARS = 65536
_UTF8_BOM = b"\xef\xbb\xbf"
# Every byte except the control characters decode_text counts (\t \n \f \r are text).
_NOT_CONTROL = bytes(b for b in range(256) if not (b <= 0x08 or b == 0x0B or 0x0E <= b <= 0x1F))
_VALIDATE_CHUNK = 1 << 24


def _plain_utf8(data: bytes) -> bytes | None:
    """``decode_text(data).encode()`` without building the text, when decode_text would read the
    bytes as plain UTF-8 and accept them; None when it might do anything else (other codecs,
    BOMs, NULs, many control characters), so the caller takes the general path.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data:
        return None
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM) :]
    if not data or data.isspace():  # blank: decode_text's own wording applies
        return None
    # A control byte is always a control character in UTF-8 (never part of a longer sequence);
    # up to 8 of them pass decode_text's check whatever the length of the text.
    if len(data.translate(None, _NOT_CONTROL)) > 8:
        return None
    if not data.isascii():
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            for start in range(0, len(data), _VALIDATE_CHUNK):
                decoder.decode(data[start : start + _VALIDATE_CHUNK])
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return None
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return data


def _csv_fast(data: bytes, delim: str) -> ParsedTable | None:
    """Polars' reader for the common, rectangular case; None when rows are ragged or odd."""
    import polars as pl

    try:
        grid = pl.read_csv(
            io.BytesIO(data),
            separator=delim,
            has_header=False,
            infer_schema=False,
            empty_string_is_null=False,
            quote_char='"',
        )
    except (pl.exceptions.PolarsError, ValueError):
        return None
    # Polars pads a short row with empty cells, so a row's own cell count is checked on its line.
    if _some_row_is_ragged(data, delim, grid.width):
        return None
    # A blank row is blank in its first column too: test that column alone, and every column
    # only when some first cell is blank (a clean ledger has none).
    first = pl.col(grid.columns[0]).fill_null("").str.strip_chars() == ""
    if grid.select(first.any()).item():
        blank = pl.all_horizontal(pl.all().fill_null("").str.strip_chars() == "")
        grid = grid.filter(~blank)
    if grid.height == 0:
        raise ParseError("CSV has no header row")
    header = [v or "" for v in grid.row(0)]
    if not header[-1].strip() and grid.width > 1:
        return None  # a trailing empty header cell: rows may or may not fill it
    if looks_like_data(header):
        names = [f"column_{i + 1}" for i in range(grid.width)]
        return ParsedTable(
            "",
            grid.rename(dict(zip(grid.columns, names, strict=True))),
            warning=_no_header_warning(header),
        )
    frame = grid.slice(1).rename(dict(zip(grid.columns, _unique_names(header), strict=True)))
    return ParsedTable("", frame, warning=_HEADER_ONLY if frame.height == 0 else None)


def _some_row_is_ragged(data: bytes, delim: str, width: int) -> bool:
    """Whether a line holds more or fewer cells than ``width`` (quoted delimiters are not cell
    breaks). A quoted line break makes lines and rows differ: then the answer is yes, and the
    careful reader sorts it out."""
    import polars as pl

    if b"\x1f" in data:  # the column separator below must not occur
        return True
    try:
        lines = pl.read_csv(
            io.BytesIO(data),
            has_header=False,
            separator="\x1f",
            quote_char=None,
            infer_schema=False,
            new_columns=["line"],
        ).get_column("line")
    except (pl.exceptions.PolarsError, ValueError):
        return True
    counts = lines.str.count_matches(delim, literal=True)
    if b'"' in data:
        quotes = lines.str.count_matches('"', literal=True)
        if (quotes % 2 == 1).any():
            return True
        # Delimiters inside quoted fields are no cell breaks ("a""b" is two quoted runs).
        quoted = quotes > 0
        outside = (
            lines.filter(quoted)
            .str.replace_all('"[^"]*"', "")
            .str.count_matches(delim, literal=True)
        )
        counts = counts.scatter(quoted.arg_true(), outside)
    misfit = counts != width - 1
    if not misfit.any():
        return False
    return bool(
        (lines.filter(misfit).str.strip_chars().str.len_bytes() > 0).any()
    )  # blank lines are no rows


def _csv_tolerant(text: str, delim: str) -> ParsedTable:
    """The csv module: slower, but reads every row, whatever its length; rows that do not fit
    the header become row problems with their cells as received."""
    import csv

    # A cell may be as long as the file (the size limit was applied when the inbox was scanned).
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=delim))
    except csv.Error as exc:
        raise ParseError(f"malformed CSV: {exc}") from None
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if not rows:
        raise ParseError("CSV has no header row")
    return rows_to_table("", rows)


def rows_to_table(sheet: str, rows: list[list[Any]]) -> ParsedTable:
    """A table from its rows of cells (the first is the header unless it looks like data):
    rows that fit the header go in the frame, the others become row problems."""
    import polars as pl

    titles = _title_rows(rows)
    header = _header_cells(rows[titles])
    warnings = [_title_warning(rows[:titles])] if titles else []
    if looks_like_data(header):
        names, body = [f"column_{i + 1}" for i in range(len(header))], rows[titles:]
        warnings.append(_no_header_warning(header))
    else:
        names, body = _unique_names(header), rows[titles + 1 :]
    width = len(names)
    columns: list[list[Any]] = [[] for _ in names]
    numbers: list[int] = []
    problems: list[RowProblem] = []
    for number, row in enumerate(body, start=1):
        cells = _trim_blank_tail(row, width)
        if len(cells) != width:
            problems.append(
                RowProblem(number, _misfit(len(cells), width), [_cell_text(c) for c in row])
            )
            continue
        numbers.append(number)
        for column, cell in zip(columns, cells, strict=True):
            column.append(cell)
    frame = pl.DataFrame(
        dict(zip(names, columns, strict=True)), schema={n: pl.String for n in names}
    )
    if not body:
        warnings.append(_HEADER_ONLY)
    row_numbers = pl.Series("row_number", numbers, dtype=pl.Int64) if problems else None
    return ParsedTable(sheet, frame, problems, row_numbers, ", and ".join(warnings) or None)


_MAX_TITLE_ROWS = 3


def _title_rows(rows: list[list[Any]] | list[tuple]) -> int:
    """How many rows at the top are a title above the table, not its header: each has at most
    one filled cell, and a row with two or more follows within three rows."""
    for i, row in enumerate(rows[: _MAX_TITLE_ROWS + 1]):
        filled = sum(1 for c in row if c is not None and str(c).strip())
        if filled >= 2:
            return i
        if filled == 0 and i == 0:
            return 0
    return 0


def _title_warning(rows: list[Any]) -> str:
    shown = " / ".join(
        str(c).strip() for row in rows for c in row if c is not None and str(c).strip()
    )
    # The ledger's note joins sheets' findings with "; ", so a title cannot carry one.
    return f"a title above the header was not read as a row ({' '.join(shown.split())[:80].replace(';', ',')})"


def _header_cells(row: list[Any] | tuple) -> list[str]:
    """The first row's cells as text, without the empty ones at its end (they name no column)."""
    cells = [_cell_text(c) for c in row]
    while len(cells) > 1 and not cells[-1].strip():
        cells.pop()
    return cells


def _trim_blank_tail(row: list[Any], width: int) -> list[Any]:
    """The row without empty cells past the header's width (a trailing delimiter adds none)."""
    end = len(row)
    while end > width and (row[end - 1] is None or not str(row[end - 1]).strip()):
        end -= 1
    return row[:end]


def _misfit(cells: int, width: int) -> str:
    side = "too few" if cells < width else "too many"
    return f"{side} cells: {cells} where the header has {width}"


def _cell_text(value: Any) -> str:
    return "" if value is None else str(value)


_HEADER_ONLY = "a header and no rows"
_DATA_CELL = re.compile(
    r"[-+(]?[$€£¥₩]?\d[\d,.' \u00a0]*%?\)?"  # a number: 12, -1.5, 1,250, (300), 45%
    r"|\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?)?"  # a date, a time
)


def looks_like_data(header: list[str]) -> bool:
    """Whether a first row is data rather than a header: every filled cell a number or a date."""
    filled = [c.strip() for c in header if c and c.strip()]
    return bool(filled) and all(_DATA_CELL.fullmatch(c) for c in filled)


def _no_header_warning(first_row: list[str]) -> str:
    shown = ", ".join(c for c in first_row[:4] if c)
    return f"no header row: the first row holds only numbers and dates ({shown}), so every row was read as data"


def parse_xlsx(data: bytes) -> list[ParsedTable]:
    """Every non-empty sheet of a workbook; dates as ISO text, formulas as their cached values."""
    import polars as pl

    try:
        # Blank rows kept, so grid rows line up with sheet rows for merged ranges and formulas.
        sheets = pl.read_excel(
            io.BytesIO(data),
            sheet_id=0,
            engine="calamine",
            infer_schema_length=0,
            has_header=False,
            drop_empty_rows=False,
        )
    except Exception as exc:  # calamine reports zip and XML damage with many types
        raise ParseError(f"unreadable XLSX: {type(exc).__name__}: {exc}".splitlines()[0]) from None
    layout = _xlsx_layout(data)
    tables = [
        _sheet_table(name, grid.select(pl.all().cast(pl.String)), layout.get(name))
        for name, grid in sheets.items()
        if grid.width and grid.height
    ]
    if not tables:
        raise ParseError("XLSX has no non-empty sheet")
    return tables


def _sheet_table(sheet: str, grid: Any, layout: tuple | None) -> ParsedTable:
    """One sheet's grid (first row first) as a table: merged ranges and uncached formulas filled
    in, and rows with a value past the header's last column made row problems."""
    import polars as pl

    top = grid.head(_MAX_TITLE_ROWS + 1).rows()
    titles = _title_rows(top)
    header = _header_cells(top[titles])
    warnings = [_title_warning(top[:titles])] if titles else []
    headerless = looks_like_data(header)
    first = titles if headerless else titles + 1  # the grid row of the first data row
    body = grid.slice(first)
    if layout is not None:
        header_row, first_col, merged, formulas = layout
        body = _apply_layout(body, header_row + first - 1, first_col, merged, formulas)
    body = body.filter(~pl.all_horizontal(pl.all().fill_null("").str.strip_chars() == ""))
    if headerless:
        names = [f"column_{i + 1}" for i in range(grid.width)]
        warnings.append(_no_header_warning(header))
        return ParsedTable(
            sheet,
            body.rename(dict(zip(body.columns, names, strict=True))),
            warning=", and ".join(warnings),
        )
    width = len(header)
    extra = body.columns[width:]
    body = body.with_row_index("_number", offset=1)
    misfit = (
        pl.any_horizontal(pl.col(c).fill_null("").str.strip_chars() != "" for c in extra)
        if extra
        else pl.lit(False)
    )
    problems = []
    for number, *cells in body.filter(misfit).iter_rows():
        original = _cell_list(cells)
        problems.append(RowProblem(number, _misfit(len(original), width), original))
    good = body.filter(~misfit)
    frame = good.select(body.columns[1 : width + 1]).rename(
        dict(zip(body.columns[1 : width + 1], _unique_names(header), strict=True))
    )
    row_numbers = (
        good.get_column("_number").cast(pl.Int64).rename("row_number") if problems else None
    )
    if body.height == 0:
        warnings.append(_HEADER_ONLY)
    return ParsedTable(sheet, frame, problems, row_numbers, ", and ".join(warnings) or None)


def _cell_list(row: tuple) -> list[str]:
    """A row's cells as text, up to its last filled one."""
    cells = [_cell_text(c) for c in row]
    while cells and not cells[-1].strip():
        cells.pop()
    return cells


def _xlsx_layout(data: bytes) -> dict[str, tuple[int, int, list, dict]]:
    """Per sheet: (header row, first column, merged ranges, formulas) when the workbook has any.

    Calamine reads cached values only: a merged range's value sits in its top-left cell and
    the other cells read as empty, and a formula nobody recalculated reads as empty too.
    openpyxl is asked only when the sheet XML shows merges or formulas.
    """
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            xml = b"".join(zf.read(n) for n in zf.namelist() if n.startswith("xl/worksheets/"))
    except (zipfile.BadZipFile, KeyError, OSError):
        return {}
    if b"<mergeCell " not in xml and b"<f>" not in xml and b"<f " not in xml:
        return {}
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), data_only=False)
    except Exception:  # noqa: BLE001 - the values came from calamine; layout is a bonus
        return {}
    layout = {}
    for sheet in book.worksheets:
        filled = [
            (c.row, c.column) for row in sheet.iter_rows() for c in row if c.value not in (None, "")
        ]
        if not filled:
            continue
        header_row = min(r for r, _ in filled)
        first_col = min(c for _, c in filled)
        formulas = {
            (c.row, c.column): str(c.value)
            for row in sheet.iter_rows()
            for c in row
            if isinstance(c.value, str) and c.value.startswith("=")
        }
        merged = [(m.min_row, m.min_col, m.max_row, m.max_col) for m in sheet.merged_cells.ranges]
        layout[sheet.title] = (header_row, first_col, merged, formulas)
    return layout


def _apply_layout(frame: Any, header_row: int, first_col: int, merged: list, formulas: dict) -> Any:
    """Fill merged ranges with their top-left value; keep uncached formulas as their text."""
    import polars as pl

    columns = {n: frame[n].to_list() for n in frame.columns}
    names = frame.columns

    def cell(row: int, col: int) -> tuple[str, int] | None:
        i, j = row - header_row - 1, col - first_col
        if 0 <= i < frame.height and 0 <= j < len(names):
            return names[j], i
        return None

    for (row, col), formula in formulas.items():
        if (at := cell(row, col)) and columns[at[0]][at[1]] is None:
            columns[at[0]][at[1]] = formula
    for top, left, bottom, right in merged:
        anchor = cell(top, left)
        if anchor is None:
            continue  # merged across the header: the header text is already there
        value = columns[anchor[0]][anchor[1]]
        for row in range(top, bottom + 1):
            for col in range(left, right + 1):
                if (at := cell(row, col)) and columns[at[0]][at[1]] is None:
                    columns[at[0]][at[1]] = value
    return pl.DataFrame(columns, schema={n: pl.String for n in names})


def _json_records(text: str) -> list:
    """The records of a JSON array, of an object holding one array, or of JSON Lines."""
    try:
        records = json.loads(text)
    except RecursionError:
        raise ParseError(_TOO_DEEP.format(what="JSON")) from None
    except json.JSONDecodeError as exc:
        try:
            records = [json.loads(line) for line in text.splitlines() if line.strip()]
        except json.JSONDecodeError:
            raise ParseError(f"not JSON: {exc}") from None
    if isinstance(records, dict):
        lists = [v for v in records.values() if isinstance(v, list)]
        if len(lists) != 1:
            raise ParseError("JSON is an object, not an array of records")
        records = lists[0]
    if not isinstance(records, list):
        raise ParseError("JSON is not an array of records")
    return records


def parse_json_table(data: bytes) -> list[ParsedTable]:
    """A JSON array of objects (or JSON Lines); each record kept as its JSON text too."""
    import polars as pl

    records = _json_records(decode_text(data))
    names: list[str] = []
    for rec in records:
        if isinstance(rec, dict):
            names.extend(k for k in rec if k not in names)
    names = names or ["_value"]
    columns: dict[str, list[str | None]] = {n: [] for n in names}
    for rec in records:
        rec = rec if isinstance(rec, dict) else {"_value": rec}
        for n in names:
            columns.setdefault(n, [])
            columns[n].append(_json_cell(rec.get(n)))
    frame = pl.DataFrame(columns, schema={n: pl.String for n in columns})
    return [
        ParsedTable(
            sheet="", frame=frame, warning=None if records else "an empty array: no records"
        )
    ]


def _json_cell(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def parse_parquet(data: bytes, max_unpacked: int = MAX_UNPACKED_BYTES) -> list[ParsedTable]:
    """A Parquet file; typed values rendered as text so the raw layer has one shape."""
    import polars as pl

    check_parquet_size(data, max_unpacked)
    try:
        frame = pl.read_parquet(io.BytesIO(data))
    except Exception as exc:  # arrow raises several types on damaged footers
        raise ParseError(
            f"unreadable Parquet: {type(exc).__name__}: {exc}".splitlines()[0]
        ) from None
    frame = frame.select(
        pl.struct(c).struct.json_encode().alias(c)
        if dtype.is_nested()
        else pl.col(c).cast(pl.String)
        for c, dtype in frame.schema.items()
    )
    return [
        ParsedTable(
            sheet="", frame=frame, warning="a schema and no rows" if frame.height == 0 else None
        )
    ]


def parse_table(data: bytes, fmt: str, max_unpacked: int = MAX_UNPACKED_BYTES) -> list[ParsedTable]:
    """Dispatch on the table format (csv, xlsx, json, parquet). ``max_unpacked`` bounds what a
    compressed file (xlsx, parquet) may unpack to; past it the file is refused unread."""
    if not data or data.isspace():  # = not data.strip(), without copying a large file
        raise ParseError("empty file: no rows")
    try:
        if fmt == "xlsx":
            check_zip_size(data, max_unpacked, "XLSX")
            return parse_xlsx(data)
        if fmt == "parquet":
            return parse_parquet(data, max_unpacked)
        return {"csv": parse_csv, "json": parse_json_table}[fmt](data)
    except RecursionError:  # a nesting bomb that got past the parser's own checks
        raise ParseError(_TOO_DEEP.format(what=fmt.upper())) from None


# --------------------------------------------------------------------------- unpacking limits

_MAX_ZIP_PARTS = 10_000
_TOO_DEEP = "{what} nested too deeply to read (over ~1,000 levels): refused"


def check_zip_size(data: bytes, limit: int, what: str) -> None:
    """Refuse a zip (an .xlsx) that unpacks past ``limit`` bytes, before any reader opens it.

    The sizes its directory declares are checked first. Declared sizes can lie, and a reader
    that trusts them inflates far more, so every deflated part is then inflated here a megabyte
    at a time and counted: past its declared size or the limit, the file is refused. Memory
    stays at a megabyte whatever a part holds.
    """
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            parts = zf.infolist()
            if len(parts) > _MAX_ZIP_PARTS:
                raise ParseError(
                    f"{what} holds {len(parts):,} parts (limit {_MAX_ZIP_PARTS:,}): refused unread"
                )
            declared = sum(p.file_size for p in parts)
            if declared > limit:
                big = max(parts, key=lambda p: p.file_size)
                ratio = big.file_size / max(big.compress_size, 1)
                raise ParseError(
                    f"{what} unpacks to {declared / 1e6:,.0f} MB, past the {limit / 1e6:,.0f} MB limit "
                    f"({big.filename} inflates {ratio:,.0f}x; a zip bomb?): refused unread"
                )
            for part in parts:
                _check_part(data, zf, part, limit, what)
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        NotImplementedError,
        EOFError,
        OSError,
    ) as exc:
        raise ParseError(f"unreadable {what}: {exc}".splitlines()[0]) from None


def _check_part(data: bytes, zf, part, limit: int, what: str) -> None:
    """Inflate one part, counting, and refuse it past its declared size or ``limit``."""
    import struct
    import zipfile
    import zlib

    if part.compress_type != zipfile.ZIP_DEFLATED:  # stored, or read by zipfile up to its size
        with zf.open(part) as stream:
            while stream.read(1 << 20):
                pass
        return
    start = part.header_offset
    name_len, extra_len = struct.unpack("<HH", data[start + 26 : start + 30])
    begin = start + 30 + name_len + extra_len
    packed = memoryview(data)[begin : begin + part.compress_size]
    inflate, total = zlib.decompressobj(-15), 0
    try:
        # Input fed 64 KB at a time, so what is left over after each megabyte out stays small.
        for offset in range(0, len(packed), 1 << 16):
            pending: bytes | memoryview = packed[offset : offset + (1 << 16)]
            while pending:
                total += len(inflate.decompress(pending, 1 << 20))
                if total > part.file_size or total > limit:
                    raise ParseError(
                        f"{what} part {part.filename} inflates past the {part.file_size:,} bytes "
                        "it declares (a zip bomb?): refused unread"
                    )
                pending = inflate.unconsumed_tail
            if inflate.eof:
                break
    except zlib.error as exc:
        raise ParseError(f"unreadable {what}: {part.filename}: {exc}") from None


def check_parquet_size(data: bytes, limit: int) -> None:
    """Refuse a Parquet file whose rows would unpack past ``limit`` bytes, from its footer alone
    (a few repeated values can encode a billion rows in kilobytes)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        meta = pq.ParquetFile(io.BytesIO(data)).metadata
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise ParseError(
            f"unreadable Parquet: {type(exc).__name__}: {exc}".splitlines()[0]
        ) from None
    unpacked = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    # Each cell becomes at least 8 bytes as text (its offset), whatever its encoding on disk.
    estimate = max(unpacked, meta.num_rows * max(meta.num_columns, 1) * 8)
    if estimate > limit:
        raise ParseError(
            f"Parquet unpacks to about {estimate / 1e6:,.0f} MB ({meta.num_rows:,} rows x {meta.num_columns} "
            f"columns), past the {limit / 1e6:,.0f} MB limit: refused unread"
        )


def _unique_names(header: list[str]) -> list[str]:
    names: list[str] = []
    for i, raw in enumerate(header):
        name = raw.strip() or f"column_{i + 1}"
        base, n = name, 2
        while name in names:
            name, n = f"{base}_{n}", n + 1
        names.append(name)
    return names
