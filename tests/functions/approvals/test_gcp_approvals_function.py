"""The approvals Cloud Run function served by functions-framework's own Flask app; the GCP plane
keeps requests in its SQLite state file and stops instances through Compute, whose calls an
in-memory API answers."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import flask.testing
import functions_framework
import pytest

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
from tests.unit.approvals.approvals_support import bot_token, wall_clock_claims

MAIN = Path(__file__).resolve().parents[3] / "functions" / "gcp" / "approvals" / "main.py"
INSTANCE = ResourceRef(
    provider=Provider.GCP,
    account="ml-research-prod",
    region="us-central1-a",
    resource_id="//compute.googleapis.com/projects/ml-research-prod/zones/us-central1-a/instances/gpu-1",
    resource_type="gcp.compute.instance",
)
STOP = (
    "POST",
    "https://compute.googleapis.com/compute/v1/projects/ml-research-prod/zones/us-central1-a"
    "/instances/gpu-1/stop",
    None,
)


@pytest.fixture
def serve_function(
    cloud_env: Path, apis: Apis, monkeypatch: pytest.MonkeyPatch
) -> Callable[[str], flask.testing.FlaskClient]:
    """A test client of `create_app(target, main.py)`, main.py loaded afresh; create_app writes
    FUNCTION_* variables, sys.path and sys.modules['main'], restored after the test."""
    monkeypatch.setenv("FUNCTION_TARGET", "")
    monkeypatch.setenv("FUNCTION_SIGNATURE_TYPE", "")
    monkeypatch.syspath_prepend(str(MAIN.parent))
    monkeypatch.delitem(sys.modules, "main", raising=False)
    return lambda target: functions_framework.create_app(target, str(MAIN)).test_client()


@pytest.fixture
def store(cloud_env: Path) -> RecordApprovalStore:
    return sqlite_approvals(cloud_env / "lake" / "state.db")


def test_a_signed_slack_approval_stops_the_instance(serve_function, store, apis):
    request = seed(store, INSTANCE)
    headers, body = signed_slack(request)

    response = serve_function("approvals").post("/slack", headers=headers, data=body)

    assert (response.status_code, response.json["status"]) == (200, "approved")
    assert apis.calls("compute.googleapis.com") == [STOP]
    assert store.get(request.id).status is ApprovalStatus.APPROVED


def test_a_slack_click_signed_too_long_ago_is_401(serve_function, store, apis):
    request = seed(store, INSTANCE)
    headers, body = signed_slack(request)
    headers["x-slack-request-timestamp"] = str(int(headers["x-slack-request-timestamp"]) - 600)

    response = serve_function("approvals").post("/slack", headers=headers, data=body)

    assert (response.status_code, response.json["error"]) == (401, "stale_timestamp")
    assert apis.calls("compute.googleapis.com") == []


def test_a_teams_approval_stops_the_instance(serve_function, store, apis):
    request = seed(store, INSTANCE, channel="teams")
    headers, body = signed_teams(request)

    response = serve_function("approvals").post("/teams", headers=headers, data=body)

    assert (response.status_code, response.json["statusCode"]) == (200, 200)
    assert apis.calls("compute.googleapis.com") == [STOP]


def test_a_teams_token_for_another_bot_is_401(serve_function, store, apis):
    request = seed(store, INSTANCE, channel="teams")
    headers, body = signed_teams(request)
    headers["authorization"] = f"Bearer {bot_token(wall_clock_claims(aud='another-bot'))}"

    response = serve_function("approvals").post("/teams", headers=headers, data=body)

    assert (response.status_code, response.json["value"]["code"]) == (401, "wrong_audience")
    assert store.get(request.id).status is ApprovalStatus.PENDING


@pytest.mark.parametrize(("method", "path"), [("POST", "/github"), ("GET", "/slack")])
def test_other_paths_and_methods_are_404(serve_function, apis, method, path):
    response = serve_function("approvals").open(path, method=method)
    assert response.status_code == 404


def test_the_expiry_endpoint_applies_the_default_of_overdue_requests(serve_function, store, apis):
    overdue = seed(store, INSTANCE, on_expiry="deny", expires_in=-timedelta(seconds=1))

    response = serve_function("approvals_expire").post("/")

    assert [e["request_id"] for e in response.json["expired"]] == [overdue.id]
    assert store.get(overdue.id).status is ApprovalStatus.EXPIRED
    assert apis.calls("compute.googleapis.com") == []


def test_an_approved_stop_that_fails_answers_500_and_the_request_stays_pending(
    serve_function, store, apis
):
    broken = INSTANCE.model_copy(
        update={"resource_id": INSTANCE.resource_id.replace("gpu-1", "broken-1")}
    )
    request = seed(store, broken)
    headers, body = signed_slack(request)

    response = serve_function("approvals").post("/slack", headers=headers, data=body)

    assert (response.status_code, response.json["status"]) == (500, "pending")
    assert store.get(request.id).status is ApprovalStatus.PENDING


def test_a_signed_resume_starts_the_suspended_instance_and_audits_who_asked(
    serve_function, cloud_env, apis
):
    audit = sqlite_state(cloud_env / "lake" / "state.db")
    audit.append_decision(suspended(INSTANCE, {"status": "running"}))
    headers, body = signed_resume(INSTANCE.resource_id)

    response = serve_function("approvals").post("/resume", headers=headers, data=body)

    assert response.status_code == 200, response.json
    assert (response.json["resumed"], response.json["asked_by"]) == ("d-suspend-resume", OPERATOR)
    instance = STOP[1].removesuffix("/stop")
    calls = [(m, u.split("?")[0]) for m, u, _ in apis.calls("compute.googleapis.com")]
    assert ("POST", f"{instance}/start") in calls
    assert ("POST", f"{instance}/setLabels") in calls
    [record] = [d for d in audit.recent_decisions(10) if d.source == "resume"]
    assert record.actor == OPERATOR


def test_an_unsigned_resume_is_401_and_compute_is_not_called(serve_function, cloud_env, apis):
    sqlite_state(cloud_env / "lake" / "state.db").append_decision(
        suspended(INSTANCE, {"status": "running"})
    )
    _, body = signed_resume(INSTANCE.resource_id)

    response = serve_function("approvals").post("/resume", data=body)

    assert (response.status_code, response.json["error"]) == (401, "missing_signature")
    assert apis.calls("compute.googleapis.com") == []
