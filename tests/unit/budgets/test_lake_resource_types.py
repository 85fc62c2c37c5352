"""FOCUS ResourceIds, reduced to stems in SQL, name the same resource types as events do."""

from __future__ import annotations

import duckdb
import pytest

from costplane.adapters.lake.resource_types import STEM_SQL, type_of_stem


def _type(resource_id: str | None) -> str | None:
    with duckdb.connect() as connection:
        row = connection.execute(
            f"SELECT {STEM_SQL} FROM (SELECT ?::VARCHAR AS ResourceId)", [resource_id]
        ).fetchone()
    assert row is not None
    return type_of_stem(row[0])


@pytest.mark.parametrize(
    ("resource_id", "resource_type"),
    [
        ("i-0123456789abcdef0", "aws.ec2.instance"),
        ("vol-0123456789abcdef0", "aws.ec2.volume"),
        ("arn:aws:rds:us-east-1:111122223333:db:orders", "aws.rds.db"),
        ("arn:aws:lambda:us-east-1:111122223333:function:ingest", "aws.lambda.function"),
        ("arn:aws:sagemaker:us-west-2:111122223333:endpoint/ranker", "aws.sagemaker.endpoint"),
        (
            "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/web/50dc6c495c0c9188",
            "aws.elbv2.loadbalancer",
        ),
        ("arn:aws:sqs:us-east-1:111122223333:jobs", "aws.sqs.queue"),
        ("arn:aws:s3:::costplane-ledger", "aws.s3.bucket"),
        (
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1",
            "azure.compute.virtualmachine",
        ),
        (
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Sql/servers/s1/databases/db1",
            "azure.sql.server.database",
        ),
        (
            "//compute.googleapis.com/projects/p/zones/us-central1-a/instances/42",
            "gcp.compute.instance",
        ),
        ("//cloudsql.googleapis.com/projects/p/instances/orders", "gcp.sql.instance"),
        ("my-bucket-name", None),
        (None, None),
    ],
)
def test_resource_ids_name_resource_types(
    resource_id: str | None, resource_type: str | None
) -> None:
    assert _type(resource_id) == resource_type
