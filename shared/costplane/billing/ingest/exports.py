"""The configured exports (COSTPLANE_EXPORTS): where each writes, which normaliser reads it,
and what one delivery is.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import orjson
import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from costplane.billing.focus.ai_companions import pair_of
from costplane.billing.focus.sources import normaliser_names
from costplane.billing.ingest.manifests import is_manifest
from costplane.billing.pull import PULLED_SOURCES

BILL_SUFFIXES = (".csv", ".csv.gz", ".parquet", ".ndjson", ".ndjson.gz", ".jsonl", ".jsonl.gz")
REPORT_SUFFIXES = (".json", ".json.gz")
"""AI usage and cost reports land as JSON pages (billing/focus/sources/ai_reports)."""


class Export(BaseModel):
    """One bill export: where its files land and which normaliser reads them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    location: str = Field(description="URI prefix the export writes under.")
    source: str = Field(description="Normaliser of its bill files, e.g. aws-cur2.")
    deliveries: Literal["files", "manifest"] = "files"
    suffixes: tuple[str, ...] = Field(BILL_SUFFIXES, description="Names of its bill files end so.")

    @model_validator(mode="before")
    @classmethod
    def _report_suffixes(cls, data: object) -> object:
        """An AI report export's files are JSON pages, unless it names its own suffixes."""
        if isinstance(data, dict) and "suffixes" not in data and pair_of(str(data.get("source"))):
            return {**data, "suffixes": REPORT_SUFFIXES}
        return data

    @field_validator("location")
    @classmethod
    def _is_a_uri(cls, value: str) -> str:
        parts = urlsplit(value)
        if not (parts.scheme and parts.netloc):
            raise ValueError(f"not a URI prefix such as s3://bucket/prefix/: {value!r}")
        return value

    @field_validator("source")
    @classmethod
    def _is_a_normaliser(cls, value: str) -> str:
        if value not in normaliser_names():
            raise ValueError(f"unknown source {value!r}; valid: {', '.join(normaliser_names())}")
        return value

    def holds_bill(self, uri: str) -> bool:
        name = uri.lower()
        return not is_manifest(uri) and name.endswith(tuple(s.lower() for s in self.suffixes))


class Exports(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    exports: list[Export]

    def of(self, uri: str) -> Export | None:
        """The export `uri` belongs to: the one with the longest matching location."""
        matching = [e for e in self.exports if uri.startswith(e.location)]
        return max(matching, key=lambda e: len(e.location), default=None)


def pulled_exports(location: str) -> list[Export]:
    """Where the AI usage pull lands each source's reports (billing/pull.py): one export per
    source under `location`, its files the JSON reports."""
    return [
        Export(location=f"{location}{source}/", source=source, suffixes=(".json",))
        for source in PULLED_SOURCES
    ]


def with_pulled(exports: Exports, location: str | None) -> Exports:
    """The configured exports, and the pulled reports' when the pull lands somewhere."""
    if location is None:
        return exports
    return Exports(exports=[*exports.exports, *pulled_exports(location)])


def load_exports(value: str) -> Exports:
    """COSTPLANE_EXPORTS: inline JSON (a list, or {"exports": [...]}) or a YAML/JSON file."""
    text = value.strip()
    data = (
        orjson.loads(text)
        if text.startswith(("[", "{"))
        else yaml.safe_load(Path(text).read_text())
    )
    return Exports.model_validate({"exports": data} if isinstance(data, list) else data)
