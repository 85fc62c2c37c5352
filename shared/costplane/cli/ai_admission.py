"""`costplane ai admission serve`: the admission endpoint for a gateway on this host;
`costplane ai admission check`: whether one model request would be admitted now."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer

from costplane import bootstrap
from costplane.adapters.admission_http import admission_reply
from costplane.ai.admission import Admission, AdmissionRequest, Attribution, Usage
from costplane.cli.output import JsonOption, say
from costplane.cli.plane_option import Plane, PlaneOption
from costplane.config import Settings
from costplane.domain.ai import AiVendor

app = typer.Typer(
    help="Reserve a model request's worst-case cost against every budget before it is sent.",
    no_args_is_help=True,
)

BudgetsOption = Annotated[
    Path | None,
    typer.Option(
        "--budgets", help="Budgets file (default: the bundled example).", show_default=False
    ),
]
LakeOption = Annotated[
    Path | None,
    typer.Option(
        "--lake",
        help="Local state directory (its state.db holds reservations).",
        show_default=False,
    ),
]


def _settings(budgets: Path | None, lake: Path | None) -> Settings:
    settings = Settings()
    changes = {"budgets": budgets or settings.budgets, "lake": lake or settings.lake}
    return settings.model_copy(update=changes)


@app.command("serve")
def serve_command(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on (0: any free port).")] = 8790,
    budgets: BudgetsOption = None,
    lake: LakeOption = None,
    plane: PlaneOption = Plane.LOCAL,
) -> None:
    """Serve POST /reserve and POST /settle until interrupted."""
    from costplane.adapters.admission_http import AdmissionEndpoint
    from costplane.adapters.local.admission_server import admission_server

    service = bootstrap.admission(_settings(budgets, lake), plane.value)
    server = admission_server(AdmissionEndpoint(service), host, port)
    bound_host, bound_port = server.server_address[:2]
    say(f"admission on http://{bound_host!s}:{bound_port}/reserve and /settle")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@app.command("check")
def check_command(
    vendor: Annotated[AiVendor, typer.Option(help="Who serves the model.")],
    model: Annotated[str, typer.Option(help="The model id, e.g. gpt-4o-mini.")],
    input_tokens: Annotated[int, typer.Option(help="Input tokens (or an upper estimate).")],
    max_output_tokens: Annotated[int, typer.Option(help="The request's output token limit.")],
    team: Annotated[str | None, typer.Option(help="The owning team.")] = None,
    account: Annotated[
        str | None, typer.Option(help="OpenAI project, Anthropic workspace or cloud account.")
    ] = None,
    api_key: Annotated[str | None, typer.Option(help="The API key id.")] = None,
    service_tier: Annotated[str | None, typer.Option(help="The service tier.")] = None,
    request_id: Annotated[
        str | None, typer.Option(help="Idempotency key (default: a new one).")
    ] = None,
    hold: Annotated[
        bool, typer.Option("--hold", help="Keep the reservation (settle it through the endpoint).")
    ] = False,
    budgets: BudgetsOption = None,
    lake: LakeOption = None,
    plane: PlaneOption = Plane.LOCAL,
    as_json: JsonOption = False,
) -> None:
    """Reserve one request's worst case; unless --hold, give it back at once (nothing spent).
    Exit 0 when admitted, 1 when refused."""
    import uuid

    request = AdmissionRequest(
        request_id=request_id or f"cli-{uuid.uuid4().hex}",
        vendor=vendor,
        model=model,
        service_tier=service_tier,
        input_tokens=input_tokens,
        max_output_tokens=max_output_tokens,
        attribution=Attribution(team=team, account=account, api_key=api_key),
    )
    service = bootstrap.admission(_settings(budgets, lake), plane.value)
    admission = service.reserve(request)
    if admission.admitted and not hold:
        service.settle(admission.request_id, Usage(cost=Decimal(0)))
    _show(admission, as_json)
    if not admission.admitted:
        raise typer.Exit(1)


def _show(admission: Admission, as_json: bool) -> None:
    if as_json:
        typer.echo(admission_reply(admission).encoded().decode())
        return
    worst = f"{format(admission.reserved.normalize(), 'f')} {admission.currency}".strip()
    if admission.refusal is None:
        within = ", ".join(admission.budgets) or "no budget"
        say(f"admitted {admission.request_id}: at most {worst}, within {within}")
        return
    refusal = admission.refusal
    say(f"refused {admission.request_id} ({refusal.reason}): {refusal.message}")
