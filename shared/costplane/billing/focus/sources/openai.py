"""OpenAI's organization Usage API and Costs API pages as FOCUS (`openai-usage`,
`openai-costs`).

Usage (`GET /v1/organization/usage/<type>`, every type in one file or several): one row per
result and non-overlapping part of what it counted. For completions, `input_tokens` is
cached + cache-write + uncached input, uncached input is text + audio + image
(`input_text_tokens` etc. are the uncached parts), cached input likewise, output is text +
audio + image (openai/openai-openapi, UsageCompletionsResult): the rows are those parts, and
a result whose parts do not add up to `input_tokens + output_tokens` is refused. Usage is
priced from the price book (`priced`) or left at 0 (`unpriced`); the Costs API is `billed`.
The project is the SubAccountId, the organisation the BillingAccountId (see ai_reports).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from costplane.billing.focus import tags
from costplane.billing.focus.ai_costs import CURRENCY, unit_prices, usage_costs
from costplane.billing.focus.batch import Columns, Lineage, constant, finish
from costplane.billing.focus.columns import DECIMAL, STRING
from costplane.billing.focus.convert import Where, first_true, to_decimal
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

PROVIDER = "OpenAI"
SERVICE = "OpenAI API"
_RESULT = "organization.usage.{}.result"
_MICROS = 1_000_000
_COUNTS = (
    "input_tokens",
    "input_cached_tokens",
    "input_cache_write_tokens",
    "input_uncached_tokens",
    "output_tokens",
    "input_text_tokens",
    "output_text_tokens",
    "input_cached_text_tokens",
    "input_audio_tokens",
    "input_cached_audio_tokens",
    "output_audio_tokens",
    "input_image_tokens",
    "input_cached_image_tokens",
    "output_image_tokens",
    "num_model_requests",
    "images",
    "characters",
    "seconds",
    "usage_bytes",
    "num_sessions",
    "num_requests",
)
_GROUPS = (
    "project_id",
    "user_id",
    "api_key_id",
    "model",
    "service_tier",
    "source",
    "size",
    "vector_store_id",
    "context_level",
)
USAGE_SCHEMA = pa.schema(
    [
        ("object", STRING),
        *((name, pa.int64()) for name in _COUNTS),
        *((name, STRING) for name in _GROUPS),
        ("batch", pa.bool_()),
    ]
)
COSTS_SCHEMA = pa.schema(
    [
        ("object", STRING),
        ("amount", pa.struct([("value", pa.float64()), ("currency", STRING)])),
        ("line_item", STRING),
        ("project_id", STRING),
        ("api_key_id", STRING),
        ("quantity", pa.float64()),
        ("quantity_unit", STRING),
    ]
)
QUANTITY_UNITS = {
    "tokens": "Tokens",
    "1000_tokens": "1000 Tokens",
    "duration_seconds": "Seconds",
    "duration_minutes": "Minutes",
    "duration_hours": "Hours",
    "gibibyte_hours": "GiB-Hours",
    "images": "Images",
    "characters": "Characters",
}
"""The Costs API's quantity_unit (CostsResult) in UnitFormat."""


def _count(table: pa.Table, name: str) -> pa.Array:
    return pc.fill_null(table[name].combine_chunks(), 0)


def _completions(table: pa.Table) -> list[tuple[TokenType, pa.Array]]:
    """The non-overlapping parts of a completions result, each derived from its total when
    the API left the split out."""
    cached, write = _count(table, "input_cached_tokens"), _count(table, "input_cache_write_tokens")
    uncached = pc.coalesce(
        table["input_uncached_tokens"].combine_chunks(),
        pc.subtract(pc.subtract(_count(table, "input_tokens"), cached), write),
    )
    audio, image = _count(table, "input_audio_tokens"), _count(table, "input_image_tokens")
    cached_audio = _count(table, "input_cached_audio_tokens")
    cached_image = _count(table, "input_cached_image_tokens")
    out_audio, out_image = (
        _count(table, "output_audio_tokens"),
        _count(table, "output_image_tokens"),
    )

    def rest(name: str, total: pa.Array, *known: pa.Array) -> pa.Array:
        derived = pc.subtract(pc.subtract(total, known[0]), known[1])
        return pc.coalesce(table[name].combine_chunks(), derived)

    return [
        (TokenType.INPUT, rest("input_text_tokens", uncached, audio, image)),
        (TokenType.INPUT_AUDIO, audio),
        (TokenType.INPUT_IMAGE, image),
        (
            TokenType.CACHE_READ,
            rest("input_cached_text_tokens", cached, cached_audio, cached_image),
        ),
        (TokenType.CACHE_READ_AUDIO, cached_audio),
        (TokenType.CACHE_READ_IMAGE, cached_image),
        (TokenType.CACHE_WRITE, write),
        (
            TokenType.OUTPUT,
            rest("output_text_tokens", _count(table, "output_tokens"), out_audio, out_image),
        ),
        (TokenType.OUTPUT_AUDIO, out_audio),
        (TokenType.OUTPUT_IMAGE, out_image),
    ]


