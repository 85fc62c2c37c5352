"""The AI vendors' admin keys on Azure: Key Vault references named by parameters, each app
setting left out when its secret is not named; no key value is ever a parameter."""

from __future__ import annotations

import re

import pytest

from costplane.config import AiVendorSettings
from tests.infra.test_bicep_template import app_settings, bicep, enclosed, expression
from tests.infra.test_terraform_gcp import environment_names

SECRET_PARAMETERS = {
    "COSTPLANE_OPENAI_ADMIN_KEY": "openAiAdminKeySecretName",
    "COSTPLANE_ANTHROPIC_ADMIN_KEY": "anthropicAdminKeySecretName",
}


def test_every_admin_key_the_code_reads_is_a_key_vault_reference():
    settings = app_settings()

    assert set(SECRET_PARAMETERS) == environment_names(AiVendorSettings, secret=True)
    for setting, parameter in SECRET_PARAMETERS.items():
        assert settings[setting] == (
            f"'@Microsoft.KeyVault(SecretUri=${{keyVaultSecrets}}/${{{parameter}}}/)'"
        )


@pytest.mark.parametrize(("setting", "parameter"), list(SECRET_PARAMETERS.items()))
def test_an_admin_key_is_set_only_when_its_secret_is_named(setting, parameter):
    app = bicep("modules/app.bicep")
    unless_empty = rf"^var (\w+) = [^\n]*empty\({parameter}\)[^\n]*\? \[\] : \["
    declared = re.search(rf"{unless_empty}\s*{{[^\[\]]*?name: '{setting}'", app, re.M)

    assert declared, f"{setting} is not left out when {parameter} is empty"
    assert declared.group(1) in expression(app, "aiVendorSettings")
    assert "aiVendorSettings" in enclosed(app, "resource functionApp ")


@pytest.mark.parametrize("parameter", list(SECRET_PARAMETERS.values()))
def test_the_deployment_names_the_secret_never_its_value(parameter):
    main = bicep("main.bicep")

    assert f"param {parameter} string = ''" in main
    assert f"    {parameter}: {parameter}\n" in enclosed(main, "module app ")
    assert "@secure()" not in main.split(f"param {parameter} ")[0].rsplit("param ", 1)[-1]
