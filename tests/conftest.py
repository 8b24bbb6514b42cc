"""Shared fixtures: the SMTP server plugin and paths to the data we wrote."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")

pytest_plugins = ["tests.smtp_fixture"]

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def sample_inbox() -> Path:
    return REPO / "samples" / "inbox"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return REPO / "tests" / "data"
