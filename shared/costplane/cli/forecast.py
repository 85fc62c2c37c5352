"""`costplane forecast`: period-end and next months per scope; `forecast backtest`: how good.

statsforecast and pandas (the `forecast` extra) take seconds to import, so the modules using
them are imported inside the commands: registering this app costs every other `costplane`
command nothing, and works without the extra installed.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated, Any

import typer

from costplane.billing.forecast.errors import ForecastError
from costplane.billing.forecast.lake import lake_daily_costs
from costplane.billing.forecast.series import NO_VALUE, TOTAL, Scope
from costplane.cli.lake import LakeOption, dump_json, lake_at, print_json_lines
from costplane.cli.output import (
    Figure,
    JsonOption,
    VerboseOption,
    fail,
    money,
    ratio,
    table,
    warn,
)

if TYPE_CHECKING:
    import pandas as pd

    from costplane.billing.forecast.backtest import BacktestReport, Score
    from costplane.billing.forecast.projection import ScopeForecast
    from costplane.billing.lake.table import Lake

app = typer.Typer(
    help="Forecast daily EffectiveCost per scope: this period's end and the next months.",
)

ScopeOption = Annotated[
    str,
    typer.Option(
        "--scope",
        help="total, a FOCUS column (ServiceCategory, SubAccountId, ...) or tag:<key>; "
        "add =value to keep one, e.g. tag:team=payments.",
    ),
]
HorizonOption = Annotated[str, typer.Option("--horizon", help="Months ahead, e.g. 3m.")]
MIN_HISTORY_DAYS = 28
"""Fewer days of history than this make a forecast a rough guess (no weekly season)."""


def parse_horizon(text: str) -> int:
    if not (match := re.fullmatch(r"(\d{1,2})m", text)):
        raise typer.BadParameter(f"{text!r} is not a number of months such as 3m")
    return int(match.group(1))


def forecast_rows(forecasts: list[ScopeForecast]) -> list[dict[str, Any]]:
    from costplane.billing.forecast.model import LEVEL

    return [
        {
            "scope": f.scope,
            "currency": f.currency,
            "model": f.model,
            "as_of": f.as_of.isoformat(),
            "month": f"{m.month:%Y-%m}",
            "actual_to_date": m.actual,
            "forecast": m.projection.point,
            "low": m.projection.lo,
            "high": m.projection.hi,
            "level": LEVEL,
        }
        for f in forecasts
        for m in f.months
    ]


@app.callback(invoke_without_command=True)
def forecast_command(
    context: typer.Context,
    scope: ScopeOption = TOTAL,
    horizon: HorizonOption = "3m",
    lake: LakeOption = None,
    as_json: JsonOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Project each scope's current billing period to its end and forecast the next months,
    with 80% prediction intervals, from the lake's daily EffectiveCost."""
    if context.invoked_subcommand is None:
        print_forecast(
            lake_at(lake), scope, parse_horizon(horizon), as_json=as_json, verbose=verbose
        )


def print_forecast(
    lake: Lake, scope: str, months: int, *, as_json: bool = False, verbose: bool = False
) -> None:
    """Forecast the lake's daily cost per `scope` and print it (also used by the demo)."""
    from costplane.billing.forecast.model import LEVEL
    from costplane.billing.forecast.projection import forecast_scopes

    try:
        parsed = Scope.parse(scope)
        daily = lake_daily_costs(lake, parsed)
        forecasts = forecast_scopes(daily, months=months)
    except ForecastError as exc:
        fail(f"{exc.code}: {exc.message}")
    for warning in history_warnings(daily, parsed):
        warn(warning)
    rows = forecast_rows(forecasts)
    if as_json:
        print_json_lines(rows)
        return
    table(
        f"Forecast by {scope} · as of {forecasts[0].as_of} · {LEVEL}% intervals",
        ["scope", "month", "actual to date", "forecast", f"{LEVEL}% interval"]
        + (["model"] if verbose else []),
        (
            [
                r["scope"],
                r["month"],
                money(r["actual_to_date"], r["currency"]),
                money(r["forecast"], r["currency"]),
                _interval(r["low"], r["high"], r["currency"]),
            ]
            + ([r["model"]] if verbose else [])
            for r in rows
        ),
    )


def _interval(low: Any, high: Any, currency: str) -> Figure:
    """`1.20 to 3.40 USD`: one currency for both ends."""
    return Figure(f"{money(low, currency).number} to {money(high, currency).number}", currency)


