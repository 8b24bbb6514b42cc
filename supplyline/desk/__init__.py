"""The analyst's desk: search, the run report, the data dictionary, exports and as-of
questions, all over the published warehouse through read-only connections."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb


def open_warehouse(settings, as_of: dt.date | None = None) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the configured warehouse, or to its as-of views on a date."""
    from warehouse import targets

    if as_of is None:
        return targets.open_for_reading(settings)
    from supplyline.desk import asof

    if settings.lake_catalog:
        data = settings.lake_data_path or settings.data_dir / "lake"
        con = targets.connect_lake(settings.lake_catalog, Path(data).resolve(), read_only=True)
        con.execute("use memory")
        asof.define_as_of_views(con, "lake", as_of)
        return con
    return asof.open_as_of(settings.warehouse, as_of)
