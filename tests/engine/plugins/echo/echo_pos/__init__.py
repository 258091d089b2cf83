"""A third-party transformer, known to cata-sandbox only through its entry point.

It POSTs a small JSON summary of the order to the outlet's ``endpoint`` with the outlet's ``token`` in a
header, and reads the answer with the engine's generic rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, ClassVar

import msgspec

from cata_sandbox.classify import Outcome, interpret_generic
from cata_sandbox.schemas import Order
from cata_sandbox.transformers import OutboundRequest

TOKEN_HEADER = "X-Echo-Token"


class EchoSettings(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    endpoint: Annotated[str, msgspec.Meta(pattern=r"^https?://")]
    token: Annotated[str, msgspec.Meta(min_length=1)]


class EchoTransformer:
    slug: ClassVar[str] = "echo"
    settings_type: ClassVar[type[msgspec.Struct]] = EchoSettings
    secret_settings: ClassVar[frozenset[str]] = frozenset({"token"})

    def build_request(self, order: Order, settings: Any, event: str) -> OutboundRequest:
        if order.notes == "echo:raise":
            # A plugin bug whose message carries a credential: the engine must keep the order and redact it.
            raise RuntimeError(f"echo exploded holding token {settings.token}")
        summary = {
            "orderRefNo": order.orderRefNo,
            "event": event,
            "lines": [{"plu": item.plu, "quantity": item.quantity} for item in order.items],
        }
        return OutboundRequest(
            method="POST",
            url=settings.endpoint,
            headers={"Content-Type": "application/json", TOKEN_HEADER: settings.token},
            body=msgspec.json.encode(summary),
            secret_headers=frozenset({TOKEN_HEADER}),
        )

    def interpret_response(self, status: int, headers: Mapping[str, str], body: bytes) -> Outcome:
        return interpret_generic(status, body)
