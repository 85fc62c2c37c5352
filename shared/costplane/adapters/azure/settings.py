"""Azure settings from the environment: credentials and where durable state lives."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class AzureSettings(BaseSettings):
    """`COSTPLANE_AZURE_*`, plus the managed-identity endpoint that Functions injects."""

    model_config = SettingsConfigDict(env_prefix="COSTPLANE_AZURE_", extra="ignore")

    token: SecretStr | None = Field(
        None, description="A static bearer token (tests, local runs); wins over managed identity."
    )
    client_id: str | None = Field(None, description="Client id of a user-assigned identity.")
    identity_endpoint: str | None = Field(None, validation_alias="IDENTITY_ENDPOINT")
    identity_header: SecretStr | None = Field(None, validation_alias="IDENTITY_HEADER")
    state_account: str | None = Field(
        None, description="Storage account whose Table holds claims and decisions; SQLite if unset."
    )
    state_table: str = "costplane"
    state_endpoint: str | None = Field(
        None, description="Table endpoint override (Azurite, sovereign clouds)."
    )

    @property
    def table_url(self) -> str | None:
        if self.state_account is None:
            return None
        endpoint = self.state_endpoint or f"https://{self.state_account}.table.core.windows.net"
        return f"{endpoint.rstrip('/')}/{self.state_table}"
