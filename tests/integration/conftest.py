"""Integration tests run real flows against one session-wide temporary Prefect API."""

from __future__ import annotations

import pytest
from prefect.testing.utilities import prefect_test_harness


@pytest.fixture(autouse=True, scope="session")
def prefect_api():
    with prefect_test_harness(server_startup_timeout=180):
        yield
