"""The approvals Lambda behind a Function URL, invoked in-process as Lambda invokes it: real
Function URL events (base64 bodies included), requests in DynamoDB on the moto server, and an
approval that stops a real (moto) instance through the AWS enforcer."""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from types import ModuleType
from typing import Any, get_args

import orjson
import pytest

from costplane.adapters.approval_records import RecordApprovalStore
from costplane.adapters.aws import clients
from costplane.adapters.aws.dynamodb import DynamoDbRecords
from costplane.adapters.aws.enforcer import AwsEnforcer
from costplane.approvals.model import ApprovalStatus
from costplane.domain.action_params import RequestApprovalParams
from costplane.domain.decisions import ActionKind
from costplane.domain.events import Provider
from costplane.engine.ports import ResourceRef
from tests.functions.approvals.conftest import (
    OPERATOR,
    RESPONSE_URL,
    Apis,
    seed,
    signed_resume,
    signed_slack,
    signed_teams,
)
from tests.functions.aws.sam_template import resource
from tests.functions.aws.template_roles import as_function
from tests.integration.approvals.approvals_tables import create_approvals_table
from tests.integration.aws_adapters.conftest import World
from tests.support.aws_targets import RESOURCE_TYPES, make
from tests.support.modules import fresh_module

APP = Path(__file__).resolve().parents[3] / "functions" / "aws" / "approvals" / "app.py"
REGION = "us-east-1"
ACCOUNT = "123456789012"
AMI = "ami-12c6146b"  # one of moto's bundled images


@dataclass
class LambdaContext:
    function_name: str = "costplane-ApprovalsFunction"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = (
        f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:costplane-ApprovalsFunction"
    )
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def get_remaining_time_in_millis(self) -> int:
        return 25_000


def function_url_event(path: str, headers: dict[str, str], body: bytes, *, b64: bool = True):
    """A Lambda Function URL request (payload format 2.0) as Lambda delivers it."""
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {
            **headers,
            "host": "a1b2c3d4e5f6g7h8.lambda-url.us-east-1.on.aws",
            "x-forwarded-proto": "https",
            "x-forwarded-for": "3.3.3.3",
        },
        "requestContext": {
            "accountId": "anonymous",
            "apiId": "a1b2c3d4e5f6g7h8",
            "domainName": "a1b2c3d4e5f6g7h8.lambda-url.us-east-1.on.aws",
            "domainPrefix": "a1b2c3d4e5f6g7h8",
            "http": {
                "method": "POST",
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "3.3.3.3",
                "userAgent": headers.get("user-agent", "Microsoft-SkypeBotApi"),
            },
            "requestId": str(uuid.uuid4()),
            "routeKey": "$default",
            "stage": "$default",
            "time": "27/Nov/2026:12:00:00 +0000",
            "timeEpoch": 1764244800000,
        },
        "body": base64.b64encode(body).decode() if b64 else body.decode(),
        "isBase64Encoded": b64,
    }


class Stack:
    """The tables the function needs, in moto, and an EC2 instance to approve a stop of."""

    def __init__(self, endpoint: str) -> None:
        import boto3

        self.dynamodb = boto3.client("dynamodb", region_name=REGION, endpoint_url=endpoint)
        self.ec2 = boto3.client("ec2", region_name=REGION, endpoint_url=endpoint)
        for name in ("ClaimsTable", "DecisionsTable"):
            properties = resource(name)["Properties"]
            keys = ("AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes", "BillingMode")
            self.dynamodb.create_table(
                TableName=name, **{k: properties[k] for k in keys if k in properties}
            )
        table = create_approvals_table(endpoint, "ApprovalsTable")
        self.store = RecordApprovalStore(DynamoDbRecords(table))

    def instance(self) -> ResourceRef:
        reservation = self.ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1)
        return ResourceRef(
            provider=Provider.AWS,
            account=ACCOUNT,
            region=REGION,
            resource_id=reservation["Instances"][0]["InstanceId"],
            resource_type="aws.ec2.instance",
        )

    def state(self, ref: ResourceRef) -> str:
        found = self.ec2.describe_instances(InstanceIds=[ref.resource_id])
        return str(found["Reservations"][0]["Instances"][0]["State"]["Name"])

    def decisions(self) -> list[dict[str, Any]]:
        items = self.dynamodb.scan(TableName="DecisionsTable")["Items"]
        return sorted((orjson.loads(i["body"]["S"]) for i in items), key=lambda d: d["decision_id"])


