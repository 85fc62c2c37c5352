"""Budgets that count AI tokens: a request holds its input plus maximum output tokens against
them, beside its worst-case cost against the money budgets, in the same transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from costplane.adapters.local.admission_ledger import SqliteAdmissionLedger
from costplane.ai.admission import AdmissionService, Usage
from costplane.ai.ports import Caller, Limit
from costplane.domain.ai import TokenType, bundled_price_book
from tests.unit.ai.admission_support import WORST, Clock, request

TOKENS = Limit("search-tokens", "search-tokens#2026-11", Decimal(3000), "EUR", "tokens")
MONEY = Limit("search-money", "search-money#2026-11", Decimal(1), "USD")


class Fixed:
    """Budgets in scope of every caller: one counting tokens, one money."""

    def limits(self, caller: Caller, at: datetime) -> Sequence[Limit]:
        return (TOKENS, MONEY)


def check(ledger: SqliteAdmissionLedger, clock: Clock) -> AdmissionService:
    return AdmissionService(ledger, Fixed(), bundled_price_book(), clock.now)


def test_a_request_holds_its_tokens_and_its_cost(
    ledger: SqliteAdmissionLedger, clock: Clock
) -> None:
    assert check(ledger, clock).reserve(request()).admitted
    assert ledger.committed(TOKENS.ledger) == 2000
    assert ledger.committed(MONEY.ledger) == WORST


def test_a_tokens_budget_refuses_in_tokens(ledger: SqliteAdmissionLedger, clock: Clock) -> None:
    service = check(ledger, clock)
    service.reserve(request("r1"))
    refused = service.reserve(request("r2"))
    assert refused.refusal is not None
    assert refused.refusal.budget == "search-tokens"
    assert "has 1000 tokens left of 3000 in 2026-11; the request may take 2000" in (
        refused.refusal.message
    )
    assert ledger.committed(MONEY.ledger) == WORST


def test_settling_counts_the_tokens_used(ledger: SqliteAdmissionLedger, clock: Clock) -> None:
    service = check(ledger, clock)
    service.reserve(request())
    service.settle("r1", Usage(tokens={TokenType.INPUT: 1000, TokenType.OUTPUT: 200}))
    assert ledger.committed(TOKENS.ledger) == 1200


def test_a_cost_without_tokens_keeps_the_reserved_tokens(
    ledger: SqliteAdmissionLedger, clock: Clock
) -> None:
    service = check(ledger, clock)
    service.reserve(request())
    service.settle("r1", Usage(cost=Decimal("0.0001")))
    assert ledger.committed(TOKENS.ledger) == 2000
    assert ledger.committed(MONEY.ledger) == Decimal("0.0001")


def test_an_expired_request_gives_its_tokens_back(
    ledger: SqliteAdmissionLedger, clock: Clock
) -> None:
    service = check(ledger, clock)
    service.reserve(request())
    assert ledger.expire(clock.now() + service.ttl) == 1
    assert ledger.committed(TOKENS.ledger) == 0
