"""cost_ingest on Lambda: the real handler, in-process, with the environment the SAM template
gives it, against S3 and Glue on the moto server; events shaped as S3 and EventBridge send them.

Every bill lands in the Glue + S3 Iceberg table that a catalog of the test's own reads back,
row for row and cent for cent with the source file's own totals.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import quote_plus

import boto3
import orjson
import pytest
from pyiceberg.catalog import Catalog, load_catalog

from costplane.adapters.aws import clients
from costplane.adapters.aws.enforcer import AwsEnforcer
from costplane.adapters.lake.forecast_table import FORECAST_TABLE
from costplane.billing.ingest import ObjectMissing
from costplane.domain.decisions import ActionKind
from costplane.domain.errors import DeliveryFailed
from tests.functions.aws.conftest import LambdaContext, catalog_io
from tests.functions.aws.conftest import Stack as Tables
from tests.functions.aws.sam_template import resource
from tests.functions.aws.template_roles import Deployment, as_function
from tests.functions.cost_ingest.conftest import (
    CUR_LEGACY,
    Totals,
    csv_totals,
    cur2_part,
    lake_totals,
)
from tests.integration.aws_adapters.conftest import World
from tests.support import aws_targets
from tests.support.modules import fresh_module
from tests.support.moto_iam import recording

REPO = Path(__file__).resolve().parents[3]
APP = REPO / "functions" / "aws" / "cost_ingest" / "app.py"
EXPORTS = "billing-exports"
LAKE = "costplane-lake"
REGION = "us-east-1"
CUR2 = "cur2/costplane-cur2"


@dataclass
class Stack:
    """The function as deployed with some parameter values, in moto; clients to inspect it."""

    app: ModuleType
    s3: Any
    catalog: Catalog
    tables: Tables

    def put(self, key: str, body: bytes) -> None:
        self.s3.put_object(Bucket=EXPORTS, Key=key, Body=body)

    def invoke(self, event: dict[str, Any]) -> list[dict[str, Any]]:
        outcomes: list[dict[str, Any]] = self.app.lambda_handler(event, LambdaContext())["outcomes"]
        return outcomes

    def lake(self) -> Totals:
        return lake_totals(self.catalog)

    def decisions(self) -> list[dict[str, Any]]:
        """The audit log as the decisions table holds it."""
        return self.tables.decisions()

    def snapshots(self) -> int:
        if not self.catalog.table_exists(("costplane", "focus")):
            return 0
        return len(self.catalog.load_table(("costplane", "focus")).snapshots())


CONDITIONS = {"HasBudgets": False, "PullsAiUsage": False, "HasOpenAi": False, "HasAnthropic": False}
"""The template's conditions as these tests deploy it (the bundled budgets, no AI usage pull)."""


def _resolve(value: Any, names: dict[str, str]) -> str | None:
    """A template value with the stack's parameters and resource names filled in; None for a
    value left out (AWS::NoValue)."""
    if isinstance(value, str):
        return value
    if "Fn::If" in value:
        condition, then, otherwise = value["Fn::If"]
        return _resolve(then if CONDITIONS[condition] else otherwise, names)
    if value.get("Ref") == "AWS::NoValue":
        return None
    if "Ref" in value:
        return names[value["Ref"]]
    return re.sub(r"\$\{([\w.]+)\}", lambda m: names[m.group(1)], value["Fn::Sub"])


@pytest.fixture
def deploy(aws_env: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[..., Stack]:
    """Deploy with these parameters: the buckets and Glue database the template creates (or
    expects), the function's environment from the template, app.py loaded afresh."""
    clients.reset()
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket=EXPORTS)
    s3.create_bucket(Bucket=LAKE)
    names = {"LakeBucket": LAKE, "LakeDatabase": "costplane", "LakeGlueDatabase": "costplane"}
    database = resource("LakeGlueDatabase")["Properties"]["DatabaseInput"]
    boto3.client("glue", region_name=REGION).create_database(
        DatabaseInput={key: _resolve(value, names) for key, value in database.items()}
    )

    tables = Tables(aws_env)
    for table in ("ClaimsTable", "DecisionsTable", "ApprovalsTable", "BudgetsTable"):
        names[table] = tables.create(table)
    names["NotificationTopic"] = tables.create("NotificationTopic")

    def stack(
        prefix: str = "cur2/",
        source: str = "aws-cur2",
        deliveries: str = "manifest",
        mode: str = "dry-run",
    ) -> Stack:
        io = catalog_io(aws_env)
        parameters = names | {
            "ExportBucketName": EXPORTS,
            "ExportPrefix": prefix,
            "ExportSource": source,
            "ExportDeliveries": deliveries,
            "Mode": mode,
        }
        variables = resource("CostIngestFunction")["Properties"]["Environment"]["Variables"]
        for name, value in variables.items():
            if (resolved := _resolve(value, parameters)) is not None:
                monkeypatch.setenv(name, resolved)
        # The endpoints of the moto server (in AWS: the defaults), and a download directory
        # per test instead of the template's /tmp/costplane-ingest.
        monkeypatch.setenv("COSTPLANE_CATALOG_PROPERTIES", orjson.dumps(io).decode())
        monkeypatch.setenv("COSTPLANE_INGEST_DIR", str(tmp_path / "ingest"))
        module = fresh_module(APP)
        catalog = load_catalog("check", type="glue", warehouse=f"s3://{LAKE}/warehouse", **io)
        return Stack(module, s3, catalog, tables)

    return stack


