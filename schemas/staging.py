"""Pandera models for staged frames: extracted claims and mentions, normalised table rows."""

from __future__ import annotations

import datetime as dt

import pandera.polars as pa
import polars as pl

from transforms.vocabulary import EARLIEST_DATE, ENTITY_TYPES, ISO2, MAX_CONTAINERS, QUALIFIERS

LATEST = dt.date(2100, 1, 1)


class Staged(pa.DataFrameModel):
    """Base: integer and float widths from the transforms are coerced to the model's types."""

    class Config:
        coerce = True


class Bounded(Staged):
    """Base for a figure with bounds: the checks every claim and reported figure share."""

    # Pandera makes these class methods; mypy cannot see that on a base model.
    @pa.dataframe_check
    def low_not_above_high(cls, data: pa.PolarsData) -> pl.LazyFrame:  # type: ignore[misc]
        """A range never runs backwards."""
        low, high = pl.col("value_low"), pl.col("value_high")
        return data.lazyframe.select(low.is_null() | high.is_null() | (low <= high))

    @pa.dataframe_check
    def has_a_bound(cls, data: pa.PolarsData) -> pl.LazyFrame:  # type: ignore[misc]
        """A figure without any number is not a figure."""
        return data.lazyframe.select(
            pl.col("value_low").is_not_null() | pl.col("value_high").is_not_null()
        )


class ReceivedTable(Staged):
    """Base for rows normalised from a received table."""

    row_number: int = pa.Field(ge=1, description="Row in the received table.")
    unparsed_cells: str = pa.Field(
        nullable=True, description="Columns whose text could not be read (dropped before load)."
    )

    @pa.check("unparsed_cells")
    def every_cell_parses(cls, data: pa.PolarsData) -> pl.LazyFrame:
        """Text that could not be read as a date or number must not load as a silent null."""
        col = pl.col(data.key)
        return data.lazyframe.select(col.is_null() | (col == ""))


class StgClaim(Bounded):
    """staging.stg_reports__claims: one attributed quantitative claim found in a report."""

    doc_id: str = pa.Field(description="Document the claim was found in.")
    claim_seq: int = pa.Field(ge=0, description="Order of the claim within its document.")
    metric: str = pa.Field(description="Metric from reference/metrics.csv.")
    value_low: float = pa.Field(
        nullable=True, ge=0, description="Lower bound in base units; null = open."
    )
    value_high: float = pa.Field(
        nullable=True, ge=0, description="Upper bound in base units; null = open."
    )
    unit: str = pa.Field(description="Catalogue unit; ISO 4217 code for money.")
    qualifier: str = pa.Field(isin=list(QUALIFIERS), description="How the text hedges the figure.")
    attributed_to: str = pa.Field(
        nullable=True, description="Canonical claimant; null = the outlet itself."
    )
    reported_by: str = pa.Field(nullable=True, description="Intermediary relaying the claimant.")
    # Optional columns: frames made before the extractor wrote them still validate.
    claimant: str | None = pa.Field(
        nullable=True, description="Claimant as written; the outlet for its own figures."
    )
    claimant_kind: str | None = pa.Field(
        nullable=True,
        isin=["alias", "candidate", "outlet"],
        description="alias: in aliases.csv; candidate: a new name to review; outlet.",
    )
    supplier: str = pa.Field(
        nullable=True, str_matches=ISO2, description="ISO 3166 alpha-2 of the giver."
    )
    recipient: str = pa.Field(
        nullable=True, str_matches=ISO2, description="ISO 3166 alpha-2 of the receiver."
    )
    period_start: dt.date = pa.Field(nullable=True, description="First day the figure covers.")
    period_end: dt.date = pa.Field(nullable=True, description="Last day the figure covers.")
    quote: str = pa.Field(str_length={"min_value": 1}, description="Exact text of the figure.")
    char_start: int = pa.Field(ge=0, description="Offset of the quote in the document text.")
    char_end: int = pa.Field(ge=1, description="End offset (exclusive) of the quote.")

    @pa.dataframe_check(name="percent within 0-100")
    def percent_range(cls, data: pa.PolarsData) -> pl.LazyFrame:
        """Shares are stated as 0-100."""
        is_pct = pl.col("unit") == "percent"
        within = pl.all_horizontal(
            pl.col(c).is_null() | pl.col(c).is_between(0, 100) for c in ("value_low", "value_high")
        )
        return data.lazyframe.select(~is_pct | within)

    @pa.dataframe_check(name="char_start < char_end")
    def span_ordered(cls, data: pa.PolarsData) -> pl.LazyFrame:
        """The quote's span is non-empty."""
        return data.lazyframe.select(pl.col("char_start") < pl.col("char_end"))

    class Config:
        name = "staging.stg_reports__claims"
        unique = ["doc_id", "claim_seq"]
        coerce = True


