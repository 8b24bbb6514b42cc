"""dq.quarantine: every row a run rejected, with where it came from and why."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from typing import Any

import polars as pl

QUARANTINE_SCHEMA = pl.Schema(
    {
        "run_id": pl.String(),
        "source_file": pl.String(),
        "sha256": pl.String(),
        "stage": pl.String(),
        "target_table": pl.String(),
        "locator": pl.String(),
        "check_name": pl.String(),
        "reason": pl.String(),
        "offending_values": pl.String(),
        "original_row": pl.String(),
        "quarantined_at": pl.Datetime("us"),
    }
)


def quarantine_frame(
    rows: Iterable[Mapping[str, Any]], run_id: str, at: dt.datetime
) -> pl.DataFrame:
    """dq.quarantine rows: each mapping names source_file, sha256, stage, target_table, locator,
    check_name, reason and optionally offending_values (text, stored as JSON) and original_row
    (JSON text)."""
    full = [
        {
            **{k: None for k in QUARANTINE_SCHEMA},
            **row,
            "run_id": run_id,
            "quarantined_at": at,
            "offending_values": _as_json(row.get("offending_values")),
        }
        for row in rows
    ]
    return pl.DataFrame(full, schema=QUARANTINE_SCHEMA)


def _as_json(value: str | None) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)
