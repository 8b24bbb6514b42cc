"""The analyst's desk on a real run: the sample inbox plus a few bad files, then search, as-of,
export, the run report in headless Chromium, ``--json`` output and the SQL shell on a terminal."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import shutil
import struct
import sys
import time
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from typer.testing import CliRunner

from flows.nightly import nightly
from supplyline.cli import app
from supplyline.desk.export import FORMULA_START
from supplyline.settings import REPO_ROOT
from tests.bad_inputs import CASES, build_corpus
from tests.browser import CHART_MARKS_JS, Browser, chromium_path
from tests.terminal import Terminal
from tests.warehouse_contents import query

BAD_CASES = (
    "truncated_pdf",
    "csv_row_level_problems",
    "name_leading_dashes",
    "name_html_markup_failed",
)
FORMULA_EVIDENCE = '=HYPERLINK("http://example.invalid","click")'


def _formula_ledger(path: Path) -> None:
    """A ledger whose evidence and source cells look like spreadsheet formulas."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "vessel",
            "departure_port",
            "departure_date",
            "arrival_port",
            "arrival_date",
            "containers",
            "evidence",
            "source",
        ]
    )
    writer.writerow(
        ["Angara", "Rajin", "2025-03-02", "Dunay", "2025-03-04", "80", FORMULA_EVIDENCE, "@desk"]
    )
    path.write_text(out.getvalue())


@pytest.fixture(scope="module")
def desk(tmp_path_factory, sample_inbox):
    root = tmp_path_factory.mktemp("desk")
    inbox = root / "inbox"
    shutil.copytree(sample_inbox, inbox)
    build_corpus(inbox, root / "outside", [c for c in CASES if c.kind in BAD_CASES])
    _formula_ledger(inbox / "formula_ledger.csv")
    warehouse = root / "wh.duckdb"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SUPPLYLINE_DATA_DIR", str(root / "data"))
        mp.setenv("SUPPLYLINE_WAREHOUSE", str(warehouse))
        mp.setenv("SUPPLYLINE_INBOX", str(inbox))
        mp.delenv("SUPPLYLINE_SMTP_HOST", raising=False)
        summary = nightly(inbox=str(inbox), warehouse=str(warehouse))
        yield {"root": root, "inbox": inbox, "warehouse": warehouse, "summary": summary}


def _sample_files() -> list[Path]:
    return list((Path(__file__).resolve().parents[2] / "samples" / "inbox").iterdir())


def cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def test_the_run_wrote_its_report_beside_the_warehouse(desk):
    assert desk["summary"]["files_failed"] == 2 and desk["summary"]["rows_quarantined"] >= 3
    report = desk["root"] / "reports" / f"{desk['summary']['run_id']}.html"
    page = report.read_text()
    assert desk["summary"]["run_id"] in page and "vegaEmbed" in page
    assert "<script src" not in page and "<link" not in page  # everything is inline


def test_describe_claims_explains_every_column_from_the_model_yaml(desk):
    """The descriptions written once in the dbt model YAML reach the warehouse as comments and
    come back from ``supplyline describe``: every column of marts.claims, end to end."""
    import yaml

    models = yaml.safe_load(
        (REPO_ROOT / "warehouse" / "models" / "marts" / "_marts.yml").read_text()
    )
    (claims,) = [m for m in models["models"] if m["name"] == "claims"]
    declared = {c["name"]: " ".join(c["description"].split()) for c in claims["columns"]}
    code, out = cli("describe", "marts.claims", "--json", "-w", str(desk["warehouse"]))
    assert code == 0, out
    (table,) = json.loads(out)
    shown = {c["name"]: c["description"] for c in table["columns"]}
    assert list(shown) == list(declared)  # every column, in the contract's order
    assert {k: " ".join((v or "").split()) for k, v in shown.items()} == declared
    assert table["description"] and "claim_id" in table["description"]
    code, text = cli("describe", "marts.claims", "-w", str(desk["warehouse"]))
    assert code == 0 and "(no description)" not in text and "have no description" not in text
    assert all(name in text for name in declared)


