"""Which Iceberg catalog the lake uses, from the environment (prefix COSTPLANE_CATALOG_).

Local (the default): set nothing. The catalog is SQLite (`<lake>/catalog.db`) and the data
lives in `<lake>/warehouse/`; the lake directory is `.costplane/`, `--lake` or COSTPLANE_LAKE.

AWS Glue + S3 (Athena reads the same tables):
    COSTPLANE_CATALOG_TYPE=glue
    COSTPLANE_CATALOG_WAREHOUSE=s3://my-bucket/costplane
Credentials and region come from the usual AWS chain; an S3-compatible endpoint goes in
the properties: COSTPLANE_CATALOG_PROPERTIES='{"s3.endpoint": "http://localhost:9000"}'.

Any REST catalog (Polaris, Nessie, Unity Catalog, S3 Tables, Lakekeeper, ...):
    COSTPLANE_CATALOG_TYPE=rest
    COSTPLANE_CATALOG_URI=https://catalog.example.com/api/catalog
    COSTPLANE_CATALOG_WAREHOUSE=analytics
    COSTPLANE_CATALOG_PROPERTIES='{"credential": "client-id:client-secret"}'

COSTPLANE_CATALOG_PROPERTIES (a JSON object) is handed to pyiceberg's `load_catalog` as is,
so every catalog and FileIO property pyiceberg documents works; pyiceberg also merges in
its own configuration (~/.pyiceberg.yaml, PYICEBERG_CATALOG__COSTPLANE__* variables).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

CatalogType = Literal["sql", "glue", "rest"]


class CatalogSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COSTPLANE_CATALOG_", extra="ignore")

    type: CatalogType = Field("sql", description="pyiceberg catalog implementation.")
    name: str = Field("costplane", description="Catalog name given to pyiceberg.")
    namespace: str = Field("costplane", description="Namespace (Glue database) of the tables.")
    uri: str | None = Field(None, description="Catalog URI; default: SQLite under the lake.")
    warehouse: str | None = Field(None, description="Warehouse root; default: under the lake.")
    properties: dict[str, str] = Field(
        default_factory=dict, description="Extra pyiceberg catalog/FileIO properties."
    )
