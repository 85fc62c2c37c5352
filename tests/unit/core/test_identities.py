"""Identities are checked against each provider's documented format before any action."""

from __future__ import annotations

import pytest

from costplane.domain.events import Provider
from costplane.domain.identities import problems
from tests.support.tagging import make_event

SUBSCRIPTION = "0b1f6471-1bf0-4dda-aec3-cb9272f09590"
AZURE_VM = (
    f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg"
    "/providers/Microsoft.Compute/virtualMachines/vm"
)
OTHER = "0" * 8 + SUBSCRIPTION[8:]
LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function"
GCP_VM = "projects/costplane-sample/zones/us-central1-a/instances/vm-1"


def azure(**changes: object):
    fields = {"account": SUBSCRIPTION, "region": None, "resource_id": AZURE_VM}
    return make_event(provider=Provider.AZURE, resource_type="azure.compute.vm", **fields | changes)


def gcp(**changes: object):
    fields = {"account": "costplane-sample", "region": "us-central1-a", "resource_id": GCP_VM}
    return make_event(
        provider=Provider.GCP, resource_type="gcp.compute.instance", **fields | changes
    )


@pytest.mark.parametrize(
    "event",
    [
        make_event(),
        make_event(resource_id="i-0d9853f67e40ab80b", region="us-gov-west-1"),
        make_event(resource_type="aws.s3.bucket", resource_id="custodian-create-bucket-v4"),
        make_event(
            resource_type="aws.rds.db", resource_id="arn:aws:rds:us-east-1:123456789012:db:x"
        ),
        azure(),
        azure(region="eastus2"),
        gcp(),
        gcp(account="example.com:costplane-sample", region="US"),
    ],
)
def test_well_formed_identities_have_no_problems(event) -> None:
    assert problems(event) == []


@pytest.mark.parametrize(
    ("event", "named"),
    [
        (make_event(region="../../etc/passwd"), "region '../../etc/passwd'"),
        (make_event(region="us-east-1\x00"), "region"),
        (make_event(region="x" * 1_000_000), "region 'xxxx"),
        (make_event(account="12345678901"), "account '12345678901'"),
        (make_event(event_id=" "), "event id ' '"),
        (
            make_event(resource_type="aws.ec2.natgateway", resource_id="../../etc/passwd"),
            "resource id '../../etc/passwd'",
        ),
        (
            make_event(resource_id="arn:aws:lambda:us-east-1:123456789012:function:../x"),
            "resource id",
        ),
        (make_event(resource_type="aws.s3.bucket", resource_id="Bad_Bucket"), "resource id"),
        (azure(account="{subscription-id}"), "subscription '{subscription-id}'"),
        (
            azure(resource_id=AZURE_VM.replace(SUBSCRIPTION, "0" * 8 + SUBSCRIPTION[8:])),
            "resource id",
        ),
        (gcp(account="${project}"), "project '${project}'"),
        (gcp(resource_id="buckets/x"), "resource id 'buckets/x'"),
    ],
)
def test_an_identity_outside_its_format_is_named(event, named: str) -> None:
    found = problems(event)
    assert any(p.startswith(named) for p in found), found
