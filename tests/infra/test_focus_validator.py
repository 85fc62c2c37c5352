"""The lake built from each real bill sample passes the FinOps Foundation's focus-validator.

focus-validator 2.2.1 (FOCUS 1.2 rules) runs in its own Python 3.12 venv, from its
site-packages directory (it opens its rules by relative path). It exits 0 even when rules
fail, so the JUnit XML it writes is what we read: every failed rule must be listed, with its
reason, in focus_validator_exemptions.yaml, and every rule listed for a sample must still
fail on it (a stale exemption hides nothing). Each sample is ingested into its own lake and
exported to Parquet as `costplane lake export` does, x_ columns included (the validator
accepts x_-prefixed custom columns). One validator run per sample, each a few seconds;
`pytest -n 2` spreads them over two workers.

The samples are the real bill files in tests/data/focus, all of them, and the GCP export, whose
licence (Elastic License 2.0) keeps it in ../shared/data, read in place.
"""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel, ConfigDict

from costplane.billing.focus.sources import get_normaliser
from costplane.billing.lake.query import export
from costplane.billing.lake.table import open_lake
from costplane.billing.lake.writer import ingest
from costplane.cli.ingest import for_organisation
from tests.conftest import REPO, TEST_DATA, in_place, read_in_place_marks

BILLS = TEST_DATA / "focus"
VALIDATOR = REPO / ".venv-tools" / "focus-validator"
EXEMPTIONS = Path(__file__).with_name("focus_validator_exemptions.yaml")
ALL_SAMPLES = "*"

pytestmark = pytest.mark.infra


@dataclass(frozen=True)
class Sample:
    """One delivery of a real bill file and the source reading it."""

    id: str
    source: str
    file: Path
    organisation: str | None = None
    """The organisation of an AI report (its pages do not name it; see ai_reports)."""

    def param(self) -> pytest.ParameterSet:
        """This sample as a test parameter, marked when it is read in place."""
        return pytest.param(self, id=self.id, marks=read_in_place_marks(self.file))


SAMPLES = (
    Sample("aws-cur-legacy", "aws-cur", BILLS / "aws/cur_legacy_anonymized_2023-11_days01-07.csv"),
    Sample("azure-ea-actual", "azure-ea", BILLS / "azure/ea_actual_cost_small.csv"),
    Sample("azure-ea-amortized", "azure-ea", BILLS / "azure/ea_amortized_cost_small.csv"),
    Sample(
        "gcp-billing-export",
        "gcp-billing",
        in_place("gcp/bigquery_billing_export_v1_sample.ndjson"),  # Elastic License 2.0
    ),
    Sample("oci-cost-report", "oci", BILLS / "oci/oci_cost_report_2023-11-13_hours05-07.csv"),
    Sample(
        "focus-1.0-sample", "focus", BILLS / "focus/focus_1.0_sample_1000rows_aws_azure_oci.csv"
    ),
    *(
        Sample(f"openai-{name}", source, BILLS / f"openai/api_example_{name}.json", "org-example")
        for source, name in (
            ("openai-usage", "usage_completions"),
            ("openai-usage", "usage_embeddings"),
            ("openai-usage", "usage_images"),
            ("openai-costs", "costs"),
        )
    ),
    Sample(
        "anthropic-usage",
        "anthropic-usage",
        in_place("anthropic/api_example_usage_report_messages.json"),
        "org-example",
    ),
    Sample(
        "anthropic-cost",
        "anthropic-cost",
        in_place("anthropic/api_example_cost_report.json"),
        "org-example",
    ),
)


class Exemption(BaseModel):
    """A rule held not to apply to some samples, and why."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    rule: str
    samples: list[str]
    reason: str

    def covers(self, sample: str) -> bool:
        return ALL_SAMPLES in self.samples or sample in self.samples


def load_exemptions() -> list[Exemption]:
    return [Exemption.model_validate(e) for e in yaml.safe_load(EXEMPTIONS.read_text())]


def site_packages() -> Path:
    return next((VALIDATOR / "lib").glob("python3.*/site-packages"))


def run_validator(data: Path, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            str(VALIDATOR / "bin" / "focus-validator"),
            "--data-file",
            str(data),
            "--validate-version",
            "1.2",
            "--block-download",
            *options,
        ],
        cwd=site_packages(),
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )


def failed_rules(report: Path) -> set[str]:
    """Ids of the rules with a <failure> or an <error> in the validator's JUnit XML.

    A test case is named "<rule id> :: <check kind>".
    """
    return {
        case.get("name", "").split(" :: ")[0]
        for case in ET.parse(report).getroot().iter("testcase")
        if case.find("failure") is not None or case.find("error") is not None
    }


@pytest.fixture(scope="module")
def validator_installed() -> None:
    if not (VALIDATOR / "bin" / "focus-validator").exists():
        pytest.skip(f"focus-validator is not installed in {VALIDATOR} (run `make tools`)")


@pytest.mark.usefixtures("validator_installed")
@pytest.mark.parametrize("sample", [s.param() for s in SAMPLES])
def test_lake_of_sample_passes_every_applicable_focus_rule(sample: Sample, tmp_path: Path):
    lake = open_lake(tmp_path / "lake")
    normaliser = get_normaliser(sample.source)
    if sample.organisation is not None:
        normaliser = for_organisation(normaliser, sample.organisation)
    ingest(lake, normaliser, [sample.file])
    data = tmp_path / f"{sample.id}.parquet"
    export(lake, "parquet", data)
    report = tmp_path / f"{sample.id}.xml"
    run_validator(data, "--output-type", "unittest", "--output-destination", str(report))

    failed = failed_rules(report)
    exempt = {e.rule for e in load_exemptions() if e.covers(sample.id)}
    unexpected = sorted(failed - exempt)
    if unexpected:
        console = run_validator(data, "--output-type", "console", "--show-violations")
        details = console.stdout.partition("--- Failures ---")[2]
        pytest.fail(f"{sample.id}: rules failed: {unexpected}\n{details}")
    assert not exempt - failed, f"{sample.id} passes exempted rules: narrow their entries"


def test_every_real_bill_file_in_the_repo_is_a_sample():
    """The FOCUS spec's examples (spec_*/) are not bills but hand-authored illustrations of one
    scenario each; tests/contract/test_focus_samples.py reconciles them."""
    bills = {
        path
        for path in BILLS.rglob("*")
        if path.is_file()
        and path.name != "SOURCES.md"
        and not any(part.startswith("spec_") for part in path.relative_to(BILLS).parts)
    }
    assert bills == {s.file for s in SAMPLES if s.file.is_relative_to(BILLS)}


def test_every_exemption_names_known_samples_and_says_why():
    known = {s.id for s in SAMPLES} | {ALL_SAMPLES}
    for exemption in load_exemptions():
        assert exemption.reason.strip(), f"{exemption.rule} has no reason"
        assert set(exemption.samples) <= known, f"{exemption.rule}: unknown sample id"
