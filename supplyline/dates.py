"""Publication dates as people write them: ISO, "5 March 2025", "March 5, 2025", "05.03.2025",
"Wed, 05 Mar 2025 14:00 GMT", and dates in file names. No database, no Prefect.

The common forms are read by the patterns below (a few microseconds each); anything else that
carries a four-digit year goes to dateparser, restricted to absolute dates, so "yesterday" or
a date without a year never turns into a date that depends on when the file was read.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

# Years outside this window are typing errors or serial numbers, not publication dates.
_FIRST_YEAR, _LAST_YEAR = 1900, 2100

# The calendar, not a rule list: English month names and their usual abbreviations.
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
_WEEKDAY = r"(?:(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\.?,?\s+)?"
_ORDINAL = r"(?:st|nd|rd|th)?"
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # 2025-03-05, 2025-03-05T08:30:00+09:00, 2025/03/05, 2025.03.05
    (re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?![\d])"), "ymd"),
    # 05.03.2025 (day first, as everywhere dots are used)
    (re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})(?!\d)"), "dmy"),
    # 03/05/2025: month first unless the first number cannot be a month
    (re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?!\d)"), "slash"),
    # 5 March 2025, Wed, 05 Mar 2025 14:00:00 GMT, 5th of March, 2025
    (
        re.compile(
            _WEEKDAY + r"(\d{1,2})" + _ORDINAL + r"\s+(?:of\s+)?([a-z]{3,9})\.?,?\s+(\d{4})(?!\d)"
        ),
        "d_month_y",
    ),
    # March 5, 2025, Mar 5 2025 14:00 UTC, Wednesday, March 5th 2025
    (
        re.compile(_WEEKDAY + r"([a-z]{3,9})\.?\s+(\d{1,2})" + _ORDINAL + r",?\s+(\d{4})(?!\d)"),
        "month_d_y",
    ),
    # 2025-03 and March 2025: the first of the month, as the month is all that is known
    (re.compile(r"(\d{4})-(\d{2})(?![\d-])"), "ym"),
    (re.compile(r"([a-z]{3,9})\.?,?\s+(\d{4})(?!\d)"), "month_y"),
]
_HAS_YEAR = re.compile(r"(?<!\d)(1[9]\d\d|20\d\d)(?!\d)")


def parse_date(value: Any) -> dt.date | None:
    """The date a value states (a date, a datetime, or text in a common written form), taken
    as written: "2025-03-05T23:30:00-05:00" is 5 March, the publisher's own date."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, dt.datetime):
        return _in_range(value.date())
    if isinstance(value, dt.date):
        return _in_range(value)
    text = str(value).strip().lower()
    if not text or len(text) > 200:
        return None
    for pattern, form in _PATTERNS:
        match = pattern.match(text)
        if match and (found := _from_match(form, match.groups())) is not None:
            return found
    return _dateparser(text)


def _slash(g: tuple[str, ...]) -> tuple[Any, Any, Any]:
    """03/05/2025 is month first, unless the first number cannot be a month (13/05/2025)."""
    first, second = int(g[0]), int(g[1])
    return (g[2], second, first) if first > 12 else (g[2], first, second)


# Form of a pattern -> (year, month, day) from its groups (a month name through _MONTHS).
_PARTS: dict[str, Callable[[tuple[str, ...]], tuple[Any, Any, Any]]] = {
    "ymd": lambda g: (g[0], g[2], g[3]),
    "dmy": lambda g: (g[2], g[1], g[0]),
    "slash": _slash,
    "d_month_y": lambda g: (g[2], _MONTHS.get(g[1]), g[0]),
    "month_d_y": lambda g: (g[2], _MONTHS.get(g[0]), g[1]),
    "ym": lambda g: (g[0], g[1], 1),
    "month_y": lambda g: (g[1], _MONTHS.get(g[0]), 1),
}


def _from_match(form: str, g: tuple[str, ...]) -> dt.date | None:
    return _date(*_PARTS[form](g))


def _date(year: Any, month: Any, day: Any) -> dt.date | None:
    if month is None:
        return None
    try:
        return _in_range(dt.date(int(year), int(month), int(day)))
    except ValueError:
        return None


def _in_range(value: dt.date) -> dt.date | None:
    return value if _FIRST_YEAR <= value.year <= _LAST_YEAR else None


_DATEPARSER_SETTINGS = {
    "PARSERS": ["absolute-time"],
    "REQUIRE_PARTS": ["year", "month"],
    "PREFER_DAY_OF_MONTH": "first",
    "RETURN_AS_TIMEZONE_AWARE": False,
}


def _dateparser(text: str) -> dt.date | None:
    """Other languages and rarer forms ("5 марта 2025"); only text that names a year."""
    if len(text) > 64 or not _HAS_YEAR.search(text):
        return None
    import dateparser  # type: ignore[import-untyped]  # the package ships no type hints

    try:
        found = dateparser.parse(text, settings=_DATEPARSER_SETTINGS)
    except (ValueError, OverflowError, TypeError):
        return None
    return _in_range(found.date()) if found else None


_NAME_DATE = re.compile(r"(?<!\d)((?:19|20)\d\d)([-_.]?)(\d\d)\2(\d\d)(?!\d)")


def date_from_file_name(path: str) -> dt.date | None:
    """The date in a file's name ("wire_2025-03-05_note.md", "20250305-brief.pdf"), or in its
    folders ("2025/03/05/note.txt"); the name is searched before the folders."""
    name = path.rsplit("/", 1)[-1]
    for match in _NAME_DATE.finditer(name):
        if found := _date(match[1], match[3], match[4]):
            return found
    folders = re.search(r"(?<!\d)((?:19|20)\d\d)/(\d\d)/(\d\d)/", path)
    return _date(folders[1], folders[2], folders[3]) if folders else None
