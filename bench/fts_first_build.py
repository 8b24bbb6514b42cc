"""A first full-text index: the extension's build against the nightly update path.

The nightly path (``warehouse/fts_update.sql``) indexes only documents that entered or left
marts.documents. On a first load every document is new, so the question is whether building
the index that way (the extension's tables and macros made over an empty stand-in, then every
document added by ``fts_update.sql``) beats ``pragma create_fts_index``. Both run on the same
generated corpus in one DuckDB file, and the two indexes are compared.

    .venv/bin/python bench/fts_first_build.py --docs 30000
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import duckdb  # noqa: E402

from warehouse import db  # noqa: E402

UPDATE_SQL = Path(db.__file__).with_name("fts_update.sql")
INDEX = "fts_marts_documents"


def corpus(con: duckdb.DuckDBPyConnection, docs: int) -> float:
    """``docs`` documents of ~600 words drawn from a 5,000-word vocabulary; returns MB."""
    con.execute("create schema marts")
    con.execute(
        """
        create table marts.documents as
        with words as (select 'w' || (i * i % 4999)::varchar as w, i from range(1, 6000) t(i))
        select 'd' || lpad(d::varchar, 8, '0') as doc_id,
               'report ' || d::varchar || ' shells rajin' as title,
               (select string_agg(w, ' ') from (
                   select w from words where (i * 7919 + d * 104729) % 9 = 0 limit 600)) as text
        from range(?) t(d)
        """,
        [docs],
    )
    con.execute("checkpoint")
    return db.scalar(con, "select sum(strlen(title) + strlen(text)) from marts.documents") / 1e6


def through_update(con: duckdb.DuckDBPyConnection) -> None:
    """The index made over an empty stand-in, then every document added as new."""
    con.execute("alter table marts.documents rename to documents__all")
    con.execute("create table marts.documents (doc_id varchar, title varchar, text varchar)")
    db.build_fts_index(con)
    con.execute("drop table marts.documents")
    con.execute("alter table marts.documents__all rename to documents")
    con.execute(UPDATE_SQL.read_text())


def snapshot(con: duckdb.DuckDBPyConnection) -> tuple:
    """What ranking reads: corpus statistics, document lengths, and (term, doc) postings."""
    return (
        con.execute(f"select num_docs, round(avgdl, 9) from {INDEX}.stats").fetchall(),
        con.execute(f"select name, len from {INDEX}.docs order by name").fetchall(),
        con.execute(
            f"select d.term, s.name, t.fieldid, count(*) from {INDEX}.terms t "
            f"join {INDEX}.dict d using (termid) join {INDEX}.docs s using (docid) "
            "group by all order by all"
        ).fetchall(),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=30000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        con = db.connect(Path(tmp) / "fts.duckdb")
        mb = corpus(con, args.docs)
        start = time.perf_counter()
        db.build_fts_index(con)
        pragma_s = time.perf_counter() - start
        expected = snapshot(con)
        con.execute(f"drop schema {INDEX} cascade")
        start = time.perf_counter()
        through_update(con)
        update_s = time.perf_counter() - start
        same = snapshot(con) == expected
    print(f"{args.docs} documents, {mb:.1f} MB of text")
    print(f"pragma create_fts_index: {pragma_s:.2f} s ({mb / pragma_s:.1f} MB/s)")
    print(f"empty index + fts_update.sql: {update_s:.2f} s ({mb / update_s:.1f} MB/s)")
    print(f"same index: {same}")


if __name__ == "__main__":
    main()
