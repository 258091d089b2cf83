"""Property 1 — byte-for-byte HMAC.

For any order and any way of writing it, the webhook body is exactly the request's ``order`` bytes and
``X-Cata-Signature`` verifies over them with the registered secret; one changed byte fails verification.
The helper partners are told to copy (``cata_sandbox.signing.verify``, README "Verifying the signature")
accepts exactly that delivery: not another body, another secret, a missing, bare or non-ASCII header.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from cata_sandbox.signing import verify as published_verify
from contract_tests import strategies as s
from contract_tests.checks import dispatch_answer, only_header, signature, verifies
from contract_tests.profiles import examples
from contract_tests.targets import Servers, body_of

PREFIX = "sha256="


@settings(max_examples=examples("hmac"))
@given(written=s.written_orders(), how=s.envelope_styles(), data=st.data())
def test_webhook_body_is_the_order_bytes_and_signature_verifies(
    servers: Servers, written: s.WrittenOrder, how: s.EnvelopeStyle, data: st.DataObject
) -> None:
    scenario = servers.scenario()
    secret = scenario.webhook()

    answer = dispatch_answer(scenario.dispatch(s.envelope(scenario.outlet_id, written.text, how)))

    assert answer["dispatched"] is True, answer
    [entry] = scenario.journal()
    body = body_of(entry)
    assert body == written.text
    header = only_header(entry, "X-Cata-Signature")
    assert header == signature(secret, written.text)
    assert verifies(secret, body, header)
    tampered = data.draw(s.one_byte_changes(body), label="body with one byte changed")
    assert not verifies(secret, tampered, header)
    assert_published_helper_accepts_only(secret, body, header, tampered)


def assert_published_helper_accepts_only(secret: str, body: bytes, header: str, tampered: bytes) -> None:
    """``signing.verify`` (what partners copy) says yes to the delivery and no to every near miss."""
    assert published_verify(secret, body, header) is True, "the published verify rejects a real delivery"
    assert published_verify(secret, tampered, header) is False, "verify accepts a changed body"
    assert published_verify(secret + "x", body, header) is False, "verify accepts another secret"
    near_misses = {
        "no header": None,
        "empty header": "",
        "the bare hex, without sha256=": header.removeprefix(PREFIX),
        "a non-ASCII last digit": header[:-1] + "é",
        "one hex digit changed": header[:-1] + ("0" if header[-1] != "0" else "1"),
    }
    for what, near in near_misses.items():
        assert published_verify(secret, body, near) is False, f"verify accepts {what}: {near!r}"
