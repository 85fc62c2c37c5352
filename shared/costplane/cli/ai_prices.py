"""`costplane ai prices`: the bundled AI price book, per million tokens, with its sources."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

import typer

from costplane.cli.lake import print_json_lines
from costplane.cli.output import JsonOption, exact_money, fail, say, table
from costplane.domain.ai import TOKEN_TYPES, AiVendor, Price, bundled_price_book

MILLION = 1_000_000

VendorOption = Annotated[
    str | None,
    typer.Option(
        "--vendor",
        help=f"Only this vendor's prices ({', '.join(v.value for v in AiVendor)}).",
        show_default=False,
    ),
]


def prices_command(vendor: VendorOption = None, as_json: JsonOption = False) -> None:
    """List the price book: per vendor, model, token type, tier and context window, the
    public price per 1M tokens (per unit for images, seconds, requests), the page it was
    read from and the date it was read. Usage without cost is priced from this book."""
    book = bundled_price_book()
    try:
        wanted = AiVendor(vendor) if vendor else None
    except ValueError:
        fail(f"no vendor {vendor!r}: one of {', '.join(v.value for v in AiVendor)}")
    prices = [p for p in book.prices if wanted is None or p.vendor is wanted]
    if as_json:
        print_json_lines([{"version": book.version}, *map(_price_json, prices)])
        return
    table(
        f"AI price book, version {book.version}",
        ["vendor", "model", "token type", "tier", "window", "price", "per", "as of"],
        (
            (
                p.vendor.value,
                p.model,
                p.token_type.value,
                p.service_tier,
                p.context_window,
                exact_money(shown_price(p), p.currency),
                _per(p),
                p.as_of.isoformat(),
            )
            for p in prices
        ),
    )
    say("Sources:")
    for source in sorted({p.source for p in prices}):
        say(f"  {source}")


def _per(price: Price) -> str:
    return "1M tokens" if price.token_type in TOKEN_TYPES else price.token_type.value


def shown_price(price: Price) -> Decimal:
    """The price per 1M tokens for token types, per one unit for the others."""
    scale = MILLION if price.token_type in TOKEN_TYPES else 1
    return price.unit_price * scale


def _price_json(price: Price) -> dict[str, object]:
    return {
        "vendor": price.vendor.value,
        "model": price.model,
        "token_type": price.token_type.value,
        "service_tier": price.service_tier,
        "context_window": price.context_window,
        "price": format(price.price.normalize(), "f"),
        "per": price.per,
        "currency": price.currency,
        "source": price.source,
        "as_of": price.as_of.isoformat(),
    }
