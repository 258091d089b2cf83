"""Path 1's fast path: the Python webhook request is the built-in ``_standard/order_dispatch.js``'s request.

The engine builds Path 1 in Python while ``_standard`` is the built-in script; these tests hold the two
equal on generated orders (url, method, headers, body null = the order's exact bytes), so the fast path
is the script's behaviour, not a second definition of it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cata_sandbox import signing
from cata_sandbox.adapters import load_catalog
from cata_sandbox.delivery import webhook_request
from cata_sandbox.pipeline import standard_request
from cata_sandbox.script_route import standard_call
from cata_sandbox.store import StoredOrder
from contract_tests.strategies import written_orders
from tests.support.script_runtime import SyncRuntime


@pytest.fixture(scope="module")
def js() -> Iterator[SyncRuntime]:
    runtime = SyncRuntime(load_catalog())
    yield runtime
    runtime.close()


def stored(body: bytes, event: str) -> StoredOrder:
    now = datetime(2026, 12, 1, tzinfo=UTC)
    return StoredOrder(
        id="order-1", tenant_id="t", outlet_id="outlet-1", event=event, transformer=None, route=None,
        order_ref_no="R", body=body, status="pending", reason="", external_order_id="", created_at=now,
        updated_at=now,
    )  # fmt: skip


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    written=written_orders(),
    url=st.sampled_from(["http://127.0.0.1:9/hook", "https://partner.example/cata?x=1"]),
    event=st.sampled_from(["order.paid", "order.cancelled"]),
)
def test_the_builtin_standard_script_and_the_python_request_agree(
    js: SyncRuntime, written: object, url: str, event: str
) -> None:
    body: bytes = written.text  # type: ignore[attr-defined]
    signature = signing.sign("whsec_test_secret", body)
    timestamp = int(time.time())
    call = standard_call(stored(body, event), url, signature, timestamp)
    result = js.run("_standard", "order_dispatch", {**call.input, "payload": msgspec.Raw(body)})
    assert result.request is not None, result.error
    assert result.request.body is None  # the sentinel: the engine sends the order's bytes

    from_script = standard_request(result.request, body, signature, event=event, timestamp=timestamp)
    python = webhook_request(url, body, signature, event=event, timestamp=timestamp)

    assert (from_script.method, from_script.url, from_script.body) == (python.method, python.url, python.body)
    assert from_script.headers == python.headers
    assert from_script.body == body  # byte for byte
