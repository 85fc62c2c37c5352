"""Conditions on money: budgets and a resource's cost rate."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field

from costplane.domain.action_params import ActionParams
from costplane.policy.facts import Facts
from costplane.policy.registry import Condition, condition


class BudgetThresholdParams(ActionParams):
    budget: str = Field(description="Budget name, as in the budgets file.")
    percent: Decimal = Field(gt=0, description="Threshold as a percentage of the amount.")
    basis: Literal["actual", "projected"] = "projected"


@condition("budget-threshold")
class BudgetThreshold(Condition):
    """Holds when a budget's actual or projected period-end spend reaches `percent`.

    Projected spend is actual-to-date plus the live run-rate times the time left in the
    period, so this fires before the bill does.

    Example:
        type: budget-threshold
        budget: payments-prod
        percent: 100
        basis: projected
    """

    Params = BudgetThresholdParams
    params: BudgetThresholdParams

    def explain(self, facts: Facts) -> str | None:
        view = facts.budgets.get(self.params.budget)
        if view is None:
            return None
        used = view.used(self.params.basis) * 100
        if used < self.params.percent:
            return None
        return (
            f"budget {view.name} {self.params.basis} at {used:.1f}% "
            f"(threshold {self.params.percent}% of {view.amount} {view.currency})"
        )


class CostRateParams(ActionParams):
    above: Decimal = Field(ge=0, description="Cost per hour, in the billing currency.")


@condition("cost-rate")
class CostRate(Condition):
    """Holds when the resource's priced run-rate exceeds `above` per hour.

    Example:
        type: cost-rate
        above: 5.00
    """

    Params = CostRateParams
    params: CostRateParams

    def explain(self, facts: Facts) -> str | None:
        rate = facts.cost_per_hour
        if rate is None or rate <= self.params.above:
            return None
        return f"costs {rate}/h, above {self.params.above}/h"
