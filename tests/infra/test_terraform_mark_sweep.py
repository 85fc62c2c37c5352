"""The mark sweep in infra/gcp: a function of the real module, called by Cloud Scheduler with an
OIDC token, one instance at a time, searching the deployment's scope with exactly the one
permission Cloud Asset Inventory's search needs."""

from __future__ import annotations

from tests.infra.test_terraform_gcp import function, instances, local, resource, source_dir


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


def test_the_sweep_may_only_search_for_resources_beyond_what_the_enforcer_holds():
    project = resource("google_project_iam_custom_role", "mark_sweep")
    org = resource("google_organization_iam_custom_role", "mark_sweep")
    assert project["permissions"] == ["cloudasset.assets.searchAllResources"]
    assert org["permissions"] == project["permissions"]
    bindings = {
        resource("google_project_iam_member", "mark_sweep")["member"],
        resource("google_organization_iam_member", "mark_sweep")["member"],
    }
    assert bindings == {"${google_service_account.enforcer.member}"}


def test_cloud_scheduler_calls_the_sweep_with_an_oidc_token_as_the_invoker():
    job = resource("google_cloud_scheduler_job", "mark_sweep")
    [target] = job["http_target"]
    [oidc] = target["oidc_token"]
    uri = '${google_cloudfunctions2_function.function["mark_sweep"].service_config[0].uri}'
    assert target["uri"] == oidc["audience"] == uri
    assert oidc["service_account_email"] == "${google_service_account.invoker.email}"
    assert job["schedule"] == "${var.sweep_schedule}"
    invoker = instances("google_cloud_run_v2_service_iam_member", "invoker")["mark_sweep"]
    assert invoker["member"] == "${google_service_account.invoker.member}"