def s3_notification(key: str, bucket: str = EXPORTS) -> dict[str, Any]:
    """An S3 event notification as Lambda receives it: one record, the key URL-encoded."""
    return {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "awsRegion": REGION,
                "eventTime": "2026-11-27T06:00:00.000Z",
                "eventName": "ObjectCreated:Put",
                "userIdentity": {"principalId": "AWS:AIDAINPONIXQXHT3IKHL2"},
                "requestParameters": {"sourceIPAddress": "205.255.255.255"},
                "responseElements": {
                    "x-amz-request-id": "D82B88E5F771F645",
                    "x-amz-id-2": "vlR7PnpV2Ce81l0PRw6jlUpck7Jo5ZsQjryTjKlc5aLWGVHPZLj5NeC6qMa0e",
                },
                "s3": {
                    "s3SchemaVersion": "1.0",
                    "configurationId": "costplane-cost-ingest",
                    "bucket": {
                        "name": bucket,
                        "ownerIdentity": {"principalId": "A3I5XTEXAMAI3E"},
                        "arn": f"arn:aws:s3:::{bucket}",
                    },
                    "object": {
                        "key": quote_plus(key, safe="/"),
                        "size": 1305107,
                        "eTag": "b21b84d653bb07b05b1e6b33684dc11b",
                        "sequencer": "0C0F6F405D6ED209E1",
                    },
                },
            }
        ]
    }


def object_created(key: str, bucket: str = EXPORTS) -> dict[str, Any]:
    """An S3 `Object Created` event as EventBridge delivers it to the rule's target."""
    return {
        "version": "0",
        "id": "f5f1e65c-dc3a-93ca-6c1e-b1647eac7963",
        "detail-type": "Object Created",
        "source": "aws.s3",
        "account": "123456789012",
        "time": "2026-11-27T06:00:00Z",
        "region": REGION,
        "resources": [f"arn:aws:s3:::{bucket}"],
        "detail": {
            "version": "0",
            "bucket": {"name": bucket},
            "object": {
                "key": quote_plus(key, safe="/"),
                "size": 184662,
                "etag": "4e68adba0abe2dc8653dc3354e14c01d",
                "sequencer": "006408CAD69598B05E",
            },
            "request-id": "57H08PA84AB1JZW0",
            "requester": "billingreports.amazonaws.com",
            "source-ip-address": "34.252.34.74",
            "reason": "PutObject",
        },
    }


SCHEDULED = {
    "version": "0",
    "id": "d167b752-343a-4b28-afd6-d4de056319e8",
    "detail-type": "Scheduled Event",
    "source": "aws.events",
    "account": "123456789012",
    "time": "2026-11-27T06:00:00Z",
    "region": REGION,
    "resources": [f"arn:aws:events:{REGION}:123456789012:rule/costplane-Rescan"],
    "detail": {},
}


def manifest(*keys: str) -> bytes:
    """A Data Exports (CUR 2.0) Manifest.json: its dataFiles are full S3 URIs."""
    return orjson.dumps(
        {
            "executionId": "0a1b2c3d-4e5f-6789-abcd-ef0123456789",
            "exportArn": "arn:aws:bcm-data-exports:us-east-1:123456789012:export/costplane-cur2",
            "billingPeriod": {"start": "2023-11-01T00:00:00Z", "end": "2023-12-01T00:00:00Z"},
            "dataFiles": [f"s3://{EXPORTS}/{key}" for key in keys],
        }
    )


