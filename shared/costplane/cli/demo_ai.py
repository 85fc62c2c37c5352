"""The demo's AI step: hourly usage of an OpenAI project and an Anthropic API key lands in the
lake, month to date, three times; each landing measures the AI budgets again, and the one that
crosses a threshold pulls the vendor's lever on the local plane (which records it).

The usage rows are built from the FOCUS column model (`billing.ai_usage_rows`), standing in
for the `openai-usage` / `anthropic-usage` ingest of the vendors' JSON pages; switching to it
means landing pages through `get_normaliser(...)` instead of `land_usage`.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

from rich.text import Text

from costplane import bootstrap
from costplane.adapters.lake.ai_spend import ai_spend
from costplane.adapters.local.plane import LocalEnforcer
from costplane.billing.ai_usage_rows import UsageBucket, land_usage, write_usage
from costplane.billing.lake.table import Lake, open_lake
from costplane.budgets.levers import BudgetLevers
from costplane.budgets.status import BudgetStatus
from costplane.cli.ai_spend import render_spend
from costplane.cli.budgets import amount
from costplane.cli.output import console, say, table
from costplane.config import Settings
from costplane.domain.ai import AiVendor, TokenType
from costplane.domain.decisions import Decision
from costplane.domain.events import Provider

MONTH = datetime(2025, 11, 1, tzinfo=UTC)
LANDINGS = (208, 236, 280)
"""Hours into the month at which the month-to-date usage lands."""
ORGANIZATION = "org-demo"
SEARCH = partial(UsageBucket, AiVendor.OPENAI, ORGANIZATION, account="proj_search", model="gpt-4o")
SUPPORT = partial(
    UsageBucket,
    AiVendor.ANTHROPIC,
    ORGANIZATION,
    account="wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ",
    api_key="apikey_01Rj2N8SVvo6BePZj99NhmiT",
    model="claude-sonnet-4-5",
    service_tier="standard",
    context_window="0-200k",
)
HOURLY = (
    (SEARCH, {TokenType.INPUT: 100_000, TokenType.CACHE_READ: 60_000, TokenType.OUTPUT: 20_000}),
    (SUPPORT, {TokenType.INPUT: 210_000, TokenType.CACHE_READ: 100_000, TokenType.OUTPUT: 52_000}),
)


def month_to_date(hours: int) -> list[UsageBucket]:
    """Every hourly bucket of the month so far, as a pull function lands them."""
    return [
        who(token_type=token_type, tokens=tokens, start=MONTH + timedelta(hours=hour))
        for hour in range(hours)
        for who, usage in HOURLY
        for token_type, tokens in usage.items()
    ]


def demo_ai(state_dir: Path) -> None:
    """Three landings of the month's usage; the budget they cross pulls its lever."""
    console.rule(Text("6. AI budgets: hourly usage lands, the vendor's lever is pulled", "bold"))
    settings = Settings(
        lake=state_dir / "ai-lake",
        state=str(state_dir / "ai-state.db"),
        budgets=bootstrap.EXAMPLE_AI_BUDGETS,
        mode="enforce",
    )
    levers = bootstrap.budget_levers(settings)
    lake = open_lake(settings.lake)
    notices = logging.getLogger("costplane")
    level = notices.level
    notices.setLevel(logging.ERROR)  # the local notifier's lines: the table says them
    try:
        rows = [_landing(levers, lake, state_dir, hours) for hours in LANDINGS]
    finally:
        notices.setLevel(level)
    table(
        "Month-to-date usage landed (rows from the FOCUS column model, as the usage ingest writes)",
        ["landed", "search: OpenAI tokens", "support: Anthropic key", "threshold → lever"],
        rows,
    )
    _recorded(levers)
    render_spend(ai_spend(lake, "team", bootstrap.row_owners(settings)), "team")


def _landing(levers: BudgetLevers, lake: Lake, state_dir: Path, hours: int) -> tuple[str, ...]:
    """The month's usage so far lands; the levers check the budgets as of then."""
    landed = MONTH + timedelta(hours=hours)
    land_usage(lake, write_usage(state_dir / "usage.arrow", month_to_date(hours)))
    acted = levers.check(landed)
    statuses = {s.budget.name: s for s in levers.status(landed)}
    return (
        f"{landed:%m-%d %H:%M}",
        _used(statuses["search-openai-tokens"]),
        _used(statuses["support-assistant-key"]),
        "; ".join(_lever(d) for d in acted) or "-",
    )


def _used(status: BudgetStatus) -> str:
    return f"{amount(status.actual, status.budget).text} ({status.used_percent:.0f}%)"


def _lever(decision: Decision) -> str:
    [action] = decision.actions
    return f"{action.kind.value} {decision.resource_type} {action.status.value}"


def _recorded(levers: BudgetLevers) -> None:
    pulled = []
    for provider in (Provider.OPENAI, Provider.ANTHROPIC):
        enforcer = levers.ports[provider].enforcer
        if isinstance(enforcer, LocalEnforcer):
            pulled += [f"{kind} {resource}" for kind, resource in enforcer.calls]
    audited = levers.state.recent_decisions(100)
    undo = next((u for d in audited for a in d.actions if (u := a.params.get("undo"))), None)
    say(f"Recorded on the local plane: {', '.join(sorted(set(pulled))) or 'nothing'}.")
    say(f"{len(audited)} decisions audited; each lever's undo state ({undo}) is kept for resume.")
