"""AI rows inside cloud bills: Bedrock token lines in a CUR (or AWS's FOCUS export), Azure
OpenAI meters in a cost export (or Azure's FOCUS export), Vertex AI Gemini SKUs in a billing
export, recognised from their meter text.

Each cloud names a model call's charge in one string (a usage type, a meter name, a SKU
description); a vendor's pattern splits it into model, token kind and tier, and two data
tables (`mappings/ai_models.csv`, `mappings/ai_token_types.csv`, sources in
`mappings/SOURCES.md`) turn the parts into the names the price book and the vendor sources
use. A row is an AI row when its pattern matches and the token kind is known; then it carries
the x_Ai columns with cost basis `billed` (the cloud bill is the money), its token count in
Tokens, and the model's publisher as PublisherName (Claude on Bedrock is published by
Anthropic and sold, hosted and invoiced by AWS). Every other row keeps the x_Ai columns null.
The work runs once per distinct meter text, not per row.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

import pyarrow as pa
import pyarrow.compute as pc

from costplane.billing.focus.batch import Columns
from costplane.billing.focus.columns import DECIMAL, STRING
from costplane.billing.focus.convert import blank_to_null, multiply, per_distinct
from costplane.billing.focus.mappings import table
from costplane.domain.ai import TOKEN_TYPES, AiVendor, CostBasis

TOKENS = "Tokens"

_NULL = pa.scalar(None, STRING)


@dataclass(frozen=True, slots=True)
class AiMeters:
    """What the meter text says, per row (null where the row is not an AI row)."""

    model: pa.Array
    token_type: pa.Array
    service_tier: pa.Array
    publisher: pa.Array

    @property
    def recognised(self) -> pa.Array:
        return pc.and_(pc.is_valid(self.model), pc.is_valid(self.token_type))


@cache
def _vendor_table(name: str, vendor: AiVendor) -> pa.Table:
    rows = table(name)
    return rows.filter(pc.equal(rows["vendor"], vendor.value))


def _translate(values: pa.Array, name: str, vendor: AiVendor, key: str, result: str) -> pa.Array:
    """`values` through the vendor's rows of a mapping table (null where none matches)."""
    rows = _vendor_table(name, vendor)
    index = pc.index_in(values, value_set=rows[key].combine_chunks())
    return rows[result].combine_chunks().take(index)


def _token_alternatives(vendor: AiVendor) -> str:
    """The vendor's token phrases as a regex alternation, longest first."""
    phrases = _vendor_table("ai_token_types.csv", vendor)["meter_token"].to_pylist()
    return "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))


@cache
def _bedrock_pattern() -> str:
    """`USE1-Claude4.6Sonnet-cache-read-input-token-count`, `USE1-Nova2.0Lite-input-tokens-flex`,
    `USE1-openai.gpt-oss-120b-mantle-input-tokens-standard`: region, model, (mantle,) token
    kind, then the tier or routing (`-batch`, `-cross-region-global`)."""
    tokens = _token_alternatives(AiVendor.AWS_BEDROCK)
    return (
        r"^(?:[a-z]{2,4}\d-)?(?P<model>.+?)(?:-mantle)?-"
        rf"(?P<token>{tokens})(?:-(?P<tail>[a-z0-9-]+))?$"
    )


@cache
def _azure_pattern() -> str:
    """`gpt 4o 0513 Input global Tokens`, `gpt-4o-mini-0718-Inp-glbl Tokens`, `gpt 4o 1120
    cached Inp glbl`, `gpt-4-8K-Batch-Inp-glbl Tokens`: model, (batch,) token kind, deployment
    (lower-cased, hyphens read as spaces, the trailing `tokens` dropped)."""
    tokens = _token_alternatives(AiVendor.AZURE_OPENAI)
    return (
        r"^(?P<model>.+?) (?P<batch>batch )?"
        rf"(?P<token>{tokens})(?: (?P<deployment>glbl|global|regnl|regional|dzone|datazone))?$"
    )


