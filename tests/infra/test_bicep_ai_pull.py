"""The AI usage pull in infra/azure: a timer on the schedule the deployment sets, its admin
keys a Key Vault reference (never a value), landing in a private container of the app's own
account, and disabled when no keys secret is named."""

from __future__ import annotations

from tests.infra.test_bicep_template import FUNCTION_APP, app_settings, bicep, enclosed


def test_the_timer_reads_the_hourly_schedule_the_app_settings_hold():
    blueprint = (FUNCTION_APP / "blueprints" / "ai_pull.py").read_text()
    assert 'schedule="%COSTPLANE_AI_PULL_SCHEDULE%"' in blueprint
    assert app_settings()["COSTPLANE_AI_PULL_SCHEDULE"] == "aiPullSchedule"
    assert "param aiPullSchedule string = '0 5 * * * *'" in bicep("main.bicep")


def test_the_admin_keys_are_a_key_vault_reference():
    assert app_settings()["COSTPLANE_AI_ADMIN_KEYS"] == (
        "'@Microsoft.KeyVault(SecretUri=${keyVaultSecrets}/${aiAdminKeysSecretName}/)'"
    )
    assert "param aiAdminKeysSecretName string = ''" in bicep("main.bicep")


def test_the_reports_land_in_a_private_container_of_the_apps_account():
    app = bicep("modules/app.bicep")
    container = enclosed(app, "resource aiUsageContainer")

    assert "parent: blobService" in container
    assert "publicAccess: 'None'" in container
    assert "var aiUsageContainerName = 'ai-usage'" in app
    assert app_settings()["COSTPLANE_AI_PULL_LOCATION"] == (
        "'${storage.properties.primaryEndpoints.blob}${aiUsageContainerName}/'"
    )


def test_without_a_keys_secret_the_pull_is_disabled():
    app = bicep("modules/app.bicep")
    disabled = enclosed(app, "var aiPullSwitch = empty(aiAdminKeysSecretName) ? [")

    assert "name: 'AzureWebJobs.ai_pull.Disabled'" in disabled
    assert "COSTPLANE_AI_ADMIN_KEYS" not in disabled
    assert "], aiPullSwitch)" in app.split("var aiPullSettings")[1]
    [settings] = [line for line in app.splitlines() if "appSettings: concat(" in line]
    assert "aiPullSettings" in settings