def test_a_cur_file_announced_by_s3_lands_every_row_and_cent_in_the_glue_table(deploy):
    stack = deploy(prefix="cur/", source="aws-cur", deliveries="files")
    key = "cur/costplane/20231101-20231201/costplane-00001.csv"
    stack.put(key, CUR_LEGACY.read_bytes())

    [outcome] = stack.invoke(s3_notification(key))

    source = csv_totals(CUR_LEGACY, "lineItem/UnblendedCost")
    assert (outcome["status"], outcome["uri"]) == ("ingested", f"s3://{EXPORTS}/{key}")
    assert stack.lake() == source
    assert outcome["report"]["files"][0]["path"] == f"s3://{EXPORTS}/{key}"
    assert [(t["rows"], Decimal(t["billed_cost"])) for t in outcome["report"]["totals"]] == [
        (source.rows, source.billed)
    ]


def test_a_second_delivery_of_the_same_object_is_unchanged_and_commits_nothing(deploy):
    stack = deploy(prefix="cur/", source="aws-cur", deliveries="files")
    key = "cur/costplane/20231101-20231201/costplane-00001.csv"
    stack.put(key, CUR_LEGACY.read_bytes())
    stack.invoke(s3_notification(key))

    [again] = stack.invoke(s3_notification(key))

    assert again["status"] == "unchanged"
    assert stack.snapshots() == 1
    assert stack.lake() == csv_totals(CUR_LEGACY, "lineItem/UnblendedCost")


def test_a_broken_bill_is_rejected_with_its_place_counted_and_not_retried(deploy, capsys):
    stack = deploy(prefix="cur/", source="aws-cur", deliveries="files")
    key = "cur/costplane/20231101-20231201/costplane-00001.csv"
    lines = CUR_LEGACY.read_text().splitlines()
    header = lines[0].split(",")
    cost = header.index("lineItem/UnblendedCost")
    broken = lines[3].split(",")
    broken[cost] = "twelve"
    stack.put(key, "\n".join([*lines[:3], ",".join(broken), *lines[4:]]).encode())

    [outcome] = stack.invoke(s3_notification(key))

    assert (outcome["status"], outcome["reason"]) == ("rejected", "bad_number")
    assert outcome["message"].startswith(f"s3://{EXPORTS}/{key}: row 3, column ")
    assert outcome["message"].endswith("nothing was committed")
    assert stack.lake() == Totals(0, 0)
    emitted = [
        orjson.loads(line) for line in capsys.readouterr().out.splitlines() if "_aws" in line
    ]
    assert [m["objects_rejected"] for m in emitted if "objects_rejected" in m] == [[1.0]]


def test_objects_that_are_not_bill_files_are_skipped_with_a_reason(deploy):
    stack = deploy(prefix="cur/", source="aws-cur", deliveries="files")
    stack.put("cur/costplane/20231101-20231201/costplane-Manifest.json", manifest())
    stack.put("elsewhere/report.csv", CUR_LEGACY.read_bytes())

    reasons = [
        stack.invoke(s3_notification(key))[0]["reason"]
        for key in (
            "cur/costplane/20231101-20231201/costplane-Manifest.json",
            "elsewhere/report.csv",
        )
    ]

    assert reasons == ["not_a_bill_file", "outside_exports"]
    assert stack.snapshots() == 0


def test_a_cur2_manifest_ingests_all_its_parts_as_one_delivery(deploy):
    stack = deploy()
    parts = [
        f"{CUR2}/data/BILLING_PERIOD=2023-11/costplane-cur2-0000{n}.snappy.parquet" for n in (1, 2)
    ]
    stack.put(parts[0], cur2_part(["1.25", "2.50"]))
    stack.put(parts[1], cur2_part(["0.0000001", "10"]))
    key = f"{CUR2}/metadata/BILLING_PERIOD=2023-11/costplane-cur2-Manifest.json"
    stack.put(key, manifest(*parts))

    part_outcomes = [stack.invoke(object_created(part))[0]["reason"] for part in parts]
    [outcome] = stack.invoke(object_created(key))

    assert part_outcomes == ["awaiting_manifest", "awaiting_manifest"]
    assert outcome["status"] == "ingested"
    assert [f["path"] for f in outcome["report"]["files"]] == [f"s3://{EXPORTS}/{p}" for p in parts]
    assert stack.snapshots() == 1
    assert stack.lake() == Totals(4, Decimal("13.7500001"))


