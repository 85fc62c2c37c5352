"""Open the pyiceberg catalog the lake lives in: one code path for SQLite, Glue and REST."""

from __future__ import annotations

from pathlib import Path

from pyiceberg.catalog import Catalog, load_catalog

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
    if settings.type == "sql":
        lake.mkdir(parents=True, exist_ok=True)
    return load_catalog(settings.name, **catalog_properties(lake, settings))
