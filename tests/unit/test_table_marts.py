"""Our own tables in the public layouts, through the real ingest, shape and gate code into a
DuckDB warehouse: the deliveries, strike-event and reported-series marts, and every
claims-against-tables check for agreement, disagreement and no overlap."""

from __future__ import annotations

import datetime as dt
import shutil

import polars as pl
import pytest
import yaml

from supplyline import reconciliations
from supplyline.extract_worker import extract_reports
from supplyline.inbox import scan_inbox
from supplyline.settings import REPO_ROOT
from supplyline.stages.extract import Extracted
from supplyline.stages.ingest import ingest
from supplyline.stages.load import Loaded
from supplyline.stages.load import load as load_group
from supplyline.stages.normalise import normalise
from supplyline.stages.plan import InboxGroup
from supplyline.stages.validate import validate
from tests.warehouse_contents import build_models, fresh_warehouse, insert_document
from transforms.ledger import SCANNED_SCHEMA, plan_ingest
from transforms.rules import load_rules
from warehouse import load

TABLES = REPO_ROOT / "tests" / "data" / "tables"
NOW = dt.datetime(2024, 8, 1)

# Reports we wrote; each figure is claimed once. (doc, published, text)
DOCS = [
    (
        "k1" * 8,
        dt.date(2024, 3, 31),
        "Russia has fired 10 KN-23 missiles at Ukraine since February, the prosecutor said.",
    ),
    (
        "k2" * 8,
        dt.date(2024, 3, 31),
        "Officials said Russia launched 60 KN-23 missiles against Ukrainian cities since February.",
    ),
    (
        "k3" * 8,
        dt.date(2023, 6, 1),
        "Russia has used 5 KN-23 missiles since January, a source said.",
    ),
    (
        "k4" * 8,
        dt.date(2024, 3, 31),
        "North Korea has supplied 100 KN-23 missiles to Russia. Some were seen at a depot.",
    ),
    (
        "k5" * 8,
        dt.date(2024, 3, 31),
        "Russia has fired 9 North Korean ballistic missiles since February. An expert said they were KN-23s.",
    ),
    (
        "k6" * 8,
        dt.date(2024, 3, 31),
        "Russia has fired 9 North Korean ballistic missiles since February.",
    ),
    (
        "d1" * 8,
        dt.date(2024, 6, 1),
        "Poland has supplied 20 howitzers to Ukraine, the ministry said.",
    ),
    ("d2" * 8, dt.date(2024, 6, 1), "Germany has delivered 30 rocket launchers to Ukraine so far."),
    ("d3" * 8, dt.date(2024, 6, 1), "The United States has sent 200 howitzers to Ukraine."),
    (
        "s1" * 8,
        dt.date(2024, 5, 4),
        "Ukraine's General Staff said Russia has lost about 472,000 troops.",
    ),
    (
        "s2" * 8,
        dt.date(2024, 5, 6),
        "Russia has lost 600,000 soldiers, a blogger claimed.\nOther news.",
    ),
    ("s3" * 8, dt.date(2024, 7, 1), "Russia has lost 500,000 troops by now, officials said."),
]
# (doc, seq, metric, low, high, qualifier, supplier, recipient, period_start, quote, [(entity, surface)])
CLAIMS = [
    (
        "k1" * 8,
        0,
        "ballistic_missiles",
        10,
        10,
        "exact",
        None,
        None,
        dt.date(2024, 2, 1),
        "10 KN-23 missiles",
        [("weapon:kn-23", "KN-23"), ("country:RU", "Russia"), ("country:UA", "Ukraine")],
    ),
    (
        "k2" * 8,
        0,
        "ballistic_missiles",
        60,
        60,
        "exact",
        None,
        None,
        dt.date(2024, 2, 1),
        "60 KN-23 missiles",
        [("weapon:kn-23", "KN-23"), ("country:RU", "Russia")],
    ),
    (
        "k3" * 8,
        0,
        "ballistic_missiles",
        5,
        5,
        "exact",
        None,
        None,
        dt.date(2023, 1, 1),
        "5 KN-23 missiles",
        [("weapon:kn-23", "KN-23"), ("country:RU", "Russia")],
    ),
    (
        "k4" * 8,
        0,
        "ballistic_missiles",
        100,
        100,
        "exact",
        "KP",
        "RU",
        None,
        "100 KN-23 missiles",
        [("weapon:kn-23", "KN-23"), ("country:KP", "North Korea"), ("country:RU", "Russia")],
    ),
    (
        "k5" * 8,
        0,
        "ballistic_missiles",
        9,
        9,
        "exact",
        None,
        None,
        dt.date(2024, 2, 1),
        "9 North Korean ballistic missiles",
        [("country:RU", "Russia"), ("weapon:kn-23", "KN-23")],
    ),
    (
        "k6" * 8,
        0,
        "ballistic_missiles",
        9,
        9,
        "exact",
        None,
        None,
        dt.date(2024, 2, 1),
        "9 North Korean ballistic missiles",
        [("country:RU", "Russia")],
    ),
    (
        "d1" * 8,
        0,
        "artillery_systems",
        20,
        20,
        "exact",
        "PL",
        "UA",
        None,
        "20 howitzers",
        [("country:PL", "Poland"), ("country:UA", "Ukraine")],
    ),
    (
        "d2" * 8,
        0,
        "rocket_launchers",
        30,
        30,
        "exact",
        "DE",
        "UA",
        None,
        "30 rocket launchers",
        [("country:DE", "Germany"), ("country:UA", "Ukraine")],
    ),
    (
        "d3" * 8,
        0,
        "artillery_systems",
        200,
        200,
        "exact",
        "US",
        "UA",
        None,
        "200 howitzers",
        [("country:US", "United States"), ("country:UA", "Ukraine")],
    ),
    (
        "s1" * 8,
        0,
        "troop_casualties",
        472000,
        472000,
        "approx",
        None,
        None,
        None,
        "about 472,000 troops",
        [("country:UA", "Ukraine"), ("country:RU", "Russia")],
    ),
    (
        "s2" * 8,
        0,
        "troop_casualties",
        600000,
        600000,
        "exact",
        None,
        None,
        None,
        "600,000 soldiers",
        [("country:RU", "Russia")],
    ),
    (
        "s3" * 8,
        0,
        "troop_casualties",
        500000,
        500000,
        "exact",
        None,
        None,
        None,
        "500,000 troops",
        [("country:RU", "Russia")],
    ),
]


