"""The AI vocabulary every layer shares: vendors, what a usage line consumed, how its cost
is known, and the price book that prices usage arriving without cost.

The bill side (normalisers, reconciliation) and the event side (admission, AI budgets)
both price tokens; the book lives here so that both read one file and neither imports the
other. Prices are per unit of the token type (a token, an image, a second), stored as
the vendor publishes them (per `per` units, usually per million tokens).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import cache
from importlib import resources

from costplane.domain.events import Provider


class AiVendor(StrEnum):
    """Who served the model call (the x_AiVendor column; the price book's first key)."""

    OPENAI = "openai"
    ANTHROPIC = "anthropic"
    AWS_BEDROCK = "aws-bedrock"
    AZURE_OPENAI = "azure-openai"
    GCP_VERTEX = "gcp-vertex"


class TokenType(StrEnum):
    """What one AI row consumed (x_AiTokenType): the parts never overlap, so they add up.

    `input` is uncached input; cache reads and writes are their own parts. The non-token
    units are what vendors meter besides tokens.
    """

    INPUT = "input"
    CACHE_READ = "cache_read"
    CACHE_WRITE = "cache_write"
    CACHE_WRITE_5M = "cache_write_5m"
    CACHE_WRITE_1H = "cache_write_1h"
    OUTPUT = "output"
    INPUT_AUDIO = "input_audio"
    CACHE_READ_AUDIO = "cache_read_audio"
    OUTPUT_AUDIO = "output_audio"
    INPUT_IMAGE = "input_image"
    CACHE_READ_IMAGE = "cache_read_image"
    OUTPUT_IMAGE = "output_image"
    IMAGE = "image"
    CHARACTER = "character"
    SECOND = "second"
    REQUEST = "request"
    SESSION = "session"
    GIGABYTE_DAY = "gigabyte_day"


TOKEN_TYPES = frozenset(
    {
        TokenType.INPUT,
        TokenType.CACHE_READ,
        TokenType.CACHE_WRITE,
        TokenType.CACHE_WRITE_5M,
        TokenType.CACHE_WRITE_1H,
        TokenType.OUTPUT,
        TokenType.INPUT_AUDIO,
        TokenType.CACHE_READ_AUDIO,
        TokenType.OUTPUT_AUDIO,
        TokenType.INPUT_IMAGE,
        TokenType.CACHE_READ_IMAGE,
        TokenType.OUTPUT_IMAGE,
    }
)
"""Token types that count tokens (ConsumedUnit Tokens); the others count images, seconds,
requests, sessions and GB-days."""

VENDOR_PROVIDER = {
    AiVendor.OPENAI: Provider.OPENAI,
    AiVendor.ANTHROPIC: Provider.ANTHROPIC,
    AiVendor.AWS_BEDROCK: Provider.AWS,
    AiVendor.AZURE_OPENAI: Provider.AZURE,
    AiVendor.GCP_VERTEX: Provider.GCP,
}
"""Whose scope a vendor's AI spend falls in: the API vendors are providers of their own, the
clouds' AI services belong to their cloud."""


class CostBasis(StrEnum):
    """How an AI row's cost is known (x_AiCostBasis), so spend is never counted twice.

    `billed`: the vendor's bill or cost report. `priced`: usage times the price book, until a
    cost report covers the day. `reported`: usage whose money is on a cost-report row of the
    same vendor, account and day (its cost columns are zero). `unpriced`: usage the book
    has no price for (cost zero, and said so).
    """

    BILLED = "billed"
    PRICED = "priced"
    REPORTED = "reported"
    UNPRICED = "unpriced"


ANY = "*"
"""A price-book tier or context window that matches every value."""

PRICE_BOOK_COLUMNS = (
    "vendor",
    "model",
    "token_type",
    "service_tier",
    "context_window",
    "price",
    "per",
    "currency",
    "source",
    "as_of",
)


@dataclass(frozen=True, slots=True)
class Price:
    """One published price: `price` `currency` per `per` units of `token_type`."""

    vendor: AiVendor
    model: str
    token_type: TokenType
    service_tier: str
    context_window: str
    price: Decimal
    per: int
    currency: str
    source: str
    as_of: date

    @property
    def unit_price(self) -> Decimal:
        """The price of one unit (one token, one image, one second)."""
        return self.price / self.per


class PriceBookError(ValueError):
    """The price book file is malformed; the message names the line."""


@dataclass(frozen=True, slots=True)
class PriceBook:
    """Prices by vendor, model, token type, service tier and context window.

    A model id matches its own entry, or else the entry it extends with a dated snapshot
    suffix only (`gpt-4o-mini-2024-07-18` → `gpt-4o-mini`, `claude-haiku-4-5-20251001` →
    `claude-haiku-4-5`; `gpt-4o-audio-preview` is not `gpt-4o`). Tier and context window
    match exactly before `*`. No match is None: an unknown price is never guessed.
    """

    version: str
    prices: tuple[Price, ...]

    def lookup(
        self,
        vendor: AiVendor,
        model: str,
        token_type: TokenType,
        service_tier: str | None = None,
        context_window: str | None = None,
    ) -> Price | None:
        candidates = [
            p
            for p in self.prices
            if p.vendor is vendor
            and p.token_type is token_type
            and (model == p.model or _is_snapshot_of(model, p.model))
            and p.service_tier in (ANY, service_tier or "")
            and p.context_window in (ANY, context_window or "")
        ]
        if not candidates:
            return None
        return max(
            candidates,
            key=lambda p: (len(p.model), p.service_tier != ANY, p.context_window != ANY),
        )

    def models(self, vendor: AiVendor) -> list[str]:
        return sorted({p.model for p in self.prices if p.vendor is vendor})


_SNAPSHOT = re.compile(r"-(\d{4}-\d{2}-\d{2}|\d{8})")


def _is_snapshot_of(model: str, base: str) -> bool:
    return model.startswith(base) and bool(_SNAPSHOT.fullmatch(model[len(base) :]))


def parse_price_book(text: str, *, name: str = "price book") -> PriceBook:
    """A price book from CSV text: `# version: …` first, comments, then PRICE_BOOK_COLUMNS."""
    lines = text.splitlines()
    version = next((ln.split(":", 1)[1].strip() for ln in lines if ln.startswith("# version:")), "")
    if not version:
        raise PriceBookError(f"{name}: no '# version: …' line")
    body = [(n, ln) for n, ln in enumerate(lines, 1) if ln.strip() and not ln.startswith("#")]
    rows = list(csv.reader(io.StringIO("\n".join(ln for _, ln in body))))
    if not rows or tuple(rows[0]) != PRICE_BOOK_COLUMNS:
        raise PriceBookError(f"{name}: header must be {','.join(PRICE_BOOK_COLUMNS)}")
    prices = []
    for (line, _), row in zip(body[1:], rows[1:], strict=True):
        prices.append(_price(row, f"{name} line {line}"))
    keys = [(p.vendor, p.model, p.token_type, p.service_tier, p.context_window) for p in prices]
    if len(set(keys)) != len(keys):
        raise PriceBookError(f"{name}: a vendor/model/token type/tier/window is priced twice")
    return PriceBook(version, tuple(prices))


def _price(row: list[str], where: str) -> Price:
    if len(row) != len(PRICE_BOOK_COLUMNS):
        raise PriceBookError(f"{where}: {len(row)} fields, expected {len(PRICE_BOOK_COLUMNS)}")
    fields = dict(zip(PRICE_BOOK_COLUMNS, row, strict=True))
    try:
        price = Decimal(fields["price"])
        per = int(fields["per"])
        return Price(
            vendor=AiVendor(fields["vendor"]),
            model=fields["model"],
            token_type=TokenType(fields["token_type"]),
            service_tier=fields["service_tier"],
            context_window=fields["context_window"],
            price=price,
            per=per,
            currency=fields["currency"],
            source=fields["source"],
            as_of=date.fromisoformat(fields["as_of"]),
        )
    except (InvalidOperation, ValueError) as error:
        raise PriceBookError(f"{where}: {error}") from None


@cache
def bundled_price_book() -> PriceBook:
    """The price book shipped in `costplane/data/ai_prices.csv`."""
    text = resources.files("costplane").joinpath("data", "ai_prices.csv").read_text("utf-8")
    return parse_price_book(text, name="ai_prices.csv")
