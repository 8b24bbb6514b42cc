"""The large-ledger path: fast CSV reading, per-value normalisation, Enum-held cells, JSON built
by the load. Each fast path must give exactly what the general path gives."""

from __future__ import annotations

import datetime as dt
import json
import random

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal, assert_series_equal

from schemas.gate import validate_rows
from schemas.staging import StgShipment
from supplyline.extract_worker import extract_reports
from supplyline.parsers import _csv_fast, _csv_tolerant, decode_text, parse_table, sniff_delimiter
from supplyline.settings import REPO_ROOT
from supplyline.shapes import load_shapes
from supplyline.stages.extract import Extracted
from supplyline.stages.ingest import DOCUMENT_SCHEMA, Ingested
from supplyline.stages.load import load as load_group
from supplyline.stages.normalise import normalise
from supplyline.stages.plan_raw import RawGroup
from supplyline.stages.read_raw import read_raw
from supplyline.stages.validate import validate
from transforms import expressions
from transforms.expressions import (
    alias_key,
    date_parser_for,
    parse_count,
    parse_counts,
    parse_date_text,
    parse_dates,
    repeats_as_enum,
)
from transforms.ledger import FILES_SCHEMA
from transforms.received import raw_rows, table_input
from transforms.rules import load_rules
from transforms.shape_spec import TARGETS
from transforms.tables import ShapeMatch, interpret, match_shape
from warehouse import db, load

ALIASES = pl.read_csv(REPO_ROOT / "reference" / "aliases.csv", infer_schema=False)
SHAPES = load_shapes(REPO_ROOT / "reference")
SHIPMENTS = next(s for s in SHAPES if s.shape == "shipments")
SHIPMENT_COLUMNS = list(TARGETS["shipments"].fields)
MAPPING = {
    "vessel": "Ship",
    "departure_port": "From",
    "departure_date": "Sailed",
    "arrival_port": "To",
    "arrival_date": "Arrived",
    "containers": "Boxes",
    "evidence": "Basis",
    "source": "Who",
}
DATES = [
    "2024-01-05",
    " 2024-01-05 ",
    "05/01/2024",
    "5.1.2024",
    "5 January 2024",
    "Jan 5, 2024",
    "2024/01/05",
    "45296",
    "45296.0",
    "2024-01-05T10:20",
    "2024-01-05 10:20:30.5",
    "",
    "  ",
    None,
    "n/a",
    "2024-02-30",
    "\u00a02024-01-05\u2003",
    "99999",
]
COUNTS = [
    "340",
    " 340 ",
    "1,204",
    "1.204",
    "1 204",
    "1\u00a0204",
    "12.5",
    "12.0",
    "n/a",
    "",
    None,
    "-5",
    "+7",
    "1e3",
    "007",
    "9007199254740993",
    "1,2",
    "100001",
    "1_000",
    "1'000",
]
VESSELS = [
    "Maya 1",
    "MAIA 1",
    " Maia-1 ",
    "Maia   1",
    "Unknown Star",
    "",
    None,
    "Lady R",
    "\u2003Angara\u00a0",
]
PORTS = ["Rajin", "Najin", "DUNAY", "Vostochny port", " Rajin ", "", None, "Nowhere"]
TEXTS = ["satellite imagery", " radar ", "", None, "x  y"]


def _rows(n: int, seed: int = 7, distinct: tuple[str, ...] = ()) -> pl.DataFrame:
    rng = random.Random(seed)
    pools = {
        "Ship": VESSELS,
        "From": PORTS,
        "Sailed": DATES,
        "To": PORTS,
        "Arrived": DATES,
        "Boxes": COUNTS,
        "Basis": TEXTS,
        "Who": TEXTS,
    }
    cols = {c: [rng.choice(pool) for _ in range(n)] for c, pool in pools.items()}
    for c in distinct:  # mostly distinct values: the row-by-row path
        cols[c] = [v if rng.random() < 0.3 else str(rng.randrange(10**9)) for v in cols[c]]
    frame = pl.DataFrame(cols, schema={c: pl.String for c in cols})
    return frame.with_row_index("row_number", offset=1).with_columns(
        pl.col("row_number").cast(pl.Int64)
    )


def shipments_from_table(
    rows: pl.DataFrame, mapping: dict[str, str], aliases: pl.DataFrame | None = None
) -> pl.DataFrame:
    """The declared shipments shape read through the generic interpreter."""
    return interpret(rows, SHIPMENTS, ShapeMatch("shipments", mapping), aliases).rows


