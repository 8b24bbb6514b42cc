"""Words and bounds that every layer shares: defined here once, imported everywhere else."""

from __future__ import annotations

import datetime as dt

# How a text or a table hedges a figure.
QUALIFIERS = ("exact", "approx", "at_least", "at_most", "range", "vague")
# Kinds of entity in reference/aliases.csv.
ENTITY_TYPES = ("country", "organisation", "person", "vessel", "port", "weapon_system")
# Supplier and recipient are ISO 3166 alpha-2 codes.
ISO2 = r"^[A-Z]{2}$"
# No report or ledger we read describes events before this; an earlier date is a misread.
EARLIEST_DATE = dt.date(1990, 1, 1)
# Dates up to a year after today are plausible (a scheduled delivery); later ones are typos.
PLAUSIBLE_AHEAD = dt.timedelta(days=366)
# No ship carries more containers than this; a larger count is a misread.
MAX_CONTAINERS = 100_000
# Where a document's publication date was read, and its outlet's name ("page" and "file_name":
# the outlet finder filled it at ingest, from the text or the file name).
DATE_SOURCES = (
    "front_matter",
    "meta",
    "json_ld",
    "time_element",
    "pdf_metadata",
    "file_name",
    "none",
)
OUTLET_SOURCES = ("front_matter", "meta", "json_ld", "page", "file_name", "none")
