"""The incremental full-text index update equals a full rebuild by the FTS extension."""

from __future__ import annotations

import polars as pl
import pytest

from warehouse import db

QUERIES = ["shells Rajin", "containers voyages", "troops killed wounded", "Vostochny"]
INDEX_QUERIES = [
    "select name, len from fts_marts_documents.docs order by all",
    "select term, df from fts_marts_documents.dict where df > 0 order by all",
    "select num_docs, round(avgdl, 9) from fts_marts_documents.stats",
    "select d.name, t.fieldid, dict.term, count(*) from fts_marts_documents.terms as t "
    "join fts_marts_documents.docs as d using (docid) join fts_marts_documents.dict using (termid) "
    "group by all order by all",
]


@pytest.fixture(scope="module")
def documents(sample_documents) -> pl.DataFrame:
    rows = sample_documents.select("doc_id", "title", "text")
    # more documents than the samples, so that a few changes stay under the rebuild share
    extra = [
        {
            "doc_id": f"e{i:015d}",
            "title": f"Note {i}",
            "text": f"Vessel {i} carried {i} containers.",
        }
        for i in range(40)
    ]
    return pl.concat([rows, pl.DataFrame(extra)]).sort("doc_id")


def _publish(con, frame: pl.DataFrame) -> None:
    con.execute("create or replace table marts.documents as select * from frame")


def _index(con) -> list:
    return [con.execute(q).fetchall() for q in INDEX_QUERIES]


def _scores(con) -> list:
    return [
        con.execute(
            "select doc_id, round(fts_marts_documents.match_bm25(doc_id, ?), 9) as s "
            "from marts.documents where s is not null order by all",
            [q],
        ).fetchall()
        for q in QUERIES
    ]


def test_incremental_update_equals_a_full_rebuild(documents):
    n = documents.height
    full = db.connect()
    full.execute("create schema marts")
    _publish(full, documents)
    db.build_fts_index(full)

    inc = db.connect()
    inc.execute("create schema marts")
    _publish(inc, documents.slice(0, n - 4))
    assert db.refresh_fts_index(inc) == "built"
    _publish(inc, documents.slice(3, n - 4))  # three documents leave, three arrive
    assert db.refresh_fts_index(inc) == "updated"
    _publish(inc, documents)  # the three come back, the last one arrives
    assert db.refresh_fts_index(inc) == "updated"

    assert _index(inc) == _index(full)
    scores = _scores(inc)
    assert scores == _scores(full) and all(scores)
    assert inc.execute(
        "select count(*) from duckdb_tables() where table_name like 'fts_new%'"
    ).fetchone() == (0,)


def test_a_large_change_rebuilds(documents):
    con = db.connect()
    con.execute("create schema marts")
    _publish(con, documents.slice(0, 10))
    assert db.refresh_fts_index(con) == "built"
    _publish(con, documents)
    assert db.refresh_fts_index(con) == "built"
    assert con.execute("select num_docs from fts_marts_documents.stats").fetchone() == (
        documents.height,
    )
