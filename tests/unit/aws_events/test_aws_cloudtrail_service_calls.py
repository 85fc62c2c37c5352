"""Create, tag, untag and delete calls of the services that carry most spend, in each API's
own tag spelling.

No public CloudTrail record was found for these calls with a licence that lets it be copied
(events/aws/SOURCES.md); as in test_aws_cloudtrail_api_shapes, each input is the real SageMaker
CreateEndpoint record with its call, request and response replaced by the fields the service's
API reference documents, in CloudTrail's camelCase. Each case names the behaviour it pins and
the event fields that show it.
"""

from __future__ import annotations

from typing import Any

import pytest

from costplane.adapters.aws.cloudtrail_resources import supported_calls
from costplane.adapters.aws.cloudtrail_services import CATALOGUE
from costplane.domain.events import Operation
from tests.unit.aws_events.conftest import DocumentedCall

REGION, ACCOUNT = "us-west-2", "444455556666"  # the base record's
DISTRIBUTION = f"arn:aws:cloudfront::{ACCOUNT}:distribution/EDFDVBD6EXAMPLE"
TABLE = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/orders"
KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{KEY_ID}"
BALANCER = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:loadbalancer/app/web/50dc6c495c0c9188"
KMS_TAGS = [{"tagKey": "Department", "tagValue": "IT"}]
VOLUME_SPEC = {"items": [{"resourceType": "volume", "tags": [{"key": "Team", "value": "ml"}]}]}
DISTRIBUTION_CONFIG = {
    "distributionConfig": {"callerReference": "r-1"},
    "tags": {"items": [{"key": "CostCenter", "value": "CC-1001"}]},
}

CALLS = [
    pytest.param(
        ("cloudfront.amazonaws.com", "TagResource"),
        {
            "resource": DISTRIBUTION,
            "tags": {"items": [{"key": "Team", "value": "web"}], "quantity": 1},
        },
        None,
        {
            "resource_type": "aws.cloudfront.distribution",
            "resource_id": DISTRIBUTION,
            "operation": Operation.TAG,
            "tags": {"Team": "web"},
        },
        id="cloudfront_tagresource_reads_tags_as_items",
    ),
    pytest.param(
        ("cloudfront.amazonaws.com", "CreateDistributionWithTags"),
        {"distributionConfigWithTags": DISTRIBUTION_CONFIG},
        {"distribution": {"id": "EDFDVBD6EXAMPLE", "aRN": DISTRIBUTION}},
        {"operation": Operation.CREATE, "tags": {"CostCenter": "CC-1001"}},
        id="cloudfront_create_with_tags_reads_the_config_with_tags",
    ),
    pytest.param(
        ("dynamodb.amazonaws.com", "CreateTable"),
        {"tableName": "orders", "tags": [{"key": "Team", "value": "payments"}]},
        {"tableDescription": {"tableName": "orders", "tableArn": TABLE}},
        {"resource_type": "aws.dynamodb.table", "resource_id": TABLE, "tags": {"Team": "payments"}},
        id="dynamodb_createtable_takes_the_arn_from_the_table_description",
    ),
    pytest.param(
        ("kinesis.amazonaws.com", "CreateStream"),
        {"streamName": "clicks", "shardCount": 2, "tags": {"Team": "data"}},
        None,
        {
            "resource_id": f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/clicks",
            "resource_type": "aws.kinesis.stream",
            "tags": {"Team": "data"},
        },
        id="kinesis_createstream_builds_the_arn_and_reads_a_tag_map",
    ),
    pytest.param(
        ("kms.amazonaws.com", "CreateKey"),
        {"tags": KMS_TAGS},
        {"keyMetadata": {"arn": KEY, "keyId": KEY_ID}},
        {"resource_type": "aws.kms.key", "tags": {"Department": "IT"}},
        id="kms_createkey_reads_tagkey_and_tagvalue_pairs",
    ),
    pytest.param(
        ("kms.amazonaws.com", "TagResource"),
        {"keyId": KEY, "tags": KMS_TAGS},
        None,
        {"resource_id": KEY, "tags": {"Department": "IT"}},
        id="kms_tagresource_names_the_key_by_keyid",
    ),
    pytest.param(
        ("ec2.amazonaws.com", "CreateVolume"),
        {"size": 100, "tagSpecificationSet": VOLUME_SPEC},
        {"volumeId": "vol-0123456789abcdef0", "size": 100},
        {
            "resource_type": "aws.ec2.volume",
            "resource_id": "vol-0123456789abcdef0",
            "tags": {"Team": "ml"},
        },
        id="ec2_createvolume_reads_its_tag_specification",
    ),
    pytest.param(
        ("elasticloadbalancing.amazonaws.com", "CreateLoadBalancer"),
        {"name": "web", "tags": [{"key": "Team", "value": "web"}]},
        {"loadBalancers": [{"loadBalancerArn": BALANCER}]},
        {"resource_type": "aws.elbv2.loadbalancer", "tags": {"Team": "web"}},
        id="elbv2_createloadbalancer_takes_the_first_balancers_arn",
    ),
    pytest.param(
        ("elasticmapreduce.amazonaws.com", "RunJobFlow"),
        {"name": "nightly", "tags": [{"key": "Team", "value": "data"}]},
        {"jobFlowId": "j-2AXXXXXXGAPLF"},
        {"resource_id": f"arn:aws:elasticmapreduce:{REGION}:{ACCOUNT}:cluster/j-2AXXXXXXGAPLF"},
        id="emr_runjobflow_names_the_cluster_by_arn",
    ),
    pytest.param(
        ("dynamodb.amazonaws.com", "UntagResource"),
        {"resourceArn": TABLE, "tagKeys": ["Team"]},
        None,
        {"operation": Operation.TAG, "removed_tags": ("Team",)},
        id="untagresource_of_any_service_records_the_removed_keys",
    ),
    pytest.param(
        ("redshift.amazonaws.com", "DeleteCluster"),
        {"clusterIdentifier": "dw"},
        None,
        {
            "operation": Operation.DELETE,
            "resource_id": f"arn:aws:redshift:{REGION}:{ACCOUNT}:cluster:dw",
        },
        id="a_delete_call_is_a_delete_of_the_named_resource",
    ),
]


@pytest.mark.parametrize(("call", "request_", "response", "expected"), CALLS)
def test_a_documented_call(
    documented_call: DocumentedCall,
    call: tuple[str, str],
    request_: Any,
    response: Any,
    expected: dict[str, Any],
) -> None:
    event = documented_call(*call, request_, response)

    assert {name: getattr(event, name) for name in expected} == expected


def test_every_registered_call_is_in_the_coverage_catalogue() -> None:
    assert set(supported_calls()) == set(CATALOGUE)