class StgEntityMention(Staged):
    """staging.stg_reports__entity_mentions: a name from the alias tables found in a report."""

    doc_id: str = pa.Field(description="Document of the mention.")
    entity_id: str = pa.Field(description="Canonical entity (reference/aliases.csv).")
    entity_type: str = pa.Field(
        isin=list(ENTITY_TYPES),
        description="Kind of entity.",
    )
    canonical_name: str = pa.Field(description="Canonical display name.")
    surface: str = pa.Field(description="The text as written.")
    char_start: int = pa.Field(ge=0, description="Offset in the document text.")
    char_end: int = pa.Field(ge=1, description="End offset (exclusive).")

    class Config:
        name = "staging.stg_reports__entity_mentions"
        coerce = True


class StgShipment(ReceivedTable):
    """staging.stg_ledgers__shipments: one voyage row of a received ledger, normalised."""

    vessel: str = pa.Field(str_length={"min_value": 1}, description="Vessel name as received.")
    vessel_id: str = pa.Field(
        nullable=True, description="Resolved vessel entity; null = unknown alias."
    )
    departure_port: str = pa.Field(nullable=True, description="Departure port as received.")
    departure_port_id: str = pa.Field(nullable=True, description="Resolved departure port.")
    departure_date: dt.date = pa.Field(
        in_range={"min_value": EARLIEST_DATE, "max_value": LATEST},
        description="Date the vessel sailed.",
    )
    arrival_port: str = pa.Field(nullable=True, description="Arrival port as received.")
    arrival_port_id: str = pa.Field(nullable=True, description="Resolved arrival port.")
    arrival_date: dt.date = pa.Field(nullable=True, description="Date the vessel arrived.")
    containers: int = pa.Field(
        nullable=True, ge=0, le=MAX_CONTAINERS, description="Containers carried."
    )
    evidence: str = pa.Field(nullable=True, description="What the row rests on.")
    source: str = pa.Field(nullable=True, description="Who compiled the row.")

    @pa.dataframe_check(name="arrival_date >= departure_date")
    def arrives_after_departure(cls, data: pa.PolarsData) -> pl.LazyFrame:
        """A voyage cannot end before it starts."""
        arr, dep = pl.col("arrival_date"), pl.col("departure_date")
        return data.lazyframe.select(arr.is_null() | (arr >= dep))

    class Config:
        name = "staging.stg_ledgers__shipments"
        coerce = True


class TableFigure(Bounded):
    """Base for a figure a table states: a catalogue metric, its bounds, unit and hedge."""

    metric: str = pa.Field(description="Metric from reference/metrics.csv.")
    value_low: float = pa.Field(nullable=True, ge=0, description="Lower bound; null = open.")
    value_high: float = pa.Field(nullable=True, ge=0, description="Upper bound; null = open.")
    unit: str = pa.Field(
        description="Catalogue unit of the metric (null = metric not in catalogue)."
    )
    qualifier: str = pa.Field(isin=list(QUALIFIERS), description="How the table hedges the figure.")


class StgFigure(ReceivedTable, TableFigure):
    """staging.stg_tables__figures: one figure row of a received table, normalised."""

    period_start: dt.date = pa.Field(nullable=True, description="First day covered.")
    period_end: dt.date = pa.Field(
        nullable=True, description="Last day covered, or the as-of date."
    )
    source: str = pa.Field(nullable=True, description="Who reported the figure.")
    note: str = pa.Field(nullable=True, description="Free-text note from the table.")

    class Config:
        name = "staging.stg_tables__figures"
        coerce = True


class ExpandedTable(ReceivedTable):
    """Base for rows of a target where one received row may give several (list items, melted
    wide columns): the key is (file, sheet, row_number, item)."""

    item: int = pa.Field(
        ge=0, description="Position of the item within its received row (0 if one)."
    )

    class Config:
        unique = ["row_number", "item"]
        coerce = True


