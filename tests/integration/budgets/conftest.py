"""A FOCUS lake in a temp dir, and charges appended to it row by row as FOCUS says them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import orjson
import pyarrow as pa
import pytest

from costplane.billing.focus.columns import FOCUS_COLUMNS, focus_arrow_schema
from costplane.billing.lake.table import Lake, open_lake


@dataclass(frozen=True)
class Charge:
    """One usage row: who, where, what, when and how much (EffectiveCost)."""

    cost: str
    start: datetime
    provider: str = "AWS"
    account: str = "111111111111"
    region: str | None = "us-east-1"
    resource_id: str | None = None
    currency: str = "USD"
    tags: dict[str, str] = field(default_factory=dict)
    hours: int = 1
    description: str | None = None
    list_price: str | None = None
    contracted_price: str | None = None
    quantity: str | None = None
    unit: str | None = None


def _month(moment: datetime) -> tuple[datetime, datetime]:
    start = moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    end = (start + timedelta(days=32)).replace(day=1)
    return start, end


def _row(charge: Charge, index: int) -> dict[str, object]:
    amount = Decimal(charge.cost)
    period_start, period_end = _month(charge.start)
    decimal = lambda text: None if text is None else Decimal(text)  # noqa: E731
    return dict.fromkeys((c.name for c in FOCUS_COLUMNS), None) | {
        "BilledCost": amount,
        "EffectiveCost": amount,
        "ListCost": amount,
        "ContractedCost": amount,
        "BillingAccountId": charge.account,
        "BillingCurrency": charge.currency,
        "BillingPeriodStart": period_start,
        "BillingPeriodEnd": period_end,
        "ChargePeriodStart": charge.start,
        "ChargePeriodEnd": charge.start + timedelta(hours=charge.hours),
        "ChargeCategory": "Usage",
        "ChargeFrequency": "Usage-Based",
        "ChargeDescription": charge.description,
        "InvoiceIssuerName": charge.provider,
        "ProviderName": charge.provider,
        "PublisherName": charge.provider,
        "ServiceProviderName": charge.provider,
        "ServiceCategory": "Compute",
        "ServiceName": "Compute",
        "SubAccountId": charge.account,
        "RegionId": charge.region,
        "ResourceId": charge.resource_id,
        "ListUnitPrice": decimal(charge.list_price),
        "ContractedUnitPrice": decimal(charge.contracted_price),
        "ConsumedQuantity": decimal(charge.quantity),
        "PricingQuantity": decimal(charge.quantity),
        "ConsumedUnit": charge.unit,
        "PricingUnit": charge.unit,
        "Tags": orjson.dumps(charge.tags).decode(),
        "x_TagsMap": list(charge.tags.items()),
        "x_SourceName": "budget-tests",
        "x_SourceFile": "charges",
        "x_IngestionId": "test",
        "x_SourceRow": index + 1,
    }


@pytest.fixture
def lake(tmp_path: Path) -> Lake:
    return open_lake(tmp_path / "lake")


@pytest.fixture
def charge(lake: Lake) -> Callable[..., None]:
    """`charge(Charge(...), …)`: append the rows to the lake's FOCUS table in one commit."""

    def append(*charges: Charge) -> None:
        rows = [_row(c, i) for i, c in enumerate(charges)]
        lake.focus.append(pa.Table.from_pylist(rows, schema=focus_arrow_schema()))

    return append


def at(day: int, hour: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


BUDGETS_TABLE = "costplane-budgets"


@pytest.fixture
def budgets_table(aws_env: str, serialised_moto: None) -> Iterator[str]:
    """The budgets table exactly as costplane.adapters.aws.dynamodb documents it."""
    from costplane.adapters.aws import clients

    clients.reset()
    import boto3

    boto3.client("dynamodb", region_name="us-east-1", endpoint_url=aws_env).create_table(
        TableName=BUDGETS_TABLE,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
    )
    yield BUDGETS_TABLE
    clients.reset()
