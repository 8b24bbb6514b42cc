"""Table shape declarations: the loader's errors, header matching, and the interpreter on small
tables we wrote in the layouts of the public tables analysts keep (weapons by donor with
``Name (count)`` lists, a daily strike log, a daily cumulative losses report with hedges)."""

from __future__ import annotations

import datetime as dt
import shutil
import textwrap

import polars as pl
import pytest
import yaml

from schemas.gate import validate_rows
from schemas.staging import StgDelivery, StgSeriesPoint, StgStrike
from supplyline.parsers import parse_table
from supplyline.settings import REPO_ROOT
from supplyline.shapes import ShapeError, load_shapes, suggest_shape, unknown_table_note
from transforms.tables import closest_shape, interpret, match_shape

SHAPES = load_shapes(REPO_ROOT / "reference")
SPECS = {spec.shape: spec for spec in SHAPES}
ALIASES = pl.read_csv(REPO_ROOT / "reference" / "aliases.csv", infer_schema=False)
METRICS = pl.read_csv(REPO_ROOT / "reference" / "metrics.csv", infer_schema=False)

# Our own rows in the layout of a weapons-by-donor table: counts inside list cells.
WEAPONS_CSV = textwrap.dedent("""\
    "donor","category","number_of_weapons","monetary_value_eur","weapons_list"
    "Poland","Howitzers",20,150000000,"Krab self-propelled howitzer (12); Dana howitzer (8)"
    "Germany","MLRS",5,,"MARS II rocket launcher (5)"
    "Norway","Tanks",3,9000000,"Leopard 2A4"
    "Estonia","Howitzers",4,1000,"FH70 (3); towed 155mm gun"
    "Czech Republic","IFV",7,"",""
    "Lithuania","Howitzers",9,2000,"PzH 2000 (4); M109 (4)"
""")

# Our own rows in the layout of a daily missile and drone attack log.
STRIKES_CSV = textwrap.dedent("""\
    time_start,time_end,model,launch_place,target,target_main,launched,destroyed,border_crossing,affected region,destroyed_details,source
    2025-03-01 19:00,2025-03-02 8:30,Shahed-136/131,Kursk oblast,Ukraine,,120.0,101.0,{},"['Kyiv oblast', 'Sumy oblast']","{'north': 40, 'east': NaN}",post/1
    2025-03-02,2025-03-02,Iskander-M/KN-23 and Kalibr,Bryansk oblast,Kyiv,,6.0,2.0,{},,,post/2
    2025-03-03,2025-03-03,Ланцет,,south,,,,{},,,post/3
    2025-03-04,2025-03-04 07:00,KN-23,Voronezh oblast,Ukraine,Kharkiv oblast,4.0,0.0,{'Moldova': 1},,,post/4
""")

# Our own records in the layout of a daily cumulative losses report with an about/more hedge.
LOSSES_JSON = """[
  {"date": "2024-05-01", "day": 800, "personnel": 100500, "personnel*": "about", "POW": 40},
  {"date": "2024-05-02", "day": 801, "personnel": 101300, "personnel*": "more"},
  {"date": "2024-05-03", "day": 802, "personnel": null, "personnel*": "about"},
  {"date": "2024-05-04", "day": 803, "personnel": 102000, "personnel*": "roughly"}
]"""


def read(text: str, fmt: str) -> pl.DataFrame:
    """A table we wrote, parsed as the inbox would, with 1-based row numbers."""
    (table,) = parse_table(text.encode(), fmt)
    return table.frame.with_row_index("row_number", offset=1).with_columns(
        pl.col("row_number").cast(pl.Int64)
    )


def run(text: str, fmt: str):
    rows = read(text, fmt)
    found = match_shape(rows.columns[1:], SHAPES)
    assert found is not None
    return found, interpret(rows, SPECS[found.shape], found, ALIASES, METRICS)


# --------------------------------------------------------------------------- declarations


def test_shipped_shapes_cover_every_target():
    assert {s.shape for s in SHAPES} == {
        "shipments",
        "figures",
        "weapons_by_donor",
        "strike_log",
        "daily_losses",
    }
    assert {s.target for s in SHAPES} == {"shipments", "figures", "deliveries", "strikes", "series"}


def _reference_with(tmp_path, **files: str):
    ref = tmp_path / "reference"
    (ref / "shapes").mkdir(parents=True)
    shutil.copy(REPO_ROOT / "reference" / "metrics.csv", ref / "metrics.csv")
    for name, text in files.items():
        (ref / "shapes" / f"{name}.yaml").write_text(textwrap.dedent(text))
    return ref


