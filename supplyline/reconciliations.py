"""Claims against tables, declared in ``reference/reconciliations.yaml`` and validated here.

Each declaration picks claims (metrics, a weapon named in the claim's sentence, cue words,
supplier, recipient) and the table and measure to set them against, with a tolerance. The
declarations become ``ref.reconciliations``; one SQL model (marts.reconciliations) compares
every selected claim, so a new check is a YAML entry, never SQL built from text. Each check's
disagreements become one ``CheckResult`` (tool ``reconcile``, severity ``warn``), and its
counts of verdicts go to the alert and ``supplyline status``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import duckdb
import polars as pl
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from schemas.checks import SAMPLE_SIZE, CheckResult, plain
from supplyline.shapes import describe_errors
from warehouse import db
from warehouse.load import replace_reference

FILE = "reconciliations.yaml"
# Table -> the measures marts.reconciliations knows how to take from it.
MEASURES: dict[str, tuple[str, ...]] = {
    "shipments": ("voyages", "containers"),
    "strike_events": ("launched", "destroyed"),
    "deliveries": ("count",),
    "reported_series": ("value",),
}
COLUMNS = pl.Schema(
    {
        "check_name": pl.String(),
        "description": pl.String(),
        "table_name": pl.String(),
        "measure": pl.String(),
        "claim_metrics": pl.List(pl.String()),
        "claim_weapon_id": pl.String(),
        "weapon_by_origin": pl.Boolean(),
        "claim_cues": pl.List(pl.String()),
        "claim_supplier": pl.String(),
        "claim_recipient": pl.String(),
        "open_start": pl.Boolean(),
        "tolerance": pl.Float64(),
        "max_lag_days": pl.Int32(),
    }
)


class ReconciliationError(ValueError):
    """The declarations are malformed; the message names the check and the field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ClaimFilter(_Strict):
    """Which claims a check takes."""

    metrics: list[str] = Field(min_length=1)
    weapon: str | None = None  # an entity id of reference/aliases.csv named in the claim's sentence
    # ... or, when true, a claim whose sentence names the weapon's country ("North Korean
    # missiles") in a document that names the weapon
    weapon_by_origin: bool = False
    cues: list[str] = Field(default_factory=list)  # words, one of which the claim's sentence holds
    supplier: str | None = Field(None, pattern=r"^[A-Z]{2}$")
    recipient: str | None = Field(None, pattern=r"^[A-Z]{2}$")
    open_start: bool = False  # a claim with no start date counts from the table's first date


class Reconciliation(_Strict):
    """One check: claims against a table's measure, within a tolerance."""

    check: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    description: str = Field(min_length=1)
    claims: ClaimFilter
    table: Literal["shipments", "strike_events", "deliveries", "reported_series"]
    measure: str
    tolerance: float = Field(ge=0, le=1)
    max_lag_days: int = Field(7, ge=0, le=366)

    @model_validator(mode="after")
    def _measure_of_its_table(self) -> Reconciliation:
        if self.measure not in MEASURES[self.table]:
            raise ValueError(
                f"measure {self.measure!r} is not one of {self.table}'s "
                f"({', '.join(MEASURES[self.table])})"
            )
        return self


def load_reconciliations(reference_dir: Path) -> list[Reconciliation]:
    """The declared checks, validated, also against the metric catalogue and the alias tables."""
    path = Path(reference_dir) / FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ReconciliationError(
            f"{FILE}: not readable as YAML: {str(exc).splitlines()[0]}"
        ) from None
    if not isinstance(data, list):
        raise ReconciliationError(f"{FILE}: expected a list of checks")
    metrics = set(pl.read_csv(Path(reference_dir) / "metrics.csv", infer_schema=False)["metric"])
    entities = set(
        pl.read_csv(Path(reference_dir) / "aliases.csv", infer_schema=False)["entity_id"]
    )
    checks: list[Reconciliation] = []
    problems: list[str] = []
    for index, entry in enumerate(data):
        name = (
            entry.get("check", f"entry {index + 1}")
            if isinstance(entry, dict)
            else f"entry {index + 1}"
        )
        try:
            check = Reconciliation.model_validate(entry)
        except ValidationError as exc:
            problems += [f"{name}: {line}" for line in describe_errors(exc)]
            continue
        problems += [
            f"{name}: claims.metrics: {m!r} is not in metrics.csv"
            for m in check.claims.metrics
            if m not in metrics
        ]
        if check.claims.weapon and check.claims.weapon not in entities:
            problems.append(
                f"{name}: claims.weapon: {check.claims.weapon!r} is not an entity of aliases.csv"
            )
        if any(c.check == check.check for c in checks):
            problems.append(f"{name}: declared twice")
        checks.append(check)
    if problems:
        raise ReconciliationError(f"{FILE}: " + "; ".join(problems))
    return checks


