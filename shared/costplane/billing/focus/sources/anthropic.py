"""Anthropic's Admin API usage and cost reports as FOCUS (`anthropic-usage`,
`anthropic-cost`).

The messages usage report (`GET /v1/organizations/usage_report/messages`) counts uncached
input, cache reads, cache writes by lifetime (5 minutes, 1 hour) and output apart, and web
search requests as server tool use: one row per result and part, priced from the price book
by model, service tier and context window (`priced`, else `unpriced`). The cost report
(`GET /v1/organizations/cost_report`) writes `amount` as a decimal string in the lowest
currency unit, cents ("123.78912" is USD 1.2378912), always in USD: `billed` rows, exact.
The workspace is the SubAccountId (null: the default workspace), the organisation the
BillingAccountId (see ai_reports).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from costplane.billing.focus import tags
from costplane.billing.focus.ai_costs import CURRENCY, unit_prices, usage_costs
from costplane.billing.focus.batch import Columns, Lineage, constant, finish
from costplane.billing.focus.columns import DECIMAL, STRING
from costplane.billing.focus.convert import Where, first_true, multiply, to_decimal
from costplane.billing.focus.errors import BillFileError
from costplane.billing.focus.registry import register_normaliser
from costplane.billing.focus.sources.ai_reports import (
    AiReportNormaliser,
    Block,
    expand,
    taken,
    unit_of,
    usage_columns,
)
from costplane.billing.focus.units import map_distinct
from costplane.domain.ai import AiVendor, CostBasis, TokenType

PROVIDER = "Anthropic"
SERVICE = "Claude API"
_GROUPS = (
    "account_id",
    "api_key_id",
    "context_window",
    "inference_geo",
    "model",
    "service_account_id",
    "service_tier",
    "workspace_id",
)
USAGE_SCHEMA = pa.schema(
    [
        (
            "cache_creation",
            pa.struct(
                [
                    ("ephemeral_1h_input_tokens", pa.int64()),
                    ("ephemeral_5m_input_tokens", pa.int64()),
                ]
            ),
        ),
        ("cache_read_input_tokens", pa.int64()),
        ("output_tokens", pa.int64()),
        ("server_tool_use", pa.struct([("web_search_requests", pa.int64())])),
        ("uncached_input_tokens", pa.int64()),
        *((name, STRING) for name in _GROUPS),
    ]
)
COST_SCHEMA = pa.schema(
    [
        ("amount", STRING),
        ("currency", STRING),
        *(
            (name, STRING)
            for name in (
                "context_window",
                "cost_type",
                "description",
                "inference_geo",
                "model",
                "service_tier",
                "token_type",
                "workspace_id",
            )
        ),
    ]
)
COST_TOKEN_TYPES = {
    "uncached_input_tokens": TokenType.INPUT.value,
    "cache_read_input_tokens": TokenType.CACHE_READ.value,
    "cache_creation.ephemeral_5m_input_tokens": TokenType.CACHE_WRITE_5M.value,
    "cache_creation.ephemeral_1h_input_tokens": TokenType.CACHE_WRITE_1H.value,
    "output_tokens": TokenType.OUTPUT.value,
}
"""The cost report's token_type values as x_AiTokenType; web search costs are requests."""
CENT = Decimal("0.01")
NO_GEO = "not_available"


def _rfc3339_times(
    file: str, page: int, buckets: list[Any]
) -> tuple[list[int], list[int], list[object]]:
    starts, ends = [], []
    for index, bucket in enumerate(buckets, start=1):
        start, end = bucket.get("starting_at"), bucket.get("ending_at")
        try:
            begin, finish_at = datetime.fromisoformat(start), datetime.fromisoformat(end)
            if begin.tzinfo is None or end is None or begin >= finish_at:
                raise ValueError
        except (TypeError, ValueError):
            message = (
                f"page {page}, bucket {index}: starting_at {start!r} and ending_at {end!r}"
                " are not the RFC 3339 bounds of a time bucket"
            )
            raise BillFileError(file, message, column="starting_at", code="bad_bucket") from None
        starts.append(_micros(begin))
        ends.append(_micros(finish_at))
    return starts, ends, [b["starting_at"] for b in buckets]


