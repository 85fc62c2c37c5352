"""Normalisers register by source name; ingestion looks them up (`costplane.billing.focus.sources`)
instead of branching on a name."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Protocol, runtime_checkable

import pyarrow as pa

DEFAULT_BATCH_ROWS = 65_536
"""Rows per normalised batch: Arrow memory scales with it; 64k kept a 5M-row CUR 2.0 ingest
near 0.7 GiB peak RSS (128k: 0.95 GiB) at the same speed (`make bench`, bench_ingest)."""


@runtime_checkable
class Normaliser(Protocol):
    """Turns one bill file into record batches with exactly `focus_arrow_schema()`.

    Implementations stream: memory is bounded by `batch_rows`, not by the file size. A file
    they cannot read raises `BillFileError` naming the file, column and row.
    """

    name: str

    def batches(
        self, path: Path, *, ingestion_id: str, batch_rows: int = DEFAULT_BATCH_ROWS
    ) -> Iterator[pa.RecordBatch]: ...


_NORMALISERS: dict[str, Normaliser] = {}


def register_normaliser(normaliser: Normaliser) -> Normaliser:
    """Register under `normaliser.name`; names are unique."""
    if normaliser.name in _NORMALISERS:
        raise ValueError(f"normaliser {normaliser.name!r} is already registered")
    _NORMALISERS[normaliser.name] = normaliser
    return normaliser


def registered() -> dict[str, Normaliser]:
    """Every normaliser registered so far, by name."""
    return dict(_NORMALISERS)
