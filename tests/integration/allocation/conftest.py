"""A lake built once from the bundled real bills, for allocation and forecast tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from costplane.billing.focus.sources import get_normaliser
from costplane.billing.lake.table import open_lake
from costplane.billing.lake.writer import ingest
from tests.conftest import TEST_DATA

BILLS = TEST_DATA / "focus"
SAMPLES = {
    "focus": BILLS / "focus" / "focus_1.0_sample_1000rows_aws_azure_oci.csv",
    "aws-cur": BILLS / "aws" / "cur_legacy_anonymized_2023-11_days01-07.csv",
    "azure-ea": BILLS / "azure" / "ea_amortized_cost_small.csv",
    "oci": BILLS / "oci" / "oci_cost_report_2023-11-13_hours05-07.csv",
}


@pytest.fixture(scope="module")
def samples_lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A lake directory holding the FOCUS sample, AWS CUR, Azure EA and OCI bills."""
    path = tmp_path_factory.mktemp("lake")
    lake = open_lake(path)
    for source, bill in SAMPLES.items():
        ingest(lake, get_normaliser(source), [bill])
    return path