def _micros(moment: datetime) -> int:
    return int(moment.timestamp()) * 1_000_000 + moment.microsecond


def _region(geo: pa.Array) -> pa.Array:
    return pc.if_else(pc.equal(geo, NO_GEO), pa.scalar(None, STRING), geo)


def _workspace_type(workspace: pa.Array) -> pa.Array:
    return pc.if_else(pc.is_valid(workspace), "Workspace", pa.scalar(None, STRING))


def _field(table: pa.Table, struct: str, name: str) -> pa.Array:
    return pc.fill_null(table[struct].combine_chunks().field(name), 0)


class AnthropicUsageNormaliser(AiReportNormaliser):
    """Messages usage report pages."""

    name = "anthropic-usage"
    vendor = AiVendor.ANTHROPIC
    sub_account_type = "Workspace"
    schema = USAGE_SCHEMA
    required = ("uncached_input_tokens", "cache_read_input_tokens", "output_tokens")

    def bucket_times(
        self, file: str, page: int, buckets: list[Any]
    ) -> tuple[list[int], list[int], list[object]]:
        return _rfc3339_times(file, page, buckets)

    def normalise(self, block: Block, lineage: Lineage, organisation: str) -> pa.RecordBatch:
        table = block.results
        parts = [
            (TokenType.INPUT, table["uncached_input_tokens"].combine_chunks()),
            (TokenType.CACHE_READ, table["cache_read_input_tokens"].combine_chunks()),
            (
                TokenType.CACHE_WRITE_5M,
                _field(table, "cache_creation", "ephemeral_5m_input_tokens"),
            ),
            (
                TokenType.CACHE_WRITE_1H,
                _field(table, "cache_creation", "ephemeral_1h_input_tokens"),
            ),
            (TokenType.OUTPUT, table["output_tokens"].combine_chunks()),
            (TokenType.REQUEST, _field(table, "server_tool_use", "web_search_requests")),
        ]
        for token_type, quantity in parts:
            index = first_true(pc.less(quantity, 0))
            if index is not None:
                message = f"a negative {token_type.value} count ({quantity[index].as_py()})"
                raise block.error(index, token_type.value, message, "bad_number")
        index, token_type, quantity = expand(block, parts)
        results = taken({name: table[name].combine_chunks() for name in _GROUPS}, index)
        length = len(index)
        price = unit_prices(
            constant(self.vendor.value, length),
            results["model"],
            token_type,
            results["service_tier"],
            results["context_window"],
        )
        cost, kept, basis = usage_costs(price, quantity, pa.repeat(pa.scalar(False), length))
        units = map_distinct(token_type, lambda t: unit_of(TokenType(t)))
        key = results["api_key_id"]
        workspace = results["workspace_id"]
        none = pa.scalar(None, STRING)
        start, end = block.start.take(index), block.end.take(index)
        columns: Columns = usage_columns(self.vendor, PROVIDER, organisation, start, end) | {
            "BilledCost": cost,
            "EffectiveCost": cost,
            "ListUnitPrice": kept,
            "ContractedUnitPrice": kept,
            "BillingCurrency": constant(CURRENCY, length),
            "ChargeDescription": pc.binary_join_element_wise(
                pc.fill_null(results["model"], "messages"), token_type, " "
            ),
            "ConsumedQuantity": quantity,
            "ConsumedUnit": units,
            "PricingQuantity": quantity,
            "PricingUnit": units,
            "RegionId": _region(results["inference_geo"]),
            "ResourceId": pc.coalesce(key, workspace),
            "ResourceType": pc.if_else(
                pc.is_valid(key),
                "anthropic.api-key",
                pc.if_else(pc.is_valid(workspace), "anthropic.workspace", none),
            ),
            "ServiceName": constant(SERVICE, length),
            "SkuMeter": token_type,
            "SubAccountId": workspace,
            "SubAccountType": _workspace_type(workspace),
            "x_AiModel": results["model"],
            "x_AiTokenType": token_type,
            "x_AiServiceTier": results["service_tier"],
            "x_AiContextWindow": results["context_window"],
            "x_AiApiKeyId": key,
            "x_AiUserId": pc.coalesce(results["account_id"], results["service_account_id"]),
            "x_AiCostBasis": basis,
        }
        return finish(
            columns,
            where=Where(block.file, block.rows.take(index)),
            lineage=lineage,
            providers=constant("anthropic", length),
            entries=tags.empty(length),
        )


