"""A Bedrock application inference profile created in the account goes the way of every cloud
resource: its CreateInferenceProfile CloudTrail record reaches the policy runner on the AWS plane
(moto, Bedrock's control plane on tests.support.fake_bedrock), which checks its tags, names its
owner from them through the taxonomy, and acts: the profile is denied to the account's roles.

The record is the real SageMaker CreateEndpoint one with its call, request and response replaced
by CreateInferenceProfile's documented fields (no public Bedrock record of it was found).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml

from costplane.adapters.aws import clients
from costplane.bootstrap import policy_runner
from costplane.domain.decisions import ActionKind, ActionStatus, Outcome
from tests.conftest import EVENTS
from tests.functions.aws.conftest import Stack, eventbridge
from tests.integration.aws_adapters.conftest import ACCOUNT, REGION, World
from tests.support.aws_targets import SONNET
from tests.support.fake_bedrock import FAKE
from tests.support.placeholders import filled_bytes

POLICIES = [
    {
        "name": "inference-profile-without-project",
        "scope": {"resource_type": "aws.bedrock.application-inference-profile"},
        "conditions": [{"type": "tag-missing", "keys": ["Project"]}],
        "actions": [{"type": "suspend"}],
        "mode": "enforce",
    }
]


def create_inference_profile(arn: str, tags: dict[str, str]) -> dict[str, Any]:
    record = orjson.loads(
        filled_bytes(EVENTS / "aws" / "aws-cloudtrail-sagemaker-createendpoint-record.json")
    )
    record["userIdentity"]["accountId"] = record["recipientAccountId"] = ACCOUNT
    record["awsRegion"] = REGION
    record["eventTime"] = (datetime.now(UTC) - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    record |= {
        "eventSource": "bedrock.amazonaws.com",
        "eventName": "CreateInferenceProfile",
        "requestParameters": {
            "inferenceProfileName": "search-claude",
            "modelSource": {"copyFrom": SONNET},
            "tags": [{"key": k, "value": v} for k, v in tags.items()],
        },
        "responseElements": {"inferenceProfileArn": arn, "status": "ACTIVE"},
    }
    return record


@pytest.fixture
def runner(aws_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    clients.reset()
    stack = Stack(aws_env)
    policies = tmp_path / "policies.yaml"
    policies.write_text(yaml.safe_dump({"version": 1, "policies": POLICIES}))
    for name, value in {
        "COSTPLANE_CLAIMS_TABLE": stack.create("ClaimsTable"),
        "COSTPLANE_DECISIONS_TABLE": stack.create("DecisionsTable"),
        "COSTPLANE_APPROVALS_TABLE": stack.create("ApprovalsTable"),
        "COSTPLANE_TOPIC_ARN": stack.create("NotificationTopic"),
        "COSTPLANE_POLICIES": str(policies),
        "COSTPLANE_LAKE": str(tmp_path / "lake"),
        "COSTPLANE_MODE": "enforce",
    }.items():
        monkeypatch.setenv(name, value)
    yield policy_runner(plane="aws")
    clients.reset()


def test_an_untagged_profile_is_attributed_by_its_tags_and_denied(runner: Any, aws_env: str):
    world = World(aws_env, {})
    world.role("chat-app", "lambda.amazonaws.com")
    arn = FAKE.add_profile("search-claude", SONNET, {"Team": "search"})
    payload = orjson.dumps(eventbridge(create_inference_profile(arn, {"Team": "search"})))

    [decision] = runner.handle_payload(payload)

    assert (decision.outcome, decision.resource_id) == (Outcome.VIOLATION, arn)
    assert (decision.owner.team, decision.owner.source) == ("search", "tags")
    assert [(a.kind, a.status) for a in decision.actions] == [
        (ActionKind.SUSPEND, ActionStatus.DONE)
    ]
    attached = world.client("iam").list_attached_role_policies(RoleName="chat-app")
    [policy] = attached["AttachedPolicies"]
    assert policy["PolicyName"] == f"costplane-deny-invoke-{arn.rsplit('/', 1)[1]}"
    assert decision.actions[0].params["undo"] == {"policy": policy["PolicyArn"]}


def test_a_profile_with_its_project_tag_is_left_alone(runner: Any, aws_env: str):
    arn = FAKE.add_profile("search-claude", SONNET, {"Team": "search", "Project": "ranker"})
    tags = {"Team": "search", "Project": "ranker"}

    payload = orjson.dumps(eventbridge(create_inference_profile(arn, tags)))

    decisions = runner.handle_payload(payload)

    assert [(d.outcome, d.actions) for d in decisions] == [(Outcome.COMPLIANT, [])]
