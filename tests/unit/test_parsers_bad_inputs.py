"""Parser and inbox fixes found with the bad-input corpus (tests/bad_inputs.py)."""

from __future__ import annotations

import datetime as dt
import io
import os

import pytest

from supplyline.inbox import display_name, parse_file, scan_inbox
from supplyline.parsers import ParseError, decode_text, parse_table
from tests.bad_inputs import _cache_formula_values, _formula_sheet, _merged_sheet


def test_windows_1252_punctuation_is_not_read_as_control_characters():
    assert (
        decode_text("\u201cRajin\u201d \u2013 quay".encode("cp1252"))
        == "\u201cRajin\u201d \u2013 quay"
    )
    # Bytes cp1252 leaves undefined still decode (as Latin-1) instead of failing.
    assert decode_text(b"Rajin \x81 quay") == "Rajin \x81 quay"


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom(codec):
    assert (
        decode_text("Ursa Major left Vostochny.\r\n".encode(codec))
        == "Ursa Major left Vostochny.\n"
    )


def test_broken_utf16_is_a_parse_error_not_a_crash():
    with pytest.raises(ParseError, match="broken UTF-16"):
        decode_text(b"\xff\xfeR\x00a\x00j")  # BOM, then an odd number of bytes


def test_binary_with_nuls_is_still_binary():
    with pytest.raises(ParseError, match="binary content"):
        decode_text(bytes(range(256)) * 4)


def test_csv_field_larger_than_the_csv_module_default():
    big = "y" * 500_000
    data = f"vessel,evidence\nAngara,{big}\nMaria,short\n".encode()
    (table,) = parse_table(data, "csv")
    assert table.frame["evidence"].to_list() == [big, "short"]


def _book(build_sheet, patch=None) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    build_sheet(book.active)
    buf = io.BytesIO()
    book.save(buf)
    return patch(buf.getvalue()) if patch else buf.getvalue()


def test_xlsx_merged_cells_repeat_their_value():
    (table,) = parse_table(_book(_merged_sheet), "xlsx")
    assert table.frame["From"].to_list() == ["Rajin"] * 3
    assert table.frame["Compiled by"].to_list() == ["Merged Desk"] * 3
    assert table.frame["Basis"].to_list() == [
        "AIS gap",
        "imagery",
        "imagery",
    ]  # unmerged cells untouched


def test_xlsx_merged_cells_in_a_sheet_not_starting_at_a1():
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws["C3"], ws["D3"] = "Ship", "Port"
    ws["C4"], ws["D4"] = "Angara", "Rajin"
    ws["C5"] = "Maria"
    ws["C6"], ws["D6"] = "Maia-1", "Vostochny"
    ws.merge_cells("D4:D5")
    buf = io.BytesIO()
    book.save(buf)
    (table,) = parse_table(buf.getvalue(), "xlsx")
    assert table.frame.rows() == [("Angara", "Rajin"), ("Maria", "Rajin"), ("Maia-1", "Vostochny")]


def test_xlsx_formulas_use_cached_values_or_keep_their_text():
    (cached,) = parse_table(_book(_formula_sheet, _cache_formula_values), "xlsx")
    assert cached.frame["Boxes"].to_list() == ["240", "90"]
    # Saved by a tool that never calculated: the formula text is kept rather than an empty cell.
    (uncached,) = parse_table(_book(_formula_sheet), "xlsx")
    assert uncached.frame["Boxes"].to_list() == ["=D2+E2", "=D3+E3"]
    assert uncached.frame["Sailed"][0].startswith("2025-03-02")


def test_scan_reports_a_link_to_a_folder_and_never_enters_it(tmp_path):
    inbox, outside = tmp_path / "inbox", tmp_path / "outside"
    inbox.mkdir()
    outside.mkdir()
    (outside / "secret.txt").write_text("not for the pipeline")
    (inbox / "linked").symlink_to(outside, target_is_directory=True)
    (inbox / "real.txt").write_text("The Angara sailed.")
    found = {f.path: f for f in scan_inbox(inbox, 10_000)}
    assert set(found) == {"linked", "real.txt"}
    assert found["linked"].kind is None and "symbolic link" in found["linked"].skip_reason


def test_scan_gives_non_utf8_names_a_printable_unicode_path(tmp_path):
    raw = os.fsencode(tmp_path) + b"/caf\xe9.txt"
    with open(raw, "wb") as fh:
        fh.write(b"The Maria sailed.")
    (entry,) = scan_inbox(tmp_path, 10_000)
    assert entry.path == "caf\\xe9.txt"
    entry.path.encode("utf-8")  # no lone surrogates left
    assert (
        parse_file(entry).document.text == "The Maria sailed."
    )  # still read through its real name
    assert display_name("plain \u7f85\u6d25.txt") == "plain \u7f85\u6d25.txt"


def test_scan_keeps_names_with_newlines_and_reads_them(tmp_path):
    (tmp_path / "line\nbreak.txt").write_text("Sparta IV left Rajin on 2025-01-03.")
    (entry,) = scan_inbox(tmp_path, 10_000)
    assert entry.path == "line\nbreak.txt" and entry.skip_reason is None
    assert parse_file(entry).document.text.startswith("Sparta IV")


def test_serial_dates_stay_as_numbers_for_the_transform():
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws.append(["vessel", "departure_date"])
    ws.append(["Lady R", 45719])
    ws.append(["Maria", dt.date(2025, 3, 3)])
    buf = io.BytesIO()
    book.save(buf)
    (table,) = parse_table(buf.getvalue(), "xlsx")
    assert table.frame["departure_date"].to_list() == ["45719", "2025-03-03 00:00:00"]