@cache
def _vertex_pattern() -> str:
    """`Gemini 2.5 Flash Text Input - Predictions`, `Gemini 2.5 Flash GA Text Input - Batch
    Predictions`, `Gemini 2.5 Flash Thinking Text Output - Predictions` (lower-cased)."""
    tokens = _token_alternatives(AiVendor.GCP_VERTEX)
    return (
        r"^(?P<model>gemini [0-9.]+(?: [a-z]+)*?)(?: ga)? "
        rf"(?P<token>{tokens})(?: (?P<tier>priority|flex))?(?: - (?P<batch>batch )?predictions)?$"
    )


_DEPLOYMENTS = {
    "glbl": "global",
    "global": "global",
    "regnl": "regional",
    "regional": "regional",
    "dzone": "datazone",
    "datazone": "datazone",
}


def _groups(meters: pa.Array, pattern: str) -> dict[str, pa.Array]:
    """The pattern's named groups per meter: null where the meter does not match or an
    optional group took no part."""
    parts = pc.extract_regex(meters, pattern)
    names = [parts.type.field(i).name for i in range(parts.type.num_fields)]
    return {name: blank_to_null(pc.struct_field(parts, [name])) for name in names}


def _meters(vendor: AiVendor, key: pa.Array, token: pa.Array, tier: pa.Array) -> AiMeters:
    model = pc.coalesce(_translate(key, "ai_models.csv", vendor, "meter_model", "model"), key)
    token_type = _translate(token, "ai_token_types.csv", vendor, "meter_token", "token_type")
    publisher = _translate(key, "ai_models.csv", vendor, "meter_model", "publisher")
    known = pc.is_valid(token_type)
    return AiMeters(
        model=pc.if_else(known, model, _NULL),
        token_type=token_type,
        service_tier=pc.if_else(known, tier, _NULL),
        publisher=pc.if_else(known, publisher, _NULL),
    )


def _distinct_meters(text: pa.Array, read: Callable[[pa.Array], AiMeters]) -> AiMeters:
    """Run `read` on the distinct meter texts, then expand back to the rows."""
    encoded = pc.dictionary_encode(text)
    found = read(encoded.dictionary)
    indices = encoded.indices
    return AiMeters(
        model=found.model.take(indices),
        token_type=found.token_type.take(indices),
        service_tier=found.service_tier.take(indices),
        publisher=found.publisher.take(indices),
    )


def _bedrock(distinct: pa.Array) -> AiMeters:
    parts = _groups(pc.utf8_lower(distinct), _bedrock_pattern())
    tail = pc.fill_null(parts["tail"], "")
    tier = pc.coalesce(
        _groups(tail, r"(?P<tier>batch|flex|priority|reserved)")["tier"], pa.scalar("standard")
    )
    return _meters(AiVendor.AWS_BEDROCK, parts["model"], parts["token"], tier)


def _azure_openai(distinct: pa.Array) -> AiMeters:
    text = pc.utf8_lower(distinct)
    text = pc.replace_substring_regex(text, r"[\s-]+", " ")
    text = pc.replace_substring_regex(text, r" tokens$", "")
    parts = _groups(pc.utf8_trim_whitespace(text), _azure_pattern())
    key = pc.replace_substring(parts["model"], " ", "-")
    deployment = per_distinct(
        pc.fill_null(parts["deployment"], "regional"),
        lambda d: pa.array([_DEPLOYMENTS.get(v, v) for v in d.to_pylist()], STRING),
    )
    batch = pc.is_valid(parts["batch"])
    tier = pc.binary_join_element_wise(deployment, pc.if_else(batch, "batch", "standard"), "-")
    return _meters(AiVendor.AZURE_OPENAI, key, parts["token"], tier)


def _vertex(distinct: pa.Array) -> AiMeters:
    parts = _groups(pc.utf8_lower(distinct), _vertex_pattern())
    key = pc.replace_substring(parts["model"], " ", "-")
    batch = pc.is_valid(parts["batch"])
    tier = pc.coalesce(
        pc.if_else(batch, pa.scalar("batch"), _NULL),
        parts["tier"],
        pa.scalar("standard"),
    )
    return _meters(AiVendor.GCP_VERTEX, key, parts["token"], tier)


