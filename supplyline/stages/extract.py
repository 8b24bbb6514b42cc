"""Extract: attributed claims and entity mentions from a group's documents (pure compute)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from supplyline import extract_worker
from supplyline.rules import ExtractionRules


@dataclass(frozen=True)
class Extracted:
    """Claims and entity mentions of a set of documents."""

    claims: pl.DataFrame
    mentions: pl.DataFrame

    @staticmethod
    def combined(parts: list[Extracted]) -> Extracted:
        """Chunks extracted apart (on a Dask cluster) as one result."""
        return Extracted(pl.concat([p.claims for p in parts]), pl.concat([p.mentions for p in parts]))


def extract(documents: pl.DataFrame, rules: ExtractionRules, reference_dir: Path, processes: int,
            batch_docs: int, scratch: Path) -> Extracted:
    """Claims and mentions of ``documents``, split over ``processes`` worker processes when
    there are at least ``batch_docs`` of them (workers read the rules from ``reference_dir``)."""
    claims, mentions = extract_worker.extract_in_processes(
        documents, rules, reference_dir, processes, batch_docs, scratch)
    return Extracted(claims, mentions)
