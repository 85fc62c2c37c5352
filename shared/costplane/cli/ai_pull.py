"""`costplane ai pull`: the hourly pull's reports, fetched on this machine into a directory, as
the functions land them in the bill store (<source>/org=<organisation>/<YYYY-MM>.json); then
`costplane ingest` reads them."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from pydantic import SecretStr

from costplane import bootstrap
from costplane.billing.pull import PullOutcome
from costplane.cli.output import JsonOption, count, fail, json_lines, table, warn
from costplane.config import AdminKeys, AiPullSettings, admin_keys_from


class Vendor(StrEnum):
    OPENAI = "openai"
    ANTHROPIC = "anthropic"


def pull_command(
    vendor: Annotated[Vendor, typer.Option("--vendor", help="Whose reports to pull.")],
    out: Annotated[
        Path,
        typer.Option("--out", file_okay=False, help="Directory the reports are written under."),
    ],
    organisation: Annotated[
        str | None,
        typer.Option(
            "--organisation",
            help="Organisation id (OpenAI org-…, Anthropic's uuid): names the files; with "
            "COSTPLANE_AI_ADMIN_KEYS, only its key is used.",
        ),
    ] = None,
    key_file: Annotated[
        Path | None,
        typer.Option(
            "--key-file",
            dir_okay=False,
            help="File holding the organisation's admin key (needs --organisation); default "
            "the keys of COSTPLANE_AI_ADMIN_KEYS.",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Pull an AI vendor's usage and cost reports, month to date (and the previous month in its
    first days), each organisation's into one file per report and month. Exit status 1 when a
    report could not be fetched whole: nothing of it was written."""
    keys = _keys(vendor, organisation, key_file)
    outcomes = bootstrap.ai_pull_into(out, keys).pull()
    failed = [o for o in outcomes if o.status == "failed"]
    if as_json:
        json_lines(_row(o) for o in outcomes)
    else:
        rows = [
            (o.source, o.organisation, o.month, o.status, count(o.pages), o.uri) for o in outcomes
        ]
        table("", ["source", "organisation", "month", "status", "pages", "file"], rows)
        for outcome in failed:
            warn(f"{outcome.source} of {outcome.organisation}, {outcome.month}: {outcome.detail}")
    if failed:
        raise typer.Exit(1)


def _keys(vendor: Vendor, organisation: str | None, key_file: Path | None) -> AdminKeys:
    if key_file is not None:
        if organisation is None:
            fail("--key-file needs --organisation: the id the reports are filed under")
        return {vendor.value: {organisation: SecretStr(key_file.read_text().strip())}}
    configured = AiPullSettings().admin_keys
    if configured is None:
        fail("no admin key: give --key-file and --organisation, or set COSTPLANE_AI_ADMIN_KEYS")
    held = admin_keys_from(configured.get_secret_value()).get(vendor.value, {})
    chosen = {o: k for o, k in held.items() if organisation in (None, o)}
    if not chosen:
        whose = organisation or "any organisation"
        fail(f"COSTPLANE_AI_ADMIN_KEYS holds no {vendor.value} admin key for {whose}")
    return {vendor.value: chosen}


def _row(outcome: PullOutcome) -> dict[str, object]:
    return {
        "source": outcome.source,
        "organisation": outcome.organisation,
        "month": outcome.month,
        "status": outcome.status,
        "pages": outcome.pages,
        "file": outcome.uri,
        "detail": outcome.detail,
    }
