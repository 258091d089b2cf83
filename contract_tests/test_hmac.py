"""Property 1 — byte-for-byte HMAC.

For any order and any way of writing it, the webhook body is exactly the request's ``order`` bytes and
``X-Cata-Signature`` verifies over them with the registered secret; one changed byte fails verification.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from contract_tests import strategies as s
from contract_tests.checks import dispatch_answer, only_header, signature, verifies
from contract_tests.profiles import examples
from contract_tests.targets import Servers, body_of


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
