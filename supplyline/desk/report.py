"""The run report: one self-contained HTML page per run, readable offline.

Charts are Altair (Vega-Lite) specs drawn as SVG by the Vega bundle from vl-convert, inlined
in the page, so the page needs no network. It shows the ledgers' voyages and containers per
month, every metric's estimates as ranges by claimant over publication date, troops and
casualties over time, disagreements between sources and claims against the ledger, and the
run's data quality (checks, quarantined rows by file, failed files).
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

import altair as alt
import duckdb
import polars as pl

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
TROOP_PANELS = {
    "troops_deployed": "Deployed",
    "troop_reinforcements": "Deployed",
    "troop_casualties": "Casualties",
    "troops_killed": "Casualties",
    "troops_wounded": "Casualties",
    "troops_captured": "Casualties",
}
MAX_CLAIMS_PER_METRIC = 200  # the newest; the page says when more exist
MAX_TABLE_ROWS = 50
MAX_LEDGER_CLAIMS = 60  # per metric, the latest periods
OPEN_BOUND = {"at_least": "at least", "at_most": "at most"}  # legend shows ▲ and ▼


class ReportError(LookupError):
    """The report cannot be written as asked (for example, no such run)."""


@dataclass
class Section:
    """One part of the page: a heading, a lead sentence, charts and small tables."""

    anchor: str
    title: str
    lead: str = ""
    charts: list[tuple[str, dict]] = field(default_factory=list)  # (caption, Vega-Lite spec)
    tables: list[tuple[str, pl.DataFrame]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def report_path(warehouse: Path, run_id: str) -> Path:
    """Where a run's report lives: ``reports/<run id>.html`` beside the warehouse."""
    return warehouse.parent / "reports" / f"{run_id}.html"


def write_run_report(
    warehouse_path: Path | str, run_id: str | None, out_path: Path | str | None = None
) -> Path:
    """Write the report for ``run_id`` (None: the latest run) of the published warehouse file."""
    from warehouse import db

    warehouse_path = Path(warehouse_path)
    con = db.connect(warehouse_path, read_only=True, wait_s=5.0)
    try:
        run = find_run(con, run_id)
        out = Path(out_path) if out_path else report_path(warehouse_path, run["run_id"])
        # The script bundle is cached in the warehouse's reports folder, wherever the page goes.
        page = render(
            con, run, str(warehouse_path), bundle_cache=report_path(warehouse_path, "-").parent
        )
    finally:
        con.close()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(out)  # a reader never sees half a page
    return out


def write_after_run(settings, run_id: str) -> Path | None:
    """The flow's hook: write this run's report beside the published file. A report that cannot
    be written is logged, never a reason to fail the run (DuckLake runs get none)."""
    from supplyline import progress

    if settings.lake_catalog:
        return None
    progress.emit("report", 0, 1, "page")
    try:
        path = write_run_report(settings.warehouse, run_id)
    except Exception:  # the data is published; a missing page must not undo that
        log.warning("run report for %s not written", run_id, exc_info=True)
        return None
    progress.emit("report", 1, 1, "page")
    log.info("run report: %s", path)
    return path


def find_run(con: duckdb.DuckDBPyConnection, run_id: str | None) -> dict:
    """The run's row in ops.runs (the latest one when ``run_id`` is None)."""
    cur = con.execute(
        "select * from ops.runs where run_id = ? or ? is null order by started_at desc limit 1",
        [run_id, run_id],
    )
    cols = [d[0] for d in cur.description]
    row = cur.fetchone()
    if row is None:
        recent = [
            r[0]
            for r in con.execute(
                "select run_id from ops.runs order by started_at desc limit 5"
            ).fetchall()
        ]
        raise ReportError(
            f"no run {run_id!r} in this warehouse"
            + (f"; recent runs: {', '.join(recent)}" if recent else "; it has no runs yet")
        )
    return dict(zip(cols, row, strict=True))


