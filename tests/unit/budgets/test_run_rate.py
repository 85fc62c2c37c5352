"""Events change a budget's hourly run-rate: creations add, stops pause, starts resume,
deletions remove. The store keeps it across processes (here: two stores on one file).

The payloads are the real ones under events/; where a sequence needs one instance to be
created, stopped and deleted, the real state-change and termination payloads are addressed
to the instance the real RunInstances record created.
"""

from __future__ import annotations

import copy
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from costplane.budgets.runrate import Observed
from costplane.budgets.service import BudgetService
from costplane.domain.events import ResourceEvent
from costplane.engine.envelopes import parse_document
from tests.conftest import EVENTS
from tests.support.stores import sqlite_budgets
from tests.unit.budgets.budget_support import NOW, budgets, make_service, real_document, real_events

RUN = "aws/aws-cloudtrail-ec2-runinstances-iamuser-record.json"
INSTANCE, ACCOUNT = "i-0f7c711dc84bedda0", "644160558196"
AWS_COMPUTE = {"name": "aws-compute", "amount": 500, "scope": {"resource_type": "aws.ec2.*"}}
GCP_ALL = {"name": "gcp-all", "amount": 100, "scope": {"provider": "gcp"}}
PAYMENTS = {"name": "payments", "amount": 100, "scope": {"tags": {"team": "payments"}}}


def _readdressed(relative: str, **changes: Any) -> ResourceEvent:
    [event] = real_events(relative, resource_id=INSTANCE, account=ACCOUNT, **changes)
    return event


def _state_change(state: str) -> ResourceEvent:
    document = copy.deepcopy(
        real_document(EVENTS / "aws/aws-ec2-instance-state-change-eventbridge.json")
    )
    document["detail"].update({"state": state, "instance-id": INSTANCE})
    document["account"] = ACCOUNT
    [event] = parse_document(document).events
    return event


def _rate(service: BudgetService, budget: str = "aws-compute") -> Decimal:
    return next(s.run_rate for s in service.status(NOW) if s.budget.name == budget)


def test_a_created_instance_adds_its_price_to_the_budgets_in_scope() -> None:
    service = make_service(budgets(AWS_COMPUTE, GCP_ALL))
    assert service.observe(real_events(RUN)[0]) is Observed.PRICED
    assert _rate(service) == Decimal("0.067")
    assert _rate(service, "gcp-all") == 0


def test_a_stop_notification_pauses_the_rate_and_a_start_resumes_it() -> None:
    service = make_service(budgets(AWS_COMPUTE))
    service.observe(real_events(RUN)[0])
    assert service.observe(_state_change("stopped")) is Observed.STOPPED
    assert _rate(service) == 0
    assert service.observe(_state_change("pending")) is Observed.STARTED
    assert _rate(service) == Decimal("0.067")


def test_startinstances_resumes_the_instance_it_names() -> None:
    document = real_document(
        EVENTS / "aws/aws-cloudtrail-ec2-startinstances-s3-logfile-records.json"
    )
    record = document["Records"][0]  # the documented sample has no eventID; the parser needs one
    [start] = parse_document({**record, "eventID": "start-1"}).events
    service = make_service(budgets(AWS_COMPUTE))
    service.observe(real_events(RUN, resource_id=start.resource_id, account=start.account)[0])
    service.observe(_paused(start))
    assert service.observe(start) is Observed.STARTED
    assert _rate(service) == Decimal("0.067")


def _paused(start: ResourceEvent) -> ResourceEvent:
    raw = copy.deepcopy(start.raw)
    raw["eventName"] = "StopInstances"
    raw["responseElements"]["instancesSet"]["items"][0]["currentState"]["name"] = "stopped"
    return start.model_copy(update={"event_name": "StopInstances", "raw": raw})


def test_a_terminated_instance_leaves_the_run_rate() -> None:
    service = make_service(budgets(AWS_COMPUTE))
    service.observe(real_events(RUN)[0])
    terminate = _readdressed("aws/aws-cloudtrail-ec2-terminateinstances-autoscaling-record.json")
    assert service.observe(terminate) is Observed.REMOVED
    assert _rate(service) == 0


def test_a_terminated_state_notification_removes_it_too() -> None:
    service = make_service(budgets(AWS_COMPUTE))
    service.observe(real_events(RUN)[0])
    assert service.observe(_state_change("terminated")) is Observed.REMOVED
    assert _rate(service) == 0


def test_events_about_resources_never_priced_change_nothing() -> None:
    service = make_service(budgets(AWS_COMPUTE))
    assert service.observe(_state_change("stopped")) is Observed.UNKNOWN_RESOURCE
    terminate = real_events("aws/aws-cloudtrail-ec2-terminateinstances-autoscaling-record.json")[0]
    assert service.observe(terminate) is Observed.UNKNOWN_RESOURCE


def test_a_creation_whose_size_is_unknown_is_counted_as_unpriced() -> None:
    service = make_service(budgets(AWS_COMPUTE))
    endpoint = real_events("aws/aws-cloudtrail-sagemaker-createendpoint-record.json")[0]
    assert service.observe(endpoint) is Observed.UNPRICED


def test_a_gce_instance_counts_in_gcp_budgets() -> None:
    service = make_service(budgets(AWS_COMPUTE, GCP_ALL))
    [insert] = real_events("gcp/gcp-auditlog-compute-instances-insert-logentry.json")
    assert service.observe(insert) is Observed.PRICED
    assert _rate(service, "gcp-all") == Decimal("0.008378")


def test_tag_scoped_budgets_use_the_tags_observed_for_the_resource() -> None:
    service = make_service(budgets(PAYMENTS))
    service.observe(real_events(RUN)[0], tags={"Team": "Payments"})
    assert _rate(service, "payments") == Decimal("0.067")


def test_tag_scoped_budgets_ignore_resources_of_other_teams() -> None:
    service = make_service(budgets(PAYMENTS))
    service.observe(real_events(RUN)[0], tags={"team": "search"})
    assert _rate(service, "payments") == 0


def test_run_rates_survive_the_process_that_recorded_them(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    make_service(budgets(AWS_COMPUTE), store=sqlite_budgets(path)).observe(real_events(RUN)[0])
    later = make_service(budgets(AWS_COMPUTE), store=sqlite_budgets(path))
    assert _rate(later) == Decimal("0.067")


def test_a_replayed_creation_is_counted_once() -> None:
    service = make_service(budgets(AWS_COMPUTE))
    [event] = real_events(RUN)
    service.observe(event)
    service.observe(event)
    assert _rate(service) == Decimal("0.067")


def test_views_see_a_change_this_process_recorded_at_once() -> None:
    service = make_service(budgets(AWS_COMPUTE))
    assert service.budget_views(NOW)["aws-compute"].projected == 0
    service.observe(real_events(RUN)[0])
    assert service.budget_views(NOW)["aws-compute"].projected > 0


def test_views_see_another_process_change_once_their_ttl_passes(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    reader = make_service(budgets(AWS_COMPUTE), store=sqlite_budgets(path))
    assert reader.budget_views(NOW)["aws-compute"].projected == 0
    make_service(budgets(AWS_COMPUTE), store=sqlite_budgets(path)).observe(real_events(RUN)[0])
    assert reader.budget_views(NOW + timedelta(seconds=29))["aws-compute"].projected == 0
    assert reader.budget_views(NOW + timedelta(seconds=30))["aws-compute"].projected > 0
