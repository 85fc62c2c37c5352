"""The admission Lambda behind its Function URL, invoked in-process as Lambda invokes it: real
Function URL events (base64 bodies included), reservations in the admission table on the moto
server, the budgets file the stack names."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import orjson
import pytest

from costplane.adapters.aws import clients
from costplane.adapters.aws.admission_ledger import DynamoDbAdmissionLedger
from costplane.ai.ports import HoldState
from tests.functions.approvals.test_aws_approvals_function import LambdaContext, function_url_event
from tests.support.admission_table import create_admission_table
from tests.support.modules import fresh_module

APP = Path(__file__).resolve().parents[3] / "functions" / "aws" / "admission" / "app.py"
BUDGETS = """
version: 1
budgets:
  - name: search-ai
    amount: 0.001
    scope: {provider: openai, tags: {team: search}}
"""
REQUEST = {
    "request_id": "req-1",
    "vendor": "openai",
    "model": "gpt-4o-mini",
    "input_tokens": 1000,
    "max_output_tokens": 1000,
    "attribution": {"team": "search"},
}


@pytest.fixture
def app(aws_env: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> ModuleType:
    clients.reset()
    budgets = tmp_path / "budgets.yaml"
    budgets.write_text(BUDGETS)
    for name, value in {
        "COSTPLANE_PLANE": "aws",
        "COSTPLANE_BUDGETS": str(budgets),
        "COSTPLANE_ADMISSION_TABLE": create_admission_table(aws_env),
        "POWERTOOLS_SERVICE_NAME": "admission",
    }.items():
        monkeypatch.setenv(name, value)
    return fresh_module(APP, "admission_app")


def invoke(app: ModuleType, path: str, body: Any, *, b64: bool = True) -> tuple[int, Any]:
    event = function_url_event(
        path, {"content-type": "application/json"}, orjson.dumps(body), b64=b64
    )
    response = app.lambda_handler(event, LambdaContext(function_name="costplane-AdmissionFunction"))
    assert response["headers"]["content-type"] == "application/json"
    return response["statusCode"], orjson.loads(response["body"])


@pytest.mark.parametrize("b64", [True, False], ids=["base64-body", "text-body"])
def test_a_reserve_is_held_in_the_admission_table(app: ModuleType, b64: bool) -> None:
    status, answer = invoke(app, "/reserve", REQUEST, b64=b64)
    assert (status, answer["admitted"], answer["budgets"]) == (200, True, ["search-ai"])
    held = DynamoDbAdmissionLedger("costplane-admission").find("req-1")
    assert held is not None
    assert held.amount == Decimal("0.00075")


def test_the_second_request_that_would_pass_the_budget_answers_402(app: ModuleType) -> None:
    invoke(app, "/reserve", REQUEST)
    status, answer = invoke(app, "/reserve", REQUEST | {"request_id": "req-2"})
    assert (status, answer["reason"], answer["budget"]) == (402, "over-budget", "search-ai")


def test_settle_releases_what_was_not_spent(app: ModuleType) -> None:
    invoke(app, "/reserve", REQUEST)
    status, answer = invoke(
        app, "/settle", {"reservation_id": "req-1", "usage": {"cost": "0.0001"}}
    )
    assert (status, answer["released"]) == (200, "0.00065000")
    held = DynamoDbAdmissionLedger("costplane-admission").find("req-1")
    assert held is not None
    assert (held.state, held.cost) == (HoldState.SETTLED, Decimal("0.0001"))


def test_bad_input_answers_400_through_the_function_url(app: ModuleType) -> None:
    status, answer = invoke(app, "/reserve", REQUEST | {"max_output_tokens": "many"})
    assert status == 400
    assert answer["fields"] == [
        "max_output_tokens: Input should be a valid integer, unable to parse string as an integer"
    ]
