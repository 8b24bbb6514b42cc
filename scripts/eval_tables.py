"""Run the real pipeline on the shared public tables (with the shared articles, so claims can be
set against them) and report what happened to every table row and every claims-against-tables
check.

Usage: python scripts/eval_tables.py [--shared ../shared/realworld] [--rows N]
Exits 0 with a message when the folder is absent; 1 when a table row is unaccounted for or
skipped because no shape knows its table.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb

TABLE_SUFFIXES = {".csv", ".tsv", ".xlsx", ".json", ".jsonl", ".parquet"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path("../shared/realworld"))
    parser.add_argument("--rows", type=int, default=8, help="reconciliation rows to show per check")
    args = parser.parse_args()
    tables = [p for p in sorted((args.shared / "tables").glob("*")) if p.suffix in TABLE_SUFFIXES]
    if not tables:
        print(f"skipped: no tables at {args.shared / 'tables'}")
        return 0
    articles = (
        sorted((args.shared / "articles").glob("*")) if (args.shared / "articles").is_dir() else []
    )
    with tempfile.TemporaryDirectory() as tmp:
        inbox, warehouse = Path(tmp) / "inbox", Path(tmp) / "eval.duckdb"
        inbox.mkdir()
        for path in [*tables, *articles]:
            if path.is_file():
                shutil.copy(path, inbox / path.name)
        run = subprocess.run(
            [
                str(Path(sys.executable).parent / "supplyline"),
                "run",
                "--inbox",
                str(inbox),
                "--warehouse",
                str(warehouse),
            ],
            capture_output=True,
            text=True,
            env={**os.environ, "SUPPLYLINE_DATA_DIR": tmp},
        )
        print(run.stdout.strip())
        if not warehouse.exists():
            print(run.stderr[-3000:], file=sys.stderr)
            return 1
        con = duckdb.connect(str(warehouse), read_only=True)
        try:
            return report(con, [p.name for p in tables], args.rows)
        finally:
            con.close()


def report(con: duckdb.DuckDBPyConnection, names: list[str], shown: int) -> int:
    """Print the accounting of each table and the reconciliations; 1 when a row is lost."""
    problems = 0
    print(
        f"\n{len(names)} tables and {len(names) and con.execute('select count(*) from marts.documents').fetchone()[0]}"
        " reports in the inbox\n"
    )
    print(f"{'table':<32} {'rows':>6} {'loaded':>7} {'quarantined':>12} {'skipped':>8}")
    for name in names:
        row = con.execute(
            "select status, rows_in, rows_loaded, rows_quarantined, rows_skipped, note, error "
            "from ops.files where path = ?",
            [name],
        ).fetchone()
        if row is None:
            print(f"{name:<32} not in ops.files")
            problems += 1
            continue
        status, rows_in, loaded, quarantined, skipped, note, error = row
        print(
            f"{name:<32} {rows_in or 0:>6} {loaded or 0:>7} {quarantined or 0:>12} {skipped or 0:>8}"
        )
        print(f"    {status}: {note or error}")
        if status != "loaded" or rows_in != (loaded or 0) + (quarantined or 0) + (skipped or 0):
            problems += 1
        if skipped and "no known table shape" in (note or ""):
            problems += 1
        for check, reason, n in con.execute(
            "select check_name, any_value(reason), count(*) from dq.quarantine where source_file = ? "
            "group by 1 order by 3 desc",
            [name],
        ).fetchall():
            print(f"    quarantined {n}: {check}: {reason[:160]}")
    print("\nmarts:")
    for mart in ("deliveries", "strike_events", "reported_series", "reconciliations"):
        print(
            f"  marts.{mart}: {con.execute(f'select count(*) from marts.{mart}').fetchone()[0]} rows"
        )
    print("\nclaims against tables:")
    for check, table, agree, disagree, none in con.execute(
        "select c.check_name, c.table_name, count(r.verdict) filter (where r.verdict = 'agree'), "
        "count(r.verdict) filter (where r.verdict = 'disagree'), "
        "count(r.verdict) filter (where r.verdict = 'no overlap') "
        "from ref.reconciliations c left join marts.reconciliations r using (check_name) "
        "group by all order by 1"
    ).fetchall():
        print(f"  {check} ({table}): {agree} agree, {disagree} disagree, {none} no overlap")
        for row in con.execute(
            "select file_name, claim_low, claim_high, table_low, table_high, verdict, note, window_start, "
            "window_end from marts.reconciliations where check_name = ? order by verdict, file_name limit ?",
            [check, shown],
        ).fetchall():
            file_name, low, high, t_low, t_high, verdict, note, start, end = row
            print(
                f"    {verdict:<10} claim {_span(low, high):<18} table {_span(t_low, t_high):<18} "
                f"{start or ''}..{end or ''} {file_name}" + (f" ({note})" if note else "")
            )
    print("\nevery table row accounted for" if not problems else f"\n{problems} problems")
    return 1 if problems else 0


def _span(low: float | None, high: float | None) -> str:
    if low is None and high is None:
        return "-"

    def num(v: float | None) -> str:
        return "open" if v is None else f"{v:,.0f}"

    return num(low) if low == high else f"{num(low)}..{num(high)}"


if __name__ == "__main__":
    sys.exit(main())
