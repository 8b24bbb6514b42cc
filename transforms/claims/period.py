"""Stage 5b: the reporting period a sentence names, resolved against the publication date."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class _Patterns:
    span: re.Pattern[str]
    since: re.Pattern[str]
    in_month: re.Pattern[str]


_SINCE_YEAR = re.compile(r"\bsince\s+((?:19|20)\d\d)\b")
_YEARS = re.compile(
    r"\b(?:between|from)\s+((?:19|20)\d\d)\s+(?:and|to|through)\s+((?:19|20)\d\d)\b"
)
_YEAR = re.compile(
    r"\b(?:in|during|throughout|for)\s+((?:19|20)\d\d)(?:\s+and\s+((?:19|20)\d\d))?\b"
)
_REL_YEAR = re.compile(r"\b(last|this|previous|past)\s+year\b", re.I)
_CACHE: dict[tuple[str, ...], _Patterns] = {}
_BY_ID: dict[int, tuple[dict[str, int], _Patterns]] = {}


def _patterns(months: dict[str, int]) -> _Patterns:
    """Date patterns built from the month names of reference/months.csv (longest first, so
    "Sept" is tried before "Sep")."""
    known = _BY_ID.get(id(months))
    if known is not None and known[0] is months:
        return known[1]
    names = tuple(sorted((m.capitalize() for m in months), key=len, reverse=True))
    found = _CACHE.get(names)
    if found is None:
        month = "(" + "|".join(re.escape(n) for n in names) + r")\.?"
        date = month + r"(?:\s+(\d{1,2})(?:st|nd|rd|th)?(?!\d))?,?(?:\s+(?:of\s+)?((?:19|20)\d\d))?"
        found = _CACHE[names] = _Patterns(
            re.compile(
                r"\b(?:between|from)\s+" + date + r"\s+(?:and|to|through|until|till)\s+" + date
            ),
            re.compile(r"\bsince\s+(?:last\s+)?(?:(?:the\s+)?(?:early|mid|late)-?\s*)?" + date),
            re.compile(r"\bin\s+" + date),
        )
    _BY_ID[id(months)] = (months, found)
    return found


def _anchor_year(month: int, year: str | None, published: dt.date | None) -> int | None:
    if year:
        return int(year)
    if published is None:
        return None
    return published.year if month <= published.month else published.year - 1


def _month_end(year: int, month: int) -> dt.date:
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def _safe_date(y: int, m: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


Period = tuple[dt.date | None, dt.date | None]


def resolve_period(sentence: str, published: dt.date | None, months: dict[str, int]) -> Period:
    """Reporting period named in a sentence, resolved against the publication date."""
    p = _patterns(months)
    for reader in (_span, _years, _since, _since_year, _year, _relative_year, _in_month):
        found = reader(sentence, published, p, months)
        if found is not None:
            return found
    return None, None


def _span(sentence: str, published: dt.date | None, p: _Patterns, months: dict) -> Period | None:
    m = p.span.search(sentence)
    if not m:
        return None
    m1, d1, y1, m2, d2, y2 = m.groups()
    mo1, mo2 = months[m1.lower()], months[m2.lower()]
    year2 = _anchor_year(mo2, y2, published)
    year1 = int(y1) if y1 else (year2 - (mo1 > mo2) if year2 else None)
    if not (year1 and year2):
        return None
    start = _safe_date(year1, mo1, int(d1) if d1 else 1)
    end = _safe_date(year2, mo2, int(d2)) if d2 else _month_end(year2, mo2)
    return start, end


def _years(sentence: str, published: dt.date | None, p: _Patterns, months: dict) -> Period | None:
    m = _YEARS.search(sentence)
    return (dt.date(int(m.group(1)), 1, 1), dt.date(int(m.group(2)), 12, 31)) if m else None


def _month_year(
    m: re.Match[str] | None, published: dt.date | None, months: dict
) -> tuple[int, int] | None:
    """(month, year) of a matched date, the year anchored on the publication date."""
    if not m:
        return None
    mo = months[m.group(1).lower()]
    year = _anchor_year(mo, m.group(3), published)
    return (mo, year) if year else None


def _since(sentence: str, published: dt.date | None, p: _Patterns, months: dict) -> Period | None:
    m = p.since.search(sentence)
    found = _month_year(m, published, months)
    if found is None or m is None:
        return None
    mo, year = found
    return _safe_date(year, mo, int(m.group(2)) if m.group(2) else 1), published


def _since_year(
    sentence: str, published: dt.date | None, p: _Patterns, months: dict
) -> Period | None:
    m = _SINCE_YEAR.search(sentence)
    return (dt.date(int(m.group(1)), 1, 1), published) if m else None


def _year(sentence: str, published: dt.date | None, p: _Patterns, months: dict) -> Period | None:
    m = _YEAR.search(sentence)
    if not m:
        return None
    return dt.date(int(m.group(1)), 1, 1), dt.date(int(m.group(2) or m.group(1)), 12, 31)


def _relative_year(
    sentence: str, published: dt.date | None, p: _Patterns, months: dict
) -> Period | None:
    m = _REL_YEAR.search(sentence)
    if not m or published is None:
        return None
    word = m.group(1).lower()
    if word == "past":
        return published - dt.timedelta(days=365), published
    year = published.year if word == "this" else published.year - 1
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def _in_month(
    sentence: str, published: dt.date | None, p: _Patterns, months: dict
) -> Period | None:
    found = _month_year(p.in_month.search(sentence), published, months)
    if found is None:
        return None
    mo, year = found
    return dt.date(year, mo, 1), _month_end(year, mo)
