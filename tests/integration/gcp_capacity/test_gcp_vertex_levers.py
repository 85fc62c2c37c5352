"""Vertex AI's levers at the HTTP layer: an endpoint's models undeployed and deployed again, a
Model Garden model denied in the project's `vertexai.allowedModels` policy and allowed again.

Paths, verbs and bodies are those of the aiplatform v1 REST reference (endpoints.get,
:undeployModel, :deployModel, endpoints.patch with updateMask) and of orgpolicy v2
(projects.policies get, create, patch, delete); the exact sequence is checked with a Script.
"""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from costplane.adapters.gcp.enforcer import GcpEnforcer
from costplane.adapters.rest import RestClient, StaticToken
from costplane.domain.decisions import ActionKind
from costplane.domain.errors import ActionImpossible
from costplane.engine.undo import NotReversible
from tests.integration.azure_adapters.http_script import TOKEN, Exchange, Script, http
from tests.integration.gcp_adapters.gcp_support import PROJECT, google_error, ref
from tests.support.tagging import FixedClock

ENDPOINT_ID = f"projects/{PROJECT}/locations/us-central1/endpoints/4821937106"
ENDPOINT_URL = f"https://us-central1-aiplatform.googleapis.com/v1/{ENDPOINT_ID}"
ENDPOINT = ref(ENDPOINT_ID, "gcp.aiplatform.endpoint")
GEMINI = ref(
    f"projects/{PROJECT}/locations/us-central1/publishers/google/models/gemini-2.0-flash",
    "gcp.aiplatform.publisher-model",
)
DENIED = "publishers/google/models/gemini-2.0-flash:predict"
POLICIES = f"https://orgpolicy.googleapis.com/v2/projects/{PROJECT}/policies"
POLICY = f"{POLICIES}/vertexai.allowedModels"
POLICY_NAME = f"projects/{PROJECT}/policies/vertexai.allowedModels"
RESOURCES = {"machineSpec": {"machineType": "n1-standard-4"}, "minReplicaCount": 1}
RANKER = {"model": f"projects/{PROJECT}/locations/us-central1/models/77", "displayName": "ranker"}
SCORER = {"model": f"projects/{PROJECT}/locations/us-central1/models/78", "displayName": "scorer"}


def enforcer(script: Script) -> GcpEnforcer:
    return GcpEnforcer(RestClient(http(script), StaticToken(TOKEN)), FixedClock())


def deployed(model: dict[str, Any], deployed_id: str) -> dict[str, Any]:
    """A DeployedModel as endpoints.get answers it, output-only fields included."""
    return {
        **model,
        "id": deployed_id,
        "dedicatedResources": RESOURCES,
        "createTime": "2026-12-01T00:00:00Z",
        "modelVersionId": "1",
    }


def read_endpoint(
    models: list[dict[str, Any]], traffic: dict[str, int], labels: dict[str, str]
) -> Exchange:
    reply = {
        "name": ENDPOINT_ID,
        "displayName": "search-ranker",
        "deployedModels": models,
        "trafficSplit": traffic,
        "labels": labels,
        "etag": "AMEw9yP",
    }
    return Exchange("GET", ENDPOINT_URL, reply=reply)


def patch_labels(labels: dict[str, str]) -> Exchange:
    body = {"labels": labels, "etag": "AMEw9yP"}
    return Exchange("PATCH", f"{ENDPOINT_URL}?updateMask=labels", body=body, reply={})


def lro(verb: str) -> dict[str, Any]:
    return {"name": f"{ENDPOINT_ID}/operations/{verb}-1", "done": False}


def saved(models: list[dict[str, Any]], traffic: dict[str, int]) -> dict[str, str]:
    kept = [{**m, "dedicatedResources": RESOURCES} for m in models]
    return {
        "deployed": orjson.dumps(kept, option=orjson.OPT_SORT_KEYS).decode(),
        "traffic": orjson.dumps(traffic, option=orjson.OPT_SORT_KEYS).decode(),
    }


# Endpoints -----------------------------------------------------------------------------------


def test_suspend_labels_the_endpoint_then_undeploys_its_model() -> None:
    model = deployed(RANKER, "111")
    script = Script(
        read_endpoint([model], {"111": 100}, {"team": "search"}),
        read_endpoint([model], {"111": 100}, {"team": "search"}),
        patch_labels({"team": "search", "costplane-suspended": "models-1"}),
        Exchange(
            "POST", f"{ENDPOINT_URL}:undeployModel", body={"deployedModelId": "111"}, reply=lro("u")
        ),
    )

    undo = enforcer(script).suspend(ENDPOINT)

    assert undo == saved([RANKER], {"111": 100})
    assert script.done


def test_traffic_moves_to_the_busiest_model_before_the_others_go() -> None:
    models = [deployed(SCORER, "222"), deployed(RANKER, "111")]
    traffic = {"111": 80, "222": 20}
    script = Script(
        read_endpoint(models, traffic, {}),
        read_endpoint(models, traffic, {}),
        patch_labels({"costplane-decommissioned": "models-2"}),
        Exchange(
            "POST",
            f"{ENDPOINT_URL}:undeployModel",
            body={"deployedModelId": "222", "trafficSplit": {"111": 100}},
            reply=lro("u1"),
        ),
        Exchange(
            "POST",
            f"{ENDPOINT_URL}:undeployModel",
            body={"deployedModelId": "111"},
            reply=lro("u2"),
        ),
    )

    undo = enforcer(script).decommission(ENDPOINT)

    assert orjson.loads(undo["deployed"])[0]["displayName"] == "ranker"
    assert script.done


