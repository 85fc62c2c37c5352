"""AI usage buckets as FOCUS rows, built from the column model and landed by the lake's own
writer (one delivery, restated like any bill).

This is the stand-in for the `openai-usage` / `anthropic-usage` ingest of the vendors' JSON
pages while that is being written: the demo and the AI budget tests land hourly buckets
through it, and switch to the real normalisers by handing `ingest` their pages instead.
Rows are what the usage sources write: one per bucket and token type, ConsumedQuantity in
tokens, the cost from the price book (`priced`), or zero and `unpriced` when it has no price.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa

from costplane.billing.focus.columns import FOCUS_COLUMNS, focus_arrow_schema
from costplane.billing.lake.table import Lake
from costplane.billing.lake.writer import IngestReport, ingest
from costplane.domain.ai import AiVendor, CostBasis, PriceBook, TokenType, bundled_price_book

SOURCE = "ai-usage-rows"
_NAMES = {AiVendor.OPENAI: "OpenAI", AiVendor.ANTHROPIC: "Anthropic"}
_PRECISION = Decimal("0.0000000001")


@dataclass(frozen=True, slots=True)
class UsageBucket:
    """The tokens of one token type one key used on one model in one hour."""

    vendor: AiVendor
    organization: str
    account: str
    """The OpenAI project or Anthropic workspace."""
    model: str
    token_type: TokenType
    tokens: int
    start: datetime
    api_key: str | None = None
    user: str | None = None
    service_tier: str | None = None
    context_window: str | None = None
    width: timedelta = timedelta(hours=1)


def usage_batch(buckets: Sequence[UsageBucket], book: PriceBook | None = None) -> pa.RecordBatch:
    """The buckets' FOCUS rows, priced from `book` (the bundled one by default)."""
    prices = book or bundled_price_book()
    return pa.RecordBatch.from_pylist(
        [_row(i, b, prices) for i, b in enumerate(buckets)], schema=focus_arrow_schema()
    )


def _row(index: int, b: UsageBucket, book: PriceBook) -> dict[str, Any]:
    price = book.lookup(b.vendor, b.model, b.token_type, b.service_tier, b.context_window)
    cost = (price.unit_price * b.tokens).quantize(_PRECISION) if price else Decimal(0)
    month = b.start.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    following = (month + timedelta(days=32)).replace(day=1)
    name = _NAMES.get(b.vendor, b.vendor.value)
    return dict.fromkeys((c.name for c in FOCUS_COLUMNS), None) | {
        "BilledCost": cost,
        "EffectiveCost": cost,
        "ListCost": cost,
        "ContractedCost": cost,
        "BillingAccountId": b.organization,
        "SubAccountId": b.account,
        "BillingCurrency": price.currency if price else "USD",
        "BillingPeriodStart": month,
        "BillingPeriodEnd": following,
        "ChargePeriodStart": b.start,
        "ChargePeriodEnd": b.start + b.width,
        "ChargeCategory": "Usage",
        "ChargeFrequency": "Usage-Based",
        "ChargeDescription": f"{b.model} {b.token_type.value} tokens",
        "ConsumedQuantity": Decimal(b.tokens),
        "ConsumedUnit": "Tokens",
        "PricingQuantity": Decimal(b.tokens),
        "PricingUnit": "Tokens",
        "InvoiceIssuerName": name,
        "ProviderName": name,
        "PublisherName": name,
        "ServiceProviderName": name,
        "HostProviderName": name,
        "ServiceCategory": "AI and Machine Learning",
        "ServiceName": f"{name} API",
        "x_AiVendor": b.vendor.value,
        "x_AiModel": b.model,
        "x_AiTokenType": b.token_type.value,
        "x_AiServiceTier": b.service_tier,
        "x_AiContextWindow": b.context_window,
        "x_AiApiKeyId": b.api_key,
        "x_AiUserId": b.user,
        "x_AiCostBasis": (CostBasis.PRICED if price else CostBasis.UNPRICED).value,
        "x_SourceName": SOURCE,
        "x_SourceFile": "usage",
        "x_SourceRow": index + 1,
        "x_IngestionId": "usage",
    }


class UsageRowsNormaliser:
    """Reads back a file `write_usage` wrote (an Arrow IPC stream of FOCUS rows)."""

    name = SOURCE

    def batches(
        self, path: Path, *, ingestion_id: str, batch_rows: int = 0
    ) -> Iterator[pa.RecordBatch]:
        with pa.ipc.open_stream(path) as reader:
            yield from reader


def write_usage(path: Path, buckets: Sequence[UsageBucket]) -> Path:
    """The buckets as one file, the way a pull function lands a month of one source."""
    with pa.ipc.new_stream(path, focus_arrow_schema()) as writer:
        writer.write_batch(usage_batch(buckets))
    return path


def land_usage(lake: Lake, path: Path) -> IngestReport:
    """Ingest a file `write_usage` wrote: its periods are restated, as every bill's are."""
    return ingest(lake, UsageRowsNormaliser(), [path])
