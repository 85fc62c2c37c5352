"""AI budget thresholds act when usage lands: the vendor's lever on the budget's target, once
per period and threshold, through the plane's enforcer, audited with its undo state, and
only under an enforcing deployment (dry-run by default)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

from costplane import bootstrap
from costplane.adapters.local.plane import LocalEnforcer
from costplane.billing.lake.table import open_lake
from costplane.budgets.levers import BudgetLevers
from costplane.config import Settings
from costplane.domain.decisions import ActionKind, ActionStatus
from costplane.domain.events import Provider
from costplane.engine.ports import ResourceRef
from tests.support.ai_reports import completions, messages_usage, report_file
from tests.support.ai_reports import land as land_reports

NOW = datetime(2026, 11, 21, 12, tzinfo=UTC)
PROJECT = "proj_research"

RESEARCH = {
    "name": "research-openai",
    "unit": "tokens",
    "amount": 1_000_000,
    "scope": {"provider": "openai", "account": PROJECT},
    "thresholds": [
        {"percent": 80, "action": "notify", "basis": "actual"},
        {"percent": 100, "action": "suspend", "basis": "actual"},
    ],
}

TAXONOMY = {
    "keys": [{"key": "Team"}],
    "owners": [{"scope": {"provider": "openai", "account": PROJECT}, "team": "research"}],
}


DAY = "2026-11-21"


def usage(tokens: int) -> dict[str, Any]:
    """A day's uncached gpt-4o input tokens of the research project."""
    return completions(
        "gpt-4o", project=PROJECT, uncached_text=tokens, cached_text=0, output_text=0
    )


@pytest.fixture
def levers(tmp_path: Path) -> Callable[..., BudgetLevers]:
    """`levers(*budgets, mode=…)`: the levers of a local plane under tmp_path."""

    def build(*budgets: dict[str, Any], mode: str = "enforce") -> BudgetLevers:
        path = tmp_path / "budgets.json"
        path.write_bytes(orjson.dumps({"version": 1, "budgets": list(budgets)}))
        taxonomy = tmp_path / "taxonomy.json"
        taxonomy.write_bytes(orjson.dumps(TAXONOMY))
        settings = Settings(
            lake=tmp_path / "lake", budgets=path, taxonomy=taxonomy, mode=mode, clock=NOW
        )
        return bootstrap.budget_levers(settings)

    return build


@pytest.fixture
def land(tmp_path: Path) -> Callable[..., None]:
    """`land(*results)`: the day's usage results so far land as the month's OpenAI usage
    file, as `costplane ingest` lands it (restating the last); `anthropic=True` for
    Anthropic's."""

    def landed(*results: dict[str, Any], anthropic: bool = False) -> None:
        source = "anthropic-usage" if anthropic else "openai-usage"
        report = report_file(tmp_path / "reports", source, "org-demo", DAY, list(results))
        land_reports(open_lake(tmp_path / "lake"), report)

    return landed


def calls(levers: BudgetLevers, provider: Provider = Provider.OPENAI) -> list[tuple[str, str]]:
    enforcer = levers.ports[provider].enforcer
    assert isinstance(enforcer, LocalEnforcer)
    return enforcer.calls


def test_usage_crossing_a_threshold_suspends_the_project_it_targets(
    levers: Callable[..., BudgetLevers], land: Callable[..., None]
) -> None:
    acting = levers(RESEARCH)
    land(usage(1_100_000))
    decisions = acting.check()
    assert [d.policy for d in decisions] == [
        "budget-research-openai-actual-80",
        "budget-research-openai-actual-100",
    ]
    assert calls(acting) == [("suspend", PROJECT)]
    suspended = decisions[1]
    assert (suspended.provider, suspended.resource_type) == ("openai", "openai.project")
    assert suspended.actions[0].status is ActionStatus.DONE
    assert suspended.actions[0].params["undo"] == {
        "in_service": "true",
        "lever": "project hard spend limit set to 1 cent a month",
    }


def test_every_lever_pulled_is_in_the_audit_log(
    levers: Callable[..., BudgetLevers], land: Callable[..., None]
) -> None:
    acting = levers(RESEARCH)
    land(usage(1_200_000))
    acting.check()
    audited = acting.state.recent_decisions(10)
    assert {d.policy for d in audited} == {
        "budget-research-openai-actual-80",
        "budget-research-openai-actual-100",
    }
    assert all("1,200,000.00 tokens is 120% of 1,000,000 tokens" in d.reason for d in audited)


def test_below_every_threshold_nothing_acts(
    levers: Callable[..., BudgetLevers], land: Callable[..., None]
) -> None:
    acting = levers(RESEARCH)
    land(usage(799_999))
    assert acting.check() == []
    assert calls(acting) == []


