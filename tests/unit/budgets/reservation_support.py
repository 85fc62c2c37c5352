"""Creations racing for what is left of one budget, each decided by a policy runner whose only
policy is the budget's 100%-projected threshold."""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Sequence
from datetime import timedelta
from decimal import Decimal
from typing import Any

from costplane.adapters.local.plane import (
    CounterMetrics,
    LocalEnforcer,
    LocalInventory,
    LogNotifier,
    PinnedClock,
)
from costplane.bootstrap import EXAMPLE_TAXONOMY
from costplane.budgets.ledger import ledger_key, reservation_id
from costplane.budgets.periods import window
from costplane.budgets.service import BudgetService
from costplane.domain.decisions import Decision
from costplane.domain.events import Provider, ResourceEvent
from costplane.domain.taxonomy import Mode
from costplane.engine.attribution import Attribution
from costplane.engine.envelopes import parse_document
from costplane.engine.ports import ProviderPorts
from costplane.policy.engine import PolicyEngine, compile_policies
from costplane.policy.loader import load_policy_document
from costplane.policy.service import PolicyRunner
from costplane.policy.thresholds import threshold_policies
from costplane.tagging.loader import load_taxonomy
from tests.conftest import EVENTS
from tests.support.stores import sqlite_state
from tests.unit.budgets.budget_support import NOW, real_document, real_events

RUN = "aws/aws-cloudtrail-ec2-runinstances-iamuser-record.json"
ACCOUNT = "644160558196"
HOURS_LEFT = 228  # NOW (Nov 21 12:00) to Dec 1
COST = Decimal("0.067") * HOURS_LEFT  # the real RunInstances' t2.micro to the month end
ML: dict[str, Any] = {
    "name": "ml-prod",
    "amount": 25,  # room for one creation (15.276), not two
    "scope": {"account": ACCOUNT},
    "thresholds": [{"percent": 100, "action": "notify"}],
}
BREACHED = "budget-ml-prod-projected-100"


def creation(instance: str) -> ResourceEvent:
    """The real RunInstances record, creating `instance` at NOW."""
    [event] = real_events(RUN, resource_id=instance, account=ACCOUNT, event_time=NOW)
    return event


def state_change(instance: str, state: str) -> ResourceEvent:
    """The real EC2 state-change notification, addressed to `instance`, an hour after NOW."""
    document = copy.deepcopy(
        real_document(EVENTS / "aws/aws-ec2-instance-state-change-eventbridge.json")
    )
    document["detail"].update({"state": state, "instance-id": instance})
    document["account"] = ACCOUNT
    [event] = parse_document(document).events
    return event.model_copy(update={"event_time": NOW + timedelta(hours=1)})


def granted(service: BudgetService, instance: str) -> bool:
    """Whether the creation of `instance` holds its reservation in the budget, asked through
    the ledger's idempotency: a retry is answered what was granted, and a limit of 0 grants
    nothing new."""
    [budget] = service.budgets
    assert service.ledger is not None
    key = f"aws:{ACCOUNT}:{instance}"
    period = window(budget.period, NOW)
    reservation = reservation_id(key, budget, period)
    return service.ledger.reserve(ledger_key(budget, period), reservation, Decimal(1), Decimal(0))


def threshold_runner(service: BudgetService) -> PolicyRunner:
    document = {"version": 1, "policies": threshold_policies(service.budgets, Mode.ENFORCE)}
    engine = PolicyEngine(compile_policies(load_policy_document(document, "budgets")))
    inventory = LocalInventory({"i-0000000a": {}, "i-0000000b": {}})
    ports = ProviderPorts(inventory=inventory, enforcer=LocalEnforcer(inventory))
    return PolicyRunner(
        engine,
        dict.fromkeys(Provider, ports),
        sqlite_state(":memory:"),
        LogNotifier(),
        PinnedClock(NOW),
        CounterMetrics(),
        spend=service,
        attribution=Attribution(load_taxonomy(EXAMPLE_TAXONOMY)),
    )


def race(deciders: Sequence[Callable[[], list[Decision]]]) -> list[list[Decision]]:
    """Run every decider at once, after a common start; their decisions, in order."""
    start = threading.Barrier(len(deciders))
    out: list[list[Decision]] = [[] for _ in deciders]

    def run(index: int) -> None:
        start.wait()
        out[index] = deciders[index]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(deciders))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return out


def breached(decisions: list[Decision]) -> bool:
    return any(d.policy == BREACHED and d.outcome == "violation" for d in decisions)
