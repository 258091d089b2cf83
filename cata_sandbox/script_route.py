"""A scripted route's parts: the universal ``input`` from the connection and the outlet, the request the
scripts built as the one the engine sends, and the attempt of a script that failed before sending.

Per-outlet credentials win: ``baseUrl``, ``apiKey``, ``apiSecret`` and ``webhookUrl`` in the outlet's
settings override the tenant's provider connection; ``config`` is the connection's.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, NamedTuple

import msgspec

from cata_sandbox.adapters.results import DispatchRequest
from cata_sandbox.attempt_record import redact_text
from cata_sandbox.net.failures import describe_failure
from cata_sandbox.pipeline import STANDARD, ScriptBuild, secret_config_values, standard_request
from cata_sandbox.schemas import Order
from cata_sandbox.store import Attempt, OutletProvider, ProviderConnection, StoredOrder
from cata_sandbox.transformers import OutboundRequest, Transformer, UnmappableOrder
from cata_sandbox.validation import locate

log = logging.getLogger("cata_sandbox.dispatch")

__all__ = [
    "CREDENTIALS",
    "Routed",
    "ScriptCall",
    "failed_attempt",
    "plugin_request",
    "provider_call",
    "script_outgoing",
    "standard_call",
    "with_config",
]

# The outlet settings that are credentials: write-only, and they win over the connection's.
CREDENTIALS = ("apiKey", "apiSecret")
_OVERRIDES = ("baseUrl", "apiKey", "apiSecret", "webhookUrl")


@dataclass(frozen=True, slots=True)
class ScriptCall:
    """What the scripts run with after the order is committed (``provider`` ``_standard`` is Path 1)."""

    provider: str
    input: dict[str, Any]
    event: str
    signature: str | None = None
    timestamp: int = 0


class Routed(NamedTuple):
    """A route: its name, the request (None: the scripts build it after the commit), secrets, the call."""

    route: str
    outgoing: OutboundRequest | None
    secrets: list[str]
    script: ScriptCall | None = None


def plugin_request(
    transformer: Transformer, stored_settings: dict[str, Any], parsed: Order, order: StoredOrder
) -> tuple[OutboundRequest, list[str]] | str:
    """A Python plugin transformer's request (pure, built in the order's transaction), or the reason."""
    secrets = [str(stored_settings[name]) for name in transformer.secret_settings if name in stored_settings]
    # Whatever a transformer (possibly a third-party one) raises, the order must still be kept:
    # each failure becomes the order's reason, never a 500 that rolls the order back.
    try:
        settings = msgspec.convert(stored_settings, transformer.settings_type)
        outgoing = transformer.build_request(parsed, settings, order.event)
    except UnmappableOrder as exc:
        return redact_text(f"order cannot be mapped for {transformer.slug}: {exc}", secrets)
    except msgspec.ValidationError as exc:
        where = locate(str(exc), "$.settings")
        return f"stored settings of this outlet are not valid for {transformer.slug}: {where}"
    except Exception as exc:
        reason = redact_text(f"transformer {transformer.slug} failed: {describe_failure(exc)}", secrets)
        # No traceback: its frames could show the settings' secrets.
        log.error("order=%s %s", order.id, reason)
        return reason
    return outgoing, secrets


def _outlet(order: StoredOrder, settings: dict[str, Any], ref_code: str) -> dict[str, Any]:
    # Only this outlet's settings: a script never sees another outlet's.
    return {"id": order.outlet_id, "refCode": ref_code, "settings": settings}


def standard_call(order: StoredOrder, url: str, signature: str, timestamp: int) -> ScriptCall:
    """Path 1 through a ``_standard`` script from an adapters dir: the registered webhook is the input."""
    data = {
        "providerSlug": STANDARD,
        "baseUrl": "",
        "apiKey": "",
        "apiSecret": "",
        "webhookUrl": url,
        "config": {},
        "orderId": order.id,
        "event": order.event,
        "outlet": _outlet(order, {}, order.outlet_id),
    }
    return ScriptCall(STANDARD, data, order.event, signature, timestamp)


def provider_call(
    order: StoredOrder, mapping: OutletProvider, connection: ProviderConnection | None
) -> tuple[ScriptCall, list[str]]:
    """Path 2's input, and the secret values to redact from everything recorded."""
    settings = dict(mapping.settings)
    base = {
        "baseUrl": connection.base_url if connection else "",
        "apiKey": connection.api_key if connection else "",
        "apiSecret": connection.api_secret if connection else "",
        "webhookUrl": connection.webhook_url if connection else "",
    }
    for name in _OVERRIDES:
        value = settings.get(name)
        if isinstance(value, str) and value:
            base[name] = value
    # The inbound webhook's credentials are the service's, not the script's.
    config = {
        k: v for k, v in (connection.config if connection else {}).items() if not k.startswith("inbound")
    }
    data = {
        "providerSlug": mapping.provider_slug,
        **base,
        "config": config,
        "orderId": order.id,
        "event": order.event,
        "outlet": _outlet(order, settings, mapping.external_id or order.outlet_id),
    }
    secrets = [base["apiKey"], base["apiSecret"], *secret_config_values(config)]
    return ScriptCall(mapping.provider_slug, data, order.event), [s for s in secrets if len(s) >= 4]


def with_config(call: ScriptCall, config: dict[str, Any], secrets: list[str]) -> tuple[ScriptCall, list[str]]:
    """``call`` with a new connection config (a refreshed OAuth token), and the secrets to redact then."""
    clean = {k: v for k, v in config.items() if not k.startswith("inbound")}
    fresh = [s for s in secret_config_values(clean) if len(s) >= 4 and s not in secrets]
    return replace(call, input={**call.input, "config": clean}), [*secrets, *fresh]


def script_outgoing(
    built: DispatchRequest, call: ScriptCall, order_bytes: bytes, secrets: list[str]
) -> OutboundRequest:
    """The request the engine sends: Path 1's keeps the order bytes and X-Cata-* headers (body null)."""
    if call.provider == STANDARD and call.signature is not None:
        return standard_request(
            built, order_bytes, call.signature, event=call.event, timestamp=call.timestamp
        )
    secret_headers = frozenset(
        name for name, value in built.headers.items() if any(s and s in value for s in secrets)
    )
    return OutboundRequest(
        method=built.method,
        url=built.url,
        headers=dict(built.headers),
        body=b"" if built.body is None else built.body,
        secret_headers=secret_headers,
    )


def failed_attempt(
    attempt_id: str, order: StoredOrder, route: str, reason: str, built: ScriptBuild, started_at: datetime
) -> Attempt:
    """A scripted route whose scripts failed: nothing was sent; the error and log lines are kept."""
    return Attempt(
        id=attempt_id,
        order_id=order.id,
        route=route,
        started_at=started_at,
        duration_ms=0.0,
        request_method="",
        request_url="",
        request_headers={},
        request_body=None,
        response_status=None,
        response_headers={},
        response_body=b"",
        dispatched=False,
        reason=reason,
        external_order_id="",
        script_error=reason.removeprefix("transformer failed: "),
        script_logs=built.logs,
        findings=built.findings,
    )
