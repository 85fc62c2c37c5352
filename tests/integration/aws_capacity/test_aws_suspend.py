"""AwsEnforcer.suspend stops instances and denies principals new spend; resume undoes both."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import pytest

from costplane.adapters.aws.capacity_iam import DENY_POLICY, SPEND_ACTIONS
from costplane.domain.decisions import ActionKind
from costplane.engine.ports import ResourceGone
from tests.integration.aws_capacity.conftest import AMI, World

RECORD = "costplane-suspended"
DENY_ARN = "arn:aws:iam::123456789012:policy/costplane/costplane-deny-spend"


# EC2 instances -------------------------------------------------------------------------------


def test_suspend_stops_a_running_instance_and_records_that_it_ran(world, enforcer):
    [instance] = world.run_instances(tags={"Team": "search"})

    undo = enforcer.suspend(world.ref("aws.ec2.instance", instance))

    assert undo == {"state": "running"}
    assert world.instance_state(instance) == "stopped"
    assert world.ec2_tags(instance) == {"Team": "search", RECORD: "state=running"}


def test_a_second_suspend_returns_running_not_stopped(world, enforcer):
    [instance] = world.run_instances()
    ref = world.ref("aws.ec2.instance", instance)
    enforcer.suspend(ref)

    assert enforcer.suspend(ref) == {"state": "running"}
    assert world.ec2_tags(instance)[RECORD] == "state=running"


@pytest.mark.parametrize("from_log", [True, False], ids=["from-audit-log", "from-record"])
def test_resume_starts_the_instance_and_drops_the_record(world, enforcer, from_log):
    [instance] = world.run_instances(tags={"Team": "search"})
    ref = world.ref("aws.ec2.instance", instance)
    undo = enforcer.suspend(ref)

    enforcer.resume(ref, ActionKind.SUSPEND, undo if from_log else {})

    assert world.instance_state(instance) == "running"
    assert world.ec2_tags(instance) == {"Team": "search"}


def test_an_instance_that_was_already_stopped_stays_stopped_on_resume(world, enforcer):
    [instance] = world.run_instances()
    world.client("ec2").stop_instances(InstanceIds=[instance])
    ref = world.ref("aws.ec2.instance", instance)

    undo = enforcer.suspend(ref)
    enforcer.resume(ref, ActionKind.SUSPEND, undo)

    assert undo == {"state": "stopped"}
    assert world.instance_state(instance) == "stopped"


def test_suspending_a_missing_instance_raises_resource_gone(world, enforcer):
    with pytest.raises(ResourceGone):
        enforcer.suspend(world.ref("aws.ec2.instance", "i-0123456789abcdef0"))


# IAM principals ------------------------------------------------------------------------------

_KINDS = {"aws.iam.role": "role", "aws.iam.user": "user"}


def make_principal(world: World, resource_type: str) -> str:
    iam = world.client("iam")
    if resource_type == "aws.iam.role":
        arn = world.role("trainer", "sagemaker.amazonaws.com")
        iam.tag_role(RoleName="trainer", Tags=[{"Key": "Team", "Value": "ml"}])
    else:
        arn = iam.create_user(UserName="trainer", Path="/people/")["User"]["Arn"]
        iam.tag_user(UserName="trainer", Tags=[{"Key": "Team", "Value": "ml"}])
    return str(arn)


def attached(world: World, resource_type: str) -> list[str]:
    noun = _KINDS[resource_type]
    found = getattr(world.client("iam"), f"list_attached_{noun}_policies")(
        **{f"{noun.title()}Name": "trainer"}
    )
    return [policy["PolicyArn"] for policy in found["AttachedPolicies"]]


def principal_tags(world: World, resource_type: str) -> dict[str, str]:
    noun = _KINDS[resource_type]
    found = getattr(world.client("iam"), f"list_{noun}_tags")(**{f"{noun.title()}Name": "trainer"})
    return {tag["Key"]: tag["Value"] for tag in found["Tags"]}


@pytest.fixture(params=sorted(_KINDS))
def principal(request: pytest.FixtureRequest, world: World) -> Any:
    arn = make_principal(world, request.param)
    return world.ref(request.param, arn)


def test_suspend_attaches_the_deny_spend_policy_and_returns_its_arn(world, enforcer, principal):
    undo = enforcer.suspend(principal)

    assert undo == {"policy": DENY_ARN}
    assert attached(world, principal.resource_type) == [DENY_ARN]
    assert principal_tags(world, principal.resource_type) == {
        "Team": "ml",
        RECORD: f"policy={DENY_ARN}",
    }


def test_the_deny_policy_denies_the_spend_actions_on_every_resource(world, enforcer, principal):
    enforcer.suspend(principal)

    iam = world.client("iam")
    version = iam.get_policy(PolicyArn=DENY_ARN)["Policy"]["DefaultVersionId"]
    document = iam.get_policy_version(PolicyArn=DENY_ARN, VersionId=version)["PolicyVersion"]
    assert document["Document"] == DENY_POLICY
    assert {"ec2:RunInstances", "sagemaker:CreateEndpoint", "bedrock:InvokeModel"} <= set(
        SPEND_ACTIONS
    )
    assert not any(action.startswith("iam:") for action in SPEND_ACTIONS)


def test_suspending_twice_attaches_once_and_keeps_the_record(world, enforcer, principal):
    first = enforcer.suspend(principal)

    assert enforcer.suspend(principal) == first
    assert attached(world, principal.resource_type) == [DENY_ARN]


def test_suspending_a_second_principal_reuses_the_accounts_policy(world, enforcer, principal):
    world.client("iam").create_user(UserName="analyst")
    enforcer.suspend(principal)

    enforcer.suspend(world.ref("aws.iam.user", "analyst"))

    policies = world.client("iam").list_policies(Scope="Local", PathPrefix="/costplane/")
    assert [p["Arn"] for p in policies["Policies"]] == [DENY_ARN]


@pytest.mark.parametrize("from_log", [True, False], ids=["from-audit-log", "from-record"])
def test_resume_detaches_the_policy_and_drops_the_record(world, enforcer, principal, from_log):
    undo = enforcer.suspend(principal)

    enforcer.resume(principal, ActionKind.SUSPEND, undo if from_log else {})
    enforcer.resume(principal, ActionKind.SUSPEND, undo)

    assert attached(world, principal.resource_type) == []
    assert principal_tags(world, principal.resource_type) == {"Team": "ml"}


def test_suspending_a_missing_role_raises_resource_gone(world, enforcer):
    with pytest.raises(ResourceGone):
        enforcer.suspend(world.ref("aws.iam.role", "nobody"))


@contextmanager
def iam_enforced(endpoint: str) -> Iterator[None]:
    """Make the moto server evaluate IAM policies on every request inside the block."""

    def authorise_after(count: bytes) -> None:
        request = urllib.request.Request(
            f"{endpoint}/moto-api/reset-auth", data=count, headers={"Content-Type": "text/plain"}
        )
        urllib.request.urlopen(request).close()

    authorise_after(b"0")
    try:
        yield
    finally:
        authorise_after(b"inf")


def test_a_suspended_user_cannot_launch_an_instance_until_resumed(world, enforcer):
    iam = world.client("iam")
    iam.create_user(UserName="dev")
    iam.put_user_policy(
        UserName="dev",
        PolicyName="everything",
        PolicyDocument='{"Version":"2012-10-17","Statement":'
        '[{"Effect":"Allow","Action":"*","Resource":"*"}]}',
    )
    key = iam.create_access_key(UserName="dev")["AccessKey"]
    as_dev = boto3.client(
        "ec2",
        region_name=world.region,
        endpoint_url=world.endpoint,
        aws_access_key_id=key["AccessKeyId"],
        aws_secret_access_key=key["SecretAccessKey"],
    )

    def launch() -> str:
        try:
            as_dev.run_instances(ImageId=AMI, MinCount=1, MaxCount=1)
        except as_dev.exceptions.ClientError as exc:
            return str(exc.response["Error"]["Code"])
        return "launched"

    ref = world.ref("aws.iam.user", "dev")
    undo = enforcer.suspend(ref)
    with iam_enforced(world.endpoint):
        suspended = launch()
        as_dev.describe_instances()  # reading stays allowed
    enforcer.resume(ref, ActionKind.SUSPEND, undo)
    with iam_enforced(world.endpoint):
        resumed = launch()

    # moto answers AccessDenied where EC2 itself says UnauthorizedOperation
    assert (suspended, resumed) == ("AccessDenied", "launched")
