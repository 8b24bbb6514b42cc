"""Benchmark the real nightly pipeline on a generated archive (see bench/README.md).

Runs, in one process and on one warmed-up Prefect (ephemeral) API, the same flow functions that
``supplyline run`` and ``supplyline rebuild`` call (``flows.nightly.nightly`` / ``.rebuild``):

1. ``full``         a run on an empty warehouse over the whole archive (reports + CSV ledger);
2. ``noop``         the same run again: nothing is new;
3. ``incremental``  +1% new report files (``bench/generate.py --add-new``), then a run;
4. ``rebuild``      the rebuild flow over the warehouse (reported as "not implemented" if absent);
5. ``ledger``       a run on a fresh warehouse whose inbox holds only the Parquet ledger
   (``ledger-csv``, not run by default: the same with the CSV ledger).

Then the peers (``bench/peers.py``) on the same report texts, and the disk-read ceiling.

What is measured
* Stage seconds: every Prefect task's function is wrapped with a wall-clock timer (the task body
  runs unchanged); a few functions the tasks call (parse_file, validate_rows, write_batch, ...)
  are wrapped the same way to split ingest/normalise/validate/load. The task runs' start/end
  times are also read back from the Prefect API and stored in the JSON as a cross-check.
* Peak RSS per stage: a sampler thread reads this process's VmRSS from /proc every 20 ms (and at
  every task start/stop); a stage's peak is the largest sample inside its interval. The Prefect
  ephemeral API server runs as a child process and is not included (``prefect_server_rss_mb``
  reports it separately when psutil is installed). ``VmHWM`` is the whole process's high-water mark.
* Throughput: MB/s of report bytes (ingest) or report text (extract), rows/s on the ledger path.

Usage::

    python bench/run.py --preset small            # generates bench/work/small/archive if missing
    python bench/run.py --preset full --no-peers
    python bench/run.py --archive /tmp/a --scenarios full,noop
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import gc
import hashlib
import json
import os
import platform
import shutil
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))

import generate  # noqa: E402  (bench/generate.py)

SCENARIOS = ["full", "noop", "incremental", "rebuild", "ledger"]
EXTRA_SCENARIOS = ["ledger-csv"]
STAGES = ["scan", "ingest", "extract", "normalise", "validate", "load", "publish", "alert", "other"]
MB = 1_000_000


# ------------------------------------------------------------------------------------------
# Memory sampling and timers
# ------------------------------------------------------------------------------------------


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(field):
                return int(line.split()[1])
    return 0


def rss_bytes() -> int:
    """This process's RSS plus that of its extraction worker processes (the run's whole
    footprint; the Prefect ephemeral server is reported separately)."""
    return _status_kb("VmRSS:") * 1024 + _worker_rss()


def _worker_rss() -> int:
    total = 0
    for children in Path("/proc/self/task").glob("*/children"):
        try:
            pids = children.read_text().split()
        except OSError:
            continue
        for pid in pids:
            try:
                if b"supplyline.extract_worker" not in Path(f"/proc/{pid}/cmdline").read_bytes():
                    continue
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
            except OSError:
                continue
    return total


class Sampler(threading.Thread):
    """Samples this process's RSS every ``interval`` seconds into (time, bytes) pairs."""

    def __init__(self, interval: float = 0.02) -> None:
        super().__init__(daemon=True, name="rss-sampler")
        self.interval = interval
        self.samples: list[tuple[float, int]] = []
        self.lock = threading.Lock()
        self._stop = threading.Event()

    def mark(self) -> None:
        with self.lock:
            self.samples.append((time.perf_counter(), rss_bytes()))

    def run(self) -> None:
        while not self._stop.is_set():
            self.mark()
            self._stop.wait(self.interval)

    def stop(self) -> None:
        self._stop.set()

    def peak(self, t0: float, t1: float) -> int:
        # Timers mark RSS just before t0 and just after t1, so allow a few ms either side.
        t0, t1 = t0 - 0.005, t1 + 0.005
        with self.lock:
            inside = [b for t, b in self.samples if t0 <= t <= t1]
        return max(inside, default=0)

    def clear(self) -> None:
        with self.lock:
            self.samples.clear()


