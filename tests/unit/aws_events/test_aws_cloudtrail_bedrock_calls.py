"""Bedrock application inference profiles and provisioned throughput, through the CloudTrail path.

No public CloudTrail record of these calls was found (../shared/data/events, Cloud Custodian's
test events; events/aws/SOURCES.md: the one Bedrock record, CreateModelCustomizationJob, is
reduced to a few fields, without the identity and time a decision needs). As in
test_aws_cloudtrail_service_calls, each input is the real SageMaker CreateEndpoint record with
its call, request and response replaced by the fields of the Bedrock API reference
(CreateInferenceProfile, CreateProvisionedModelThroughput, their Delete, TagResource,
UntagResource; botocore's bedrock 2023-04-20 model), in CloudTrail's camelCase.
"""

from __future__ import annotations

from typing import Any

import pytest

from costplane.adapters.aws.coverage import cloudtrail_create_types
from costplane.adapters.aws.governed import is_governed
from costplane.domain.events import Operation
from tests.unit.aws_events.conftest import DocumentedCall

REGION, ACCOUNT = "us-west-2", "444455556666"  # the base record's
BEDROCK = "bedrock.amazonaws.com"
PROFILE_ID = "a1b2c3d4e5f6"
PROFILE = f"arn:aws:bedrock:{REGION}:{ACCOUNT}:application-inference-profile/{PROFILE_ID}"
PROVISIONED = f"arn:aws:bedrock:{REGION}:{ACCOUNT}:provisioned-model/x9y8z7w6v5u4"
SONNET = "arn:aws:bedrock:us-west-2::foundation-model/anthropic.claude-3-5-sonnet-20241022-v2:0"
TEAM_TAGS = [{"key": "Team", "value": "search"}, {"key": "CostCenter", "value": "CC-1001"}]

CALLS = [
    pytest.param(
        "CreateInferenceProfile",
        {
            "inferenceProfileName": "search-claude",
            "modelSource": {"copyFrom": SONNET},
            "tags": TEAM_TAGS,
        },
        {"inferenceProfileArn": PROFILE, "status": "ACTIVE"},
        {
            "resource_type": "aws.bedrock.application-inference-profile",
            "resource_id": PROFILE,
            "operation": Operation.CREATE,
            "tags": {"Team": "search", "CostCenter": "CC-1001"},
        },
        id="create_inference_profile_is_a_create_with_the_tags_of_its_request",
    ),
    pytest.param(
        "CreateInferenceProfile",
        {"inferenceProfileName": "untagged", "modelSource": {"copyFrom": SONNET}},
        {"inferenceProfileArn": PROFILE, "status": "ACTIVE"},
        {"operation": Operation.CREATE, "tags": {}},
        id="an_inference_profile_created_without_tags_is_untagged",
    ),
    pytest.param(
        "CreateProvisionedModelThroughput",
        {
            "provisionedModelName": "search-pt",
            "modelId": SONNET,
            "modelUnits": 1,
            "tags": TEAM_TAGS,
        },
        {"provisionedModelArn": PROVISIONED},
        {
            "resource_type": "aws.bedrock.provisioned-model",
            "resource_id": PROVISIONED,
            "operation": Operation.CREATE,
            "tags": {"Team": "search", "CostCenter": "CC-1001"},
        },
        id="create_provisioned_throughput_is_a_create_of_the_provisioned_model",
    ),
    pytest.param(
        "DeleteInferenceProfile",
        {"inferenceProfileIdentifier": PROFILE_ID},
        None,
        {"resource_id": PROFILE, "operation": Operation.DELETE},
        id="delete_inference_profile_by_id_names_the_profile_by_arn",
    ),
    pytest.param(
        "DeleteProvisionedModelThroughput",
        {"provisionedModelId": PROVISIONED},
        None,
        {"resource_id": PROVISIONED, "operation": Operation.DELETE},
        id="delete_provisioned_throughput_by_arn_is_a_delete",
    ),
    pytest.param(
        "TagResource",
        {"resourceARN": PROFILE, "tags": [{"key": "Team", "value": "ads"}]},
        None,
        {
            "resource_type": "aws.bedrock.application-inference-profile",
            "operation": Operation.TAG,
            "tags": {"Team": "ads"},
        },
        id="tagresource_reads_the_resourcearn_and_key_value_pairs",
    ),
    pytest.param(
        "UntagResource",
        {"resourceARN": PROVISIONED, "tagKeys": ["Team"]},
        None,
        {
            "resource_type": "aws.bedrock.provisioned-model",
            "operation": Operation.TAG,
            "removed_tags": ("Team",),
        },
        id="untagresource_records_the_removed_keys",
    ),
]


@pytest.mark.parametrize(("name", "request_", "response", "expected"), CALLS)
def test_a_bedrock_call(
    documented_call: DocumentedCall,
    name: str,
    request_: Any,
    response: Any,
    expected: dict[str, Any],
) -> None:
    event = documented_call(BEDROCK, name, request_, response)

    assert {field: getattr(event, field) for field in expected} == expected


def test_both_bedrock_types_are_governed_and_reported_by_their_create_call() -> None:
    types = {"aws.bedrock.application-inference-profile", "aws.bedrock.provisioned-model"}

    assert all(is_governed(t) for t in types)
    assert types <= cloudtrail_create_types()
