"""The approvals blueprint of the Azure Function App, called with real azure.functions requests;
the Azure plane keeps requests in its SQLite state file and stops VMs through ARM, whose calls
an in-memory API answers."""

from __future__ import annotations

import importlib
import json
import sys
from datetime import timedelta
from pathlib import Path
from types import ModuleType

import azure.functions as func
import orjson
import pytest
from azure.functions.timer import TimerRequest

from costplane.adapters.approval_records import RecordApprovalStore
from costplane.approvals.model import ApprovalStatus
from costplane.domain.events import Provider
from costplane.engine.ports import ResourceRef
from tests.functions.approvals.conftest import (
    OPERATOR,
    Apis,
    seed,
    signed_resume,
    signed_slack,
    signed_teams,
    suspended,
)
from tests.support.stores import sqlite_approvals, sqlite_state

APP_ROOT = Path(__file__).resolve().parents[3] / "functions" / "azure"
BASE = "https://costplane.azurewebsites.net/api/approvals"
VM = ResourceRef(
    provider=Provider.AZURE,
    account="0b8d5b4c-13a1-4d1b-9c35-0f1b2c3d4e5f",
    region="westeurope",
    resource_id=(
        "/subscriptions/0b8d5b4c-13a1-4d1b-9c35-0f1b2c3d4e5f/resourceGroups/ml"
        "/providers/Microsoft.Compute/virtualMachines/gpu-1"
    ),
    resource_type="azure.compute.virtualmachine",
)
DEALLOCATE = (
    "POST",
    f"https://management.azure.com{VM.resource_id}/deallocate?api-version=2024-07-01",
    None,
)


@pytest.fixture
def blueprint(cloud_env: Path, apis: Apis, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """blueprints.approvals imported afresh with the app root on sys.path, as the host does."""
    monkeypatch.syspath_prepend(str(APP_ROOT))
    for name in ("blueprints", "blueprints.approvals"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    return importlib.import_module("blueprints.approvals")


@pytest.fixture
def store(cloud_env: Path) -> RecordApprovalStore:
    return sqlite_approvals(cloud_env / "lake" / "state.db")


def post(route: str, headers: dict[str, str], body: bytes) -> func.HttpRequest:
    return func.HttpRequest(
        "POST", f"{BASE}/{route}", headers=headers, body=body, route_params={"route": route}
    )


def answer(response: func.HttpResponse) -> tuple[int, dict]:
    return response.status_code, orjson.loads(response.get_body())


def test_the_blueprint_registers_one_anonymous_callback_route_and_a_timer(blueprint):
    app = func.FunctionApp()
    app.register_functions(blueprint.bp)
    functions = {
        f.get_function_name(): json.loads(f.get_function_json()) for f in app.get_functions()
    }

    assert set(functions) == {"approvals", "approvals_expire"}
    [http] = [b for b in functions["approvals"]["bindings"] if b["type"] == "httpTrigger"]
    assert (http["route"], http["methods"], http["authLevel"]) == (
        "approvals/{route}",
        ["POST"],
        "ANONYMOUS",
    )
    [timer] = functions["approvals_expire"]["bindings"]
    assert (timer["type"], timer["schedule"]) == ("timerTrigger", "0 */5 * * * *")


def test_a_route_other_than_slack_teams_or_resume_is_404(blueprint, apis):
    status, body = answer(blueprint.callback(post("expire", {}, b"{}")))

    assert (status, body["error"]) == (404, "not_found")
    assert body["reason"] == "POST to approvals/slack or approvals/teams or approvals/resume"


def test_a_signed_slack_approval_deallocates_the_vm(blueprint, store, apis):
    request = seed(store, VM)

    status, body = answer(blueprint.callback(post("slack", *signed_slack(request))))

    assert (status, body["status"]) == (200, "approved")
    assert apis.calls("management.azure.com") == [DEALLOCATE]
    assert store.get(request.id).status is ApprovalStatus.APPROVED


def test_a_forged_slack_click_is_401_and_arm_is_not_called(blueprint, store, apis):
    request = seed(store, VM)

    status, body = answer(blueprint.callback(post("slack", *signed_slack(request, secret=b"x"))))

    assert (status, body["error"]) == (401, "bad_signature")
    assert apis.calls("management.azure.com") == []
    assert store.get(request.id).status is ApprovalStatus.PENDING


def test_a_teams_denial_is_recorded_and_the_vm_is_left_alone(blueprint, store, apis):
    request = seed(store, VM, channel="teams")

    status, body = answer(blueprint.callback(post("teams", *signed_teams(request, "deny"))))

    assert (status, body["statusCode"]) == (200, 200)
    assert body["value"]["body"][-1]["text"].startswith("Denied by ")
    assert store.get(request.id).status is ApprovalStatus.DENIED
    assert apis.calls("management.azure.com") == []


def test_a_teams_press_by_someone_else_is_403(blueprint, store, apis):
    request = seed(store, VM, channel="teams")

    status, body = answer(blueprint.callback(post("teams", *signed_teams(request, user="mallory"))))

    assert (status, body["value"]["code"]) == (403, "not_an_approver")
    assert store.get(request.id).status is ApprovalStatus.PENDING


def test_the_timer_expires_overdue_requests_into_their_default(blueprint, store, apis):
    overdue = seed(store, VM, on_expiry="approve", expires_in=-timedelta(seconds=1))

    blueprint.expire(TimerRequest(past_due=False))

    assert store.get(overdue.id).status is ApprovalStatus.EXPIRED
    assert apis.calls("management.azure.com") == [DEALLOCATE]


def test_an_approved_deallocate_that_fails_answers_500_and_the_request_stays_pending(
    blueprint, store, apis
):
    broken = VM.model_copy(update={"resource_id": VM.resource_id.replace("gpu-1", "broken-1")})
    request = seed(store, broken)

    status, body = answer(blueprint.callback(post("slack", *signed_slack(request))))

    assert status == 500
    assert body["status"] == "pending"
    assert "failed" in body["message"]
    assert store.get(request.id).status is ApprovalStatus.PENDING


def test_a_signed_resume_starts_the_suspended_vm_and_audits_who_asked(blueprint, cloud_env, apis):
    audit = sqlite_state(cloud_env / "lake" / "state.db")
    audit.append_decision(suspended(VM, {"power": "running"}))

    status, body = answer(blueprint.callback(post("resume", *signed_resume(VM.resource_id))))

    assert (status, body["resumed"], body["asked_by"]) == (200, "d-suspend-resume", OPERATOR)
    tags = (
        f"https://management.azure.com{VM.resource_id}/providers/Microsoft.Resources/tags/default"
    )
    assert [(m, u.split("?")[0]) for m, u, _ in apis.calls("management.azure.com")] == [
        ("POST", f"https://management.azure.com{VM.resource_id}/start"),
        ("GET", tags),
        ("PATCH", tags),
    ]
    [record] = [d for d in audit.recent_decisions(10) if d.source == "resume"]
    assert record.actor == OPERATOR


def test_an_unsigned_resume_is_401_and_arm_is_not_called(blueprint, cloud_env, apis):
    sqlite_state(cloud_env / "lake" / "state.db").append_decision(
        suspended(VM, {"power": "running"})
    )
    headers, body = signed_resume(VM.resource_id, secret=b"forged")

    status, said = answer(blueprint.callback(post("resume", headers, body)))

    assert (status, said["error"]) == (401, "bad_signature")
    assert apis.calls("management.azure.com") == []
