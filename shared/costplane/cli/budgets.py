"""`costplane budgets …`: where each budget stands, and where it is heading."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer

from costplane import bootstrap
from costplane.adapters.lake.budget_forecasts import lake_forecasts
from costplane.budgets.loader import BudgetsFileError
from costplane.budgets.status import BudgetStatus
from costplane.cli.lake import LakeOption, print_json_lines
from costplane.cli.output import (
    Figure,
    JsonOption,
    VerboseOption,
    fail,
    money,
    percent,
    table,
    warn,
)
from costplane.config import Settings
from costplane.domain.budgets import Budget, BudgetUnit, Threshold
from costplane.policy.loader import PolicyFileError
from costplane.tagging.loader import TaxonomyError

app = typer.Typer(
    help="Budgets: actual spend from the lake, live run-rate, projection.", no_args_is_help=True
)

BudgetsOption = Annotated[
    Path | None,
    typer.Option(
        "--budgets", help="Budgets file (default: the bundled example).", show_default=False
    ),
]
AtOption = Annotated[
    datetime | None,
    typer.Option("--at", help="Evaluate as of this UTC time (default: now).", show_default=False),
]
ForecastOption = Annotated[
    bool,
    typer.Option(
        "--forecast",
        help="Also forecast each period end from the lake's daily history (statsforecast, "
        "takes seconds); the projection becomes the higher of run-rate and forecast.",
    ),
]


@app.command("status")
def status_command(
    budgets: BudgetsOption = None,
    lake: LakeOption = None,
    at: AtOption = None,
    forecast: ForecastOption = False,
    as_json: JsonOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Per budget: amount, actual, run-rate per hour, projected period end, share used,
    the next threshold and the action the thresholds reached call for; with --forecast,
    the forecast period end and its 80% interval; with --verbose, the run-rate and where the
    actual comes from (the lake or a cloud's budget alert)."""
    settings = Settings(budgets=budgets, lake=lake) if lake else Settings(budgets=budgets)
    try:
        loaded = bootstrap.budgets(settings)
        owners = bootstrap.row_owners(settings).tags
    except (BudgetsFileError, PolicyFileError, TaxonomyError) as exc:
        fail(str(exc))
    now = _utc(at) if at else datetime.now(UTC)
    local = bootstrap.plane(settings)
    service = bootstrap.budget_service(local, loaded, now)
    opened = local.lake()
    forecasts = lake_forecasts(loaded, opened, now, owners) if forecast and opened else None
    statuses = service.status(now, forecasts)
    if budgets is None:
        warn("these are the bundled example budgets; pass --budgets FILE for your own")
    if opened is None:
        warn(f"no lake at {settings.lake}: actuals come only from cloud budget alerts")
    elif not any(s.through for s in statuses):
        warn(f"the lake has no spend in scope of any budget for {now:%Y-%m}: actuals are 0")
    if as_json:
        print_json_lines(_json(s) for s in statuses)
        return
    render_status(statuses, now, forecast=forecast, verbose=verbose)


COLUMNS = ("budget", "period", "amount", "actual", "projected", "used → at end", "state")
VERBOSE_COLUMNS = ("next threshold", "from lake", "from alert", "run-rate/h")
FORECAST_COLUMNS = ("forecast", "low", "high")


def render_status(
    statuses: list[BudgetStatus], now: datetime, *, forecast: bool = False, verbose: bool = False
) -> None:
    """The status table; `forecast` adds the forecast period end and its interval, `verbose`
    where the actual comes from and the run-rate."""
    columns = [
        *COLUMNS,
        *(VERBOSE_COLUMNS if verbose else ()),
        *(FORECAST_COLUMNS if forecast else ()),
    ]
    table(
        f"Budgets as of {now:%Y-%m-%d %H:%M} UTC",
        columns,
        (
            [*_row(s), *(_sources(s) if verbose else []), *(_forecast_cells(s) if forecast else [])]
            for s in statuses
        ),
    )


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def amount(value: Decimal | None, budget: Budget) -> Figure:
    """Money in the budget's currency, or a count of tokens."""
    if budget.unit is BudgetUnit.MONEY:
        return money(value, budget.currency)
    return Figure("-" if value is None else f"{value:,.0f}", "tokens")


def _row(s: BudgetStatus) -> list[object]:
    return [
        s.budget.name,
        s.period.key,
        amount(s.budget.amount, s.budget),
        amount(s.actual, s.budget),
        amount(s.projected, s.budget),
        Figure(f"{percent(s.used_percent, 0).text} → {percent(s.projected_percent, 0).text}"),
        s.state,
    ]


def _sources(s: BudgetStatus) -> list[object]:
    """The next threshold; actual from the lake and from the cloud's own alert; the live
    run-rate per hour."""
    return [
        _threshold(s.next_threshold),
        amount(s.lake_actual, s.budget),
        amount(s.signal.actual, s.budget),
        money(s.run_rate, s.budget.currency),
    ]


def _forecast_cells(s: BudgetStatus) -> list[object]:
    """Forecast, low, high; dashes for a budget with no history to forecast from."""
    if s.forecast is None:
        return ["-"] * len(FORECAST_COLUMNS)
    return [amount(value, s.budget) for value in s.forecast]


def _threshold(threshold: Threshold | None) -> str:
    if threshold is None:
        return "-"
    return f"{threshold.percent}% {threshold.basis}: {threshold.action}"


def _json(s: BudgetStatus) -> dict[str, Any]:
    following = s.next_threshold
    return {
        "budget": s.budget.name,
        "period": s.period.key,
        "period_start": s.period.start,
        "period_end": s.period.end,
        "unit": s.budget.unit.value,
        "currency": s.budget.currency,
        "amount": s.budget.amount,
        "actual": s.actual,
        "lake_actual": s.lake_actual,
        "signal_actual": s.signal.actual,
        "signal_forecast": s.signal.forecast,
        "lake_through": s.through,
        "run_rate_per_hour": s.run_rate,
        "reserved": s.reserved,
        "projected": s.projected,
        "forecast": s.forecast.point if s.forecast else None,
        "forecast_low": s.forecast.lo if s.forecast else None,
        "forecast_high": s.forecast.hi if s.forecast else None,
        "used_percent": _rounded(s.used_percent),
        "projected_percent": _rounded(s.projected_percent),
        "next_threshold": following.model_dump(mode="json", exclude={"params"})
        if following
        else None,
        "state": s.state,
    }


def _rounded(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))
