"""Hostile dispatch scripts THROUGH THE SERVICE: each costs its order one attempt with its own reason, the
order is stored, and ``/health`` keeps answering within 100 ms throughout (polled concurrently).

The runtime alone is tested in test_hostile.py; here the scripts run in the service's worker pool, under
``callback_policy: public-only``, with ``context.http`` on the service's own outbound path.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import httpx

from tests.support import envelope
from tests.support.processes import ServiceProcess
from tests.support.revel import order_json
from tests.support.scripts import write_script

REQUEST = "{url: 'https://pos.example/orders', method: 'POST', headers: {}, body: {n: 1}}"
HOSTILE = {
    "loop": "function transform() { while (true) {} }",
    "bomb": "function transform() { var a = []; while (true) a.push('xxxxxxxxxxxxxxxx' + a.length); }",
    "recursion": "function transform() { function f(n) { return f(n + 1) + 1; } return f(0); }",
    "hugebody": "function transform() { return {url: 'https://pos.example/o', method: 'POST', headers: {},"
    " body: 'x'.repeat(100 * 1024 * 1024)}; }",
    "hugeresult": "function transform() { var a = []; for (var i = 0; i < 1000000; i++) a.push(i);"
    " return {url: 'https://pos.example/o', method: 'POST', headers: {}, body: a}; }",
    "throw42": "function transform() { throw 42; }",
    "private": "function transform(input, context) { context.http.get('http://127.0.0.1:9/admin'); return "
    + REQUEST
    + "; }",
    # What a script can see of other outlets and of earlier calls: it reports it in its error.
    "peek": "var calls = (typeof calls === 'number' ? calls : 0) + 1;\n"
    "function transform(input, context) { var seen = globalThis.remembered || null;"
    " globalThis.remembered = input.outlet.id;"
    " throw new Error('saw ' + JSON.stringify({state: seen, calls: calls,"
    " settings: Object.keys(input.outlet.settings), outlets: typeof outlets}));"
    " }",
}
COMPUTE = "script exceeded its compute limit (2000 ms outside context.http)"
# The reason after "transformer failed: " (a prefix of it). The workers run at nice 19: on a busy
# machine a script that allocates for long may meet the 2 s compute limit before the memory limit.
EXPECTED: dict[str, str | tuple[str, ...]] = {
    "loop": COMPUTE,
    "bomb": ("script threw null or exceeded its memory limit (64 MB)", COMPUTE),
    "recursion": "script exceeded the stack limit (deep recursion)",
    "hugebody": ("script exceeded its memory limit (64 MB)", COMPUTE),
    "hugeresult": ("script result is ", COMPUTE),
    "throw42": "script threw a non-Error value: 42",
    "private": "Error: context.http.get: GET http://127.0.0.1:9/admin failed: destination address 127.0.0.1",
}


class HealthPoller:
    """Polls /health every 20 ms on its own thread and keeps the slowest answer."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.worst = 0.0
        self.phase = "start"
        self.by_phase: dict[str, float] = {}
        self.failures: list[str] = []
        self.polls = 0
        self._stop = threading.Event()
        self.ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with httpx.Client(base_url=self.url, timeout=5) as client:
            client.get("/health")  # the poller's own connection set-up is not the service's latency
            self.ready.set()
            while not self._stop.is_set():
                started = time.perf_counter()
                response = client.get("/health")
                took = time.perf_counter() - started
                self.worst = max(self.worst, took)
                self.by_phase[self.phase] = max(self.by_phase.get(self.phase, 0.0), took)
                self.polls += 1
                if response.status_code != 200:
                    self.failures.append(response.text)
                self._stop.wait(0.02)

    def __enter__(self) -> HealthPoller:
        self._thread.start()
        assert self.ready.wait(30), "the /health poller did not connect"
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(10)


def test_hostile_scripts_each_cost_one_attempt_and_health_keeps_answering(tmp_path: Path) -> None:
    scripts = tmp_path / "adapters"
    for provider, body in HOSTILE.items():
        write_script(scripts, provider, "order_dispatch", body)
    # `serve` as a process (the way an operator runs it), so the test's own threads do not share its GIL.
    service = ServiceProcess(
        f"sqlite:///{tmp_path / 'sandbox.db'}",
        tmp_path / "serve.log",
        dispatch_timeout=5.0,
        env={"CATA_ADAPTERS_DIR": str(scripts), "CATA_CALLBACK_POLICY": "public-only"},
    ).start()
    sandbox = service.client()
    try:
        for provider in HOSTILE:
            for outlet in (f"{provider}-a", f"{provider}-b"):
                settings = {"mine": outlet, f"only-{outlet}": True}
                mapped = sandbox.put(
                    f"/api/v1/outlet-providers/{outlet}",
                    json={"providerSlug": provider, "settings": settings},
                )
                assert mapped.status_code == 200, mapped.text
        sandbox.get("/health")  # warm
        reasons: dict[str, list[str]] = {}
        with HealthPoller(service.url) as health:
            for provider in HOSTILE:
                health.phase = provider
                for outlet in (f"{provider}-a", f"{provider}-b"):
                    raw = order_json(orderRefNo=f"H-{outlet}")
                    body = sandbox.post(
                        "/api/v1/orders/dispatch",
                        content=envelope(outlet, raw, builtInTransformer=provider),
                        headers={"Content-Type": "application/json"},
                    ).json()
                    assert body["dispatched"] is False, body
                    stored = sandbox.get(f"/api/v1/orders/{body['orderId']}").json()["order"]
                    assert stored["status"] == "failed"
                    assert stored["order"] == json.loads(raw)
                    [attempt] = stored["attempts"]
                    assert attempt["scriptError"] == body["reason"].removeprefix("transformer failed: ")
                    reasons.setdefault(provider, []).append(body["reason"])
        for provider, expected in EXPECTED.items():
            allowed = (expected,) if isinstance(expected, str) else expected
            for reason in reasons[provider]:
                assert reason.startswith(tuple("transformer failed: " + e for e in allowed)), (
                    provider,
                    reason,
                )
        assert "callback_policy public-only" in reasons["private"][0]
        # Each call starts afresh: no state from the earlier call, only its own outlet's settings.
        for reason, outlet in zip(reasons["peek"], ("peek-a", "peek-b"), strict=True):
            seen = json.loads(reason.split("saw ", 1)[1].rsplit(" (at ", 1)[0])
            assert seen == {
                "state": None,
                "calls": 1,
                "settings": ["mine", f"only-{outlet}"],
                "outlets": "undefined",
            }
        print(f"/health: {health.polls} polls, worst {health.worst * 1000:.1f} ms, by case (ms):",
              {k: round(v * 1000, 1) for k, v in health.by_phase.items()})  # fmt: skip
        assert health.failures == []
        assert health.polls > 20
        assert health.worst < 0.1, f"/health took {health.worst * 1000:.0f} ms at worst: {health.by_phase}"
    finally:
        sandbox.close()
        service.stop()
