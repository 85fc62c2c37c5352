"""decommission deletes a SageMaker endpoint and keeps its config; resume recreates it."""

from __future__ import annotations

import base64
import json

import pytest

from costplane.domain.decisions import ActionKind
from costplane.engine.ports import ResourceGone
from tests.integration.aws_capacity.conftest import World, pairs

RECORD = "costplane-decommissioned:ranker"
TAGS = {"Team": "search", "Environment": "dev"}


def endpoints(world: World) -> list[str]:
    found = world.client("sagemaker").list_endpoints()["Endpoints"]
    return [endpoint["EndpointName"] for endpoint in found]


def config_tags(world: World) -> dict[str, str]:
    sm = world.client("sagemaker")
    arn = sm.describe_endpoint_config(EndpointConfigName="ranker-config")["EndpointConfigArn"]
    return {tag["Key"]: tag["Value"] for tag in sm.list_tags(ResourceArn=arn)["Tags"]}


@pytest.fixture
def endpoint(world: World):
    """The `ranker` endpoint served from `ranker-config`, tagged with TAGS."""
    return world.make("aws.sagemaker.endpoint").ref


def test_decommission_deletes_the_endpoint_and_keeps_its_config(world, enforcer, endpoint):
    enforcer.decommission(endpoint)

    assert endpoints(world) == []
    config = world.client("sagemaker").describe_endpoint_config(EndpointConfigName="ranker-config")
    assert [v["ModelName"] for v in config["ProductionVariants"]] == ["ranker"]


def test_decommission_returns_the_endpoint_its_config_and_its_tags(world, enforcer, endpoint):
    undo = enforcer.decommission(endpoint)

    assert undo == {
        "endpoint": "ranker",
        "config": "ranker-config",
        "tags": json.dumps(dict(sorted(TAGS.items())), separators=(",", ":")),
    }


def test_decommission_records_the_endpoint_on_its_config(world, enforcer, endpoint):
    enforcer.decommission(endpoint)

    config, _, packed = config_tags(world)[RECORD].partition(" tags=")
    decoded = base64.urlsafe_b64decode(packed + "=" * (-len(packed) % 4))
    assert config == "config=ranker-config"
    assert json.loads(decoded) == TAGS


def test_a_second_decommission_returns_the_first_state_from_the_config(world, enforcer, endpoint):
    first = enforcer.decommission(endpoint)

    assert enforcer.decommission(endpoint) == first


@pytest.mark.parametrize("from_log", [True, False], ids=["from-audit-log", "from-record"])
def test_resume_recreates_the_endpoint_from_its_config_with_its_tags(
    world, enforcer, endpoint, from_log
):
    undo = enforcer.decommission(endpoint)

    enforcer.resume(endpoint, ActionKind.DECOMMISSION, undo if from_log else {})

    sm = world.client("sagemaker")
    recreated = sm.describe_endpoint(EndpointName="ranker")
    tags = sm.list_tags(ResourceArn=recreated["EndpointArn"])["Tags"]
    assert recreated["EndpointConfigName"] == "ranker-config"
    assert {t["Key"]: t["Value"] for t in tags} == TAGS
    assert RECORD not in config_tags(world)


def test_resuming_twice_keeps_one_endpoint(world, enforcer, endpoint):
    undo = enforcer.decommission(endpoint)
    enforcer.resume(endpoint, ActionKind.DECOMMISSION, undo)

    enforcer.resume(endpoint, ActionKind.DECOMMISSION, undo)
    enforcer.resume(endpoint, ActionKind.DECOMMISSION, {})

    assert endpoints(world) == ["ranker"]


def test_tags_that_only_aws_may_set_are_not_kept(world, enforcer):
    sm = world.client("sagemaker")
    world.make("aws.sagemaker.endpoint")
    arn = sm.describe_endpoint(EndpointName="ranker")["EndpointArn"]
    sm.add_tags(ResourceArn=arn, Tags=pairs({"aws:cloudformation:stack-name": "ml"}))

    undo = enforcer.decommission(world.ref("aws.sagemaker.endpoint", "ranker"))

    assert json.loads(undo["tags"]) == TAGS


def test_decommissioning_an_endpoint_that_never_existed_raises_resource_gone(world, enforcer):
    with pytest.raises(ResourceGone):
        enforcer.decommission(world.ref("aws.sagemaker.endpoint", "ghost"))


# moto deletes an endpoint at once; SageMaker keeps it `Deleting` for minutes. That state is
# played by a botocore Stubber on the adapter's own client, which checks each request exactly.

ARN = "arn:aws:sagemaker:us-east-1:123456789012:endpoint/ranker"
CONFIG_ARN = "arn:aws:sagemaker:us-east-1:123456789012:endpoint-config/ranker-config"


@pytest.fixture
def stubbed(world: World):
    from botocore.stub import Stubber

    from costplane.adapters.aws.clients import client

    with Stubber(client("sagemaker", world.region)) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


def deleting_endpoint(stubbed) -> None:
    stubbed.add_response(
        "describe_endpoint",
        {
            "EndpointName": "ranker",
            "EndpointArn": ARN,
            "EndpointConfigName": "ranker-config",
            "EndpointStatus": "Deleting",
            "CreationTime": "2026-11-27T10:00:00Z",
            "LastModifiedTime": "2026-11-27T12:00:00Z",
        },
        {"EndpointName": "ranker"},
    )


def test_an_endpoint_still_deleting_is_not_deleted_twice(world, enforcer, stubbed):
    deleting_endpoint(stubbed)
    stubbed.add_response("list_tags", {"Tags": pairs(TAGS)}, {"ResourceArn": ARN})
    stubbed.add_response(
        "describe_endpoint_config",
        {
            "EndpointConfigName": "ranker-config",
            "EndpointConfigArn": CONFIG_ARN,
            "ProductionVariants": [{"VariantName": "main", "ModelName": "ranker"}],
            "CreationTime": "2026-11-27T10:00:00Z",
        },
        {"EndpointConfigName": "ranker-config"},
    )
    stubbed.add_response("add_tags", {"Tags": []})

    undo = enforcer.decommission(world.ref("aws.sagemaker.endpoint", ARN))

    assert (undo["endpoint"], undo["config"]) == ("ranker", "ranker-config")


def test_a_resume_while_the_old_endpoint_is_deleting_fails_to_be_retried(world, enforcer, stubbed):
    stubbed.add_client_error(
        "create_endpoint",
        "ValidationException",
        f'Cannot create already existing endpoint "{ARN}".',
    )
    deleting_endpoint(stubbed)
    state = {"endpoint": "ranker", "config": "ranker-config", "tags": "{}"}

    with pytest.raises(stubbed.client.exceptions.ClientError, match="already existing"):
        enforcer.resume(world.ref("aws.sagemaker.endpoint", ARN), ActionKind.DECOMMISSION, state)