def test_a_threshold_acts_once_per_period_however_often_usage_lands(
    levers: Callable[..., BudgetLevers], land: Callable[..., None]
) -> None:
    acting = levers(RESEARCH)
    land(usage(1_100_000))
    acting.check()
    land(usage(1_400_000))
    assert acting.check() == []
    assert calls(acting) == [("suspend", PROJECT)]


def test_a_dry_run_deployment_records_what_it_would_do_and_calls_nothing(
    levers: Callable[..., BudgetLevers], land: Callable[..., None]
) -> None:
    acting = levers(RESEARCH, mode="dry-run")
    land(usage(1_100_000))
    decisions = acting.check()
    assert [a.status for d in decisions for a in d.actions] == [ActionStatus.DRY_RUN] * 2
    assert calls(acting) == []


def test_a_failed_lever_is_pulled_again_when_the_next_usage_lands(
    levers: Callable[..., BudgetLevers],
    land: Callable[..., None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    acting = levers({**RESEARCH, "thresholds": [{"percent": 100, "action": "suspend"}]})
    land(usage(1_100_000))
    enforcer = acting.ports[Provider.OPENAI].enforcer

    def unavailable(ref: ResourceRef) -> dict[str, str]:
        raise ConnectionError("503 from the admin API")

    with monkeypatch.context() as patched:
        patched.setattr(enforcer, "suspend", unavailable)
        [failed] = acting.check()
    assert failed.actions[0].status is ActionStatus.FAILED
    [retried] = acting.check()
    assert retried.actions[0].status is ActionStatus.DONE


def test_an_api_key_the_scope_names_is_the_target_of_its_lever(
    levers: Callable[..., BudgetLevers], land: Callable[..., None]
) -> None:
    key = {
        "name": "support-key",
        "amount": 1,
        "scope": {"provider": "anthropic", "account": "wrkspc_1", "api_key": "apikey_01"},
        "thresholds": [{"percent": 100, "action": "suspend", "basis": "actual"}],
    }
    acting = levers(key)
    key_usage = messages_usage(
        uncached=1_000_000,
        cache_read=0,
        write_5m=0,
        write_1h=0,
        output=0,
        workspace="wrkspc_1",
        api_key="apikey_01",
    )
    land(key_usage, anthropic=True)
    [decision] = acting.check()
    assert (decision.resource_type, decision.resource_id) == ("anthropic.api-key", "apikey_01")
    assert calls(acting, Provider.ANTHROPIC) == [("suspend", "apikey_01")]


def test_a_budget_names_its_targets_on_any_provider(
    levers: Callable[..., BudgetLevers], land: Callable[..., None]
) -> None:
    deployment = (
        "/subscriptions/s1/resourceGroups/ai/providers/Microsoft.CognitiveServices/"
        "accounts/oai/deployments/gpt-4o"
    )
    team = {
        "name": "research-team",
        "unit": "tokens",
        "amount": 100,
        "scope": {"provider": "openai"},
        "targets": [
            {
                "provider": "azure",
                "account": "s1",
                "resource_type": "azure.cognitiveservices.account.deployment",
                "resource_id": deployment,
            }
        ],
        "thresholds": [{"percent": 100, "action": "throttle", "basis": "actual"}],
    }
    acting = levers(team)
    land(usage(100))
    acting.check()
    assert calls(acting, Provider.AZURE) == [("throttle", deployment)]


def test_costplane_resume_undoes_the_suspension_from_the_audit_log(
    levers: Callable[..., BudgetLevers], land: Callable[..., None], tmp_path: Path
) -> None:
    acting = levers({**RESEARCH, "thresholds": [{"percent": 100, "action": "suspend"}]})
    land(usage(1_100_000))
    [decision] = acting.check()
    settings = Settings(lake=tmp_path / "lake", mode="enforce", clock=NOW)
    resumed = bootstrap.resume_service(settings).resume(decision.decision_id, by="finops")
    assert [(a.kind, a.status) for a in resumed.actions] == [(ActionKind.RESUME, ActionStatus.DONE)]
    assert resumed.resource_id == PROJECT


def test_a_levers_decision_names_the_owner_the_taxonomy_gives_its_target(
    levers: Callable[..., BudgetLevers], land: Callable[..., None]
) -> None:
    acting = levers({**RESEARCH, "thresholds": [{"percent": 100, "action": "suspend"}]})
    land(usage(1_100_000))
    [decision] = acting.check()
    assert (decision.owner.team, decision.owner.source) == ("research", "account")
