"""What the order page shows of stored records: bodies pretty and raw, redacted headers, signatures, curl."""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from typing import Any

import msgspec

from cata_sandbox import signing
from cata_sandbox.fulfilment.states import ALL_STATUSES, FulfilmentStatus, refusal
from cata_sandbox.store import Attempt, StoredOrder, Webhook

REDACTED = "[redacted]"
# Shown as "[redacted]" on the page whatever the store kept: credentials of the caller or of a POS.
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key"})
WEBHOOK_ROUTE = "webhook"


def pretty(body: bytes) -> str:
    """JSON re-indented for reading (numbers keep their exact digits); anything else as text."""
    try:
        return msgspec.json.format(body, indent=2).decode("utf-8", errors="replace")
    except (msgspec.DecodeError, ValueError):
        return body.decode("utf-8", errors="replace")


def shown_headers(headers: dict[str, str]) -> list[tuple[str, str]]:
    return [(name, REDACTED if name.lower() in SECRET_HEADERS else value) for name, value in headers.items()]


def request_body(order: StoredOrder, attempt: Attempt) -> bytes:
    """The body the attempt sent: the order's exact bytes on the webhook route, else the stored POS body."""
    return order.body if attempt.request_body is None else attempt.request_body


@dataclass(frozen=True, slots=True)
class SignatureCheck:
    """The attempt's ``X-Cata-Signature`` recomputed with the webhook's secret: a verdict in words."""

    valid: bool | None  # None: nothing to check (not signed, or no webhook to check with)
    words: str


def check_signature(order: StoredOrder, attempt: Attempt, hooks: list[Webhook]) -> SignatureCheck:
    header = next((v for k, v in attempt.request_headers.items() if k.lower() == "x-cata-signature"), None)
    if header is None:
        return SignatureCheck(None, "not signed (no X-Cata-Signature header)")
    hook = next((h for h in hooks if h.callback_url == attempt.request_url), None) or next(iter(hooks), None)
    if hook is None:
        return SignatureCheck(None, "no webhook of this outlet to check the signature with")
    if signing.verify(hook.secret, request_body(order, attempt), header):
        return SignatureCheck(True, f"valid: HMAC-SHA256 of the body with webhook #{hook.id}'s secret")
    return SignatureCheck(
        False, f"invalid with webhook #{hook.id}'s current secret (signed with an earlier one, or altered)"
    )


def curl_command(order: StoredOrder, attempt: Attempt) -> str:
    """The attempt's request as a curl command (redacted headers stay redacted)."""
    parts = ["curl", "-i", "-X", attempt.request_method, shlex.quote(attempt.request_url)]
    for name, value in shown_headers(attempt.request_headers):
        if name.lower() in ("content-length", "host"):
            continue
        parts += ["-H", shlex.quote(f"{name}: {value}")]
    body = request_body(order, attempt)
    if body:
        parts += ["--data-binary", shlex.quote(body.decode("utf-8", errors="replace"))]
    return " ".join(parts)


@dataclass(slots=True)
class AttemptShown:
    attempt: Attempt
    number: int
    headers: list[tuple[str, str]]
    body: str
    body_pretty: str
    signature: SignatureCheck
    response_headers: list[tuple[str, str]]
    response_body: str
    curl: str
    script_logs: list[Any] = field(default_factory=list)
    precision_findings: list[Any] = field(default_factory=list)


def attempts_shown(order: StoredOrder, attempts: list[Attempt], hooks: list[Webhook]) -> list[AttemptShown]:
    shown = []
    for number, attempt in enumerate(attempts, start=1):
        body = request_body(order, attempt)
        shown.append(
            AttemptShown(
                attempt=attempt,
                number=number,
                headers=shown_headers(attempt.request_headers),
                body=body.decode("utf-8", errors="replace"),
                body_pretty=pretty(body),
                signature=check_signature(order, attempt, hooks)
                if attempt.route == WEBHOOK_ROUTE
                else SignatureCheck(None, f"not a webhook attempt (route {attempt.route})"),
                response_headers=shown_headers(attempt.response_headers),
                response_body=attempt.response_body.decode("utf-8", errors="replace"),
                curl=curl_command(order, attempt),
                # Adapter scripts' output (issue 16): shown when the attempt record carries it.
                script_logs=list(getattr(attempt, "script_logs", None) or []),
                precision_findings=list(getattr(attempt, "precision_findings", None) or []),
            )
        )
    return shown


def allowed_moves(current: str | None) -> list[str]:
    """The statuses the state machine lets the order move to now (never its own, never backward)."""
    if current is None:
        return []
    now = FulfilmentStatus(current)
    return [s for s in ALL_STATUSES if s != current and refusal(now, FulfilmentStatus(s)) is None]