@pytest.fixture
def stack(aws_env: str, apis: Apis, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Stack:
    clients.reset()
    for name, value in {
        "COSTPLANE_PLANE": "aws",
        "COSTPLANE_MODE": "enforce",
        "COSTPLANE_CLAIMS_TABLE": "ClaimsTable",
        "COSTPLANE_DECISIONS_TABLE": "DecisionsTable",
        "COSTPLANE_APPROVALS_TABLE": "ApprovalsTable",
        "COSTPLANE_LAKE": str(tmp_path),
        "POWERTOOLS_SERVICE_NAME": "approvals",
    }.items():
        monkeypatch.setenv(name, value)
    return Stack(aws_env)


@pytest.fixture
def app(stack: Stack) -> ModuleType:
    """app.py imported as a new module, as a new Lambda execution environment would."""
    return fresh_module(APP, "approvals_app")


def invoke(app: ModuleType, path: str, headers: dict, body: bytes, **kwargs) -> tuple[int, Any]:
    response = app.lambda_handler(
        function_url_event(path, headers, body, **kwargs), LambdaContext()
    )
    raw = response["body"]
    if response.get("isBase64Encoded"):
        raw = base64.b64decode(raw)
    return response["statusCode"], orjson.loads(raw)


@pytest.mark.parametrize("b64", [True, False], ids=["base64-body", "text-body"])
def test_a_signed_slack_approval_stops_the_instance_and_is_audited(app, stack, apis, b64):
    ref = stack.instance()
    request = seed(stack.store, ref)

    status, answer = invoke(app, "/slack", *signed_slack(request), b64=b64)

    assert (status, answer["status"], answer["acted"]) == (200, "approved", True)
    assert stack.state(ref) in ("stopping", "stopped")
    assert stack.store.get(request.id).status is ApprovalStatus.APPROVED
    audit, then = stack.decisions()
    assert (audit["decision_id"], audit["actor"]) == (f"{request.id}-approved", "U024BE7LH")
    assert [(a["kind"], a["status"]) for a in then["actions"]] == [("stop", "done")]
    [(method, url, body)] = apis.calls("hooks.slack.com")
    assert (method, url, body["replace_original"]) == ("POST", RESPONSE_URL, True)


def test_an_approval_in_a_dry_run_deployment_is_recorded_dry_and_stops_nothing(
    stack, apis, monkeypatch
):
    monkeypatch.setenv("COSTPLANE_MODE", "dry-run")
    app = fresh_module(APP, "approvals_app")
    ref = stack.instance()
    request = seed(stack.store, ref)

    status, answer = invoke(app, "/slack", *signed_slack(request))

    assert (status, answer["status"]) == (200, "approved")
    assert stack.state(ref) == "running"
    _, then = stack.decisions()
    assert (then["dry_run"], [a["status"] for a in then["actions"]]) == (True, ["dry-run"])


def test_a_forged_slack_click_is_401_and_the_instance_keeps_running(app, stack, apis):
    ref = stack.instance()
    request = seed(stack.store, ref)

    status, answer = invoke(app, "/slack", *signed_slack(request, secret=b"guessed"))

    assert (status, answer["error"]) == (401, "bad_signature")
    assert stack.state(ref) == "running"
    assert stack.store.get(request.id).status is ApprovalStatus.PENDING
    assert stack.decisions() == []


def test_a_slack_click_by_someone_else_is_403_and_nothing_acts(app, stack, apis):
    ref = stack.instance()
    request = seed(stack.store, ref)

    status, answer = invoke(app, "/slack", *signed_slack(request, user="U0INTRUDER"))

    assert (status, answer["error"]) == (403, "not_an_approver")
    assert stack.state(ref) == "running"
    assert stack.decisions() == []


def test_a_duplicated_slack_callback_acts_once(app, stack, apis):
    request = seed(stack.store, stack.instance())
    headers, body = signed_slack(request)
    invoke(app, "/slack", headers, body)

    status, answer = invoke(app, "/slack", headers, body)

    assert (status, answer["acted"]) == (200, False)
    assert answer["message"].startswith("already decided: approved by U024BE7LH")
    assert len(stack.decisions()) == 2


def test_a_teams_approval_answers_with_the_decided_card_and_replies_in_the_thread(app, stack, apis):
    ref = stack.instance()
    request = seed(stack.store, ref, channel="teams")

    status, answer = invoke(app, "/teams", *signed_teams(request))

    assert (status, answer["statusCode"]) == (200, 200)
    assert answer["type"] == "application/vnd.microsoft.card.adaptive"
    assert stack.state(ref) in ("stopping", "stopped")
    [(method, url, _)] = apis.calls("login.botframework.com")
    assert (method, url) == ("GET", "https://login.botframework.com/v1/.well-known/keys")
    [(_, reply_url, reply)] = apis.calls("smba.trafficmanager.net")
    assert reply_url.endswith("/activities/1767765488332")
    assert reply["text"].startswith("approved by c5e99701-2a32-49c1-a660-4629ceeb8c61 at ")


def test_a_teams_invoke_without_a_token_is_401(app, stack, apis):
    request = seed(stack.store, stack.instance(), channel="teams")
    _, body = signed_teams(request)

    status, answer = invoke(app, "/teams", {"content-type": "application/json"}, body)

    assert (status, answer["value"]["code"]) == (401, "missing_token")


def test_another_path_is_404(app, stack, apis):
    status, _ = invoke(app, "/github", {"content-type": "application/json"}, b"{}")
    assert status == 404


def test_the_expiry_sweep_applies_the_default_of_overdue_requests(app, stack, apis):
    ref = stack.instance()
    overdue = seed(stack.store, ref, on_expiry="approve", expires_in=-timedelta(seconds=1))
    waiting = seed(stack.store, stack.instance())

    result = app.lambda_handler({"costplane": "expire-approvals"}, LambdaContext())

    assert [e["request_id"] for e in result["expired"]] == [overdue.id]
    assert stack.state(ref) in ("stopping", "stopped")
    assert [r.id for r in stack.store.pending()] == [waiting.id]


def test_a_url_request_carrying_the_schedules_input_does_not_sweep(app, stack, apis):
    overdue = seed(stack.store, stack.instance(), on_expiry="approve", expires_in=-timedelta(1))
    body = orjson.dumps({"costplane": "expire-approvals"})

    status, _ = invoke(app, "/", {"content-type": "application/json"}, body)

    assert status == 404
    assert stack.store.get(overdue.id).status is ApprovalStatus.PENDING


def test_an_approved_stop_that_fails_answers_500_and_the_request_stays_pending(app, stack, apis):
    gone = stack.instance().model_copy(update={"resource_id": "i-0000000000000dead"})
    request = seed(stack.store, gone)

    status, answer = invoke(app, "/slack", *signed_slack(request))

    assert (status, answer["status"]) == (500, "pending")
    assert stack.store.get(request.id).status is ApprovalStatus.PENDING
    then = next(d for d in stack.decisions() if d["decision_id"] == f"{request.id}-then")
    assert [a["status"] for a in then["actions"]] == ["failed"]


def approved_suspend(app, stack: Stack):
    """A suspend of a running instance, approved in Slack: the instance is stopping."""
    ref = stack.instance()
    request = seed(stack.store, ref, then=ActionKind.SUSPEND)
    assert invoke(app, "/slack", *signed_slack(request))[0] == 200
    assert stack.state(ref) in ("stopping", "stopped")
    return ref, stack.store.get(request.id)


def test_the_resume_button_of_an_approved_suspend_starts_the_instance(app, stack, apis):
    ref, approved = approved_suspend(app, stack)

    status, answer = invoke(app, "/slack", *signed_slack(approved, "resume"))

    assert (status, answer["resumed"]) == (200, f"{approved.id}-then-resume")
    assert answer["asked_by"] == "U024BE7LH"
    assert stack.state(ref) in ("pending", "running")


def test_a_signed_resume_request_starts_the_instance_and_is_audited(app, stack, apis):
    ref, approved = approved_suspend(app, stack)

    status, answer = invoke(app, "/resume", *signed_resume(ref.resource_id))

    assert (status, answer["asked_by"]) == (200, OPERATOR)
    assert stack.state(ref) in ("pending", "running")
    record = next(d for d in stack.decisions() if d["source"] == "resume")
    assert (record["decision_id"], record["actor"]) == (f"{approved.id}-then-resume", OPERATOR)


def test_a_forged_resume_request_is_401_and_the_instance_stays_stopped(app, stack, apis):
    ref, _ = approved_suspend(app, stack)

    status, answer = invoke(app, "/resume", *signed_resume(ref.resource_id, secret=b"forged"))

    assert (status, answer["error"]) == (401, "bad_signature")
    assert stack.state(ref) in ("stopping", "stopped")
    assert not any(d["source"] == "resume" for d in stack.decisions())


# Under the template's role ------------------------------------------------------------------

THEN = [
    (kind, resource_type)
    for kind in (
        ActionKind(k) for k in get_args(RequestApprovalParams.model_fields["then"].annotation)
    )
    for resource_type in RESOURCE_TYPES
    if AwsEnforcer().supports(kind, resource_type)
]


@pytest.mark.parametrize(("kind", "resource_type"), THEN, ids=[f"{k.value}-{t}" for k, t in THEN])
def test_an_approved_action_runs_with_only_the_permissions_the_template_gives_the_function(
    stack, apis, aws_env, iam_session, kind, resource_type
):
    ref = make(World(aws_env, {}), resource_type)
    request = seed(stack.store, ref, then=kind)

    with as_function("ApprovalsFunction", aws_env, iam_session):
        status, answer = invoke(
            fresh_module(APP, "approvals_app"), "/slack", *signed_slack(request)
        )

    assert iam_session.denials == []
    assert (status, answer["acted"]) == (200, True)
    [then] = next(d for d in stack.decisions() if d["decision_id"] == f"{request.id}-then")[
        "actions"
    ]
    assert (then["kind"], then["status"], then["error"]) == (kind.value, "done", None)


RESUMABLE = [(k, t) for k, t in THEN if k in (ActionKind.SUSPEND, ActionKind.THROTTLE)]


@pytest.mark.parametrize(
    ("kind", "resource_type"), RESUMABLE, ids=[f"{k.value}-{t}" for k, t in RESUMABLE]
)
def test_a_resume_runs_with_only_the_permissions_the_template_gives_the_function(
    stack, apis, aws_env, iam_session, kind, resource_type
):
    ref = make(World(aws_env, {}), resource_type)
    request = seed(stack.store, ref, then=kind)

    with as_function("ApprovalsFunction", aws_env, iam_session):
        app = fresh_module(APP, "approvals_app")
        assert invoke(app, "/slack", *signed_slack(request))[0] == 200
        status, answer = invoke(app, "/resume", *signed_resume(ref.resource_id))

    assert iam_session.denials == []
    assert (status, answer["resumed"]) == (200, f"{request.id}-then-resume")
