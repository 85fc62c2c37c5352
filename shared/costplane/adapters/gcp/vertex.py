"""Vertex AI's levers: an endpoint's models undeployed, a Model Garden model denied.

Vertex AI has no spending cap. What bills by the hour is an endpoint's deployed models (their
nodes), and what bills by the token is a call to a Model Garden model. So:

- Suspend or decommission an endpoint (`gcp.aiplatform.endpoint`): every deployed model is
  undeployed (`:undeployModel`); the endpoint, its name and labels stay, so callers keep their
  URL and get errors instead of bills. The undo state is each deployed model's configuration
  (model, machine and replica counts, service account, logging) and the traffic split; resume
  deploys each again (`:deployModel`). Vertex gives redeployed models new ids, so one model gets
  its traffic back exactly; with several, the one that had the largest share gets all of it and
  the others none, to be split again by hand (the original split is in the undo state). A label
  `costplane-suspended: models-<n>` (or `costplane-decommissioned`) says the endpoint was
  emptied; the configuration itself only fits in the audit log, so a resume without it raises.
  Both calls start long-running operations, which are not awaited: the action is done when
  Vertex has accepted them, as ARM's 202 is for Azure.
- Suspend a Model Garden model in a project (`gcp.aiplatform.publisher-model`, named
  `projects/<p>/locations/<l>/publishers/<publisher>/models/<model>`): the project's policy
  for the list constraint `vertexai.allowedModels` gains the denied value
  `publishers/<publisher>/models/<model>:predict` (created, inheriting from its parent, when the
  project has none; an explicit deny wins over any allow in the hierarchy). The denied value is
  its own record: resume removes exactly it, and deletes the policy when nothing else is left
  in one it created, so other edits made meanwhile survive. A project policy that allows all
  values cannot carry a deny beside it: the action is then not taken.

REST: aiplatform v1 (`https://{location}-aiplatform.googleapis.com/v1/`) `endpoints.get`,
`:undeployModel` `{"deployedModelId", "trafficSplit"}`, `:deployModel` `{"deployedModel",
"trafficSplit"}`; orgpolicy v2 `projects.policies.get`, `.create`, `.patch`, `.delete`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import orjson

from costplane.adapters.gcp.labels import label_key
from costplane.adapters.gcp.resources import KINDS, locate
from costplane.adapters.rest import Json, RestClient, UnsupportedResource, body_of
from costplane.domain.decisions import ActionKind
from costplane.domain.errors import ActionImpossible
from costplane.engine.ports import ResourceRef
from costplane.engine.undo import LABEL_CODEC, RECORD_KEYS, NotReversible, Reversible, Undo

ENDPOINT = "gcp.aiplatform.endpoint"
PUBLISHER_MODEL = "gcp.aiplatform.publisher-model"
ORG_POLICY = "https://orgpolicy.googleapis.com/v2"
CONSTRAINT = "vertexai.allowedModels"
# The DeployedModel fields a deployModel request takes back; the rest are output only.
_REDEPLOYED = (
    "model",
    "displayName",
    "dedicatedResources",
    "automaticResources",
    "sharedResources",
    "serviceAccount",
    "enableAccessLogging",
    "disableContainerLogging",
    "explanationSpec",
    "disableExplanations",
)
_PUBLISHER_MODEL = re.compile(
    r"^projects/(?P<project>[^/]+)/locations/[^/]+/publishers/(?P<publisher>[^/]+)"
    r"/models/(?P<model>[^/:]+)$"
)


# Endpoints: undeploy every model, redeploy on resume ------------------------------------------


class EndpointUndeploy:
    """One reversible action (suspend or decommission) that empties an endpoint."""

    def __init__(self, rest: RestClient, kind: ActionKind) -> None:
        self.rest = rest
        self.record = label_key(RECORD_KEYS[kind])

    def reversible(self) -> Reversible:
        return Reversible(self.act, self.undo)

    def _endpoint(self, ref: ResourceRef) -> tuple[str, Json]:
        _, url = locate(ref)
        return url, body_of(self.rest.call("GET", url, resource=ref.resource_id))

    def _label(self, ref: ResourceRef, add: dict[str, str], remove: list[str]) -> None:
        _, url = locate(ref)
        KINDS[ENDPOINT].labels.write(self.rest, url, ref.resource_id, add, remove)

    def act(self, ref: ResourceRef) -> Undo:
        url, endpoint = self._endpoint(ref)
        traffic: dict[str, int] = dict(endpoint.get("trafficSplit") or {})
        deployed = sorted(
            endpoint.get("deployedModels") or [],
            key=lambda model: -traffic.get(str(model.get("id")), 0),
        )
        state = {
            "deployed": _dumps([{k: m[k] for k in _REDEPLOYED if k in m} for m in deployed]),
            "traffic": _dumps(traffic),
        }
        if not deployed:
            return state
        self._label(ref, {self.record: LABEL_CODEC.encode({"models": str(len(deployed))})}, [])
        keeper = str(deployed[0]["id"])
        for model in reversed(deployed):  # the keeper last: traffic moves to it first
            body: Json = {"deployedModelId": str(model["id"])}
            if str(model["id"]) != keeper:
                body["trafficSplit"] = {keeper: 100}
            self.rest.call("POST", f"{url}:undeployModel", resource=ref.resource_id, body=body)
        return state

    def undo(self, ref: ResourceRef, given: Mapping[str, str]) -> None:
        url, endpoint = self._endpoint(ref)
        recorded = self.record in (endpoint.get("labels") or {})
        if not given:
            if recorded:
                raise NotReversible(
                    f"{ref.resource_id}: the deployed models' configuration is only in the "
                    "audit log; resume from the action that undeployed them"
                )
            return
        deployed: list[Json] = orjson.loads(given.get("deployed") or "[]")
        traffic: dict[str, int] = orjson.loads(given.get("traffic") or "{}")
        if endpoint.get("deployedModels"):
            deployed = []  # already back (a retried resume): deploy nothing twice
        for index, model in enumerate(deployed):
            body: Json = {"deployedModel": model}
            if index == 0 and traffic:
                body["trafficSplit"] = {"0": 100}
            self.rest.call("POST", f"{url}:deployModel", resource=ref.resource_id, body=body)
        if recorded:
            self._label(ref, {}, [self.record])


# Model Garden models: deny through the organization policy -----------------------------------


def _denied_value(ref: ResourceRef) -> tuple[str, str]:
    """(project, `publishers/<p>/models/<m>:predict`) of a publisher-model ref."""
    match = _PUBLISHER_MODEL.match(ref.resource_id)
    if match is None:
        raise UnsupportedResource(f"{ref.resource_id!r} is not a {PUBLISHER_MODEL} name")
    value = f"publishers/{match['publisher']}/models/{match['model']}:predict"
    return match["project"], value


def _ours(value: str) -> Json:
    """The policy spec this lever creates where a project had none."""
    return {"inheritFromParent": True, "rules": [{"values": {"deniedValues": [value]}}]}


class ModelDenial:
    """Suspend a Model Garden model in its project through `vertexai.allowedModels`."""

    def __init__(self, rest: RestClient) -> None:
        self.rest = rest

    def reversible(self) -> Reversible:
        return Reversible(self.act, self.undo)

    def _url(self, project: str) -> str:
        return f"{ORG_POLICY}/projects/{project}/policies/{CONSTRAINT}"

    def _policy(self, ref: ResourceRef, project: str) -> Json | None:
        response = self.rest.call(
            "GET", self._url(project), resource=ref.resource_id, expect=(404,)
        )
        return None if response.status_code == 404 else body_of(response)

    def act(self, ref: ResourceRef) -> Undo:
        project, value = _denied_value(ref)
        policy = self._policy(ref, project)
        if policy is None:
            body = {"name": f"projects/{project}/policies/{CONSTRAINT}", "spec": _ours(value)}
            self.rest.call(
                "POST",
                f"{ORG_POLICY}/projects/{project}/policies",
                resource=ref.resource_id,
                body=body,
            )
            return {"value": value}
        spec: Json = dict(policy.get("spec") or {})
        rules: list[Json] = [dict(rule) for rule in spec.get("rules") or []]
        if any(rule.get("allowAll") for rule in rules):
            raise ActionImpossible(f"projects/{project} allows every model: no deny can be added")
        if any(rule.get("denyAll") for rule in rules) or _denies(rules, value):
            return {"value": value}
        plain = next((r for r in rules if "values" in r and "condition" not in r), None)
        if plain is None:
            rules.append({"values": {"deniedValues": [value]}})
        else:
            values = dict(plain["values"])
            values["deniedValues"] = [*values.get("deniedValues", []), value]
            plain["values"] = values
        self._patch(ref, project, policy, {**spec, "rules": rules})
        return {"value": value}

    def undo(self, ref: ResourceRef, given: Mapping[str, str]) -> None:
        project, value = _denied_value(ref)
        policy = self._policy(ref, project)
        if policy is None:
            return
        spec: Json = dict(policy.get("spec") or {})
        if not _denies(spec.get("rules") or [], value):
            return
        if _without_etag(spec) == _ours(value):
            self.rest.call("DELETE", self._url(project), resource=ref.resource_id)
            return
        rules = [_without(rule, value) for rule in spec.get("rules") or []]
        kept = [rule for rule in rules if rule.get("values") or set(rule) - {"values"}]
        self._patch(ref, project, policy, {**spec, "rules": kept})

    def _patch(self, ref: ResourceRef, project: str, policy: Json, spec: Json) -> None:
        """Write `spec` guarded by the etag read with it (a stale one fails the write)."""
        body = {"name": policy.get("name") or f"projects/{project}/policies/{CONSTRAINT}"}
        self.rest.call(
            "PATCH", self._url(project), resource=ref.resource_id, body={**body, "spec": spec}
        )


def _denies(rules: list[Any], value: str) -> bool:
    return any(value in ((rule.get("values") or {}).get("deniedValues") or []) for rule in rules)


def _without(rule: Json, value: str) -> Json:
    values = dict(rule.get("values") or {})
    if value in (values.get("deniedValues") or []):
        values["deniedValues"] = [v for v in values["deniedValues"] if v != value]
        if not values["deniedValues"]:
            del values["deniedValues"]
    rule = {**rule, "values": values}
    if not values:
        del rule["values"]
    return rule


def _without_etag(spec: Json) -> Json:
    return {k: v for k, v in spec.items() if k not in ("etag", "updateTime")}


def _dumps(value: object) -> str:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
