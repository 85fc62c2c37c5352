"""What admission tests share: budgets scoped as in the budgets file, a request of known worst
case, and a clock the test moves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from costplane.ai.admission import AdmissionRequest
from costplane.domain.budgets import Budget

NOW = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)


@dataclass
class Clock:
    moment: datetime = NOW

    def now(self) -> datetime:
        return self.moment


def budget(name: str, amount: str, **scope: Any) -> Budget:
    return Budget.model_validate({"name": name, "amount": amount, "scope": scope})


def request(request_id: str = "r1", **overrides: Any) -> AdmissionRequest:
    """gpt-4o-mini, 1,000 input and 1,000 output tokens at most: USD 0.00075 worst case."""
    fields: dict[str, Any] = {
        "request_id": request_id,
        "vendor": "openai",
        "model": "gpt-4o-mini",
        "input_tokens": 1000,
        "max_output_tokens": 1000,
        "attribution": {"team": "search", "account": "proj_search"},
    }
    return AdmissionRequest.model_validate(fields | overrides)


WORST = Decimal("0.00075")
"""The worst case of `request()`: USD 0.15 and 0.60 per million tokens, 1,000 of each."""
