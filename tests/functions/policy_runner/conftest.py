"""What the policy_runner function tests share: a policies file and a budgets file of their own,
the runner's audit log on the SQLite planes, and each cloud's function loaded as its platform
loads it (the Azure and GCP fakes are the tag enforcer tests' own).

Two policies apply to every event, so one event shows all policies deciding in one function:
`cost-center-required` tags what lacks a CostCenter, `pricey-compute` notifies about compute
priced above $0.05/h. One budget per cloud takes that cloud's real budget notification
(AWS Budgets `killswitch`, Azure `Test_actual_cost_budget` and the legacy `test-budgetName`,
GCP `BUDGET_NAME`) and notifies at 80%.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import flask.testing
import functions_framework
import pytest
import yaml

from costplane.approvals.model import ApprovalRequest
from costplane.approvals.service import request_id
from costplane.domain.decisions import Decision
from tests.functions.azure.conftest import arm, function_app  # noqa: F401  (fixtures)
from tests.functions.gcp.conftest import google  # noqa: F401  (a fixture)
from tests.support.stores import sqlite_approvals, sqlite_state

REPO = Path(__file__).resolve().parents[3]
GCP_MAIN = REPO / "functions" / "gcp" / "policy_runner" / "main.py"
POLICIES = [
    {
        "name": "cost-center-required",
        "conditions": [{"type": "tag-missing", "keys": ["CostCenter"]}],
        "actions": [{"type": "tag", "tags": {"costplane-review": "required"}}],
        "mode": "enforce",
    },
    {
        "name": "pricey-compute",
        "scope": {"resource_type": "*.*.instance"},
        "conditions": [{"type": "cost-rate", "above": 0.05}],
        "actions": [{"type": "notify"}],
        "mode": "enforce",
    },
]
NOTIFY_AT_80 = [{"percent": 80, "action": "notify"}]
BUDGETS = [
    {
        "name": "sandbox",
        "scope": {"provider": "aws", "account": "123456789012"},
        "amount": 100,
        "signals": ["killswitch"],
        "thresholds": NOTIFY_AT_80,
    },
    {
        "name": "azure-sandbox",
        "scope": {"provider": "azure"},
        "amount": 50,
        "signals": ["Test_actual_cost_budget", "test-budgetName"],
        "thresholds": NOTIFY_AT_80,
    },
    {
        "name": "gcp-projects",
        "scope": {"provider": "gcp"},
        "amount": 100,
        "signals": ["BUDGET_NAME"],
        "thresholds": NOTIFY_AT_80,
    },
]


@pytest.fixture
def policy_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The runner's policies and budgets, as COSTPLANE_POLICIES and COSTPLANE_BUDGETS name them."""
    for name, key, entries in (
        ("POLICIES", "policies", POLICIES),
        ("BUDGETS", "budgets", BUDGETS),
    ):
        path = tmp_path / f"{key}.yaml"
        path.write_text(yaml.safe_dump({"version": 1, key: entries}))
        monkeypatch.setenv(f"COSTPLANE_{name}", str(path))


@pytest.fixture
def approval_policies(policy_files: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One policy asking a Slack approver before suspending what lacks a CostCenter; the
    environment holds no Slack credentials."""
    ask = {"type": "request-approval", "approvers": ["U024BE7LH"], "then": "suspend"}
    policy = {
        "name": "ask-first",
        "conditions": [{"type": "tag-missing", "keys": ["CostCenter"]}],
        "actions": [ask],
        "mode": "enforce",
    }
    path = tmp_path / "approval-policies.yaml"
    path.write_text(yaml.safe_dump({"version": 1, "policies": [policy]}))
    monkeypatch.setenv("COSTPLANE_POLICIES", str(path))


def unsent_request(cloud_env: Path, decision: Decision) -> ApprovalRequest | None:
    """The request `decision` opened, as the SQLite plane stored it; None if anything is pending."""
    store = sqlite_approvals(cloud_env / "lake" / "state.db")
    if store.pending():
        return None
    return store.get(request_id(decision.decision_id, "suspend"))


def audit_log(cloud_env: Path) -> list[Decision]:
    """The decisions the SQLite plane (no Table storage or Firestore configured) recorded."""
    return sqlite_state(cloud_env / "lake" / "state.db").recent_decisions(100)


@pytest.fixture
def serve_runner(
    policy_files: None, monkeypatch: pytest.MonkeyPatch
) -> Callable[[str], flask.testing.FlaskClient]:
    """A test client of `create_app(target, main.py)`; each call loads main.py afresh, like a
    new instance. create_app writes FUNCTION_* variables, sys.path and sys.modules['main']:
    they are restored after the test."""
    monkeypatch.setenv("FUNCTION_TARGET", "")
    monkeypatch.setenv("FUNCTION_SIGNATURE_TYPE", "")
    monkeypatch.syspath_prepend(str(GCP_MAIN.parent))
    monkeypatch.delitem(sys.modules, "main", raising=False)

    def serve(target: str) -> flask.testing.FlaskClient:
        return functions_framework.create_app(target, str(GCP_MAIN)).test_client()

    return serve
