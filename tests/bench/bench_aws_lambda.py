"""The tag enforcer on Lambda against a moto server in another process.

- Cold start: a new Python process imports the function module and handles its first event
  (dry-run: parse, decide, claim and audit in DynamoDB, under Powertools idempotency), as
  deployed: costplane from the layer `sam build` makes (shared/Makefile, bytecode included),
  the handler the template names (SQS), and the direct EventBridge handler beside it. Every
  process gets a delivery never seen before, so none is answered from the idempotency table.
  Baselines in the same run: a process that imports boto3 and makes one DynamoDB call (what any
  Python Lambda touching DynamoDB pays), and one that loads the stack the function is required
  to run on (boto3, pydantic, Powertools logging, metrics, batch and DynamoDB idempotency) and
  makes one idempotent DynamoDB write, with no costplane in it: the floor under our figure.
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
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.bench.moto_process import moto_server
from tests.bench.report import Figure, console, show
from tests.functions.aws.conftest import payload, sqs_event, sqs_record

REPO = Path(__file__).resolve().parents[2]
FUNCTION = REPO / "functions" / "aws" / "tag_enforcer"
REGION = "us-east-1"
E2E_EVENTS = 40
COLD_RUNS = 7

# The phases are timed in the order the function loads them anyway (Powertools before
# costplane's core), so their sum is the cold start; the split says where it goes.
# argv: the handler's name and a file holding the event.
_COLD = """
import json, sys, time
marks = [time.perf_counter()]
import boto3
marks.append(time.perf_counter())
import aws_lambda_powertools.utilities.batch, aws_lambda_powertools.utilities.idempotency
import aws_lambda_powertools.logging, aws_lambda_powertools.metrics
marks.append(time.perf_counter())
import pydantic.main
marks.append(time.perf_counter())
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

result = getattr(app, sys.argv[1])(json.load(open(sys.argv[2])), Context())
assert "decisions" in result or result == {"batchItemFailures": []}, result
marks.append(time.perf_counter())
print(json.dumps([1000 * (b - a) for a, b in zip(marks, marks[1:])]))
"""
PHASES = ("boto3", "Powertools", "pydantic", "app module", "first event")

_BOTO3 = """
import boto3
boto3.client("dynamodb", region_name="us-east-1").list_tables()
"""

_STACK = """
import json, os, sys
import aws_lambda_powertools.utilities.batch
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer, IdempotencyConfig, idempotent_function,
)
import boto3
import pydantic

class Delivery(pydantic.BaseModel):
    id: str
    detail: dict

logger, metrics = Logger(service="floor"), Metrics(namespace="costplane", service="floor")
dynamodb = boto3.client("dynamodb", region_name="us-east-1")
store = DynamoDBPersistenceLayer(os.environ["COSTPLANE_IDEMPOTENCY_TABLE"], boto3_client=dynamodb)

@idempotent_function(
    data_keyword_argument="event", persistence_store=store,
    config=IdempotencyConfig(event_key_jmespath="id"),
)
def handle(event):
    delivery = Delivery.model_validate(event)
    claims = os.environ["COSTPLANE_CLAIMS_TABLE"]
    dynamodb.put_item(TableName=claims, Item={"id": {"S": delivery.id}})
    return delivery.model_dump()

