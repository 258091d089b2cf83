from __future__ import annotations

import hashlib
import hmac

from hypothesis import given
from hypothesis import strategies as st

from cata_sandbox.signing import sign, verify

GOLDEN_SECRET = "whsec_test"
GOLDEN_BODY = b'{"orderRefNo":"A1"}'
GOLDEN_HEADER = "sha256=0fe6f563c39978b7122fb245d575337602e90d7a012af5698dd6d96e7d1b8368"


def test_golden_vector() -> None:
    assert sign(GOLDEN_SECRET, GOLDEN_BODY) == GOLDEN_HEADER
    assert verify(GOLDEN_SECRET, GOLDEN_BODY, GOLDEN_HEADER)


@given(secret=st.text(min_size=1), body=st.binary())
def test_sign_matches_an_independent_hmac(secret: str, body: bytes) -> None:
    expected = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    assert sign(secret, body) == "sha256=" + expected
    assert verify(secret, body, "sha256=" + expected)


@given(secret=st.text(min_size=1), body=st.binary(min_size=1), index=st.integers(min_value=0))
def test_one_flipped_byte_fails_verification(secret: str, body: bytes, index: int) -> None:
    header = sign(secret, body)
    position = index % len(body)
    tampered = body[:position] + bytes([body[position] ^ 0x01]) + body[position + 1 :]
    assert not verify(secret, tampered, header)


@given(header=st.one_of(st.none(), st.text(), st.binary().map(lambda b: b.decode("latin-1"))))
def test_verify_never_raises_on_malformed_headers(header: str | None) -> None:
    assert verify("whsec_x", b"{}", header) is (header == sign("whsec_x", b"{}"))


def test_wrong_secret_and_uppercase_hex_are_refused() -> None:
    header = sign("one", b"{}")
    assert not verify("two", b"{}", header)
    assert not verify("one", b"{}", header.upper())
    assert not verify("one", b"{}", header.removeprefix("sha256="))
