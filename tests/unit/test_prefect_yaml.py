"""Every prefect.yaml entrypoint imports and is a Prefect flow with the declared schedule."""

from __future__ import annotations

import yaml
from prefect import Flow
from prefect.flows import load_flow_from_entrypoint

from supplyline.settings import REPO_ROOT


def _deployments() -> list[dict]:
    return yaml.safe_load((REPO_ROOT / "prefect.yaml").read_text())["deployments"]


def test_every_entrypoint_imports_as_a_flow(monkeypatch):
    deployments = _deployments()
    assert deployments
    monkeypatch.chdir(REPO_ROOT)  # entrypoints are relative to the project root, as for a worker
    for dep in deployments:
        flow = load_flow_from_entrypoint(dep["entrypoint"])
        assert isinstance(flow, Flow)
        assert flow.name == dep["entrypoint"].split(":")[1]


def test_nightly_schedule_and_concurrency():
    (nightly,) = [d for d in _deployments() if d["name"] == "nightly"]
    assert nightly["schedules"][0]["cron"] == "0 2 * * *"
    assert nightly["schedules"][0]["timezone"]
    assert nightly["concurrency_limit"] == {"limit": 1, "collision_strategy": "CANCEL_NEW"}
    text = (REPO_ROOT / "prefect.yaml").read_text().lower()
    assert "password" not in text and "secret" not in text.replace("no secrets", "")
