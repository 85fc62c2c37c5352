"""What a payload and its items must be before anything acts on them; every breach is a
rejection with a stable code, never an exception."""

from __future__ import annotations

import copy

import orjson
import pytest

import costplane.adapters.aws.events  # noqa: F401  (registers the AWS envelopes)
from costplane.domain.errors import Rejection
from costplane.engine.admission import MAX_DEPTH, MAX_ITEMS, within_depth
from costplane.engine.envelopes import parse_document, parse_payload
from tests.conftest import EVENTS

RECORD = orjson.loads(
    (EVENTS / "aws" / "aws-cloudtrail-ec2-runinstances-iamuser-record.json").read_bytes()
)


def _record(**changes: object) -> dict[str, object]:
    return {**copy.deepcopy(RECORD), **changes}


def _codes(parsed) -> list[str]:
    return [r.code for r in parsed.rejected]


def test_the_unmutated_record_yields_its_event() -> None:
    parsed = parse_document(_record())
    assert (len(parsed.events), parsed.rejected) == (1, [])


def test_a_payload_nested_beyond_the_limit_is_rejected_before_parsing() -> None:
    deep: object = 1
    for _ in range(990):
        deep = [deep]
    raw = b"[" * 990 + b"1" + b"]" * 990
    assert _codes(parse_document(_record(requestParameters=deep))) == [Rejection.TOO_DEEPLY_NESTED]
    assert _codes(parse_payload(raw)) == [Rejection.TOO_DEEPLY_NESTED]


def test_a_payload_within_the_depth_limit_is_parsed() -> None:
    nested: object = "x"
    for _ in range(MAX_DEPTH - 2):
        nested = {"k": nested}
    assert parse_document(_record(additionalEventData=nested)).events


def _nested(levels: int, leaf: object) -> object:
    """`leaf` inside `levels` containers, lists and objects in turn."""
    document = leaf
    for level in range(levels):
        document = [document] if level % 2 else {"k": document}
    return document


@pytest.mark.parametrize("leaf", [1, "x", None, [1], {"k": 1}])
def test_a_value_at_the_depth_limit_is_admitted_and_one_level_deeper_is_not(
    leaf: object,
) -> None:
    # "b" holds its value three levels down; a container leaf holds its own value one more.
    levels = MAX_DEPTH - 3 - (1 if isinstance(leaf, list | dict) else 0)
    assert within_depth({"a": [1, {"b": _nested(levels, leaf)}]})
    assert not within_depth({"a": [1, {"b": _nested(levels + 1, leaf)}]})


def test_an_empty_container_at_the_depth_limit_nests_nothing_deeper() -> None:
    assert within_depth(_nested(MAX_DEPTH, []))
    assert within_depth(_nested(MAX_DEPTH, {}))
    assert not within_depth(_nested(MAX_DEPTH, [[]]))


def test_just_beyond_the_limit_is_rejected_as_bytes_and_as_text() -> None:
    raw = "[" * (MAX_DEPTH + 1) + "1" + "]" * (MAX_DEPTH + 1)
    assert _codes(parse_payload(raw)) == [Rejection.TOO_DEEPLY_NESTED]
    assert _codes(parse_payload(raw.encode())) == [Rejection.TOO_DEEPLY_NESTED]


def test_brackets_inside_strings_are_not_nesting() -> None:
    raw = orjson.dumps(_record(additionalEventData={"note": "[{" * 200}))
    assert parse_payload(raw).events


def test_a_lone_surrogate_in_a_document_is_rejected_as_invalid_unicode() -> None:
    parsed = parse_document(_record(eventName="RunInstances\ud800"))
    assert _codes(parsed) == [Rejection.INVALID_UNICODE]


def test_a_lone_surrogate_escaped_in_raw_json_is_malformed_json() -> None:
    assert _codes(parse_payload(b'{"eventName": "\\ud800"}')) == [Rejection.MALFORMED_JSON]


def test_a_document_over_the_size_limit_is_rejected() -> None:
    parsed = parse_document(_record(requestParameters={"x": "A" * 2_000_000}))
    assert _codes(parsed) == [Rejection.PAYLOAD_TOO_LARGE]


def test_a_delivery_of_more_items_than_the_limit_is_rejected_whole() -> None:
    read = {"eventVersion": "1.08", "eventSource": "ec2.amazonaws.com", "eventName": "GetX"}
    parsed = parse_document({"Records": [read] * (MAX_ITEMS + 1)})
    assert (parsed.events, _codes(parsed)) == ([], [Rejection.TOO_MANY_EVENTS])


def test_an_event_time_in_year_9999_is_out_of_range() -> None:
    parsed = parse_document(_record(eventTime="9999-12-31T23:59:59Z"))
    assert _codes(parsed) == [Rejection.TIME_OUT_OF_RANGE]


def test_an_event_time_that_overflows_utc_is_out_of_range() -> None:
    parsed = parse_document(_record(eventTime="0001-01-01T00:00:00+14:00"))
    assert _codes(parsed) == [Rejection.TIME_OUT_OF_RANGE]


def test_an_invalid_region_is_rejected_before_any_action() -> None:
    parsed = parse_document(_record(awsRegion="../../etc/passwd"))
    assert (parsed.events, _codes(parsed)) == ([], [Rejection.INVALID_IDENTITY])


def test_a_float_recipient_account_is_rejected_not_replaced_by_the_callers() -> None:
    parsed = parse_document(_record(recipientAccountId=123456789012.0))
    assert (parsed.events, _codes(parsed)) == ([], [Rejection.INVALID_FIELD])
    assert "recipientAccountId is float" in parsed.rejected[0].reason


def test_a_blank_event_id_is_an_invalid_identity() -> None:
    assert _codes(parse_document(_record(eventID=" "))) == [Rejection.INVALID_IDENTITY]


def test_one_bad_resource_of_a_record_rejects_the_whole_record() -> None:
    record = _record()
    items = record["responseElements"]["instancesSet"]["items"]
    items.append({**items[0], "instanceId": "../../etc/passwd"})
    parsed = parse_document(record)
    assert (parsed.events, _codes(parsed)) == ([], [Rejection.INVALID_IDENTITY])
