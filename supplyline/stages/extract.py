"""Extract: attributed claims and entity mentions from a group's documents (pure compute)."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from supplyline import extract_worker
from supplyline.settings import Settings
from transforms.rules import ExtractionRules


@dataclass(frozen=True)
class Extracted:
    """Claims and entity mentions of a set of documents."""

    claims: pl.DataFrame
    mentions: pl.DataFrame

    @staticmethod
    def combined(parts: list[Extracted]) -> Extracted:
        """Chunks extracted apart (on a Dask cluster) as one result."""
        return Extracted(
            pl.concat([p.claims for p in parts]), pl.concat([p.mentions for p in parts])
        )


def extract(
    documents: pl.DataFrame, rules: ExtractionRules, settings: Settings, processes: int
) -> Extracted:
    """Claims and mentions of ``documents``, split over ``processes`` worker processes when
    there are at least ``extract_batch_docs`` of them (workers read the rules again from the
    reference folder, and exchange files in ``data_dir/tmp``)."""
    claims, mentions = extract_worker.extract_in_processes(
        documents,
        rules,
        settings.reference_dir,
        processes,
        settings.extract_batch_docs,
        settings.data_dir / "tmp",
    )
    return Extracted(claims, mentions)
