"""Where a mart-level check's example rows came from: the file as received and the place in it.

A GX expectation, a dbt test, a reconciliation or a team's SQL check reports a few example rows
(``CheckResult.sample``), usually by their mart key (``claim_id``, ``shipment_id``, ...). Here
each key is looked up in the run's warehouse, with the key bound as a parameter, to find its
file and locator: a claim's character span, a table row's sheet and row, a document's file.
A row whose key finds nothing, or that carries no key, comes back saying so: never dropped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import duckdb

from schemas.checks import CheckResult

UNTRACED = "(not traced to a file)"
_SPAN = "'chars ' || char_start || '-' || char_end"
_ROW = "case when sheet = '' then '' else sheet || ':' end || 'row ' || row_number"
_CLAIM = f"select file_name, {_SPAN} from marts.claims where claim_id = ?"
# key column -> a query of (file, locator) for one key, the key bound as its parameter.
# The shipments query repeats the mart's key expression: a voyage may come from several ledgers.
LOOKUPS: dict[str, str] = {
    "claim_id": _CLAIM,
    "example_claim_id": _CLAIM,
    "earlier_claim_id": _CLAIM,
    "later_claim_id": _CLAIM,
    "doc_id": "select file_name, 'whole file' from marts.documents where doc_id = ?",
    "delivery_id": "select source_file, locator from marts.deliveries where delivery_id = ?",
    "strike_id": "select source_file, locator from marts.strike_events where strike_id = ?",
    "point_id": "select source_file, locator from marts.reported_series where point_id = ?",
    "figure_id": f"select source_file, {_ROW} from staging.stg_tables__figures "
    "where sha256[1:16] || ':' || sheet || ':' || row_number = ? order by 1, 2",
    "shipment_id": f"select source_file, {_ROW} from staging.stg_ledgers__shipments where substr("
    "md5(coalesce(vessel_id, 'unresolved:' || lower(trim(vessel))) || '|' || departure_date), "
    "1, 16) = ? order by 1, sheet, row_number",
}
# Columns that say where a row is rather than what is wrong with it.
_PLACE = {*LOOKUPS, "file_name", "source_file", "locator", "char_start", "char_end", "sheet"}
_PLACE |= {"row_number", "item", "quote", "reconciliation_id", "source_files", "documents"}
_PLACE |= {"earlier_file", "later_file", "earlier_quote", "later_quote"}
# A sample of one of these describes the table as a whole (a count, a freshness, an error).
_TABLE_LEVEL = {"observed", "exception", "error", "last_arrival"}
MAX_PLACES = 5  # ledger rows named for one merged voyage


@dataclass(frozen=True)
class Traced:
    """One example row of a failed or warned check, with where it came from."""

    file: str  # the file as received, or UNTRACED
    locator: str  # "row 7", "Sheet1:row 7", "chars 10-42", "whole file" or "not traced"
    check: str  # tool: name, as the alert lists the check
    column: str
    value: str
    reason: str = ""  # why it could not be traced, when it could not


def trace_results(
    con: duckdb.DuckDBPyConnection, results: Iterable[CheckResult]
) -> tuple[Traced, ...]:
    """Every example row of the failed or warned checks (Pandera's are quarantined rows, and
    the alert names them already), each with its file and locator."""
    traced: list[Traced] = []
    for result in results:
        if result.status == "pass" or result.tool == "pandera":
            continue
        for row in result.sample:
            if isinstance(row, Mapping) and not _TABLE_LEVEL & set(row):
                traced += trace_row(con, result.check_name, row)
    return tuple(traced)


def trace_row(con: duckdb.DuckDBPyConnection, check: str, row: Mapping[str, Any]) -> list[Traced]:
    """The places one example row came from: one per key it carries (a running total names an
    earlier and a later claim), several for a voyage merged from ledgers."""
    column, value = _what(row)
    keys = [k for k in LOOKUPS if row.get(k) is not None]
    if not keys:
        cols = ", ".join(map(str, row)) or "none"
        why = f"its columns ({cols}) hold no key that names a file"
        return [Traced(UNTRACED, "not traced", check, column, value, why)]
    return [t for key in keys for t in _places(con, key, str(row[key]), check, column, value)]


def _places(
    con: duckdb.DuckDBPyConnection, key: str, ident: str, check: str, column: str, value: str
) -> list[Traced]:
    """The (file, locator) pairs one key finds; one untraced note when it finds none."""
    sql = LOOKUPS[key]
    try:
        places = con.execute(sql, [ident]).fetchmany(MAX_PLACES)
    except duckdb.Error as exc:  # the mart is missing or broken: say so
        places, why = [], f"{key} {ident} could not be looked up ({type(exc).__name__})"
    else:
        why = f"{key} {ident} is not in the warehouse"
    if not places:
        return [Traced(UNTRACED, "not traced", check, column, value, why)]
    return [
        Traced(str(f or UNTRACED), str(at or "not traced"), check, column, value, f"{key} {ident}")
        for f, at in places
    ]


def _what(row: Mapping[str, Any]) -> tuple[str, str]:
    """The column and value a row was reported for: the one column that is not a place, or
    each such column with its value."""
    rest = {k: v for k, v in row.items() if k not in _PLACE}
    if len(rest) == 1:
        [(column, value)] = rest.items()
        return str(column), "" if value is None else str(value)
    return "", ", ".join(f"{k}={'' if v is None else v}" for k, v in rest.items())
