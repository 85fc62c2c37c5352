"""The mark sweep in infra/azure: a timer on the schedule the deployment sets, over this
subscription, with a role of its own that lets Resource Graph list what it may read."""

from __future__ import annotations

import re

from tests.infra.test_bicep_template import FUNCTION_APP, app_settings, bicep


def test_the_timer_reads_the_schedule_the_app_settings_hold():
    blueprint = (FUNCTION_APP / "blueprints" / "mark_sweep.py").read_text()
    assert 'schedule="%COSTPLANE_SWEEP_SCHEDULE%"' in blueprint
    assert app_settings()["COSTPLANE_SWEEP_SCHEDULE"] == "sweepSchedule"
    assert "param sweepSchedule string = '0 */5 * * * *'" in bicep("main.bicep")


def test_the_sweep_lists_this_subscription_and_stops_at_its_budget():
    settings = app_settings()
    assert settings["COSTPLANE_SWEEP_SUBSCRIPTIONS"] == "'[\"${subscription().subscriptionId}\"]'"
    assert settings["COSTPLANE_SWEEP_BUDGET_SECONDS"] == "'240'"


def test_the_sweep_role_holds_only_the_query_and_read_and_is_assigned_to_the_app():
    main = bicep("main.bicep")
    [actions] = re.findall(r"var sweepActions = \[(.*?)\]", main, re.S)
    assert re.findall(r"'([^']+)'", actions) == ["*/read", "Microsoft.ResourceGraph/resources/read"]
    assert "roleDefinitionId: sweepRole.id" in main
    assert "principalId: app.outputs.principalId" in main.split("resource sweepAssignment")[1]
