"""The bundled documentation samples as the demo decides them.

The payloads in events/ are byte-identical copies of provider documentation, and name their
accounts, projects, regions and names with placeholders (`{subscription-id}`, `${project}`,
`{project}`, `region-code`, `{storage-name}`). costplane rejects any identity outside its
provider's documented format, so the demo decides a copy whose placeholders are filled with
well-formed values (and shows no braces).
"""

from __future__ import annotations

import shutil
from pathlib import Path

PLACEHOLDERS = {
    "{subscription-id}": "0b1f6471-1bf0-4dda-aec3-cb9272f09590",
    "{resource-group}": "costplane-rg",
    "${project}": "costplane-sample",
    "${zone}": "us-central1-a",
    "${region}": "us-central1",
    "{project}": "costplane-sample",
    "{zone}": "us-central1-a",
    "${name}": "costplane-sample-1",
    "{name}": "costplane-sample-1",
    "{storage-name}": "costplanesamples",
    "{user-name}": "alice@example.com",
    "{namespace}": "costplane-events",
    '"region-code"': '"us-west-2"',
    ":region-code:": ":us-west-2:",
}


def filled(text: str) -> str:
    """`text` with every documented placeholder replaced by a well-formed value (`${…}` forms
    before their bare `{…}` forms, which they contain)."""
    for placeholder, value in PLACEHOLDERS.items():
        text = text.replace(placeholder, value)
    return text


def filled_copy(source: Path, target: Path) -> Path:
    """A copy of the samples under `source` at `target`, every JSON file's placeholders filled."""
    shutil.copytree(source, target)
    for path in target.rglob("*.json"):
        path.write_text(filled(path.read_text()))
    return target
