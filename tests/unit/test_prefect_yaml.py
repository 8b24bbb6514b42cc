"""Every prefect.yaml entrypoint imports and is a Prefect flow with the declared schedule."""

from __future__ import annotations

import importlib.util

import yaml
from prefect import Flow

from supplyline.settings import REPO_ROOT


def _deployments() -> list[dict]:
    return yaml.safe_load((REPO_ROOT / "prefect.yaml").read_text())["deployments"]


def test_every_entrypoint_imports_as_a_flow():
    deployments = _deployments()
    assert deployments
    for dep in deployments:
        path, name = dep["entrypoint"].split(":")
        spec = importlib.util.spec_from_file_location(f"entry_{name}", REPO_ROOT / path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        assert isinstance(getattr(module, name), Flow)


def test_nightly_schedule_and_concurrency():
    (nightly,) = [d for d in _deployments() if d["name"] == "nightly"]
    assert nightly["schedules"][0]["cron"] == "0 2 * * *"
    assert nightly["schedules"][0]["timezone"]
    assert nightly["concurrency_limit"] == {"limit": 1, "collision_strategy": "CANCEL_NEW"}
    text = (REPO_ROOT / "prefect.yaml").read_text().lower()
    assert "password" not in text and "secret" not in text.replace("no secrets", "")
