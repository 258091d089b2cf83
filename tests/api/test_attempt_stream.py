"""The attempt stream (``GET /api/v1/attempts/stream``): Server-Sent Events in feed order, resumed with
``Last-Event-ID`` without loss or repeats, per tenant and outlet, across worker processes; SQLite and
PostgreSQL.
"""

from __future__ import annotations

import asyncio
import json
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest

from cata_sandbox.clock import SYSTEM_CLOCK
from cata_sandbox.partner.client import SandboxClient, StreamEvent, read_events
from cata_sandbox.store import Store
from cata_sandbox.store.db import create_engine
from tests.support import API_KEY, ORDER, MockPos, Sandbox, connect_receiver, envelope
from tests.support.processes import DATABASES, ServiceProcess, module_database_url


def order_bytes(ref: str) -> bytes:
    return msgspec.json.encode({**ORDER, "orderRefNo": ref})


def collect(
    url: str,
    count: int,
    *,
    outlet: str | None = None,
    last: str | None = None,
    opened: threading.Event | None = None,
) -> list[StreamEvent]:
    """The first ``count`` attempt events of a stream opened now (in a thread, so dispatches can follow).

    ``opened`` is set once the service has answered the stream's request (its 200 and headers are in).
    """
    with SandboxClient(url, API_KEY) as client, client.attempt_stream(outlet, last) as events:
        if opened is not None:
            opened.set()
        found = []
        for event in events:
            if event.event == "attempt":
                found.append(event)
                if len(found) == count:
                    return found
    return found


def start_collecting(url: str, count: int, **kwargs: Any) -> tuple[threading.Thread, list[StreamEvent]]:
    found: list[StreamEvent] = []
    thread = threading.Thread(target=lambda: found.extend(collect(url, count, **kwargs)), daemon=True)
    thread.start()
    return thread, found


def latest_id(sandbox_url: str) -> str:
    """Where a stream opened now starts: its first message, a comment, names the last attempt before it."""
    with httpx.stream(
        "GET", f"{sandbox_url}/api/v1/attempts/stream", headers={"X-Api-Key": API_KEY}, timeout=10
    ) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        for line in response.iter_lines():
            if line.startswith(": attempts after "):
                return line.removeprefix(": attempts after ")
    raise AssertionError("the stream said nothing")


def test_the_stream_shows_each_attempt_once_in_order_and_resumes_after_last_event_id(
    sandbox: Sandbox, mock_pos: MockPos
) -> None:
    connect_receiver(sandbox, mock_pos, "o-1", "r1")
    connect_receiver(sandbox, mock_pos, "o-other", "r2")
    assert latest_id(sandbox.url) == "0"
    thread, live = start_collecting(sandbox.url, 4, outlet="o-1", last="0")
    mock_pos.fault("r1", "status", code=503, times=1)
    answers = [sandbox.dispatch(envelope("o-1", order_bytes(f"R-{n}"))).json() for n in range(3)]
    sandbox.dispatch(envelope("o-other", order_bytes("R-other")))  # another outlet: not in this stream
    redispatched = sandbox.client.post(f"/api/v1/orders/{answers[0]['orderId']}/redispatch").json()
    thread.join(20)

    events = [json.loads(event.data) for event in live]
    assert [event["orderRefNo"] for event in events] == ["R-0", "R-1", "R-2", "R-0"]
    assert [e["dispatched"] for e in events] == [False, True, True, True]
    assert events[0]["reason"] == "callback returned HTTP 503"
    assert events[0]["responseStatus"] == 503
    assert [int(event.id or 0) for event in live] == [e["seq"] for e in events]
    assert [e["seq"] for e in events] == sorted({e["seq"] for e in events})
    stored = {a["deliveryId"] for a in sandbox.order(answers[0]["orderId"])["attempts"]}
    assert {events[0]["deliveryId"], events[3]["deliveryId"]} == stored
    assert redispatched["dispatched"] is True

    # Resume after the second event: exactly the two after it, nothing repeated.
    resumed = collect(sandbox.url, 2, outlet="o-1", last=live[1].id)
    assert [event.id for event in resumed] == [live[2].id, live[3].id]
    # Last-Event-ID 0: everything from the start, the other outlet included when no outlet is named.
    everything = collect(sandbox.url, 5, last="0")
    assert [json.loads(e.data)["orderRefNo"] for e in everything] == ["R-0", "R-1", "R-2", "R-other", "R-0"]
    assert json.loads(everything[3].data)["outletId"] == "o-other"
    # A stream opened now starts after the last of them.
    assert latest_id(sandbox.url) == everything[-1].id


