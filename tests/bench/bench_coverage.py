"""Issue 16's figures: decisions per second from the generic feeds beside the CloudTrail path,
the governed share of every bundled real bill, and AWS types seen at creation.

Throughput is raw payload bytes -> Decision, warm, with an inventory that answers at once
(as bench_decisions): AWS Config notifications (AWS's documented SNS example, as delivered
over HTTPS, and the same message over EventBridge) and Cloud Asset Inventory messages (the
TemporalAsset shape Google documents, pushed by Pub/Sub), beside the bundled CloudTrail
records. Coverage ingests each bundled bill (and FOCUS's commitment examples, the only
bundled GCP resource spend) into a lake of its own and reads `governed_shares`, a share of
resource spend per provider and currency; the goal is the baseline, so the ratio is how much
of it is met. The type count's baseline is Cloud Custodian's CloudTrail-mode shortcuts
(c7n/cwe.py `trail_events` at 04f24b9055dfe5f88bf4e2c50f715f4e878b6814): the resource types
its create events name.
"""

from __future__ import annotations

import base64
import tempfile
import time
from collections.abc import Iterable
from itertools import cycle, islice
from pathlib import Path

import orjson

from costplane.adapters.aws.coverage import cloudtrail_create_types
from costplane.adapters.lake.spend_by_type import spend_by_type
from costplane.billing.focus.sources import get_normaliser
from costplane.billing.lake.table import open_lake
from costplane.billing.lake.writer import ingest
from costplane.engine.envelopes import parse_payload
from costplane.planes.coverage import coverage_rows, governed_shares
from costplane.planes.envelopes import register_every_cloud
from costplane.tagging.service import TagEnforcer
from tests.bench.bench_decisions import EVENTS, warm_enforcer
from tests.bench.report import Figure, show
from tests.conftest import SHARED_DATA, TEST_DATA

N = 10_000
CUSTODIAN_CREATE_TYPES = {
    "CreateAutoScalingGroup": "aws.autoscaling.group",
    "CreateBucket": "aws.s3.bucket",
    "CreateCluster": "aws.redshift.cluster",
    "CreateLoadBalancer": "aws.elb.loadbalancer",
    "CreateDBInstance": "aws.rds.db",
    "CreateVolume": "aws.ec2.volume",
    "CreateElasticsearchDomain": "aws.es.domain",
    "CreateTable": "aws.dynamodb.table",
    "CreateFunction": "aws.lambda.function",
    "RunInstances": "aws.ec2.instance",
    "CreateNotebookInstance": "aws.sagemaker.notebook-instance",
}
COMMITMENTS = (
    TEST_DATA / "focus" / "focus" / "spec_examples_extra" / "commitment_discount_scenarios"
)
BILLS = (
    ("aws-cur", TEST_DATA / "focus" / "aws" / "cur_legacy_anonymized_2023-11_days01-07.csv"),
    ("aws-cur2", SHARED_DATA / "aws" / "cur2_synthetic_fixture_elastic_integrations.csv"),
    ("azure-ea", TEST_DATA / "focus" / "azure" / "ea_actual_cost_small.csv"),
    ("azure-ea", TEST_DATA / "focus" / "azure" / "ea_amortized_cost_small.csv"),
    ("focus", TEST_DATA / "focus" / "focus" / "focus_1.0_sample_1000rows_aws_azure_oci.csv"),
    ("focus", COMMITMENTS / "aws_savings_plan_all_upfront_100pct.csv"),
    ("focus", COMMITMENTS / "azure_reservation_all_upfront_100pct.csv"),
    ("focus", COMMITMENTS / "gcp_resource_cud_no_upfront_100pct.csv"),
    ("gcp-billing", SHARED_DATA / "gcp" / "bigquery_billing_export_v1_sample.ndjson"),
)
GOALS = {"aws": 95.0, "gcp": 95.0, "azure": 100.0}