class StgDelivery(ExpandedTable):
    """staging.stg_tables__deliveries: one system a donor gave, from a row of a weapons table."""

    donor: str = pa.Field(str_length={"min_value": 1}, description="Donor as received.")
    donor_id: str = pa.Field(
        nullable=True, description="Resolved donor (country entity); null = unknown alias."
    )
    recipient: str = pa.Field(
        nullable=True, description="Recipient as received or declared by the shape."
    )
    recipient_id: str = pa.Field(nullable=True, description="Resolved recipient.")
    category: str = pa.Field(nullable=True, description="Weapon category as received.")
    metric: str = pa.Field(
        nullable=True, description="Claim metric the category counts toward, if any."
    )
    system: str = pa.Field(
        nullable=True, description="System named in the row's list; null = none listed."
    )
    system_id: str = pa.Field(nullable=True, description="Resolved weapon system.")
    count: int = pa.Field(
        nullable=True, ge=0, description="Systems of this item (the row's count if it lists one)."
    )
    value: float = pa.Field(
        nullable=True, ge=0, description="Value of this item when the row lists one system."
    )
    currency: str = pa.Field(nullable=True, description="ISO 4217 code of the values.")
    row_count: int = pa.Field(
        nullable=True, ge=0, description="Systems the received row counts in all."
    )
    row_value: float = pa.Field(
        nullable=True, ge=0, description="Value the received row states in all."
    )
    period_start: dt.date = pa.Field(nullable=True, description="First day covered.")
    period_end: dt.date = pa.Field(nullable=True, description="Last day covered.")
    source: str = pa.Field(nullable=True, description="Who compiled the row.")
    note: str = pa.Field(nullable=True, description="Free-text note from the table.")

    class Config:
        name = "staging.stg_tables__deliveries"

    @pa.dataframe_check(name="items add up to the row's count")
    def items_add_up(cls, data: pa.PolarsData) -> pl.LazyFrame:
        """When every item of a row states its count, they sum to the count the row states."""
        counted = pl.col("count").is_not_null().all().over("row_number")
        total = pl.col("count").sum().over("row_number")
        return data.lazyframe.select(
            pl.col("row_count").is_null() | ~counted | (total == pl.col("row_count"))
        )


class StgStrike(ExpandedTable):
    """staging.stg_tables__strikes: one weapon model of a row of a missile and drone attack log."""

    window_start: dt.datetime = pa.Field(
        in_range={
            "min_value": dt.datetime.combine(EARLIEST_DATE, dt.time()),
            "max_value": dt.datetime(2100, 1, 1),
        },
        description="Start of the attack or reporting window (midnight when only a date is given).",
    )
    window_end: dt.datetime = pa.Field(nullable=True, description="End of the window.")
    model: str = pa.Field(
        nullable=True, description="Weapon model as reported (one of the row's models)."
    )
    model_ids: list[str] = pa.Field(
        nullable=True, description="Weapon systems the model names (aliases)."
    )
    launched: int = pa.Field(
        nullable=True, ge=0, description="Launched, when the row names this model alone."
    )
    destroyed: int = pa.Field(
        nullable=True, ge=0, description="Destroyed, when the row names this model alone."
    )
    row_launched: int = pa.Field(nullable=True, ge=0, description="Launched in the whole row.")
    row_destroyed: int = pa.Field(nullable=True, ge=0, description="Destroyed in the whole row.")
    launch_place: str = pa.Field(nullable=True, description="Launch areas as reported.")
    target: str = pa.Field(nullable=True, description="Target region or direction.")
    source: str = pa.Field(nullable=True, description="The post or channel the row came from.")

    class Config:
        name = "staging.stg_tables__strikes"

    @pa.dataframe_check(name="window_end >= window_start")
    def window_ordered(cls, data: pa.PolarsData) -> pl.LazyFrame:
        """A window does not end before it starts (a bare end date counts to its end)."""
        end, start = pl.col("window_end"), pl.col("window_start")
        return data.lazyframe.select(end.is_null() | (end + pl.duration(days=1) > start))

    @pa.dataframe_check(name="destroyed <= launched")
    def destroyed_within_launched(cls, data: pa.PolarsData) -> pl.LazyFrame:
        """No more are destroyed than were launched."""
        low, high = pl.col("row_destroyed"), pl.col("row_launched")
        return data.lazyframe.select(low.is_null() | high.is_null() | (low <= high))


class StgSeriesPoint(ExpandedTable, TableFigure):
    """staging.stg_tables__series: one figure of a dated series (a daily report), with its hedge."""

    date: dt.date = pa.Field(
        in_range={"min_value": EARLIEST_DATE, "max_value": LATEST},
        description="Date of the report.",
    )
    subject: str = pa.Field(
        nullable=True, description="Whose figure it is (the side that lost the troops)."
    )
    subject_id: str = pa.Field(nullable=True, description="Resolved subject (country entity).")
    source: str = pa.Field(nullable=True, description="Who reports the series.")
    cumulative: bool = pa.Field(
        nullable=True, description="Figures are running totals since a start date."
    )

    class Config:
        name = "staging.stg_tables__series"


# Staging table -> the model that gates its rows.
STAGED_TABLES: dict[str, type[ReceivedTable]] = {
    "staging.stg_ledgers__shipments": StgShipment,
    "staging.stg_tables__figures": StgFigure,
    "staging.stg_tables__deliveries": StgDelivery,
    "staging.stg_tables__strikes": StgStrike,
    "staging.stg_tables__series": StgSeriesPoint,
}
