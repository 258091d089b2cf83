"""The logic of partners' receivers, right and wrong, for the loopback servers of the check-receiver tests."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

from cata_sandbox.signing import verify
from tests.support.receivers.loopback import Reply, Request

SECRET = "whsec_test_receiver_secret"
Check = Callable[[bytes, str | None], bool]
INVALID = Reply(401, b'{"error":"invalid signature"}')


def verifies_raw(body: bytes, signature: str | None) -> bool:
    return verify(SECRET, body, signature)


def skips_verification(body: bytes, signature: str | None) -> bool:
    return True


def verifies_reserialized(body: bytes, signature: str | None) -> bool:
    """The classic bug: parse, re-serialize, then compute the HMAC over the new bytes."""
    again = json.dumps(json.loads(body), separators=(",", ":"), ensure_ascii=False).encode()
    return verify(SECRET, again, signature)


def verifies_latin1_text(body: bytes, signature: str | None) -> bool:
    """Reads the body as Latin-1 text and signs its UTF-8 encoding: right only for ASCII bodies."""
    return verify(SECRET, body.decode("latin-1").encode("utf-8"), signature)


@dataclass
class Partner:
    """Verify with ``check``; accept with ``{"externalOrderId"}`` (one per order when ``dedupe``, else one
    per delivery); refuse with ``refusal`` (a reply, or a function of the request)."""

    check: Check = verifies_raw
    dedupe: bool = True
    refusal: Reply | Callable[[Request], Reply] = INVALID
    orders: dict[str, str] = field(default_factory=dict)
    accepted: int = 0

    def __call__(self, request: Request) -> Reply:
        if not self.check(request.body, request.headers.get("x-cata-signature")):
            return self.refusal(request) if callable(self.refusal) else self.refusal
        self.accepted += 1
        ref = json.loads(request.body)["orderRefNo"]
        if not self.dedupe or ref not in self.orders:
            self.orders[ref] = f"pos-{self.accepted}"
        return self.answer(self.orders[ref])

    def answer(self, external_id: str) -> Reply:
        return Reply(200, json.dumps({"externalOrderId": external_id}).encode())
