"""Read the table shape declarations (``reference/shapes/*.yaml``) and write starter ones.

Every file is validated against ``transforms.shape_spec.ShapeSpec`` and against the metric
catalogue; all problems of all files are reported together, each naming its file and field.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import polars as pl
import yaml
from pydantic import ValidationError

from transforms.shape_spec import TARGETS, ShapeSpec
from transforms.tables import closest_shape, header_key

SHAPES_FOLDER = "shapes"


class ShapeError(ValueError):
    """A shape declaration is malformed; the message names the file and the field."""


def load_shapes(reference_dir: Path) -> list[ShapeSpec]:
    """Every declaration under ``reference_dir/shapes``, in file-name order."""
    folder = Path(reference_dir) / SHAPES_FOLDER
    paths = sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])
    if not paths:
        raise ShapeError(f"no table shapes in {folder} (expected *.yaml declarations)")
    metrics = set(pl.read_csv(Path(reference_dir) / "metrics.csv", infer_schema=False)["metric"])
    shapes: list[ShapeSpec] = []
    problems: list[str] = []
    seen: dict[str, str] = {}
    for path in paths:
        try:
            spec = read_shape(path)
        except ShapeError as exc:
            problems.append(str(exc))
            continue
        problems += [f"{path.name}: {p}" for p in catalogue_problems(spec, metrics)]
        if spec.shape in seen:
            problems.append(
                f"{path.name}: shape {spec.shape!r} is already declared in {seen[spec.shape]}"
            )
        seen[spec.shape] = path.name
        shapes.append(spec)
    if problems:
        raise ShapeError("table shapes: " + "; ".join(problems))
    return shapes


def read_shape(path: Path) -> ShapeSpec:
    """One declaration file, validated; ``ShapeError`` lists every problem in it."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ShapeError(f"{path.name}: not readable as YAML: {str(exc).splitlines()[0]}") from None
    if not isinstance(data, dict):
        raise ShapeError(f"{path.name}: a shape is a mapping of keys (shape, target, columns, ...)")
    try:
        return ShapeSpec.model_validate(data)
    except ValidationError as exc:
        raise ShapeError(f"{path.name}: " + "; ".join(describe_errors(exc))) from None


def describe_errors(exc: ValidationError) -> list[str]:
    """Pydantic's errors as "field.path: message" lines a person can act on."""
    out = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"])
        message = error["msg"].removeprefix("Value error, ")
        out.append(f"{where}: {message}" if where else message)
    return out


def catalogue_problems(spec: ShapeSpec, metrics: set[str]) -> list[str]:
    """Metric values a declaration gives that the metric catalogue does not know."""
    target = TARGETS[spec.target]
    given: list[tuple[str, str]] = []
    for name, derived in spec.derive.items():
        if target.fields[name] == "metric":
            given += [(f"derive.{name}", v) for v in derived.values.values()]
    for name, value in spec.constants.items():
        if target.fields[name] == "metric":
            given.append((f"constants.{name}", value))
    if spec.melt is not None and target.fields[spec.melt.label_field] == "metric":
        given += [("melt.columns", c.label) for c in spec.melt.columns]
    return [
        f"{where}: metric {value!r} is not in metrics.csv"
        for where, value in given
        if value not in metrics
    ]


# --------------------------------------------------------------------------- unknown tables


def unknown_table_note(columns: Sequence[str], shapes: Sequence[ShapeSpec]) -> str:
    """Why a table was kept in raw only: its columns and the shape it comes closest to."""
    listed = ", ".join(columns[:12]) + (
        f" and {len(columns) - 12} more" if len(columns) > 12 else ""
    )
    note = f"columns match no known table shape ({listed})"
    near = closest_shape(columns, shapes)
    if near is None:
        return (
            note + "; no shape reads any of them; `supplyline shapes suggest FILE` writes a starter"
        )
    read = ", ".join(f"{c} as {f}" for f, c in near.fields.items())
    read += "".join(f"{', ' if read else ''}{v} as a melted figure" for _, v, _ in near.melted)
    return (
        f"{note}; closest shape: {near.shape} (reads {read}; lacks {', '.join(near.lacking)}); "
        "`supplyline shapes suggest FILE` writes a starter declaration"
    )


def suggest_shape(name: str, frame: pl.DataFrame, shapes: Sequence[ShapeSpec]) -> str:
    """A starter declaration for a table with columns no shape fits, as YAML text with TODO
    lines for a person to finish: the closest shape's target, the columns it can already
    read, and every other column with example values."""
    columns = list(frame.columns)
    near = closest_shape(columns, shapes)
    spec = next((s for s in shapes if near is not None and s.shape == near.shape), None)
    target = spec.target if spec else "figures"
    fields = TARGETS[target].fields
    mapped = dict(near.fields) if near else {}
    for column in columns:  # a header that is a field's own name needs no declaration to be found
        field = header_key(column).replace(" ", "_")
        if field in fields and field not in mapped and column not in mapped.values():
            mapped[field] = column
    slug = (
        "".join(ch if ch.isalnum() else "_" for ch in Path(name).stem.lower()).strip("_")
        or "new_shape"
    )
    slug = slug if slug[0].isalpha() else f"shape_{slug}"
    lines = [
        f"# Starter declaration for {name}, written by `supplyline shapes suggest`.",
        "# Finish the TODO lines, delete the status line, and save it under reference/shapes/.",
        f"# Closest existing shape: {near.shape if near else 'none'}"
        + (f" (it lacks {', '.join(near.lacking)})" if near and near.lacking else ""),
        f"shape: {slug}",
        "status: draft",
        "description: TODO say what one row of this table is, and who keeps it",
        f"target: {target}  # one of: {', '.join(TARGETS)}",
        "grain: TODO one row per ...",
        f"required: [{', '.join(mapped) or 'TODO'}]",
        "columns:",
    ]
    lines += [f"  {field}: [{_yaml_text(column)}]" for field, column in mapped.items()]
    unread = [f for f in fields if f not in mapped]
    lines.append(f"  # TODO fields of {target} still unread: {', '.join(unread) or 'none'}")
    lines.append("# Received columns no field reads yet, with example values:")
    for column in columns:
        if column in mapped.values():
            continue
        examples = (
            frame.get_column(column)
            .cast(pl.String)
            .drop_nulls()
            .unique(maintain_order=True)
            .head(3)
        )
        shown = ", ".join(repr(v[:40]) for v in examples.to_list())
        lines.append(f"#   {column}: {shown or '(empty)'}")
    lines += [
        "# Optional: derive (a field from another's text through a table of values), values",
        "# (hedge words -> qualifiers), constants, list_cells (one row per item of a list cell),",
        "# melt (wide figure columns -> rows) and resolve (names through reference/aliases.csv).",
        "# See the README section 'Declaring a table shape'.",
    ]
    return "\n".join(lines) + "\n"


def _yaml_text(text: str) -> str:
    """``text`` as a YAML flow scalar (quoted when it needs to be)."""
    return (
        yaml.safe_dump(text, default_flow_style=True, allow_unicode=True)
        .strip()
        .removesuffix("...")
        .strip()
    )