def render(
    con: duckdb.DuckDBPyConnection, run: dict, label: str, bundle_cache: Path | None = None
) -> str:
    """The whole page as one HTML string."""
    import jinja2

    sections = build_sections(con, run["run_id"])
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE), autoescape=True)
    charts = [
        (f"chart-{s.anchor}-{i}", caption, _spec_json(spec))
        for s in sections
        for i, (caption, spec) in enumerate(s.charts)
    ]
    return env.get_template("report.html.j2").render(
        run=run,
        label=label,
        headline=headline(con),
        sections=sections,
        charts=charts,
        generated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        vega_bundle=vega_bundle(bundle_cache),
        table_html=_table_html,
    )


def build_sections(con: duckdb.DuckDBPyConnection, run_id: str) -> list[Section]:
    """The page's sections, charts as Vega-Lite specs."""
    # Each section caps its own rows (per metric, per file), so Altair's blanket 5,000-row
    # refusal would only turn a large warehouse into a missing page.
    with alt.data_transformers.disable_max_rows():
        return [
            ledger_section(con),
            estimates_section(con),
            troops_section(con),
            conflicts_section(con, run_id),
            quality_section(con, run_id),
        ]


def headline(con: duckdb.DuckDBPyConnection) -> list[tuple[str, object]]:
    """The warehouse's key counts, for the top of the page."""
    row = con.execute(
        "select (select count(*) from marts.documents), (select count(*) from marts.claims), "
        "(select count(distinct metric) from marts.claims), "
        "(select count(distinct coalesce(attributed_to, outlet, file_name)) from marts.claims), "
        "(select count(*) from marts.shipments), (select sum(containers) from marts.shipments), "
        "(select count(*) from marts.figures)"
    ).fetchall()[0]  # aggregates: always one row
    names = ["reports", "claims", "metrics", "sources", "voyages", "containers", "table figures"]
    return list(
        zip(names, [f"{v:,}" if isinstance(v, int | float) else "–" for v in row], strict=True)
    )


# --------------------------------------------------------------------------- sections


def ledger_section(con: duckdb.DuckDBPyConnection) -> Section:
    section = Section(
        "ledger",
        "Voyages and containers per month",
        "From the shipment ledgers, merged by voyage (vessel and departure date).",
    )
    monthly = con.sql(
        "select month, voyages, containers, vessels from marts.shipments_monthly order by month"
    ).pl()
    if monthly.is_empty():
        section.notes.append("The ledgers list no voyages yet.")
        return section
    base = alt.Chart(monthly).encode(x=alt.X("month:T", title="month of departure"))
    tooltip = [alt.Tooltip("month:T", format="%B %Y"), "voyages:Q", "containers:Q", "vessels:Q"]
    voyages = base.mark_bar(color="#4c78a8", opacity=0.8).encode(
        y=alt.Y("voyages:Q", title="voyages"), tooltip=tooltip
    )
    containers = base.mark_line(color="#e45756", point=True).encode(
        y=alt.Y("containers:Q", title="containers"), tooltip=tooltip
    )
    chart = (
        alt.layer(voyages, containers)
        .resolve_scale(y="independent")
        .properties(
            width=820,
            height=260,
            title="Voyages (bars, left axis) and containers (line, right axis)",
        )
    )
    section.charts.append(("voyages and containers per month", chart.to_dict()))
    return section


