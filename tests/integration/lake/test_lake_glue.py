"""The lake on AWS: a Glue catalog and an S3 warehouse, here served by the moto server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import boto3
import orjson
import pytest

from costplane.billing.lake.maintenance import expire
from costplane.billing.lake.query import history, sql
from costplane.billing.lake.table import open_lake
from costplane.billing.lake.writer import ingest
from costplane.bootstrap import plane
from costplane.config import CatalogSettings, Settings

BUCKET = "costplane-lake"


@pytest.fixture
def glue_settings(aws_env: str) -> CatalogSettings:
    boto3.client("s3").create_bucket(Bucket=BUCKET)
    return CatalogSettings(
        type="glue",
        warehouse=f"s3://{BUCKET}/warehouse",
        properties={
            "glue.endpoint": aws_env,
            "glue.region": "us-east-1",
            "s3.endpoint": aws_env,
            "s3.region": "us-east-1",
            "s3.access-key-id": "testing",
            "s3.secret-access-key": "testing",
        },
    )


def test_glue_lake_ingests_to_s3_and_reads_back(tmp_path, glue_settings, normaliser, rows, bill):
    lake = open_lake(tmp_path / "unused", glue_settings)
    ingest(lake, normaliser, [bill("q1.arrows", rows(3, 1, cost="2.50"), rows(2, 2))])
    ingest(lake, normaliser, [bill("jan.arrows", rows(4, 1, cost="2.50"))])

    table = boto3.client("glue").get_table(DatabaseName="costplane", Name="focus")["Table"]
    assert table["Parameters"]["table_type"] == "ICEBERG"
    assert table["Parameters"]["metadata_location"].startswith(f"s3://{BUCKET}/warehouse/")
    keys = [
        o["Key"]
        for o in boto3.client("s3").list_objects_v2(Bucket=BUCKET)["Contents"]
        if o["Key"].endswith(".parquet")
    ]
    assert any("/data/billing_month=2024-01/provider=AWS/" in key for key in keys)
    result = sql(lake, "SELECT count(*) AS n, sum(BilledCost) AS cost FROM focus").to_pylist()
    assert result == [{"n": 6, "cost": Decimal("12.5")}]
    assert [c.operation for c in history(lake)] == ["append", "overwrite"]
    assert not (tmp_path / "unused").exists()


def test_glue_lake_expire_deletes_the_s3_objects_no_snapshot_references(
    tmp_path, glue_settings, normaliser, rows, bill
):
    lake = open_lake(tmp_path / "unused", glue_settings)
    ingest(lake, normaliser, [bill("jan.arrows", rows(3, 1))])
    ingest(lake, normaliser, [bill("jan.arrows", rows(4, 1, cost="2.50"))])

    done = expire(lake, datetime.now(UTC) + timedelta(days=1))

    assert done[0].expired_snapshots == 1
    assert done[0].orphan_files > 0
    assert expire(lake, datetime.now(UTC) + timedelta(days=1))[0].orphan_files == 0
    result = sql(lake, "SELECT count(*) AS n, sum(BilledCost) AS cost FROM focus").to_pylist()
    assert result == [{"n": 4, "cost": Decimal("10.0")}]


def test_budgets_read_the_glue_lake_the_environment_names(
    tmp_path, glue_settings, normaliser, rows, bill, monkeypatch
):
    open_lake(tmp_path / "unused", glue_settings)
    monkeypatch.setenv("COSTPLANE_CATALOG_TYPE", "glue")
    monkeypatch.setenv("COSTPLANE_CATALOG_WAREHOUSE", glue_settings.warehouse or "")
    monkeypatch.setenv(
        "COSTPLANE_CATALOG_PROPERTIES", orjson.dumps(glue_settings.properties).decode()
    )

    lake = plane(Settings(lake=tmp_path / "no-local-lake")).lake()

    assert lake is not None
    assert lake.focus.name() == ("costplane", "focus")


def test_budgets_have_no_lake_when_none_is_configured_or_built(tmp_path):
    assert plane(Settings(lake=tmp_path / "empty")).lake() is None


def test_reading_a_glue_lake_that_was_never_written_creates_nothing(
    tmp_path, glue_settings, monkeypatch
):
    monkeypatch.setenv("COSTPLANE_CATALOG_TYPE", "glue")
    monkeypatch.setenv("COSTPLANE_CATALOG_WAREHOUSE", glue_settings.warehouse or "")
    monkeypatch.setenv(
        "COSTPLANE_CATALOG_PROPERTIES", orjson.dumps(glue_settings.properties).decode()
    )

    assert plane(Settings(lake=tmp_path / "no-local-lake")).lake() is None
    assert boto3.client("glue").get_databases()["DatabaseList"] == []