def load_inbox(con, inbox, run_id: str) -> Loaded:
    """One night of the real plan, ingest, shape, gate and load stages over ``inbox``, written
    to ``con`` (one group: the inbox is small)."""
    files = {f.path: f for f in scan_inbox(inbox, 10_000_000)}
    scanned = pl.DataFrame(
        [{k: getattr(f, k) for k in SCANNED_SCHEMA} for f in files.values()], schema=SCANNED_SCHEMA
    )
    ingested = ingest(InboxGroup(plan_ingest(scanned, load.read_ledger(con)), files), run_id, NOW)
    rules = load_rules(REPO_ROOT / "reference")
    tables = normalise(ingested.tables, rules, REPO_ROOT / "reference")
    extracted = Extracted(*extract_reports(ingested.documents, rules))
    return load_group(con, validate(ingested, extracted, tables, run_id, NOW))


def add_claims(con) -> None:
    for doc_id, published, text in DOCS:
        insert_document(con, doc_id, published, NOW, text)
    texts = {doc_id: text for doc_id, _, text in DOCS}
    for (
        doc_id,
        seq,
        metric,
        low,
        high,
        qualifier,
        supplier,
        recipient,
        start,
        quote,
        names,
    ) in CLAIMS:
        at = texts[doc_id].index(quote)
        con.execute(
            "insert into staging.stg_reports__claims (doc_id, claim_seq, metric, value_low, value_high, unit, "
            "qualifier, supplier, recipient, period_start, quote, char_start, char_end) "
            "values (?, ?, ?, ?, ?, 'x', ?, ?, ?, ?, ?, ?, ?)",
            [
                doc_id,
                seq,
                metric,
                low,
                high,
                qualifier,
                supplier,
                recipient,
                start,
                quote,
                at,
                at + len(quote),
            ],
        )
        for entity_id, surface in names:
            start_at = texts[doc_id].index(surface)
            con.execute(
                "insert into staging.stg_reports__entity_mentions values (?, ?, 'x', ?, ?, ?, ?)",
                [doc_id, entity_id, surface, surface, start_at, start_at + len(surface)],
            )


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    """The warehouse file, its open connection and what dbt built (its test results)."""
    inbox = tmp_path_factory.mktemp("tables-inbox")
    for path in TABLES.iterdir():
        if path.suffix != ".md":
            shutil.copy(path, inbox / path.name)
    con, path = fresh_warehouse(tmp_path_factory.getbasetemp() / "table-marts", "wh.duckdb")
    load_inbox(con, inbox, "r1")
    add_claims(con)
    built = build_models(con, path)
    yield con, path, built
    con.close()