def bedrock_meters(usage_type: pa.Array, in_service: pa.Array) -> AiMeters:
    """Bedrock token lines, from the CUR usage type of rows of the Bedrock service."""
    return _only(_distinct_meters(usage_type, _bedrock), in_service)


def azure_openai_meters(meter_name: pa.Array, in_service: pa.Array) -> AiMeters:
    """Azure OpenAI / Foundry model token meters, from the meter name."""
    return _only(_distinct_meters(meter_name, _azure_openai), in_service)


def vertex_meters(sku_description: pa.Array, in_service: pa.Array) -> AiMeters:
    """Vertex AI / Gemini API token SKUs, from the SKU description."""
    return _only(_distinct_meters(sku_description, _vertex), in_service)


def _only(meters: AiMeters, in_service: pa.Array) -> AiMeters:
    keep = pc.fill_null(in_service, False)
    return AiMeters(
        *(
            pc.if_else(keep, a, _NULL)
            for a in (meters.model, meters.token_type, meters.service_tier, meters.publisher)
        )
    )


_BLOCK = re.compile(
    r"(?i)^\s*(?:(?P<count>\d+)\s*(?P<scale>[km])?\s*)?(?:tokens?|count|units?)?\s*$"
)
_SCALES = {"": 1, "k": 1_000, "m": 1_000_000}


def token_blocks(units: pa.Array) -> pa.Array:
    """Tokens per unit of a pricing unit ("1K tokens" -> 1000, "1M" -> 1000000, "count" -> 1);
    null where the unit is not a token count (then the quantity is left as the bill says)."""

    def blocks(distinct: pa.Array) -> pa.Array:
        values: list[Decimal | None] = []
        for unit in distinct.to_pylist():
            match = _BLOCK.match(unit) if unit else None
            if match is None:
                values.append(None)
                continue
            count = int(match.group("count") or 1)
            values.append(Decimal(count * _SCALES[(match.group("scale") or "").lower()]))
        return pa.array(values, DECIMAL)

    return per_distinct(units, blocks)


def apply_ai_columns(
    columns: Columns, vendor: AiVendor, meters: AiMeters, tokens: pa.Array | None = None
) -> None:
    """Fill the x_Ai columns of the recognised rows of `columns` (in place).

    `tokens`, where given and valid, is each row's token count (the bill's quantity times
    `token_blocks`); token rows then say ConsumedUnit Tokens. PublisherName becomes the
    model's publisher where the table knows it.
    """
    ai = pc.fill_null(meters.recognised, False)
    if not pc.any(ai).as_py():
        return
    length = len(ai)
    columns["x_AiVendor"] = pc.if_else(ai, vendor.value, _NULL)
    columns["x_AiModel"] = meters.model
    columns["x_AiTokenType"] = meters.token_type
    columns["x_AiServiceTier"] = meters.service_tier
    columns["x_AiCostBasis"] = pc.if_else(ai, CostBasis.BILLED.value, _NULL)
    counted = pc.fill_null(
        pc.is_in(meters.token_type, value_set=pa.array(sorted(t.value for t in TOKEN_TYPES))),
        False,
    )
    if tokens is not None:
        counted = pc.and_(counted, pc.is_valid(tokens))
        consumed = columns.get("ConsumedQuantity", pa.nulls(length, DECIMAL))
        columns["ConsumedQuantity"] = pc.if_else(counted, tokens, consumed)
    unit = columns.get("ConsumedUnit", pa.nulls(length, STRING))
    columns["ConsumedUnit"] = pc.if_else(counted, TOKENS, unit)
    publisher = columns.get("PublisherName", pa.nulls(length, STRING))
    columns["PublisherName"] = pc.coalesce(meters.publisher, publisher)


def tokens_of(quantity: pa.Array, units: pa.Array) -> pa.Array:
    """Token counts from a quantity in pricing units (null where the unit is not tokens)."""
    return multiply(token_blocks(units), quantity)
