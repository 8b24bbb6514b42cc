"""Run the dbt project beside this file (models, seeds and SQL tests) on a run's database.

dbt-duckdb opens its own DuckDB connection. DuckDB lets one process hold a database file
read-write, and within a process ``duckdb.connect`` on the same path (or the same named
in-memory database) returns a connection to the same instance. So dbt, run in this process,
writes the very database the run holds open: the working copy, or the in-memory database with
the DuckLake attached. Its connection is closed after every invocation, so no instance outlives
the run (a cached instance would be handed to the next run that opens the same path).

Inside a Prefect flow the project runs through prefect-dbt's ``PrefectDbtRunner`` (each model,
seed and test a task); elsewhere (tests, ``supplyline docs``) through dbt's own runner.

What to build: a night that loaded new rows rebuilds what reads the changed sources
(``source:x+``); a change to the project rebuilds what changed and what depends on it
(``state:modified+`` against the manifest of the last published build); without that manifest
everything is built.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import duckdb
import yaml

from schemas.checks import CheckResult, severity
from warehouse import db

PROJECT_DIR = Path(__file__).resolve().parent
PROJECT_PARTS = ("dbt_project.yml", "models", "tests", "macros")
# Tables the Python loaders write, as the dbt sources that name them.
SOURCES = {
    "ops.files": "ops.files",
    "raw.documents": "raw.documents",
    "raw.table_rows": "raw.table_rows",
    "staging.stg_reports__claims": "staging.stg_reports__claims",
    "staging.stg_reports__entity_mentions": "staging.stg_reports__entity_mentions",
    "staging.stg_ledgers__shipments": "staging.stg_ledgers__shipments",
    "staging.stg_tables__figures": "staging.stg_tables__figures",
    "staging.stg_tables__deliveries": "staging.stg_tables__deliveries",
    "staging.stg_tables__strikes": "staging.stg_tables__strikes",
    "staging.stg_tables__series": "staging.stg_tables__series",
    "ref.reconciliations": "ref.reconciliations",
}
# ops.files written for text files only. Kind follows the file name, so such rows never change
# which table content is current: the table marts, which read the table rows of
# stg_inbox__contents, stay as they are; the view itself (for its tests) and what reads its
# text rows are rebuilt.
TEXT_FILES = "ops.files (text files only)"
SELECTORS = {TEXT_FILES: ("stg_inbox__contents", "stg_reports__documents+")}
EVERYTHING: tuple[str, ...] = ()


@dataclass(frozen=True)
class Selection:
    """What one build selects: dbt selectors, EVERYTHING, or nothing at all."""

    selectors: tuple[str, ...] | None  # None: nothing to build; EVERYTHING: the whole project
    state: str | None = None  # manifest JSON to compare with (state:modified)

    @property
    def empty(self) -> bool:
        return self.selectors is None


def select(changed: Iterable[str], project_changed: bool, manifest: str | None) -> Selection:
    """The build for a run that wrote ``changed`` relations.

    ``project_changed``: the SQL or seeds differ from the last published build, whose manifest
    (if the warehouse kept one) is ``manifest``.
    """
    sources = tuple(
        dict.fromkeys(
            selector
            for r in sorted(set(changed))
            for selector in SELECTORS.get(r, (f"source:{SOURCES[r]}+",) if r in SOURCES else ())
        )
    )
    if project_changed and manifest is None:
        return Selection(EVERYTHING)
    if project_changed:
        return Selection(("state:modified+", *sources), state=manifest)
    return Selection(sources) if sources else Selection(None)


@dataclass(frozen=True)
class Profile:
    """Where dbt builds: a DuckDB path (file or named in-memory database) and attachments."""

    path: str
    database: str | None = None
    attach: tuple[Mapping[str, Any], ...] = ()
    threads: int = 2

    def yaml(self) -> str:
        output: dict[str, Any] = {
            "type": "duckdb",
            "path": self.path,
            "schema": "main",
            "threads": self.threads,
            # dbt closes its connection when done, so the database instance ends with the run.
            "keep_open": False,
        }
        if self.database:
            output["database"] = self.database
        if self.attach:
            output["attach"] = [dict(a) for a in self.attach]
        return yaml.safe_dump({"supplyline": {"target": "run", "outputs": {"run": output}}})


@dataclass(frozen=True)
class Project:
    """The dbt project a run builds (``source``, warehouse/ by default), the reference folder its
    seeds come from, and the run's own folder for dbt's copy of it, profile and artifacts."""

    work_dir: Path
    reference_dir: Path
    source: Path = PROJECT_DIR


@dataclass(frozen=True)
class Built:
    """What a build did: relations rebuilt, every test and build error as a check result, and
    the manifest of the project it built (kept with the warehouse for the next run)."""

    models: tuple[str, ...] = ()
    checks: tuple[CheckResult, ...] = ()
    manifest: str | None = None
    graph: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # relation -> children
    fingerprint: str | None = (
        None  # of the project and seeds built (warehouse.db.build_fingerprint)
    )
    # Models the build meant to build but did not: failed, or skipped because a model or test
    # they depend on failed. Their tables are missing or stale, so nothing may read them.
    unbuilt: tuple[str, ...] = ()

    @property
    def anything(self) -> bool:
        return bool(self.models)


def build(
    con: duckdb.DuckDBPyConnection, profile: Profile, selection: Selection, project: Project
) -> Built:
    """``dbt build`` the selection on the database ``con`` holds; test samples are read on ``con``."""
    if selection.empty:
        return Built()
    args = ["build"]
    if selection.selectors:
        args += ["--select", *selection.selectors]
    if selection.state is not None:
        state_dir = project.work_dir / "state"
        state_dir.mkdir(parents=True, exist_ok=True)
        (state_dir / "manifest.json").write_text(selection.state)
        args += ["--state", str(state_dir)]
    target = invoke(args, profile, project)
    fingerprint = db.build_fingerprint(project.reference_dir, project.source)
    return replace(read_results(con, target), fingerprint=fingerprint)


def invoke(args: list[str], profile: Profile, project: Project) -> Path:
    """Run one dbt command on ``profile``; returns its target folder (manifest, run results)."""
    work_dir = project.work_dir
    staged = stage_project(project)
    profiles_dir, target, logs = work_dir / "profile", work_dir / "target", work_dir / "logs"
    profiles_dir.mkdir(parents=True, exist_ok=True)
    (profiles_dir / "profiles.yml").write_text(profile.yaml())
    (target / "run_results.json").unlink(missing_ok=True)  # never read a previous run's results
    common = ["--log-path", str(logs), "--no-send-anonymous-usage-stats", "--no-use-colors"]
    try:
        result = _runner(args + common, staged, profiles_dir, target)
    finally:
        _close_dbt_connection()
    if getattr(result, "exception", None) is not None:
        raise RuntimeError(f"dbt {args[0]} failed: {result.exception}")
    if not (target / "run_results.json").exists() and args[0] != "docs":
        raise RuntimeError(f"dbt {args[0]} wrote no results (see {logs / 'dbt.log'})")
    return target


def stage_project(project: Project) -> Path:
    """The project as this run builds it: a copy of the source's dbt files (warehouse/) with
    the seeds of the reference folder in ``seeds/``.

    dbt writes each seed's load SQL under its target folder at the seed's path; a seed path
    outside the project (an absolute ``reference_dir``) would put that file over the CSV
    itself, so the seeds are copied in. The copy is small, and dbt's partial parsing compares
    file contents, so it is reused night to night.
    """
    staged, fresh = project.work_dir / "project", project.work_dir / "project.new"
    shutil.rmtree(fresh, ignore_errors=True)
    fresh.mkdir(parents=True)
    for part in PROJECT_PARTS:
        if (project.source / part).is_dir():
            shutil.copytree(project.source / part, fresh / part)
        else:
            shutil.copy2(project.source / part, fresh / part)
    (fresh / "seeds").mkdir()
    for name in db.SEEDS:
        shutil.copy2(Path(project.reference_dir) / name, fresh / "seeds" / name)
    shutil.rmtree(staged, ignore_errors=True)
    fresh.rename(staged)
    return staged


def _runner(args: list[str], project: Path, profiles_dir: Path, target: Path) -> Any:
    """PrefectDbtRunner inside a flow run (a task per node), dbt's own runner elsewhere."""
    from prefect.context import FlowRunContext

    if FlowRunContext.get() is None:
        from dbt.cli.main import dbtRunner

        paths = [
            "--project-dir",
            str(project),
            "--profiles-dir",
            str(profiles_dir),
            "--target-path",
            str(target),
            "--log-level",
            "warn",
        ]
        return dbtRunner().invoke(args + paths)
    from dbt_common.events.base_types import EventLevel
    from prefect_dbt import PrefectDbtRunner, PrefectDbtSettings

    # dbt's INFO events become Prefect logs one API call at a time: warnings and errors only.
    settings = PrefectDbtSettings(
        project_dir=project,
        profiles_dir=profiles_dir,
        target_path=target,
        log_level=EventLevel.WARN,
    )
    runner = PrefectDbtRunner(settings=settings, raise_on_failure=False, disable_assets=True)
    return runner.invoke(args)