def history_warnings(daily: pd.DataFrame, scope: Scope) -> list[str]:
    """What makes a forecast weak: a scope no line has a value for, too few days of history."""
    found = []
    if scope.dimension != TOTAL and set(daily["scope"]) == {NO_VALUE}:
        what = f"tag {scope.tag!r}" if scope.tag else f"a {scope.dimension} value"
        found.append(f"no bill line has {what}: everything is forecast as {NO_VALUE}")
    days = daily.groupby(["scope", "currency"])["ds"].nunique()
    for (value, currency), count in days.items():
        if count < MIN_HISTORY_DAYS:
            found.append(
                f"{value} ({currency}) has {count} day(s) of history, fewer than "
                f"{MIN_HISTORY_DAYS}: its forecast is a rough guess with a narrow interval"
            )
    return found


def backtest_document(report: BacktestReport) -> dict[str, Any]:
    overall = report.overall()
    return {
        "level": report.level,
        "origins": [o.isoformat() for o in report.origins],
        "overall": [
            {"model": model, "months_ahead": ahead, **_score(score)}
            for (model, ahead), score in sorted(overall.items())
        ],
        "scopes": [
            {"scope": scope, "currency": currency, "model": model, "months_ahead": 1, **_score(s)}
            for (scope, currency, model), s in sorted(report.per_scope(1).items())
        ],
    }


def _score(score: Score) -> dict[str, Any]:
    return {"mape": score.mape, "coverage": score.coverage, "forecasts": score.count}


def render_backtest(report: BacktestReport) -> None:
    from costplane.billing.forecast.model import BASELINE, MODEL

    scores = report.per_scope(1)
    keys = sorted({(scope, currency) for scope, currency, _ in scores})
    table(
        f"Backtest, next month's total · {len(report.origins)} origins "
        f"({report.origins[0]:%Y-%m} … {report.origins[-1]:%Y-%m}) · {report.level}% intervals",
        ["scope", "currency", f"{MODEL} MAPE", "coverage", f"{BASELINE} MAPE", "coverage"],
        (
            (
                scope,
                currency,
                ratio(scores[(scope, currency, MODEL)].mape),
                ratio(scores[(scope, currency, MODEL)].coverage),
                ratio(scores[(scope, currency, BASELINE)].mape),
                ratio(scores[(scope, currency, BASELINE)].coverage),
            )
            for scope, currency in keys
        ),
    )
    overall = report.overall()
    rows = []
    for ahead in range(1, report.horizon + 1):
        ours, base = overall[(MODEL, ahead)], overall[(BASELINE, ahead)]
        better = 1 - ours.mape / base.mape if ours.mape is not None and base.mape else None
        rows.append(
            (
                ahead,
                ratio(ours.mape),
                ratio(ours.coverage),
                ratio(base.mape),
                ratio(base.coverage),
                ratio(better),
            )
        )
    table(
        "All scopes, by months ahead",
        ["months ahead", f"{MODEL} MAPE", "coverage", f"{BASELINE} MAPE", "coverage", "better by"],
        rows,
    )


@app.command("backtest")
def backtest_command(
    scope: ScopeOption = TOTAL,
    horizon: HorizonOption = "3m",
    origins: Annotated[int, typer.Option(min=1, help="Past month starts to replay.")] = 6,
    synthetic: Annotated[
        int | None,
        typer.Option(help="Backtest N generated 18-month histories instead of the lake."),
    ] = None,
    lake: LakeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Replay past month starts: MAPE of month totals and interval coverage per scope, for
    the model and for the SeasonalNaive baseline."""
    from costplane.billing.forecast.backtest import backtest
    from costplane.billing.forecast.synthetic import generate_history

    months = parse_horizon(horizon)
    try:
        if synthetic is not None:
            daily = generate_history(synthetic)
        else:
            daily = lake_daily_costs(lake_at(lake), Scope.parse(scope))
        report = backtest(daily, origins=origins, horizon=max(months, 1))
    except ForecastError as exc:
        hint = " (try --synthetic 20)" if exc.code == "not_enough_history" else ""
        fail(f"{exc.code}: {exc.message}{hint}")
    if as_json:
        typer.echo(dump_json(backtest_document(report)).decode())
    else:
        render_backtest(report)
