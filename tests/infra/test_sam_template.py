"""infra/aws/template.yaml: valid for CloudFormation and SAM, clean under checkov (or skipped
with a reason), and routing exactly the CloudTrail calls the AWS parser supports.

The linters live in their own virtualenvs (`make tools`); their tests skip when one is missing.
Nothing here touches the network: SAM telemetry is off and credentials are fake.
"""

from __future__ import annotations

import ast
import os
import subprocess
from pathlib import Path

import orjson
import pytest

import costplane.adapters.aws.cloudtrail_services  # noqa: F401 (registers the services' calls)
from costplane.adapters.aws.cloudtrail_resources import supported_calls
from costplane.config import ApprovalSettings
from tests.functions.aws.sam_template import TEMPLATE, of_type, resource, template
from tests.infra.test_terraform_gcp import environment_names

REPO = TEMPLATE.parents[2]
TOOLS = REPO / ".venv-tools"
OFFLINE = {
    "SAM_CLI_TELEMETRY": "0",
    "BC_SKIP_MAPPING": "TRUE",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
}


def tool(venv: str, name: str) -> Path:
    path = TOOLS / venv / "bin" / name
    if not path.exists():
        pytest.skip(f"{path.relative_to(REPO)} is not installed; run `make tools`")
    return path


def run(*command: str | Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **OFFLINE}
    env.pop("AWS_ENDPOINT_URL", None)
    return subprocess.run(
        [str(part) for part in command],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.infra
def test_cfn_lint_passes():
    result = run(tool("sam", "cfn-lint"), TEMPLATE)

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.infra
def test_sam_validate_with_lint_passes():
    result = run(tool("sam", "sam"), "validate", "--lint", "--template-file", TEMPLATE)

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.infra
def test_checkov_finds_nothing_that_is_not_skipped_with_a_reason():
    checkov = tool("checkov", "checkov")
    result = run(
        checkov, "-f", TEMPLATE, "--framework", "cloudformation", "--skip-download", "-o", "json"
    )

    report = orjson.loads(result.stdout)["results"]
    failed = [(c["check_id"], c["resource"]) for c in report["failed_checks"]]
    assert failed == [], result.stdout
    unexplained = [
        c["check_id"]
        for c in report["skipped_checks"]
        if not c["check_result"].get("suppress_comment")
    ]
    assert unexplained == []


def test_the_cloudtrail_rules_route_exactly_the_calls_the_parser_supports():
    rules = ("CloudTrailRule", "ServiceCallsRule")
    branches = [
        branch
        for rule in rules
        for branch in resource(rule)["Properties"]["EventPattern"]["detail"]["$or"]
    ]

    routed = {
        (source, name)
        for branch in branches
        for source in branch.get("eventSource", ["*"])
        for name in branch["eventName"]
    }

    assert routed == set(supported_calls())


@pytest.mark.parametrize(
    ("function", "queue"),
    [("TagEnforcerFunction", "EnforcerQueue"), ("PolicyRunnerFunction", "PolicyRunnerQueue")],
)
def test_both_rules_deliver_to_the_queue_that_feeds_each_function(function, queue):
    arn = {"Fn::GetAtt": f"{queue}.Arn"}
    rules = of_type("AWS::Events::Rule")

    for name in ("CloudTrailRule", "InstanceStateRule"):
        assert arn in [t["Arn"] for t in rules[name]["Properties"]["Targets"]]
    sources = resource(function)["Properties"]["Events"].values()
    [source] = [s for s in sources if s["Type"] == "SQS"]
    assert source["Properties"]["Queue"] == arn
    assert source["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def test_aws_budgets_alerts_reach_the_policy_runner():
    [source] = resource("PolicyRunnerBudgetsFunction")["Properties"]["Events"].values()
    assert source["Type"] == "SNS"
    assert source["Properties"]["Topic"] == {"Ref": "BudgetsTopic"}


def test_the_queue_redrives_to_the_dead_letter_queue_whose_depth_raises_an_alarm():
    redrive = resource("EnforcerQueue")["Properties"]["RedrivePolicy"]
    alarm = resource("DeadLetterAlarm")["Properties"]

    assert redrive["deadLetterTargetArn"] == {"Fn::GetAtt": "EnforcerDeadLetterQueue.Arn"}
    assert alarm["Dimensions"] == [
        {"Name": "QueueName", "Value": {"Fn::GetAtt": "EnforcerDeadLetterQueue.QueueName"}}
    ]


def top_level_names(module: Path) -> set[str]:
    """What a module defines or assigns at its top level (the handlers Lambda can call)."""
    tree = ast.parse(module.read_text())
    names = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    for node in tree.body:
        if isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def test_the_function_handler_and_the_costplane_layer_point_at_real_code():
    function = resource("TagEnforcerFunction")["Properties"]
    layer = resource("CostplaneLayer")["Properties"]
    code = TEMPLATE.parent / function["CodeUri"]
    module, _, handler = function["Handler"].partition(".")

    assert handler in top_level_names(code / f"{module}.py")
    assert (code / "requirements.txt").exists()
    package = TEMPLATE.parent / layer["ContentUri"] / "costplane"
    assert (package / "bootstrap.py").exists()


def test_every_table_is_encrypted_and_recoverable():
    tables = of_type("AWS::DynamoDB::Table")

    assert set(tables) == {
        "ClaimsTable",
        "DecisionsTable",
        "IdempotencyTable",
        "ApprovalsTable",
        "BudgetsTable",
        "AdmissionTable",
    }
    for table in tables.values():
        properties = table["Properties"]
        assert properties["SSESpecification"]["SSEEnabled"] is True
        assert properties["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"]


COST_INGEST = (
    "CostIngestFunction",
    "CostIngestLogGroup",
    "IngestDeadLetterQueue",
    "IngestDeadLetterQueuePolicy",
    "IngestDeadLetterAlarm",
    "RejectedBillAlarm",
    "LakeBucket",
    "LakeBucketPolicy",
    "LakeGlueDatabase",
)


def test_cost_ingest_is_deployed_only_when_an_export_bucket_is_given():
    conditions = {name: resource(name).get("Condition") for name in COST_INGEST}

    assert set(conditions.values()) == {"IngestsBills"}


def test_the_cost_ingest_image_runs_the_handler_it_names():
    function = resource("CostIngestFunction")
    context = TEMPLATE.parent / function["Metadata"]["DockerContext"]
    dockerfile = (context / function["Metadata"]["Dockerfile"]).read_text()
    [command] = [line for line in dockerfile.splitlines() if line.startswith("CMD ")]
    module, _, handler = orjson.loads(command.removeprefix("CMD "))[0].partition(".")

    assert function["Properties"]["PackageType"] == "Image"
    assert f"def {handler}(" in (context / "functions/aws/cost_ingest" / f"{module}.py").read_text()
    for copied in ("functions/aws/cost_ingest/requirements.txt", "shared/costplane"):
        assert f"COPY {copied} " in dockerfile
        assert (context / copied).exists()


def test_cost_ingest_hears_of_export_objects_and_rescans_on_a_schedule():
    events = resource("CostIngestFunction")["Properties"]["Events"]
    pattern = events["ExportDelivered"]["Properties"]["Pattern"]

    assert (events["ExportDelivered"]["Type"], events["Rescan"]["Type"]) == (
        "EventBridgeRule",
        "Schedule",
    )
    assert pattern == {
        "source": ["aws.s3"],
        "detail-type": ["Object Created"],
        "detail": {
            "bucket": {"name": [{"Ref": "ExportBucketName"}]},
            "object": {
                "key": {
                    "Fn::If": [
                        "PullsAiUsage",
                        [{"prefix": {"Ref": "ExportPrefix"}}, {"prefix": {"Ref": "AiPullPrefix"}}],
                        [{"prefix": {"Ref": "ExportPrefix"}}],
                    ]
                }
            },
        },
    }
    assert events["Rescan"]["Properties"]["Schedule"] == {"Ref": "IngestSchedule"}


def test_cost_ingest_failures_end_in_a_dead_letter_queue_whose_depth_raises_an_alarm():
    function = resource("CostIngestFunction")["Properties"]
    queue = {"Fn::GetAtt": "IngestDeadLetterQueue.Arn"}
    alarm = resource("IngestDeadLetterAlarm")["Properties"]

    assert function["DeadLetterQueue"] == {"Type": "SQS", "TargetArn": queue}
    assert function["Events"]["ExportDelivered"]["Properties"]["DeadLetterConfig"] == {"Arn": queue}
    assert alarm["Dimensions"][0]["Value"] == {"Fn::GetAtt": "IngestDeadLetterQueue.QueueName"}


def test_cost_ingest_may_read_only_the_export_and_write_only_the_lake():
    [policy] = resource("CostIngestFunction")["Properties"]["Policies"]
    grants = {s["Sid"]: (s["Action"], s["Resource"]) for s in policy["Statement"]}
    database = "${AWS::AccountId}:database/${LakeGlueDatabase}"

    assert grants["ReadTheExport"] == (
        "s3:GetObject",
        [
            {"Fn::Sub": "arn:${AWS::Partition}:s3:::${ExportBucketName}/${ExportPrefix}*"},
            {
                "Fn::If": [
                    "PullsAiUsage",
                    {"Fn::Sub": "arn:${AWS::Partition}:s3:::${ExportBucketName}/${AiPullPrefix}*"},
                    {"Ref": "AWS::NoValue"},
                ]
            },
        ],
    )
    assert grants["ReadAndWriteTheWarehouse"][1] == {"Fn::Sub": "${LakeBucket.Arn}/warehouse/*"}
    assert "s3:DeleteBucket" not in str(grants)
    assert all(
        database in r["Fn::Sub"]
        or r["Fn::Sub"].endswith(":catalog")
        or "table/${LakeGlueDatabase}/*" in r["Fn::Sub"]
        for r in grants["ReadAndUpdateTheLakeTables"][1]
    )
    assert all(not str(action).endswith("*") for action, _ in grants.values())


def test_the_lake_bucket_is_private_encrypted_and_outlives_the_stack():
    bucket = resource("LakeBucket")
    properties = bucket["Properties"]
    encryption = properties["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]

    assert (bucket["DeletionPolicy"], bucket["UpdateReplacePolicy"]) == ("Retain", "Retain")
    assert encryption["ServerSideEncryptionByDefault"]["KMSMasterKeyID"] == {
        "Fn::GetAtt": "DataKey.Arn"
    }
    assert set(properties["PublicAccessBlockConfiguration"].values()) == {True}


# ------------------------------------------------------------------------------------------
# approvals: Slack, Teams and resume secrets from Secrets Manager; the callbacks only when
# configured.

SECRETS = {
    "COSTPLANE_SLACK_SIGNING_SECRET": ("HasSlack", "SlackSecretName", "signing_secret"),
    "COSTPLANE_SLACK_BOT_TOKEN": ("HasSlack", "SlackSecretName", "bot_token"),
    "COSTPLANE_TEAMS_APP_PASSWORD": ("HasTeams", "TeamsSecretName", "app_password"),
    "COSTPLANE_RESUME_SIGNING_SECRET": ("HasResume", "ResumeSecretName", "signing_secret"),
}
POSTING = ("COSTPLANE_SLACK_BOT_TOKEN", "COSTPLANE_TEAMS_APP_PASSWORD")
POSTING_SETTINGS = (
    "COSTPLANE_SLACK_CHANNEL",
    "COSTPLANE_TEAMS_APP_ID",
    "COSTPLANE_TEAMS_SERVICE_URL",
    "COSTPLANE_TEAMS_CONVERSATION",
)


def environment(function: str) -> dict[str, object]:
    found: dict[str, object] = resource(function)["Properties"]["Environment"]["Variables"]
    return found


def from_secrets_manager(setting: str) -> dict[str, object]:
    condition, parameter, key = SECRETS[setting]
    reference = f"{{{{resolve:secretsmanager:${{{parameter}}}:SecretString:{key}}}}}"
    return {"Fn::If": [condition, {"Fn::Sub": reference}, {"Ref": "AWS::NoValue"}]}


def test_every_secret_setting_the_code_reads_has_a_secrets_manager_parameter():
    assert set(SECRETS) == environment_names(ApprovalSettings, secret=True)


@pytest.mark.parametrize("setting", list(SECRETS))
def test_the_approvals_function_reads_every_secret_from_secrets_manager(setting):
    assert environment("ApprovalsFunction")[setting] == from_secrets_manager(setting)


@pytest.mark.parametrize("setting", POSTING)
def test_the_policy_runner_reads_its_posting_secrets_from_secrets_manager(setting):
    assert environment("PolicyRunnerFunction")[setting] == from_secrets_manager(setting)


def test_the_policy_runner_knows_where_to_post_and_holds_no_verifying_secret():
    runner = environment("PolicyRunnerFunction")

    assert set(POSTING_SETTINGS) <= set(runner)
    assert "COSTPLANE_SLACK_SIGNING_SECRET" not in runner
    assert "COSTPLANE_RESUME_SIGNING_SECRET" not in runner


def test_no_function_holds_a_secret_as_a_plain_value():
    secret = environment_names(ApprovalSettings, secret=True)
    for name, function in of_type("AWS::Serverless::Function").items():
        variables = function["Properties"].get("Environment", {}).get("Variables", {})
        for setting in secret & set(variables):
            assert variables[setting] == from_secrets_manager(setting), (name, setting)


def test_the_callbacks_and_their_public_url_exist_only_when_a_callback_can_be_verified():
    conditions = template()["Conditions"]

    assert conditions["HasCallbacks"] == {
        "Fn::Or": [
            {"Fn::Condition": "HasSlack"},
            {"Fn::Condition": "HasTeams"},
            {"Fn::Condition": "HasResume"},
        ]
    }
    assert conditions["HasResume"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "ResumeSecretName"}, ""]}]
    }
    assert resource("ApprovalsFunction")["Condition"] == "HasCallbacks"
    assert resource("ApprovalsFunction")["Properties"]["FunctionUrlConfig"]["AuthType"] == "NONE"
    assert resource("ApprovalsLogGroup")["Condition"] == "HasCallbacks"
    assert template()["Outputs"]["ApprovalsUrl"]["Condition"] == "HasCallbacks"
    assert "ApprovalsTable" not in {
        name for name, body in template()["Resources"].items() if "Condition" in body
    }


