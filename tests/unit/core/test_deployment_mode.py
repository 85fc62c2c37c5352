"""The deployment's mode is a ceiling over the files' modes: dry-run makes everything dry,
enforce lets each file's own mode stand, and a deployment that says nothing is dry."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from costplane import bootstrap
from costplane.config import Settings
from costplane.domain.taxonomy import Mode


def taxonomy_in(mode: str, tmp_path: Path) -> Path:
    document = yaml.safe_load(bootstrap.EXAMPLE_TAXONOMY.read_text())
    document["enforcement"]["mode"] = mode
    path = tmp_path / "taxonomy.yaml"
    path.write_text(yaml.safe_dump(document))
    return path


def test_a_dry_run_deployment_makes_an_enforcing_taxonomy_dry(tmp_path: Path) -> None:
    settings = Settings(taxonomy=taxonomy_in("enforce", tmp_path), mode="dry-run")

    assert bootstrap.taxonomy(settings).enforcement.mode is Mode.DRY_RUN


def test_an_enforcing_deployment_leaves_a_dry_run_taxonomy_dry(tmp_path: Path) -> None:
    settings = Settings(taxonomy=taxonomy_in("dry-run", tmp_path), mode="enforce")

    assert bootstrap.taxonomy(settings).enforcement.mode is Mode.DRY_RUN


def test_an_enforcing_deployment_lets_an_enforcing_taxonomy_enforce(tmp_path: Path) -> None:
    settings = Settings(taxonomy=taxonomy_in("enforce", tmp_path), mode="enforce")

    assert bootstrap.taxonomy(settings).enforcement.mode is Mode.ENFORCE


def test_a_deployment_that_names_no_mode_is_dry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COSTPLANE_MODE", raising=False)

    assert bootstrap.taxonomy(Settings()).enforcement.mode is Mode.DRY_RUN
