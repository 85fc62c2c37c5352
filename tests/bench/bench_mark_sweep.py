"""The mark sweep over 10,000 marked EC2 instances on a moto server in another process.

A quarter each: due and still untagged (expected: stopped and unmarked), not yet due (left),
due but now compliant (unmarked, not stopped), and terminated (gone: not acted on). The sweep
runs as the Lambda would (the AWS plane: GetResources with a tag filter, DynamoDB claims and
audit log), invocation after invocation until its pass is complete, then once more to show
that nothing is done twice. Every AWS call is counted by a botocore hook.

Baseline in the same run: finding the marks by one call per resource (EC2 DescribeTags on each
instance id, as a sweep without the tag filter would, even knowing every id) against the
paginated tag filter alone.

`python -m tests.bench bench_mark_sweep` (BENCH_MARKS=1000 for a quicker run).
"""

from __future__ import annotations

import logging
import os
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from costplane.domain.decisions import ActionKind
from costplane.domain.marks import Mark
from tests.bench.moto_process import moto_server
from tests.bench.report import Figure, console, show

REGION = "us-east-1"
MARK = "costplane-op"
KINDS = ("due", "later", "compliant", "gone")
AMI = "ami-12c6146b"


def _client(service: str, endpoint: str) -> Any:
    """Our own client; moto answers big batches slowly, so it waits long for them."""
    import boto3
    from botocore.config import Config

    config = Config(read_timeout=900, retries={"max_attempts": 1})
    return boto3.client(service, region_name=REGION, endpoint_url=endpoint, config=config)


def _audited(endpoint: str) -> int:
    """Decisions in the audit log so far."""
    pages = (
        _client("dynamodb", endpoint)
        .get_paginator("scan")
        .paginate(TableName="decisions", Select="COUNT")
    )
    return sum(page["Count"] for page in pages)


def _tables(endpoint: str) -> None:
    dynamodb = _client("dynamodb", endpoint)
    for name, key in (("claims", "id"), ("decisions", "decision_id")):
        dynamodb.create_table(
            TableName=name,
            KeySchema=[{"AttributeName": key, "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )


def _instances(endpoint: str, total: int) -> dict[str, set[str]]:
    """`total` marked instances, a quarter of each kind."""
    ec2 = _client("ec2", endpoint)
    now = datetime.now(UTC)
    past, future = now - timedelta(minutes=10), now + timedelta(days=1)
    tags = {
        "due": {MARK: Mark(ActionKind.STOP, past).encode()},
        "later": {MARK: Mark(ActionKind.STOP, future).encode()},
        "compliant": {MARK: Mark(ActionKind.STOP, past).encode(), "Environment": "prod"},
        "gone": {MARK: Mark(ActionKind.STOP, past).encode()},
    }
    made: dict[str, set[str]] = {kind: set() for kind in KINDS}
    for kind in KINDS:
        left = total // len(KINDS)
        while left:
            count = min(left, 100)
            spec = [{"Key": k, "Value": v} for k, v in tags[kind].items()]
            reservation = ec2.run_instances(
                ImageId=AMI,
                MinCount=count,
                MaxCount=count,
                TagSpecifications=[{"ResourceType": "instance", "Tags": spec}],
            )
            made[kind].update(i["InstanceId"] for i in reservation["Instances"])
            left -= count
    gone = sorted(made["gone"])
    for start in range(0, len(gone), 1000):
        ec2.terminate_instances(InstanceIds=gone[start : start + 1000])
    return made


def _counting() -> Counter[str]:
    """Count every call the costplane clients make, from now on."""
    import boto3

    from costplane.adapters.aws import clients

    calls: Counter[str] = Counter()
    clients.reset()
    session = clients._session = boto3.session.Session()

    def count(model: Any, **_: Any) -> None:
        calls[model.name] += 1

    def stops(params: dict[str, Any], **_: Any) -> None:
        calls.update(f"stop:{i}" for i in params["InstanceIds"])

    session.events.register("before-call.*.*", count)
    session.events.register("before-parameter-build.ec2.StopInstances", stops)
    return calls


def _sweep_until_complete() -> tuple[float, int, Counter[str]]:
    from costplane import bootstrap
    from costplane.config import Settings

    sweep = bootstrap.mark_sweep(Settings(mode="enforce"), plane="aws")
    outcomes: Counter[str] = Counter()
    started, invocations = time.perf_counter(), 0
    while True:
        report = sweep.sweep()
        invocations += 1
        outcomes.update(report.outcomes)
        if report.complete:
            return time.perf_counter() - started, invocations, outcomes


def _listing(endpoint: str, made: dict[str, set[str]]) -> tuple[float, int, float, int]:
    """The tag filter's pages, then one DescribeTags per instance: time and calls of each."""
    tagging, ec2 = _client("resourcegroupstaggingapi", endpoint), _client("ec2", endpoint)
    started, pages, token = time.perf_counter(), 0, ""
    while True:
        answer = tagging.get_resources(
            TagFilters=[{"Key": MARK}], ResourcesPerPage=100, PaginationToken=token
        )
        pages += 1
        if not (token := answer.get("PaginationToken", "")):
            break
    ours = time.perf_counter() - started
    ids = sorted(set().union(*made.values()))
    started = time.perf_counter()
    for instance_id in ids:
        ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [instance_id]}])
    return ours, pages, time.perf_counter() - started, len(ids)


