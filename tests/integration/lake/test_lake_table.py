"""The FOCUS table and its catalog: schema from the column model, partitioning, settings."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest
from pyiceberg.transforms import IdentityTransform, MonthTransform
from pyiceberg.types import DecimalType, MapType, TimestamptzType

from costplane.billing.focus.columns import FOCUS_COLUMNS, focus_arrow_schema
from costplane.billing.lake.catalog import catalog_properties, open_catalog
from costplane.billing.lake.table import FOCUS_TABLE, Lake, focus_table, open_lake
from costplane.config import CatalogSettings


def test_focus_table_has_every_column_of_the_model_with_its_type(lake: Lake):
    schema = lake.focus.schema()
    assert [f.name for f in schema.fields] == [c.name for c in FOCUS_COLUMNS]
    assert schema.find_field("BilledCost").field_type == DecimalType(38, 10)
    assert schema.find_field("BillingPeriodStart").field_type == TimestamptzType()
    assert isinstance(schema.find_field("x_TagsMap").field_type, MapType)
    assert {f.name for f in schema.fields if f.required} == {
        c.name for c in FOCUS_COLUMNS if c.required
    }


def test_focus_table_is_partitioned_by_billing_month_and_provider(lake: Lake):
    schema = lake.focus.schema()
    fields = [(schema.find_column_name(f.source_id), f.transform) for f in lake.focus.spec().fields]
    assert fields == [
        ("BillingPeriodStart", MonthTransform()),
        ("ProviderName", IdentityTransform()),
    ]


def test_reopening_a_lake_loads_the_same_table(tmp_path: Path):
    first = open_lake(tmp_path / "lake")
    again = open_lake(tmp_path / "lake")
    assert again.focus.metadata.table_uuid == first.focus.metadata.table_uuid


def test_table_of_an_older_column_model_gains_the_new_columns(tmp_path: Path):
    catalog = open_catalog(tmp_path / "lake")
    catalog.create_namespace("costplane")
    older = pa.schema([focus_arrow_schema().field(n) for n in ("BilledCost", "ProviderName")])
    catalog.create_table(("costplane", FOCUS_TABLE), schema=older)
    table = focus_table(catalog, "costplane")
    assert [f.name for f in table.schema().fields][2:] == [
        n for n in focus_arrow_schema().names if n not in ("BilledCost", "ProviderName")
    ]


def test_default_catalog_is_sqlite_beside_a_local_warehouse(tmp_path: Path):
    properties = catalog_properties(tmp_path / "lake", CatalogSettings())
    assert properties == {
        "type": "sql",
        "uri": f"sqlite:///{tmp_path / 'lake' / 'catalog.db'}",
        "warehouse": f"file://{tmp_path / 'lake' / 'warehouse'}",
    }


def test_catalog_settings_pass_environment_properties_to_pyiceberg(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("COSTPLANE_CATALOG_TYPE", "rest")
    monkeypatch.setenv("COSTPLANE_CATALOG_URI", "https://catalog.example/api")
    monkeypatch.setenv("COSTPLANE_CATALOG_WAREHOUSE", "analytics")
    monkeypatch.setenv("COSTPLANE_CATALOG_PROPERTIES", '{"credential": "id:secret"}')
    assert catalog_properties(tmp_path, CatalogSettings()) == {
        "type": "rest",
        "uri": "https://catalog.example/api",
        "warehouse": "analytics",
        "credential": "id:secret",
    }