def _config_payloads() -> list[bytes]:
    notification = orjson.loads(
        (
            EVENTS / "aws" / "aws-config-configurationitemchange-ec2-instance-sns-notification.json"
        ).read_bytes()
    )
    bridge = {
        "detail-type": "Config Configuration Item Change",
        "source": "aws.config",
        "id": "cd4d811e-ab12-322b-8255-872ce65b1bc8",
        "detail": notification["Message"],
    }
    return [orjson.dumps(notification), orjson.dumps(bridge)]


def _asset_payloads() -> list[bytes]:
    def pushed(name: str, asset_type: str, prior: str) -> bytes:
        asset = {
            "asset": {
                "name": name,
                "assetType": asset_type,
                "ancestors": ["projects/000000000000"],
                "resource": {"data": {"labels": {"team": "ml"}}, "location": "us-central1"},
                "updateTime": "2024-01-30T00:00:00Z",
            },
            "priorAssetState": prior,
            "window": {"startTime": "2024-01-30T00:00:00Z"},
        }
        data = base64.b64encode(orjson.dumps(asset)).decode()
        message = {"message": {"data": data, "messageId": "1"}, "subscription": "s"}
        return orjson.dumps(message)

    vm = "//compute.googleapis.com/projects/p/zones/us-central1-a/instances/vm-1"
    bucket = "//storage.googleapis.com/my-bucket"
    return [
        pushed(vm, "compute.googleapis.com/Instance", "DOES_NOT_EXIST"),
        pushed(bucket, "storage.googleapis.com/Bucket", "PRESENT"),
    ]


def _cloudtrail_payloads() -> list[bytes]:
    return [
        raw
        for path in sorted((EVENTS / "aws").glob("aws-cloudtrail-*.json"))
        if parse_payload(raw := path.read_bytes()).events
    ]


def _per_second(enforcer: TagEnforcer, payloads: list[bytes]) -> float:
    if not payloads:
        raise ValueError("no payload parses into a resource event")
    stream = list(islice(cycle(payloads), N))
    started = time.perf_counter()
    for raw in stream:
        for event in parse_payload(raw).events:
            enforcer.decide(event)
    return N / (time.perf_counter() - started)


def _shares() -> Iterable[tuple[str, str, str, float]]:
    """(bill, provider and currency, share in %) for each bill with resource spend of a goal's
    provider; a bill of charges that belong to no resource (the GCP sample is all Support, the
    CUR 2.0 fixture all Tax) has no share to measure."""
    rows = coverage_rows()
    with tempfile.TemporaryDirectory() as scratch:
        for n, (source, bill) in enumerate(BILLS):
            if not bill.is_file():
                continue
            lake = open_lake(Path(scratch) / str(n))
            ingest(lake, get_normaliser(source), [bill])
            for share in governed_shares(rows, spend_by_type(lake)):
                if share.provider in GOALS and share.governed_share is not None:
                    yield bill.stem, share.provider, share.currency, share.governed_share * 100


def run() -> list[Figure]:
    register_every_cloud()
    enforcer = warm_enforcer()
    trail = _per_second(enforcer, _cloudtrail_payloads())
    figures = [
        Figure(
            "AWS Config decisions",
            _per_second(enforcer, _config_payloads()),
            trail,
            "/s",
            "≥ CloudTrail's",
            "CloudTrail records",
        ),
        Figure(
            "Cloud Asset Inventory decisions",
            _per_second(enforcer, _asset_payloads()),
            trail,
            "/s",
            "≥ CloudTrail's",
            "CloudTrail records",
        ),
    ]
    figures += [
        Figure(
            f"{provider} governed share, {currency} ({bill})",
            share,
            GOALS[provider],
            "%",
            f"≥ {GOALS[provider]:g}%",
            "the goal",
        )
        for bill, provider, currency, share in _shares()
    ]
    figures.append(
        Figure(
            "AWS types seen at creation by CloudTrail",
            len(cloudtrail_create_types()),
            len(set(CUSTODIAN_CREATE_TYPES.values())),
            "types",
            "> Custodian's",
            "Custodian CloudTrail-mode shortcuts",
        )
    )
    show(f"Coverage: decisions over {N} payloads each, governed share of bundled bills", figures)
    return figures
