"""Dry-run means dry: every entry point — each cloud's tag enforcer and policy runner, and the
CLI — run with the bundled example files (whose policies say `mode: enforce`) under a dry-run
deployment sends no mutating call to its cloud, and every decision it records says
`dry_run: true`.

Each test also runs under `enforce`, the control: the same inputs then decide for real, and on
AWS and GCP they reach the cloud, so an empty list of mutations in dry-run is not the witness
seeing nothing. (The bundled taxonomy has no Azure defaults, so on Azure an enforced sample
storage account is only read; the Azure function tests show the same fake seeing its writes.)
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import functions_framework
import orjson
import pytest
from typer.testing import CliRunner

from costplane import bootstrap
from costplane.adapters.aws import clients
from costplane.cli import app as cli
from costplane.domain.decisions import Decision
from tests.conftest import EVENTS
from tests.functions.aws.conftest import (
    LambdaContext,
    Stack,
    create_bucket_event,
    deploy_environment,
    eventbridge,
    run_instances_record,
    sqs_event,
    sqs_record,
)
from tests.functions.azure.test_azure_tag_enforcer_function import grid_event
from tests.functions.dry_run.conftest import aws_mutations, bundled_examples, http_mutations
from tests.functions.gcp.conftest import pubsub_push
from tests.support.modules import fresh_module
from tests.support.placeholders import filled_bytes
from tests.support.stores import sqlite_state

REPO = Path(__file__).resolve().parents[3]
AWS_FUNCTIONS = {
    "TagEnforcerFunction": REPO / "functions" / "aws" / "tag_enforcer" / "app.py",
    "PolicyRunnerFunction": REPO / "functions" / "aws" / "policy_runner" / "app.py",
}
GCP_FUNCTIONS = {
    "tag_enforcer_push": REPO / "functions" / "gcp" / "tag_enforcer" / "main.py",
    "policy_runner_push": REPO / "functions" / "gcp" / "policy_runner" / "main.py",
}
AZURE_BLUEPRINTS = ["blueprints.tag_enforcer", "blueprints.policy_runner"]
AZURE_RESOURCE_EVENTS = sorted(p.name for p in (EVENTS / "azure").glob("*eventgrid-resource*"))
GCP_AUDIT_LOGS = sorted((EVENTS / "gcp").glob("gcp-auditlog-*.json"))


def cloudtrail_events() -> Iterator[dict[str, Any]]:
    """Every whole CloudTrail record of events/aws (reduced samples without an eventTime are
    left out), in the envelope EventBridge delivers it in."""
    for path in sorted((EVENTS / "aws").glob("aws-cloudtrail-*.json")):
        document = orjson.loads(filled_bytes(path))
        if "detail" in document:
            yield document
        else:
            records = document.get("Records", [document])
            yield from (eventbridge(r) for r in records if "eventTime" in r)


def aws_decisions(stack: Stack) -> list[Decision]:
    return [Decision.model_validate(d) for d in stack.decisions()]


@pytest.fixture
def aws_function(
    aws_env: str, mode: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Callable[[str], tuple[ModuleType, Stack]]:
    """Deploy the template's function `logical_id` into moto: its environment as the template
    writes it (every referenced table and topic created), the bundled examples, `mode`."""

    def deploy(logical_id: str) -> tuple[ModuleType, Stack]:
        clients.reset()
        stack = Stack(aws_env)
        deploy_environment(stack, logical_id, monkeypatch)
        bundled_examples(mode, monkeypatch)
        monkeypatch.setenv("COSTPLANE_LAKE", str(tmp_path / "lake"))
        monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", f"costplane-{logical_id}")
        return fresh_module(AWS_FUNCTIONS[logical_id]), stack

    return deploy


@pytest.mark.parametrize("logical_id", sorted(AWS_FUNCTIONS))
def test_an_aws_function_in_dry_run_sends_no_mutating_call(
    aws_function: Callable[[str], tuple[ModuleType, Stack]],
    aws_calls: list[tuple[str, str]],
    mode: str,
    logical_id: str,
) -> None:
    app, stack = aws_function(logical_id)
    launched = run_instances_record(stack.run_instance())
    bucket = create_bucket_event()
    stack.s3.create_bucket(Bucket=bucket["detail"]["requestParameters"]["bucketName"])
    deliveries = [eventbridge(launched), bucket, *cloudtrail_events()]
    aws_calls.clear()

    app.sqs_handler(sqs_event(*(sqs_record(e) for e in deliveries)), LambdaContext())

    decisions = aws_decisions(stack)
    assert decisions
    if mode == "enforce":
        assert aws_mutations(aws_calls)
    else:
        assert (aws_mutations(aws_calls), {d.dry_run for d in decisions}) == ([], {True})


@pytest.mark.parametrize("name", AZURE_BLUEPRINTS)
def test_an_azure_function_in_dry_run_sends_no_mutating_call(
    function_app: ModuleType, arm: Any, bundled: Path, mode: str, name: str
) -> None:
    for event in AZURE_RESOURCE_EVENTS:
        sys.modules[name].on_event_grid(grid_event(event))

    decisions = sqlite_state(bundled / "lake" / "state.db").recent_decisions(100)
    assert decisions
    if mode == "enforce":
        assert False in {d.dry_run for d in decisions}
    else:
        assert (http_mutations(arm.calls()), {d.dry_run for d in decisions}) == ([], {True})


@pytest.mark.parametrize("target", sorted(GCP_FUNCTIONS))
def test_a_gcp_function_in_dry_run_sends_no_mutating_call(
    google: Any, bundled: Path, mode: str, target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    main = GCP_FUNCTIONS[target]
    monkeypatch.setenv("FUNCTION_TARGET", "")
    monkeypatch.setenv("FUNCTION_SIGNATURE_TYPE", "")
    monkeypatch.syspath_prepend(str(main.parent))
    monkeypatch.delitem(sys.modules, "main", raising=False)
    client = functions_framework.create_app(target, str(main)).test_client()

    for path in GCP_AUDIT_LOGS:
        client.post("/", json=pubsub_push(orjson.loads(filled_bytes(path))))

    decisions = sqlite_state(bundled / "lake" / "state.db").recent_decisions(100)
    assert decisions
    if mode == "enforce":
        assert http_mutations(google.calls())
    else:
        assert (http_mutations(google.calls()), {d.dry_run for d in decisions}) == ([], {True})


@pytest.mark.parametrize("policies", [None, bootstrap.EXAMPLE_POLICIES], ids=["tags", "policies"])
def test_the_cli_in_dry_run_decides_every_sample_dry(
    mode: str, policies: Path | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundled_examples(mode, monkeypatch)
    samples = sorted(str(p) for p in EVENTS.glob("*/*.json"))
    chosen = ["--policies", str(policies)] if policies else []
    inventory = ["--inventory", str(EVENTS / "inventory.json")]

    result = CliRunner().invoke(cli, ["events", "decide", "--json", *chosen, *inventory, *samples])

    rows = [orjson.loads(line) for line in result.stdout.splitlines()]
    decided = [row for row in rows if row["outcome"] != "error"]
    assert (result.exit_code, bool(decided)) == (0, True)
    dry = {row["dry_run"] for row in decided}
    assert dry == {True} if mode == "dry-run" else False in dry
