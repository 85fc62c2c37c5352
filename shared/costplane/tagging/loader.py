"""Load a taxonomy file (YAML or JSON) and say precisely where it is wrong."""

from __future__ import annotations

from pathlib import Path

from costplane.domain.documents import read_document, validate_document
from costplane.domain.taxonomy import Taxonomy


class TaxonomyError(ValueError):
    """A taxonomy file that cannot be used; the message names the file and the field."""


def load_taxonomy(path: Path) -> Taxonomy:
    document = read_document(path, "taxonomy", TaxonomyError)
    return validate_document(Taxonomy, document, str(path), "taxonomy", TaxonomyError)
