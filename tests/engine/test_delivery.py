"""One definition of a delivery: the engine, check-receiver and bench put the same request on the wire.

A real loopback receiver records what each sends for the same order and secret; the requests must be
equal in method, path, headers (as sent: names, values, no header twice) and body, apart from the
per-attempt ``X-Cata-Delivery-ID`` and ``X-Cata-Timestamp``.
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pytest

from cata_sandbox.bench import run_load, webhook_direct_target
from cata_sandbox.delivery import DELIVERY_ID_HEADER, TIMESTAMP_HEADER, webhook_request
from cata_sandbox.partner.check_receiver import check_receiver
from cata_sandbox.signing import sign, verify
from tests.support import envelope, start_sandbox, stop_sandbox
from tests.support.receivers.loopback import LoopbackReceiver, Request
from tests.support.receivers.partners import Partner, skips_verification

PER_ATTEMPT = {DELIVERY_ID_HEADER.lower(), TIMESTAMP_HEADER.lower()}


def wire(request: Request) -> tuple[str, str, list[tuple[str, str]], bytes]:
    headers = sorted((name, value) for name, value in request.raw_headers if name.lower() not in PER_ATTEMPT)
    return request.method, request.path, headers, request.body


@pytest.mark.parametrize("generator", ["python", "wrk"])
def test_the_engine_check_receiver_and_bench_send_identical_requests(tmp_path: Path, generator: str) -> None:
    if generator == "wrk" and shutil.which("wrk") is None:
        pytest.skip("wrk is not installed (apt-get install wrk); the python load generator is checked")
    with LoopbackReceiver(Partner(check=skips_verification)) as receiver:
        sandbox = start_sandbox(f"sqlite:///{tmp_path / 'sandbox.db'}")
        try:
            secret = sandbox.register("outlet-same", receiver.url)["secret"]
            check_receiver(receiver.url, secret, budget_s=5.0)
            from_check = receiver.requests[0]  # valid-delivery, the first delivery
            order = from_check.body
            sent = len(receiver.requests)
            answer = sandbox.dispatch(envelope("outlet-same", order)).json()
            assert answer["dispatched"] is True, answer
            from_engine = receiver.requests[sent]
        finally:
            stop_sandbox(sandbox)
        sent = len(receiver.requests)
        target = webhook_direct_target("direct", receiver.url, secret, order)
        run_load([(target, 1)], 0.5, generator=generator, timeout=5.0, workdir=tmp_path)
        from_bench = receiver.requests[sent]

    assert verify(secret, order, from_engine.headers["x-cata-signature"])
    assert wire(from_engine) == wire(from_check) == wire(from_bench)
    names = [name.lower() for name, _ in from_engine.raw_headers]
    assert len(names) == len(set(names)), "no header is sent twice"
    for request in (from_engine, from_check, from_bench):
        assert uuid.UUID(request.headers[DELIVERY_ID_HEADER.lower()])
        assert request.headers[TIMESTAMP_HEADER.lower()].isdigit()
    assert len({r.headers[DELIVERY_ID_HEADER.lower()] for r in (from_engine, from_check, from_bench)}) == 3


def test_the_webhook_request_is_the_order_bytes_signed_with_catas_headers() -> None:
    body = '{"orderRefNo":"R-1","notes":"Zoë","totalPay":1.50}'.encode()
    request = webhook_request(
        "http://127.0.0.1:9/hook", body, sign("s3cret", body), event="order.paid", timestamp=7
    )
    assert (request.method, request.url, request.body) == ("POST", "http://127.0.0.1:9/hook", body)
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["X-Cata-Signature"] == sign("s3cret", body)
    assert request.headers["X-Cata-Event"] == "order.paid"
    assert request.headers["X-Cata-Timestamp"] == "7"
    assert request.headers["User-Agent"].startswith("cata-sandbox/")
    assert DELIVERY_ID_HEADER not in request.headers, "each attempt adds its own"
    unsigned = webhook_request("http://127.0.0.1:9/hook", body, None, event="order.paid", timestamp=7)
    assert "X-Cata-Signature" not in unsigned.headers
