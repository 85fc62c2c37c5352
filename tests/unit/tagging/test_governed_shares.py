"""The governed share per provider and BillingCurrency: amounts in two currencies never add,
and charges that belong to no resource stay out of the share."""

from __future__ import annotations

from decimal import Decimal

from costplane.adapters.lake.spend_by_type import Spend
from costplane.planes.coverage import NotResource, ProviderShare, coverage_rows, governed_shares
from costplane.planes.envelopes import register_every_cloud


def _shares(*spend: Spend) -> dict[tuple[str, str], ProviderShare]:
    register_every_cloud()
    return {(s.provider, s.currency): s for s in governed_shares(coverage_rows(), list(spend))}


def test_each_currency_of_a_provider_has_its_own_share() -> None:
    shares = _shares(
        Spend("aws", "USD", "Amazon DynamoDB", "aws.dynamodb.table", Decimal(10)),
        Spend("aws", "EUR", "Amazon DynamoDB", "aws.dynamodb.table", Decimal(7)),
        Spend("aws", "EUR", "AWS CloudTrail", None, Decimal(7)),
    )

    usd, eur = shares[("aws", "USD")], shares[("aws", "EUR")]
    assert (usd.total, usd.governed_share) == (Decimal(10), 1.0)
    assert (eur.total, eur.governed_share) == (Decimal(14), 0.5)


def test_charges_of_no_resource_are_apart_from_the_share() -> None:
    [share] = _shares(
        Spend("gcp", "USD", "Compute Engine", "gcp.compute.instance", Decimal(90)),
        Spend("gcp", "USD", "Support", None, Decimal(30), charge="Support"),
        Spend("gcp", "USD", "Compute Engine", None, Decimal(-5), charge="Credit"),
    ).values()

    assert (share.total, share.governed_share) == (Decimal(90), 1.0)
    assert share.not_resource_total == Decimal(25)
    assert share.not_resource == [
        NotResource("Support", "Support", Decimal(30)),
        NotResource("Credit", "Compute Engine", Decimal(-5)),
    ]


def test_a_bill_of_no_resource_spend_has_no_share() -> None:
    [share] = _shares(Spend("gcp", "USD", "Support", None, Decimal(30), charge="Support")).values()

    assert share.governed_share is None