def _amount(block: Block, table: pa.Table) -> pa.Array:
    """`amount` in dollars: a decimal string of cents, in USD (anything else is refused)."""
    currency = table["currency"].combine_chunks()
    index = first_true(pc.fill_null(pc.not_equal(currency, CURRENCY), True))
    if index is not None:
        message = f"currency {currency[index].as_py()!r}: the cost report is documented in USD only"
        raise block.error(index, "currency", message, "bad_currency")
    cents = to_decimal(table["amount"].combine_chunks(), "amount", block.where)
    return multiply(cents, pa.repeat(pa.scalar(CENT, DECIMAL), len(cents)))


class AnthropicCostNormaliser(AiReportNormaliser):
    """Cost report pages: what Anthropic bills, per day and group (`billed`)."""

    name = "anthropic-cost"
    vendor = AiVendor.ANTHROPIC
    sub_account_type = "Workspace"
    schema = COST_SCHEMA
    required = ("amount", "currency")

    def bucket_times(
        self, file: str, page: int, buckets: list[Any]
    ) -> tuple[list[int], list[int], list[object]]:
        return _rfc3339_times(file, page, buckets)

    def normalise(self, block: Block, lineage: Lineage, organisation: str) -> pa.RecordBatch:
        table = block.results
        length = table.num_rows
        cost = _amount(block, table)
        cost_type = table["cost_type"].combine_chunks()
        token_type = pc.coalesce(
            map_distinct(table["token_type"].combine_chunks(), COST_TOKEN_TYPES.get),
            pc.if_else(
                pc.equal(cost_type, "web_search"), TokenType.REQUEST.value, pa.scalar(None, STRING)
            ),
        )
        workspace = table["workspace_id"].combine_chunks()
        description = table["description"].combine_chunks()
        columns: Columns = usage_columns(
            self.vendor, PROVIDER, organisation, block.start, block.end
        ) | {
            "BilledCost": cost,
            "EffectiveCost": cost,
            "BillingCurrency": table["currency"].combine_chunks(),
            "ChargeDescription": description,
            "RegionId": _region(table["inference_geo"].combine_chunks()),
            "ResourceId": workspace,
            "ResourceType": pc.if_else(
                pc.is_valid(workspace), "anthropic.workspace", pa.scalar(None, STRING)
            ),
            "ServiceName": constant(SERVICE, length),
            "SkuMeter": pc.coalesce(table["token_type"].combine_chunks(), cost_type),
            "SubAccountId": workspace,
            "SubAccountType": _workspace_type(workspace),
            "x_AiModel": table["model"].combine_chunks(),
            "x_AiTokenType": token_type,
            "x_AiServiceTier": table["service_tier"].combine_chunks(),
            "x_AiContextWindow": table["context_window"].combine_chunks(),
            "x_AiCostBasis": constant(CostBasis.BILLED.value, length),
        }
        return finish(
            columns,
            where=block.where,
            lineage=lineage,
            providers=constant("anthropic", length),
            entries=tags.empty(length),
        )


register_normaliser(AnthropicUsageNormaliser())
register_normaliser(AnthropicCostNormaliser())
