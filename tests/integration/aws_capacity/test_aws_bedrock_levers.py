"""Bedrock's levers: an inference profile denied to every principal (IAM on moto, read back
through IAM's policy reads), or deleted with a provisioned throughput (Bedrock's control
plane on tests.support.fake_bedrock, every request checked against the API's routes)."""

from __future__ import annotations

import orjson
import pytest

from costplane.adapters.aws.capacity_bedrock import INVOKE_ACTIONS, Irreversible
from costplane.domain.decisions import ActionKind
from costplane.domain.errors import ActionImpossible
from tests.support.aws_targets import SONNET, make
from tests.support.fake_bedrock import FAKE

PROFILE = "aws.bedrock.application-inference-profile"
THROUGHPUT = "aws.bedrock.provisioned-model"


def denied(world, role: str) -> list[tuple[list[str], str]]:
    """(actions, resource) of each Deny in the managed policies attached to `role`, as IAM
    holds them (moto has no policy simulator)."""
    iam = world.client("iam")
    found = []
    for policy in iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]:
        version = iam.get_policy(PolicyArn=policy["PolicyArn"])["Policy"]["DefaultVersionId"]
        document = iam.get_policy_version(PolicyArn=policy["PolicyArn"], VersionId=version)
        for statement in document["PolicyVersion"]["Document"]["Statement"]:
            if statement["Effect"] == "Deny":
                found.append((statement["Action"], statement["Resource"]))
    return found


@pytest.fixture
def invoker(world) -> str:
    """A role allowed to invoke any model, as an application would be."""
    arn = world.role("chat-app", "lambda.amazonaws.com")
    allow = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": list(INVOKE_ACTIONS), "Resource": "*"}],
    }
    world.client("iam").put_role_policy(
        RoleName="chat-app", PolicyName="invoke", PolicyDocument=orjson.dumps(allow).decode()
    )
    return arn


def attached(world, role: str) -> list[str]:
    found = world.client("iam").list_attached_role_policies(RoleName=role)
    return [p["PolicyName"] for p in found["AttachedPolicies"]]


def test_suspending_a_profile_denies_invoking_it_to_every_principal(world, enforcer, invoker):
    ref = make(world, PROFILE)
    world.client("iam").create_user(UserName="analyst")

    enforcer.suspend(ref)

    assert denied(world, "chat-app") == [(list(INVOKE_ACTIONS), ref.resource_id)]
    assert attached(world, "chat-app") == [f"costplane-deny-invoke-{ref.resource_id[-12:]}"]
    user = world.client("iam").list_attached_user_policies(UserName="analyst")
    assert len(user["AttachedPolicies"]) == 1


def test_service_linked_roles_are_left_alone(world, enforcer):
    ref = make(world, PROFILE)
    world.client("iam").create_service_linked_role(AWSServiceName="autoscaling.amazonaws.com")

    enforcer.suspend(ref)

    roles = world.client("iam").list_roles(PathPrefix="/aws-service-role/")["Roles"]
    assert [attached(world, role["RoleName"]) for role in roles] == [[]]


def test_a_repeated_suspension_attaches_nothing_twice(world, enforcer, invoker):
    ref = make(world, PROFILE)

    first = enforcer.suspend(ref)
    second = enforcer.suspend(ref)

    assert first == second
    assert len(attached(world, "chat-app")) == 1


def test_resume_detaches_and_deletes_the_deny(world, enforcer, invoker):
    ref = make(world, PROFILE)
    undo = enforcer.suspend(ref)

    enforcer.resume(ref, ActionKind.SUSPEND, undo)

    assert attached(world, "chat-app") == []
    assert world.client("iam").list_policies(PathPrefix="/costplane/")["Policies"] == []


def test_resume_without_the_audit_log_finds_the_deny_by_its_name(world, enforcer, invoker):
    ref = make(world, PROFILE)
    enforcer.suspend(ref)

    enforcer.resume(ref, ActionKind.SUSPEND, {})

    assert attached(world, "chat-app") == []


def test_decommission_deletes_the_profile_and_keeps_how_it_was(world, enforcer):
    ref = make(world, PROFILE)
    path = f"/inference-profiles/{ref.resource_id}"

    undo = enforcer.decommission(ref)

    assert FAKE.profiles == {}
    assert FAKE.sent("DELETE") == [("DELETE", path, None)]
    assert undo == {
        "inferenceProfileName": "search-claude",
        "inferenceProfileArn": ref.resource_id,
        "models": SONNET,
        "tags": '{"Team":"search"}',
    }


def test_decommission_deletes_a_throughput_without_commitment(world, enforcer):
    ref = make(world, THROUGHPUT)

    undo = enforcer.decommission(ref)

    assert FAKE.throughputs == {}
    assert FAKE.sent("DELETE") == [
        ("DELETE", f"/provisioned-model-throughput/{ref.resource_id}", None)
    ]
    assert (undo["provisionedModelName"], undo["modelUnits"]) == ("search-pt", "1")


def test_a_committed_throughput_is_not_deleted(world, enforcer):
    arn = FAKE.add_throughput("reserved", SONNET, 2, {}, commitment="SixMonths")
    ref = world.ref(THROUGHPUT, arn)

    with pytest.raises(ActionImpossible, match="SixMonths"):
        enforcer.decommission(ref)

    assert FAKE.sent("DELETE") == []


def test_decommissioning_what_is_gone_succeeds(world, enforcer):
    ref = make(world, PROFILE)
    enforcer.decommission(ref)

    assert enforcer.decommission(ref) == {"deleted": "already"}
    assert len(FAKE.sent("DELETE")) == 1


def test_resume_of_a_deletion_says_it_is_irreversible_and_how_it_was(world, enforcer):
    ref = make(world, PROFILE)
    undo = enforcer.decommission(ref)

    with pytest.raises(Irreversible, match="search-claude"):
        enforcer.resume(ref, ActionKind.DECOMMISSION, undo)


def test_tagging_a_profile_uses_bedrocks_own_tag_api(world, enforcer):
    ref = make(world, PROFILE)

    enforcer.tag(ref, {"CostCenter": "CC-1001"})

    assert FAKE.tags[ref.resource_id] == {"Team": "search", "CostCenter": "CC-1001"}
    assert FAKE.sent("POST")[-1] == (
        "POST",
        "/tagResource",
        {"resourceARN": ref.resource_id, "tags": [{"key": "CostCenter", "value": "CC-1001"}]},
    )