class Probe:
    """Wall-clock timers around functions; every call becomes an event (label, t0, t1, meta)."""

    def __init__(self, sampler: Sampler, profile: bool = False) -> None:
        self.sampler = sampler
        self.profile = profile
        self.profiles: dict[str, object] = {}  # scenario/label -> pstats.Stats (task bodies only)
        self.scenario = ""
        self.events: list[dict] = []
        self.lock = threading.Lock()
        self.patched: list[str] = []

    def wrap(self, owner, attr: str, label: str, meta=None) -> None:
        fn = getattr(owner, attr, None)
        if fn is None or getattr(fn, "_bench_wrapped", False):
            return

        task_level = label.startswith("task:")
        profiled = self.profile and task_level

        @functools.wraps(fn)
        def timed(*args, **kwargs):
            if task_level:  # per-file wrappers stay cheap: /proc reads only around tasks
                self.sampler.mark()
            prof = None
            if profiled:
                import cProfile

                prof = cProfile.Profile()
                prof.enable()
            t0 = time.perf_counter()
            try:
                result = fn(*args, **kwargs)
            finally:
                t1 = time.perf_counter()
                if prof is not None:
                    prof.disable()
                    self._keep_profile(label, prof)
            if task_level:
                self.sampler.mark()
            info = {}
            if meta is not None:
                try:
                    info = meta(args, kwargs, result) or {}
                except Exception as exc:  # a probe must never break the run
                    info = {"meta_error": repr(exc)}
            with self.lock:
                self.events.append({"label": label, "t0": t0, "t1": t1, **info})
            return result

        timed._bench_wrapped = True  # type: ignore[attr-defined]
        setattr(owner, attr, timed)
        self.patched.append(f"{getattr(owner, '__name__', owner)}.{attr}")

    def _keep_profile(self, label: str, prof) -> None:
        import pstats

        label = f"{self.scenario}/{label}"
        with self.lock:
            if label in self.profiles:
                self.profiles[label].add(prof)
            else:
                self.profiles[label] = pstats.Stats(prof)

    def profile_report(self, top: int = 25) -> str:
        import io

        out = io.StringIO()
        for label, stats in self.profiles.items():
            for key in ("tottime", "cumulative"):
                out.write(f"\n===== {label}: top {top} by {key} =====\n")
                stats.stream = out
                stats.strip_dirs().sort_stats(key).print_stats(top)
        return out.getvalue()

    def wrap_task(self, task, label: str, meta=None) -> None:
        """Time a Prefect task's body (``task.fn``); the engine still runs the task as usual."""
        self.wrap(task, "fn", label, meta)

    def take(self) -> list[dict]:
        with self.lock:
            out, self.events = self.events, []
        return out


def _parse_meta(args, kwargs, result):
    parsed = result
    f = parsed.file
    rows = sum(t.frame.height for t in (parsed.tables or []))
    return {"kind": f.kind, "bytes": f.size_bytes, "rows": rows, "error": parsed.error}


def _extract_meta(args, kwargs, result):
    docs = args[0]
    claims, mentions = (result.claims, result.mentions) if hasattr(result, "claims") else result
    text_bytes = int(docs["text"].str.len_bytes().sum() or 0) if docs.height else 0
    return {
        "docs": docs.height,
        "text_bytes": text_bytes,
        "claims": claims.height,
        "mentions": mentions.height,
    }


def _frame_meta(args, kwargs, result):
    frame = args[0] if args else None
    return {"rows": getattr(frame, "height", 0)}


def install_probes(probe: Probe) -> dict:
    """Wrap the flow's tasks (flows/tasks.py), the dbt build, and the functions they call;
    returns the flow module."""
    import flows.nightly as nightly_mod
    import flows.tasks as tasks_mod
    from supplyline import expectations, extract_worker
    from supplyline.stages import build as build_stage
    from supplyline.stages import ingest as ingest_stage
    from supplyline.stages import validate as validate_stage
    from warehouse import db, restore

    for name in [
        "scan",
        "plan",
        "plan_raw",
        "ingest",
        "read_raw",
        "extract",
        "normalise",
        "validate",
        "load",
        "check",
        "publish",
        "alert",
    ]:
        task = getattr(tasks_mod, name, None)
        if task is not None and hasattr(task, "fn"):
            probe.wrap_task(task, f"task:{name}", _extract_meta if name == "extract" else None)
    # dbt's build is not one task (each model and test is its own); timed here as one.
    probe.wrap(build_stage, "build", "task:build")
    nightly_mod.build = build_stage.build  # the flow imported the name before the wrap
    probe.wrap(ingest_stage, "parse_file", "parse", _parse_meta)
    probe.wrap(extract_worker, "extract_reports", "extract_reports", _extract_meta)
    for mod in (ingest_stage, validate_stage):
        probe.wrap(mod, "validate_rows", "validate_rows", _frame_meta)
    probe.wrap(db, "build_fts_index", "build_fts_index")
    probe.wrap(db, "refresh_fts_index", "refresh_fts_index")
    probe.wrap(db, "working_copy", "working_copy")
    probe.wrap(db, "apply_ddl", "apply_ddl")
    probe.wrap(expectations, "run_expectations", "run_expectations")
    probe.wrap(expectations, "run_date_checks", "run_date_checks")
    probe.wrap(restore, "restore_tables", "restore_tables")
    return nightly_mod


# ------------------------------------------------------------------------------------------
# Prefect
# ------------------------------------------------------------------------------------------