def estimates_section(con: duckdb.DuckDBPyConnection) -> Section:
    section = Section(
        "estimates",
        "Estimates by metric",
        "Each claim as a range from its low to its high figure, by claimant, over the "
        "date its report was published. ▲ marks an open 'at least', ▼ an open 'at most'. "
        "Hover a mark for the quote and the file.",
    )
    # The newest claims' ids first, then their columns: sorting millions of claims with their
    # quotes was most of a quiet night's page (2.7 s against 0.7 s at 2.3M claims).
    claims = con.execute(
        "with newest as (select claim_id, count(*) over (partition by metric) as n_metric "
        "from marts.claims where published is not null "
        "qualify row_number() over (partition by metric order by published desc, claim_id) <= ?) "
        "select metric, unit, coalesce(attributed_to, outlet, file_name) as claimant, published, "
        "coalesce(value_low, value_high) as low, coalesce(value_high, value_low) as high, qualifier, "
        "file_name, quote, n_metric from marts.claims inner join newest using (claim_id) "
        "order by metric, published, claim_id",
        [MAX_CLAIMS_PER_METRIC],
    ).pl()
    undated = con.execute("select count(*) from marts.claims where published is null").fetchall()[
        0
    ][0]
    if undated:
        section.notes.append(
            f"{undated:,} claims come from reports with no publication date and are not drawn."
        )
    if claims.is_empty():
        section.notes.append("No dated claims yet.")
        return section
    capped = claims.filter(pl.col("n_metric") > MAX_CLAIMS_PER_METRIC)["metric"].unique().to_list()
    if capped:
        section.notes.append(
            f"Only the {MAX_CLAIMS_PER_METRIC} newest claims are drawn for: {', '.join(sorted(capped))}."
        )
    claims = claims.with_columns(
        figure=_figure_label(),
        bound=pl.col("qualifier").replace_strict(OPEN_BOUND, default="range or figure"),
    )
    section.charts.append(
        (
            "estimates by metric",
            _range_chart(
                claims,
                x="published:T",
                color="claimant:N",
                facet="metric:N",
                tooltip=[
                    "metric:N",
                    "claimant:N",
                    "figure:N",
                    alt.Tooltip("published:T", format="%Y-%m-%d"),
                    "file_name:N",
                    "quote:N",
                ],
            ),
        )
    )
    return section


def troops_section(con: duckdb.DuckDBPyConnection) -> Section:
    section = Section(
        "troops",
        "Troops deployed and casualties over time",
        "Claims from reports (by publication date) and figures from tables (by the end "
        "of their period), as ranges by metric.",
    )
    metrics = list(TROOP_PANELS)
    rows = con.execute(
        "select metric, unit, coalesce(attributed_to, outlet, file_name) as claimant, published as date, "
        "coalesce(value_low, value_high) as low, coalesce(value_high, value_low) as high, qualifier, "
        "file_name, quote, 'report' as origin from marts.claims "
        "where metric in (select unnest(?)) and published is not null "
        "union all "
        "select metric, unit, coalesce(source, source_file), coalesce(period_end, period_start), "
        "coalesce(value_low, value_high), coalesce(value_high, value_low), qualifier, source_file, "
        "coalesce(note, ''), 'table' from marts.figures "
        "where metric in (select unnest(?)) and coalesce(period_end, period_start) is not null",
        [metrics, metrics],
    ).pl()
    if rows.is_empty():
        section.notes.append("No troop or casualty figures yet.")
        return section
    rows, capped = _newest(rows, ["metric", "origin"], "date")
    if capped:
        section.notes.append(
            f"Only the {MAX_CLAIMS_PER_METRIC} newest figures from reports and from tables are "
            f"drawn for: {', '.join(capped)}."
        )
    rows = rows.with_columns(
        panel=pl.col("metric").replace_strict(TROOP_PANELS),
        figure=_figure_label(),
        bound=pl.col("qualifier").replace_strict(OPEN_BOUND, default="range or figure"),
    )
    section.charts.append(
        (
            "troops and casualties",
            _range_chart(
                rows,
                x="date:T",
                color="metric:N",
                facet="panel:N",
                grid=(2, 400),
                tooltip=[
                    "metric:N",
                    "claimant:N",
                    "figure:N",
                    alt.Tooltip("date:T", format="%Y-%m-%d"),
                    "origin:N",
                    "file_name:N",
                    "quote:N",
                ],
            ),
        )
    )
    return section


