"""The lake's AI rows as budgets and `costplane ai spend` read them: which rows count tokens,
which provider a vendor's rows belong to, and what AI resource a row is about.

Tokens are the ConsumedQuantity of rows whose x_AiTokenType is a token (not an image, a
second or a request). A vendor with a usage source (OpenAI, Anthropic) counts its tokens on the
usage rows (priced, reported or unpriced); its cost-report rows (billed) carry the money of the
same tokens and are not counted again. The clouds' AI rows are bills that carry both, so
their billed rows count.
"""

from __future__ import annotations

from collections.abc import Iterable

from costplane.billing.lake.table import Lake
from costplane.domain.ai import TOKEN_TYPES, AiVendor, CostBasis, TokenType
from costplane.domain.events import Provider

CACHE_READS = (TokenType.CACHE_READ, TokenType.CACHE_READ_AUDIO, TokenType.CACHE_READ_IMAGE)
UNCACHED_INPUTS = (TokenType.INPUT, TokenType.INPUT_AUDIO, TokenType.INPUT_IMAGE)
USAGE_VENDORS = (AiVendor.OPENAI, AiVendor.ANTHROPIC)
"""Vendors whose tokens arrive on usage rows, apart from their cost report."""


AI_COLUMNS = (
    "x_AiVendor",
    "x_AiModel",
    "x_AiTokenType",
    "x_AiApiKeyId",
    "x_AiUserId",
    "x_AiCostBasis",
    "ConsumedQuantity",
)


def _in(values: Iterable[str]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


COUNTS_TOKENS_SQL = (
    f"(x_AiTokenType IN {_in(sorted(TOKEN_TYPES))} AND (x_AiCostBasis <> '{CostBasis.BILLED}' "
    f"OR x_AiVendor NOT IN {_in(USAGE_VENDORS)}))"
)
"""A row whose ConsumedQuantity counts as tokens, once."""
TOKENS_SQL = f"sum(CASE WHEN {COUNTS_TOKENS_SQL} THEN ConsumedQuantity END)"


def tokens_of(types: Iterable[str]) -> str:
    """The tokens of `types` alone (cache reads, uncached input) among the counted rows."""
    return (
        f"sum(CASE WHEN {COUNTS_TOKENS_SQL} AND x_AiTokenType IN {_in(types)} "
        "THEN ConsumedQuantity END)"
    )


def has_ai_columns(lake: Lake) -> bool:
    """Whether the lake's schema has the AI columns yet (it gains them with the first rows
    written since they exist); a lake without them has no AI rows."""
    names = {field.name for field in lake.focus.refresh().schema().fields}
    return all(column in names for column in AI_COLUMNS)


def ai_resource_type(provider: str, api_key: str, stem_type: str | None) -> str:
    """An AI row's resource type: the bill's own for the clouds; for the API vendors the API
    key when the row names one, else the project (OpenAI) or workspace (Anthropic)."""
    if stem_type or provider not in (Provider.OPENAI, Provider.ANTHROPIC):
        return stem_type or ""
    if api_key:
        return f"{provider}.api-key"
    return "openai.project" if provider == Provider.OPENAI else "anthropic.workspace"
