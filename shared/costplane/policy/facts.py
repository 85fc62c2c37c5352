"""What a policy may know about a resource when it is evaluated, gathered once per event."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from costplane.domain.budgets import BudgetView
from costplane.domain.decisions import Owner
from costplane.domain.events import ResourceEvent


@dataclass(frozen=True, slots=True)
class Facts:
    """The event plus what the engine learned about its resource.

    `tags` are the resource's tags (from the event or the inventory); `cost_per_hour` is its
    run-rate priced from the lake or the fallback price sheet (None when unknown);
    `utilisation` is a 0..1 figure from metrics, when available; `owner` is the resource's
    owner as `costplane.engine.attribution` attributes it for every service.
    """

    event: ResourceEvent
    tags: Mapping[str, str]
    now: datetime
    cost_per_hour: Decimal | None = None
    budgets: Mapping[str, BudgetView] = field(default_factory=dict)
    utilisation: float | None = None
    created_at: datetime | None = None
    owner: Owner = field(default_factory=Owner)