@pytest.fixture(scope="module")
def con(warehouse):
    return warehouse[0]


def rows(con, sql: str, params: list | None = None) -> list[tuple]:
    return con.execute(sql, params or []).fetchall()


def test_every_row_of_our_tables_loads(con):
    files = rows(
        con,
        "select path, rows_in, rows_loaded, rows_quarantined, rows_skipped, note from ops.files "
        "where kind = 'table' order by path",
    )
    assert [f[:5] for f in files] == [
        ("daily_losses.json", 4, 4, 0, 0),
        ("strike_log.csv", 6, 6, 0, 0),
        ("weapons_by_donor.csv", 7, 7, 0, 0),
    ]
    assert [f[5] for f in files] == [
        "table: read as daily_losses",
        "table: read as strike_log",
        "table: read as weapons_by_donor",
    ]
    assert rows(con, "select count(*) from dq.quarantine") == [(0,)]


def test_deliveries_mart(con):
    got = rows(
        con,
        "select donor, donor_iso2, recipient_iso2, category, metric, system, count, value, "
        "row_count, systems_in_row, locator from marts.deliveries where donor = 'Poland' "
        "order by row_number, item",
    )
    assert got == [
        (
            "Poland",
            "PL",
            "UA",
            "Howitzers",
            "artillery_systems",
            "Krab self-propelled howitzer",
            12,
            None,
            20,
            2,
            "row 1",
        ),
        (
            "Poland",
            "PL",
            "UA",
            "Howitzers",
            "artillery_systems",
            "Dana howitzer",
            8,
            None,
            20,
            2,
            "row 1",
        ),
        (
            "Poland",
            "PL",
            "UA",
            "MLRS",
            "rocket_launchers",
            "RM-70 rocket launcher",
            10,
            40_000_000.0,
            10,
            1,
            "row 2",
        ),
    ]
    assert rows(con, "select count(*), sum(count) from marts.deliveries") == [(8, 61)]
    # An unknown donor (an invented country) stays as written, unresolved; a row without a list is one row.
    assert rows(
        con, "select donor_id, system, count from marts.deliveries where donor = 'Ruritania'"
    ) == [(None, "Leopard 2A4", 3)]
    assert rows(
        con, "select system, count from marts.deliveries where donor = 'Czech Republic'"
    ) == [(None, 7)]
    assert {r[0] for r in rows(con, "select source_file from marts.deliveries")} == {
        "weapons_by_donor.csv"
    }


def test_strike_events_mart(con):
    got = rows(
        con,
        "select event_date, model, model_ids, launched, row_launched, models_in_row from "
        "marts.strike_events where list_contains(model_ids, 'weapon:kn-23') order by event_date, item",
    )
    assert got == [
        (dt.date(2024, 2, 15), "Iskander-M/KN-23", ["weapon:kn-23"], 4, 4, 1),
        (dt.date(2024, 3, 2), "Iskander-M/KN-23", ["weapon:kn-23"], None, 12, 2),
        (dt.date(2024, 3, 20), "KN-23", ["weapon:kn-23"], 6, 6, 1),
    ]
    assert rows(con, "select count(*), count(distinct row_number) from marts.strike_events") == [
        (7, 6)
    ]
    assert rows(con, "select window_end from marts.strike_events where row_number = 6") == [
        (dt.datetime(2024, 4, 7, 8, 0),)
    ]
    assert rows(con, "select model from marts.strike_events where row_number = 5") == [("Молнія",)]


def test_reported_series_mart(con):
    got = rows(
        con,
        "select date, value_low, value_high, qualifier, daily_change, days_since_previous, subject_iso2 "
        "from marts.reported_series where metric = 'troop_casualties' order by date",
    )
    assert got == [
        (dt.date(2024, 5, 1), 470000.0, 470000.0, "approx", None, None, "RU"),
        (dt.date(2024, 5, 2), 471200.0, 471200.0, "approx", 1200.0, 1, "RU"),
        (dt.date(2024, 5, 3), 472000.0, None, "at_least", 800.0, 1, "RU"),
        (dt.date(2024, 5, 6), 474500.0, 474500.0, "approx", 2500.0, 3, "RU"),
    ]
    assert rows(
        con,
        "select date, value_low, daily_change from marts.reported_series "
        "where metric = 'troops_captured' order by date",
    ) == [(dt.date(2024, 5, 1), 120.0, None), (dt.date(2024, 5, 2), 125.0, 5.0)]