def _row_by_row(rows: pl.DataFrame, mapping: dict[str, str]) -> pl.DataFrame:
    """The shipments normalisation as whole-column expressions (the reference)."""
    canonical = rows.select(
        "row_number",
        *(
            pl.col(mapping[c]).str.strip_chars().alias(c)
            if c in mapping
            else pl.lit(None, pl.String).alias(c)
            for c in SHIPMENT_COLUMNS
        ),
    )
    parsed = {
        "departure_date": date_parser_for(canonical, "departure_date"),
        "arrival_date": date_parser_for(canonical, "arrival_date"),
        "containers": parse_count(pl.col("containers")),
    }
    out = canonical.with_columns(
        *(e.alias(n) for n, e in parsed.items()),
        pl.col("vessel").str.replace_all(r"\s+", " "),
        unparsed_cells=expressions.unparsed_cells(parsed),
    )
    keyed = ALIASES.select("entity_id", "entity_type", key=alias_key(pl.col("alias"))).unique(
        ["entity_type", "key"], keep="first", maintain_order=True
    )
    for column, out_col, kind in [
        ("vessel", "vessel_id", "vessel"),
        ("departure_port", "departure_port_id", "port"),
        ("arrival_port", "arrival_port_id", "port"),
    ]:
        ids = keyed.filter(pl.col("entity_type") == kind).select(
            "key", pl.col("entity_id").alias(out_col)
        )
        out = (
            out.with_columns(alias_key(pl.col(column)).alias("_k"))
            .join(ids, left_on="_k", right_on="key", how="left", maintain_order="left")
            .drop("_k")
        )
    return out


@pytest.fixture
def small_probe(monkeypatch):
    """Treat tables of more than 128 rows as tall (probing 64 rows, repeating when at most half
    distinct), so the tall-table paths run on small frames."""
    monkeypatch.setattr(expressions, "_PROBE_ROWS", 64)
    monkeypatch.setattr(expressions, "_REPEATS_SHARE", 0.5)


# --------------------------------------------------------------------------- CSV fast path


@pytest.mark.parametrize(
    "data",
    [
        b'vessel,port\r\nAngara,"Raj\r\nin"\r\n\r\nMaria,Vostochny\r\n',  # CRLF, a quoted line break, a blank line
        b"vessel,port\rAngara,Rajin\rMaria,x\r",  # old Mac line ends
        "\ufeffvessel;port\nMa\u00efa-1;\u4e2d\u6587\n".encode(),  # BOM, non-ASCII, semicolons
        b"vessel,port\nAngara,\x01\x02ok\n",  # a few control characters still pass
        b"vessel,port\nA,1,extra\nB,2\n",  # ragged: the tolerant reader
        b" ,  \nvessel,port\n , \nAngara,Rajin\n",  # blank rows before and inside
        b"vessel,port\nA,1,\nB,2\n",  # a trailing delimiter adds no cell
        b"vessel,port,\nA,1\nB,2,\n",  # nor does a trailing empty header cell
        b'vessel,port\n"A,a",1\n"B",2,3\n',  # a quoted delimiter is no cell break; the extra cell is
        b"2025-01-06,210\n2025-01-08,150\n",  # no header
    ],
)
def test_csv_fast_path_matches_the_text_path(data):
    text = decode_text(data)
    delim = sniff_delimiter(text[:65536])
    expected = _csv_fast(text.encode(), delim)
    expected = _csv_tolerant(text, delim) if expected is None else expected
    (table,) = parse_table(data, "csv")
    assert_frame_equal(table.frame, expected.frame)
    assert (table.row_problems, table.warning) == (expected.row_problems, expected.warning)
    # Where the fast reader takes a file, the careful one reads it the same way.
    fast = _csv_fast(text.encode(), delim)
    if fast is not None:
        careful = _csv_tolerant(text, delim)
        assert_frame_equal(fast.frame, careful.frame)
        assert (fast.row_problems, fast.warning) == (careful.row_problems, careful.warning)


@pytest.mark.parametrize(
    ("data", "problems"),
    [
        (b"a,b,c\n1,2,3\n4,5\n6,7,8,9\n", [(2, "too few"), (3, "too many")]),
        (b"a;b\n1;2\n3;4\n", []),
        (b'a,b\n"x\ny",2\n3\n', [(2, "too few")]),  # a quoted line break, then a short row
        (
            b"a,b\n1,2\n3,4,5\n6\n",
            [(2, "too many"), (3, "too few")],
        ),  # they cancel out in a total count
    ],
)
def test_ragged_rows_are_found_whichever_reader_runs(data, problems):
    (table,) = parse_table(data, "csv")
    assert [(p.row_number, p.reason.split(" cells")[0]) for p in table.row_problems] == problems
    assert table.rows_in == table.frame.height + len(problems)


