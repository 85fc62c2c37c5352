"""Helpers for the FOCUS normaliser tests: a one-call normalise."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pytest

from costplane.billing.focus.columns import focus_arrow_schema
from costplane.billing.focus.sources import get_normaliser

Normalise = Callable[..., pa.Table]


def normalise_file(source: str, path: Path, *, batch_rows: int = 131_072) -> pa.Table:
    batches = list(
        get_normaliser(source).batches(path, ingestion_id="test-ingest", batch_rows=batch_rows)
    )
    return pa.Table.from_batches(batches, schema=focus_arrow_schema())


@pytest.fixture
def normalise() -> Normalise:
    return normalise_file
