"""Every AWS payload we hold parses into the events stated here, or is rejected as stated.

Covers events/aws/*.json and the three AWS payloads whose licence forbids copying them, read in
place from ../shared/data. A payload without a stated outcome fails, so none slips in unchecked;
a stated outcome without its payload fails too, so none is checked against nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

import costplane.adapters.aws.events  # noqa: F401  (registers the AWS envelopes)
from costplane.engine.envelopes import parse_payload
from tests.conftest import EVENTS, in_place_events, in_place_param
from tests.support.placeholders import filled_bytes

AWS = EVENTS / "aws"


@dataclass(frozen=True)
class Outcome:
    envelope: str | None
    events: list[tuple[str, str, str]] = field(default_factory=list)  # type, id, operation
    rejected: list[tuple[str, str]] = field(default_factory=list)  # code, part of the reason
    signals: list[str] = field(default_factory=list)  # budget names


EXPECTED: dict[str, Outcome] = {
    "aws-cloudtrail-ec2-runinstances-iamuser-record.json": Outcome(
        "aws.cloudtrail.record", [("aws.ec2.instance", "i-0f7c711dc84bedda0", "create")]
    ),
    "aws-cloudtrail-ec2-runinstances-with-tagspecificationset-record.json": Outcome(
        "aws.cloudtrail.record", [("aws.ec2.instance", "i-00000000000000000", "create")]
    ),
    "aws-cloudtrail-ec2-terminateinstances-autoscaling-record.json": Outcome(
        "aws.cloudtrail.record", [("aws.ec2.instance", "i-0d9853f67e40ab80b", "delete")]
    ),
    "aws-cloudtrail-s3-createbucket-eventbridge.json": Outcome(
        "aws.eventbridge", [("aws.s3.bucket", "custodian-create-bucket-v4", "create")]
    ),
    "aws-cloudtrail-rds-createdbinstance-record.json": Outcome(
        "aws.cloudtrail.record",
        [("aws.rds.db", "arn:aws:rds:us-east-1:101010101111:db:onenessdb", "create")],
    ),
    "aws-cloudtrail-sagemaker-createendpoint-record.json": Outcome(
        "aws.cloudtrail.record",
        [
            (
                "aws.sagemaker.endpoint",
                "arn:aws:sagemaker:us-west-2:123456789012:endpoint/exampleendpoint",
                "create",
            )
        ],
    ),
    "aws-cloudtrail-eks-createcluster-record.json": Outcome(
        "aws.cloudtrail.record",
        [("aws.eks.cluster", "arn:aws:eks:us-west-2:111122223333:cluster/test", "create")],
    ),
    "aws-cloudtrail-ec2-createnatgateway-record.json": Outcome(
        "aws.cloudtrail.record", [("aws.ec2.natgateway", "nat-00000001111111111", "create")]
    ),
    "aws-cloudtrail-elbv2-addtags-eventbridge.json": Outcome(
        "aws.eventbridge",
        [
            (
                "aws.elbv2.loadbalancer",
                "arn:aws:elasticloadbalancing:us-east-1:123456789123:"
                "loadbalancer/app/test/433ae0ba96204181",
                "tag",
            )
        ],
    ),
    "aws-ec2-instance-state-change-eventbridge.json": Outcome(
        "aws.eventbridge", [("aws.ec2.instance", "i-a2d74f12", "state")]
    ),
    "aws-cloudtrail-lambda-getfunction-denied-deletefunction-s3-logfile-records.json": Outcome(
        "aws.cloudtrail.logfile",
        [
            (
                "aws.lambda.function",
                "arn:aws:lambda:us-east-1:999999999999:function:basic-node-task",
                "delete",
            )
        ],
        [("failed_call", "Records[0]: lambda.amazonaws.com GetFunction failed with AccessDenied")],
    ),
    "aws-cloudtrail-cloudtrail-updatetrail-errorcode-s3-logfile-records.json": Outcome(
        "aws.cloudtrail.logfile",
        rejected=[("failed_call", "UpdateTrail failed with TrailNotFoundException")],
    ),
    # Documentation samples trimmed of eventID: the idempotency key is missing, so no action.
    "aws-cloudtrail-ec2-startinstances-s3-logfile-records.json": Outcome(
        "aws.cloudtrail.logfile", rejected=[("missing_field", "Records[0]: eventID is missing")]
    ),
    "aws-cloudtrail-ec2-createtags-reduced-record.json": Outcome(
        "aws.cloudtrail.record", rejected=[("missing_field", "eventID is missing")]
    ),
    "aws-cloudtrail-bedrock-createmodelcustomizationjob-record.json": Outcome(
        "aws.cloudtrail.record",
        rejected=[("unsupported_event", "bedrock.amazonaws.com CreateModelCustomizationJob")],
    ),
    # About money, not resources: parsed by issue 4, rejected precisely until then.
    "aws-budgets-notification-sns-lambda-event.json": Outcome(
        "aws.budgets.sns", signals=["killswitch"]
    ),
    "aws-sns-lambda-event-generic.json": Outcome(
        "aws.sns", rejected=[("not_a_resource_event", "a notification delivered by SNS")]
    ),
    "aws-cost-anomaly-detection-anomaly-detected-eventbridge.json": Outcome(
        "aws.eventbridge",
        rejected=[("not_a_resource_event", "an AWS Cost Anomaly Detection event")],
    ),
    "aws-marketplace-saas-subscription-notification-message.json": Outcome(
        "aws.marketplace.saas",
        rejected=[("not_a_resource_event", "an AWS Marketplace SaaS message")],
    ),
    "aws-config-configurationitemchange-ec2-instance-sns-notification.json": Outcome(
        "aws.config.sns", [("aws.ec2.instance", "i-007d374c8912e3e90", "update")]
    ),
    "aws-config-configurationitemchange-ec2-securitygroup-sns-notification.json": Outcome(
        "aws.config.sns",
        rejected=[("ungoverned_resource_type", "AWS::EC2::SecurityGroup is not a resource type")],
    ),
    # Printed without the envelope fields EventBridge adds (`source` among them).
    "aws-tag-change-on-resource-noncompliant-partial.json": Outcome(
        None, rejected=[("unknown_event_type", "keys [detail, detail-type, region, resources]")]
    ),
}

IN_REPO = sorted(AWS.glob("*.json"))
IN_PLACE = in_place_events("aws")
PAYLOADS = [pytest.param(path, id=path.name) for path in IN_REPO] + [
    in_place_param(relative, id=Path(relative).name) for relative in IN_PLACE
]


@pytest.mark.parametrize("path", PAYLOADS)
def test_payload_has_its_stated_outcome(path: Path) -> None:
    assert path.name in EXPECTED, f"state the expected outcome of {path.name} in EXPECTED"
    expected = EXPECTED[path.name]

    parsed = parse_payload(filled_bytes(path))

    assert parsed.envelope == expected.envelope
    got = [(e.resource_type, e.resource_id, e.operation.value) for e in parsed.events]
    assert got == expected.events
    assert [r.code for r in parsed.rejected] == [code for code, _ in expected.rejected]
    assert [s.budget for s in parsed.signals] == expected.signals
    for rejection, (_, reason) in zip(parsed.rejected, expected.rejected, strict=True):
        assert reason in rejection.reason
        assert rejection.provider == ("aws" if expected.envelope else None)
    for event in parsed.events:
        assert event.provider == "aws"
        assert event.event_id
        assert event.event_time.tzinfo is not None


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_stated_outcome_has_its_payload(name: str) -> None:
    held = {path.name for path in IN_REPO} | {Path(relative).name for relative in IN_PLACE}
    assert name in held, f"{name} is neither in events/aws nor read in place (READ_IN_PLACE)"
