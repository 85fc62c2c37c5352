"""Create, tag, untag and delete calls of the services that carry most spend, in each API's
own tag spelling.

No public CloudTrail record was found for these calls with a licence that lets it be copied
(events/aws/SOURCES.md); as in test_aws_cloudtrail_api_shapes, each input is the real SageMaker
CreateEndpoint record with its call, request and response replaced by the fields the service's
API reference documents, in CloudTrail's camelCase.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from costplane.adapters.aws.cloudtrail_resources import supported_calls
from costplane.adapters.aws.cloudtrail_services import CATALOGUE
from costplane.domain.events import Operation, ResourceEvent
from costplane.engine.envelopes import parse_document

Load = Callable[[str], Any]
BASE = "aws-cloudtrail-sagemaker-createendpoint-record.json"
REGION, ACCOUNT = "us-west-2", "444455556666"  # the base record's


def _call(load: Load, source: str, name: str, request: Any, response: Any) -> ResourceEvent:
    record = load(BASE) | {
        "eventSource": source,
        "eventName": name,
        "requestParameters": request,
        "responseElements": response,
    }
    parsed = parse_document(record)
    assert parsed.rejected == []
    [event] = parsed.events
    return event


def test_cloudfront_tagresource_reads_tags_as_items(aws_payload: Load) -> None:
    arn = f"arn:aws:cloudfront::{ACCOUNT}:distribution/EDFDVBD6EXAMPLE"
    tags = {"items": [{"key": "Team", "value": "web"}], "quantity": 1}

    event = _call(
        aws_payload,
        "cloudfront.amazonaws.com",
        "TagResource",
        {"resource": arn, "tags": tags},
        None,
    )

    assert (event.resource_type, event.resource_id) == ("aws.cloudfront.distribution", arn)
    assert (event.operation, event.tags) == (Operation.TAG, {"Team": "web"})


def test_cloudfront_create_with_tags_reads_the_config_with_tags(aws_payload: Load) -> None:
    arn = f"arn:aws:cloudfront::{ACCOUNT}:distribution/EDFDVBD6EXAMPLE"
    request = {
        "distributionConfigWithTags": {
            "distributionConfig": {"callerReference": "r-1"},
            "tags": {"items": [{"key": "CostCenter", "value": "CC-1001"}]},
        }
    }

    event = _call(
        aws_payload,
        "cloudfront.amazonaws.com",
        "CreateDistributionWithTags",
        request,
        {"distribution": {"id": "EDFDVBD6EXAMPLE", "aRN": arn}},
    )

    assert (event.operation, event.tags) == (Operation.CREATE, {"CostCenter": "CC-1001"})


def test_dynamodb_createtable_takes_the_arn_from_the_table_description(aws_payload: Load) -> None:
    arn = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/orders"

    event = _call(
        aws_payload,
        "dynamodb.amazonaws.com",
        "CreateTable",
        {"tableName": "orders", "tags": [{"key": "Team", "value": "payments"}]},
        {"tableDescription": {"tableName": "orders", "tableArn": arn}},
    )

    assert (event.resource_type, event.resource_id) == ("aws.dynamodb.table", arn)
    assert event.tags == {"Team": "payments"}


def test_kinesis_createstream_builds_the_arn_and_reads_a_tag_map(aws_payload: Load) -> None:
    event = _call(
        aws_payload,
        "kinesis.amazonaws.com",
        "CreateStream",
        {"streamName": "clicks", "shardCount": 2, "tags": {"Team": "data"}},
        None,
    )

    assert event.resource_id == f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/clicks"
    assert (event.resource_type, event.tags) == ("aws.kinesis.stream", {"Team": "data"})


def test_kms_createkey_reads_tagkey_and_tagvalue_pairs(aws_payload: Load) -> None:
    arn = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"

    event = _call(
        aws_payload,
        "kms.amazonaws.com",
        "CreateKey",
        {"tags": [{"tagKey": "Department", "tagValue": "IT"}]},
        {"keyMetadata": {"arn": arn, "keyId": "1234abcd-12ab-34cd-56ef-1234567890ab"}},
    )

    assert (event.resource_type, event.tags) == ("aws.kms.key", {"Department": "IT"})


def test_kms_tagresource_names_the_key_by_keyid(aws_payload: Load) -> None:
    arn = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"

    event = _call(
        aws_payload,
        "kms.amazonaws.com",
        "TagResource",
        {"keyId": arn, "tags": [{"tagKey": "Department", "tagValue": "IT"}]},
        None,
    )

    assert (event.resource_id, event.tags) == (arn, {"Department": "IT"})


def test_ec2_createvolume_reads_its_tag_specification(aws_payload: Load) -> None:
    spec = {"items": [{"resourceType": "volume", "tags": [{"key": "Team", "value": "ml"}]}]}

    event = _call(
        aws_payload,
        "ec2.amazonaws.com",
        "CreateVolume",
        {"size": 100, "tagSpecificationSet": spec},
        {"volumeId": "vol-0123456789abcdef0", "size": 100},
    )

    assert (event.resource_type, event.resource_id) == ("aws.ec2.volume", "vol-0123456789abcdef0")
    assert event.tags == {"Team": "ml"}


def test_elbv2_createloadbalancer_takes_the_first_balancers_arn(aws_payload: Load) -> None:
    arn = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:loadbalancer/app/web/50dc6c495c0c9188"

    event = _call(
        aws_payload,
        "elasticloadbalancing.amazonaws.com",
        "CreateLoadBalancer",
        {"name": "web", "tags": [{"key": "Team", "value": "web"}]},
        {"loadBalancers": [{"loadBalancerArn": arn}]},
    )

    assert (event.resource_type, event.tags) == ("aws.elbv2.loadbalancer", {"Team": "web"})


def test_emr_runjobflow_names_the_cluster_by_arn(aws_payload: Load) -> None:
    event = _call(
        aws_payload,
        "elasticmapreduce.amazonaws.com",
        "RunJobFlow",
        {"name": "nightly", "tags": [{"key": "Team", "value": "data"}]},
        {"jobFlowId": "j-2AXXXXXXGAPLF"},
    )

    assert (
        event.resource_id == f"arn:aws:elasticmapreduce:{REGION}:{ACCOUNT}:cluster/j-2AXXXXXXGAPLF"
    )


def test_untagresource_of_any_service_records_the_removed_keys(aws_payload: Load) -> None:
    arn = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/orders"

    event = _call(
        aws_payload,
        "dynamodb.amazonaws.com",
        "UntagResource",
        {"resourceArn": arn, "tagKeys": ["Team"]},
        None,
    )

    assert (event.operation, event.removed_tags) == (Operation.TAG, ("Team",))


def test_a_delete_call_is_a_delete_of_the_named_resource(aws_payload: Load) -> None:
    event = _call(
        aws_payload, "redshift.amazonaws.com", "DeleteCluster", {"clusterIdentifier": "dw"}, None
    )

    assert (event.operation, event.resource_id) == (
        Operation.DELETE,
        f"arn:aws:redshift:{REGION}:{ACCOUNT}:cluster:dw",
    )


def test_every_registered_call_is_in_the_coverage_catalogue() -> None:
    assert set(supported_calls()) == set(CATALOGUE)