GOOD = textwrap.dedent("""\
    shape: ok
    description: a test shape
    target: figures
    grain: one row per figure
    required: [metric]
    columns:
      metric: [metric]
""")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            GOOD.replace("target: figures", "target: boats"),
            "target 'boats' is not one of shipments",
        ),
        (GOOD + "  colour: [colour]\n", "columns: 'colour' is not a field of target 'figures'"),
        (
            GOOD.replace("required: [metric]", "required: [source]"),
            "required: source is read from no column",
        ),
        (
            GOOD + "list_cells: {field: metric, separator: ';'}\n",
            "list_cells and melt need one of deliveries",
        ),
        (GOOD + "values: {qualifier: {circa: roughly}}\n", "roughly is not a qualifier"),
        (GOOD + "constants: {metric: tanks}\n", "a field is read from one place only"),
        (GOOD.replace("shape: ok", "shape: Not A Slug"), "shape: String should match pattern"),
        (GOOD + "resolve: {metric: country}\n", "'metric' cannot be resolved in target 'figures'"),
        (GOOD + "status: draft\n", "status is draft: finish the declaration"),
        (GOOD + "extra_key: 1\n", "extra_key: Extra inputs are not permitted"),
        ("- just\n- a list\n", "a shape is a mapping"),
        ("shape: [unclosed\n", "not readable as YAML"),
    ],
)
def test_loader_names_the_file_and_the_problem(tmp_path, text, message):
    ref = _reference_with(tmp_path, good=GOOD, broken=text)
    with pytest.raises(ShapeError) as raised:
        load_shapes(ref)
    assert "broken.yaml" in str(raised.value) and message in str(raised.value), str(raised.value)
    assert "good.yaml" not in str(raised.value)


def test_loader_checks_list_patterns_metrics_and_duplicates(tmp_path):
    deliveries = """\
        shape: gifts
        description: gifts
        target: deliveries
        grain: one row per item
        required: [donor]
        columns:
          donor: [donor]
          system: [items]
        list_cells: {field: system, separator: ";", item: '(?P<colour>\\w+)'}
        derive:
          metric: {from: system, values: {krab: howitzers_total}}
    """
    ref = _reference_with(tmp_path, gifts=deliveries, again=GOOD, ok=GOOD)
    with pytest.raises(ShapeError) as raised:
        load_shapes(ref)
    text = str(raised.value)
    assert "gifts.yaml: list_cells item group: 'colour' is not a field" in text
    assert "shape 'ok' is already declared in again.yaml" in text
    (ref / "shapes" / "gifts.yaml").write_text(
        textwrap.dedent(deliveries).replace("colour", "count")
    )
    (ref / "shapes" / "again.yaml").unlink()
    with pytest.raises(
        ShapeError, match="derive.metric: metric 'howitzers_total' is not in metrics.csv"
    ):
        load_shapes(ref)
    (ref / "shapes" / "gifts.yaml").write_text(
        textwrap.dedent(deliveries)
        .replace("colour", "count")
        .replace("howitzers_total", "artillery_systems")
    )
    assert [s.shape for s in load_shapes(ref)] == ["gifts", "ok"]


# --------------------------------------------------------------------------- matching


def test_exact_headers_win_over_folded_ones():
    # "personnel*" folds to "personnel": the exact header must still take the figure.
    found = match_shape(["personnel*", "date", "personnel", "day"], SHAPES)
    assert found.shape == "daily_losses"
    assert found.melted == ((0, "personnel", "personnel*"),)


def test_closest_shape_says_what_is_lacking():
    near = closest_shape(["ship", "cargo", "remarks"], SHAPES)
    assert near.shape == "shipments" and near.lacking == ("departure_date",)
    assert near.fields == {"vessel": "ship"}
    assert closest_shape(["alpha", "beta"], SHAPES) is None
    note = unknown_table_note(["ship", "cargo", "remarks"], SHAPES)
    assert note.startswith("columns match no known table shape (ship, cargo, remarks)")
    assert "closest shape: shipments (reads ship as vessel; lacks departure_date)" in note


# --------------------------------------------------------------------------- weapons by donor


