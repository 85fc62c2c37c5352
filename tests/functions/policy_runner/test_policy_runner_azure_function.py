"""The Azure Function App's policy runner, called with the real azure.functions request and event
classes, deciding through the Azure plane whose ARM calls the tag enforcer tests' in-memory Tags
API and Resource Graph answer, and taking real Azure budget alerts (both action-group schemas)
from events/azure.

Event Grid does not carry tags: a decision reads them from Resource Graph first (POST), then the
`cost-center-required` policy merges its tag (PATCH Merge).
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import azure.functions as func
import orjson
import pytest

from costplane.approvals.model import ApprovalStatus
from costplane.domain.decisions import ActionStatus
from costplane.domain.errors import DeliveryFailed
from tests.functions.azure.conftest import STORAGE, TAGS, payload
from tests.functions.azure.test_azure_tag_enforcer_function import GRAPH_QUERY, grid_event
from tests.functions.policy_runner.conftest import audit_log, unsent_request
from tests.integration.azure_adapters.fake_azure import GRAPH_PATH

ALERTS_URL = "https://costplane.azurewebsites.net/api/policy_runner/alerts"
COMMON = "azure-budget-alert-commonalertschema-actual-cost.json"
LEGACY = "azure-budget-alert-legacy-aip-budget-notification.json"
TAGS_API = {"api-version": "2021-04-01"}


@pytest.fixture
def blueprint(function_app, policy_files):
    return sys.modules["blueprints.policy_runner"]


def alert(body: bytes) -> func.HttpRequest:
    """An action group's POST, as the HTTP trigger hands it to the function."""
    headers = {"Content-Type": "application/json", "User-Agent": "IcMBroadcaster/1.0"}
    return func.HttpRequest("POST", ALERTS_URL, headers=headers, body=body)


def body_of(response: func.HttpResponse) -> dict:
    return orjson.loads(response.get_body())


def test_the_app_registers_an_event_grid_trigger_and_an_alerts_webhook(function_app):
    functions = {f.get_function_name(): f for f in function_app.app.get_functions()}

    assert functions["policy_runner"].get_trigger().get_binding_name() == "eventGridTrigger"
    webhook = json.loads(functions["policy_runner_alerts"].get_function_json())
    [http] = [b for b in webhook["bindings"] if b["type"] == "httpTrigger"]
    assert (http["route"], http["methods"], http["authLevel"]) == (
        "policy_runner/alerts",
        ["POST"],
        "FUNCTION",
    )


# Resource events ---------------------------------------------------------------------------


def test_a_resource_write_is_decided_by_the_policies(blueprint, arm, cloud_env: Path):
    blueprint.on_event_grid(grid_event())

    assert arm.calls() == [
        ("POST", GRAPH_PATH, {"api-version": "2022-10-01"}, GRAPH_QUERY),
        (
            "PATCH",
            STORAGE + TAGS,
            TAGS_API,
            {"operation": "Merge", "properties": {"tags": {"costplane-review": "required"}}},
        ),
    ]
    [decision] = audit_log(cloud_env)
    assert (decision.policy, decision.resource_id) == ("cost-center-required", STORAGE)


def test_a_refused_tag_write_raises_so_event_grid_delivers_again(blueprint, arm):
    arm.refuse_writes = True

    with pytest.raises(DeliveryFailed, match=r"tag failed: .*AuthorizationFailed"):
        blueprint.on_event_grid(grid_event())


def test_the_same_event_delivered_twice_acts_once(blueprint, arm, cloud_env: Path):
    blueprint.on_event_grid(grid_event())

    blueprint.on_event_grid(grid_event())

    assert [method for method, *_ in arm.calls()] == ["POST", "PATCH"]
    assert len(audit_log(cloud_env)) == 1


# Budget alerts -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "budget", "spent", "fired"),
    [
        (COMMON, "Test_actual_cost_budget", "11111.00", datetime(2022, 12, 7, 21, 13, tzinfo=UTC)),
        (LEGACY, "test-budgetName", "1111.32", None),
    ],
    ids=["common-alert-schema", "legacy-aip-budget-notification"],
)
def test_a_budget_alert_updates_the_budget_and_is_audited(
    blueprint, arm, cloud_env: Path, name, budget, spent, fired
):
    response = blueprint.alerts(alert(payload(name)))

    assert response.status_code == 200
    [decision] = body_of(response)["decisions"]
    assert (decision["policy"], decision["outcome"]) == ("budget-signal", "compliant")
    assert decision["reason"].startswith(f"{budget}: actual {spent} ")
    assert decision["reason"].endswith("updated azure-sandbox")
    assert [d.decision_id for d in audit_log(cloud_env)] == [decision["decision_id"]]
    views = blueprint.service().spend.budget_views(fired or datetime.now(UTC))
    assert views["azure-sandbox"].actual == Decimal(spent)
    assert arm.requests == []


def test_a_budget_over_its_threshold_reaches_the_next_resource_event(
    blueprint, arm, cloud_env: Path
):
    blueprint.alerts(alert(payload(LEGACY)))  # 1,111.32 of a 50 USD budget, this month

    blueprint.on_event_grid(grid_event())

    assert "budget-azure-sandbox-projected-80" in {d.policy for d in audit_log(cloud_env)}


def test_an_alert_that_is_not_a_budget_alert_is_acknowledged(blueprint, arm):
    metric_alert = payload("azure-monitor-commonalertschema-metric-alert-resolved.json")

    response = blueprint.alerts(alert(metric_alert))

    assert response.status_code == 200
    [decision] = body_of(response)["decisions"]
    assert decision["outcome"] == "skipped"


def test_a_body_that_is_not_json_is_a_400_with_the_precise_reason(blueprint, arm):
    response = blueprint.alerts(alert(payload(COMMON)[:120]))

    assert response.status_code == 400
    assert body_of(response)["error"] == "malformed_json"


def test_an_alert_the_runner_cannot_take_is_a_503_so_the_action_group_retries(
    blueprint, arm, cloud_env: Path
):
    (cloud_env / "lake").write_text("not a directory: the state store cannot open")

    response = blueprint.alerts(alert(payload(COMMON)))

    assert response.status_code == 503
    assert body_of(response)["error"] == "unavailable"


def test_an_approval_without_chat_credentials_is_not_taken_recorded_unsent_and_not_raised(
    blueprint, approval_policies, arm, cloud_env: Path
):
    blueprint.on_event_grid(grid_event())  # no DeliveryFailed: Event Grid does not deliver again

    [decision] = audit_log(cloud_env)
    [action] = decision.actions
    assert action.status is ActionStatus.NOT_TAKEN
    assert action.error.startswith("no slack credentials are configured; request ")
    assert unsent_request(cloud_env, decision).status is ApprovalStatus.UNSENT