def verdicts(con, check: str) -> dict[str, tuple]:
    return {
        r[0].split(":")[0][:2]: r[1:]
        for r in rows(
            con,
            "select claim_id, verdict, claim_low, table_low, table_high, tolerance, relative_difference, note "
            "from marts.reconciliations where check_name = ?",
            [check],
        )
    }


def test_kn23_claims_against_the_strike_log(con):
    got = verdicts(con, "kn23_launches_vs_strike_log")
    # Feb-Mar 2024: 4 + 6 launches in rows naming a KN-23 model alone, and a row of 12 shared with
    # another model: 10 to 22.
    assert got["k1"] == ("agree", 10, 10, 22, 0.25, None, None)
    assert got["k2"] == ("disagree", 60, 10, 22, 0.25, round((22 - 60) / 60, 3), None)
    assert (
        got["k3"][0] == "no overlap"
        and got["k3"][-1] == "the claim's period lies outside the table's dates"
    )
    assert "k4" not in got  # supplied, not fired: no cue word in its sentence
    # "North Korean" missiles in a report that names the KN-23 in another sentence count; the
    # same sentence in a report that never names it does not.
    assert got["k5"][:4] == ("agree", 9, 10, 22)
    assert "k6" not in got


def test_donor_claims_against_the_deliveries(con):
    got = verdicts(con, "weapons_to_ukraine_vs_deliveries")
    assert got["d1"] == ("agree", 20, 20, 20, 0.1, None, None)
    assert got["d2"] == ("disagree", 30, 5, 5, 0.1, round((5 - 30) / 30, 3), None)
    assert got["d3"] == ("no overlap", 200, 0, 0, 0.1, None, "the table lists nothing from US")


def test_troop_loss_claims_against_the_daily_series(con):
    got = verdicts(con, "troop_losses_vs_daily_series")
    # 4 May: the latest report is 3 May, "more than 472,000".
    assert got["s1"] == ("agree", 472000, 472000, None, 0.1, None, None)
    assert got["s2"] == (
        "disagree",
        600000,
        474500,
        474500,
        0.1,
        round((474500 - 600000) / 600000, 3),
        None,
    )
    assert got["s3"][0] == "no overlap" and "7 days up to the claim's date" in got["s3"][-1]


def test_each_check_reports_its_disagreements_with_both_figures(con):
    checks = {c.check_name: c for c in reconciliations.check_results(con)}
    assert {name: c.failing_count for name, c in checks.items()} == {
        "reconcile: claims_vs_ledger_containers": 0,
        "reconcile: claims_vs_ledger_voyages": 0,
        "reconcile: kn23_launches_vs_strike_log": 1,
        "reconcile: troop_losses_vs_daily_series": 1,
        "reconcile: weapons_to_ukraine_vs_deliveries": 1,
    }
    (sample,) = checks["reconcile: kn23_launches_vs_strike_log"].sample
    assert (
        sample["claim_low"],
        sample["table_low"],
        sample["table_high"],
        sample["tolerance"],
        sample["verdict"],
    ) == (60, 10, 22, 0.25, "disagree")
    assert all(
        c.status == ("warn" if c.failing_count else "pass") and c.severity == "warn"
        for c in checks.values()
    )
    summary = {v.check: (v.agree, v.disagree, v.no_overlap) for v in reconciliations.verdicts(con)}
    assert summary["kn23_launches_vs_strike_log"] == (2, 1, 1)
    assert summary["claims_vs_ledger_voyages"] == (0, 0, 0)


def test_a_new_version_of_a_daily_table_replaces_the_old_one(warehouse, tmp_path):
    con, path, _ = warehouse
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    newer = (
        (TABLES / "daily_losses.json")
        .read_text()
        .replace(
            '"personnel*": "about"}\n]',
            '"personnel*": "about"},\n  {"date": "2024-05-07", "personnel": 475300, '
            '"personnel*": "about"}\n]',
        )
    )
    (inbox / "daily_losses.json").write_text(newer)
    load_inbox(con, inbox, "r2")
    build_models(con, path)
    try:
        assert rows(
            con, "select version from ops.files where path = 'daily_losses.json' order by 1"
        ) == [(1,), (2,)]
        got = rows(
            con,
            "select date, daily_change from marts.reported_series where metric = 'troop_casualties' "
            "order by date",
        )
        assert len(got) == 5 and got[-1] == (dt.date(2024, 5, 7), 800.0)
    finally:  # the module's other tests read the first version
        con.execute(
            "delete from staging.stg_tables__series_rows where table_id in (select table_id "
            "from raw.tables where sha256 in (select sha256 from ops.files where run_id = 'r2'))"
        )
        con.execute("delete from ops.files where run_id = 'r2'")
        build_models(con, path)