def test_a_manifest_whose_part_is_not_delivered_yet_raises_for_a_retry(deploy):
    stack = deploy()
    part = f"{CUR2}/data/BILLING_PERIOD=2023-11/costplane-cur2-00001.snappy.parquet"
    key = f"{CUR2}/metadata/BILLING_PERIOD=2023-11/costplane-cur2-Manifest.json"
    stack.put(key, manifest(part))

    with pytest.raises(ObjectMissing, match="does not exist"):
        stack.invoke(object_created(key))

    stack.put(part, cur2_part(["3"]))
    assert stack.invoke(object_created(key))[0]["status"] == "ingested"


def test_the_schedule_ingests_what_no_event_brought_and_then_nothing(deploy):
    stack = deploy(prefix="cur/", source="aws-cur", deliveries="files")
    key = "cur/costplane/20231101-20231201/costplane-00001.csv"
    stack.put(key, CUR_LEGACY.read_bytes())
    stack.put("cur/costplane/20231101-20231201/costplane-Manifest.json", manifest())

    first = stack.app.lambda_handler(SCHEDULED, LambdaContext())
    second = stack.app.lambda_handler(SCHEDULED, LambdaContext())

    assert [(o["uri"], o["status"]) for o in first["outcomes"]] == [
        (f"s3://{EXPORTS}/{key}", "ingested")
    ]
    assert (second["outcomes"], second["up_to_date"]) == ([], 1)
    assert stack.lake() == csv_totals(CUR_LEGACY, "lineItem/UnblendedCost")


def test_the_schedule_never_brings_back_a_delivery_a_newer_one_replaced(deploy):
    stack = deploy(prefix="cur2/", source="aws-cur2", deliveries="files")
    older, newer = (f"cur2/november-{n}.parquet" for n in ("run1", "run2"))
    stack.put(older, cur2_part(["1", "2"]))
    stack.invoke(object_created(older))
    stack.put(newer, cur2_part(["5"]))
    stack.invoke(object_created(newer))

    rescan = stack.app.lambda_handler(SCHEDULED, LambdaContext())

    assert (rescan["outcomes"], rescan["up_to_date"]) == ([], 2)
    assert stack.lake() == Totals(1, Decimal(5))


def test_a_rescan_reports_every_delivery_and_raises_when_one_failed(deploy):
    stack = deploy()
    good = f"{CUR2}/data/BILLING_PERIOD=2023-10/costplane-cur2-00001.snappy.parquet"
    stack.put(good, cur2_part(["7"], period="2023-10"))
    stack.put(
        f"{CUR2}/metadata/BILLING_PERIOD=2023-10/costplane-cur2-Manifest.json", manifest(good)
    )
    missing = f"{CUR2}/data/BILLING_PERIOD=2023-11/costplane-cur2-00001.snappy.parquet"
    stack.put(
        f"{CUR2}/metadata/BILLING_PERIOD=2023-11/costplane-cur2-Manifest.json", manifest(missing)
    )

    with pytest.raises(DeliveryFailed, match=r"2023-11.*does not exist"):
        stack.app.lambda_handler(SCHEDULED, LambdaContext())

    assert stack.lake() == Totals(1, Decimal(7))


def test_the_schedule_puts_back_a_newer_delivery_when_it_brings_in_an_older_one(deploy):
    stack = deploy(prefix="cur2/", source="aws-cur2", deliveries="files")
    older, newer = (f"cur2/november-{n}.parquet" for n in ("run1", "run2"))
    stack.put(older, cur2_part(["1", "2"]))  # its event never arrived
    stack.put(newer, cur2_part(["5"]))
    stack.invoke(object_created(newer))

    rescan = stack.app.lambda_handler(SCHEDULED, LambdaContext())

    assert [(o["uri"], o["status"]) for o in rescan["outcomes"]] == [
        (f"s3://{EXPORTS}/{older}", "ingested"),
        (f"s3://{EXPORTS}/{newer}", "ingested"),
    ]
    assert stack.lake() == Totals(1, Decimal(5))


