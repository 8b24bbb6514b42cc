"""What a table shape declaration may say (``reference/shapes/*.yaml``), validated with Pydantic.

A shape maps the columns of a received table onto the canonical fields of one *target*: a
staging table with its DDL, Pandera model and marts. Targets are fixed here, because each one
needs SQL and a schema; shapes are data, so a new layout of an existing kind of table is a
YAML file, never Python. ``transforms.tables`` interprets a declaration; ``supplyline.shapes``
reads the files.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

QUALIFIERS = ("exact", "approx", "at_least", "at_most", "range", "vague")
ENTITY_TYPES = ("country", "organisation", "person", "vessel", "port", "weapon_system")
FieldType = Literal[
    "text", "name", "date", "datetime", "count", "number", "metric", "qualifier", "flag"
]
_SLUG = r"^[a-z][a-z0-9_]*$"


@dataclass(frozen=True)
class Target:
    """A canonical table that shapes load into.

    ``fields``: canonical field -> type, in output order. ``ids``: fields that may be resolved
    through the alias tables -> the id column they fill. ``list_ids``: id columns that hold a
    list (a cell naming alternatives, "A/B"). ``items``: one received row may become several
    (list cells, melted columns), so the key has an ``item`` column. ``unit``: rows carry the
    catalogue unit of their metric.
    """

    table: str
    fields: dict[str, FieldType]
    ids: dict[str, str] = field(default_factory=dict)
    list_ids: frozenset[str] = frozenset()
    items: bool = False
    unit: bool = False


TARGETS: dict[str, Target] = {
    "shipments": Target(
        "staging.stg_ledgers__shipments",
        {
            "vessel": "name",
            "departure_port": "text",
            "departure_date": "date",
            "arrival_port": "text",
            "arrival_date": "date",
            "containers": "count",
            "evidence": "text",
            "source": "text",
        },
        ids={
            "vessel": "vessel_id",
            "departure_port": "departure_port_id",
            "arrival_port": "arrival_port_id",
        },
    ),
    "figures": Target(
        "staging.stg_tables__figures",
        {
            "metric": "metric",
            "value_low": "number",
            "value_high": "number",
            "qualifier": "qualifier",
            "period_start": "date",
            "period_end": "date",
            "source": "text",
            "note": "text",
        },
        unit=True,
    ),
    "deliveries": Target(
        "staging.stg_tables__deliveries",
        {
            "donor": "name",
            "recipient": "name",
            "category": "text",
            "metric": "metric",
            "system": "name",
            "count": "count",
            "value": "number",
            "currency": "text",
            "row_count": "count",
            "row_value": "number",
            "period_start": "date",
            "period_end": "date",
            "source": "text",
            "note": "text",
        },
        ids={"donor": "donor_id", "recipient": "recipient_id", "system": "system_id"},
        items=True,
    ),
    "strikes": Target(
        "staging.stg_tables__strikes",
        {
            "window_start": "datetime",
            "window_end": "datetime",
            "model": "name",
            "launched": "count",
            "destroyed": "count",
            "row_launched": "count",
            "row_destroyed": "count",
            "launch_place": "text",
            "target": "text",
            "source": "text",
        },
        ids={"model": "model_ids"},
        list_ids=frozenset({"model_ids"}),
        items=True,
    ),
    "series": Target(
        "staging.stg_tables__series",
        {
            "date": "date",
            "metric": "metric",
            "value_low": "number",
            "value_high": "number",
            "qualifier": "qualifier",
            "subject": "name",
            "source": "text",
            "cumulative": "flag",
        },
        ids={"subject": "subject_id"},
        items=True,
        unit=True,
    ),
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Column(_Strict):
    """Where one canonical field is read: the first received header that matches one of these
    (exact text first, then ignoring case, spacing and punctuation)."""

    headers: list[str] = Field(min_length=1)


class Derived(_Strict):
    """A field computed from another field's received text through a table of values; text
    the table does not list gives an empty field."""

    source: str = Field(alias="from")
    values: dict[str, str] = Field(min_length=1)


class ListCells(_Strict):
    """A cell that lists several things (``M777 (6); CAESAR (19)``): one output row per item.

    ``field`` holds the list; ``separator`` is the literal text between items; ``item`` is a
    regular expression whose named groups are fields (an item it does not match is kept
    whole in ``field``); ``totals`` names, for an item field, the row field it takes when the
    row lists a single item and the item says nothing (the row's own count, say).
    """

    field: str
    separator: str = Field(min_length=1)
    item: str | None = None
    totals: dict[str, str] = Field(default_factory=dict)

    @field_validator("item")
    @classmethod
    def _compiles(cls, pattern: str | None) -> str | None:
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"item is not a regular expression: {exc}") from None
            if not re.compile(pattern).groupindex:
                raise ValueError("item needs named groups, e.g. (?P<count>\\d+)")
        return pattern


class MeltColumn(_Strict):
    """One wide column: its headers, the label it gives ``label_field``, and optionally the
    column beside it that hedges its figure (``about``, ``more``)."""

    headers: list[str] = Field(min_length=1)
    label: str
    hedge_headers: list[str] = Field(default_factory=list)


class Melt(_Strict):
    """Wide figure columns turned into rows: one output row per non-empty cell of each."""

    label_field: str
    value_field: str
    hedge_field: str | None = None
    columns: list[MeltColumn] = Field(min_length=1)


class Resolve(_Strict):
    """Resolve a field through the alias tables: entities of this type; ``alternatives`` is
    the text between names of one reported class ("Iskander-M/KN-23")."""

    entity_type: Literal["country", "organisation", "person", "vessel", "port", "weapon_system"]
    alternatives: str | None = None


class ShapeSpec(_Strict):
    """One table shape: how a received layout becomes rows of a target."""

    shape: str = Field(pattern=_SLUG)
    description: str = Field(min_length=1)
    target: str
    grain: str = Field(min_length=1)
    status: Literal["ready", "draft"] = "ready"
    required: list[str] = Field(min_length=1)
    columns: dict[str, Column] = Field(default_factory=dict)
    derive: dict[str, Derived] = Field(default_factory=dict)
    values: dict[str, dict[str, str]] = Field(default_factory=dict)
    constants: dict[str, str] = Field(default_factory=dict)
    list_cells: ListCells | None = None
    melt: Melt | None = None
    resolve: dict[str, Resolve] = Field(default_factory=dict)

    @field_validator("columns", mode="before")
    @classmethod
    def _header_lists(cls, columns: object) -> object:
        """``field: [header, ...]`` is short for ``field: {headers: [...]}``."""
        if isinstance(columns, dict):
            return {
                k: {"headers": [v] if isinstance(v, str) else v} if isinstance(v, list | str) else v
                for k, v in columns.items()
            }
        return columns

    @field_validator("resolve", mode="before")
    @classmethod
    def _entity_type_only(cls, resolve: object) -> object:
        """``field: country`` is short for ``field: {entity_type: country}``."""
        if isinstance(resolve, dict):
            return {k: {"entity_type": v} if isinstance(v, str) else v for k, v in resolve.items()}
        return resolve

    @model_validator(mode="after")
    def _fits_its_target(self) -> ShapeSpec:
        if self.status == "draft":
            raise ValueError(
                "status is draft: finish the declaration (see its TODO lines) and remove "
                "the status line"
            )
        if self.target not in TARGETS:
            raise ValueError(f"target {self.target!r} is not one of {', '.join(TARGETS)}")
        target = TARGETS[self.target]
        self._fields_of(target)
        self._values_and_names(target)
        self._expansion(target)
        readable = set(self.columns) | set(self.derive) | set(self.constants) | self.melted_fields()
        if missing := [r for r in self.required if r not in readable]:
            raise ValueError(f"required: {', '.join(missing)} is read from no column")
        return self

    def _need(self, target: Target, names: Iterable[str], where: str) -> None:
        """Every name is a field of ``target``."""
        unknown = [n for n in names if n not in target.fields]
        if unknown:
            raise ValueError(
                f"{where}: {', '.join(map(repr, unknown))} is not a field of target "
                f"{self.target!r} (fields: {', '.join(target.fields)})"
            )

    def _fields_of(self, target: Target) -> None:
        """Every field named is the target's, and each is read from one place only."""
        self._need(target, self.columns, "columns")
        self._need(target, self.derive, "derive")
        self._need(target, [d.source for d in self.derive.values()], "derive from")
        self._need(target, self.values, "values")
        self._need(target, self.constants, "constants")
        self._need(target, self.required, "required")
        twice = (set(self.columns) & set(self.constants)) | (
            set(self.derive) & (set(self.columns) | set(self.constants))
        )
        if twice:
            raise ValueError(f"{', '.join(sorted(twice))}: a field is read from one place only")

    def _values_and_names(self, target: Target) -> None:
        """Hedge words map to qualifiers; only the target's id fields are resolved."""
        for name, mapping in self.values.items():
            if target.fields[name] == "qualifier" and (
                bad := set(mapping.values()) - set(QUALIFIERS)
            ):
                raise ValueError(
                    f"values of {name}: {', '.join(sorted(bad))} is not a qualifier "
                    f"({', '.join(QUALIFIERS)})"
                )
        for name, spec in self.resolve.items():
            if name not in target.ids:
                raise ValueError(
                    f"resolve: {name!r} cannot be resolved in target {self.target!r} "
                    f"(resolvable: {', '.join(target.ids) or 'none'})"
                )
            if spec.alternatives and target.ids[name] not in target.list_ids:
                raise ValueError(f"resolve {name}: alternatives need a field whose ids are a list")

    def _expansion(self, target: Target) -> None:
        """List cells and melts only for targets whose rows expand, one of them, well formed."""
        if (self.list_cells or self.melt) and not target.items:
            raise ValueError(
                f"target {self.target!r} takes one row per received row: list_cells and "
                f"melt need one of {', '.join(t for t, v in TARGETS.items() if v.items)}"
            )
        if self.list_cells and self.melt:
            raise ValueError("a shape either expands list cells or melts wide columns, not both")
        if cells := self.list_cells:
            self._need(target, [cells.field], "list_cells field")
            if cells.field not in self.columns:
                raise ValueError(f"list_cells field {cells.field!r} must be read from a column")
            self._need(
                target,
                re.compile(cells.item).groupindex if cells.item else [],
                "list_cells item group",
            )
            self._need(target, [*cells.totals, *cells.totals.values()], "list_cells totals")
        if melt := self.melt:
            melted = [
                melt.label_field,
                melt.value_field,
                *([melt.hedge_field] if melt.hedge_field else []),
            ]
            self._need(target, melted, "melt")
            if clash := set(melted) & (set(self.columns) | set(self.constants)):
                raise ValueError(
                    f"melt fills {', '.join(sorted(clash))}; do not read it from a column too"
                )

    def melted_fields(self) -> set[str]:
        """Fields the melt fills (empty without a melt)."""
        if self.melt is None:
            return set()
        m = self.melt
        return {m.label_field, m.value_field, *([m.hedge_field] if m.hedge_field else [])}

    @property
    def target_spec(self) -> Target:
        return TARGETS[self.target]
