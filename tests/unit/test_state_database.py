"""The ephemeral Prefect server's migration check is skipped only for a database file this
Prefect version already migrated."""

from __future__ import annotations

import os

import pytest

from flows.orchestration import (
    MIGRATED_SUFFIX,
    remember_migrated,
    skip_migration_check,
    state_database,
)

SETTING = "PREFECT_SERVER_DATABASE_MIGRATE_ON_START"


@pytest.fixture
def clean_env(monkeypatch):
    for name in (SETTING, "PREFECT_API_DATABASE_MIGRATE_ON_START"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_a_migrated_file_skips_the_check_until_it_is_replaced(tmp_path, clean_env):
    db = tmp_path / "prefect.db"
    assert not skip_migration_check(db)  # no database yet: Prefect creates and migrates it
    db.write_bytes(b"state")
    assert not skip_migration_check(db) and SETTING not in os.environ  # never stamped
    remember_migrated(db)
    assert (tmp_path / f"prefect.db{MIGRATED_SUFFIX}").is_file()
    assert skip_migration_check(db) and os.environ[SETTING] == "false"
    clean_env.delenv(SETTING)
    (tmp_path / "other").write_bytes(b"state")
    (tmp_path / "other").replace(db)  # another file at the same path: checked again
    assert not skip_migration_check(db) and SETTING not in os.environ


def test_another_prefect_version_or_the_operators_setting_wins(tmp_path, clean_env):
    db = tmp_path / "prefect.db"
    db.write_bytes(b"state")
    remember_migrated(db)
    marker = tmp_path / f"prefect.db{MIGRATED_SUFFIX}"
    marker.write_text("0.0.1 " + marker.read_text().split()[1])
    assert not skip_migration_check(db)
    remember_migrated(db)
    clean_env.setenv("PREFECT_API_DATABASE_MIGRATE_ON_START", "true")
    assert not skip_migration_check(db) and SETTING not in os.environ


def test_runs_against_a_server_start_nothing(clean_env):
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings({PREFECT_API_URL: "http://127.0.0.1:9/api"}):
        assert state_database() is None
    assert not skip_migration_check(None)