def _close_dbt_connection() -> None:
    """Close dbt-duckdb's connection, so no DuckDB instance of the run's database lingers."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    env = DuckDBConnectionManager._ENV  # dbt-duckdb keeps its environment on the class
    if env is not None:
        env.close()
    DuckDBConnectionManager.close_all_connections()


def read_results(con: duckdb.DuckDBPyConnection, target: Path) -> Built:
    """The build's artifacts as ``Built``: models rebuilt, tests and build errors as checks."""
    manifest_text = (target / "manifest.json").read_text()
    manifest = json.loads(manifest_text)
    nodes = manifest["nodes"]
    results = json.loads((target / "run_results.json").read_text())["results"]
    built, checks, unbuilt = [], [], []
    for res in results:
        node = nodes.get(res["unique_id"])
        if node is None:
            continue
        kind = node["resource_type"]
        if kind in ("model", "seed") and res["status"] == "success":
            built.append(relation(node))
        elif kind in ("model", "seed") and res["status"] in ("error", "skipped"):
            unbuilt.append(relation(node))
            checks.append(_build_error(node, res))
        elif kind == "test" and res["status"] != "skipped":
            checks.append(_test_result(con, node, nodes, res))
    return Built(
        tuple(built), tuple(checks), manifest_text, children(manifest), unbuilt=tuple(unbuilt)
    )


