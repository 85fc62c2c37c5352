"""The AI usage pull function as Lambda runs it: an EventBridge Scheduler invocation, the
environment and role of the SAM template (IAM enforced on the moto server), the admin keys in
Secrets Manager, the vendors' APIs at the HTTP layer, the reports landing in the bill bucket."""

from __future__ import annotations

from datetime import UTC, datetime

import boto3
import orjson
import pytest

from tests.functions.aws.conftest import REGION, REPO, LambdaContext
from tests.functions.aws.sam_template import resource
from tests.functions.aws.template_roles import Deployment, as_function
from tests.integration.ai_vendors.pages import KEYS, Vendors
from tests.support.modules import fresh_module

APP = REPO / "functions" / "aws" / "ai_pull" / "app.py"
SCHEDULED = {"version": "0", "detail-type": "Scheduled Event", "source": "aws.scheduler"}
BUCKET = "bill-exports"
SECRET = "costplane/ai-admin-keys"
PARAMETERS = {
    "ExportBucketName": BUCKET,
    "AiAdminKeysSecretName": SECRET,
    "AiPullPrefix": "ai-usage/",
}


@pytest.fixture
def vendors(serve) -> Vendors:
    answering = Vendors()
    serve(answering)
    return answering


@pytest.fixture
def pull_env(aws_env, monkeypatch):
    """The function's environment as the template writes it, the bucket and secret created."""
    boto3.client("s3", region_name=REGION).create_bucket(Bucket=BUCKET)
    boto3.client("secretsmanager", region_name=REGION).create_secret(
        Name=SECRET, SecretString=orjson.dumps(KEYS).decode()
    )
    variables = resource("AiPullFunction")["Properties"]["Environment"]["Variables"]
    for name, value in variables.items():
        if isinstance(value, str):
            monkeypatch.setenv(name, value)
    assert variables["COSTPLANE_AI_ADMIN_KEYS_SECRET"] == {"Ref": "AiAdminKeysSecretName"}
    monkeypatch.setenv("COSTPLANE_AI_ADMIN_KEYS_SECRET", SECRET)
    monkeypatch.setenv("COSTPLANE_AI_PULL_LOCATION", f"s3://{BUCKET}/ai-usage/")
    monkeypatch.delenv("COSTPLANE_AI_ADMIN_KEYS", raising=False)
    return aws_env


def landed() -> dict[str, bytes]:
    s3 = boto3.client("s3", region_name=REGION)
    listed = s3.list_objects_v2(Bucket=BUCKET, Prefix="ai-usage/").get("Contents", [])
    return {o["Key"]: s3.get_object(Bucket=BUCKET, Key=o["Key"])["Body"].read() for o in listed}


def this_month() -> str:
    return f"{datetime.now(UTC):%Y-%m}"


def test_a_scheduled_pull_lands_each_report_with_only_the_template_roles_permissions(
    pull_env, vendors, iam_session
):
    with as_function("AiPullFunction", pull_env, iam_session, Deployment(PARAMETERS)):
        answer = fresh_module(APP).lambda_handler(SCHEDULED, LambdaContext())

    assert iam_session.denials == []
    assert answer["failed"] == {}
    month = this_month()
    objects = landed()
    for source, organisation in [
        ("openai-usage", "org-abc"),
        ("openai-costs", "org-abc"),
        ("anthropic-usage", "org-1"),
        ("anthropic-cost", "org-1"),
    ]:
        assert f"ai-usage/{source}/org={organisation}/{month}.json" in objects
    usage = orjson.loads(objects[f"ai-usage/openai-usage/org=org-abc/{month}.json"])
    assert [p["data"][0]["results"][0]["object"] for p in usage] == [
        f"organization.usage.{kind}.result"
        for kind in (
            "completions",
            "embeddings",
            "moderations",
            "images",
            "audio_speeches",
            "audio_transcriptions",
            "vector_stores",
            "code_interpreter_sessions",
        )
    ]


def test_a_refused_report_lands_nothing_and_the_others_still_land(pull_env, vendors):
    vendors.refuse.add("/v1/organizations/cost_report")

    answer = fresh_module(APP).lambda_handler(SCHEDULED, LambdaContext())

    month = this_month()
    failed = f"s3://{BUCKET}/ai-usage/anthropic-cost/org=org-1/{month}.json"
    assert "answered 401" in answer["failed"][failed]
    assert f"ai-usage/anthropic-cost/org=org-1/{month}.json" not in landed()
    assert f"ai-usage/anthropic-usage/org=org-1/{month}.json" in landed()


def test_a_rotated_key_is_used_at_the_next_run_of_a_warm_function(pull_env, vendors):
    app = fresh_module(APP)
    app.lambda_handler(SCHEDULED, LambdaContext())
    rotated = {**KEYS, "openai": {"org-abc": "sk-admin-rotated"}}
    boto3.client("secretsmanager", region_name=REGION).put_secret_value(
        SecretId=SECRET, SecretString=orjson.dumps(rotated).decode()
    )
    vendors.valid["openai"] = "sk-admin-rotated"

    answer = app.lambda_handler(SCHEDULED, LambdaContext())

    assert answer["failed"] == {}
