"""GCP settings from the environment: credentials and where durable state lives."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class GcpSettings(BaseSettings):
    """`COSTPLANE_GCP_*`."""

    model_config = SettingsConfigDict(env_prefix="COSTPLANE_GCP_", extra="ignore")

    token: SecretStr | None = Field(
        None,
        description="A static bearer token (tests, local runs); wins over the metadata server.",
    )
    state_project: str | None = Field(
        None, description="Project whose Firestore holds claims and decisions; SQLite if unset."
    )
    state_database: str = "(default)"
    state_collection: str = Field(
        "costplane",
        description="Prefix of the `<prefix>_claims` and `<prefix>_decisions` collections.",
    )