# --------------------------------------------------------------------------- search


def test_search_rajin_containers_lists_reports_with_snippets_and_claims(desk):
    code, out = cli("search", "Rajin containers")
    assert code == 0, out
    for name in ("harbour_watch_2024-02", "kmo_technical_note_2", "maritime_security_di"):
        assert name in out  # (the table folds long file names)
    assert "about 6,700 containers" in out and "Rajin" in out
    hits = json.loads(cli("search", "Rajin containers", "--format", "json")[1])
    # The three sample reports about the Rajin shuttle's containers rank first among the samples
    # (the bad-input corpus adds a short note about Rajin containers of its own).
    samples = [
        h["file_name"]
        for h in hits
        if (desk["inbox"] / h["file_name"]).exists()
        and h["file_name"] in {p.name for p in _sample_files()}
    ]
    assert set(samples[:3]) == {
        "harbour_watch_2024-02-08_january_peak.md",
        "kmo_technical_note_2025-04-15.pdf",
        "maritime_security_digest_2025-04-10_final_count.html",
    }
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)
    harbour = next(h for h in hits if h["file_name"].startswith("harbour_watch"))
    assert any("**Rajin**" in s and "**containers**" in s for s in harbour["snippets"])
    assert {"metric": "containers", "value_low": 6700.0, "value_high": 6700.0} in [
        {k: c[k] for k in ("metric", "value_low", "value_high")} for c in harbour["claims"]
    ]
    assert all(c["quote"] for h in hits for c in h["claims"])


def test_search_csv_has_one_row_per_claim(desk):
    code, out = cli("search", "Rajin containers", "--format", "csv", "--limit", "3")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    claims = json.loads(cli("search", "Rajin containers", "--format", "json", "--limit", "3")[1])
    assert len(rows) == sum(max(len(h["claims"]), 1) for h in claims)
    assert {r["rank"] for r in rows} == {"1", "2", "3"} and all(r["quote"] for r in rows)


def test_search_filters(desk):
    def files(*args: str) -> list[str]:
        code, out = cli("search", *args, "--format", "json")
        assert code == 0, out
        return [h["file_name"] for h in json.loads(out)]

    wh = desk["warehouse"]
    by_vessel = files("", "--vessel", "Maya-1")  # an alias of Maia-1
    mentioning = {
        r[0]
        for r in query(
            wh,
            "select d.file_name from staging.stg_reports__entity_mentions m "
            "join marts.documents d using (doc_id) where entity_id = 'vessel:maia-1'",
        )
    }
    assert by_vessel and set(by_vessel) == mentioning
    hur = json.loads(cli("search", "shells", "--claimant", "HUR", "--format", "json")[1])
    assert hur and all(
        c["attributed_to"] == "Defence Intelligence of Ukraine (HUR)"
        for h in hur
        for c in h["claims"]
    )
    since = files("containers", "--since", "2025-01-01", "--until", "2025-04-30")
    published = dict(query(wh, "select file_name, published from marts.documents"))
    assert since and all(dt.date(2025, 1, 1) <= published[f] <= dt.date(2025, 4, 30) for f in since)
    metric = json.loads(cli("search", "Rajin", "--metric", "shipments", "--format", "json")[1])
    assert metric and all(c["metric"] == "shipments" for h in metric for c in h["claims"])
    assert files("", "--outlet", "harbour") == ["harbour_watch_2024-02-08_january_peak.md"]
    assert files("", "--port", "Najin") and files("", "--entity", "KN-23")
    code, out = cli("search", "x", "--vessel", "Titanic")
    assert code == 1 and "no vessel called 'Titanic'" in out and "Maia-1" in out


# --------------------------------------------------------------------------- as of a date


