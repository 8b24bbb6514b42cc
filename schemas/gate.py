"""Split a collected frame into rows that pass a Pandera model and rows to quarantine.

Each gate reports one ``CheckResult`` per failed Pandera check (severity ``warn``: the
offending rows go to quarantine and the rest load), or one passing result for the table.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandera.polars as pa
import polars as pl
from pandera.errors import SchemaErrors

from schemas.checks import CheckResult


@dataclass(frozen=True)
class GateResult:
    """Valid rows, rejected rows with reasons, and a per-check summary."""

    valid: pl.DataFrame
    rejected: pl.DataFrame  # columns: _row, check_name, reason, offending_values
    checks: tuple[CheckResult, ...]  # one per failed check, or one passing result


REJECTED_SCHEMA = pl.Schema(
    {
        "_row": pl.Int64,
        "check_name": pl.String,
        "reason": pl.String,
        "offending_values": pl.String,
    }
)


def validate_rows(frame: pl.DataFrame, model: type[pa.DataFrameModel]) -> GateResult:
    """Validate with all failures gathered (lazy=True); a schema-level failure rejects every row."""
    table = table_of(model)
    indexed = frame.with_row_index("_row").with_columns(pl.col("_row").cast(pl.Int64))
    try:
        model.validate(frame, lazy=True)
        return GateResult(frame, pl.DataFrame(schema=REJECTED_SCHEMA), (_result(table, table, 0),))
    except SchemaErrors as errors:
        cases = errors.failure_cases
    except pl.exceptions.PolarsError as exc:
        # Coercion can fail before Pandera collects anything (a column is missing entirely).
        return _reject_all(indexed, table, f"{model.__name__}: {str(exc).splitlines()[0]}")
    cases = cases.with_columns(
        check_name=pl.concat_str([pl.col("column"), pl.col("check")], separator=": "),
        offending_values=pl.col("failure_case").cast(pl.String),
    ).with_columns(
        # A column check's reason carries the value it rejected; a frame check's value is the
        # whole row, which the quarantine keeps separately.
        detail=pl.when(pl.col("schema_context") == "Column")
        .then(
            pl.concat_str(
                [
                    pl.col("check_name"),
                    pl.lit(" ["),
                    pl.col("offending_values").str.slice(0, 80),
                    pl.lit("]"),
                ],
                ignore_nulls=True,
            )
        )
        .otherwise(pl.col("check_name")),
    )
    row_cases = cases.filter(pl.col("index").is_not_null()).with_columns(
        pl.col("index").cast(pl.Int64)
    )
    frame_cases = cases.filter(pl.col("index").is_null())
    if frame_cases.height:
        # Wrong or missing columns: no row can be trusted, so every row carries the reason.
        reason = "; ".join(frame_cases["check_name"].unique(maintain_order=True).to_list())
        rejected = indexed.select(
            "_row",
            check_name=pl.lit("schema"),
            reason=pl.lit(reason),
            offending_values=pl.lit(None, pl.String),
        )
    else:
        rejected = (
            row_cases.group_by("index", maintain_order=True)
            .agg(
                pl.col("check_name").first(),
                pl.col("detail").unique(maintain_order=True).str.join("; ").alias("reason"),
                pl.col("offending_values").str.join("; "),
            )
            .rename({"index": "_row"})
            .select(list(REJECTED_SCHEMA))
        )
    summary = cases.group_by("check_name", maintain_order=True).agg(
        failing_count=pl.len().cast(pl.Int64), sample=pl.col("offending_values").head(5)
    )
    checks = tuple(_result(table, name, n, values) for name, n, values in summary.iter_rows())
    valid = indexed.join(rejected.select("_row"), on="_row", how="anti").drop("_row")
    return GateResult(valid, rejected.cast(REJECTED_SCHEMA), checks)


def table_of(model: type[pa.DataFrameModel]) -> str:
    """The warehouse table a model describes (its Config.name)."""
    return str(model.to_schema().name or model.__name__)


def _result(table: str, name: str, failing: int, values: list | None = None) -> CheckResult:
    sample = tuple({"value": v} for v in values or [])
    return CheckResult(name, table, "pandera", "warn", failing, sample)


def _reject_all(indexed: pl.DataFrame, table: str, reason: str) -> GateResult:
    rejected = indexed.select(
        "_row",
        check_name=pl.lit("schema"),
        reason=pl.lit(reason),
        offending_values=pl.lit(None, pl.String),
    )
    checks = (_result(table, "schema", indexed.height, [reason]),)
    return GateResult(indexed.clear().drop("_row"), rejected.cast(REJECTED_SCHEMA), checks)
