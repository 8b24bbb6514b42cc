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


@pytest.fixture(scope="session")
def sample_documents(sample_inbox: Path):
    """The bundled sample reports as the document frame extraction receives."""
    import polars as pl

    from supplyline.inbox import parse_file, scan_inbox

    rows = []
    for f in scan_inbox(sample_inbox, 10_000_000):
        if f.kind == "text":
            doc = parse_file(f).document
            rows.append(
                {
                    "doc_id": f.sha256[:16],
                    "text": doc.text,
                    "published": doc.published,
                    "title": doc.title,
                    "outlet": doc.outlet,
                }
            )
    return pl.DataFrame(rows)