def test_csv_with_many_control_characters_is_still_binary():
    with pytest.raises(Exception, match="binary content"):
        parse_table(b"a,b\n" + b"\x01\x02,\x03\n" * 200, "csv")


# --------------------------------------------------------------------------- cell parsers


def test_parse_dates_and_counts_match_the_full_parsers():
    dates = pl.Series("d", DATES * 3, dtype=pl.String)
    assert_series_equal(
        parse_dates(dates), pl.select(parse_date_text(pl.lit(dates))).to_series().alias("d")
    )
    counts = pl.Series("c", COUNTS * 3, dtype=pl.String)
    assert_series_equal(
        parse_counts(counts), pl.select(parse_count(pl.lit(counts))).to_series().alias("c")
    )


# --------------------------------------------------------------------------- normalisation


@pytest.mark.parametrize("distinct", [(), ("Sailed", "Boxes", "Ship", "Basis")])
def test_shipments_from_table_equals_the_row_by_row_expressions(small_probe, distinct):
    rows = _rows(400, distinct=distinct)
    expected = _row_by_row(rows, MAPPING)
    assert_frame_equal(shipments_from_table(rows, MAPPING, ALIASES), expected)
    # Cells held as Enums (a tall table) give the same values.
    enum_rows = repeats_as_enum(rows)
    assert {c for c, t in enum_rows.schema.items() if isinstance(t, pl.Enum)} == set(
        MAPPING.values()
    ) - set(distinct)
    got = shipments_from_table(enum_rows, MAPPING, ALIASES)
    assert_frame_equal(got.with_columns(pl.selectors.enum().cast(pl.String)), expected)


def test_shipments_with_absent_columns_and_without_aliases(small_probe):
    rows = _rows(300)
    mapping = {k: MAPPING[k] for k in ("vessel", "departure_date")}
    expected = _row_by_row(rows, mapping)
    assert_frame_equal(shipments_from_table(rows, mapping, ALIASES), expected)
    # Without the alias tables every id column is still there, empty.
    unresolved = shipments_from_table(rows, mapping)
    ids = ["vessel_id", "departure_port_id", "arrival_port_id"]
    assert_frame_equal(unresolved.drop(ids), expected.drop(ids))
    assert unresolved.select(pl.col(ids).is_null().all()).row(0) == (True, True, True)


def test_repeats_as_enum_keeps_mostly_distinct_columns_as_text(small_probe):
    frame = pl.DataFrame({"few": ["a", "b", None] * 100, "many": [str(i) for i in range(300)]})
    out = repeats_as_enum(frame)
    assert isinstance(out.schema["few"], pl.Enum) and out.schema["many"] == pl.String
    assert out["few"].cast(pl.String).to_list() == frame["few"].to_list()


# --------------------------------------------------------------------------- stage and load