def test_weapons_lists_expand_to_one_row_per_system():
    found, read = run(WEAPONS_CSV, "csv")
    assert found.shape == "weapons_by_donor" and read.skipped.is_empty()
    out = read.rows
    got = out.select(
        "row_number", "item", "donor", "metric", "system", "count", "value", "row_count"
    ).rows()
    assert got == [
        (1, 0, "Poland", "artillery_systems", "Krab self-propelled howitzer", 12, None, 20),
        (1, 1, "Poland", "artillery_systems", "Dana howitzer", 8, None, 20),
        (2, 0, "Germany", "rocket_launchers", "MARS II rocket launcher", 5, None, 5),
        # One system without a count: it takes the row's count and value.
        (3, 0, "Norway", None, "Leopard 2A4", 3, 9_000_000.0, 3),
        # Two systems: the one without a count stays without; the row's figures are not shared.
        (4, 0, "Estonia", "artillery_systems", "FH70", 3, None, 4),
        (4, 1, "Estonia", "artillery_systems", "towed 155mm gun", None, None, 4),
        # No list at all: one row, no system, the row's count.
        (5, 0, "Czech Republic", None, None, 7, None, 7),
        (6, 0, "Lithuania", "artillery_systems", "PzH 2000", 4, None, 9),
        (6, 1, "Lithuania", "artillery_systems", "M109", 4, None, 9),
    ]
    assert out["donor_id"].to_list()[:3] == ["country:PL", "country:PL", "country:DE"]
    assert set(out["recipient_id"]) == {"country:UA"} and set(out["currency"]) == {"EUR"}
    assert (out["unparsed_cells"] == "").all()
    gate = validate_rows(out, StgDelivery)
    # Lithuania's items add up to 8, not the 9 the row states: the gate refuses both of them.
    assert gate.rejected["_row"].to_list() == [7, 8]
    assert all(c.endswith("items add up to the row's count") for c in gate.rejected["check_name"])


# --------------------------------------------------------------------------- strike log


def test_strike_rows_split_models_and_keep_shared_figures_as_row_totals():
    found, read = run(STRIKES_CSV, "csv")
    assert found.shape == "strike_log"
    assert "border_crossing" not in found.used and "destroyed_details" not in found.used
    out = read.rows
    got = out.select(
        "row_number", "item", "model", "launched", "destroyed", "row_launched", "model_ids"
    ).rows()
    assert got == [
        (1, 0, "Shahed-136/131", 120, 101, 120, []),
        (2, 0, "Iskander-M/KN-23", None, None, 6, ["weapon:kn-23"]),
        (2, 1, "Kalibr", None, None, 6, []),
        (3, 0, "Ланцет", None, None, None, []),
        (4, 0, "KN-23", 4, 0, 4, ["weapon:kn-23"]),
    ]
    assert out["window_start"][0] == dt.datetime(2025, 3, 1, 19, 0)
    assert out["window_end"][0] == dt.datetime(2025, 3, 2, 8, 30)  # a one-digit hour
    assert out["window_end"][3] == dt.datetime(2025, 3, 3)  # a bare date is midnight
    assert (out["unparsed_cells"] == "").all()
    assert validate_rows(out, StgStrike).rejected.is_empty()


def test_unreadable_launch_counts_are_flagged_for_the_gate():
    text = STRIKES_CSV.replace("4.0,0.0", "four,0.0").replace(
        "2025-03-03,2025-03-03", "3 March,2025-03-03"
    )
    _, read = run(text, "csv")
    flagged = dict(
        read.rows.select("row_number", "unparsed_cells").unique("row_number").iter_rows()
    )
    assert flagged[4] == "row_launched" and flagged[3] == "window_start" and flagged[1] == ""
    rejected = validate_rows(read.rows, StgStrike).rejected
    assert sorted(read.rows["row_number"].gather(rejected["_row"]).to_list()) == [3, 4]


# --------------------------------------------------------------------------- daily series


def test_daily_losses_melt_into_hedged_points_and_skip_empty_rows():
    found, read = run(LOSSES_JSON, "json")
    assert found.shape == "daily_losses" and "day" not in found.used
    got = read.rows.select(
        "row_number", "item", "date", "metric", "value_low", "value_high", "qualifier"
    ).rows()
    assert got == [
        (1, 0, dt.date(2024, 5, 1), "troop_casualties", 100500.0, 100500.0, "approx"),
        (1, 1, dt.date(2024, 5, 1), "troops_captured", 40.0, 40.0, "exact"),  # no hedge column
        (2, 0, dt.date(2024, 5, 2), "troop_casualties", 101300.0, None, "at_least"),
        (4, 0, dt.date(2024, 5, 4), "troop_casualties", 102000.0, None, "roughly"),
    ]
    assert read.skipped.rows() == [(3, "no figure in personnel, POW")]
    assert set(read.rows["subject_id"]) == {"country:RU"} and read.rows["cumulative"].all()
    assert set(read.rows["unit"]) == {"persons"}
    rejected = validate_rows(read.rows, StgSeriesPoint).rejected
    # An unknown hedge word is not guessed at: the row goes to quarantine.
    assert rejected["_row"].to_list() == [3] and "qualifier" in rejected["reason"][0]


