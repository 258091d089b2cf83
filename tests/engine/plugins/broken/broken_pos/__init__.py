"""Entry points the registry must skip (with a warning) without failing, beside one that works."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import msgspec

from cata_sandbox.classify import Outcome
from cata_sandbox.schemas import Order
from cata_sandbox.transformers import OutboundRequest


class NoSettings(msgspec.Struct):
    pass


class Fine:
    slug: ClassVar[str] = "fine"
    settings_type: ClassVar[type[msgspec.Struct]] = NoSettings
    secret_settings: ClassVar[frozenset[str]] = frozenset()

    def build_request(self, order: Order, settings: Any, event: str) -> OutboundRequest:
        return OutboundRequest("POST", "http://127.0.0.1:9/", {}, b"{}")

    def interpret_response(self, status: int, headers: Mapping[str, str], body: bytes) -> Outcome:
        return Outcome(dispatched=True)


class Misnamed(Fine):
    """Registered as ``misnamed`` but says it is ``something-else``."""

    slug: ClassVar[str] = "something-else"


class FakeRevel(Fine):
    """Claims the built-in slug ``revel``."""

    slug: ClassVar[str] = "revel"


class NotATransformer:
    slug = "notone"
