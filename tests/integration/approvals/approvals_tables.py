"""The approvals table as infra/aws/template.yaml declares it (see the lead's report: the SAM
resource ApprovalsTable), created in the moto server."""

from __future__ import annotations

from typing import Any

from costplane.adapters.aws.dynamodb import PENDING_INDEX

APPROVALS_TABLE: dict[str, Any] = {
    "BillingMode": "PAY_PER_REQUEST",
    "AttributeDefinitions": [
        {"AttributeName": "id", "AttributeType": "S"},
        {"AttributeName": "queue", "AttributeType": "S"},
        {"AttributeName": "expires", "AttributeType": "S"},
    ],
    "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
    "GlobalSecondaryIndexes": [
        {
            "IndexName": PENDING_INDEX,
            "KeySchema": [
                {"AttributeName": "queue", "KeyType": "HASH"},
                {"AttributeName": "expires", "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": "ALL"},
        }
    ],
}


def create_approvals_table(endpoint: str, name: str = "approvals") -> str:
    import boto3

    dynamodb = boto3.client("dynamodb", region_name="us-east-1", endpoint_url=endpoint)
    dynamodb.create_table(TableName=name, **APPROVALS_TABLE)
    return name
