"""Settings from the environment (prefix COSTPLANE_). Read only by the bootstrap and the CLI."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COSTPLANE_", extra="ignore")

    lake: Path = Field(Path(".costplane"), description="Local state and warehouse directory.")
    taxonomy: Path | None = Field(None, description="Taxonomy file; the bundled example if unset.")
    policies: Path | None = Field(None, description="Policy file; the bundled example if unset.")
    budgets: Path | None = Field(None, description="Budgets file; the bundled example if unset.")
    inventory: Path | None = Field(None, description="Local inventory seed (JSON).")
    mode: str | None = Field(None, description="Override the taxonomy's enforcement mode.")
    clock: datetime | None = Field(
        None, description="Pin the local plane's clock (UTC), to replay events as of their time."
    )
    state: str | None = Field(
        None, description="SQLite state file, or ':memory:'; default <lake>/state.db."
    )

    @property
    def state_path(self) -> str:
        return self.state or str(self.lake / "state.db")
