"""infra/gcp (Terraform): clean under checkov (or skipped with a reason), and wired to the code it
deploys: the function's entry point, the permissions the GCP adapters use, the audit-log methods
the parser governs, the Firestore layout the state store writes, the settings the code reads.

No Terraform CLI runs here (no `init`, no provider download): python-hcl2 parses every file, and
`${var.x}` is read as the variable's default where a value is needed.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import typing
from functools import cache
from pathlib import Path
from typing import Any

import hcl2
import httpx
import orjson
import pytest
from pydantic import SecretStr
from pydantic_settings import BaseSettings

from costplane.adapters.gcp.auditlog_methods import METHODS, normalise_method
from costplane.adapters.gcp.enforcer import GcpEnforcer
from costplane.adapters.gcp.resources import KINDS
from costplane.adapters.local.plane import SystemClock
from costplane.adapters.rest import RestClient, StaticToken, new_client
from costplane.approvals.callbacks import ApprovalCallbacks
from costplane.config import (
    AiVendorSettings,
    ApprovalSettings,
    CatalogSettings,
    GcpSettings,
    Settings,
)
from costplane.domain.decisions import ActionKind
from costplane.domain.taxonomy import Mode
from costplane.engine.envelopes import parse_payload
from costplane.planes.envelopes import register_every_cloud
from costplane.planes.gcp import GcpPlane
from costplane.policy.plugins import load_plugins
from costplane.policy.registry import ACTIONS
from tests.support.placeholders import filled_bytes

REPO = Path(__file__).resolve().parents[2]
INFRA = REPO / "infra" / "gcp"
EVENTS = REPO / "events" / "gcp"
CHECKOV = REPO / ".venv-tools" / "checkov" / "bin" / "checkov"
PLANE = "COSTPLANE_PLANE"  # read by every function module with os.environ, not by a settings model

# What each GCP adapter call needs. costplane/adapters/gcp/resources.py: a label read (GET) and
# write (PATCH, under a field mask or not, or POST setLabels/setResourceLabels) per type in
# KINDS, and `_post_stop` and `_never_activate` for the two types that stop. capacity.py:
# suspend reads an instance's status, stops it and labels the record, resume starts it;
# throttle reads a node pool (a cluster read), its instance groups' target sizes, POSTs setSize
# and setAutoscaling (cluster updates), polls their operations and labels the cluster. The
# enforcer's docstring agrees.
LABEL_PERMISSIONS = {
    "gcp.compute.instance": {"compute.instances.get", "compute.instances.setLabels"},
    "gcp.storage.bucket": {"storage.buckets.get", "storage.buckets.update"},
    "gcp.sql.instance": {"cloudsql.instances.get", "cloudsql.instances.update"},
    "gcp.bigquery.dataset": {"bigquery.datasets.get", "bigquery.datasets.update"},
    "gcp.pubsub.topic": {"pubsub.topics.get", "pubsub.topics.update"},
    "gcp.container.cluster": {"container.clusters.get", "container.clusters.update"},
    "gcp.compute.disk": {"compute.disks.get", "compute.disks.setLabels"},
    "gcp.compute.snapshot": {"compute.snapshots.get", "compute.snapshots.setLabels"},
    "gcp.compute.image": {"compute.images.get", "compute.images.setLabels"},
    "gcp.bigquery.table": {"bigquery.tables.get", "bigquery.tables.update"},
    "gcp.pubsub.subscription": {"pubsub.subscriptions.get", "pubsub.subscriptions.update"},
    "gcp.spanner.instance": {"spanner.instances.get", "spanner.instances.update"},
    "gcp.run.service": {"run.services.get", "run.services.update"},
    "gcp.redis.instance": {"redis.instances.get", "redis.instances.update"},
    "gcp.dataproc.cluster": {"dataproc.clusters.get", "dataproc.clusters.update"},
    "gcp.aiplatform.endpoint": {"aiplatform.endpoints.get", "aiplatform.endpoints.update"},
}
STOP_PERMISSIONS = {
    "gcp.compute.instance": {"compute.instances.stop"},
    "gcp.sql.instance": {"cloudsql.instances.update"},
}
SWEEP_PERMISSIONS = {  # costplane/adapters/gcp/marked.py: the mark sweep's search
    "sweep": {"cloudasset.assets.searchAllResources"},
}
ENDPOINT_PERMISSIONS = frozenset(
    {
        "aiplatform.endpoints.get",
        "aiplatform.endpoints.update",
        "aiplatform.endpoints.undeploy",
        "aiplatform.endpoints.deploy",
        "aiplatform.models.deploy",
    }
)
REVERSIBLE_PERMISSIONS = {
    (ActionKind.SUSPEND, "gcp.compute.instance"): {
        "compute.instances.get",
        "compute.instances.stop",
        "compute.instances.start",
        "compute.instances.setLabels",
    },
    (ActionKind.THROTTLE, "gcp.container.nodepool"): {
        "container.clusters.get",
        "container.clusters.update",
        "container.operations.get",
        "compute.instanceGroupManagers.get",
    },
    # vertex.py: an endpoint read, its models undeployed, deployed again (on the endpoint and
    # the model), its record label written; a project's allowedModels policy read and written.
    (ActionKind.SUSPEND, "gcp.aiplatform.endpoint"): ENDPOINT_PERMISSIONS,
    (ActionKind.DECOMMISSION, "gcp.aiplatform.endpoint"): ENDPOINT_PERMISSIONS,
    (ActionKind.SUSPEND, "gcp.aiplatform.publisher-model"): {
        "orgpolicy.policy.get",
        "orgpolicy.policies.create",
        "orgpolicy.policies.update",
        "orgpolicy.policies.delete",
    },
}


# ------------------------------------------------------------------------------------------
# Helpers the Bicep test shares.


def checkov_report(directory: Path, framework: str) -> dict[str, Any]:
    """checkov's JSON report on `directory`, offline; skips when its venv is not installed."""
    if not CHECKOV.exists():
        pytest.skip(f"{CHECKOV.relative_to(REPO)} is not installed; run `make tools`")
    command = [CHECKOV, "-d", directory, "--framework", framework, "--skip-download", "-o", "json"]
    result = subprocess.run(
        [str(part) for part in command],
        cwd=REPO,
        env={**os.environ, "BC_SKIP_MAPPING": "TRUE"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.stdout.startswith("{"), result.stdout + result.stderr
    report: dict[str, Any] = orjson.loads(result.stdout)
    return report


def unexplained_findings(report: dict[str, Any]) -> dict[str, list[str]]:
    """Failed checks, skips without a reason, and files checkov could not parse."""
    results = report["results"]
    return {
        "failed": [f"{c['check_id']} {c['resource']}" for c in results["failed_checks"]],
        "skipped without a reason": [
            f"{c['check_id']} {c['resource']}"
            for c in results["skipped_checks"]
            if c["check_result"].get("suppress_comment", "No comment provided")
            == "No comment provided"
        ],
        "not parsed": list(results.get("parsing_errors", [])),
    }


def environment_names(*models: type[BaseSettings], secret: bool | None = None) -> set[str]:
    """The environment variables pydantic-settings reads for these models' fields (only the
    SecretStr ones if `secret`, only the others if `secret` is False)."""
    names = set()
    for model in models:
        prefix = model.model_config.get("env_prefix", "")
        for name, field in model.model_fields.items():
            is_secret = SecretStr in (field.annotation, *typing.get_args(field.annotation))
            if secret is not None and is_secret != secret:
                continue
            alias = field.validation_alias
            names.add(alias if isinstance(alias, str) else f"{prefix}{name}".upper())
    return names


# ------------------------------------------------------------------------------------------
# The Terraform configuration, as data.


@cache
def terraform() -> dict[str, Any]:
    """Every .tf file merged: {"resource": {type: {name: body}}, "locals": {...}, ...}."""
    options = hcl2.SerializationOptions(
        strip_string_quotes=True, explicit_blocks=False, with_comments=False
    )
    merged: dict[str, Any] = {
        "resource": {},
        "data": {},
        "locals": {},
        "variable": {},
        "output": {},
    }
    for path in sorted(INFRA.glob("*.tf")):
        with path.open() as file:
            parsed = hcl2.load(file, serialization_options=options)
        for kind in ("resource", "data"):
            for block in parsed.get(kind, []):
                for type_, named in block.items():
                    merged[kind].setdefault(type_, {}).update(named)
        for block in parsed.get("locals", []):
            merged["locals"].update(block)
        for kind in ("variable", "output"):
            for block in parsed.get(kind, []):
                merged[kind].update(block)
    return merged


def resource(type_: str, name: str) -> dict[str, Any]:
    found: dict[str, Any] = terraform()["resource"][type_][name]
    return found


def local(name: str) -> Any:
    return terraform()["locals"][name]


def resolved(body: Any, key: str, value: Any) -> Any:
    """`body` as the instance `key` of its for_each sees it: `${each.value.x}` replaced by x's
    expression in `value`, `[each.value.x]` and `[each.key]` by the quoted index, `${each.key}` by
    the key."""
    if isinstance(body, dict):
        return {name: resolved(item, key, value) for name, item in body.items()}
    if isinstance(body, list):
        return [resolved(item, key, value) for item in body]
    if not isinstance(body, str):
        return body
    whole = re.fullmatch(r"\$\{each\.value\.(\w+)\}", body)
    if whole:
        return value[whole.group(1)]
    body = re.sub(r"\[each\.value\.(\w+)\]", lambda m: f'["{value[m.group(1)]}"]', body)
    return body.replace("[each.key]", f'["{key}"]').replace("${each.key}", key)


def instances(type_: str, name: str) -> dict[str, dict[str, Any]]:
    """A for_each resource's instances by key, over a literal map or a local one (a local that
    filters another local's map stands for all of that map's instances)."""
    body = resource(type_, name)
    each = body["for_each"]
    while isinstance(each, str):
        named = re.fullmatch(r"\$\{local\.(\w+)\}", each) or re.fullmatch(
            r"\$\{\{for \w+, \w+ in local\.(\w+) : .*\}\}", each
        )
        assert named, f"{type_}.{name} iterates over {each}, neither a map nor a local"
        each = local(named.group(1))
    return {key: resolved(body, key, value) for key, value in each.items()}


def function(name: str) -> dict[str, Any]:
    """The Cloud Run function `name` of local.functions, as deployed."""
    return instances("google_cloudfunctions2_function", "function")[name]


def source_dir(name: str) -> Path:
    """The directory the function `name` is built from."""
    return Path(with_defaults(local("functions_dir"))) / local("functions")[name]["source"]


def with_defaults(expression: str) -> str:
    """`${var.x}` replaced by x's default, `${path.module}` by the module's directory."""
    variables = terraform()["variable"]
    expression = expression.replace("${path.module}", str(INFRA))
    return re.sub(r"\$\{var\.(\w+)\}", lambda m: str(variables[m.group(1)]["default"]), expression)


def quoted(expression: str) -> list[str]:
    return re.findall(r'"([^"\\]*)"', expression)


def environment_of(expression: str) -> set[str]:
    """The COSTPLANE_ names an expression sets, through the locals it merges."""
    names = set(re.findall(r"COSTPLANE_\w+", expression))
    for name in re.findall(r"local\.(\w+)", expression):
        names |= environment_of(str(local(name)))
    return names


def decorated_functions(path: Path) -> dict[str, str]:
    """Top-level functions of a module and their decorator (`http`, `cloud_event`…)."""
    tree = ast.parse(path.read_text())
    return {
        node.name: ast.unparse(node.decorator_list[0]).rpartition(".")[2]
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and node.decorator_list
    }


# ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def checkov_findings() -> dict[str, list[str]]:
    return unexplained_findings(checkov_report(INFRA, "terraform"))


@pytest.mark.infra
def test_checkov_finds_nothing_that_is_not_skipped_with_a_reason(checkov_findings):
    assert checkov_findings == {"failed": [], "skipped without a reason": [], "not parsed": []}


def test_every_terraform_file_parses_and_the_layout_is_the_usual_one():
    names = {path.name for path in INFRA.glob("*.tf")}

    assert names == {"main.tf", "variables.tf", "outputs.tf", "versions.tf"}
    assert terraform()["resource"]


def test_the_function_serves_the_push_entry_point_of_the_real_module():
    [build] = function("tag_enforcer")["build_config"]
    source = source_dir("tag_enforcer")

    assert build["runtime"] == "python311"
    assert decorated_functions(source / "main.py")[build["entry_point"]] == "http"
    assert (source / "requirements.txt").exists()


def test_the_eventarc_alternative_named_in_main_tf_exists_in_the_same_module():
    source = source_dir("tag_enforcer")

    functions = decorated_functions(source / "main.py")

    assert (functions["tag_enforcer"], functions["tag_enforcer_push"]) == ("cloud_event", "http")


@pytest.mark.parametrize(
    ("archive", "functions"),
    [
        ("tag_enforcer", ["tag_enforcer"]),
        ("policy_runner", ["policy_runner"]),
        ("approvals", ["approvals", "approvals_expire"]),
    ],
)
def test_each_function_builds_from_its_main_py_with_the_costplane_package_beside_it(
    archive, functions
):
    archive_file = terraform()["data"]["archive_file"]["function"]
    filenames = {
        block["source"]["for_each"]: block["source"]["content"][0]["filename"]
        for block in resolved(archive_file, archive, None)["dynamic"]
    }
    upload = resource("google_storage_bucket_object", "function")

    assert (
        archive_file["for_each"] == "${toset([for function in local.functions : function.source])}"
    )
    assert filenames == {
        f'${{fileset("${{local.functions_dir}}/{archive}", "*.{{py,txt}}")}}': "${source.value}",
        "${local.package_files}": "costplane/${source.value}",
    }
    assert [name for name, f in local("functions").items() if f["source"] == archive] == functions
    assert (Path(with_defaults(local("functions_dir"))) / archive / "main.py").exists()
    assert (Path(with_defaults(local("package_dir"))) / "bootstrap.py").exists()
    assert "__pycache__" in local("package_files")
    assert upload["for_each"] == "${data.archive_file.function}"
    assert upload["source"] == "${each.value.output_path}"
    for name in functions:
        [build] = function(name)["build_config"]
        [storage] = build["source"][0]["storage_source"]
        assert storage["object"] == f'${{google_storage_bucket_object.function["{archive}"].name}}'


def test_the_custom_role_grants_exactly_what_the_adapters_call():
    enforcer = GcpEnforcer(RestClient(new_client(None), StaticToken("token")), SystemClock())
    reversible = {(kind, t) for kind, types in enforcer.reversible.items() for t in types}
    tables = (LABEL_PERMISSIONS, STOP_PERMISSIONS, REVERSIBLE_PERMISSIONS, SWEEP_PERMISSIONS)
    needed = [permissions for table in tables for permissions in table.values()]

    assert set(LABEL_PERMISSIONS) == set(KINDS)
    assert set(STOP_PERMISSIONS) == {name for name, kind in KINDS.items() if kind.stop}
    assert set(REVERSIBLE_PERMISSIONS) == reversible
    assert set(local("enforcer_permissions")) == set().union(*needed)


def test_the_custom_role_grants_what_every_policy_action_declares_for_gcp():
    load_plugins()
    declared = {p for action in ACTIONS.values() for p in action.permissions.get("gcp", ())}

    assert declared <= set(local("enforcer_permissions"))


def test_project_and_organization_roles_hold_the_same_permissions_and_bind_the_enforcer():
    for scope in ("project", "organization"):
        role = resource(f"google_{scope}_iam_custom_role", "enforcer")
        member = resource(f"google_{scope}_iam_member", "enforcer")

        assert role["permissions"] == "${local.enforcer_permissions}"
        assert member["role"] == f"${{google_{scope}_iam_custom_role.enforcer[0].name}}"
        assert member["member"] == "${google_service_account.enforcer.member}"


def test_the_sink_routes_exactly_the_methods_the_parser_governs():
    terms = [term.lower() for term in local("governed_methods")]

    def routed(method: str) -> list[str]:
        return [t for t in terms if method == t or method.endswith(f".{t}")]

    assert all(normalise_method(t) == t for t in terms), "a term holds an API version"
    assert {m: len(routed(m)) for m in METHODS} == dict.fromkeys(METHODS, 1)
    assert {t for m in METHODS for t in routed(m)} == set(terms)


def test_every_real_audit_log_sample_the_parser_decides_on_matches_the_sink_filter():
    register_every_cloud()
    terms = [term.lower() for term in local("governed_methods")]
    methods = [
        event.event_name
        for path in sorted(EVENTS.glob("gcp-auditlog-*.json"))
        for event in parse_payload(filled_bytes(path)).events
    ]

    assert len(methods) >= 5
    assert [m for m in methods if not any(t in m.lower() for t in terms)] == []


def test_the_sink_filter_reads_admin_activity_by_method_and_never_by_operation():
    sink_filter = local("sink_filter")

    assert "cloudaudit.googleapis.com%2Factivity" in sink_filter
    assert "protoPayload.methodName:" in sink_filter
    assert "local.governed_methods" in sink_filter
    assert "operation" not in sink_filter
    for sink in ("google_logging_project_sink", "google_logging_organization_sink"):
        assert resource(sink, "audit_log")["filter"] == "${local.sink_filter}"


def test_the_org_sink_includes_child_projects():
    assert resource("google_logging_organization_sink", "audit_log")["include_children"] is True


def test_entries_flow_from_the_sink_through_the_topic_to_the_function_then_dead_letter():
    topic = "google_pubsub_topic.audit_log.id"
    subscription = instances("google_pubsub_subscription", "push")["tag-enforcer"]
    [push] = subscription["push_config"]
    [dead_letter] = subscription["dead_letter_policy"]
    uri = '${google_cloudfunctions2_function.function["tag_enforcer"].service_config[0].uri}'

    for sink in ("google_logging_project_sink", "google_logging_organization_sink"):
        assert resource(sink, "audit_log")["destination"] == f"pubsub.googleapis.com/${{{topic}}}"
    assert subscription["topic"] == f"${{{topic}}}"
    assert push["push_endpoint"] == uri
    assert push["oidc_token"][0]["audience"] == uri
    assert subscription["retry_policy"]
    assert dead_letter["dead_letter_topic"] == "${google_pubsub_topic.dead_letter.id}"
    assert resource("google_pubsub_subscription", "dead_letter")["topic"] == (
        "${google_pubsub_topic.dead_letter.id}"
    )


def test_only_the_push_identity_may_invoke_the_internal_only_function():
    [service] = function("tag_enforcer")["service_config"]
    invoker = instances("google_cloud_run_v2_service_iam_member", "invoker")["tag_enforcer"]
    [push] = instances("google_pubsub_subscription", "push")["tag-enforcer"]["push_config"]

    assert service["ingress_settings"] == "ALLOW_INTERNAL_ONLY"
    assert invoker["name"] == (
        '${google_cloudfunctions2_function.function["tag_enforcer"].service_config[0].service}'
    )
    assert invoker["role"] == "roles/run.invoker"
    assert invoker["member"] == "${google_service_account.invoker.member}"
    assert push["oidc_token"][0]["service_account_email"] == (
        "${google_service_account.invoker.email}"
    )


def test_every_function_but_the_approvals_callbacks_takes_internal_traffic_only():
    """checkov's CKV_GCP_124 sees the one for_each block, skipped for the callbacks' sake."""
    ingress = {
        name: deployed["service_config"][0]["ingress_settings"]
        for name, deployed in instances("google_cloudfunctions2_function", "function").items()
    }

    assert {name for name, value in ingress.items() if value != "ALLOW_INTERNAL_ONLY"} == {
        "approvals"
    }


def test_the_ttl_policy_is_on_the_field_and_collection_the_state_store_writes_claims_to(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    requests: list[httpx.Request] = []

    def firestore(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(200, json={})

    ttl = resource("google_firestore_field", "claim_expiry")
    monkeypatch.setenv("COSTPLANE_GCP_TOKEN", "token")
    monkeypatch.setenv("COSTPLANE_GCP_STATE_PROJECT", "p")
    monkeypatch.setenv("COSTPLANE_GCP_STATE_COLLECTION", with_defaults("${var.state_collection}"))
    plane = GcpPlane(Settings(lake=tmp_path), httpx.MockTransport(firestore))
    plane.runtime.state.claim("event-1", 60)
    [commit] = requests
    document = orjson.loads(commit.content)["writes"][0]["update"]
    timestamps = [k for k, v in document["fields"].items() if "timestampValue" in v]

    assert with_defaults(ttl["collection"]) == document["name"].split("/")[-2]
    assert [ttl["field"]] == timestamps
    assert ttl["ttl_config"] == [{}]


def test_the_function_uses_the_database_the_deployment_creates():
    environment = local("environment")
    database = resource("google_firestore_database", "state")

    assert environment["COSTPLANE_GCP_STATE_DATABASE"] == (
        "${google_firestore_database.state.name}"
    )
    assert environment["COSTPLANE_GCP_STATE_COLLECTION"] == "${var.state_collection}"
    assert environment["COSTPLANE_GCP_STATE_PROJECT"] == "${var.project}"
    assert database["type"] == "FIRESTORE_NATIVE"
    assert database["point_in_time_recovery_enablement"] == "POINT_IN_TIME_RECOVERY_ENABLED"


def test_the_enforcer_is_a_datastore_user_of_its_own_database_only():
    binding = resource("google_project_iam_member", "enforcer_state")
    [condition] = binding["condition"]

    assert binding["role"] == "roles/datastore.user"
    assert binding["member"] == "${google_service_account.enforcer.member}"
    assert "databases/${google_firestore_database.state.name}" in condition["expression"]


def test_the_function_environment_names_only_settings_the_code_reads():
    names = set(local("environment")) | set(re.findall(r"COSTPLANE_\w+", local("taxonomy")))
    read = environment_names(Settings, GcpSettings) | {PLANE}

    assert names <= read
    assert {PLANE, "COSTPLANE_MODE", "COSTPLANE_GCP_STATE_PROJECT"} <= names
    assert "COSTPLANE_GCP_TOKEN" not in names, "a static token would bypass the service account"
    assert local("environment")[PLANE] == "gcp"


def test_the_mode_variable_allows_exactly_the_modes_costplane_knows():
    mode = terraform()["variable"]["mode"]

    assert set(quoted(mode["validation"][0]["condition"])) == {m.value for m in Mode}
    assert mode["default"] == Mode.DRY_RUN.value


def test_the_tfvars_example_sets_only_declared_variables():
    example = (INFRA / "terraform.tfvars.example").read_text()
    assigned = set(re.findall(r"^(\w+)\s*=", example, flags=re.MULTILINE))
    commented = set(re.findall(r"^#\s*(\w+)\s*=", example, flags=re.MULTILINE))

    assert "project" in assigned
    assert assigned | commented <= set(terraform()["variable"])


# ------------------------------------------------------------------------------------------
# approvals: Slack and Teams callbacks (public) and the expiry sweep (Cloud Scheduler).

APPROVALS = ("approvals", "approvals_expire")


def test_the_approvals_functions_serve_http_entry_points_of_the_real_module():
    source = source_dir("approvals")
    entry_points = {}
    for name in APPROVALS:
        assert source_dir(name) == source
        [build] = function(name)["build_config"]
        assert build["runtime"] == "python311"
        entry_points[build["entry_point"]] = decorated_functions(source / "main.py").get(
            build["entry_point"]
        )

    assert entry_points == {"approvals": "http", "approvals_expire": "http"}
    assert (source / "requirements.txt").exists()


def test_the_callback_urls_are_the_routes_the_callback_function_serves():
    served = set(ApprovalCallbacks(None).routes())  # type: ignore[arg-type]  # routes only
    urls = terraform()["output"]["approvals_callback_urls"]["value"]
    uri = '${google_cloudfunctions2_function.function["approvals"].service_config[0].uri}'
    found = re.fullmatch(
        r"\$\{local\.callbacks_configured \? \{for route in \[(.*)\] : "
        r"route => \"(.*)/\$\{route\}\"\} : null\}",
        urls,
    )

    assert found, urls
    assert set(quoted(found.group(1))) == served
    assert found.group(2) == uri
    assert (
        "on_approval_callback(callbacks().routes()"
        in (source_dir("approvals") / "main.py").read_text()
    )


def test_the_approvals_environment_names_only_settings_the_code_reads():
    read = environment_names(Settings, GcpSettings, ApprovalSettings, AiVendorSettings) | {PLANE}

    for name in APPROVALS:
        [service] = function(name)["service_config"]
        [dynamic] = service["dynamic"]
        names = environment_of(service["environment_variables"])
        secrets = environment_of(dynamic["secret_environment_variables"]["for_each"])

        assert names | secrets <= read
        assert {PLANE, "COSTPLANE_GCP_STATE_PROJECT", "COSTPLANE_SLACK_CHANNEL"} <= names
        assert "COSTPLANE_GCP_TOKEN" not in names, "a static token would bypass the account"


def test_no_function_takes_a_secret_in_plain_environment_variables():
    models = (Settings, GcpSettings, ApprovalSettings)
    secret = environment_names(*models, secret=True)
    functions = instances("google_cloudfunctions2_function", "function")

    assert set(terraform()["resource"]["google_cloudfunctions2_function"]) == {"function"}
    for name, deployed in functions.items():
        [service] = deployed["service_config"]
        assert environment_of(service["environment_variables"]) & secret == set(), name
    assert environment_of(local("approvals_secrets")) == (
        environment_names(ApprovalSettings, secret=True)
    )


SECRETS_MOUNTED = {
    "approvals": "${merge(local.approvals_secrets, local.ai_vendor_secrets)}",
    "approvals_expire": "${local.approvals_secrets}",
}


def test_the_approvals_functions_mount_their_secrets_from_secret_manager():
    for name in APPROVALS:
        [service] = function(name)["service_config"]
        [dynamic] = service["dynamic"]
        mount = dynamic["secret_environment_variables"]
        [content] = mount["content"]

        assert mount["for_each"] == SECRETS_MOUNTED[name]
        assert content["key"] == "${secret_environment_variables.key}"
        assert content["secret"] == "${secret_environment_variables.value}"
        assert content["version"] == "latest"


def test_the_approvals_identity_reads_its_secrets_and_the_state_database():
    access = resource("google_secret_manager_secret_iam_member", "approvals")
    state = resource("google_project_iam_member", "enforcer_state")

    assert access["for_each"] == (
        "${toset(values(merge(local.approvals_secrets, local.ai_vendor_secrets)))}"
    )
    assert access["role"] == "roles/secretmanager.secretAccessor"
    for name in APPROVALS:
        [service] = function(name)["service_config"]
        assert service["service_account_email"] == "${google_service_account.enforcer.email}"
    assert access["member"] == state["member"] == "${google_service_account.enforcer.member}"


def test_only_the_callbacks_are_public_and_only_the_scheduler_identity_runs_the_sweep():
    [callbacks] = function("approvals")["service_config"]
    [sweep] = function("approvals_expire")["service_config"]
    invokers = instances("google_cloud_run_v2_service_iam_member", "invoker")
    public = {name: b["name"] for name, b in invokers.items() if b["member"] == "allUsers"}
    expire = invokers["approvals_expire"]
    service = '${{google_cloudfunctions2_function.function["{}"].service_config[0].service}}'

    assert set(terraform()["resource"]["google_cloud_run_v2_service_iam_member"]) == {"invoker"}
    assert callbacks["ingress_settings"] == "ALLOW_ALL"
    assert public == {"approvals": service.format("approvals")}
    assert sweep["ingress_settings"] == "ALLOW_INTERNAL_ONLY"
    assert expire["member"] == "${google_service_account.invoker.member}"
    assert expire["name"] == service.format("approvals_expire")


@pytest.mark.parametrize("sweep", ["approvals_expire", "mark_sweep"])
def test_cloud_scheduler_calls_each_sweep_with_an_oidc_token(sweep):
    job = instances("google_cloud_scheduler_job", "scheduled")[sweep]
    [target] = job["http_target"]
    [oidc] = target["oidc_token"]
    uri = f'${{google_cloudfunctions2_function.function["{sweep}"].service_config[0].uri}}'

    assert target["uri"] == oidc["audience"] == uri
    assert oidc["service_account_email"] == "${google_service_account.invoker.email}"


def test_the_callback_function_is_deployed_only_when_a_callback_can_be_verified():
    configured = local("callbacks_configured")
    filtered = local("deployed_functions")

    for verified_by in ("slack_signing_secret_id", "teams_app_id", "resume_signing_secret_id"):
        assert f'var.{verified_by} != ""' in configured
    assert filtered == (
        "${{for name, function in local.functions : name => function"
        ' if (name != "approvals" || local.callbacks_configured)'
        ' && (name != "ai_pull" || local.pulls_ai_usage)}}'
    )
    for type_, name in (
        ("google_cloudfunctions2_function", "function"),
        ("google_cloud_run_v2_service_iam_member", "invoker"),
    ):
        assert resource(type_, name)["for_each"] == "${local.deployed_functions}"


def test_the_policy_runner_posts_with_the_channels_settings_and_posting_secrets_only():
    [service] = function("policy_runner")["service_config"]
    [dynamic] = service["dynamic"]
    posting = local("posting_secrets")
    chat = environment_of(str(local("chat_environment")))

    assert dynamic["secret_environment_variables"]["for_each"] == (
        "${merge(local.posting_secrets, local.ai_vendor_secrets)}"
    )
    assert set(quoted(posting)) == {"COSTPLANE_SLACK_BOT_TOKEN", "COSTPLANE_TEAMS_APP_PASSWORD"}
    assert "local.approvals_secrets" in posting
    assert chat <= environment_of(service["environment_variables"])
    assert {"COSTPLANE_SLACK_CHANNEL", "COSTPLANE_TEAMS_CONVERSATION"} <= chat
    assert (
        environment_of(service["environment_variables"])
        & environment_names(ApprovalSettings, secret=True)
        == set()
    )


def test_the_ai_vendors_admin_keys_come_from_secret_manager_only_when_named():
    secrets = str(local("ai_vendor_secrets"))

    assert environment_of(secrets) == environment_names(AiVendorSettings, secret=True)
    for variable in ("openai_admin_key_secret_id", "anthropic_admin_key_secret_id"):
        assert f"var.{variable}" in secrets
        assert terraform()["variable"][variable]["default"] == ""
    assert 'if id != ""' in secrets


def test_the_resume_route_takes_its_signing_key_from_secret_manager():
    assert "COSTPLANE_RESUME_SIGNING_SECRET" in environment_of(str(local("approvals_secrets")))
    assert "var.resume_signing_secret_id" in str(local("approvals_secrets"))
    assert terraform()["variable"]["resume_signing_secret_id"]["default"] == ""


def test_the_policy_runner_reads_the_lake_through_every_catalog_setting_when_a_catalog_is_given():
    lake = local("lake")
    [service] = function("policy_runner")["service_config"]

    assert "local.lake" in service["environment_variables"]
    assert environment_of(lake) == environment_names(CatalogSettings) - {"COSTPLANE_CATALOG_NAME"}
    assert lake.startswith('${var.lake_catalog_type == "" ? {} :')
    for setting, variable in {
        "COSTPLANE_CATALOG_TYPE": "lake_catalog_type",
        "COSTPLANE_CATALOG_URI": "lake_catalog_uri",
        "COSTPLANE_CATALOG_WAREHOUSE": "lake_catalog_warehouse",
        "COSTPLANE_CATALOG_NAMESPACE": "lake_catalog_namespace",
    }.items():
        assert re.search(rf"{setting}\s*=\s*var\.{variable}\b", lake), setting


def test_only_the_policy_runner_reads_the_lake():
    for name, deployed in instances("google_cloudfunctions2_function", "function").items():
        [service] = deployed["service_config"]
        reads = "lake" in merged_locals(service["environment_variables"])
        assert reads == (name == "policy_runner"), name


def merged_locals(expression: str) -> set[str]:
    """The names of the locals an expression merges."""
    return set(re.findall(r"local\.(\w+)", expression))


def test_the_lake_catalog_types_are_ones_the_settings_accept():
    catalog_types = set(typing.get_args(CatalogSettings.model_fields["type"].annotation))
    condition = terraform()["variable"]["lake_catalog_type"]["validation"][0]["condition"]

    assert set(quoted(condition)) == {"", "rest", "sql"}
    assert {"rest", "sql"} <= catalog_types
    assert terraform()["variable"]["lake_catalog_type"]["default"] == ""


def test_the_lake_files_are_read_with_pyarrow_and_the_service_account():
    lake = local("lake")

    assert "pyiceberg.io.pyarrow.PyArrowFileIO" in lake
    assert "gcs.oauth2.token" not in lake


def test_the_function_identity_may_only_read_the_lake_bucket():
    reader = resource("google_storage_bucket_iam_member", "lake_reader")
    bucket_of = local("lake_bucket")

    assert reader["role"] == "roles/storage.objectViewer"
    assert reader["bucket"] == "${local.lake_bucket}"
    assert reader["member"] == "${google_service_account.enforcer.member}"
    assert reader["count"] == '${local.lake_bucket == "" ? 0 : 1}'
    assert 'regex("^gs://([^/]+)", var.lake_catalog_warehouse)[0]' in bucket_of
    writers = [
        body
        for name, body in terraform()["resource"]
        .get("google_storage_bucket_iam_member", {})
        .items()
        if "lake_bucket" in str(body.get("bucket"))
    ]
    assert writers == [reader]
