"""Open the pyiceberg catalog the lake lives in: one code path for SQLite, Glue and REST."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pyiceberg.catalog import Catalog, load_catalog
from pyiceberg.exceptions import CommitFailedException, TableAlreadyExistsError
from pyiceberg.table import Table

from costplane.config import CatalogSettings, embedded_catalog


def catalog_properties(lake: Path, settings: CatalogSettings) -> dict[str, str]:
    """The properties given to `load_catalog`; explicit settings override the local defaults.

    The embedded default keeps the catalog (`catalog.db`) and the data (`warehouse/`) side by
    side under the lake directory, so a lake is one directory that can be copied or deleted.
    """
    properties: dict[str, str] = {"type": settings.type}
    if settings.type == "sql":
        root = lake.resolve()
        properties["uri"] = f"sqlite:///{root / 'catalog.db'}"
        properties["warehouse"] = (root / "warehouse").as_uri()
    if settings.uri:
        properties["uri"] = settings.uri
    if settings.warehouse:
        properties["warehouse"] = settings.warehouse
    return properties | settings.properties


def open_catalog(lake: Path, settings: CatalogSettings | None = None) -> Catalog:
    """Load the configured catalog; the SQLite default creates the lake directory first."""
    settings = settings or embedded_catalog()
    properties = catalog_properties(lake, settings)
    if settings.type != "sql":
        return load_catalog(settings.name, **properties)
    from sqlalchemy.exc import OperationalError  # SqlCatalog's own dependency

    lake.mkdir(parents=True, exist_ok=True)
    try:
        return load_catalog(settings.name, **properties)
    except OperationalError as exc:
        # SqlCatalog creates its own tables when it opens (check, then CREATE): a first
        # writer that loses that race to another process finds them made, and opens again.
        if "already exists" not in str(exc):
            raise
        return load_catalog(settings.name, **properties)


def ensure_namespace(catalog: Catalog, namespace: str) -> None:
    """Create `namespace` unless it exists; another writer creating it first is no error.

    pyiceberg's `create_namespace_if_not_exists` checks, then inserts: a writer that loses the
    race between the two gets the catalog's own error (for SQLite a raw IntegrityError), so
    any failure is forgiven once the namespace is seen to exist.
    """
    if catalog.namespace_exists(namespace):
        return
    try:
        catalog.create_namespace(namespace)
    except Exception:
        if not catalog.namespace_exists(namespace):
            raise


METADATA_RETENTION = {
    "write.metadata.delete-after-commit.enabled": "true",
    "write.metadata.previous-versions-max": "20",
}
"""Iceberg keeps every metadata file a commit replaces unless told otherwise: with these table
properties each commit deletes the oldest beyond the last 20, so they do not build up."""


def ensure_table(
    catalog: Catalog, identifier: tuple[str, str], create: Callable[[], object]
) -> Table:
    """The table `identifier`, made by `create()` when it does not exist yet.

    The existence check comes first because creating writes a metadata file before the
    catalog is asked to register it: `create_table_if_not_exists` would leave one orphan
    metadata file behind on every call for a table that exists. A writer that loses a
    creation race (TableAlreadyExistsError, or CommitFailedException from the create
    requirement) loads the winner's table; only its own metadata file is left, for
    `lake expire` to collect.
    """
    if not catalog.table_exists(identifier):
        try:
            create()
        except (TableAlreadyExistsError, CommitFailedException):
            if not catalog.table_exists(identifier):
                raise
    table = catalog.load_table(identifier)
    if any(table.properties.get(k) != v for k, v in METADATA_RETENTION.items()):
        try:
            with table.transaction() as transaction:
                transaction.set_properties(METADATA_RETENTION)
        except CommitFailedException:
            pass  # another writer set them (or changed the table) first: theirs stand
        table = catalog.load_table(identifier)
    return table
