"""The admission check: worst case reserved against every budget in scope, refusals that say
which budget and why, settlement to the actual cost, expiry, idempotency by request id."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from costplane.adapters.local.admission_ledger import SqliteAdmissionLedger
from costplane.ai.admission import Usage
from costplane.ai.ports import ReservationUnknown
from costplane.config import Settings
from costplane.domain.ai import TokenType
from costplane.domain.budgets import Budget
from costplane.planes import load_plane
from tests.unit.ai.admission_support import WORST, Clock, budget, request
from tests.unit.ai.conftest import Build

LEDGER = "openai#2026-11"


def test_the_worst_case_is_input_plus_maximum_output_at_the_model_price(service: Build) -> None:
    admitted = service().reserve(request())
    assert admitted.admitted
    assert admitted.reserved == WORST
    assert admitted.currency == "USD"


def test_a_reservation_counts_in_every_budget_whose_scope_covers_the_caller(
    service: Build, ledger: SqliteAdmissionLedger
) -> None:
    budgets = (
        budget("openai", "1.00", provider="openai"),
        budget("search", "1.00", tags={"team": "search"}),
        budget("mini", "1.00", tags={"model": "gpt-4o-mini"}),
        budget("project", "1.00", provider="openai", account="proj_search"),
        budget("payments", "1.00", tags={"team": "payments"}),
        budget("anthropic", "1.00", provider="anthropic"),
    )
    admitted = service(*budgets).reserve(request())
    assert admitted.budgets == ("openai", "search", "mini", "project")
    assert ledger.committed("search#2026-11") == WORST
    assert ledger.committed("payments#2026-11") == 0


def test_a_request_that_would_pass_a_budget_is_refused_naming_it(service: Build) -> None:
    check = service(budget("tight", "0.001", provider="openai"))
    assert check.reserve(request("r1")).admitted
    refused = check.reserve(request("r2"))
    assert not refused.admitted
    assert refused.refusal is not None
    assert refused.refusal.reason == "over-budget"
    assert refused.refusal.budget == "tight"
    assert refused.refusal.committed == WORST
    assert "'tight' has 0.00025 USD left of 0.001 in 2026-11" in refused.refusal.message


def test_a_refusal_by_one_budget_reserves_nothing_in_the_others(
    service: Build, ledger: SqliteAdmissionLedger
) -> None:
    check = service(budget("wide", "1.00"), budget("narrow", "0.0005", provider="openai"))
    assert not check.reserve(request()).admitted
    assert ledger.committed("wide#2026-11") == 0


def test_an_unknown_model_is_refused_fail_closed(service: Build) -> None:
    refused = service().reserve(request(model="gpt-9-turbo"))
    assert not refused.admitted
    assert refused.refusal is not None
    assert refused.refusal.reason == "unpriced"
    assert "no price for openai gpt-9-turbo input tokens" in refused.refusal.message


def test_a_model_without_an_output_price_is_refused_when_output_is_asked(service: Build) -> None:
    embedding = request(model="text-embedding-3-small")
    assert service().reserve(embedding.model_copy(update={"max_output_tokens": 0})).admitted
    assert not service().reserve(embedding.model_copy(update={"request_id": "r2"})).admitted


def test_a_budget_in_another_currency_refuses_rather_than_compare_unlike_money(
    service: Build,
) -> None:
    euros = budget("euros", "100", provider="openai").model_copy(update={"currency": "EUR"})
    refused = service(euros).reserve(request())
    assert refused.refusal is not None
    assert refused.refusal.reason == "currency"


def test_a_retried_request_id_does_not_reserve_twice(
    service: Build, ledger: SqliteAdmissionLedger
) -> None:
    check = service()
    first, retry = check.reserve(request()), check.reserve(request())
    assert retry == first
    assert ledger.committed(LEDGER) == WORST


def test_settling_replaces_the_reservation_by_the_actual_cost(
    service: Build, ledger: SqliteAdmissionLedger
) -> None:
    check = service()
    check.reserve(request())
    usage = Usage(tokens={TokenType.INPUT: 1000, TokenType.OUTPUT: 100})
    settled = check.settle("r1", usage)
    assert settled.cost == Decimal("0.00021")
    assert settled.priced
    assert ledger.committed(LEDGER) == Decimal("0.00021")


def test_settling_twice_counts_the_cost_once(service: Build, ledger: SqliteAdmissionLedger) -> None:
    check = service()
    check.reserve(request())
    check.settle("r1", Usage(cost=Decimal("0.0002")))
    check.settle("r1", Usage(cost=Decimal("0.0002")))
    assert ledger.committed(LEDGER) == Decimal("0.0002")


def test_usage_of_an_unpriced_token_type_keeps_the_reserved_maximum(service: Build) -> None:
    check = service()
    check.reserve(request())
    settled = check.settle("r1", Usage(tokens={TokenType.OUTPUT_AUDIO: 50}))
    assert not settled.priced
    assert settled.cost == WORST


def test_settling_an_unknown_reservation_says_so(service: Build) -> None:
    with pytest.raises(ReservationUnknown):
        service().settle("never", Usage(cost=Decimal(1)))


def test_a_reservation_never_settled_is_released_after_its_ttl(
    service: Build, ledger: SqliteAdmissionLedger, clock: Clock
) -> None:
    check = service(budget("tight", "0.001", provider="openai"), ttl=timedelta(minutes=5))
    assert check.reserve(request("abandoned")).admitted
    clock.moment += timedelta(minutes=5)
    assert check.reserve(request("next")).admitted
    assert ledger.committed("tight#2026-11") == WORST


def test_an_expired_reservation_settled_late_still_counts_its_cost(
    service: Build, ledger: SqliteAdmissionLedger, clock: Clock
) -> None:
    check = service(ttl=timedelta(minutes=5))
    check.reserve(request())
    clock.moment += timedelta(minutes=6)
    assert ledger.expire(clock.moment) == 1
    check.settle("r1", Usage(cost=Decimal("0.0001")))
    assert ledger.committed(LEDGER) == Decimal("0.0001")


def test_a_retry_of_an_expired_request_id_is_refused(service: Build, clock: Clock) -> None:
    check = service(ttl=timedelta(minutes=5))
    check.reserve(request())
    clock.moment += timedelta(minutes=6)
    check.ledger.expire(clock.moment)
    refused = check.reserve(request())
    assert refused.refusal is not None
    assert refused.refusal.reason == "expired"


def test_a_new_period_starts_its_budgets_from_nothing(
    service: Build, ledger: SqliteAdmissionLedger, clock: Clock
) -> None:
    check = service(budget("tight", "0.001", provider="openai"))
    check.reserve(request("october"))
    clock.moment = clock.moment.replace(month=12)
    assert check.reserve(request("december")).admitted
    assert ledger.committed("tight#2026-12") == WORST


def test_a_plane_without_a_shared_store_refuses_to_admit_rather_than_keep_a_file_per_instance(
    tmp_path: Path,
) -> None:
    with pytest.raises(NotImplementedError, match="the azure plane has no AI admission store"):
        load_plane("azure", Settings(lake=tmp_path)).admission_ledger()


def test_a_budget_scoped_to_a_model_covers_only_requests_for_that_model(service: Build) -> None:
    budgets = (budget("mini", "1.00", model="gpt-4o-mini"), budget("big", "1.00", model="gpt-4o"))
    assert service(*budgets).reserve(request()).budgets == ("mini",)


def test_a_budget_scoped_to_an_api_key_covers_only_that_keys_requests(service: Build) -> None:
    check = service(budget("key", "1.00", api_key="key_search"))
    assert check.reserve(request("r1", attribution={"api_key": "key_search"})).budgets == ("key",)
    assert check.reserve(request("r2", attribution={"api_key": "key_other"})).budgets == ()


def test_a_budget_in_tokens_refuses_a_request_over_its_tokens_though_cheap(
    service: Build,
) -> None:
    tokens = Budget.model_validate(
        {"name": "tokens", "amount": "2500", "unit": "tokens", "scope": {"provider": "openai"}}
    )
    check = service(tokens)
    assert check.reserve(request("r1")).admitted
    refused = check.reserve(request("r2"))
    assert refused.refusal is not None
    assert (refused.refusal.reason, refused.refusal.budget) == ("over-budget", "tokens")
