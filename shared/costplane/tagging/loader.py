"""Load a taxonomy file (YAML or JSON) and say precisely where it is wrong."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from costplane.domain.problems import describe
from costplane.domain.taxonomy import Taxonomy


class TaxonomyError(ValueError):
    """A taxonomy file that cannot be used; the message names the file and the field."""


def load_taxonomy(path: Path) -> Taxonomy:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise TaxonomyError(f"{path}: cannot read taxonomy: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise TaxonomyError(f"{path}: not valid YAML: {exc}") from exc
    try:
        return Taxonomy.model_validate(document)
    except ValidationError as exc:
        raise TaxonomyError(f"{path}: invalid taxonomy: {describe(exc)}") from exc
