"""One typed settings object for every part of Supplyline (env prefix ``SUPPLYLINE_``)."""

from __future__ import annotations

import hashlib
import os
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_WAREHOUSE = REPO_ROOT / "data" / "warehouse.duckdb"


def state_dir_for(warehouse: Path | str | None, lake_catalog: str | None = None) -> Path:
    """The folder of a warehouse's own state (outbox, hash cache, Data Docs, logs, scratch):
    ``<warehouse>.d`` beside the file (or beside a DuckLake's catalog file), so two warehouses
    never share an outbox."""
    if lake_catalog:
        if lake_catalog.startswith("postgres:"):
            digest = hashlib.sha256(lake_catalog.encode()).hexdigest()[:12]
            return REPO_ROOT / "data" / f"lake-{digest}.d"
        owner = Path(lake_catalog)
    else:
        owner = Path(warehouse or DEFAULT_WAREHOUSE)
    return owner.with_name(owner.name + ".d")


class Settings(BaseSettings):
    """Runtime configuration; every field can be set as ``SUPPLYLINE_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="SUPPLYLINE_", extra="ignore")

    inbox: Path = Field(
        REPO_ROOT / "samples" / "inbox", description="Folder of new reports and tables."
    )
    warehouse: Path = Field(DEFAULT_WAREHOUSE, description="Published DuckDB warehouse file.")
    data_dir: Path = Field(
        DEFAULT_WAREHOUSE.with_name(DEFAULT_WAREHOUSE.name + ".d"),
        description="This warehouse's own folder: outbox, hash cache, Data Docs, logs, scratch "
        "(default: <warehouse>.d beside the warehouse).",
    )
    reference_dir: Path = Field(
        REPO_ROOT / "reference", description="Versioned reference data (aliases, metrics, rules)."
    )
    lake_catalog: str | None = Field(
        None,
        description="Use a DuckLake instead of the file: catalog path (x.ducklake) or 'postgres:dbname=...'.",
    )
    lake_data_path: Path | None = Field(
        None, description="DuckLake Parquet folder (default data_dir/lake)."
    )
    extract_batch_docs: int = Field(
        2000, description="Documents per Dask task; smaller batches are extracted in one process."
    )
    group_mb: float = Field(
        64.0,
        description="New files are read, extracted and written in groups of about this many MB.",
    )
    extract_processes: int = Field(
        0,
        description="Worker processes for extraction on this machine (0: one per CPU; 1: in-process).",
    )
    dask_address: str | None = Field(
        None, description="Run extraction on this Dask scheduler, or 'local' for a local cluster."
    )
    extra_checks_dir: Path | None = Field(
        None, description="Folder of the team's own zero-row SQL checks (-- table:, -- severity:)."
    )
    duckdb_memory_limit: str = Field(
        "2GB", description="DuckDB's memory cap for a run; beyond it DuckDB spills to data_dir/tmp."
    )
    max_file_mb: float = Field(
        2000.0,
        description="Files larger than this are quarantined unread (a 10M-row ledger is ~0.9 GB).",
    )
    trust_file_stamps: bool = Field(
        True,
        description="Reuse a file's hash while its size, mtime, ctime and inode are unchanged.",
    )

    smtp_host: str | None = Field(
        None, description="SMTP server; unset writes alerts to the outbox."
    )
    smtp_port: int = Field(25, description="SMTP port.")
    smtp_tls: Literal["none", "starttls", "ssl"] = Field(
        "none", description="SMTP transport security."
    )
    smtp_user: str | None = Field(None, description="SMTP login name.")
    smtp_password: SecretStr | None = Field(None, description="SMTP password (environment only).")
    smtp_credentials_block: str | None = Field(
        None, description="Name of a Prefect EmailServerCredentials block to use instead."
    )
    smtp_timeout: float = Field(10.0, description="Seconds before an SMTP attempt gives up.")
    alert_from: str = Field("supplyline@localhost", description="Sender of alert emails.")
    alert_to: str = Field("", description="Comma-separated alert recipients.")
    alert_always: bool = Field(False, description="Send a summary email even when all checks pass.")

    # What the alerts watch and how much of it is kept.
    freshness_days: float = Field(
        7.0,
        gt=0,
        description="Warn when no new report has arrived in the inbox for this many days.",
    )
    data_docs_keep: int = Field(
        14, ge=1, description="Data Docs are kept for this many most recent runs."
    )

    @model_validator(mode="before")
    @classmethod
    def _state_beside_warehouse(cls, data: Any) -> Any:
        """Unless set, the state folder follows the warehouse it belongs to."""
        if isinstance(data, dict) and not data.get("data_dir"):
            data = {
                **data,
                "data_dir": state_dir_for(data.get("warehouse"), data.get("lake_catalog")),
            }
        return data

    @property
    def alert_recipients(self) -> list[str]:
        """Recipients parsed from the comma-separated setting."""
        return [a.strip() for a in self.alert_to.split(",") if a.strip()]

    @cached_property
    def outbox(self) -> Path:
        """Folder where unsent alert emails wait as .eml files."""
        return self.data_dir / "outbox"

    @property
    def group_bytes(self) -> int:
        """Group size in bytes (see ``group_mb``)."""
        return int(self.group_mb * 1_000_000)

    @property
    def extraction_processes(self) -> int:
        """Worker processes for extraction: the setting, or one per CPU this process may use."""
        return self.extract_processes or len(os.sched_getaffinity(0))

    @cached_property
    def hash_cache(self) -> Path:
        """Hashes of inbox files by their stamps, so an unchanged file is not read again
        (one cache per inbox folder: paths in it are relative to the inbox)."""
        folder = hashlib.sha256(str(self.inbox.resolve()).encode()).hexdigest()[:12]
        return self.data_dir / f"scan_hashes-{folder}.parquet"

    @cached_property
    def data_docs_dir(self) -> Path:
        """Folder where Great Expectations Data Docs are built, one sub-folder per run."""
        return self.data_dir / "data_docs"