def _gigabyte_days(table: pa.Table, block: Block) -> pa.Array:
    """Vector store bytes held over the bucket, in GB-days (OpenAI prices GB per day)."""
    seconds = pc.divide(
        pc.cast(pc.subtract(block.end, block.start), pa.int64()), float(_MICROS * 86_400)
    )
    gigabytes = pc.divide(pc.cast(_count(table, "usage_bytes"), pa.float64()), 1e9)
    return pc.cast(pc.round(pc.multiply(gigabytes, seconds), 10), DECIMAL)


Parts = Callable[[pa.Table], list[tuple[TokenType, pa.Array]]]
PARTS: dict[str, Parts] = {
    "completions": _completions,
    "embeddings": lambda t: [(TokenType.INPUT, _count(t, "input_tokens"))],
    "moderations": lambda t: [(TokenType.INPUT, _count(t, "input_tokens"))],
    "images": lambda t: [(TokenType.IMAGE, _count(t, "images"))],
    "audio_speeches": lambda t: [(TokenType.CHARACTER, _count(t, "characters"))],
    "audio_transcriptions": lambda t: [(TokenType.SECOND, _count(t, "seconds"))],
    "code_interpreter_sessions": lambda t: [(TokenType.SESSION, _count(t, "num_sessions"))],
    "file_searches": lambda t: [(TokenType.REQUEST, _count(t, "num_requests"))],
    "web_searches": lambda t: [(TokenType.REQUEST, _count(t, "num_requests"))],
}
"""Each usage type (its result `object` is organization.usage.<type>.result) as its parts;
vector_stores is GB-days, from the bucket's length."""
REQUIRED = {
    "completions": ("input_tokens", "output_tokens"),
    "embeddings": ("input_tokens",),
    "moderations": ("input_tokens",),
    "images": ("images",),
    "audio_speeches": ("characters",),
    "audio_transcriptions": ("seconds",),
    "vector_stores": ("usage_bytes",),
    "code_interpreter_sessions": ("num_sessions",),
    "file_searches": ("num_requests",),
    "web_searches": ("num_requests",),
}
"""The counts the OpenAPI spec marks required per usage type."""
_KINDS = pa.array([_RESULT.format(kind) for kind in REQUIRED])


def _unix_times(
    file: str, page: int, buckets: list[Any]
) -> tuple[list[int], list[int], list[object]]:
    starts, ends = [], []
    for index, bucket in enumerate(buckets, start=1):
        start, end = bucket.get("start_time"), bucket.get("end_time")
        if not (type(start) is int and type(end) is int and start < end):
            message = (
                f"page {page}, bucket {index}: start_time {start!r} and end_time {end!r}"
                " are not the Unix seconds of a time bucket"
            )
            raise BillFileError(file, message, column="start_time", code="bad_bucket")
        starts.append(start * _MICROS)
        ends.append(end * _MICROS)
    return starts, ends, [b["start_time"] for b in buckets]


def _resource(project: pa.Array, key: pa.Array) -> tuple[pa.Array, pa.Array]:
    """The API key when the usage is grouped by it, else the project."""
    none = pa.scalar(None, STRING)
    kind = pc.if_else(
        pc.is_valid(key),
        "openai.api-key",
        pc.if_else(pc.is_valid(project), "openai.project", none),
    )
    return pc.coalesce(key, project), kind


def _check_parts(
    block: Block, table: pa.Table, kinds: pa.Array, parts: list[tuple[TokenType, pa.Array]]
) -> None:
    """Parts never below zero, and adding up to what the API counted."""
    for token_type, quantity in parts:
        index = first_true(pc.less(quantity, 0))
        if index is not None:
            message = (
                f"the {token_type.value} part is {quantity[index].as_py()}:"
                " the splits exceed their total"
            )
            raise block.error(index, "input_tokens", message, "bad_total")
    completions = pc.equal(kinds, _RESULT.format("completions"))
    counted = pc.add(_count(table, "input_tokens"), _count(table, "output_tokens"))
    total = parts[0][1]
    for _, quantity in parts[1:]:
        total = pc.add(total, quantity)
    index = first_true(pc.and_(completions, pc.not_equal(total, counted)))
    if index is not None:
        message = (
            f"the token parts add up to {total[index].as_py()}, but input_tokens +"
            f" output_tokens is {counted[index].as_py()}: the counts overlap or are missing"
        )
        raise block.error(index, "input_tokens", message, "bad_total")


