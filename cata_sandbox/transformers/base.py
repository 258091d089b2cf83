"""The transformer interface: pure functions from a Cata order to a POS request, and from the answer back.

A transformer does no I/O and reads no clock; the dispatch engine owns the HTTP call, the budget and the
records. Adding a POS is a module implementing :class:`Transformer` plus an entry point in the
``cata_sandbox.transformers`` group (see the README, "How to add a transformer").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol, runtime_checkable

import msgspec

from cata_sandbox.classify import Outcome
from cata_sandbox.schemas import Order

__all__ = ["OutboundRequest", "Outcome", "Transformer", "UnmappableOrder"]


class UnmappableOrder(Exception):
    """The order cannot be expressed in the POS's API (e.g. an item with no POS product id).

    The message names the item; it becomes the order's reason and the POS is not called.
    """


@dataclass(frozen=True, slots=True)
class OutboundRequest:
    method: str
    url: str
    headers: dict[str, str]
    body: bytes
    # Header names whose values are credentials: stored attempts show them as "[redacted]".
    secret_headers: frozenset[str] = field(default_factory=frozenset)


@runtime_checkable
class Transformer(Protocol):
    """One POS. ``settings_type`` declares the per-outlet settings it needs (a msgspec Struct)."""

    slug: ClassVar[str]
    settings_type: ClassVar[type[msgspec.Struct]]
    # Setting names that are credentials: write-only, never returned or logged.
    secret_settings: ClassVar[frozenset[str]]

    def build_request(self, order: Order, settings: Any, event: str) -> OutboundRequest:
        """The POS request for ``order``; raises :class:`UnmappableOrder` when it cannot be built."""
        ...

    def interpret_response(self, status: int, headers: Mapping[str, str], body: bytes) -> Outcome:
        """What a 2xx answer means (non-2xx is always a failure, decided by the engine)."""
        ...