def test_tall_ledger_rows_are_accounted_quarantined_and_loaded_as_received(small_probe, tmp_path):
    frame = _rows(300).drop("row_number")
    frame = frame.with_columns(
        pl.when(pl.int_range(pl.len()) == 5)
        .then(pl.lit("31/02/2024"))
        .otherwise(pl.col("Sailed"))
        .alias("Sailed")
    )
    rules = load_rules(REPO_ROOT / "reference")
    table = table_input("l.csv", "a" * 64, "", frame)
    assert any(isinstance(t, pl.Enum) for t in table.rows.dtypes)
    started = dt.datetime(2024, 1, 1)
    ledger = pl.DataFrame(
        [
            {
                "path": "l.csv",
                "sha256": "a" * 64,
                "size_bytes": 1,
                "version": 1,
                "status": "loaded",
                "rows_in": frame.height,
                "first_seen": started,
                "run_id": "r1",
            }
        ],
        schema=FILES_SCHEMA,
    )
    ingested = Ingested(
        ledger=ledger,
        documents=pl.DataFrame(schema=DOCUMENT_SCHEMA),
        tables=(table,),
        raw_documents=pl.DataFrame(),
        raw_rows=(raw_rows(table, "r1"),),
        quarantine=pl.DataFrame(),
        checks=(),
    )
    nothing = Extracted(*extract_reports(ingested.documents, rules))  # a ledger holds no report
    validated = validate(
        ingested, nothing, normalise((table,), rules, REPO_ROOT / "reference"), "r1", started
    )

    typed = _row_by_row(
        frame.with_row_index("row_number", offset=1).with_columns(
            pl.col("row_number").cast(pl.Int64)
        ),
        match_shape(frame.columns, SHAPES).fields,
    )
    gate = validate_rows(typed, StgShipment)
    (entry,) = validated.ledger.to_dicts()
    assert (
        entry["rows_loaded"] == gate.valid.height
        and entry["rows_quarantined"] == gate.rejected.height > 0
    )
    assert (
        entry["rows_in"] == entry["rows_loaded"] + entry["rows_quarantined"] + entry["rows_skipped"]
    )
    assert validated.quarantine.height == gate.rejected.height
    for q in validated.quarantine.iter_rows(named=True):
        number = int(q["locator"].split()[1])
        received = frame.row(number - 1, named=True)
        assert json.loads(q["original_row"]) == received

    con = db.connect(tmp_path / "w.duckdb")
    db.apply_ddl(con)
    loaded = load_group(con, validated)
    assert (
        loaded.rows["raw.table_rows"] == frame.height
        and loaded.rows["shipments"] == gate.valid.height
    )
    # One raw.tables row for the sheet; its cells as typed text columns in header order.
    assert con.execute(
        "select sha256, file_name, sheet, columns, run_id from raw.tables"
    ).fetchall() == [("a" * 64, "l.csv", "", frame.columns, "r1")]
    cells = ", ".join(f"c{i + 1}" for i in range(frame.width))
    stored = con.execute(f"select {cells} from raw.table_rows order by row_number").pl()
    assert stored.schema == pl.Schema({f"c{i + 1}": pl.String for i in range(frame.width)})
    stored.columns = frame.columns
    assert_frame_equal(stored, frame)
    assert con.execute("select row_number from raw.table_rows order by 1").fetchall() == [
        (n,) for n in range(1, frame.height + 1)
    ]
    raw = con.execute(
        "select row_json, sha256, file_name, sheet, run_id from raw.received_rows "
        "order by row_number"
    ).fetchall()
    for (row_json, sha, name, sheet, run), received in zip(
        raw, frame.iter_rows(named=True), strict=True
    ):
        assert list(json.loads(row_json).items()) == list(received.items())
        assert (sha, name, sheet, run) == ("a" * 64, "l.csv", "", "r1")
    staged = con.execute(
        "select row_number, vessel, vessel_id, departure_date, containers from "
        "staging.stg_ledgers__shipments order by row_number"
    ).pl()
    expected = gate.valid.select(
        "row_number", "vessel", "vessel_id", "departure_date", pl.col("containers").cast(pl.Int32)
    )
    assert_frame_equal(staged, expected, check_dtypes=False)
    assert con.execute("select rows_loaded, rows_quarantined from ops.files").fetchone() == (
        gate.valid.height,
        gate.rejected.height,
    )


def test_append_rows_writes_constants_once():
    con = duckdb.connect()
    con.execute("create table t (k varchar, n bigint, j varchar, c varchar)")
    frame = pl.DataFrame({"k": ["const"] * 3, "n": [1, 2, 3], "j": ["x", None, 'q"\\']})
    frame = frame.with_columns(pl.lit("C").alias("c"))
    assert load.append_rows(con, "t", frame, constant_columns=("k", "c")) == 3
    got = con.execute("select k, n, j, c from t order by n").pl()
    assert_frame_equal(got, frame)


def test_raw_rows_widen_for_a_wider_sheet_and_read_back_by_header(tmp_path):
    """A second, wider sheet adds cell columns; each sheet reads back under its own header,
    names with quotes, slashes and tildes included, and the JSON view follows the header."""
    con = db.connect(tmp_path / "w.duckdb")
    db.apply_ddl(con)
    narrow = pl.DataFrame({"a": ["1", None], "b": ["x", "y"]})
    wide = pl.DataFrame(
        {'q"1': ["p"], "s/l~": ["r"], "": [None], "d": ["4"]}, schema_overrides={"": pl.String}
    )
    for sha, name, frame in (("1" * 64, "n.csv", narrow), ("2" * 64, "w.csv", wide)):
        con.execute("begin transaction")
        load.append_raw_rows(con, [raw_rows(table_input(name, sha, "", frame), "r")])
        con.execute("commit")
    columns = con.execute(
        "select column_name from duckdb_columns() where table_name = 'table_rows'"
    ).fetchall()
    assert [c for (c,) in columns] == ["table_id", "row_number", "c1", "c2", "c3", "c4"]
    assert con.execute("select table_id, file_name from raw.tables order by 1").fetchall() == [
        (1, "n.csv"),
        (2, "w.csv"),
    ]
    for sha, name, frame in (("1" * 64, "n.csv", narrow), ("2" * 64, "w.csv", wide)):
        (table,) = read_raw(con, RawGroup("table", (sha, name))).tables
        assert_frame_equal(table.rows.drop("row_number").cast(pl.String), frame)
        views = con.execute(
            "select row_json from raw.received_rows where file_name = ? order by row_number",
            [name],
        ).fetchall()
        assert [json.loads(v) for (v,) in views] == frame.to_dicts()
