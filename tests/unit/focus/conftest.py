"""Helpers for the FOCUS normaliser tests: sample paths and a one-call normalise."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pytest

from costplane.billing.focus.columns import focus_arrow_schema
from costplane.billing.focus.registry import get_normaliser
from tests.conftest import SHARED_DATA

GCP_SAMPLE = SHARED_DATA / "gcp" / "bigquery_billing_export_v1_sample.ndjson"

Normalise = Callable[..., pa.Table]


def normalise_file(source: str, path: Path, *, batch_rows: int = 131_072) -> pa.Table:
    batches = list(
        get_normaliser(source).batches(path, ingestion_id="test-ingest", batch_rows=batch_rows)
    )
    return pa.Table.from_batches(batches, schema=focus_arrow_schema())


@pytest.fixture
def normalise() -> Normalise:
    return normalise_file


@pytest.fixture
def gcp_sample() -> Path:
    if not GCP_SAMPLE.is_file():
        pytest.skip(
            "the GCP export sample (Elastic License 2.0) is read in place from ../shared/data"
        )
    return GCP_SAMPLE
