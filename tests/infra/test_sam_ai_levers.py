"""The AI vendors' admin keys on AWS: each from a Secrets Manager secret of its own, only in the
functions that act (the policy runners, the approvals function that resumes, and cost ingest,
whose AI budgets pull the levers after a landing), and absent when not configured."""

from __future__ import annotations

import pytest

from costplane.config import AiVendorSettings
from tests.functions.aws.sam_template import of_type, template
from tests.infra.test_terraform_gcp import environment_names

KEYS = {
    "COSTPLANE_OPENAI_ADMIN_KEY": ("HasOpenAi", "OpenAiAdminSecretName"),
    "COSTPLANE_ANTHROPIC_ADMIN_KEY": ("HasAnthropic", "AnthropicAdminSecretName"),
}
ACTING = (
    "PolicyRunnerFunction",
    "PolicyRunnerBudgetsFunction",
    "ApprovalsFunction",
    "CostIngestFunction",
)


def variables(function: dict[str, object]) -> dict[str, object]:
    properties = function["Properties"]
    assert isinstance(properties, dict)
    found: dict[str, object] = properties.get("Environment", {}).get("Variables", {})
    return found


def from_secrets_manager(setting: str) -> dict[str, object]:
    condition, parameter = KEYS[setting]
    reference = f"{{{{resolve:secretsmanager:${{{parameter}}}:SecretString:admin_key}}}}"
    return {"Fn::If": [condition, {"Fn::Sub": reference}, {"Ref": "AWS::NoValue"}]}


def test_every_admin_key_the_code_reads_has_a_secret_parameter():
    assert set(KEYS) == environment_names(AiVendorSettings, secret=True)


@pytest.mark.parametrize("setting", list(KEYS))
def test_an_admin_key_is_configured_only_when_its_secret_is_named(setting):
    condition, parameter = KEYS[setting]

    assert template()["Conditions"][condition] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": parameter}, ""]}]
    }
    assert template()["Parameters"][parameter]["Default"] == ""


@pytest.mark.parametrize("setting", list(KEYS))
def test_only_the_functions_that_act_hold_the_admin_keys_from_secrets_manager(setting):
    holding = {
        name: variables(function)[setting]
        for name, function in of_type("AWS::Serverless::Function").items()
        if setting in variables(function)
    }

    assert holding == dict.fromkeys(ACTING, from_secrets_manager(setting))
