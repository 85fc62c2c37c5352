"""The demo's AI step: hourly usage of an OpenAI project and an Anthropic API key lands in the
lake, month to date, three times; each landing measures the AI budgets again, and the one that
crosses a threshold pulls the vendor's lever on the local plane (which records it).

Each landing is the vendors' usage API pages of the month so far (hourly buckets, generated
by `billing.ai_usage_pages` as a pull function saves them, `org=<id>` in the path), ingested
as `costplane ingest` ingests them (`openai-usage`, `anthropic-usage`: priced by the book).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rich.text import Text

from costplane import bootstrap
from costplane.adapters.lake.ai_spend import ai_spend
from costplane.adapters.local.plane import LocalEnforcer
from costplane.billing.ai_usage_pages import HourlyUsage, write_month_to_date
from costplane.billing.focus.sources import get_normaliser
from costplane.billing.lake.table import Lake, open_lake
from costplane.billing.lake.writer import ingest
from costplane.budgets.levers import BudgetLevers
from costplane.budgets.status import BudgetStatus
from costplane.cli.ai_spend import render_spend
from costplane.cli.budgets import amount
from costplane.cli.delivery import detected_source
from costplane.cli.output import console, say, table
from costplane.config import Settings
from costplane.domain.ai import AiVendor
from costplane.domain.decisions import Decision
from costplane.domain.events import Provider

MONTH = datetime(2025, 11, 1, tzinfo=UTC)
LANDINGS = (208, 236, 280)
"""Hours into the month at which the month-to-date usage lands."""
HOURLY = (
    HourlyUsage(AiVendor.OPENAI, "org-demo", "proj_search", "gpt-4o", 100_000, 60_000, 20_000),
    HourlyUsage(
        AiVendor.ANTHROPIC,
        "8d0c4cd3-2f6e-4b43-9c4b-7f2b0d1c9e51",
        "wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ",
        "claude-sonnet-4-5",
        210_000,
        100_000,
        52_000,
        api_key="apikey_01Rj2N8SVvo6BePZj99NhmiT",
    ),
)
"""The search project's and the support assistant key's usage in every hour: uncached input,
cache reads, output."""


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
        "Month-to-date usage landed (the vendors' hourly usage pages, ingested)",
        ["landed", "OpenAI search tokens", "Anthropic support key", "threshold → lever"],
        rows,
    )
    _recorded(levers)
    render_spend(ai_spend(lake, "team", bootstrap.row_owners(settings)), "team")


def _landing(levers: BudgetLevers, lake: Lake, state_dir: Path, hours: int) -> tuple[str, ...]:
    """The month's usage so far lands; the levers check the budgets as of then."""
    landed = MONTH + timedelta(hours=hours)
    for path in write_month_to_date(state_dir / "ai-usage", HOURLY, MONTH, hours):
        ingest(lake, get_normaliser(detected_source([path])), [path])
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
