"""Domain errors. Only the HTTP layer (``app.py``) knows which status code each one is."""

from __future__ import annotations


class SandboxError(Exception):
    """Base class; ``detail`` is the message the caller sees."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class InvalidRequest(SandboxError):
    """The request is malformed or fails validation (nothing was stored or sent)."""


class Unauthorized(SandboxError):
    """No API key, or one that is unknown or expired."""


class NotFound(SandboxError):
    """No such resource for this tenant (another tenant's ids are not found, not forbidden)."""


class Conflict(SandboxError):
    """The request contradicts the resource's current state."""


class PayloadTooLarge(SandboxError):
    """The request body is over the configured limit."""
