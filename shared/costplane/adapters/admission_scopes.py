"""Which budgets of the budgets file cover an AI request, by the budgets' own scope matcher.

A caller is matched as a resource would be: its provider (the vendor's: `openai`,
`anthropic`, or the cloud that serves Bedrock, Azure OpenAI or Vertex), its account (OpenAI
project, Anthropic workspace, cloud account), and its tags, which hold the caller's tags and
`team`, `api-key` and `model` of the request; and the budget scope's own `model` and
`api_key`. So `scope: {provider: openai, tags: {team: search}}` covers every OpenAI request of
the search team, and `scope: {model: gpt-4o}` every request for that model. A budget in
tokens limits the tokens a request may use, one in money its worst-case cost.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from costplane.ai.ports import Caller, Limit
from costplane.budgets.ledger import ledger_key
from costplane.budgets.periods import window
from costplane.budgets.scopes import ScopeMatcher, Subject, fold_tags
from costplane.domain.ai import VENDOR_PROVIDER
from costplane.domain.budgets import Budget, BudgetUnit


class ScopedBudgets:
    """BudgetLimits over `budgets`: every budget whose scope covers the caller."""

    def __init__(self, budgets: Sequence[Budget]) -> None:
        self._matchers = [(budget, ScopeMatcher(budget.scope)) for budget in budgets]

    def limits(self, caller: Caller, at: datetime) -> Sequence[Limit]:
        subject = Subject(
            provider=VENDOR_PROVIDER[caller.vendor].value,
            account=caller.account,
            region="",
            resource_type="",
            tags=fold_tags(caller.tags),
            model=caller.model,
            api_key=caller.tags.get("api-key", ""),
        )
        return [
            Limit(
                budget.name,
                ledger_key(budget, window(budget.period, at)),
                budget.amount,
                budget.currency,
                "tokens" if budget.unit is BudgetUnit.TOKENS else "money",
            )
            for budget, matcher in self._matchers
            if matcher.matches(subject)
        ]