def conflicts_section(con: duckdb.DuckDBPyConnection, run_id: str) -> Section:
    section = Section(
        "conflicts",
        "Where sources disagree, and claims against the ledger",
        "How far apart the sources' figures are for each metric; then each claim about "
        "voyages or containers in a stated period beside what the ledger lists for that "
        "period (where the blue claim and the red tick meet, they agree).",
    )
    spread = con.sql(
        "select metric, unit, count(distinct source) as sources, min(metric_min) as lowest, "
        "max(metric_max) as highest, round(max(metric_max) / nullif(min(metric_min), 0), 2) as spread, "
        "string_agg(distinct source, '; ') as claimants "
        "from marts.metric_estimates group by metric, unit having count(distinct source) > 1 "
        "order by spread desc nulls last"
    ).pl()
    if not spread.is_empty():
        chart = (
            alt.Chart(spread)
            .mark_bar(color="#f58518")
            .encode(
                x=alt.X("spread:Q", title="highest ÷ lowest figure"),
                y=alt.Y("metric:N", sort="-x", title=None),
                tooltip=[
                    "metric:N",
                    "unit:N",
                    "sources:Q",
                    alt.Tooltip("lowest:Q", format=",.0f"),
                    alt.Tooltip("highest:Q", format=",.0f"),
                    "spread:Q",
                    "claimants:N",
                ],
            )
            .properties(
                width=700,
                height=alt.Step(18),
                title="How far apart the sources are, per metric (more than one source)",
            )
        )
        section.charts.append(("spread of estimates per metric", chart.to_dict()))
    ledger = ledger_comparison(con)
    if not ledger.is_empty():
        section.charts.append(("claims against the ledger", _ledger_chart(ledger)))
    else:
        section.notes.append(
            "No claim about voyages or containers states a period the ledger covers."
        )
    for check, title in (
        ("reconcile: claims_vs_ledger", "Claims the ledger contradicts (beyond tolerance)"),
        ("reconcile: document_contradicts_itself", "Reports that contradict themselves"),
        ("reconcile: running_total_goes_down", "Running totals that go down"),
        ("reconcile: share_above_100", "Shares that add up to more than 100%"),
    ):
        sample = check_sample(con, run_id, check)
        if sample is not None and not sample.is_empty():
            section.tables.append((title, sample))
    return section


def quality_section(con: duckdb.DuckDBPyConnection, run_id: str) -> Section:
    section = Section("quality", "This run's data quality")
    checks = con.execute(
        "select tool, status, count(*) as checks from dq.check_results where run_id = ? "
        "group by all order by all",
        [run_id],
    ).pl()
    if checks.is_empty():
        section.notes.append("This run recorded no check results.")
    else:
        colours = alt.Scale(
            domain=["pass", "warn", "fail"], range=["#54a24b", "#eeca3b", "#e45756"]
        )
        chart = (
            alt.Chart(checks)
            .mark_bar()
            .encode(
                y=alt.Y("tool:N", title=None),
                x=alt.X("checks:Q", title="checks"),
                color=alt.Color("status:N", scale=colours),
                tooltip=["tool:N", "status:N", "checks:Q"],
            )
            .properties(width=700, height=alt.Step(24), title="Checks by tool and outcome")
        )
        section.charts.append(("checks by tool and outcome", chart.to_dict()))
    failing = con.execute(
        "select check_name, table_name, tool, severity, status, failing_count from dq.check_results "
        "where run_id = ? and status <> 'pass' order by status = 'fail' desc, check_name",
        [run_id],
    ).pl()
    if not failing.is_empty():
        section.tables.append(("Checks that failed or warned", failing))
    quarantined = con.execute(
        "select coalesce(source_file, '(none)') as file, check_name, count(*) as rows, "
        "any_value(reason) as example_reason from dq.quarantine where run_id = ? "
        "group by all order by rows desc, file",
        [run_id],
    ).pl()
    if quarantined.is_empty():
        section.notes.append("No rows were quarantined in this run.")
    else:
        chart = (
            alt.Chart(quarantined)
            .mark_bar()
            .encode(
                y=alt.Y("file:N", title=None, sort="-x"),
                x=alt.X("sum(rows):Q", title="rows quarantined"),
                color=alt.Color("check_name:N", title="check"),
                tooltip=["file:N", "check_name:N", "rows:Q", "example_reason:N"],
            )
            .properties(width=700, height=alt.Step(24), title="Quarantined rows by file and check")
        )
        section.charts.append(("quarantined rows by file", chart.to_dict()))
        section.tables.append(("Quarantined rows by file and check", quarantined))
    failed = con.execute(
        "select path, format, status, coalesce(error, note) as reason from ops.files "
        "where run_id = ? and status in ('failed', 'skipped') order by status, path",
        [run_id],
    ).pl()
    if failed.is_empty():
        section.notes.append("No file failed or was skipped in this run.")
    else:
        section.tables.append(("Files that failed or were skipped", failed))
    return section


# --------------------------------------------------------------------------- data helpers


