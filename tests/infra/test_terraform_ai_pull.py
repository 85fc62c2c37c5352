"""The AI usage pull in infra/gcp: a function of the real module, called hourly by Cloud
Scheduler with an OIDC token, one instance at a time, its admin keys mounted from Secret Manager,
allowed to replace objects only under its prefix of the bill bucket, and deployed only when a
keys secret and a bucket are given."""

from __future__ import annotations

from costplane.config import AiPullSettings, GcpSettings, Settings
from tests.infra.test_terraform_gcp import (
    PLANE,
    environment_names,
    environment_of,
    function,
    instances,
    local,
    resource,
    source_dir,
    terraform,
)


def test_the_pull_serves_the_http_entry_point_of_the_real_module():
    [build] = function("ai_pull")["build_config"]
    assert build["entry_point"] == "ai_pull"
    assert "def ai_pull(" in (source_dir("ai_pull") / "main.py").read_text()


def test_the_pull_runs_alone_internal_only_and_hourly_by_the_scheduler_identity():
    [service] = function("ai_pull")["service_config"]
    job = instances("google_cloud_scheduler_job", "scheduled")["ai_pull"]
    invoker = instances("google_cloud_run_v2_service_iam_member", "invoker")["ai_pull"]

    assert service["ingress_settings"] == "ALLOW_INTERNAL_ONLY"
    assert local("functions")["ai_pull"]["max_instances"] == 1
    assert job["schedule"] == "${var.ai_pull_schedule}"
    assert terraform()["variable"]["ai_pull_schedule"]["default"] == "5 * * * *"
    assert invoker["member"] == "${google_service_account.invoker.member}"


def test_the_scheduler_waits_longer_than_the_pull_may_run():
    deadline = local("scheduled")["ai_pull"]["deadline"]
    assert int(deadline.removesuffix("s")) > local("functions")["ai_pull"]["timeout"]


def test_the_admin_keys_are_mounted_from_secret_manager_never_set_as_a_value():
    pull = local("functions")["ai_pull"]
    assert pull["secrets"] == "${local.ai_pull_secrets}"
    assert "COSTPLANE_AI_ADMIN_KEYS = var.ai_admin_keys_secret_id" in local("ai_pull_secrets")
    assert "COSTPLANE_AI_ADMIN_KEYS" not in str(pull["environment"])
    access = resource("google_secret_manager_secret_iam_member", "ai_admin_keys")
    assert (access["secret_id"], access["role"]) == (
        "${var.ai_admin_keys_secret_id}",
        "roles/secretmanager.secretAccessor",
    )


def test_the_pull_may_replace_objects_only_under_its_prefix():
    grant = resource("google_storage_bucket_iam_member", "ai_pull_lands")
    [condition] = grant["condition"]

    assert grant["role"] == "roles/storage.objectUser"
    assert condition["expression"] == (
        'resource.name.startsWith("projects/_/buckets/${var.ai_pull_bucket}/objects/'
        '${var.ai_pull_prefix}")'
    )


def test_the_pull_environment_names_only_settings_the_code_reads():
    environment = str(local("functions")["ai_pull"]["environment"])
    read = environment_names(Settings, GcpSettings, AiPullSettings) | {PLANE}
    assert environment_of(environment) <= read
    assert "gs://${var.ai_pull_bucket}/${var.ai_pull_prefix}" in environment


def test_the_pull_is_deployed_only_with_a_keys_secret_and_a_bucket():
    assert local("pulls_ai_usage") == (
        '${var.ai_admin_keys_secret_id != "" && var.ai_pull_bucket != ""}'
    )
    assert '(name != "ai_pull" || local.pulls_ai_usage)' in local("deployed_functions")
    assert resource("google_cloud_scheduler_job", "scheduled")["for_each"] == (
        "${local.scheduled_jobs}"
    )