def test_the_stream_refuses_a_bad_last_event_id_and_a_missing_key(sandbox: Sandbox) -> None:
    bad = sandbox.client.get("/api/v1/attempts/stream", headers={"Last-Event-ID": "abc"})
    assert bad.status_code == 400
    assert bad.json() == {
        "code": 400,
        "isSuccess": False,
        "message": "Last-Event-ID must be the id of an attempt event (a whole number), not 'abc'",
    }
    anonymous = httpx.get(f"{sandbox.url}/api/v1/attempts/stream")
    assert anonymous.status_code == 401
    assert anonymous.json()["isSuccess"] is False


def test_another_tenants_attempts_never_reach_the_stream(sandbox: Sandbox, mock_pos: MockPos) -> None:
    async def add_key() -> None:
        engine = create_engine(sandbox.database_url)
        try:
            await Store(engine).add_api_key("other-tenant", "other-key", SYSTEM_CLOCK.now())
        finally:
            await engine.dispose()

    asyncio.run(add_key())
    with httpx.Client(base_url=sandbox.url, headers={"X-Api-Key": "other-key"}) as other:
        registered = other.post(
            "/api/v1/webhooks/register",
            json={"outletId": "o-1", "callbackUrl": f"{mock_pos.url}/webhooks/theirs"},
        )
        assert registered.status_code == 201, "the same outlet id in another tenant is another outlet"
        other.post("/api/v1/orders/dispatch", content=envelope("o-1", order_bytes("THEIRS")))
    connect_receiver(sandbox, mock_pos, "o-1", "ours")
    sandbox.dispatch(envelope("o-1", order_bytes("OURS")))

    (event,) = collect(sandbox.url, 1, last="0")
    assert json.loads(event.data)["orderRefNo"] == "OURS"


def test_server_sent_events_are_parsed_as_the_whatwg_rules_say() -> None:
    lines = [": a comment", "retry: 1000", "", "id: 7", "event: attempt", 'data: {"a":', "data: 1}", ""]
    lines += ["data:no space", "", "id: 8", ""]
    assert list(read_events(lines)) == [
        StreamEvent("7", "attempt", '{"a":\n1}'),
        StreamEvent(None, "message", "no space"),
    ]


# --- a real `serve`: several workers, and a shutdown with a stream open ----------------------------------


@pytest.fixture(scope="module", params=DATABASES)
def database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    from contextlib import ExitStack

    with ExitStack() as stack:
        yield request.param, module_database_url(request, tmp_path_factory, stack)


def test_one_stream_shows_the_attempts_of_every_worker(
    database: tuple[str, str], mock_pos: MockPos, tmp_path: Path
) -> None:
    kind, url = database
    workers = 2 if kind == "postgres" else 1  # SQLite has one writer: one worker
    service = ServiceProcess(url, tmp_path / "serve.log", workers=workers).start(timeout=180)
    try:
        with service.client() as client:
            hook = client.post(
                "/api/v1/webhooks/register",
                json={"outletId": "o-w", "callbackUrl": f"{mock_pos.url}/webhooks/rw"},
            ).json()["webhook"]
        mock_pos.receiver("rw", hook["secret"])
        thread, live = start_collecting(service.url, 30, outlet="o-w", last=latest_id(service.url))

        def send(n: int) -> str:
            with service.client() as own:
                answer = own.post("/api/v1/orders/dispatch", content=envelope("o-w", order_bytes(f"W-{n}")))
                return str(answer.json()["orderId"])

        with ThreadPoolExecutor(8) as pool:
            order_ids = list(pool.map(send, range(30)))
        thread.join(30)

        refs = sorted(json.loads(event.data)["orderRefNo"] for event in live)
        assert refs == sorted(f"W-{n}" for n in range(30))
        ids = [int(event.id or 0) for event in live]
        assert ids == sorted(set(ids)), "in feed order, no repeats"
        assert len(order_ids) == 30

        # A stream left open does not hold a shutdown up.
        opened = threading.Event()
        stream_thread, _ = start_collecting(service.url, 1_000, opened=opened)
        assert opened.wait(30), "the stream to be left open never opened"
        signalled = time.monotonic()
        service.process.send_signal(signal.SIGINT)  # type: ignore[union-attr]
        assert service.wait(timeout=30) == 0, service.log.read_text()
        assert time.monotonic() - signalled < 8
        stream_thread.join(10)
        assert not stream_thread.is_alive()
    finally:
        service.stop()
    assert "Traceback" not in service.log.read_text()