# --------------------------------------------------------------------------- contracts


MODELS_YML = REPO_ROOT / "warehouse" / "models" / "marts" / "_table_marts.yml"


def test_contracts_match_the_built_marts(con):
    models = yaml.safe_load(MODELS_YML.read_text())["models"]
    assert {m["name"] for m in models} == {
        "deliveries",
        "strike_events",
        "reported_series",
        "reconciliations",
    }
    for model in models:
        assert model["config"]["contract"]["enforced"] is True
        built = rows(
            con,
            "select column_name, data_type from duckdb_columns() where schema_name = 'marts' "
            "and table_name = ? order by column_index",
            [model["name"]],
        )
        declared = [(c["name"], c["data_type"].upper()) for c in model["columns"]]
        assert declared == [(name, kind.upper()) for name, kind in built], model["name"]
        assert all(c.get("description") for c in model["columns"]), model["name"]
        for column in model["columns"]:
            tests = column.get("data_tests", [])
            name = column["name"]  # from our YAML, checked against the catalogue above
            if {"type": "not_null"} in column.get("constraints", []):
                assert rows(
                    con, f'select count(*) from marts.{model["name"]} where "{name}" is null'
                ) == [(0,)]
            if "unique" in tests:
                assert rows(
                    con, f'select count(*) - count(distinct "{name}") from marts.{model["name"]}'
                ) == [(0,)]
            for test in tests:
                if isinstance(test, dict) and "accepted_values" in test:
                    allowed = test["accepted_values"]["arguments"]["values"]
                    found = {
                        v
                        for (v,) in rows(
                            con, f'select distinct "{name}" from marts.{model["name"]}'
                        )
                    }
                    assert found <= set(allowed) | {None}, (model["name"], name, found)


# --------------------------------------------------------------------------- declarations


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"measure": "tonnes"},
            "kn23_launches_vs_strike_log: measure 'tonnes' is not one of strike_events's",
        ),
        ({"table": "boats"}, "kn23_launches_vs_strike_log: table: Input should be"),
        ({"claims": {"metrics": ["missiles_total"]}}, "'missiles_total' is not in metrics.csv"),
        (
            {"claims": {"metrics": ["ballistic_missiles"], "weapon": "weapon:kn-99"}},
            "claims.weapon: 'weapon:kn-99' is not an entity of aliases.csv",
        ),
        ({"tolerance": 2}, "tolerance: Input should be less than or equal to 1"),
        (
            {"claims": {"metrics": ["ballistic_missiles"], "supplier": "Korea"}},
            "claims.supplier: String should match",
        ),
    ],
)
def test_reconciliation_declarations_are_checked(tmp_path, change, message):
    from supplyline.reconciliations import ReconciliationError, load_reconciliations

    ref = tmp_path / "reference"
    ref.mkdir()
    for name in ("metrics.csv", "aliases.csv"):
        shutil.copy(REPO_ROOT / "reference" / name, ref / name)
    checks = yaml.safe_load((REPO_ROOT / "reference" / "reconciliations.yaml").read_text())
    assert len(load_reconciliations(REPO_ROOT / "reference")) == len(checks) == 5
    kn23 = next(c for c in checks if c["check"] == "kn23_launches_vs_strike_log")
    kn23.update(change)
    (ref / "reconciliations.yaml").write_text(yaml.safe_dump(checks))
    with pytest.raises(ReconciliationError) as raised:
        load_reconciliations(ref)
    assert message in str(raised.value), str(raised.value)
    checks.append(checks[0])
    kn23.clear()
    kn23.update(
        next(
            c
            for c in yaml.safe_load((REPO_ROOT / "reference" / "reconciliations.yaml").read_text())
            if c["check"] == "kn23_launches_vs_strike_log"
        )
    )
    (ref / "reconciliations.yaml").write_text(yaml.safe_dump(checks))
    with pytest.raises(ReconciliationError, match="claims_vs_ledger_voyages: declared twice"):
        load_reconciliations(ref)


def test_unresolved_donors_are_alias_candidates(warehouse):
    built = warehouse[2]
    (check,) = [c for c in built.checks if c.check_name == "reconcile: unresolved_table_names"]
    assert check.failing_count == 1 and check.status == "warn"
    assert check.sample[0]["kind"] == "donor" and check.sample[0]["name"] == "Ruritania"