def _build_error(node: Mapping[str, Any], res: Mapping[str, Any]) -> CheckResult:
    """A model that failed, or that ``dbt build`` skipped because something upstream failed."""
    if res["status"] == "skipped":
        message = "not built: a model or test it depends on failed (see that error)"
    else:
        message = (res.get("message") or "")[:500]
    return CheckResult(
        f"build {node['name']}", relation(node), "dbt", "error", 1, ({"error": message},)
    )


def relation(node: Mapping[str, Any]) -> str:
    """schema.name of a model or seed as the warehouse holds it."""
    return f"{node['schema']}.{node.get('alias') or node['name']}"


def _test_result(
    con: duckdb.DuckDBPyConnection,
    node: Mapping[str, Any],
    nodes: Mapping[str, Any],
    res: Mapping[str, Any],
) -> CheckResult:
    config = node.get("config") or {}
    meta = config.get("meta") or {}
    table = meta.get("table") or _tested_relation(node, nodes)
    level = severity(str(config.get("severity", "error")).lower())
    if res["status"] == "error":  # the test's SQL itself failed
        return CheckResult(
            node["name"],
            table,
            meta.get("tool", "dbt"),
            "error",
            1,
            ({"error": (res.get("message") or "")[:500]},),
        )
    failing = int(res.get("failures") or 0)
    compiled = res.get("compiled_code") or node.get("compiled_code")
    try:
        sample = db.sample_rows(con, compiled) if failing and compiled else ()
    except duckdb.Error as exc:  # dbt counted the rows; reading them again failed (memory, ...)
        sample = ({"error": f"example rows not read: {exc}"[:500]},)
    return CheckResult(node["name"], table, meta.get("tool", "dbt"), level, failing, sample)