def test_the_approvals_function_may_undo_what_it_may_do():
    statements = resource("ApprovalsFunction")["Properties"]["Policies"][0]["Statement"]
    granted = {
        action
        for statement in statements
        for action in (
            statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        )
    }

    for undo in ("ec2:StartInstances", "iam:DetachRolePolicy", "lambda:DeleteFunctionConcurrency"):
        assert undo in granted
    [detach] = [s for s in statements if "iam:DetachRolePolicy" in s["Action"]]
    assert "iam:PolicyARN" in detach["Condition"]["ArnEquals"]


# AI admission: a Function URL with IAM auth, its role limited to its own table.


def test_the_admission_function_url_takes_signed_calls_only():
    url = resource("AdmissionFunction")["Properties"]["FunctionUrlConfig"]

    assert url["AuthType"] == "AWS_IAM"


def test_the_admission_function_may_touch_its_own_table_and_nothing_else():
    properties = resource("AdmissionFunction")["Properties"]
    statements = properties["Policies"][0]["Statement"]
    [table] = [s for s in statements if s["Sid"] == "ReserveAndSettle"]

    assert properties["Environment"]["Variables"]["COSTPLANE_ADMISSION_TABLE"] == {
        "Ref": "AdmissionTable"
    }
    assert sorted(table["Action"]) == [
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:Query",
        "dynamodb:UpdateItem",
    ]
    assert table["Resource"] == [
        {"Fn::GetAtt": "AdmissionTable.Arn"},
        {"Fn::Sub": "${AdmissionTable.Arn}/index/reserved"},
    ]
    assert {s["Sid"] for s in statements} == {"ReserveAndSettle", "UseDataKey"}


def test_the_admission_table_has_the_index_the_ledger_queries():
    [index] = resource("AdmissionTable")["Properties"]["GlobalSecondaryIndexes"]

    assert index["IndexName"] == "reserved"
    assert [k["AttributeName"] for k in index["KeySchema"]] == ["queue", "expires"]