def run() -> list[Figure]:
    total = int(os.environ.get("BENCH_MARKS", "10000"))
    logging.getLogger("costplane").setLevel(logging.ERROR)
    with moto_server() as endpoint:
        os.environ.update(
            AWS_ENDPOINT_URL=endpoint,
            AWS_ACCESS_KEY_ID="testing",
            AWS_SECRET_ACCESS_KEY="testing",
            AWS_DEFAULT_REGION=REGION,
            COSTPLANE_CLAIMS_TABLE="claims",
            COSTPLANE_DECISIONS_TABLE="decisions",
            COSTPLANE_SWEEP_REGIONS=f'["{REGION}"]',
        )
        os.environ.pop("AWS_LAMBDA_FUNCTION_NAME", None)
        _tables(endpoint)
        made = _instances(endpoint, total)
        ours_list, pages, base_list, base_calls = _listing(endpoint, made)
        calls = _counting()
        wall, invocations, outcomes = _sweep_until_complete()
        first_pass = Counter(calls)
        audited = _audited(endpoint)
        _, _, again = _sweep_until_complete()
        audited_again = _audited(endpoint) - audited
        ec2 = _client("ec2", endpoint)
        states = _states(ec2, made)
    swept = sum(len(ids) for ids in made.values())
    stopped = {key.removeprefix("stop:") for key in calls if key.startswith("stop:")}
    duplicated = sum(n - 1 for key, n in calls.items() if key.startswith("stop:") and n > 1)
    api_calls = sum(n for key, n in first_pass.items() if not key.startswith("stop:"))
    figures = [
        Figure(
            "finding the marks",
            ours_list,
            base_list,
            "s",
            "paginated tag filter",
            f"{base_calls} DescribeTags, one per instance",
        ),
        Figure(
            "listing calls per marked resource",
            pages / swept,
            base_calls / swept,
            "calls",
            "≤ 0.01 (100 per page)",
            "one DescribeTags per instance",
        ),
    ]
    show(f"Mark sweep over {swept} marked instances on a moto server (separate process)", figures)
    console.print(
        f"sweep: {wall:.1f} s wall in {invocations} invocation(s) (240 s budget each); "
        f"{api_calls} AWS calls = {api_calls / swept:.2f} per resource "
        f"({', '.join(f'{k} {n}' for k, n in sorted(first_pass.items()) if ':' not in k)})"
    )
    console.print(f"outcomes: {dict(sorted(outcomes.items()))}; second pass: {dict(again)}")
    console.print(
        f"audit log: {audited} decisions from the first pass, {audited_again} from the second "
        f"(a pass that changes nothing records nothing; {len(made['later'])} marks not yet due)"
    )
    early = stopped & made["later"]
    missed = made["due"] - stopped
    wrong = stopped - made["due"]
    console.print(
        f"expected stops {len(made['due'])}, taken {len(stopped)}: early {len(early)}, "
        f"missed {len(missed)}, duplicated {duplicated}, outside the due set {len(wrong)}; "
        f"instance states {states}"
    )
    return figures


def _states(ec2: Any, made: dict[str, set[str]]) -> dict[str, dict[str, int]]:
    """Each kind's instances by state and by whether they still carry the mark."""
    found: dict[str, dict[str, int]] = {}
    pages = ec2.get_paginator("describe_instances").paginate()
    where = {i: kind for kind, ids in made.items() for i in ids}
    for page in pages:
        for reservation in page["Reservations"]:
            for instance in reservation["Instances"]:
                kind = where.get(instance["InstanceId"])
                if kind is None:
                    continue
                marked = any(t["Key"] == MARK for t in instance.get("Tags", []))
                key = f"{instance['State']['Name']}{'+mark' if marked else ''}"
                found.setdefault(kind, Counter())[key] += 1  # type: ignore[index]
    return {kind: dict(counts) for kind, counts in found.items()}
