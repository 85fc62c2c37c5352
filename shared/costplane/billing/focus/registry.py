"""Normalisers register by source name; ingestion looks them up instead of branching on a name."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Protocol, runtime_checkable

import pyarrow as pa

from costplane.billing.focus.errors import UnknownSourceError

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


def get_normaliser(name: str) -> Normaliser:
    """The normaliser for `name`; an unknown name raises UnknownSourceError listing valid ones."""
    _load_builtin()
    try:
        return _NORMALISERS[name]
    except KeyError:
        raise UnknownSourceError(name, normaliser_names()) from None


def normaliser_names() -> list[str]:
    _load_builtin()
    return sorted(_NORMALISERS)


def _load_builtin() -> None:
    """Import the built-in normalisers, which register themselves, on first lookup."""
    import costplane.billing.focus.sources  # noqa: F401
