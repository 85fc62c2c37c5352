"""infra/aws/template.yaml: valid for CloudFormation and SAM, clean under checkov (or skipped
with a reason), and routing exactly the CloudTrail calls the AWS parser supports.

The linters live in their own virtualenvs (`make tools`); their tests skip when one is missing.
Nothing here touches the network: SAM telemetry is off and credentials are fake.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import orjson
import pytest

from costplane.adapters.aws.cloudtrail_resources import supported_calls
from tests.functions.aws.sam_template import TEMPLATE, of_type, resource

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


def test_the_cloudtrail_rule_routes_exactly_the_calls_the_parser_supports():
    detail = resource("CloudTrailRule")["Properties"]["EventPattern"]["detail"]

    routed = {
        (source, name)
        for branch in detail["$or"]
        for source in branch.get("eventSource", ["*"])
        for name in branch["eventName"]
    }

    assert routed == set(supported_calls())


def test_both_rules_deliver_to_the_queue_that_feeds_the_function():
    queue = {"Fn::GetAtt": "EnforcerQueue.Arn"}
    rules = of_type("AWS::Events::Rule")

    assert {name: [t["Arn"] for t in r["Properties"]["Targets"]] for name, r in rules.items()} == {
        "CloudTrailRule": [queue],
        "InstanceStateRule": [queue],
    }
    [source] = resource("TagEnforcerFunction")["Properties"]["Events"].values()
    assert source["Properties"]["Queue"] == queue
    assert source["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def test_the_queue_redrives_to_the_dead_letter_queue_whose_depth_raises_an_alarm():
    redrive = resource("EnforcerQueue")["Properties"]["RedrivePolicy"]
    alarm = resource("DeadLetterAlarm")["Properties"]

    assert redrive["deadLetterTargetArn"] == {"Fn::GetAtt": "EnforcerDeadLetterQueue.Arn"}
    assert alarm["Dimensions"] == [
        {"Name": "QueueName", "Value": {"Fn::GetAtt": "EnforcerDeadLetterQueue.QueueName"}}
    ]


def test_the_function_handler_and_the_costplane_layer_point_at_real_code():
    function = resource("TagEnforcerFunction")["Properties"]
    layer = resource("CostplaneLayer")["Properties"]
    code = TEMPLATE.parent / function["CodeUri"]
    module, _, handler = function["Handler"].partition(".")

    assert f"def {handler}(" in (code / f"{module}.py").read_text()
    assert (code / "requirements.txt").exists()
    assert (TEMPLATE.parent / layer["ContentUri"] / "costplane" / "bootstrap.py").exists()


def test_every_table_is_encrypted_and_recoverable():
    tables = of_type("AWS::DynamoDB::Table")

    assert set(tables) == {"ClaimsTable", "DecisionsTable", "IdempotencyTable"}
    for table in tables.values():
        properties = table["Properties"]
        assert properties["SSESpecification"]["SSEEnabled"] is True
        assert properties["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"]