def test_an_empty_endpoint_is_left_as_it_is() -> None:
    script = Script(read_endpoint([], {}, {}))

    assert enforcer(script).suspend(ENDPOINT) == {"deployed": "[]", "traffic": "{}"}
    assert script.done


def test_resume_deploys_the_model_again_with_all_its_traffic_then_drops_the_label() -> None:
    labels = {"team": "search", "costplane-suspended": "models-1"}
    script = Script(
        read_endpoint([], {}, labels),
        Exchange(
            "POST",
            f"{ENDPOINT_URL}:deployModel",
            body={
                "deployedModel": {**RANKER, "dedicatedResources": RESOURCES},
                "trafficSplit": {"0": 100},
            },
            reply=lro("d"),
        ),
        read_endpoint([], {}, labels),
        patch_labels({"team": "search"}),
    )

    enforcer(script).resume(ENDPOINT, ActionKind.SUSPEND, saved([RANKER], {"111": 100}))

    assert script.done


def test_a_retried_resume_deploys_nothing_twice() -> None:
    script = Script(
        read_endpoint([deployed(RANKER, "333")], {"333": 100}, {"costplane-suspended": "models-1"}),
        read_endpoint([deployed(RANKER, "333")], {"333": 100}, {"costplane-suspended": "models-1"}),
        patch_labels({}),
    )

    enforcer(script).resume(ENDPOINT, ActionKind.SUSPEND, saved([RANKER], {"111": 100}))

    assert script.done


def test_resume_without_the_audit_log_says_the_configuration_is_there() -> None:
    script = Script(read_endpoint([], {}, {"costplane-suspended": "models-1"}))

    with pytest.raises(NotReversible, match="audit log"):
        enforcer(script).resume(ENDPOINT, ActionKind.SUSPEND, {})


# Model Garden models -------------------------------------------------------------------------


def no_policy() -> Exchange:
    missing = google_error(404, "Requested entity was not found.", "NOT_FOUND")
    return Exchange("GET", POLICY, status=404, reply=missing)


def policy(spec: dict[str, Any]) -> Exchange:
    return Exchange("GET", POLICY, reply={"name": POLICY_NAME, "spec": spec})


OURS = {"inheritFromParent": True, "rules": [{"values": {"deniedValues": [DENIED]}}]}


def test_suspend_creates_a_project_policy_denying_the_model_that_inherits_the_rest() -> None:
    script = Script(
        no_policy(),
        Exchange("POST", POLICIES, body={"name": POLICY_NAME, "spec": OURS}, reply={}),
    )

    assert enforcer(script).suspend(GEMINI) == {"value": DENIED}
    assert script.done


def test_suspend_adds_the_deny_to_an_existing_policy_keeping_its_etag() -> None:
    existing = {
        "etag": "BwYx",
        "rules": [
            {"values": {"allowedValues": ["publishers/google/models/gemini-2.0-pro:predict"]}}
        ],
    }
    merged = {
        "etag": "BwYx",
        "rules": [
            {
                "values": {
                    "allowedValues": ["publishers/google/models/gemini-2.0-pro:predict"],
                    "deniedValues": [DENIED],
                }
            }
        ],
    }
    script = Script(
        policy(existing),
        Exchange("PATCH", POLICY, body={"name": POLICY_NAME, "spec": merged}, reply={}),
    )

    enforcer(script).suspend(GEMINI)

    assert script.done


def test_a_model_already_denied_is_not_written_again() -> None:
    script = Script(policy({**OURS, "etag": "BwYx"}))

    assert enforcer(script).suspend(GEMINI) == {"value": DENIED}
    assert script.done


def test_a_policy_allowing_everything_cannot_take_a_deny() -> None:
    script = Script(policy({"rules": [{"allowAll": True}]}))

    with pytest.raises(ActionImpossible):
        enforcer(script).suspend(GEMINI)


def test_resume_deletes_the_policy_the_suspension_created() -> None:
    script = Script(
        policy({**OURS, "etag": "BwYx", "updateTime": "2026-12-08T03:00:00Z"}),
        Exchange("DELETE", POLICY, reply={}),
    )

    enforcer(script).resume(GEMINI, ActionKind.SUSPEND, {})

    assert script.done


def test_resume_removes_only_the_deny_from_a_policy_edited_meanwhile() -> None:
    other = "publishers/meta/models/llama3:predict"
    edited = {
        "etag": "BwZz",
        "inheritFromParent": True,
        "rules": [{"values": {"deniedValues": [DENIED, other]}}],
    }
    kept = {
        "etag": "BwZz",
        "inheritFromParent": True,
        "rules": [{"values": {"deniedValues": [other]}}],
    }
    script = Script(
        policy(edited),
        Exchange("PATCH", POLICY, body={"name": POLICY_NAME, "spec": kept}, reply={}),
    )

    enforcer(script).resume(GEMINI, ActionKind.SUSPEND, {"value": DENIED})

    assert script.done
