"""The admission table on the moto server, exactly as the SAM template declares it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

ADMISSION_TABLE = "costplane-admission"


@pytest.fixture
def admission_table(aws_env: str, serialised_moto: None) -> Iterator[str]:
    from costplane.adapters.aws import clients

    clients.reset()
    import boto3

    boto3.client("dynamodb", region_name="us-east-1", endpoint_url=aws_env).create_table(
        TableName=ADMISSION_TABLE,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": "id", "AttributeType": "S"},
            {"AttributeName": "queue", "AttributeType": "S"},
            {"AttributeName": "expires", "AttributeType": "S"},
        ],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "reserved",
                "KeySchema": [
                    {"AttributeName": "queue", "KeyType": "HASH"},
                    {"AttributeName": "expires", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
    )
    yield ADMISSION_TABLE
    clients.reset()
