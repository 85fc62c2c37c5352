"""The one event shape the core understands, whatever cloud emitted it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Provider(StrEnum):
    AWS = "aws"
    AZURE = "azure"
    GCP = "gcp"
    OPENAI = "openai"
    ANTHROPIC = "anthropic"


class Operation(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    TAG = "tag"
    STATE = "state"
    SWEEP = "sweep"
    """A scheduled re-check of a resource carrying a mark, not a change to it."""


class ResourceEvent(BaseModel):
    """A change to one cloud resource, normalised from a provider-native event.

    `tags` is None when the event does not say what the tags are (Azure writes, most GCP
    audit logs); the resource is then read through the Inventory port before deciding.
    For tag operations, `tags` holds what the operation set and `removed_tags` what it removed.
    """

    model_config = ConfigDict(frozen=True)

    provider: Provider
    event_id: str
    event_name: str
    event_time: datetime
    account: str
    region: str | None = None
    resource_id: str
    resource_type: str
    operation: Operation
    actor: str | None = None
    tags: dict[str, str] | None = None
    removed_tags: tuple[str, ...] = ()
    raw: dict[str, Any] = Field(default_factory=dict, repr=False, exclude=True)

    @property
    def idempotency_key(self) -> str:
        """One key per provider event and resource: a retried delivery maps to the same key."""
        return f"{self.provider}:{self.event_id}:{self.resource_id}"
