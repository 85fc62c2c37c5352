"""The FOCUS table: schema from the column model, partitioned by billing month and provider."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pyarrow as pa
from pyiceberg.catalog import Catalog
from pyiceberg.exceptions import CommitFailedException
from pyiceberg.table import Table
from pyiceberg.transforms import IdentityTransform, MonthTransform

from costplane.billing.focus.columns import focus_arrow_schema
from costplane.billing.lake.catalog import ensure_namespace, ensure_table, open_catalog
from costplane.config import CatalogSettings, embedded_catalog

FOCUS_TABLE = "focus"
RESTATEMENT_KEY = ("x_SourceName", "BillingAccountId", "BillingPeriodStart")
"""The rows one ingest replaces: a source's bill for one billing account and period."""


@dataclass(frozen=True, slots=True, order=True)
class RestatementKey:
    """One source's bill for one billing account and billing period."""

    source: str
    billing_account_id: str
    billing_period_start: datetime


def distinct_keys(rows: pa.Table) -> set[RestatementKey]:
    """The restatement keys of `rows` (which hold the RESTATEMENT_KEY columns)."""
    found = rows.group_by(list(RESTATEMENT_KEY)).aggregate([]).to_pylist()
    return {RestatementKey(*(row[name] for name in RESTATEMENT_KEY)) for row in found}


PARTITION_COLUMNS = ("BillingPeriodStart", "ProviderName")

TABLE_PROPERTIES = {
    "format-version": "2",
    # Exact (untruncated) bounds on the restatement key and partition columns let a
    # restatement prove from metadata alone that a data file holds only the rows it replaces.
    **{
        f"write.metadata.metrics.column.{name}": "full"
        for name in (*RESTATEMENT_KEY, *PARTITION_COLUMNS)
    },
}


def create_focus_table(catalog: Catalog, namespace: str) -> None:
    """Create the table in one commit: schema, month(BillingPeriodStart) + identity(ProviderName)
    partitioning (a bill lands in one partition) and the metrics properties."""
    transaction = catalog.create_table_transaction(
        (namespace, FOCUS_TABLE), schema=focus_arrow_schema(), properties=TABLE_PROPERTIES
    )
    with transaction.update_spec() as spec:
        spec.add_field("BillingPeriodStart", MonthTransform(), "billing_month")
        spec.add_field("ProviderName", IdentityTransform(), "provider")
    transaction.commit_transaction()


def focus_table(catalog: Catalog, namespace: str) -> Table:
    """Load the FOCUS table, creating it on first use (safe when several ingests race).

    A table created by an older column model gains the new columns (as optional ones), so
    adding a column to the model needs no manual migration.
    """
    ensure_namespace(catalog, namespace)
    table = ensure_table(
        catalog, (namespace, FOCUS_TABLE), lambda: create_focus_table(catalog, namespace)
    )
    while missing := set(focus_arrow_schema().names) - {f.name for f in table.schema().fields}:
        added = [f.with_nullable(True) for f in focus_arrow_schema() if f.name in missing]
        try:
            with table.update_schema() as update:
                update.union_by_name(pa.schema(added))
        except CommitFailedException:
            table = table.refresh()  # another writer evolved it first: look again
    return table


@dataclass(frozen=True, slots=True)
class Lake:
    """An open lake: its catalog, namespace and FOCUS table."""

    catalog: Catalog
    namespace: str
    focus: Table


def read_lake(path: Path, settings: CatalogSettings | None = None) -> Lake | None:
    """The lake at `path` to read, or None when its FOCUS table does not exist yet. Creates
    nothing: readers (budgets, the policy runner) hold read-only catalog permissions."""
    settings = settings or embedded_catalog()
    catalog = open_catalog(path, settings)
    if not catalog.table_exists((settings.namespace, FOCUS_TABLE)):
        return None
    return Lake(catalog, settings.namespace, catalog.load_table((settings.namespace, FOCUS_TABLE)))


def open_lake(path: Path, settings: CatalogSettings | None = None) -> Lake:
    """Open (creating on first use) the lake at `path` with the catalog `settings` select."""
    settings = settings or embedded_catalog()
    catalog = open_catalog(path, settings)
    return Lake(catalog, settings.namespace, focus_table(catalog, settings.namespace))