# --------------------------------------------------------------------------- starter declarations


def test_suggested_shape_is_a_draft_the_loader_refuses_until_finished(tmp_path):
    frame = pl.DataFrame(
        {
            "ship": ["Angara", "Maria"],
            "cargo": ["shells", "rockets"],
            "arrived": ["2024-01-05", None],
            "when": ["2024-01-02", ""],
        }
    )
    text = suggest_shape("Port Log.csv", frame, SHAPES)
    data = yaml.safe_load(text)
    assert (
        data["shape"] == "port_log" and data["status"] == "draft" and data["target"] == "shipments"
    )
    assert data["columns"] == {"vessel": ["ship"], "arrival_date": ["arrived"]}
    assert "#   cargo: 'shells', 'rockets'" in text and "#   when: '2024-01-02', ''" in text
    ref = _reference_with(tmp_path, port_log=text)
    with pytest.raises(ShapeError, match="port_log.yaml: status is draft"):
        load_shapes(ref)
    # A person finishes it: "when" is the departure date.
    data.pop("status")
    data.update(
        description="port calls", grain="one row per call", required=["vessel", "departure_date"]
    )
    data["columns"]["departure_date"] = ["when"]
    (ref / "shapes" / "port_log.yaml").write_text(yaml.safe_dump(data))
    (finished,) = load_shapes(ref)
    found = match_shape(frame.columns, [finished])
    assert found.fields == {"vessel": "ship", "arrival_date": "arrived", "departure_date": "when"}


def test_shapes_suggest_command_writes_a_starter_once(tmp_path):
    from typer.testing import CliRunner

    from supplyline.cli import app

    table = tmp_path / "Port Log.csv"
    table.write_text("ship,cargo,when\nAngara,shells,2024-01-02\n")
    out = tmp_path / "port_log.yaml"
    first = CliRunner().invoke(app, ["shapes", "suggest", str(table), "--out", str(out)])
    assert first.exit_code == 0, first.output
    assert yaml.safe_load(out.read_text())["columns"] == {"vessel": ["ship"]}
    again = CliRunner().invoke(app, ["shapes", "suggest", str(table), "--out", str(out)])
    assert again.exit_code == 2 and "exists" in again.output
    known = CliRunner().invoke(
        app,
        [
            "shapes",
            "suggest",
            str(REPO_ROOT / "tests" / "data" / "tables" / "strike_log.csv"),
            "--out",
            str(tmp_path / "x.yaml"),
        ],
    )
    assert known.exit_code == 0 and "already read as strike_log" in known.output
    assert not (tmp_path / "x.yaml").exists()
    listed = CliRunner().invoke(app, ["shapes", "list"])
    assert listed.exit_code == 0 and "weapons_by_donor: deliveries" in listed.output


def test_the_readme_example_declaration_reads_its_table(tmp_path):
    readme = (REPO_ROOT / "README.md").read_text()
    section = readme[readme.index("## Declaring a table shape") :]
    example = section[
        section.index("```yaml") + len("```yaml") : section.index(
            "```", section.index("```yaml") + 7
        )
    ]
    ref = _reference_with(tmp_path, aid_tracker=example)
    (spec,) = load_shapes(ref)
    table = read(
        'country,kind,pieces,eur,what\nPoland,Howitzers,20,900,"Krab (12); Dana (8)"\n', "csv"
    )
    found = match_shape(table.columns[1:], [spec])
    out = interpret(table, spec, found, ALIASES, METRICS).rows
    assert out.select("donor_id", "metric", "system", "count", "row_value", "currency").rows() == [
        ("country:PL", "artillery_systems", "Krab", 12, 900.0, "EUR"),
        ("country:PL", "artillery_systems", "Dana", 8, 900.0, "EUR"),
    ]


def test_an_unknown_table_is_skipped_whole_with_its_closest_shape_in_the_note():
    from supplyline.stages.normalise import normalise
    from transforms.received import table_input
    from transforms.rules import load_rules

    table = table_input(
        "calls.csv", "c" * 64, "", pl.DataFrame({"ship": ["A", "B"], "cargo": ["x", "y"]})
    )
    (read,) = normalise((table,), load_rules(REPO_ROOT / "reference"), REPO_ROOT / "reference")
    assert (read.target, read.typed, read.skipped) == (None, None, 2)
    (note,) = read.notes
    assert note.startswith(
        "table: columns match no known table shape (ship, cargo); closest shape: "
        "shipments (reads ship as vessel; lacks departure_date)"
    )
