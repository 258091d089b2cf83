"""Mock partner webhook receivers at ``POST /webhooks/{name}``.

A healthy receiver verifies ``X-Cata-Signature`` (``sha256=`` + hex HMAC-SHA256 of the raw body, keyed
with its secret), optionally probes a URL first (to observe the sender mid-delivery), and answers 200
with its own ``externalOrderId`` (the same one again for an order it already has). Faults and notes
directives disturb that answer.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any, cast

from litestar.handlers import asgi
from litestar.handlers.asgi_handlers import ASGIRouteHandler
from litestar.types import HTTPScope, Receive, Scope, Send

from mock_pos import pipeline
from mock_pos.faults import RequestFacts, scalar_text
from mock_pos.outbound import OutboundError
from mock_pos.state import MockPosState, ProbeConfig
from mock_pos.wire import Exchange, Reply

SIGNATURE_HEADER = "X-Cata-Signature"
PROBE_TIMEOUT_SECONDS = 2.0


def sign(secret: str, body: bytes) -> str:
    """The signature header value for ``body``: ``sha256=`` + lowercase hex HMAC-SHA256."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, header: str | None) -> bool:
    """Whether ``header`` is the signature of ``body``; any malformed or missing header is just False."""
    if header is None:
        return False
    try:
        given = header.strip().encode("ascii")
    except UnicodeEncodeError:
        return False
    return hmac.compare_digest(given, sign(secret, body).encode("ascii"))


async def run_probe(state: MockPosState, probe: ProbeConfig) -> dict[str, Any]:
    """GET the probe URL; what it answered (or why it could not) goes into the journal entry."""
    try:
        response = await state.outbound.request(
            "GET", probe.url, headers=probe.headers, timeout=PROBE_TIMEOUT_SECONDS
        )
    except OutboundError as exc:
        return {"error": str(exc)}
    return {"status": response.status, "body": response.text}


def _facts(name: str, exchange: Exchange, parsed: Any) -> RequestFacts:
    top = parsed if isinstance(parsed, dict) else {}
    return RequestFacts(
        target=name,
        order_ref_no=scalar_text(top.get("orderRefNo")),
        establishment_id=None,
        outlet_id=pipeline.outlet_id_of(exchange, parsed),
        headers=exchange.headers,
    )


def _notes(parsed: Any) -> list[str]:
    if not isinstance(parsed, dict):
        return []
    items = parsed.get("items")
    item_notes = (
        [item.get("notes") for item in items if isinstance(item, dict)] if isinstance(items, list) else []
    )
    return pipeline.texts(parsed.get("notes"), *item_notes)


async def serve_receiver(state: MockPosState, name: str, exchange: Exchange) -> None:
    """Journal, probe, and answer one delivery to receiver ``name``."""
    body = await exchange.read_body()
    config = state.receivers.get(name)
    secret = config.secret if config is not None else None
    signature_valid = None if secret is None else verify(secret, body, exchange.header(SIGNATURE_HEADER))
    parsed = pipeline.loose_json(body)
    admission = pipeline.admit(
        state,
        exchange,
        body=body,
        facts=_facts(name, exchange, parsed),
        notes=_notes(parsed),
        signature_valid=signature_valid,
    )
    if config is not None and config.probe is not None:
        admission.entry.probe = await run_probe(state, config.probe)

    async def answer() -> Reply:
        if exchange.method != "POST":
            return Reply(405, b'{"error":"method not allowed"}', headers=(("allow", "POST"),))
        if signature_valid is False:
            problem = "missing" if exchange.header(SIGNATURE_HEADER) is None else "invalid"
            return Reply.json(401, {"error": f"{problem} {SIGNATURE_HEADER}"})
        order_ref = parsed.get("orderRefNo") if isinstance(parsed, dict) else None
        external = state.receivers.external_id(name, order_ref if isinstance(order_ref, str) else None)
        return Reply.json(200, {"externalOrderId": external})

    await pipeline.respond(admission, exchange, answer)


def webhook_handler(state: MockPosState) -> ASGIRouteHandler:
    """The raw ASGI route of all receivers (raw, because faults need the connection — see ``wire``).

    A mount rather than ``/webhooks/{name}``: Litestar 2 does not parse path parameters for ASGI
    handlers, so the receiver name is read from the path below the mount.
    """

    @asgi("/webhooks", is_mount=True, copy_scope=True)
    async def webhooks(scope: Scope, receive: Receive, send: Send) -> None:
        exchange = Exchange(cast(HTTPScope, scope), receive, send)
        name = exchange.route_path.strip("/")
        if not exchange.is_under("/webhooks") or not name or "/" in name:
            await exchange.read_body()
            await exchange.send_reply(Reply.json(404, {"error": "POST /webhooks/{name}"}))
            return
        await serve_receiver(state, name, exchange)

    return webhooks
