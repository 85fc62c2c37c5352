"""The tag enforcer on Lambda against a moto server in another process.

- Cold start: a new Python process imports the function module and handles its first
  EventBridge event (dry-run: parse, decide, claim and audit in DynamoDB). Baseline in the same
  run: a new process that imports boto3 and makes one DynamoDB call — what any Python Lambda
  touching DynamoDB pays before doing anything of its own.
- End to end: decide, tag and stop real moto instances, one event each, warm. Baseline in the
  same run: the two boto3 calls alone (CreateTags + StopInstances) on the same kind of instance.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.bench.moto_process import moto_server
from tests.bench.report import Figure, console, show

REPO = Path(__file__).resolve().parents[2]
REGION = "us-east-1"
E2E_EVENTS = 40

# The phases are timed in the order Python would load them anyway, so the sum is the same as
# importing app.py alone; the split says where a cold start goes.
_COLD = """
import json, sys, time
marks = [time.perf_counter()]
import boto3
marks.append(time.perf_counter())
import pydantic
marks.append(time.perf_counter())
import aws_lambda_powertools.logging, aws_lambda_powertools.metrics
import aws_lambda_powertools.utilities.batch, aws_lambda_powertools.utilities.idempotency
marks.append(time.perf_counter())
sys.path.insert(0, "functions/aws/tag_enforcer")
import app
marks.append(time.perf_counter())

class Context:
    function_name = "costplane-TagEnforcerFunction"
    function_version = "$LATEST"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:costplane-tag"
    aws_request_id = "bench-cold-start"
    def get_remaining_time_in_millis(self):
        return 25_000

event = json.load(open("events/aws/aws-cloudtrail-s3-createbucket-eventbridge.json"))
app.lambda_handler(event, Context())
marks.append(time.perf_counter())
print(json.dumps([1000 * (b - a) for a, b in zip(marks, marks[1:])]))
"""
PHASES = ("boto3", "pydantic", "powertools", "app module", "first event")

_BASELINE = """
import time
started = time.perf_counter()
import boto3
boto3.client("dynamodb", region_name="us-east-1").list_tables()
print(time.perf_counter() - started)
"""


def _tables(endpoint: str) -> dict[str, str]:
    import boto3

    dynamodb = boto3.client("dynamodb", region_name=REGION, endpoint_url=endpoint)
    names = {"claims": "claims", "decisions": "decisions", "idempotency": "idempotency"}
    keys = {"claims": "id", "decisions": "decision_id", "idempotency": "id"}
    for table, key in keys.items():
        extra: dict[str, Any] = {}
        attributes = [{"AttributeName": key, "AttributeType": "S"}]
        if table == "decisions":
            attributes += [
                {"AttributeName": "day", "AttributeType": "S"},
                {"AttributeName": "decided_at", "AttributeType": "S"},
            ]
            extra["GlobalSecondaryIndexes"] = [
                {
                    "IndexName": "by_day",
                    "KeySchema": [
                        {"AttributeName": "day", "KeyType": "HASH"},
                        {"AttributeName": "decided_at", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                }
            ]
        dynamodb.create_table(
            TableName=names[table],
            KeySchema=[{"AttributeName": key, "KeyType": "HASH"}],
            AttributeDefinitions=attributes,
            BillingMode="PAY_PER_REQUEST",
            **extra,
        )
    return {
        "COSTPLANE_CLAIMS_TABLE": "claims",
        "COSTPLANE_DECISIONS_TABLE": "decisions",
        "COSTPLANE_IDEMPOTENCY_TABLE": "idempotency",
    }


def _environment(endpoint: str) -> dict[str, str]:
    """The function's environment, pointed at the moto server; this process uses it too."""
    os.environ.update(
        {
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": REGION,
        }
    )
    env = {
        **os.environ,
        "POWERTOOLS_METRICS_NAMESPACE": "costplane",
        "COSTPLANE_PLANE": "aws",
        "COSTPLANE_MODE": "dry-run",
        "PYDANTIC_DISABLE_PLUGINS": "__all__",  # as the SAM template's Globals set it
        "PYTHONPATH": str(REPO),
    }
    env.update(_tables(endpoint))
    return env


