"""Daily cost per scope from FOCUS batches, and what a scope may be."""

from __future__ import annotations

import pytest

from costplane.billing.forecast.errors import ForecastError
from costplane.billing.forecast.series import Scope, daily_costs
from tests.unit.allocation.bills import bill, line

LINES = bill(
    line("1.5", day=1, category="Compute", tags={"team": "web"}),
    line("2", day=1, category="Storage", tags={"team": "api"}),
    line("4", day=2, category="Compute", tags={"team": ""}),
    line("8", day=2, category="Compute", currency="EUR"),
)


def series(scope: str) -> list[tuple[str, str, int, float]]:
    frame = daily_costs(LINES.to_batches(max_chunksize=2), Scope.parse(scope))
    return [(r.scope, r.currency, r.ds.day, r.y) for r in frame.itertuples()]


def test_total_sums_every_line_per_day_and_currency() -> None:
    assert series("total") == [
        ("total", "EUR", 2, 8.0),
        ("total", "USD", 1, 3.5),
        ("total", "USD", 2, 4.0),
    ]


def test_a_column_scope_gives_one_series_per_value() -> None:
    assert series("ServiceCategory") == [
        ("Compute", "EUR", 2, 8.0),
        ("Compute", "USD", 1, 1.5),
        ("Compute", "USD", 2, 4.0),
        ("Storage", "USD", 1, 2.0),
    ]


def test_a_tag_scope_groups_lines_without_the_tag_as_none() -> None:
    assert series("tag:team") == [
        ("(none)", "EUR", 2, 8.0),
        ("(none)", "USD", 2, 4.0),
        ("api", "USD", 1, 2.0),
        ("web", "USD", 1, 1.5),
    ]


def test_a_value_keeps_one_series() -> None:
    assert series("tag:team=web") == [("web", "USD", 1, 1.5)]


@pytest.mark.parametrize("text", ["servicecategory", "tag:", "BilledCost"])
def test_an_unknown_scope_is_refused(text: str) -> None:
    with pytest.raises(ForecastError) as caught:
        Scope.parse(text)
    assert caught.value.code == "unknown_scope"
