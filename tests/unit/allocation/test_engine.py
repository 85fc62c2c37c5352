"""The allocation engine: every rule method, chained steps, and no cent ever lost."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from costplane.billing.allocation.engine import allocate
from costplane.billing.allocation.errors import AllocationError
from costplane.billing.allocation.result import UNALLOCATED, Allocation
from costplane.billing.allocation.rules import RuleSet
from costplane.domain.money import quantize
from tests.unit.allocation.bills import bill, line


def rule_set(*steps: list[dict[str, Any]], **extra: Any) -> RuleSet:
    return RuleSet.model_validate(
        {"name": "t", "steps": [{"name": f"s{i}", "rules": r} for i, r in enumerate(steps)]} | extra
    )


def run(rules: RuleSet, *lines: dict[str, Any]) -> Allocation:
    return allocate(rules, bill(*lines).to_batches())


def owed(allocation: Allocation) -> dict[str, str]:
    return {o: str(amount) for (_, _, o), amount in sorted(allocation.totals().items())}


def select(name: str, distribute: dict[str, Any], **where: Any) -> dict[str, Any]:
    return {"name": name, "select": where, "distribute": distribute}


def split(name: str, sources: list[str], distribute: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "from": sources, "distribute": distribute}


TEAM_TAG = select("teams", {"method": "tag", "key": "team", "prefix": "team:"}, tags={"team": "*"})


def test_direct_sends_a_whole_pool_to_one_owner() -> None:
    rules = rule_set([select("net", {"method": "direct", "to": "network"})])
    assert owed(run(rules, line("1.25"), line("2.50"))) == {"network": "3.75"}


def test_tag_value_names_the_owner_and_untagged_lines_fall_through() -> None:
    rules = rule_set([TEAM_TAG], fallback="central")
    result = run(rules, line("1", tags={"team": "web"}), line("2", tags={"team": "api"}), line("4"))
    assert owed(result) == {"central": "4.00", "team:api": "2.00", "team:web": "1.00"}


def test_without_a_fallback_unclaimed_cost_is_shown_as_unallocated() -> None:
    result = run(rule_set([TEAM_TAG]), line("1", tags={"team": "web"}), line("0.5"))
    assert owed(result)[UNALLOCATED] == "0.50"
    assert result.unallocated() == {(date(2024, 9, 1), "USD"): Decimal("0.50")}


def test_even_split_gives_the_odd_cent_to_the_first_target() -> None:
    rules = rule_set([select("s", {"method": "even", "targets": ["a", "b", "c"]})])
    assert owed(run(rules, line("1.00"))) == {"a": "0.34", "b": "0.33", "c": "0.33"}


def test_fixed_percentages_split_a_credit_too() -> None:
    rules = rule_set([select("s", {"method": "fixed", "shares": {"a": 70, "b": "30"}})])
    assert owed(run(rules, line("-10.01"))) == {"a": "-7.01", "b": "-3.00"}


def test_proportional_to_cost_follows_what_each_target_was_given() -> None:
    rules = rule_set(
        [TEAM_TAG, select("net", {"method": "direct", "to": "network"}, untagged=["team"])],
        [
            split(
                "share-net",
                ["network"],
                {"method": "proportional", "metric": {"source": "cost"}, "targets": ["team:*"]},
            )
        ],
    )
    result = run(
        rules, line("30", tags={"team": "web"}), line("10", tags={"team": "api"}), line("8")
    )
    assert owed(result) == {"team:api": "12.00", "team:web": "36.00"}
    shared = next(x for x in result.lines if x.rule == "share-net" and x.cost_object == "team:web")
    assert shared.share is not None
    assert shared.share.ratio == Decimal("0.75")


def test_proportional_to_a_lake_metric_weighs_by_usage_per_tag() -> None:
    metric = {
        "source": "lake",
        "value": "ConsumedQuantity",
        "by": {"tag": "team"},
        "where": {"where": {"ServiceName": ["API Gateway"]}},
    }
    rules = rule_set(
        [
            select(
                "platform",
                {"method": "proportional", "metric": metric, "prefix": "team:"},
                where={"ServiceCategory": ["Databases"]},
            ),
            select(
                "gw", {"method": "direct", "to": "gateway"}, where={"ServiceName": ["API Gateway"]}
            ),
        ]
    )
    result = run(
        rules,
        line("9", category="Databases", service="RDS"),
        line("1", service="API Gateway", quantity="300", tags={"team": "web"}),
        line("1", service="API Gateway", quantity="600", tags={"team": "api"}),
    )
    assert owed(result) == {"gateway": "2.00", "team:api": "6.00", "team:web": "3.00"}


def test_usage_without_an_owner_leaves_its_share_visibly_unallocated() -> None:
    metric = {"source": "lake", "value": "ConsumedQuantity", "by": {"tag": "team"}}
    rules = rule_set(
        [
            select(
                "pool",
                {"method": "proportional", "metric": metric},
                where={"ServiceCategory": ["Databases"]},
            )
        ],
        fallback="central",
    )
    result = run(
        rules,
        line("10", category="Databases", quantity="0"),
        line("0", quantity="1", tags={"team": "web"}),
        line("0", quantity="1"),
    )
    assert owed(result) == {UNALLOCATED: "5.00", "web": "5.00"}


def test_proportional_to_a_metrics_file_reads_the_period_rows(tmp_path: Path) -> None:
    (tmp_path / "requests.csv").write_text(
        "month,team,requests\n2024-09,web,100\n2024-09,api,300\n2024-08,web,999\n"
    )
    metric = {
        "source": "file",
        "path": str(tmp_path / "requests.csv"),
        "key": "team",
        "value": "requests",
        "period_column": "month",
    }
    rules = rule_set([select("s", {"method": "proportional", "metric": metric})])
    assert owed(run(rules, line("8"))) == {"api": "6.00", "web": "2.00"}


def test_chained_steps_move_cost_platform_to_teams_to_products() -> None:
    rules = rule_set(
        [select("platform", {"method": "direct", "to": "platform"})],
        [split("teams", ["platform"], {"method": "fixed", "shares": {"web": 50, "api": 50}})],
        [split("products", ["web"], {"method": "even", "targets": ["shop", "blog"]})],
    )
    result = run(rules, line("1.01"))
    assert owed(result) == {"api": "0.50", "blog": "0.25", "shop": "0.26"}  # listed order wins ties
    assert {x.cost_object: x.step for x in result.lines} == {
        "api": "s1",
        "blog": "s2",
        "shop": "s2",
    }


def test_all_zero_weights_leave_the_pool_unallocated_with_a_warning(tmp_path: Path) -> None:
    (tmp_path / "m.csv").write_text("team,requests\nweb,0\napi,0\n")
    metric = {"source": "file", "path": str(tmp_path / "m.csv"), "key": "team", "value": "requests"}
    rules = rule_set([select("shared", {"method": "proportional", "metric": metric})])
    result = run(rules, line("5"))
    assert owed(result) == {UNALLOCATED: "5.00"}
    assert [w.code for w in result.warnings] == ["all_zero_weights"]
    assert "all 2 consumers weigh 0; 5.00 stays unallocated" in result.warnings[0].message


def test_a_negative_weight_counts_as_zero_with_a_warning() -> None:
    rules = rule_set(
        [TEAM_TAG, select("net", {"method": "direct", "to": "net"}, untagged=["team"])],
        [
            split(
                "s",
                ["net"],
                {"method": "proportional", "metric": {"source": "cost"}, "targets": ["team:*"]},
            )
        ],
    )
    result = run(
        rules, line("-2", tags={"team": "web"}), line("3", tags={"team": "api"}), line("6")
    )
    assert owed(result) == {"team:api": "9.00", "team:web": "-2.00"}
    assert [w.code for w in result.warnings] == ["negative_weight"]


def test_overlapping_rules_are_refused_with_the_lines_they_share() -> None:
    rules = rule_set(
        [
            select(
                "compute", {"method": "direct", "to": "a"}, where={"ServiceCategory": ["Compute"]}
            ),
            select(
                "account", {"method": "direct", "to": "b"}, where={"SubAccountId": ["111111111111"]}
            ),
        ]
    )
    with pytest.raises(AllocationError) as caught:
        run(rules, line("1.5"), line("2", category="Storage"))
    assert caught.value.code == "overlapping_rules"
    assert "'compute' and 'account' both select 1 line(s) costing 1.5 USD" in caught.value.message


def test_first_match_resolves_overlaps_by_rule_order_and_warns() -> None:
    rules = rule_set(
        [
            select(
                "compute", {"method": "direct", "to": "a"}, where={"ServiceCategory": ["Compute"]}
            ),
            select("everything", {"method": "direct", "to": "b"}),
        ],
        overlap="first-match",
    )
    result = run(rules, line("1"), line("2", category="Storage"))
    assert owed(result) == {"a": "1.00", "b": "2.00"}
    assert [w.code for w in result.warnings] == ["overlapping_rules"]


def test_a_column_the_bill_lacks_is_named() -> None:
    rules = rule_set(
        [select("s", {"method": "direct", "to": "a"}, where={"RegionId": ["eu-west-1"]})]
    )
    with pytest.raises(AllocationError, match="RegionId, which the bill lines lack") as caught:
        run(rules, line("1"))
    assert caught.value.code == "unknown_column"


def test_a_line_without_a_currency_is_refused_rather_than_dropped() -> None:
    rules = rule_set([select("s", {"method": "direct", "to": "a"})])
    lines = bill(line("1"), line("2")).set_column(
        2, "BillingCurrency", pa.array(["USD", None], pa.string())
    )
    with pytest.raises(
        AllocationError, match=re.escape("1 bill line(s) have no BillingCurrency")
    ) as caught:
        allocate(rules, lines.to_batches())
    assert caught.value.code == "incomplete_lines"


def test_each_period_and_currency_is_allocated_and_reconciled_on_its_own() -> None:
    rules = rule_set([select("s", {"method": "even", "targets": ["a", "b"]})])
    result = run(
        rules,
        line("0.01", period="2024-09"),
        line("0.01", period="2024-10"),
        line("0.005", period="2024-10", currency="EUR"),
        line("0.005", period="2024-10", currency="EUR"),
        line("3", period="2024-10", currency="JPY"),
    )
    assert {(s.period.month, s.currency): str(s.rounded) for s in result.sources} == {
        (9, "USD"): "0.01",
        (10, "USD"): "0.01",
        (10, "EUR"): "0.01",
        (10, "JPY"): "3",
    }
    assert result.reconciles()


def test_the_same_rules_on_the_same_lines_give_the_same_result() -> None:
    rules = rule_set(
        [TEAM_TAG], [split("s", ["team:web"], {"method": "even", "targets": ["x", "y", "z"]})]
    )
    lines = [line(f"{i / 7:.6f}", tags={"team": "web"}) for i in range(1, 30)]
    assert run(rules, *lines).lines == run(rules, *reversed(lines)).lines


bill_lines = st.lists(
    st.builds(
        lambda cost, team, category, currency, month, quantity: line(
            cost,
            period=f"2024-{month:02d}",
            currency=currency,
            category=category,
            quantity=quantity,
            tags={"team": team} if team else None,
        ),
        st.decimals(min_value=-1000, max_value=100_000, places=10, allow_nan=False).map(str),
        st.sampled_from(["web", "api", "data", None]),
        st.sampled_from(["Compute", "Networking", "Storage"]),
        st.sampled_from(["USD", "EUR", "JPY", "KWD"]),
        st.integers(9, 10),
        st.sampled_from(["0", "0", "1", "2.5", "40"]),
    ),
    min_size=1,
    max_size=40,
)
USAGE = {"source": "lake", "value": "ConsumedQuantity", "by": {"tag": "team"}}
CONSERVING_STEPS = (
    [
        TEAM_TAG,
        select(
            "net",
            {"method": "direct", "to": "network"},
            where={"ServiceCategory": ["Networking"]},
            untagged=["team"],
        ),
    ],
    [
        split(
            "net-share",
            ["network"],
            {"method": "proportional", "metric": {"source": "cost"}, "targets": ["team:*"]},
        ),
        split(
            "central-share",
            ["central"],
            {"method": "fixed", "shares": {"team:web": 60, "team:api": 40, "team:data": 0}},
        ),
    ],
    [
        split(
            "web-by-usage",
            ["team:web"],
            {"method": "proportional", "metric": USAGE, "targets": ["api", "data", "none"]},
        ),
        split("api-even", ["team:api"], {"method": "even", "targets": ["x", "y", "z"]}),
    ],
)


@settings(max_examples=150, deadline=None)
@given(bill_lines, st.booleans())
def test_allocated_totals_equal_the_bill_to_the_cent(
    lines: list[dict[str, Any]], fallback: bool
) -> None:
    """Credits, zero-weight consumers, all-zero pools, chains, several periods and
    currencies: every (period, currency) total is conserved exactly, unallocated included."""
    first, (share_net, share_central), last = CONSERVING_STEPS
    if fallback:
        rules = rule_set(first, [share_net, share_central], last, fallback="central")
    else:
        rules = rule_set(first, [share_net], last)
    result = run(rules, *lines)
    exact: dict[tuple[date, str], Decimal] = {}
    for item in lines:
        key = (item["BillingPeriodStart"].date(), item["BillingCurrency"])
        exact[key] = exact.get(key, Decimal(0)) + item["EffectiveCost"]
    assert {(s.period, s.currency): s.exact for s in result.sources} == exact
    assert result.reconciles()
    assert all(x.amount == quantize(x.amount, x.currency) for x in result.lines)


def test_a_rule_whose_named_values_select_nothing_is_warned_about() -> None:
    typo = select(
        "net", {"method": "direct", "to": "network"}, where={"ServiceCategory": ["Netwroking"]}
    )
    result = run(rule_set([typo], fallback="central"), line("1", category="Networking"))
    [warning] = result.warnings
    assert (warning.code, warning.rule) == ("selects_nothing", "net")
    assert "ServiceCategory=Netwroking" in warning.message


def test_a_rule_asking_only_for_a_tag_to_be_present_may_select_nothing_quietly() -> None:
    result = run(rule_set([TEAM_TAG], fallback="central"), line("1"))
    assert result.warnings == []
