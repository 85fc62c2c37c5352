"""Event Grid's webhook handshakes: subscription validation, and CloudEvents abuse protection."""

from __future__ import annotations

from typing import Any

from costplane.adapters.azure.events import cloudevents_options_headers, validation_response
from costplane.engine.envelopes import parse_document


def test_validation_event_is_answered_with_its_validation_code(azure_payload: Any) -> None:
    document = azure_payload("azure-eventgrid-subscriptionvalidationevent.json")
    assert validation_response(document) == {
        "validationResponse": "512d38b6-c7b8-40c8-89fe-f46f9e9622b6"
    }


def test_single_validation_event_object_is_answered_too(azure_payload: Any) -> None:
    [event] = azure_payload("azure-eventgrid-subscriptionvalidationevent.json")
    assert validation_response(event) == {
        "validationResponse": "512d38b6-c7b8-40c8-89fe-f46f9e9622b6"
    }


def test_resource_events_need_no_validation_response(write_event: Any) -> None:
    assert validation_response([write_event]) is None


def test_validation_event_without_a_code_gets_no_response(azure_payload: Any) -> None:
    [event] = azure_payload("azure-eventgrid-subscriptionvalidationevent.json")
    del event["data"]["validationCode"]
    assert validation_response([event]) is None


def test_validation_event_is_skipped_by_the_parser(azure_payload: Any) -> None:
    result = parse_document(azure_payload("azure-eventgrid-subscriptionvalidationevent.json"))
    assert result.events == []
    [rejection] = result.rejected
    assert (rejection.code, rejection.skipped) == ("subscription_validation", True)
    assert rejection.event_id == "2d1781af-3a4c-4d7c-bd0c-e34b19da4e66"


def test_options_request_is_granted_to_its_origin_at_any_rate() -> None:
    headers = cloudevents_options_headers({"WebHook-Request-Origin": "eventgrid.azure.net"})
    assert headers == {"WebHook-Allowed-Origin": "eventgrid.azure.net", "WebHook-Allowed-Rate": "*"}


def test_options_header_names_are_case_insensitive() -> None:
    headers = cloudevents_options_headers({"webhook-request-origin": "eventgrid.azure.net"})
    assert headers["WebHook-Allowed-Origin"] == "eventgrid.azure.net"


def test_options_request_without_origin_is_not_granted() -> None:
    assert cloudevents_options_headers({"Content-Type": "application/json"}) == {}


def test_options_request_from_an_origin_not_allowed_is_not_granted() -> None:
    headers = {"WebHook-Request-Origin": "evil.example"}
    assert cloudevents_options_headers(headers, allowed_origins={"eventgrid.azure.net"}) == {}
