"""The admission endpoint a gateway calls: JSON in and out, 400 naming each wrong field, 402
naming the budget that refused, 404 and 405 for what it does not serve."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from costplane.adapters.admission_http import AdmissionEndpoint, Reply
from tests.unit.ai.admission_support import budget
from tests.unit.ai.conftest import Build

REQUEST = {
    "request_id": "req-1",
    "vendor": "openai",
    "model": "gpt-4o-mini",
    "input_tokens": 1000,
    "max_output_tokens": 1000,
    "attribution": {"team": "search", "account": "proj_search"},
}


@pytest.fixture
def endpoint(service: Build) -> AdmissionEndpoint:
    return AdmissionEndpoint(service(budget("search", "0.001", tags={"team": "search"})))


def post(endpoint: AdmissionEndpoint, path: str, body: Any) -> Reply:
    reply = endpoint.handle("POST", path, orjson.dumps(body))
    assert orjson.loads(reply.encoded()) is not None
    return reply


def test_an_admitted_request_answers_200_with_what_it_holds(endpoint: AdmissionEndpoint) -> None:
    reply = post(endpoint, "/reserve", REQUEST)
    assert reply.status == 200
    assert orjson.loads(reply.encoded()) | {"expires": "…"} == {
        "request_id": "req-1",
        "admitted": True,
        "reserved": "0.00075000",
        "currency": "USD",
        "budgets": ["search"],
        "expires": "…",
    }


def test_a_refusal_answers_402_naming_the_budget_and_why(endpoint: AdmissionEndpoint) -> None:
    post(endpoint, "/reserve", REQUEST)
    reply = post(endpoint, "/reserve", REQUEST | {"request_id": "req-2"})
    body = orjson.loads(reply.encoded())
    assert reply.status == 402
    assert (body["admitted"], body["reason"], body["budget"]) == (False, "over-budget", "search")
    assert (body["limit"], body["committed"]) == ("0.001", "0.00075000")
    assert "budget 'search' has 0.00025 USD left" in body["message"]


def test_an_unknown_model_answers_402_unpriced(endpoint: AdmissionEndpoint) -> None:
    reply = post(endpoint, "/reserve", REQUEST | {"model": "gpt-unknown"})
    assert (reply.status, reply.body["reason"]) == (402, "unpriced")


def test_settle_answers_the_cost_and_what_it_released(endpoint: AdmissionEndpoint) -> None:
    post(endpoint, "/reserve", REQUEST)
    reply = post(
        endpoint, "/settle", {"reservation_id": "req-1", "usage": {"tokens": {"input": 1000}}}
    )
    body = orjson.loads(reply.encoded())
    assert reply.status == 200
    assert (body["cost"], body["released"], body["priced"]) == ("0.00015000", "0.00060000", True)


def test_settling_an_unknown_reservation_answers_404(endpoint: AdmissionEndpoint) -> None:
    reply = post(endpoint, "/settle", {"reservation_id": "nope", "usage": {"cost": "1"}})
    assert reply.status == 404


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (
            REQUEST | {"input_tokens": -1},
            "input_tokens: Input should be greater than or equal to 0",
        ),
        (REQUEST | {"vendor": "mistral"}, "vendor: Input should be 'openai', 'anthropic'"),
        ({k: v for k, v in REQUEST.items() if k != "model"}, "model: Field required"),
        (REQUEST | {"request_id": "a b"}, "request_id: String should match pattern"),
        (REQUEST | {"budget": "mine"}, "budget: Extra inputs are not permitted"),
        ([1, 2], "body: Input should be a valid dictionary"),
    ],
    ids=["negative-tokens", "unknown-vendor", "no-model", "bad-id", "extra-field", "not-object"],
)
def test_bad_input_answers_400_naming_the_field(
    endpoint: AdmissionEndpoint, body: Any, problem: str
) -> None:
    reply = post(endpoint, "/reserve", body)
    assert reply.status == 400
    assert any(field.startswith(problem) for field in reply.body["fields"]), reply.body


def test_a_body_that_is_not_json_answers_400(endpoint: AdmissionEndpoint) -> None:
    reply = endpoint.handle("POST", "/reserve", b"{not json")
    assert reply.status == 400
    assert reply.body["error"].startswith("body is not JSON")


def test_an_unknown_path_answers_404_and_a_get_405(endpoint: AdmissionEndpoint) -> None:
    assert endpoint.handle("POST", "/admit", b"{}").status == 404
    assert endpoint.handle("GET", "/reserve", b"").status == 405
