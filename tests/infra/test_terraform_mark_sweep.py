"""The mark sweep in infra/gcp: a function of the real module, called by Cloud Scheduler with an
OIDC token, one instance at a time, searching the deployment's scope as the enforcer."""

from __future__ import annotations

from tests.infra.test_terraform_gcp import function, instances, local, source_dir


def test_the_sweep_serves_the_http_entry_point_of_the_real_module():
    [build] = function("mark_sweep")["build_config"]
    assert build["entry_point"] == "mark_sweep"
    assert "def mark_sweep(" in (source_dir("mark_sweep") / "main.py").read_text()


def test_the_sweep_runs_alone_internal_only_and_stops_before_its_timeout():
    [service] = function("mark_sweep")["service_config"]
    sweep = local("functions")["mark_sweep"]
    assert service["ingress_settings"] == "ALLOW_INTERNAL_ONLY"
    assert sweep["max_instances"] == 1
    assert "COSTPLANE_SWEEP_BUDGET_SECONDS" in str(sweep["environment"])
    assert sweep["timeout"] > 240


def test_the_enforcer_identity_may_search_for_resources():
    assert "cloudasset.assets.searchAllResources" in local("enforcer_permissions")


def test_the_sweep_runs_on_its_schedule_invoked_only_by_the_scheduler_identity():
    job = instances("google_cloud_scheduler_job", "scheduled")["mark_sweep"]
    invoker = instances("google_cloud_run_v2_service_iam_member", "invoker")["mark_sweep"]
    assert job["schedule"] == "${var.sweep_schedule}"
    assert invoker["member"] == "${google_service_account.invoker.member}"
