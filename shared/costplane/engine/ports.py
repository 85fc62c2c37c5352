"""The interfaces the core depends on: adapters implement them, the core never imports one."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict

from costplane.domain.decisions import Action, ActionKind, Decision
from costplane.domain.events import Provider, ResourceEvent


class ResourceRef(BaseModel):
    """Enough to address one resource through its provider's API."""

    model_config = ConfigDict(frozen=True)

    provider: Provider
    account: str
    region: str | None
    resource_id: str
    resource_type: str

    @classmethod
    def of(cls, event: ResourceEvent) -> ResourceRef:
        return cls(
            provider=event.provider,
            account=event.account,
            region=event.region,
            resource_id=event.resource_id,
            resource_type=event.resource_type,
        )


class ResourceGone(LookupError):
    """The resource no longer exists (deleted between the event and our read)."""


class Inventory(Protocol):
    """Reads the current tags of a resource, for events that do not carry them."""

    def get_tags(self, ref: ResourceRef) -> dict[str, str]: ...


class Enforcer(Protocol):
    """Acts on resources of one provider. `supports` says which actions fit which resource type.

    `throttle`, `suspend` and `decommission` return the state that undoes them (also recorded
    on the resource where the provider allows it); a repeated call returns the first call's
    state. `resume` undoes `kind` from `state`, or from the resource's own record when `state`
    is empty (the audit log was lost), and does nothing when there is nothing to undo.
    """

    def supports(self, kind: ActionKind, resource_type: str) -> bool: ...

    def tag(self, ref: ResourceRef, tags: Mapping[str, str]) -> None: ...

    def untag(self, ref: ResourceRef, keys: Iterable[str]) -> None: ...

    def stop(self, ref: ResourceRef) -> None: ...

    def quarantine(self, ref: ResourceRef) -> None: ...

    def throttle(self, ref: ResourceRef) -> dict[str, str]: ...

    def suspend(self, ref: ResourceRef) -> dict[str, str]: ...

    def decommission(self, ref: ResourceRef) -> dict[str, str]: ...

    def resume(self, ref: ResourceRef, kind: ActionKind, state: Mapping[str, str]) -> None: ...


class Notifier(Protocol):
    """Tells a resource's owner about a decision (Slack, Teams, SNS, a log line)."""

    def notify(self, decision: Decision) -> None: ...


@runtime_checkable
class StateStore(Protocol):
    """State that must survive a process: idempotency claims and the audit log."""

    def claim(self, key: str, ttl_seconds: int) -> bool:
        """Claim `key` for processing; False when it was already claimed and not released."""
        ...

    def release(self, key: str) -> None:
        """Give a claim back so that a retried delivery is processed again."""
        ...

    def append_decision(self, decision: Decision) -> None: ...

    def recent_decisions(self, limit: int) -> list[Decision]: ...


class Approvals(Protocol):
    """Asks people: an approval request with approve/deny buttons, or an escalation."""

    def open(
        self, decision: Decision, action: Action, ref: ResourceRef, cost_per_hour: Decimal | None
    ) -> object: ...

    def escalate(
        self, decision: Decision, action: Action, ref: ResourceRef, cost_per_hour: Decimal | None
    ) -> None: ...


class Clock(Protocol):
    def now(self) -> datetime: ...


class Metrics(Protocol):
    """Counts what happened, by name; Powertools EMF on AWS, a counter locally."""

    def count(self, name: str, value: int = 1) -> None: ...


@dataclass(frozen=True, slots=True)
class ProviderPorts:
    """The adapters for one provider, as the bootstrap wired them."""

    inventory: Inventory
    enforcer: Enforcer
