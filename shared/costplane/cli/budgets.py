"""`costplane budgets …`: where each budget stands, and where it is heading."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from costplane import bootstrap
from costplane.adapters.lake.budget_forecasts import lake_forecasts
from costplane.budgets.loader import BudgetsFileError
from costplane.budgets.status import BudgetStatus
from costplane.cli.lake import JsonOption, LakeOption, print_json_lines
from costplane.cli.output import fail, table
from costplane.config import Settings
from costplane.domain.budgets import Threshold
from costplane.policy.loader import PolicyFileError

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
) -> None:
    """Per budget: amount, actual, run-rate per hour, projected period end, share used,
    the next threshold and the action the thresholds reached call for; with --forecast,
    the forecast period end and its 80% interval."""
    settings = Settings(budgets=budgets, lake=lake) if lake else Settings(budgets=budgets)
    try:
        loaded = bootstrap.budgets(settings)
    except (BudgetsFileError, PolicyFileError) as exc:
        fail(escape(str(exc)), code=1)
    now = _utc(at) if at else datetime.now(UTC)
    local = bootstrap.plane(settings)
    service = bootstrap.budget_service(local, loaded, now)
    opened = local.lake()
    forecasts = lake_forecasts(loaded, opened, now) if forecast and opened else None
    statuses = service.status(now, forecasts)
    if as_json:
        print_json_lines(_json(s) for s in statuses)
        return
    render_status(statuses, now, forecast=forecast)


COLUMNS = (
    "budget",
    "period",
    "amount",
    "actual",
    "run-rate/h",
    "projected",
    "% used",
    "% projected",
    "next threshold",
    "state",
)
FORECAST_COLUMNS = ("forecast", "low", "high")


def render_status(statuses: list[BudgetStatus], now: datetime, *, forecast: bool = False) -> None:
    """The status table; `forecast` adds the forecast period end and its interval."""
    table(
        f"Budgets as of {now:%Y-%m-%d %H:%M} UTC",
        [*COLUMNS, *FORECAST_COLUMNS] if forecast else COLUMNS,
        (_row(s) + _forecast_cells(s) if forecast else _row(s) for s in statuses),
    )


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _row(s: BudgetStatus) -> list[str]:
    currency = s.budget.currency
    return [
        s.budget.name,
        s.period.key,
        f"{s.budget.amount:,.2f} {currency}",
        f"{s.actual:,.2f}",
        f"{s.run_rate:,.4f}",
        f"{s.projected:,.2f}",
        f"{s.used_percent:.1f}%",
        f"{s.projected_percent:.1f}%",
        _threshold(s.next_threshold),
        s.state,
    ]


def _forecast_cells(s: BudgetStatus) -> list[str]:
    """Forecast, low, high; dashes for a budget with no history to forecast from."""
    if s.forecast is None:
        return ["-"] * len(FORECAST_COLUMNS)
    return [f"{amount:,.2f}" for amount in s.forecast]


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