def _tested_relation(node: Mapping[str, Any], nodes: Mapping[str, Any]) -> str:
    """The model a generic test is attached to, else the first model or source it reads."""
    parent = node.get("attached_node") or next(
        iter(node.get("depends_on", {}).get("nodes", [])), None
    )
    if parent is not None and parent in nodes:
        return relation(nodes[parent])
    if parent and parent.startswith("source."):
        return ".".join(parent.split(".")[-2:])
    return ""


def children(manifest: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    """Relation -> the relations built directly from it (models and seeds only)."""
    nodes = manifest["nodes"]
    graph: dict[str, tuple[str, ...]] = {}
    for unique_id, kids in manifest.get("child_map", {}).items():
        if unique_id in nodes and nodes[unique_id]["resource_type"] in ("model", "seed"):
            graph[relation(nodes[unique_id])] = tuple(
                relation(nodes[k])
                for k in kids
                if k in nodes and nodes[k]["resource_type"] == "model"
            )
    return graph


def with_downstream(tables: Iterable[str], graph: Mapping[str, tuple[str, ...]]) -> list[str]:
    """``tables`` and every relation built from them, directly or not, parents first."""
    order: list[str] = []
    seen: set[str] = set()
    frontier = list(dict.fromkeys(tables))
    while frontier:
        table = frontier.pop(0)
        if table in seen:
            continue
        seen.add(table)
        order.append(table)
        frontier += [k for k in graph.get(table, ()) if k not in seen]
    return order


def docs(profile: Profile, project: Project) -> Path:
    """Build the dbt docs site (static, one HTML file) for ``profile``; returns its path."""
    target = invoke(["docs", "generate", "--static"], profile, project)
    return target / "static_index.html"


def model_sql(project: Path = PROJECT_DIR) -> list[tuple[str, str]]:
    """(schema.name, select) of every model of the project, dependencies first, with
    ``ref()`` and ``source()`` rendered as the plain ``schema.name`` they build or read.

    This is the SQL dbt runs, without the database name dbt puts in front (so the selects can
    be defined again over other relations of the same names, as the as-of views are), and
    without starting dbt (parsing the project costs seconds).
    """
    import jinja2

    schemas = _model_schemas(project)
    seeds = {p.stem for p in (project / "seeds").glob("*.csv")} | {
        Path(name).stem for name in db.SEEDS
    }
    files = sorted((project / "models").rglob("*.sql"))
    found = {p.stem: p for p in files}
    relations = {
        name: f"{schemas[p.relative_to(project / 'models').parts[0]]}.{name}"
        for name, p in found.items()
    }
    relations |= {name: f"ref.{name}" for name in seeds}
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False)
    rendered: dict[str, tuple[str, set[str]]] = {}
    for name, path in found.items():
        reads: set[str] = set()

        def ref(model: str, reads: set[str] = reads) -> str:
            reads.add(model)
            return relations[model]

        def source(source_name: str, table: str) -> str:
            return f"{source_name}.{table}"

        sql = env.from_string(path.read_text()).render(
            ref=ref, source=source, config=lambda **_: ""
        )
        rendered[name] = (sql, reads & set(found))
    return [(relations[name], rendered[name][0]) for name in _dependency_order(rendered)]


def _model_schemas(project: Path) -> dict[str, str]:
    """Model folder -> the schema its models are built in (``+schema`` in dbt_project.yml)."""
    config = yaml.safe_load((project / "dbt_project.yml").read_text())
    folders = config["models"][config["name"]]
    return {k: v["+schema"] for k, v in folders.items() if isinstance(v, dict) and "+schema" in v}


def _dependency_order(models: Mapping[str, tuple[str, set[str]]]) -> list[str]:
    """Model names, each after the models it reads; a cycle is an error, as in dbt."""
    order: list[str] = []
    state: dict[str, str] = {}

    def visit(name: str, path: tuple[str, ...]) -> None:
        if state.get(name) == "done":
            return
        if state.get(name) == "visiting":
            raise ValueError(f"models read each other in a cycle: {' -> '.join((*path, name))}")
        state[name] = "visiting"
        for parent in sorted(models[name][1]):
            visit(parent, (*path, name))
        state[name] = "done"
        order.append(name)

    for name in sorted(models):
        visit(name, ())
    return order