def test_as_of_answers_with_fewer_claims(desk):
    wh = str(desk["warehouse"])
    code, now = cli("sql", "select count(*) from marts.claims", "-f", "csv", "-w", wh)
    code_then, then = cli(
        "sql", "--as-of", "2024-06-01", "select count(*) from marts.claims", "-f", "csv", "-w", wh
    )
    assert code == code_then == 0
    n_now, n_then = int(now.split()[-1]), int(then.split()[-1])
    # Independently: claims of reports published by then (undated reports were ingested today).
    expected = query(
        desk["warehouse"],
        "select count(*) from marts.claims c join raw.documents d using (doc_id) "
        "where coalesce(d.published, d.ingested_at::date) <= date '2024-06-01'",
    )
    assert 0 < n_then == expected[0][0] < n_now
    groups = json.loads(
        cli(
            "sql",
            "--as-of",
            "2024-06-01",
            "select max(last_published) as last, count(*) as n from marts.claim_groups",
            "-f",
            "json",
            "-w",
            wh,
        )[1]
    )
    assert groups[0]["last"] <= "2024-06-01" and groups[0]["n"] > 0
    code, out = cli("sql", "--as-of", "1 June", "select 1", "-w", wh)
    assert code == 2 and "YYYY-MM-DD" in out


# --------------------------------------------------------------------------- export


def test_export_claims_to_xlsx_opens_with_no_live_formulas(desk, tmp_path):
    out = tmp_path / "claims.xlsx"
    code, text = cli("export", "marts.claims", "--to", str(out))
    assert code == 0, text
    n = query(desk["warehouse"], "select count(*) from marts.claims")[0][0]
    sheet = openpyxl.load_workbook(out).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == n + 1 and rows[0][0] == "claim_id"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    files = [r[3] for r in rows[1:]]
    assert "'-rf --all.txt" in files  # a file name that a spreadsheet would read as a formula
    assert all(not (isinstance(v, str) and v.startswith(FORMULA_START)) for r in rows for v in r)
    value_low = rows[0].index("value_low")
    assert all(isinstance(r[value_low], float | int) or r[value_low] is None for r in rows[1:])


def test_export_ledger_rows_round_trip(desk, tmp_path):
    sql = "select * from staging.stg_ledgers__shipments order by source_file, row_number"
    expected = query(desk["warehouse"], f"select count(*) from ({sql})")[0][0]
    for suffix in ("csv", "parquet", "json", "xlsx"):
        out = tmp_path / f"ledger.{suffix}"
        assert cli("export", sql, "--to", str(out))[0] == 0
        back = (
            pl.read_excel(out)
            if suffix == "xlsx"
            else pl.read_json(out)
            if suffix == "json"
            else getattr(pl, f"read_{suffix}")(out)
        )
        assert back.height == expected, suffix
        evidence = back.filter(pl.col("source_file") == "formula_ledger.csv")["evidence"].to_list()
        assert evidence == (
            [FORMULA_EVIDENCE] if suffix in ("parquet", "json") else ["'" + FORMULA_EVIDENCE]
        )


# --------------------------------------------------------------------------- the run report


def test_report_cli_writes_the_latest_run(desk, tmp_path):
    code, out = cli("report", "--out", str(tmp_path / "r.html"))
    assert code == 0 and "report written" in out
    assert desk["summary"]["run_id"] in (tmp_path / "r.html").read_text()
    code, out = cli("report", "--run", "no-such-run")
    assert code == 1 and "no run 'no-such-run'" in out


@pytest.fixture(scope="module")
def browser():
    if not chromium_path():
        if os.environ.get("SUPPLYLINE_REQUIRE_BROWSER"):
            pytest.fail(
                "no Chromium on PATH, and SUPPLYLINE_REQUIRE_BROWSER is set (CI installs it)"
            )
        pytest.skip("no Chromium on PATH (.ci/run installs Debian's chromium)")
    with Browser() as b:
        yield b