def test_a_bill_the_lake_holds_under_another_export_is_rejected_not_doubled(deploy):
    key = "costplane/20231101-20231201/costplane-00001.csv"
    cur = deploy(prefix="cur/", source="aws-cur", deliveries="files")
    cur.put(f"cur/{key}", CUR_LEGACY.read_bytes())
    cur.invoke(s3_notification(f"cur/{key}"))
    copied = deploy(prefix="copy/", source="aws-cur2", deliveries="files")
    copied.put(f"copy/{key}", CUR_LEGACY.read_bytes())

    [outcome] = copied.invoke(s3_notification(f"copy/{key}"))

    assert (outcome["status"], outcome["reason"]) == ("rejected", "file_under_another_source")
    assert "already in the lake as source aws-cur" in outcome["message"]
    assert copied.lake() == csv_totals(CUR_LEGACY, "lineItem/UnblendedCost")
    assert copied.snapshots() == 1


def test_a_header_only_bill_is_skipped_as_empty(deploy):
    stack = deploy(prefix="cur/", source="aws-cur", deliveries="files")
    key = "cur/costplane/20231101-20231201/costplane-00001.csv"
    stack.put(key, CUR_LEGACY.read_text().splitlines()[0].encode() + b"\n")

    [outcome] = stack.invoke(s3_notification(key))

    assert (outcome["status"], outcome["reason"]) == ("skipped", "empty_delivery")
    assert stack.snapshots() == 0


def test_an_ingest_writes_the_budget_forecasts_into_the_glue_lake(deploy):
    stack = deploy(prefix="cur/", source="aws-cur", deliveries="files")
    key = "cur/costplane/20231101-20231201/costplane-00001.csv"
    stack.put(key, CUR_LEGACY.read_bytes())

    stack.invoke(s3_notification(key))

    assert stack.catalog.table_exists(("costplane", FORECAST_TABLE))


# Under the template's role ------------------------------------------------------------------


@pytest.mark.parametrize("trigger", ["s3-notification", "schedule"])
def test_a_bill_lands_in_the_lake_with_only_the_template_roles_permissions(
    deploy, aws_env, iam_session, trigger
):
    key = "cur/costplane/20231101-20231201/costplane-00001.csv"
    boto3.client("s3", region_name=REGION).put_object(
        Bucket=EXPORTS, Key=key, Body=CUR_LEGACY.read_bytes()
    )
    deployed = Deployment(
        {"ExportBucketName": EXPORTS, "ExportPrefix": "cur/", "ExportSource": "aws-cur"},
        {"LakeBucket": LAKE},
    )

    with as_function("CostIngestFunction", aws_env, iam_session, deployed):
        stack = deploy(prefix="cur/", source="aws-cur", deliveries="files")
        event = s3_notification(key) if trigger == "s3-notification" else SCHEDULED
        outcomes = stack.app.lambda_handler(event, LambdaContext())["outcomes"]

    assert iam_session.denials == []
    assert [o["status"] for o in outcomes] == ["ingested"]
    assert stack.lake() == csv_totals(CUR_LEGACY, "lineItem/UnblendedCost")


# AI budgets' levers after a landing -----------------------------------------------------------

CHAT_APP = "chat-app"
AI_BUDGETS = {
    "version": 1,
    "budgets": [
        {
            "name": "bedrock-chat",
            "scope": {"provider": "aws", "model": "claude-*"},
            "unit": "tokens",
            "amount": 1_000_000,
            "targets": [
                {
                    "provider": "aws",
                    "account": "123456789012",
                    "resource_type": "aws.iam.role",
                    "resource_id": CHAT_APP,
                }
            ],
            "thresholds": [{"percent": 100, "action": "suspend", "basis": "actual"}],
        }
    ],
}
BEDROCK_TOKENS = {
    "line_item_product_code": "AmazonBedrock",
    "line_item_usage_type": "USE1-Claude4.6Sonnet-input-tokens",
    "line_item_usage_amount": "2000",  # thousands of tokens: 2M, twice the budget
    "pricing_unit": "1K tokens",
    "product_region_code": "us-east-1",
}
LEVER = "budget-bedrock-chat-actual-100"