def ledger_comparison(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Voyage and container claims that state a period, beside what the ledger lists for it."""
    return con.sql(
        "with periods as (select claim_id, metric, unit, file_name, quote, "
        "coalesce(attributed_to, outlet, file_name) as claimant, qualifier, "
        "coalesce(value_low, value_high) as low, coalesce(value_high, value_low) as high, "
        "period_start, coalesce(period_end, published) as period_end from marts.claims "
        "where metric in ('shipments', 'containers') and period_start is not null "
        "and coalesce(period_end, published) is not null "
        f"qualify row_number() over (partition by metric order by period_end desc, claim_id) <= {MAX_LEDGER_CLAIMS}), "
        "coverage as (select min(departure_date) as first, max(departure_date) as last from marts.shipments) "
        "select p.*, (select case when p.metric = 'shipments' then count(*) else coalesce(sum(containers), 0) end "
        "from marts.shipments as s where s.departure_date between p.period_start and p.period_end) as ledger "
        "from periods as p, coverage where p.period_start <= coverage.last and p.period_end >= coverage.first "
        "order by p.metric, p.period_end, p.claim_id"
    ).pl()


def check_sample(
    con: duckdb.DuckDBPyConnection, run_id: str, check_name: str
) -> pl.DataFrame | None:
    """The sample rows a check stored for this run (None when it passed or did not run)."""
    row = con.execute(
        "select sample from dq.check_results where run_id = ? and check_name = ? "
        "and status <> 'pass' and sample is not null",
        [run_id, check_name],
    ).fetchone()
    if row is None:
        return None
    rows = json.loads(row[0]) if isinstance(row[0], str) else row[0]
    if not rows:
        return None
    return pl.DataFrame([{k: _cell(v) for k, v in r.items()} for r in rows])


def _figure_label() -> pl.Expr:
    """'4,200,000 – 5,800,000 rounds', 'at least 1,000,000 rounds', '7 voyages'."""
    low = pl.col("low").map_elements(
        lambda v: f"{v:,.0f}" if v == int(v) else f"{v:,.2f}", return_dtype=pl.String
    )
    high = pl.col("high").map_elements(
        lambda v: f"{v:,.0f}" if v == int(v) else f"{v:,.2f}", return_dtype=pl.String
    )
    return (
        (
            pl.when(pl.col("qualifier") == "at_least")
            .then(pl.lit("at least ") + low)
            .when(pl.col("qualifier") == "at_most")
            .then(pl.lit("at most ") + high)
            .when(pl.col("low") == pl.col("high"))
            .then(low)
            .otherwise(low + pl.lit(" – ") + high)
        )
        + pl.lit(" ")
        + pl.col("unit")
    )


def _newest(rows: pl.DataFrame, by: list[str], date: str) -> tuple[pl.DataFrame, list[str]]:
    """The MAX_CLAIMS_PER_METRIC newest rows of each group ``by``, in date order, and the
    metrics that had more."""
    sizes = rows.group_by(by).len()
    capped = sizes.filter(pl.col("len") > MAX_CLAIMS_PER_METRIC)["metric"].unique().sort()
    kept = (
        rows.sort([date, "file_name"], descending=[True, False])
        .group_by(by, maintain_order=True)
        .head(MAX_CLAIMS_PER_METRIC)
        .sort(date)
    )
    return kept, capped.to_list()


def _cell(value):
    return (
        value if isinstance(value, str | int | float | bool) or value is None else json.dumps(value)
    )


# --------------------------------------------------------------------------- charts


def _range_chart(
    data: pl.DataFrame,
    *,
    x: str,
    color: str,
    facet: str,
    tooltip: list,
    grid: tuple[int, int] = (3, 250),
) -> dict:
    """Small multiples: a rule from low to high and a mark at each end, open bounds as triangles;
    ``grid`` is (panels per line, panel width)."""
    columns, width = grid
    base = alt.Chart().encode(
        x=alt.X(x, title=x.split(":")[0]),
        color=alt.Color(
            color,
            scale=alt.Scale(scheme="category20"),
            legend=alt.Legend(orient="bottom", columns=4),
        ),
        tooltip=tooltip,
    )
    rule = base.mark_rule(strokeWidth=3, opacity=0.8).encode(
        y=alt.Y("low:Q", title=None), y2="high:Q"
    )
    shapes = alt.Scale(
        domain=["range or figure", *OPEN_BOUND.values()],
        range=["circle", "triangle-up", "triangle-down"],
    )
    ends = base.mark_point(filled=True, size=60).encode(
        y="high:Q", shape=alt.Shape("bound:N", scale=shapes, title="bound")
    )
    lows = base.mark_point(filled=True, size=30).encode(y="low:Q")
    chart = (
        alt.layer(rule, lows, ends, data=data)
        .properties(width=width, height=170)
        .facet(
            facet=alt.Facet(
                facet, title=None, header=alt.Header(labelFontWeight="bold", labelFontSize=13)
            ),
            columns=columns,
        )
        .resolve_scale(y="independent")
    )
    return chart.to_dict()


def _ledger_chart(ledger: pl.DataFrame) -> dict:
    ledger = ledger.with_columns(
        label=pl.col("claimant").str.slice(0, 28)
        + pl.lit(" · ")
        + pl.col("period_end").cast(pl.String),
        figure=_figure_label(),
    )
    base = alt.Chart().encode(
        y=alt.Y("label:N", title=None, sort=None),
        tooltip=[
            "metric:N",
            "claimant:N",
            "figure:N",
            alt.Tooltip("ledger:Q", title="ledger lists", format=","),
            alt.Tooltip("period_start:T", format="%Y-%m-%d"),
            alt.Tooltip("period_end:T", format="%Y-%m-%d"),
            "file_name:N",
            "quote:N",
        ],
    )
    claim = base.mark_rule(strokeWidth=6, opacity=0.6, color="#4c78a8").encode(
        x=alt.X("low:Q", title="claimed (blue) and ledger (red tick)"), x2="high:Q"
    )
    claim_ends = base.mark_point(filled=True, color="#4c78a8").encode(x="high:Q")
    ledger_tick = base.mark_tick(color="#e45756", thickness=3, size=16).encode(x="ledger:Q")
    chart = (
        alt.layer(claim, claim_ends, ledger_tick, data=ledger)
        .properties(width=560, height=alt.Step(20))
        .facet(row=alt.Row("metric:N", title=None))
        .resolve_scale(x="independent", y="independent")
        .properties(title="Claims about voyages and containers in a period, against the ledger")
    )
    return chart.to_dict()


def _spec_json(spec: dict) -> str:
    """The spec as JSON that is safe inside a <script> element."""
    return json.dumps(spec, default=str).replace("</", "<\\/").replace("<!--", "<\\!--")


def _table_html(frame: pl.DataFrame) -> str:
    """A small HTML table (the first MAX_TABLE_ROWS rows), every cell escaped."""
    head = "".join(f"<th>{html.escape(c)}</th>" for c in frame.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_show(v))}</td>" for v in row) + "</tr>"
        for row in frame.head(MAX_TABLE_ROWS).iter_rows()
    )
    more = (
        f'<p class="note">{frame.height - MAX_TABLE_ROWS:,} more rows are in the warehouse.</p>'
        if frame.height > MAX_TABLE_ROWS
        else ""
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}"


def _show(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.0f}" if value == int(value) else f"{value:,.3g}"
    return str(value)


def vega_bundle(cache_dir: Path | None = None) -> str:
    """Vega, Vega-Lite and vega-embed as one script (built by vl-convert, about 0.9 MB).

    Building it takes about 3 s, so it is kept beside the reports, named by the vl-convert
    version that built it (and in memory, for a process that writes many reports).
    """
    import vl_convert

    version = getattr(vl_convert, "__version__", "0")
    cached = cache_dir / f".vega-bundle-{version}.js" if cache_dir else None
    if cached and cached.exists():
        return cached.read_text(encoding="utf-8")
    bundle = _build_bundle(version)
    if cached:
        cached.parent.mkdir(parents=True, exist_ok=True)
        cached.write_text(bundle, encoding="utf-8")
    return bundle


@functools.cache
def _build_bundle(version: str) -> str:
    import vl_convert

    return vl_convert.javascript_bundle()  # type: ignore[call-arg]  # its stub wants a snippet; the call does not
