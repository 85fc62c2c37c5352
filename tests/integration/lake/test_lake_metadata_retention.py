"""Iceberg keeps the metadata file each commit replaces unless a table says otherwise: the
lake's tables say to delete the oldest beyond the last 20, so commits do not pile them up."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
from pyiceberg.catalog.sql import SqlCatalog

from costplane.billing.lake.catalog import METADATA_RETENTION, ensure_table

SCHEMA = pa.schema([pa.field("n", pa.int64())])


def catalog_in(tmp_path: Path) -> SqlCatalog:
    catalog = SqlCatalog(
        "test", uri=f"sqlite:///{tmp_path}/catalog.db", warehouse=f"file://{tmp_path}"
    )
    catalog.create_namespace("lake")
    return catalog


def test_a_lake_table_keeps_a_bounded_number_of_metadata_files(tmp_path: Path) -> None:
    catalog = catalog_in(tmp_path)
    identifier = ("lake", "t")
    table = ensure_table(catalog, identifier, lambda: catalog.create_table(identifier, SCHEMA))

    for n in range(30):
        table.append(pa.table({"n": [n]}, schema=SCHEMA))

    kept = list(tmp_path.glob("**/t/metadata/*.metadata.json"))
    assert 0 < len(kept) <= int(METADATA_RETENTION["write.metadata.previous-versions-max"]) + 1


def test_a_table_made_before_the_setting_gains_it_when_next_opened(tmp_path: Path) -> None:
    catalog = catalog_in(tmp_path)
    identifier = ("lake", "old")
    catalog.create_table(identifier, SCHEMA)

    table = ensure_table(catalog, identifier, lambda: None)

    assert METADATA_RETENTION.items() <= table.properties.items()