def prefect_task_runs(flow_run_id, expected: int, timeout: float = 20.0) -> list[dict]:
    """Task runs of one flow run from the Prefect API (waits until ``expected`` have ended)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    deadline = time.monotonic() + timeout
    runs: list = []
    with get_client(sync_client=True) as client:
        while True:
            runs = client.read_task_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))
            )
            done = [r for r in runs if r.end_time is not None]
            if len(done) >= expected or time.monotonic() > deadline:
                break
            time.sleep(0.5)
    out = []
    for r in runs:
        out.append(
            {
                "name": r.name,
                "task_key": r.task_key,
                "state": r.state_type.value if r.state_type else None,
                "start_time": r.start_time.isoformat() if r.start_time else None,
                "end_time": r.end_time.isoformat() if r.end_time else None,
                "total_run_time_s": r.total_run_time.total_seconds() if r.total_run_time else None,
                "api_wall_s": (r.end_time - r.start_time).total_seconds()
                if r.start_time and r.end_time
                else None,
            }
        )
    return sorted(out, key=lambda r: r["start_time"] or "")


def api_only_events(
    events: list[dict], api_runs: list[dict], t0: float, wall0: float
) -> list[dict]:
    """Task runs our wrappers did not see (e.g. extract chunks on a Dask worker), from the API."""
    seen = {e["label"] for e in events}
    out = []
    for r in api_runs:
        name = (r.get("name") or "").rsplit("-", 1)[0]
        if not r.get("start_time") or not r.get("end_time") or f"task:{name}" in seen:
            continue
        start = dt.datetime.fromisoformat(r["start_time"]).timestamp() - wall0 + t0
        end = dt.datetime.fromisoformat(r["end_time"]).timestamp() - wall0 + t0
        out.append({"label": f"task:{name}", "t0": start, "t1": end, "source": "prefect_api"})
    return out


def prefect_server_rss() -> int | None:
    try:
        import psutil
    except ImportError:
        return None
    return sum(c.memory_info().rss for c in psutil.Process().children(recursive=True))


# ------------------------------------------------------------------------------------------
# Scenarios
# ------------------------------------------------------------------------------------------


def _span(
    events: list[dict], *labels: str
) -> tuple[float, float, float, list[tuple[float, float]]] | None:
    """(busy seconds, first start, last end, intervals) of the events with these labels.

    A night runs in groups, so one stage's tasks interleave with the others': its seconds are
    the length of the union of its own intervals, not the envelope.
    """
    sel = sorted((e["t0"], e["t1"]) for e in events if e["label"] in labels)
    if not sel:
        return None
    merged: list[list[float]] = []
    for a, b in sel:
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    busy = sum(b - a for a, b in merged)
    return busy, sel[0][0], max(b for _, b in sel), [(a, b) for a, b in merged]


def _sum(events: list[dict], label: str, within=None, **match) -> float:
    """Seconds of the events with ``label`` (inside one of the ``within`` intervals, if given)."""
    spans = (
        within[3] if within is not None and len(within) == 4 else ([within[:2]] if within else None)
    )
    total = 0.0
    for e in events:
        if e["label"] != label or any(e.get(k) != v for k, v in match.items()):
            continue
        if spans and not any(a <= e["t0"] and e["t1"] <= b for a, b in spans):
            continue
        total += e["t1"] - e["t0"]
    return total


def _rate(amount: float, seconds: float, unit: str) -> str:
    if not seconds or not amount:
        return ""
    value = amount / seconds
    return f"{value / MB:,.1f} MB/s" if unit == "MB" else f"{value:,.0f} {unit}/s"


def stage_table(
    events: list[dict],
    sampler: Sampler,
    flow: tuple[float, float],
    inbox_bytes: int,
    summary: dict,
    warehouse: Path,
) -> dict:
    """Per stage: seconds, throughput, peak RSS (MB), and details (``flow``: its start and end)."""
    flow_t0, flow_t1 = flow
    stages: dict[str, dict] = {}

    def put(
        name: str, seconds: float, t0: float, t1: float, rate: str = "", spans=None, **detail
    ) -> None:
        peak = (
            max((sampler.peak(a, b) for a, b in spans), default=0)
            if spans
            else sampler.peak(t0, t1)
        )
        stages[name] = {
            "seconds": round(seconds, 3),
            "throughput": rate,
            "peak_rss_mb": round(peak / MB, 1),
            **detail,
        }

    scan = _span(events, "task:scan")
    if scan:
        put("scan", scan[0], scan[1], scan[2], _rate(inbox_bytes, scan[0], "MB"), bytes=inbox_bytes)
    ingest = _span(events, "task:plan", "task:ingest") or _span(
        events, "task:plan_raw", "task:read_raw"
    )
    if ingest:
        win = ingest
        parsed = [e for e in events if e["label"] == "parse"]
        text_b = sum(e["bytes"] for e in parsed if e.get("kind") == "text")
        table_rows = sum(e["rows"] for e in parsed if e.get("kind") == "table")
        text_s = _sum(events, "parse", win, kind="text")
        table_s = _sum(events, "parse", win, kind="table")
        rate = _rate(
            text_b + sum(e["bytes"] for e in parsed if e.get("kind") == "table"), ingest[0], "MB"
        )
        put(
            "ingest",
            ingest[0],
            ingest[1],
            ingest[2],
            rate,
            parse_text_s=round(text_s, 3),
            parse_text_rate=_rate(text_b, text_s, "MB"),
            text_files=sum(1 for e in parsed if e.get("kind") == "text"),
            parse_table_s=round(table_s, 3),
            parse_table_rate=_rate(table_rows, table_s, "rows"),
            table_rows=table_rows,
            validate_raw_s=round(_sum(events, "validate_rows", win), 3),
            source="task:plan_raw + task:read_raw"
            if _span(events, "task:read_raw")
            else "task:plan + task:ingest",
            spans=ingest[3],
        )
    ext = _span(events, "task:extract")
    if ext:
        sel = [e for e in events if e["label"] == "task:extract"]
        text_b = sum(e.get("text_bytes", 0) for e in sel)
        docs = sum(e.get("docs", 0) for e in sel)
        put(
            "extract",
            ext[0],
            ext[1],
            ext[2],
            _rate(text_b, ext[0], "MB"),
            spans=ext[3],
            docs=docs,
            text_bytes=text_b,
            chunks=len(sel),
            reports_per_s=round(docs / ext[0], 1) if ext[0] else None,
            claims=sum(e.get("claims", 0) for e in sel),
            mentions=sum(e.get("mentions", 0) for e in sel),
        )
    norm = _span(events, "task:normalise")
    if norm:
        ship = summary.get("shipments_loaded") or 0
        put("normalise", norm[0], norm[1], norm[2], _rate(ship, norm[0], "rows"), spans=norm[3])
    val = _span(events, "task:validate")
    if val:
        val_rows = sum(e.get("rows", 0) for e in events if e["label"] == "validate_rows")
        put(
            "validate",
            val[0],
            val[1],
            val[2],
            _rate(val_rows, val[0], "rows"),
            spans=val[3],
            rows=val_rows,
            validate_rows_s=round(_sum(events, "validate_rows", val), 3),
            note="the validate task; rows counts every gate of the run (raw documents in ingest too)",
        )
    ld = _span(events, "task:load", "task:build", "task:check")
    if ld:
        win = ld
        rows = sum(
            summary.get(k) or 0 for k in ("claims_loaded", "shipments_loaded", "entities_loaded")
        )
        put(
            "load",
            ld[0],
            ld[1],
            ld[2],
            _rate(rows, ld[0], "rows"),
            spans=ld[3],
            rows=rows,
            write_s=round(_span(events, "task:load")[0] if _span(events, "task:load") else 0.0, 3),
            dbt_build_s=round(
                _span(events, "task:build")[0] if _span(events, "task:build") else 0.0, 3
            ),
            check_s=round(
                _span(events, "task:check")[0] if _span(events, "task:check") else 0.0, 3
            ),
            **{
                f"{k}_s": round(_sum(events, k, win), 3)
                for k in (
                    "run_expectations",
                    "run_date_checks",
                    "restore_tables",
                    "build_fts_index",
                    "refresh_fts_index",
                )
            },
            note="load (write) + build (dbt models and tests) + check (GX, team checks)",
        )
    pub = _span(events, "task:publish")
    if pub:
        size = warehouse.stat().st_size if warehouse.exists() else 0
        put("publish", pub[0], pub[1], pub[2], _rate(size, pub[0], "MB"), warehouse_bytes=size)
    al = _span(events, "task:alert")
    if al:
        put("alert", al[0], al[1], al[2])
    accounted = sum(v["seconds"] for k, v in stages.items() if k not in ("normalise", "validate"))
    accounted += sum(stages[k]["seconds"] for k in ("normalise", "validate") if k in stages)
    put(
        "other",
        max(0.0, (flow_t1 - flow_t0) - accounted),
        flow_t0,
        flow_t1,
        working_copy_s=round(_sum(events, "working_copy"), 3),
        apply_ddl_s=round(_sum(events, "apply_ddl"), 3),
        note="flow body outside tasks + Prefect task orchestration; RSS is the whole flow's",
    )
    return stages


def _dir_bytes(folder: Path) -> tuple[int, int, int]:
    """(files, bytes, report-text bytes) under ``folder``."""
    n = b = rb = 0
    for root, _, names in os.walk(folder):
        for name in names:
            size = os.stat(os.path.join(root, name)).st_size
            n += 1
            b += size
            if "/reports/" in root.replace(os.sep, "/") + "/":
                rb += size
    return n, b, rb


def run_scenario(
    name: str,
    flow,
    probe: Probe,
    sampler: Sampler,
    inbox_dir: Path | None,
    warehouse_file: Path,
    **flow_kwargs,
) -> dict:
    gc.collect()
    probe.take()
    probe.scenario = name
    files, inbox_bytes, _ = _dir_bytes(inbox_dir) if inbox_dir else (0, 0, 0)
    sampler.mark()
    t0 = time.perf_counter()
    wall0 = time.time()
    state = flow(return_state=True, **flow_kwargs)
    t1 = time.perf_counter()
    sampler.mark()
    events = probe.take()
    result = state.result(raise_on_failure=False)
    if isinstance(result, BaseException):
        summary = getattr(getattr(result, "summary", None), "as_dict", lambda: {})()
        status = f"failed: {type(result).__name__}: {result}"[:500]
    else:
        summary, status = result, result.get("status", "?")
    flow_run_id = state.state_details.flow_run_id
    n_tasks = sum(1 for e in events if e["label"].startswith("task:"))
    try:
        api_runs = prefect_task_runs(flow_run_id, n_tasks)
    except Exception as exc:
        api_runs = [{"error": repr(exc)}]
    events += api_only_events(events, api_runs, t0, wall0)
    stages = stage_table(events, sampler, (t0, t1), inbox_bytes, summary or {}, warehouse_file)
    tasks_s = sum(
        e["t1"] - e["t0"]
        for e in events
        if e["label"].startswith("task:") and e["label"] != "task:extract"
    )
    ext = _span(events, "task:extract")
    tasks_s += ext[0] if ext else 0.0
    return {
        "scenario": name,
        "status": status,
        "flow_wall_s": round(t1 - t0, 3),
        "tasks_wall_s": round(tasks_s, 3),
        "peak_rss_mb": round(sampler.peak(t0, t1) / MB, 1),
        "vm_hwm_mb": round(_status_kb("VmHWM:") * 1024 / MB, 1),
        "prefect_server_rss_mb": (lambda v: round(v / MB, 1) if v is not None else None)(
            prefect_server_rss()
        ),
        "inbox_files": files,
        "inbox_bytes": inbox_bytes,
        "flow_run_id": str(flow_run_id),
        "warehouse_bytes": warehouse_file.stat().st_size if warehouse_file.exists() else 0,
        "summary": {k: v for k, v in (summary or {}).items() if k not in ("failed_files",)},
        "failed_files_sample": (summary or {}).get("failed_files", [])[:5],
        "stages": stages,
        "prefect_task_runs": api_runs,
        "events": [
            {**e, "t0": round(e["t0"] - t0, 4), "t1": round(e["t1"] - t0, 4)}
            for e in events
            if e["label"].startswith("task:") or e["label"] == "working_copy"
        ],
    }


def disk_ceiling(folder: Path) -> dict:
    """Read (and read+sha256) every report file: the I/O ceiling for ingest and extract."""
    paths = [os.path.join(r, n) for r, _, ns in os.walk(folder / "reports") for n in ns]
    t0 = time.perf_counter()
    total = 0
    for p in paths:
        with open(p, "rb") as handle:
            total += len(handle.read())
    t1 = time.perf_counter()
    for p in paths:
        with open(p, "rb") as handle:
            hashlib.sha256(handle.read()).hexdigest()
    t2 = time.perf_counter()
    return {
        "files": len(paths),
        "bytes": total,
        "read_s": round(t1 - t0, 3),
        "read_mb_s": round(total / MB / (t1 - t0), 1),
        "read_sha256_s": round(t2 - t1, 3),
        "read_sha256_mb_s": round(total / MB / (t2 - t1), 1),
        "note": "warm page cache (files were just written); os.walk + open + read per file",
    }


# ------------------------------------------------------------------------------------------
# Report
# ------------------------------------------------------------------------------------------

TARGETS_NOTE = "targets are for the full preset (100k reports + 10M rows) on 2 cores"


def check_targets(res: dict) -> list[dict]:
    out = []
    sc = {s["scenario"]: s for s in res["scenarios"]}
    full = sc.get("full")
    if full and "extract" in full["stages"]:
        ex = full["stages"]["extract"]
        mbs = ex["text_bytes"] / MB / ex["seconds"] if ex["seconds"] else 0
        out.append(
            {
                "target": "extraction >= 40 MB/s of report text",
                "measured": f"{mbs:.1f} MB/s",
                "ok": mbs >= 40,
            }
        )
    if full:
        st = full["stages"]
        ing = st.get("ingest", {})
        ledger_s = ing.get("parse_table_s", 0) + st.get("normalise", {}).get("seconds", 0)
        ledger_s += st.get("validate", {}).get("seconds", 0) + st.get("load", {}).get("write_s", 0)
        rows = ing.get("table_rows", 0)
        est = ledger_s * 10_000_000 / rows if rows else None
        out.append(
            {
                "target": "10M-row ledger ingested+validated+loaded < 10 s",
                "measured": f"{ledger_s:.2f} s for {rows:,} CSV rows (upper bound: validate and the write include the reports)"
                + (
                    f"; linear extrapolation to 10M: {est:.0f} s"
                    if est and rows < 10_000_000
                    else ""
                ),
                "ok": (est or 1e9) < 10,
            }
        )
    for led_name, fmt in (("ledger", "Parquet"), ("ledger-csv", "CSV")):
        led = sc.get(led_name)
        if not (led and led.get("stages", {}).get("ingest")):
            continue
        rows = led["summary"].get("shipments_loaded") or 0
        work = sum(
            led["stages"].get(k, {}).get("seconds", 0)
            for k in ("ingest", "normalise", "validate", "load")
        )
        est = work * 10_000_000 / rows if rows else None
        out.append(
            {
                "target": f"10M-row ledger ({fmt}) ingested+validated+loaded < 10 s",
                "measured": f"{work:.2f} s for {rows:,} rows, peak RSS {led['peak_rss_mb']:,.0f} MB"
                + (f"; extrapolated to 10M: {est:.0f} s" if est and rows < 10_000_000 else ""),
                "ok": (est or 1e9) < 10,
            }
        )
    if full:
        scale = 100_000 / max(1, res["archive"]["reports"])
        other = full["stages"].get("other", {}).get("seconds", 0)
        est = other + (full["flow_wall_s"] - other) * scale
        measured = f"{full['flow_wall_s']:.1f} s"
        if scale > 1.5:
            measured += f" at this scale; linear extrapolation to 100k reports + 10M rows: ~{est / 60:.0f} min"
        out.append(
            {
                "target": "full run < 90 s beyond Prefect start-up",
                "measured": measured,
                "ok": est < 90,
            }
        )
        out.append(
            {
                "target": "peak RSS < 4 GB",
                "measured": f"{full['peak_rss_mb']:,.0f} MB (flow process)",
                "ok": full["peak_rss_mb"] < 4000,
            }
        )
    noop = sc.get("noop")
    if noop:
        out.append(
            {
                "target": "no-op rerun < 2 s of pipeline work",
                "measured": f"{noop['flow_wall_s']:.2f} s flow wall",
                "ok": noop["flow_wall_s"] < 2,
            }
        )
    inc = sc.get("incremental")
    if inc and full:
        ratio = inc["flow_wall_s"] / full["flow_wall_s"]
        out.append(
            {
                "target": "incremental 1% < 10% of full",
                "measured": f"{ratio:.1%} ({inc['flow_wall_s']:.1f} s)",
                "ok": ratio < 0.10,
            }
        )
    peers = res.get("peers") or {}
    sp = (peers.get("peers") or {}).get("spacy_matcher")
    if sp and sp.get("ratio_ours_over_peer"):
        out.append(
            {
                "target": ">= 30x the spaCy Matcher baseline",
                "measured": f"{sp['ratio_ours_over_peer']:.1f}x",
                "ok": sp["ratio_ours_over_peer"] >= 30,
            }
        )
    return out


def markdown(res: dict) -> str:
    lines = [
        f"# Supplyline benchmark: preset `{res['preset']}`, {res['timestamp']}",
        "",
        f"Archive: {res['archive']['reports']:,} reports ({res['archive']['report_bytes'] / MB:,.1f} MB), "
        f"ledger {res['archive']['rows']:,} rows; machine: {res['machine']['cpus']} CPUs, "
        f"Python {res['machine']['python']}. Prefect start-up (first flow, ephemeral API): "
        f"{res['prefect_startup_s']:.1f} s. Disk ceiling: read {res['ceiling']['read_mb_s']:,.0f} MB/s, "
        f"read+sha256 {res['ceiling']['read_sha256_mb_s']:,.0f} MB/s.",
        "",
    ]
    lines += [
        "| scenario | status | flow wall s | in tasks s | peak RSS MB | new files | claims | shipment rows |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for s in res["scenarios"]:
        sm = s.get("summary") or {}
        lines.append(
            f"| {s['scenario']} | {str(s['status'])[:60]} | {s.get('flow_wall_s', '')} | {s.get('tasks_wall_s', '')} | "
            f"{s.get('peak_rss_mb', '')} | {sm.get('files_new', '')} | {sm.get('claims_loaded', '')} | {sm.get('shipments_loaded', '')} |"
        )
    for s in res["scenarios"]:
        if not s.get("stages"):
            continue
        lines += [
            "",
            f"## {s['scenario']}",
            "",
            "| stage | seconds | throughput | peak RSS MB | detail |",
            "|---|---:|---|---:|---|",
        ]
        for name in STAGES:
            st = s["stages"].get(name)
            if not st:
                continue
            detail = ", ".join(
                f"{k}={v}"
                for k, v in st.items()
                if k not in ("seconds", "throughput", "peak_rss_mb", "note")
                and v not in (None, "", 0)
            )
            lines.append(
                f"| {name} | {st['seconds']:.3f} | {st['throughput']} | {st['peak_rss_mb']:,.0f} | {detail} |"
            )
    peers = res.get("peers")
    if peers and peers.get("peers"):
        lines += [
            "",
            "## Extraction peers (same report texts)",
            "",
            "| extractor | reports | seconds | reports/s | MB/s | ours ÷ peer | note |",
            "|---|---:|---:|---:|---:|---:|---|",
        ]
        for name, p in peers["peers"].items():
            ratio = p.get("ratio_ours_over_peer")
            lines.append(
                f"| {name} | {p.get('reports', '')} | {p.get('seconds', '')} | {p.get('reports_per_s', '')} | "
                f"{p.get('mb_per_s', '')} | {f'{ratio:.2f}x' if ratio is not None else ''} | {p.get('note', p.get('error', ''))} |"
            )
    if res.get("targets"):
        lines += [
            "",
            f"## Targets ({TARGETS_NOTE})",
            "",
            "| target | measured | met |",
            "|---|---|---|",
        ]
        for t in res["targets"]:
            lines.append(f"| {t['target']} | {t['measured']} | {'yes' if t['ok'] else 'NO'} |")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------------
# Main
# ------------------------------------------------------------------------------------------


def prepare_archive(
    archive: Path, preset: str | None, reports: int, rows: int, seed: int, regen: bool
) -> dict:
    manifest_path = archive / "manifest.json"
    if manifest_path.exists() and not regen:
        manifest = json.loads(manifest_path.read_text())
        if (
            manifest.get("seed") == seed
            and manifest.get("rows") == rows
            and manifest["reports"] - sum(a["files"] for a in manifest["added"]) == reports
        ):
            generate.reset_added(archive)
            return json.loads(manifest_path.read_text())
    print(f"generating {reports:,} reports + {rows:,} ledger rows into {archive} ...", flush=True)
    return generate.generate(archive, reports, rows, seed)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        description="Benchmark the nightly pipeline on a generated archive."
    )
    ap.add_argument("--preset", choices=sorted(generate.PRESETS), default="small")
    ap.add_argument("--reports", type=int, help="override the preset's report count")
    ap.add_argument("--rows", type=int, help="override the preset's ledger rows")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument(
        "--archive", type=Path, help="archive folder (default bench/work/<preset>/archive)"
    )
    ap.add_argument(
        "--work", type=Path, help="scratch folder for warehouses (default bench/work/<preset>)"
    )
    ap.add_argument("--out", type=Path, default=HERE / "results")
    ap.add_argument("--scenarios", default=",".join(SCENARIOS))
    ap.add_argument(
        "--new-pct", type=float, default=1.0, help="new files for the incremental run, in %%"
    )
    ap.add_argument("--regen", action="store_true", help="regenerate the archive even if it exists")
    ap.add_argument("--no-peers", action="store_true", help="skip quantulum3 / spaCy")
    ap.add_argument(
        "--profile",
        action="store_true",
        help="cProfile every task body (slower); writes <result>.profile.txt",
    )
    ap.add_argument("--peer-sample", type=int, default=200, help="reports given to quantulum3")
    ap.add_argument("--peer-limit", type=int, help="reports given to ours and spaCy (default: all)")
    return ap.parse_args(argv)


@dataclass
class Bench:
    """One benchmark session: where it works, and the probes that time the flows."""

    archive: Path
    work: Path
    probe: Probe
    sampler: Sampler
    new_pct: float
    nightly_mod: object = None
    results: list[dict] = field(default_factory=list)

    @property
    def warehouse(self) -> Path:
        return self.work / "warehouse.duckdb"

    def as_cli(self, flow_obj):
        """The flow as the CLI runs it (with_task_runner: Dask when SUPPLYLINE_DASK_ADDRESS is set)."""
        from supplyline.settings import Settings

        wrap = getattr(self.nightly_mod, "with_task_runner", None)
        return wrap(flow_obj, Settings()) if wrap else flow_obj

    def record(self, res: dict) -> None:
        self.results.append(res)
        print(
            f"[{res['scenario']}] {res['status']} flow {res.get('flow_wall_s')} s; "
            + ", ".join(f"{k} {v['seconds']:.2f}s" for k, v in (res.get("stages") or {}).items()),
            flush=True,
        )

    def nightly(self, name: str, inbox: Path, warehouse: Path) -> dict:
        return run_scenario(
            name,
            self.as_cli(self.nightly_mod.nightly),
            self.probe,
            self.sampler,
            inbox,
            warehouse,
            inbox=str(inbox),
            warehouse=str(warehouse),
        )

    def run(self, name: str) -> None:
        """One scenario: full, noop, incremental, rebuild, ledger or ledger-csv."""
        inbox = self.archive / "inbox"
        if name in ("full", "noop"):
            self.record(self.nightly(name, inbox, self.warehouse))
        elif name == "incremental":
            added = generate.add_new(self.archive, self.new_pct)
            self.record({**self.nightly(name, inbox, self.warehouse), "added": added})
        elif name == "rebuild":
            if not self.warehouse.exists():
                self.results.append(
                    {"scenario": "rebuild", "status": "skipped: no warehouse (run full first)"}
                )
                return
            rebuild = self.as_cli(self.nightly_mod.rebuild)
            self.record(
                run_scenario(
                    name,
                    rebuild,
                    self.probe,
                    self.sampler,
                    None,
                    self.warehouse,
                    warehouse=str(self.warehouse),
                )
            )
        elif name in ("ledger", "ledger-csv"):
            self.record(self.nightly(name, *self.ledger_only(name)))
        else:
            raise SystemExit(
                f"unknown scenario {name!r}; choose from {SCENARIOS + EXTRA_SCENARIOS}"
            )

    def ledger_only(self, name: str) -> tuple[Path, Path]:
        """An inbox holding only the ledger (Parquet, or CSV for ledger-csv), and a fresh warehouse."""
        ext = "csv" if name == "ledger-csv" else "parquet"
        led_inbox = self.work / f"{name}_inbox"
        shutil.rmtree(led_inbox, ignore_errors=True)
        led_inbox.mkdir(parents=True)
        src = self.archive / "ledger" / f"voyages_ledger.{ext}"
        try:
            os.link(src, led_inbox / src.name)
        except OSError:
            shutil.copyfile(src, led_inbox / src.name)
        for leftover in self.work.glob(f"{name}_warehouse.duckdb*"):
            leftover.unlink()
        return led_inbox, self.work / f"{name}_warehouse.duckdb"


def prefect_startup() -> float:
    """Seconds Prefect takes to run a first (empty) flow: its ephemeral API start-up."""
    from prefect import flow

    @flow(name="bench-warmup")
    def warmup() -> int:
        return 1

    t0 = time.perf_counter()
    warmup()
    return time.perf_counter() - t0


def write_results(args: argparse.Namespace, res: dict, probe: Probe) -> None:
    args.out.mkdir(parents=True, exist_ok=True)
    base = args.out / f"{res['preset']}-{res['timestamp']}"
    base.with_suffix(".json").write_text(json.dumps(res, indent=2, default=str) + "\n")
    if args.profile:
        base.with_suffix(".profile.txt").write_text(probe.profile_report())
    md = markdown(res)
    base.with_suffix(".md").write_text(md)
    (args.out / f"latest-{res['preset']}.md").write_text(md)
    print(md)
    print(f"wrote {base}.json and {base}.md")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    preset = generate.PRESETS[args.preset]
    reports = args.reports or preset["reports"]
    rows = args.rows if args.rows is not None else preset["rows"]
    work = (args.work or HERE / "work" / args.preset).resolve()
    archive = (args.archive or work / "archive").resolve()

    # Isolate Prefect's database and Supplyline's data folder from everyone else's runs.
    os.environ.setdefault("PREFECT_HOME", str(work / "prefect_home"))
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    os.environ["SUPPLYLINE_DATA_DIR"] = str(work / "data")

    t_gen = time.perf_counter()
    manifest = prepare_archive(archive, args.preset, reports, rows, args.seed, args.regen)
    gen_s = time.perf_counter() - t_gen
    ceiling = disk_ceiling(archive / "inbox")
    print(f"ceiling: {ceiling}", flush=True)

    sampler = Sampler()
    sampler.start()
    bench = Bench(archive, work, Probe(sampler, profile=args.profile), sampler, args.new_pct)
    startup = prefect_startup()
    print(f"prefect start-up: {startup:.1f} s", flush=True)
    bench.nightly_mod = install_probes(bench.probe)
    for leftover in work.glob("warehouse.duckdb*"):
        leftover.unlink()
    shutil.rmtree(work / "data", ignore_errors=True)
    for name in (s.strip() for s in args.scenarios.split(",") if s.strip()):
        bench.run(name)
    sampler.stop()
    generate.reset_added(archive)

    peers = None
    if not args.no_peers:
        import peers as peers_mod

        peers = peers_mod.run_peers(
            archive / "inbox", limit=args.peer_limit, sample=args.peer_sample
        )

    res = {
        "preset": args.preset if not (args.reports or args.rows is not None) else "custom",
        "timestamp": dt.datetime.now().strftime("%Y%m%dT%H%M%S"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "archive": {
            **{k: manifest[k] for k in ("seed", "reports", "rows", "report_bytes", "by_format")},
            "path": str(archive),
            "ledger": manifest["ledger"],
            "prepare_s": round(gen_s, 2),
        },
        "prefect_startup_s": round(startup, 3),
        "ceiling": ceiling,
        "probes": bench.probe.patched,
        "scenarios": bench.results,
        "peers": peers,
        "measurement": __doc__.split("What is measured")[1].split("Usage::")[0].strip(),
    }
    res["targets"] = check_targets(res)
    write_results(args, res, bench.probe)
    return 0


if __name__ == "__main__":
    sys.exit(main())
