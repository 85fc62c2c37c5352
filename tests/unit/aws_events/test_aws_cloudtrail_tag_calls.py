"""Tag calls become TAG events carrying the delta: what was set, and what was removed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

from costplane.adapters.aws.cloudtrail_resources import Scope, find_extractor
from costplane.domain.events import Operation
from costplane.engine.envelopes import parse_payload

Load = Callable[[str], Any]
LoadBytes = Callable[[str], bytes]
CREATE_TAGS = "aws-cloudtrail-ec2-createtags-reduced-record.json"
SCOPE = Scope("644160558196", "us-west-2")


def _extract(record: dict[str, Any]) -> list[Any]:
    extract = find_extractor(record["eventSource"], record["eventName"])
    assert extract is not None
    return list(extract(record, SCOPE))


def test_ec2_createtags_tags_every_listed_resource_with_its_type(aws_payload: Load) -> None:
    targets = _extract(aws_payload(CREATE_TAGS))
    assert [(t.resource_id, t.resource_type) for t in targets] == [
        ("vol-0f9e1b2c3d4e5f6a7", "aws.ec2.volume"),
        ("i-0dc224bad2cb08740", "aws.ec2.instance"),
    ]
    assert {t.operation for t in targets} == {Operation.TAG}
    assert all(t.tags == {"Env": "Production"} for t in targets)


# No real EC2 DeleteTags record was found; the EC2 API takes DeleteTags with the same
# resourcesSet + tagSet request as CreateTags, so the real CreateTags record is renamed.
def test_ec2_deletetags_reports_removed_keys(aws_payload: Load) -> None:
    record = aws_payload(CREATE_TAGS) | {"eventName": "DeleteTags"}
    [_, instance] = _extract(record)
    assert instance.removed_tags == ("Env",)
    assert instance.tags == {}
    assert instance.operation is Operation.TAG


def test_ec2_deletetags_without_a_tag_set_removes_all_so_tags_are_unknown(
    aws_payload: Load,
) -> None:
    record = aws_payload(CREATE_TAGS) | {"eventName": "DeleteTags"}
    del record["requestParameters"]["tagSet"]
    [volume, _] = _extract(record)
    assert (volume.tags, volume.removed_tags) == (None, ())


def test_elbv2_addtags_in_eventbridge_tags_each_load_balancer_arn(aws_bytes: LoadBytes) -> None:
    [event] = parse_payload(aws_bytes("aws-cloudtrail-elbv2-addtags-eventbridge.json")).events
    assert event.resource_id == (
        "arn:aws:elasticloadbalancing:us-east-1:123456789123:loadbalancer/app/test/433ae0ba96204181"
    )
    assert event.resource_type == "aws.elbv2.loadbalancer"
    assert (event.operation, event.tags) == (Operation.TAG, {"WAF": "Internal"})
    assert event.actor == "arn:aws:sts::123456789123:assumed-role/c7nbot/HarishAchappa"
    assert event.event_id == "e9f72371-5fc5-48fc-999d-462e13fdc6bd"


def test_addtags_with_a_non_string_arn_names_the_bad_entry(aws_payload: Load) -> None:
    envelope = aws_payload("aws-cloudtrail-elbv2-addtags-eventbridge.json")
    envelope["detail"]["requestParameters"]["resourceArns"].append(42)
    [rejection] = parse_payload(orjson.dumps(envelope)).rejected
    assert rejection.code == "invalid_field"
    assert "requestParameters.resourceArns[1] is int" in rejection.reason
    assert rejection.event_id == "e9f72371-5fc5-48fc-999d-462e13fdc6bd"
