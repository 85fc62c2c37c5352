"""The documentation samples in events/ name their accounts, projects and regions with
placeholders (`{subscription-id}`, `${project}`, `region-code`). costplane rejects such a
payload, as it rejects any identity outside the provider's documented format; a test that wants
the sample's events fills each placeholder with a value in that format. The files themselves stay
byte-identical to their sources."""

from __future__ import annotations

from pathlib import Path

VALUES = {
    "{subscription-id}": "0b1f6471-1bf0-4dda-aec3-cb9272f09590",
    "{resource-group}": "costplane-rg",
    "${project}": "costplane-sample",
    "${zone}": "us-central1-a",
    "${region}": "us-central1",
    '"region-code"': '"us-west-2"',
    ":region-code:": ":us-west-2:",
}


def filled(raw: str) -> str:
    """`raw` with every documented placeholder replaced by a well-formed value."""
    for placeholder, value in VALUES.items():
        raw = raw.replace(placeholder, value)
    return raw


def filled_bytes(path: Path) -> bytes:
    """The sample at `path`, its placeholders filled."""
    return filled(path.read_text()).encode()
