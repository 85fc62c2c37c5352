"""Budget thresholds as policies: each threshold becomes one policy the engine evaluates with
the others, so "80% notify, 100% throttle, 120% suspend" needs no hand-written policy.

The policy applies to the budget's scope; its one condition is `budget-threshold` on the
budget (percent and basis as the threshold says); its one action is the threshold's, with its
parameters. Loading the result with `load_policy_document` validates it like any policy file.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from costplane.domain.budgets import Budget, Threshold, threshold_name
from costplane.domain.documents import describe
from costplane.domain.taxonomy import Mode
from costplane.policy.loader import PolicyFileError
from costplane.policy.plugins import load_plugins
from costplane.policy.registry import ACTIONS


def threshold_policy(budget: Budget, threshold: Threshold, mode: Mode) -> dict[str, Any]:
    return {
        "name": threshold_name(budget, threshold),
        "description": f"{budget.name} at {threshold.percent}% ({threshold.basis}): "
        f"{threshold.action}",
        "scope": budget.scope.policy_scope(),
        "conditions": [
            {
                "type": "budget-threshold",
                "budget": budget.name,
                "percent": str(threshold.percent),
                "basis": threshold.basis,
            }
        ],
        "actions": [{"type": threshold.action, **threshold.params}],
        "mode": mode.value,
    }


def check_threshold_params(budgets: Sequence[Budget], source: str) -> None:
    """Raise PolicyFileError naming the budget whose threshold's params do not fit its action."""
    load_plugins()
    for budget in budgets:
        for threshold in budget.thresholds:
            try:
                ACTIONS[threshold.action].Params.model_validate(threshold.params)
            except ValidationError as exc:
                raise PolicyFileError(
                    f"{source}: budget {budget.name!r}, threshold {threshold.percent}% "
                    f"{threshold.basis}: params of {threshold.action!r}: {describe(exc)}"
                ) from None


def threshold_policies(
    budgets: Sequence[Budget], mode: Mode = Mode.DRY_RUN
) -> list[dict[str, Any]]:
    """One policy document per threshold of every budget, in file order; none for a budget
    scoped by AI model or API key, which no resource event carries (its thresholds act when
    usage lands: `costplane.budgets.breach`)."""
    return [
        threshold_policy(b, t, mode) for b in budgets if not b.scope.names_ai for t in b.thresholds
    ]
