"""The AI vendors' ports on a cloud plane: OpenAI and Anthropic levers, each wired only when its
admin key is configured, over the plane's HTTP client; what undoes an action is kept in the
records beside the plane's claims (their projects, workspaces and keys carry no tags). Without
a key nothing of them is imported: the AWS plane still starts without httpx."""

from __future__ import annotations

from costplane.config import AiVendorSettings
from costplane.domain.events import Provider
from costplane.engine.ports import ProviderPorts
from costplane.planes.base import Plane


def ai_vendor_ports(
    plane: Plane, keys: AiVendorSettings | None = None
) -> dict[Provider, ProviderPorts]:
    keys = keys or AiVendorSettings()
    if keys.openai_admin_key is None and keys.anthropic_admin_key is None:
        return {}
    from costplane.adapters.undo_records import RecordedUndo
    from costplane.adapters.vendor_levers import NoTags

    record = RecordedUndo(plane.claim_records()).tag_record()
    percent = keys.ai_throttle_percent
    ports: dict[Provider, ProviderPorts] = {}
    if keys.openai_admin_key is not None:
        from costplane.adapters.openai.admin import OpenAiAdmin, openai_api
        from costplane.adapters.openai.enforcer import OpenAiEnforcer

        openai = OpenAiAdmin(openai_api(plane.http, keys.openai_admin_key.get_secret_value()))
        ports[Provider.OPENAI] = ProviderPorts(NoTags(), OpenAiEnforcer(openai, record, percent))
    if keys.anthropic_admin_key is not None:
        from costplane.adapters.anthropic.admin import AnthropicAdmin, anthropic_api
        from costplane.adapters.anthropic.enforcer import AnthropicEnforcer

        key = keys.anthropic_admin_key.get_secret_value()
        anthropic = AnthropicAdmin(anthropic_api(plane.http, key))
        ports[Provider.ANTHROPIC] = ProviderPorts(
            NoTags(), AnthropicEnforcer(anthropic, record, percent)
        )
    return ports
