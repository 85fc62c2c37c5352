"""Extractors for calls with no real public payload found (see events/aws/SOURCES.md).

Each input is a real CloudTrail record (the SageMaker CreateEndpoint example) with its
eventSource/eventName and request/response replaced by the fields the AWS API reference
documents for that call, in CloudTrail's camelCase. These are not payloads: they pin the
extractor to the documented shape until a real record is found.
"""

from __future__ import annotations

from costplane.domain.events import Operation
from tests.unit.aws_events.conftest import DocumentedCall


def test_lambda_createfunction20150331_takes_arn_and_tag_map(
    documented_call: DocumentedCall,
) -> None:
    arn = "arn:aws:lambda:us-west-2:123456789012:function:my-function"
    event = documented_call(
        "lambda.amazonaws.com",
        "CreateFunction20150331",
        {"functionName": "my-function", "tags": {"Team": "ml"}},
        {"functionName": "my-function", "functionArn": arn},
    )
    assert (event.resource_type, event.resource_id) == ("aws.lambda.function", arn)
    assert (event.operation, event.tags) == (Operation.CREATE, {"Team": "ml"})


def test_sagemaker_createtrainingjob_takes_arn_and_tag_pairs(
    documented_call: DocumentedCall,
) -> None:
    arn = "arn:aws:sagemaker:us-west-2:123456789012:training-job/churn-2024"
    event = documented_call(
        "sagemaker.amazonaws.com",
        "CreateTrainingJob",
        {"trainingJobName": "churn-2024", "tags": [{"key": "Team", "value": "ml"}]},
        {"trainingJobArn": arn},
    )
    assert (event.resource_type, event.resource_id) == ("aws.sagemaker.training-job", arn)
    assert event.tags == {"Team": "ml"}


def test_eks_createnodegroup_takes_the_nodegroup_arn(documented_call: DocumentedCall) -> None:
    arn = "arn:aws:eks:us-west-2:123456789012:nodegroup/prod/workers/0ec5ce0e"
    event = documented_call(
        "eks.amazonaws.com",
        "CreateNodegroup",
        {"clusterName": "prod", "nodegroupName": "workers"},
        {"nodegroup": {"nodegroupName": "workers", "nodegroupArn": arn}},
    )
    assert (event.resource_type, event.resource_id) == ("aws.eks.nodegroup", arn)
    assert event.tags == {}


def test_lambda_tagresource_tags_the_function_named_by_arn(documented_call: DocumentedCall) -> None:
    arn = "arn:aws:lambda:us-west-2:123456789012:function:my-function"
    event = documented_call(
        "lambda.amazonaws.com",
        "TagResource20170331v2",
        {"resource": arn, "tags": {"CostCenter": "CC-1001"}},
        None,
    )
    assert (event.resource_type, event.resource_id) == ("aws.lambda.function", arn)
    assert (event.operation, event.tags) == (Operation.TAG, {"CostCenter": "CC-1001"})


def test_tagresource_of_another_service_types_the_resource_from_its_arn(
    documented_call: DocumentedCall,
) -> None:
    arn = "arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    event = documented_call(
        "kms.amazonaws.com",
        "TagResource",
        {"resourceArn": arn, "tags": [{"tagKey": "Department", "tagValue": "IT"}]},
        None,
    )
    assert (event.resource_type, event.tags) == ("aws.kms.key", {"Department": "IT"})
