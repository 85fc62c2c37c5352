"""A creation reserves its cost to the period end in every budget in scope, atomically, so
concurrent creations cannot together push a budget past its amount; the projection counts a
reserved resource once, and a refused one takes the budget past 100% projected."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from costplane.budgets.periods import hours
from costplane.budgets.ports import LakeSpend
from costplane.budgets.runrate import Observed
from costplane.budgets.service import BudgetService
from costplane.budgets.status import BudgetStatus
from costplane.domain.events import Operation, ResourceEvent
from tests.support.stores import sqlite_budgets
from tests.unit.budgets.budget_support import NOW, budgets, make_service
from tests.unit.budgets.reservation_support import (
    COST,
    HOURS_LEFT,
    ML,
    breached,
    creation,
    granted,
    race,
    state_change,
    threshold_runner,
)

MONTH_END = datetime(2026, 12, 1, tzinfo=UTC)


def _status(service: BudgetService, now: datetime = NOW) -> BudgetStatus:
    [status] = service.status(now)
    return status


def _deletion(instance: str) -> ResourceEvent:
    return creation(instance).model_copy(
        update={"operation": Operation.DELETE, "event_time": NOW + timedelta(hours=1)}
    )


def test_a_creation_reserves_its_cost_to_the_period_end() -> None:
    service = make_service(budgets(ML))
    service.observe(creation("i-0000000a"))
    status = _status(service)
    assert (status.reserved, status.projected) == (COST, COST)
    assert status.run_rate == Decimal("0.067")


def test_hours_the_lake_already_counts_are_not_counted_twice() -> None:
    through = NOW + timedelta(hours=20)
    lake = LakeSpend({"ml-prod": Decimal("1.34")}, {"ml-prod": through})
    service = make_service(budgets(ML), lake=lake)
    service.observe(creation("i-0000000a"))
    later = NOW + timedelta(hours=22)
    expected = Decimal("1.34") + Decimal("0.067") * hours(through, MONTH_END)
    assert _status(service, later).projected == expected


def test_a_redelivered_creation_reserves_once() -> None:
    service = make_service(budgets(ML))
    service.observe(creation("i-0000000a"))
    service.observe(creation("i-0000000a"))
    assert _status(service).reserved == COST


def test_a_creation_past_what_is_left_is_refused_and_projected_past_the_budget() -> None:
    service = make_service(budgets(ML))
    service.observe(creation("i-0000000a"))
    service.observe(creation("i-0000000b"))
    status = _status(service)
    assert status.reserved == COST
    assert status.projected == 2 * COST
    assert status.projected_percent > 100


def test_a_stop_releases_the_reservation_and_a_restart_counts_by_rate() -> None:
    service = make_service(budgets(ML))
    service.observe(creation("i-0000000a"))
    assert service.observe(state_change("i-0000000a", "stopped")) is Observed.STOPPED
    assert (_status(service).reserved, _status(service).projected) == (0, 0)
    assert service.observe(state_change("i-0000000a", "running")) is Observed.STARTED
    restarted = Decimal("0.067") * (HOURS_LEFT - 1)
    assert (_status(service).reserved, _status(service).projected) == (0, restarted)


def test_a_running_notification_after_the_creation_keeps_the_reservation() -> None:
    service = make_service(budgets(ML))
    service.observe(creation("i-0000000a"))
    service.observe(state_change("i-0000000a", "running"))
    assert (_status(service).reserved, _status(service).projected) == (COST, COST)


def test_a_deletion_releases_the_reservation() -> None:
    service = make_service(budgets(ML))
    service.observe(creation("i-0000000a"))
    assert service.observe(_deletion("i-0000000a")) is Observed.REMOVED
    assert (_status(service).reserved, _status(service).projected) == (0, 0)
    assert not granted(service, "i-0000000a")


def test_racing_threads_get_one_reservation_and_the_other_event_breaches(
    tmp_path: Path,
) -> None:
    found = budgets(ML)
    services = [make_service(found, store=sqlite_budgets(tmp_path / "s.db")) for _ in "ab"]
    decided = race(
        [
            lambda: threshold_runner(services[0]).decide(creation("i-0000000a")),
            lambda: threshold_runner(services[1]).decide(creation("i-0000000b")),
        ]
    )
    assert _status(services[0]).reserved == COST
    instances = ("i-0000000a", "i-0000000b")
    refused = [d for d, i in zip(decided, instances, strict=True) if not granted(services[0], i)]
    assert len(refused) == 1
    assert breached(refused[0])