def reconciliation_frame(checks: list[Reconciliation]) -> pl.DataFrame:
    """The declarations as rows of ref.reconciliations."""
    return pl.DataFrame(
        [
            {
                "check_name": c.check,
                "description": c.description,
                "table_name": c.table,
                "measure": c.measure,
                "claim_metrics": c.claims.metrics,
                "claim_weapon_id": c.claims.weapon,
                "weapon_by_origin": c.claims.weapon_by_origin,
                "claim_cues": [w.lower() for w in c.claims.cues],
                "claim_supplier": c.claims.supplier,
                "claim_recipient": c.claims.recipient,
                "open_start": c.claims.open_start,
                "tolerance": c.tolerance,
                "max_lag_days": c.max_lag_days,
            }
            for c in checks
        ],
        schema=COLUMNS,
    )


TABLE = "ref.reconciliations"
MART = "marts.reconciliations"  # the verdicts, built by dbt


def write_declared(con: duckdb.DuckDBPyConnection, reference_dir: Path) -> bool:
    """Make ref.reconciliations hold the declared checks; returns whether it changed (so the
    models that read it are built again only then)."""
    return replace_reference(con, TABLE, reconciliation_frame(load_reconciliations(reference_dir)))


# --------------------------------------------------------------------------- results

# The columns of marts.reconciliations a failing check shows as its sample rows.
SAMPLE_COLUMNS = (
    "claim_id",
    "metric",
    "file_name",
    "attributed_to",
    "qualifier",
    "claim_low",
    "claim_high",
    "table_low",
    "table_high",
    "tolerance",
    "verdict",
    "relative_difference",
    "table_rows",
    "table_rows_uncounted",
    "window_start",
    "window_end",
    "quote",
)


@dataclass(frozen=True)
class Verdicts:
    """How the claims one check selects compare with its table."""

    check: str
    table: str
    agree: int
    disagree: int
    no_overlap: int


def check_results(con: duckdb.DuckDBPyConnection) -> tuple[CheckResult, ...]:
    """One warn result per declared check: the claims whose figure the table contradicts
    beyond the tolerance, each with both figures, the tolerance and the verdict."""
    checks = [
        r[0]
        for r in con.execute("select check_name from ref.reconciliations order by 1").fetchall()
    ]
    columns = ", ".join(SAMPLE_COLUMNS)  # fixed names, never input text
    results = []
    for check in checks:
        failing = db.scalar(
            con,
            "select count(*) from marts.reconciliations where check_name = ? "
            "and verdict = 'disagree'",
            [check],
        )
        cur = con.execute(
            f"select {columns} from marts.reconciliations where check_name = ? "
            "and verdict = 'disagree' order by abs(relative_difference) desc, claim_id limit ?",
            [check, SAMPLE_SIZE],
        )
        sample = tuple(
            {k: plain(v) for k, v in zip(SAMPLE_COLUMNS, row, strict=True)}
            for row in cur.fetchall()
        )
        results.append(
            CheckResult(check, "marts.reconciliations", "reconcile", "warn", failing, sample)
        )
    return tuple(results)


def verdicts(con: duckdb.DuckDBPyConnection) -> tuple[Verdicts, ...]:
    """Per declared check: how many claims agree, disagree or do not overlap the table (none
    before the marts were first built)."""
    try:
        rows = con.execute(
            "select c.check_name, c.table_name, "
            "count(r.verdict) filter (where r.verdict = 'agree'), "
            "count(r.verdict) filter (where r.verdict = 'disagree'), "
            "count(r.verdict) filter (where r.verdict = 'no overlap') "
            "from ref.reconciliations c left join marts.reconciliations r using (check_name) "
            "group by all order by 1"
        ).fetchall()
    except duckdb.CatalogException:
        return ()
    return tuple(Verdicts(*row) for row in rows)
