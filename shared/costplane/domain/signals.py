"""What a cloud budget notification (AWS Budgets, Azure budget alerts, GCP budgets) reported,
as one typed `BudgetSignal`; the clouds' parsers live in their adapters and register with the
engine's envelope registry."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from costplane.domain.events import Provider


class SpendBasis(StrEnum):
    ACTUAL = "actual"
    FORECAST = "forecast"


class BudgetSignal(BaseModel):
    """What a cloud budget reported: `spent` so far (or forecast) against `amount`.

    `budget` is the cloud budget's own name (matched against a costplane budget's `signals`);
    `threshold` is the percentage of `amount` whose crossing fired the notification.
    """

    model_config = ConfigDict(frozen=True)

    provider: Provider
    budget: str
    scope: str | None = None
    amount: Decimal | None = None
    spent: Decimal
    basis: SpendBasis = SpendBasis.ACTUAL
    currency: str
    threshold: Decimal | None = None
    period: str | None = None
    period_start: datetime | None = None
    observed_at: datetime | None = None
    signal_id: str | None = None
