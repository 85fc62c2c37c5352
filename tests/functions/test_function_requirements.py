"""Each function ships with a requirements.txt: pinned as in requirements.lock, and enough to
import the function and build its service. A module the function needs but its requirements
do not bring would be an ImportError on the first cold start in the cloud, not in tests.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement

REPO = Path(__file__).resolve().parents[2]
FUNCTIONS = REPO / "functions"

# Import the function as its platform does, build its service, import what it imports only when
# it first needs it (LATER) and parse a real payload, with every distribution that is not
# shipped hidden: an optional import falls back as it would in the cloud, a hard one fails the
# probe. Arguments: the shipped distributions.
PROBE = """
import importlib.util, re, sys
from importlib import metadata
shipped = set(sys.argv[1:])
owners = metadata.packages_distributions()

class NotShipped:
    def find_spec(self, name, path=None, target=None):
        dists = owners.get(name.partition(".")[0], ())
        if dists and not any(re.sub(r"[-_.]+", "-", d).lower() in shipped for d in dists):
            raise ModuleNotFoundError(f"No module named {{name!r}} (not in requirements.txt)")
        return None

sys.meta_path.insert(0, NotShipped())
sys.path.insert(0, {root!r})
spec = importlib.util.spec_from_file_location({name!r}, {path!r})
module = importlib.util.module_from_spec(spec)
sys.modules[{name!r}] = module
spec.loader.exec_module(module)
service = getattr(module, "service", None) or sys.modules[{blueprint!r}].service
service()
for later in {later!r}:
    importlib.import_module(later)
from costplane.engine.envelopes import parse_payload
parse_payload(open({sample!r}, "rb").read())
"""

# (directory, file, module name, the blueprint whose service an Azure app case builds)
CASES = {
    "aws": (FUNCTIONS / "aws" / "tag_enforcer", "app.py", "app", None),
    "azure": (FUNCTIONS / "azure", "function_app.py", "function_app", "blueprints.tag_enforcer"),
    "gcp": (FUNCTIONS / "gcp" / "tag_enforcer", "main.py", "main", None),
    "aws-cost_ingest": (FUNCTIONS / "aws" / "cost_ingest", "app.py", "app", None),
    "azure-cost_ingest": (
        FUNCTIONS / "azure",
        "function_app.py",
        "function_app",
        "blueprints.cost_ingest",
    ),
    "gcp-cost_ingest": (FUNCTIONS / "gcp" / "cost_ingest", "main.py", "main", None),
    "aws-policy_runner": (FUNCTIONS / "aws" / "policy_runner", "app.py", "app", None),
    "azure-policy_runner": (
        FUNCTIONS / "azure",
        "function_app.py",
        "function_app",
        "blueprints.policy_runner",
    ),
    "gcp-policy_runner": (FUNCTIONS / "gcp" / "policy_runner", "main.py", "main", None),
    "aws-ai_pull": (FUNCTIONS / "aws" / "ai_pull", "app.py", "app", None),
    "azure-ai_pull": (FUNCTIONS / "azure", "function_app.py", "function_app", "blueprints.ai_pull"),
    "gcp-ai_pull": (FUNCTIONS / "gcp" / "ai_pull", "main.py", "main", None),
    "aws-admission": (FUNCTIONS / "aws" / "admission", "app.py", "app", None),
}
# Imported on first use: cost ingest fits the budgets' projections after its first ingest, and
# when a budget has AI targets pulls their levers (approvals, the AI vendors' admin APIs).
LATER = dict.fromkeys(
    ("aws-cost_ingest", "azure-cost_ingest", "gcp-cost_ingest"),
    (
        "costplane.billing.forecast.model",
        "costplane.budgets.levers",
        "costplane.planes.chat",
        "costplane.adapters.openai.enforcer",
        "costplane.adapters.anthropic.enforcer",
    ),
)
# cost_ingest reads only the exports of its own cloud's object storage.
EXPORTS = {
    "aws-cost_ingest": "s3://billing/cur2/",
    "azure-cost_ingest": "https://billing.blob.core.windows.net/exports/",
    "gcp-cost_ingest": "gs://billing/focus/",
}
# The AI usage pull lands in its own cloud's object storage.
PULLS = {
    "aws-ai_pull": "s3://billing/ai-usage/",
    "azure-ai_pull": "https://billing.blob.core.windows.net/exports/ai-usage/",
    "gcp-ai_pull": "gs://billing/ai-usage/",
}
ENVIRONMENT = {
    "COSTPLANE_IDEMPOTENCY_TABLE": "idempotency",
    "COSTPLANE_CLAIMS_TABLE": "claims",
    "COSTPLANE_DECISIONS_TABLE": "decisions",
    "COSTPLANE_APPROVALS_TABLE": "approvals",
    "COSTPLANE_ADMISSION_TABLE": "admission",
    "COSTPLANE_AZURE_TOKEN": "token",
    "COSTPLANE_GCP_TOKEN": "token",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(path: Path) -> dict[str, str]:
    requirements = (
        Requirement(line) for line in path.read_text().splitlines() if line and line[0] != "#"
    )
    return {canonical(r.name): str(r.specifier) for r in requirements}


def closure(names: set[str]) -> set[str]:
    """The distributions `names` bring, with their dependencies (extras not requested)."""
    found: set[str] = set()
    pending = list(names)
    while pending:
        name = canonical(pending.pop())
        if name in found:
            continue
        found.add(name)
        for line in metadata.requires(name) or ():
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                pending.append(requirement.name)
    return found


@pytest.mark.parametrize("cloud", sorted(CASES))
def test_requirements_are_pinned_as_in_the_lock(cloud):
    root, *_ = CASES[cloud]
    locked = pins(REPO / "requirements.lock")

    for name, pin in pins(root / "requirements.txt").items():
        assert pin == locked[name], f"{cloud}: {name}{pin} but the lock has {locked[name]}"


@pytest.mark.parametrize("cloud", sorted(CASES))
def test_requirements_bring_everything_the_function_imports(cloud, tmp_path):
    root, filename, name, blueprint = CASES[cloud]
    sample = REPO / "events" / "aws" / "aws-cloudtrail-s3-createbucket-eventbridge.json"
    script = PROBE.format(
        root=str(root),
        path=str(root / filename),
        name=name,
        blueprint=blueprint,
        later=LATER.get(cloud, ()),
        sample=str(sample),
    )
    shipped = closure(set(pins(root / "requirements.txt")))
    env = {**os.environ, **ENVIRONMENT, "COSTPLANE_LAKE": str(tmp_path)}
    if cloud in EXPORTS:
        env["COSTPLANE_EXPORTS"] = f'[{{"location": "{EXPORTS[cloud]}", "source": "focus"}}]'
    if cloud in PULLS:
        env["COSTPLANE_AI_PULL_LOCATION"] = PULLS[cloud]
        env["COSTPLANE_AI_ADMIN_KEYS"] = '{"openai": {"org-abc": "sk-admin-test"}}'

    result = subprocess.run(
        [sys.executable, "-c", script, "costplane", *sorted(shipped)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr
