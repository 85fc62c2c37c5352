"""Tag checks: keys match across cloud spellings, defaults are inherited, exemptions expire."""

from __future__ import annotations

from datetime import date

from costplane.domain.tag_keys import canonical
from costplane.domain.tag_resolution import TagResolver
from costplane.tagging.check import TagChecker
from tests.support.tagging import NOW, make_event, make_taxonomy


def test_cloud_spellings_of_a_key_share_one_canonical_form() -> None:
    assert {canonical(k) for k in ("CostCenter", "cost-center", "cost_center", "costcenter")} == {
        "costcenter"
    }


def test_observed_aliases_resolve_to_taxonomy_key_names() -> None:
    resolved = TagResolver(make_taxonomy()).resolve(
        {"cc": "CC-1234", "team": "payments", "Other": "x"}
    )
    assert resolved == {"CostCenter": "CC-1234", "Team": "payments", "Other": "x"}


def test_required_keys_absent_after_inheritance_are_missing() -> None:
    check = TagChecker(make_taxonomy()).check(make_event(), {}, NOW.date())
    assert check.inherited == {"CostCenter": "CC-1001"}
    assert check.missing == ["Team"]
    assert not check.compliant


def test_observed_value_wins_over_inherited_default() -> None:
    check = TagChecker(make_taxonomy()).check(
        make_event(), {"CostCenter": "CC-9999", "Team": "platform"}, NOW.date()
    )
    assert check.inherited == {}
    assert check.resolved["CostCenter"] == "CC-9999"
    assert check.compliant


def test_value_outside_allowed_list_is_invalid_with_reason() -> None:
    check = TagChecker(make_taxonomy()).check(
        make_event(), {"Team": "marketing", "CostCenter": "CC-1001"}, NOW.date()
    )
    assert check.invalid == {"Team": "'marketing' is not one of payments, platform"}


def test_allowed_values_compare_case_insensitively_for_lowercase_gcp_labels() -> None:
    taxonomy = make_taxonomy(
        keys=[{"key": "Team", "allowed": ["Payments"]}], defaults=[], owners=[]
    )
    check = TagChecker(taxonomy).check(make_event(), {"team": "payments"}, NOW.date())
    assert check.compliant


def test_value_not_matching_pattern_is_invalid() -> None:
    check = TagChecker(make_taxonomy()).check(
        make_event(), {"Team": "platform", "CostCenter": "1001"}, NOW.date()
    )
    assert check.invalid == {"CostCenter": "'1001' does not match ^CC-[0-9]{4}$"}


def test_key_scoped_to_other_resource_types_is_not_required() -> None:
    event = make_event(resource_type="aws.s3.bucket", resource_id="logs")
    ec2 = TagChecker(make_taxonomy()).check(make_event(), {"Team": "platform"}, NOW.date())
    s3 = TagChecker(make_taxonomy()).check(event, {"Team": "platform"}, NOW.date())
    assert "DataClassification" not in ec2.missing
    assert "DataClassification" in s3.missing


def test_blank_value_counts_as_missing() -> None:
    check = TagChecker(make_taxonomy()).check(make_event(), {"Team": "  "}, NOW.date())
    assert "Team" in check.missing


def test_exemption_applies_until_its_expiry_day_inclusive() -> None:
    taxonomy = make_taxonomy(
        exemptions=[{"resource": "i-0123*", "reason": "migration", "expires": "2026-11-27"}]
    )
    checker = TagChecker(taxonomy)
    assert checker.check(make_event(), {}, date(2026, 11, 27)).compliant
    assert not checker.check(make_event(), {}, date(2026, 11, 28)).compliant


def test_two_keys_claiming_one_spelling_are_rejected() -> None:
    import pytest
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="claimed by both 'Team' and 'Squad'"):
        make_taxonomy(keys=[{"key": "Team"}, {"key": "Squad", "aliases": ["team"]}])