class OpenAiUsageNormaliser(AiReportNormaliser):
    """Usage API pages of every usage type (completions, embeddings, …, web searches)."""

    name = "openai-usage"
    vendor = AiVendor.OPENAI
    sub_account_type = "Project"
    schema = USAGE_SCHEMA
    required = ("object",)

    def bucket_times(
        self, file: str, page: int, buckets: list[Any]
    ) -> tuple[list[int], list[int], list[object]]:
        return _unix_times(file, page, buckets)

    def _kinds(self, block: Block) -> pa.Array:
        kinds = block.results["object"].combine_chunks()
        index = first_true(pc.invert(pc.is_in(kinds, value_set=_KINDS)))
        if index is not None:
            message = f"{kinds[index].as_py()!r} is not a usage result this source reads"
            raise block.error(index, "object", message, "unknown_result")
        for kind, required in REQUIRED.items():
            mine = pc.equal(kinds, _RESULT.format(kind))
            for name in required:
                index = first_true(pc.and_(mine, pc.is_null(block.results[name])))
                if index is not None:
                    message = f"no {name!r} in a {kind} result: the report's shape changed"
                    raise block.error(index, name, message, "missing_field")
        return kinds

    def _parts(self, block: Block, kinds: pa.Array) -> list[tuple[TokenType, pa.Array]]:
        """Every type's parts over the whole block, zero on the rows of other types."""
        by_type: dict[TokenType, pa.Array] = {}
        for kind, parts in [*PARTS.items(), ("vector_stores", None)]:
            mine = pc.equal(kinds, _RESULT.format(kind))
            if not pc.any(mine).as_py():
                continue
            if parts is None:
                found = [(TokenType.GIGABYTE_DAY, _gigabyte_days(block.results, block))]
            else:
                found = parts(block.results)
            for token_type, quantity in found:
                masked = pc.if_else(mine, quantity, pa.scalar(0, quantity.type))
                if token_type in by_type:
                    masked = pc.add(pc.cast(by_type[token_type], masked.type), masked)
                by_type[token_type] = masked
        return list(by_type.items())

    def normalise(self, block: Block, lineage: Lineage, organisation: str) -> pa.RecordBatch:
        table = block.results
        kinds = self._kinds(block)
        parts = self._parts(block, kinds)
        integers = [(t, q) for t, q in parts if pa.types.is_integer(q.type)]
        if integers:
            _check_parts(block, table, kinds, integers)
        index, token_type, quantity = expand(block, parts)
        results = taken(
            {
                n: table[n].combine_chunks()
                for n in ("project_id", "user_id", "api_key_id", "model", "service_tier", "batch")
            },
            index,
        )
        tier = pc.if_else(pc.fill_null(results["batch"], False), "batch", results["service_tier"])
        start, end = block.start.take(index), block.end.take(index)
        length = len(index)
        units = map_distinct(token_type, lambda t: unit_of(TokenType(t)))
        vendor = constant(self.vendor.value, length)
        price = unit_prices(vendor, results["model"], token_type, tier, pa.nulls(length, STRING))
        cost, kept, basis = usage_costs(price, quantity, pa.repeat(pa.scalar(False), length))
        resource, resource_type = _resource(results["project_id"], results["api_key_id"])
        kind = pc.replace_substring_regex(
            kinds.take(index), r"^organization\.usage\.|\.result$", ""
        )
        columns: Columns = usage_columns(self.vendor, PROVIDER, organisation, start, end) | {
            "BilledCost": cost,
            "EffectiveCost": cost,
            "ListUnitPrice": kept,
            "ContractedUnitPrice": kept,
            "BillingCurrency": constant(CURRENCY, length),
            "ChargeDescription": pc.binary_join_element_wise(
                pc.fill_null(results["model"], kind), token_type, " "
            ),
            "ConsumedQuantity": quantity,
            "ConsumedUnit": units,
            "PricingQuantity": quantity,
            "PricingUnit": units,
            "ResourceId": resource,
            "ResourceType": resource_type,
            "ServiceName": constant(SERVICE, length),
            "SkuMeter": kind,
            "SubAccountId": results["project_id"],
            "SubAccountType": pc.if_else(
                pc.is_valid(results["project_id"]), self.sub_account_type, pa.scalar(None, STRING)
            ),
            "x_AiModel": results["model"],
            "x_AiTokenType": token_type,
            "x_AiServiceTier": tier,
            "x_AiApiKeyId": results["api_key_id"],
            "x_AiUserId": results["user_id"],
            "x_AiCostBasis": basis,
        }
        return finish(
            columns,
            where=Where(block.file, block.rows.take(index)),
            lineage=lineage,
            providers=constant("openai", length),
            entries=tags.empty(length),
        )


