"""Bad or irrelevant input is rejected with a stable code and a reason naming what is wrong."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

from costplane.engine.admission import MAX_PAYLOAD_BYTES
from costplane.engine.envelopes import parse_document, parse_payload

Load = Callable[[str], Any]
LoadBytes = Callable[[str], bytes]
RUN = "aws-cloudtrail-ec2-runinstances-iamuser-record.json"
TERMINATE = "aws-cloudtrail-ec2-terminateinstances-autoscaling-record.json"
LAMBDA_LOG = "aws-cloudtrail-lambda-getfunction-denied-deletefunction-s3-logfile-records.json"


def test_failed_call_is_skipped_naming_the_error_code(aws_payload: Load) -> None:
    parsed = parse_document(
        aws_payload("aws-cloudtrail-cloudtrail-updatetrail-errorcode-s3-logfile-records.json")
    )
    [rejection] = parsed.rejected
    assert (rejection.code, rejection.skipped) == ("failed_call", True)
    assert "UpdateTrail failed with TrailNotFoundException" in rejection.reason
    assert (rejection.provider, rejection.event_name) == ("aws", "UpdateTrail")
    assert rejection.event_id == "b7d4398e-b2f0-4faa-9c76-e2d316a8d67f"


def test_failed_create_is_skipped_even_though_it_is_supported(aws_payload: Load) -> None:
    record = aws_payload(RUN) | {"errorCode": "Client.UnauthorizedOperation"}
    [rejection] = parse_document(record).rejected
    assert rejection.code == "failed_call"
    assert "RunInstances failed with Client.UnauthorizedOperation" in rejection.reason


def test_failed_record_does_not_hide_the_successful_one_beside_it(aws_payload: Load) -> None:
    parsed = parse_document(aws_payload(LAMBDA_LOG))
    assert parsed.envelope == "aws.cloudtrail.logfile"
    assert [e.event_name for e in parsed.events] == ["DeleteFunction"]
    [rejection] = parsed.rejected
    assert rejection.reason.startswith("Records[0]: lambda.amazonaws.com GetFunction failed")


def test_log_file_with_one_broken_record_yields_the_others(aws_payload: Load) -> None:
    broken = aws_payload(RUN)
    del broken["responseElements"]
    log_file = {"Records": [aws_payload(RUN), broken, aws_payload(TERMINATE)]}

    parsed = parse_document(log_file)

    assert [e.resource_id for e in parsed.events] == ["i-0f7c711dc84bedda0", "i-0d9853f67e40ab80b"]
    [rejection] = parsed.rejected
    assert rejection.code == "missing_field"
    assert rejection.reason == "Records[1]: responseElements is missing"
    assert rejection.event_id == "6589a9eb-59b7-4895-b7ab-962ed3cc257c"


def test_a_record_that_is_not_an_object_is_rejected_in_place(aws_payload: Load) -> None:
    parsed = parse_document({"Records": ["oops", aws_payload(TERMINATE)]})
    assert len(parsed.events) == 1
    [rejection] = parsed.rejected
    assert rejection.reason == "Records[0]: record is str, expected a CloudTrail record object"


def test_record_without_event_id_is_rejected_not_guessed(aws_payload: Load) -> None:
    [rejection] = parse_document(
        aws_payload("aws-cloudtrail-ec2-createtags-reduced-record.json")
    ).rejected
    assert (rejection.code, rejection.reason) == ("missing_field", "eventID is missing")
    assert rejection.event_name == "CreateTags"


def test_missing_event_name_is_named(aws_payload: Load) -> None:
    record = aws_payload(RUN)
    del record["eventName"]
    [rejection] = parse_document(record).rejected
    assert (rejection.code, rejection.reason) == ("missing_field", "eventName is missing")
    assert rejection.skipped is False


def test_wrongly_typed_instance_list_names_its_path(aws_payload: Load) -> None:
    record = aws_payload(RUN)
    record["responseElements"]["instancesSet"]["items"] = "i-0f7c711dc84bedda0"
    [rejection] = parse_document(record).rejected
    assert rejection.code == "invalid_field"
    assert rejection.reason == "responseElements.instancesSet.items is str, expected a list"


def test_instance_without_id_is_named_by_index(aws_payload: Load) -> None:
    record = aws_payload(RUN)
    del record["responseElements"]["instancesSet"]["items"][0]["instanceId"]
    [rejection] = parse_document(record).rejected
    assert rejection.reason == "responseElements.instancesSet.items[0].instanceId is missing"


def test_unparseable_event_time_is_rejected(aws_payload: Load) -> None:
    record = aws_payload(RUN) | {"eventTime": "yesterday"}
    [rejection] = parse_document(record).rejected
    assert (rejection.code, rejection.reason) == (
        "invalid_field",
        "eventTime 'yesterday' is not an ISO 8601 time",
    )


def test_unknown_event_name_is_skipped_naming_source_and_name(aws_payload: Load) -> None:
    parsed = parse_document(
        aws_payload("aws-cloudtrail-bedrock-createmodelcustomizationjob-record.json")
    )
    [rejection] = parsed.rejected
    assert (rejection.code, rejection.skipped) == ("unsupported_event", True)
    assert rejection.reason == (
        "bedrock.amazonaws.com CreateModelCustomizationJob"
        " is not a resource change costplane parses"
    )


def test_read_only_call_is_skipped_as_read_only(aws_payload: Load) -> None:
    [get_function, _] = aws_payload(LAMBDA_LOG)["Records"]
    del get_function["errorCode"]
    [rejection] = parse_document(get_function).rejected
    assert (rejection.code, rejection.skipped) == ("read_only_event", True)
    assert rejection.reason == "lambda.amazonaws.com GetFunction is read-only; nothing changed"


def test_truncated_cloudtrail_json_is_malformed(aws_bytes: LoadBytes) -> None:
    raw = aws_bytes(RUN)
    [rejection] = parse_payload(raw[: len(raw) // 2]).rejected
    assert rejection.code == "malformed_json"


def test_log_file_over_one_megabyte_is_rejected_before_parsing(aws_payload: Load) -> None:
    record = aws_payload(RUN)
    size = len(orjson.dumps(record))
    raw = orjson.dumps({"Records": [record] * (MAX_PAYLOAD_BYTES // size + 1)})
    [rejection] = parse_payload(raw).rejected
    assert rejection.code == "payload_too_large"


def test_eventbridge_cloudtrail_without_detail_is_rejected(aws_payload: Load) -> None:
    envelope = aws_payload("aws-cloudtrail-s3-createbucket-eventbridge.json")
    del envelope["detail"]
    [rejection] = parse_document(envelope).rejected
    assert (rejection.code, rejection.reason) == ("missing_field", "detail is missing")
    assert rejection.event_id == "075efcc5-cc27-4041-accc-5fe2f65ef80d"


def test_eventbridge_record_without_event_id_falls_back_to_the_envelope_id(
    aws_payload: Load,
) -> None:
    envelope = aws_payload("aws-cloudtrail-s3-createbucket-eventbridge.json")
    del envelope["detail"]["eventID"]
    [event] = parse_document(envelope).events
    assert event.event_id == "075efcc5-cc27-4041-accc-5fe2f65ef80d"


def test_empty_log_file_is_skipped() -> None:
    [rejection] = parse_document({"Records": []}).rejected
    assert (rejection.code, rejection.skipped) == ("empty_log_file", True)