def _run(code: str, env: dict[str, str]) -> tuple[float, float, str]:
    """Wall and CPU (user + system) milliseconds of a new process running `code`, and what it
    printed.

    CPU time is reported beside wall time because a busy machine stretches wall time with
    waits that are not the process's own.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=REPO, capture_output=True, check=True, text=True
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall * 1000, cpu * 1000, done.stdout


def _cold(env: dict[str, str]) -> list[Figure]:
    ours = [_run(_COLD, env) for _ in range(5)]
    base = [_run(_BASELINE, env) for _ in range(5)]
    phases = [json.loads(out.strip().splitlines()[-1]) for _, _, out in ours]
    split = " · ".join(
        f"{name} {statistics.median(p[i] for p in phases):.0f} ms" for i, name in enumerate(PHASES)
    )
    console.print(f"cold start inside the process (medians): {split}")
    baseline = "python + boto3 + 1 call"
    return [
        Figure(
            "cold start, wall",
            statistics.median(w for w, _, _ in ours),
            statistics.median(w for w, _, _ in base),
            "ms",
            "≤ 300 ms",
            baseline,
        ),
        Figure(
            "cold start, CPU",
            statistics.median(c for _, c, _ in ours),
            statistics.median(c for _, c, _ in base),
            "ms",
            "-",
            baseline,
        ),
    ]


def _end_to_end(endpoint: str, env: dict[str, str]) -> list[Figure]:
    import boto3

    from costplane.adapters.aws import clients
    from costplane.adapters.aws.wiring import build_runtime
    from costplane.bootstrap import tag_enforcer_on, taxonomy
    from costplane.config import Settings
    from costplane.domain.events import Operation, Provider, ResourceEvent
    from tests.support.tagging import enforcing_at_once

    os.environ.update(env)
    clients.reset()
    ec2 = boto3.client("ec2", region_name=REGION, endpoint_url=endpoint)
    settings = Settings()
    service = tag_enforcer_on(build_runtime(settings), enforcing_at_once(taxonomy(settings)))
    launched = ec2.run_instances(
        ImageId="ami-12c6146b", MinCount=2 * E2E_EVENTS, MaxCount=2 * E2E_EVENTS
    )
    ids = [i["InstanceId"] for i in launched["Instances"]]
    ours, base = [], []
    when = datetime.now(UTC) - timedelta(hours=1)
    for n, instance in enumerate(ids[:E2E_EVENTS]):
        event = ResourceEvent(
            provider=Provider.AWS,
            event_id=f"bench-{n}",
            event_name="RunInstances",
            event_time=when,
            account="123456789012",
            region=REGION,
            resource_id=instance,
            resource_type="aws.ec2.instance",
            operation=Operation.CREATE,
            tags={},
        )
        started = time.perf_counter()
        service.handle_event(event)
        ours.append((time.perf_counter() - started) * 1000)
    for instance in ids[E2E_EVENTS:]:
        started = time.perf_counter()
        ec2.create_tags(Resources=[instance], Tags=[{"Key": "CostCenter", "Value": "CC-1001"}])
        ec2.stop_instances(InstanceIds=[instance])
        base.append((time.perf_counter() - started) * 1000)
    stopped = ec2.describe_instances(InstanceIds=ids[:E2E_EVENTS])
    states = {i["State"]["Name"] for r in stopped["Reservations"] for i in r["Instances"]}
    assert states == {"stopped"}, states
    return [
        Figure(
            "decide+tag+stop median",
            statistics.median(ours),
            statistics.median(base),
            "ms",
            "≤ 30 ms",
            "CreateTags + StopInstances alone",
        )
    ]


def run() -> list[Figure]:
    with moto_server() as endpoint:
        env = _environment(endpoint)
        figures = [*_cold(env), *_end_to_end(endpoint, env)]
    show("Tag enforcer on AWS against a moto server (separate process)", figures)
    return figures