handle(event=json.load(open(sys.argv[2])))
"""


# Each process by name: its code and the handler whose event it is given.
COLD = {
    "boto3": (_BOTO3, "lambda_handler"),
    "stack": (_STACK, "lambda_handler"),
    "sqs": (_COLD, "sqs_handler"),
    "eventbridge": (_COLD, "lambda_handler"),
}


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


def _environment(endpoint: str, layer: Path) -> dict[str, str]:
    """The function's environment, pointed at the moto server; this process uses it too.

    As on Lambda, the function's code comes first on the path, then the layer's python/.
    """
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
        "PYTHONPATH": os.pathsep.join([str(FUNCTION), str(layer / "python"), str(REPO)]),
    }
    env.update(_tables(endpoint))
    return env


def _build_layer(into: Path) -> Path:
    """The costplane layer as `sam build` makes it, with bytecode compiled by this Python."""
    subprocess.run(
        ["make", "-s", "-C", str(REPO / "shared"), "build-CostplaneLayer"],
        env={**os.environ, "ARTIFACTS_DIR": str(into), "PYTHON": sys.executable},
        check=True,
    )
    return into


def _delivery(handler: str, into: Path) -> Path:
    """A file holding an event no process has seen: the real CreateBucket event with a new
    EventBridge id and CloudTrail eventID, wrapped in an SQS record for the SQS handler."""
    event = payload("aws-cloudtrail-s3-createbucket-eventbridge.json")
    event["id"] = str(uuid.uuid4())
    event["detail"]["eventID"] = str(uuid.uuid4())
    delivery = sqs_event(sqs_record(event)) if handler == "sqs_handler" else event
    path = into / f"{uuid.uuid4()}.json"
    path.write_text(json.dumps(delivery))
    return path


def _run(code: str, env: dict[str, str], *argv: str) -> tuple[float, float, str]:
    """Wall and CPU (user + system) milliseconds of a new process running `code`, and what it
    printed.

    CPU time is reported beside wall time because a busy machine stretches wall time with
    waits that are not the process's own.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code, *argv],
        env=env,
        cwd=REPO,
        capture_output=True,
        check=True,
        text=True,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall * 1000, cpu * 1000, done.stdout


def _median(runs: list[tuple[float, float, str]], field: int) -> float:
    return statistics.median(float(run[field]) for run in runs)


def _cold(env: dict[str, str], scratch: Path) -> list[Figure]:
    """Each round runs every process once, so that a busy moment hits ours and the baselines
    alike."""
    runs: dict[str, list[tuple[float, float, str]]] = {name: [] for name in COLD}
    for _ in range(COLD_RUNS):
        for name, (code, handler) in COLD.items():
            runs[name].append(_run(code, env, handler, str(_delivery(handler, scratch))))
    stack = "required stack + 1 idempotent call, no costplane"
    figures = []
    for name, label in (("sqs", "SQS, deployed"), ("eventbridge", "EventBridge")):
        ours = runs[name]
        phases = [json.loads(out.strip().splitlines()[-1]) for _, _, out in ours]
        split = " · ".join(
            f"{phase} {statistics.median(p[i] for p in phases):.0f} ms"
            for i, phase in enumerate(PHASES)
        )
        console.print(f"cold start ({label}) inside the process, medians: {split}")
        figures += [
            Figure(
                f"cold start ({label}), wall",
                _median(ours, 0),
                _median(runs["boto3"], 0),
                "ms",
                "≤ 300 ms",
                "python + boto3 + 1 call",
            ),
            Figure(
                f"cold start ({label}), wall",
                _median(ours, 0),
                _median(runs["stack"], 0),
                "ms",
                "≤ 300 ms",
                stack,
            ),
            Figure(
                f"cold start ({label}), CPU",
                _median(ours, 1),
                _median(runs["stack"], 1),
                "ms",
                "-",
                stack,
            ),
        ]
    return figures


def _end_to_end(endpoint: str, env: dict[str, str]) -> list[Figure]:
    import boto3

    from costplane.adapters.aws import clients
    from costplane.bootstrap import tag_enforcer_on, taxonomy
    from costplane.config import Settings
    from costplane.domain.events import Operation, Provider, ResourceEvent
    from costplane.planes.aws import AwsPlane
    from tests.support.tagging import enforcing_at_once

    os.environ.update(env)
    clients.reset()
    ec2 = boto3.client("ec2", region_name=REGION, endpoint_url=endpoint)
    settings = Settings()
    service = tag_enforcer_on(AwsPlane(settings).runtime, enforcing_at_once(taxonomy(settings)))
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
    with moto_server() as endpoint, tempfile.TemporaryDirectory() as scratch:
        env = _environment(endpoint, _build_layer(Path(scratch) / "layer"))
        figures = [*_cold(env, Path(scratch)), *_end_to_end(endpoint, env)]
    show("Tag enforcer on AWS against a moto server (separate process)", figures)
    return figures