def _currency(block: Block, currency: pa.Array) -> pa.Array:
    """The Costs API writes lowercase ISO 4217 ("usd"); anything else is refused."""
    index = first_true(
        pc.invert(pc.fill_null(pc.match_substring_regex(currency, r"^[a-z]{3}$"), False))
    )
    if index is not None:
        message = (
            f"currency {currency[index].as_py()!r} is not the lowercase ISO 4217 code"
            " the Costs API writes"
        )
        raise block.error(index, "amount.currency", message, "bad_currency")
    return pc.utf8_upper(currency)


class OpenAiCostsNormaliser(AiReportNormaliser):
    """Costs API pages: what OpenAI bills, per day, project and line item (`billed`)."""

    name = "openai-costs"
    vendor = AiVendor.OPENAI
    sub_account_type = "Project"
    schema = COSTS_SCHEMA
    required = ("object", "amount")

    def bucket_times(
        self, file: str, page: int, buckets: list[Any]
    ) -> tuple[list[int], list[int], list[object]]:
        return _unix_times(file, page, buckets)

    def normalise(self, block: Block, lineage: Lineage, organisation: str) -> pa.RecordBatch:
        table = block.results
        length = table.num_rows
        kinds = table["object"].combine_chunks()
        index = first_true(pc.not_equal(kinds, "organization.costs.result"))
        if index is not None:
            message = f"{kinds[index].as_py()!r} is not a costs result: use the usage source"
            raise block.error(index, "object", message, "unknown_result")
        amount = table["amount"].combine_chunks()
        value, currency = amount.field("value"), amount.field("currency")
        for name, values in (("amount.value", value), ("amount.currency", currency)):
            index = first_true(pc.is_null(values))
            if index is not None:
                raise block.error(
                    index, name, f"no {name}: the report's shape changed", "missing_field"
                )
        cost = to_decimal(value, "amount.value", block.where)
        unit_names = table["quantity_unit"].combine_chunks()
        units = pc.coalesce(
            pa.array(list(QUANTITY_UNITS.values()), STRING).take(
                pc.index_in(unit_names, value_set=pa.array(list(QUANTITY_UNITS), STRING))
            ),
            unit_names,
        )
        quantity = to_decimal(table["quantity"].combine_chunks(), "quantity", block.where)
        project, key = table["project_id"].combine_chunks(), table["api_key_id"].combine_chunks()
        resource, resource_type = _resource(project, key)
        line_item = table["line_item"].combine_chunks()
        columns: Columns = usage_columns(
            self.vendor, PROVIDER, organisation, block.start, block.end
        ) | {
            "BilledCost": cost,
            "EffectiveCost": cost,
            "BillingCurrency": _currency(block, currency),
            "ChargeDescription": pc.fill_null(line_item, "OpenAI API usage, all line items"),
            "ConsumedQuantity": quantity,
            "ConsumedUnit": pc.if_else(pc.is_valid(quantity), units, pa.scalar(None, STRING)),
            "PricingQuantity": quantity,
            "PricingUnit": pc.if_else(pc.is_valid(quantity), units, pa.scalar(None, STRING)),
            "ResourceId": resource,
            "ResourceType": resource_type,
            "ServiceName": constant(SERVICE, length),
            "SkuMeter": line_item,
            "SubAccountId": project,
            "SubAccountType": pc.if_else(
                pc.is_valid(project), self.sub_account_type, pa.scalar(None, STRING)
            ),
            "x_AiApiKeyId": key,
            "x_AiCostBasis": constant(CostBasis.BILLED.value, length),
        }
        return finish(
            columns,
            where=block.where,
            lineage=lineage,
            providers=constant("openai", length),
            entries=tags.empty(length),
        )


register_normaliser(OpenAiUsageNormaliser())
register_normaliser(OpenAiCostsNormaliser())
