"""The run report on a warehouse too large to draw every claim: it caps each chart and says so,
instead of failing (Altair refuses more than 5,000 rows in one chart)."""

from __future__ import annotations

import datetime as dt
import json

from supplyline.desk.report import MAX_CLAIMS_PER_METRIC, build_sections
from tests.warehouse_contents import build_models, fresh_warehouse, insert_document

TROOP_METRICS = {
    "troops_killed": "troops",
    "troop_casualties": "troops",
    "troops_captured": "troops",
}
DOCS = 40  # each published a day apart, each with 50 claims per troop metric: 6,000 claims


def chart_rows(spec: dict) -> list[dict]:
    """The rows a Vega-Lite spec carries inline (Altair puts them in ``datasets``)."""
    return [row for rows in spec.get("datasets", {}).values() for row in rows]


def test_troops_chart_is_capped_per_metric_and_says_so(tmp_path):
    con, path = fresh_warehouse(tmp_path, "large.duckdb")
    claims = []
    for d in range(DOCS):
        doc_id = f"{d:016x}"
        insert_document(
            con, doc_id, dt.date(2024, 1, 1) + dt.timedelta(days=d), dt.datetime(2024, 6, 1)
        )
        for m, (metric, unit) in enumerate(TROOP_METRICS.items()):
            for k in range(50):
                claims.append(
                    (doc_id, m * 50 + k, metric, 100 + k, 100 + k, unit, "exact", "Ministry")
                )
    con.executemany(
        "insert into staging.stg_reports__claims (doc_id, claim_seq, metric, value_low, value_high, "
        "unit, qualifier, attributed_to, quote, char_start, char_end) "
        "values (?, ?, ?, ?, ?, ?, ?, ?, 'x', 0, 1)",
        claims,
    )
    built = build_models(con, path)
    assert "marts.claims" in built.models
    sections = {s.anchor: s for s in build_sections(con, "no-such-run")}
    con.close()

    troops = sections["troops"]
    ((caption, spec),) = troops.charts
    rows = chart_rows(json.loads(json.dumps(spec, default=str)))
    per_metric = {m: sum(r["metric"] == m for r in rows) for m in TROOP_METRICS}
    assert per_metric == dict.fromkeys(TROOP_METRICS, MAX_CLAIMS_PER_METRIC)
    # The newest are the ones drawn: the last four reports' 50 claims per metric.
    assert min(r["date"] for r in rows).startswith(
        str(dt.date(2024, 1, 1) + dt.timedelta(days=DOCS - 4))
    )
    assert any(
        f"Only the {MAX_CLAIMS_PER_METRIC} newest" in n and "troops_killed" in n
        for n in troops.notes
    )
