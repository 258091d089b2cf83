"""No state from an earlier call: every channel a script could stash data in is tried, then read back."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from cata_sandbox.adapters import AdapterRuntime, load_catalog
from cata_sandbox.adapters.hosthttp import HttpxHostHttp
from tests.support.scripts import Loopback, soon, write_script

# Call 1 (outlet A) tries every place it can think of to leave its secret settings; call 2 (outlet B)
# looks in each. Both run in the same worker (the pool has one).
PROBE = r"""
var kept = null;
var counter = 0;
function transform(input, context) {
  counter += 1;
  if (input.mode === "stash") {
    kept = input.outlet.settings;
    var s = input.outlet.settings.secret;
    var attempts = [
      function () { globalThis.leak = s; },
      function () { leakImplicit = s; },
      function () { this.leakThis = s; },
      function () { Object.prototype.leak = s; },
      function () { Object.defineProperty(Object.prototype, "leak2", {value: s}); },
      function () { Array.prototype.push = function () { return s; }; },
      function () { JSON.stringify = function () { return s; }; },
      function () { Math.random = function () { return s; }; },
      function () { String.prototype.trim = function () { return s; }; },
      function () { Error.prepareStackTrace = function () { return s; }; },
      function () { Function.prototype.leak = s; },
      function () { Object.getPrototypeOf(function* () {}).leak = s; },
      function () { Object.getPrototypeOf([][Symbol.iterator]()).leak = s; },
      function () { context.http.leak = s; },
      function () { Symbol.leak = s; },
      function () { Reflect.set(globalThis, "leak3", s); },
      function () { new WeakRef({}); },
      function () { new FinalizationRegistry(function () {}); },
      function () { Error.stackTraceLimit = 0; }
    ];
    if (input.async) {
      Promise.resolve().then(function () { globalThis.leak4 = s; context.http.get(input.url + "/late"); });
      queueMicrotask(function () { context.http.get(input.url + "/late2"); });
    }
    var refused = 0, passed = [];
    for (var i = 0; i < attempts.length; i++) {
      try { (0, attempts[i])(); passed.push(i); } catch (e) { refused += 1; }
    }
    return {refused: refused, counter: counter, passed: passed};
  }
  var seen = [];
  function look(name, value) { if (value !== undefined && value !== null) seen.push(name + "=" + String(value)); }
  look("kept", kept);
  look("global", globalThis.leak);
  look("implicit", typeof leakImplicit === "undefined" ? undefined : leakImplicit);
  look("this", globalThis.leakThis);
  look("proto", ({}).leak);
  look("proto2", ({}).leak2);
  look("push", [].push(1) === 1 ? undefined : "replaced");
  look("stringify", JSON.stringify(1) === "1" ? undefined : "replaced");
  look("random", typeof Math.random() === "number" ? undefined : "replaced");
  look("trim", " a ".trim() === "a" ? undefined : "replaced");
  look("prepare", Error.prepareStackTrace);
  look("fnproto", (function () {}).leak);
  look("gen", Object.getPrototypeOf(function* () {}).leak);
  look("iter", Object.getPrototypeOf([][Symbol.iterator]()).leak);
  look("http", context.http.leak);
  look("symbol", Symbol.leak);
  look("leak3", globalThis.leak3);
  look("leak4", globalThis.leak4);
  look("stackTraceLimit", Error.stackTraceLimit === 0 ? "changed" : undefined);
  look("weakref", typeof WeakRef === "undefined" ? undefined : "present");
  look("registry", typeof FinalizationRegistry === "undefined" ? undefined : "present");
  look("other settings", JSON.stringify(input).indexOf("A-secret") >= 0 ? "visible" : undefined);
  return {seen: seen, counter: counter, mine: input.outlet.settings.secret};
}
"""


@pytest.fixture(params=["sloppy", "strict"])
async def pool(
    request: pytest.FixtureRequest, tmp_path: Path, host_http: HttpxHostHttp
) -> AsyncIterator[AdapterRuntime]:
    strict = request.param == "strict"
    write_script(tmp_path, "probe", "order_status_update", ('"use strict";\n' if strict else "") + PROBE)
    write_script(tmp_path, "probe", "sync_products", "function transform(i, c) { return {leak: ({}).leak}; }")
    runtime = AdapterRuntime(load_catalog(tmp_path), workers=1, http=host_http)
    await runtime.start()
    try:
        yield runtime
    finally:
        await runtime.close()


async def test_a_later_call_finds_nothing_an_earlier_call_left(
    pool: AdapterRuntime, loopback: Loopback
) -> None:
    stash = {"mode": "stash", "url": loopback.url, "outlet": {"id": "A", "settings": {"secret": "A-secret"}}}
    first = await pool.run("probe", "order_status_update", stash, deadline=soon())
    assert first.error is None
    # Writes to the frozen realm fail: silently in sloppy mode, with a TypeError in strict mode.
    assert first.value["counter"] == 1
    strict = pool.catalog.get("probe", "order_status_update").source.count("use strict") == 1  # type: ignore[union-attr]
    # Reflect.set answers false rather than throwing.
    assert first.value["refused"] == (18 if strict else 3), first.value
    for _ in range(2):
        read = {
            "mode": "read",
            "url": loopback.url,
            "outlet": {"id": "B", "settings": {"secret": "B-secret"}},
        }
        second = await pool.run("probe", "order_status_update", read, deadline=soon())
        assert second.error is None
        assert second.value == {"seen": [], "counter": 1, "mine": "B-secret"}
    other = await pool.run("probe", "sync_products", {}, deadline=soon())
    assert other.value == {}  # {leak: undefined}
    assert pool.respawns == 0


async def test_promise_jobs_left_by_a_call_never_run_in_a_later_one(
    pool: AdapterRuntime, loopback: Loopback
) -> None:
    stash = {
        "mode": "stash",
        "async": True,
        "url": loopback.url,
        "outlet": {"settings": {"secret": "A-secret"}},
    }
    assert (await pool.run("probe", "order_status_update", stash, deadline=soon())).error is None
    read = {"mode": "read", "url": loopback.url, "outlet": {"settings": {"secret": "B-secret"}}}
    second = await pool.run("probe", "order_status_update", read, deadline=soon())
    assert second.value == {"seen": [], "counter": 1, "mine": "B-secret"}
    # The Promise job and the microtask never reached the network: context.http refuses after its call.
    assert loopback.requests == []


async def test_context_kept_from_an_earlier_call_cannot_make_requests(
    tmp_path: Path, host_http: HttpxHostHttp, loopback: Loopback
) -> None:
    # A script that hands its context to a callback it hangs on a shared prototype, and a second script
    # that would call it: the prototype is frozen, so there is nowhere to hand it over.
    write_script(
        tmp_path,
        "keep",
        "sync_products",
        "function transform(input, context) {"
        " try { Object.prototype.later = function () { return context.http.get(input.url + '/late'); }; }"
        " catch (e) { return 'refused: ' + e.name; } return 'kept'; }",
    )
    write_script(
        tmp_path,
        "use",
        "sync_products",
        "function transform() { return typeof ({}).later === 'function' ? ({}).later().statusCode : 'none'; }",
    )
    runtime = AdapterRuntime(load_catalog(tmp_path), workers=1, http=host_http)
    await runtime.start()
    try:
        kept = await runtime.run("keep", "sync_products", {"url": loopback.url}, deadline=soon())
        used = await runtime.run("use", "sync_products", {}, deadline=soon())
    finally:
        await runtime.close()
    assert kept.value == "kept"  # sloppy mode: the write to the frozen prototype fails silently
    assert used.value == "none"
    assert loopback.requests == []