def test_report_renders_every_chart_in_headless_chromium(desk, browser, tmp_path):
    page = desk["root"] / "reports" / f"{desk['summary']['run_id']}.html"
    browser.open(page.as_uri(), "document.body && document.body.dataset.charts")
    assert browser.evaluate("document.body.dataset.charts") == "drawn"
    charts = browser.evaluate(CHART_MARKS_JS)
    print("charts:", json.dumps(charts))
    assert [c["caption"] for c in charts] == [
        "voyages and containers per month",
        "estimates by metric",
        "troops and casualties",
        "spread of estimates per metric",
        "claims against the ledger",
        "checks by tool and outcome",
        "quarantined rows by file",
    ]
    for chart in charts:
        assert chart["svg"] == 1 and chart["markGroups"] >= 1 and chart["marks"] > 0, chart
    assert browser.console_errors() == []
    assert [u for u in browser.requests() if not u.startswith(("file:", "data:"))] == []
    # The run's bad files are listed, their names shown as text, not markup.
    text = browser.evaluate("document.body.innerText")
    assert "<b>bold & co.txt" in text and "truncated.pdf" in text and "row_problems.csv" in text
    assert browser.evaluate("document.querySelectorAll('table b').length") == 0
    # Hovering a claim shows its quote and file.
    box = browser.evaluate(
        "(() => { const el = document.querySelector('#chart-estimates-0 g.role-mark path');"
        " el.scrollIntoView({block: 'center'}); const r = el.getBoundingClientRect();"
        " return [r.x + r.width / 2, r.y + r.height / 2]; })()"
    )
    browser.call("Input.dispatchMouseEvent", type="mouseMoved", x=box[0], y=box[1])
    deadline = time.monotonic() + 5
    tooltip = ""
    while "quote" not in tooltip and time.monotonic() < deadline:
        tooltip = browser.evaluate("document.querySelector('#vg-tooltip-element')?.innerText || ''")
    assert "quote" in tooltip and "file_name" in tooltip
    shot = tmp_path / "report.png"
    width, height = browser.screenshot(shot)
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == (width, height) and width >= 1000 and height > 2000
    print(f"screenshot {width}x{height}, {len(data):,} bytes")


# --------------------------------------------------------------------------- run and status as JSON


def test_run_and_status_as_json(desk):
    result = CliRunner().invoke(app, ["run", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["status"] == "completed" and summary["files_new"] == 0
    assert summary["files_unchanged"] == len([p for p in desk["inbox"].rglob("*") if p.is_file()])
    assert "progress scan:" in result.stderr  # plain progress lines when not on a terminal
    status = json.loads(cli("status", "--json")[1])
    assert status["recent_runs"][0]["run_id"] == summary["run_id"]
    assert (
        status["rows_per_mart"]["marts.claims"]
        == query(desk["warehouse"], "select count(*) from marts.claims")[0][0]
    )
    assert {"status", "kind", "files"} <= set(status["files_by_status"][0])


# --------------------------------------------------------------------------- the SQL shell on a terminal


def test_sql_shell_edits_lines_and_keeps_history(desk):
    argv = [sys.executable, "-m", "supplyline.cli", "sql", "-w", str(desk["warehouse"])]
    with Terminal(argv) as term:
        term.expect("sql>")
        term.send("select 40 + 2\r")  # no ';' yet: Enter continues the statement
        term.expect("...>")
        term.send("as answer;\r")
        term.expect("42")
        term.expect("sql>")
        term.send("\x04")
        assert term.wait() == 0
    history = desk["root"] / ".supplyline_sql_history"
    assert "+select 40 + 2\n+as answer;" in history.read_text()
    with Terminal(argv) as term:  # a new shell recalls the statement with the Up arrow
        term.expect("sql>")
        term.send("\x1b[A")
        term.expect("as answer;")
        term.send("\r")
        term.expect("42")
        term.expect("sql>")
        term.send("\x04")
        assert term.wait() == 0