@pytest.fixture
def ai_budget(aws_env: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """The budgets file with a Bedrock principal as target, that principal in IAM, and the
    AWS plane's clock in the usage's month; the key of a CUR 2.0 part of Bedrock tokens."""
    from costplane.adapters.local.plane import PinnedClock
    from costplane.planes import aws as aws_plane

    budgets = tmp_path / "budgets.json"
    budgets.write_bytes(orjson.dumps(AI_BUDGETS))
    monkeypatch.setenv("COSTPLANE_BUDGETS", str(budgets))
    in_the_usage_month = PinnedClock(datetime(2023, 11, 20, 22, tzinfo=UTC))
    monkeypatch.setattr(aws_plane, "SystemClock", lambda: in_the_usage_month)
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    boto3.client("iam", region_name=REGION).create_role(
        RoleName=CHAT_APP, AssumeRolePolicyDocument=orjson.dumps(trust).decode()
    )
    key = "cur2/bedrock-2023-11.parquet"
    part = cur2_part(["6"], **BEDROCK_TOKENS)
    boto3.client("s3", region_name=REGION).put_object(Bucket=EXPORTS, Key=key, Body=part)
    return key


def attached(role: str) -> list[str]:
    found = boto3.client("iam", region_name=REGION).list_attached_role_policies(RoleName=role)
    return [p["PolicyName"] for p in found["AttachedPolicies"]]


def test_landed_bedrock_usage_over_an_ai_budget_denies_its_principal_under_the_template_role(
    deploy, aws_env, iam_session, ai_budget
):
    deployed = Deployment(
        {"ExportBucketName": EXPORTS, "ExportPrefix": "cur2/", "Mode": "enforce"},
        {"LakeBucket": LAKE},
    )

    with as_function("CostIngestFunction", aws_env, iam_session, deployed):
        stack = deploy(deliveries="files", mode="enforce")
        [outcome] = stack.invoke(object_created(ai_budget))

    assert iam_session.denials == []
    assert outcome["status"] == "ingested"
    assert attached(CHAT_APP) == ["costplane-deny-spend"]
    [acted] = [d for d in stack.decisions() if d["policy"] == LEVER]
    assert acted["resource_id"] == CHAT_APP
    assert [(a["kind"], a["status"]) for a in acted["actions"]] == [("suspend", "done")]
    assert acted["actions"][0]["params"]["undo"]


def test_the_same_budget_under_a_dry_run_deployment_acts_on_nothing_and_says_so(deploy, ai_budget):
    stack = deploy(deliveries="files", mode="dry-run")

    [outcome] = stack.invoke(object_created(ai_budget))

    assert outcome["status"] == "ingested"
    assert attached(CHAT_APP) == []
    [decided] = [d for d in stack.decisions() if d["policy"] == LEVER]
    assert [(a["kind"], a["status"]) for a in decided["actions"]] == [("suspend", "dry-run")]


AI_TYPES = ("aws.iam.role", "aws.iam.user", "aws.bedrock.")
AI_LEVERS = [
    (kind, resource_type)
    for kind in (ActionKind.SUSPEND, ActionKind.DECOMMISSION)
    for resource_type in aws_targets.RESOURCE_TYPES
    if resource_type.startswith(AI_TYPES) and AwsEnforcer().supports(kind, resource_type)
]


def role_allows(function: str) -> set[str]:
    """Every action an Allow statement of `function`'s role names (whatever its resources)."""
    allowed: set[str] = set()
    for policy in Deployment().role_policies(function).values():
        for statement in policy["Statement"]:
            if statement["Effect"] == "Allow":
                named = statement["Action"]
                allowed |= {named} if isinstance(named, str) else set(named)
    return allowed


@pytest.mark.parametrize(
    ("kind", "resource_type"), AI_LEVERS, ids=[f"{k}-{t}" for k, t in AI_LEVERS]
)
def test_every_ai_lever_on_aws_runs_under_the_template_role(
    aws_env, iam_session, kind, resource_type
):
    """Also the Bedrock control plane, which moto does not serve: its calls (to
    tests.support.fake_bedrock, where IAM is not enforced) are each granted by the role."""
    ref = aws_targets.make(World(aws_env, {}), resource_type)

    with as_function("CostIngestFunction", aws_env, iam_session):
        for _ in range(2):
            aws_targets.act(AwsEnforcer(), kind, ref)

    assert iam_session.denials == []
    assert iam_session.actions() - role_allows("CostIngestFunction") == set()


def test_the_role_grants_the_iam_and_bedrock_calls_of_the_ai_levers_and_no_others(
    aws_env, iam_session
):
    """The other direction: no IAM or Bedrock action the levers never call (no detach, no
    restore: undoing is the resume service's, under its own role)."""
    world = World(aws_env, {})
    for kind, resource_type in AI_LEVERS:
        world.reset()
        ref = aws_targets.make(world, resource_type)
        with recording(iam_session):
            for _ in range(2):
                aws_targets.act(AwsEnforcer(), kind, ref)

    granted = {a for a in role_allows("CostIngestFunction") if a.startswith(("iam:", "bedrock:"))}
    assert iam_session.actions() == granted
