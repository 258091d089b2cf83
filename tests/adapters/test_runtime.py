"""The runtime's script contract: input, context.http over loopback (done by the parent), logs, results."""

from __future__ import annotations

import json
import time
from pathlib import Path

import msgspec

from cata_sandbox.adapters import BUILTIN_DIR, load_catalog
from cata_sandbox.adapters.hosthttp import HttpxHostHttp
from tests.support.scripts import Loopback, soon, start_runtime, write_script


async def run_one(tmp_path: Path, http: HttpxHostHttp, body: str, input: dict, topic: str = "sync_products"):  # type: ignore[no-untyped-def, type-arg]
    write_script(tmp_path, "acme", topic, body)
    runtime = await start_runtime(load_catalog(BUILTIN_DIR, tmp_path), http)
    try:
        return await runtime.run("acme", topic, input, deadline=soon())
    finally:
        await runtime.close()


async def test_http_verbs_go_through_the_parent_and_return_status_body_headers(
    tmp_path: Path, host_http: HttpxHostHttp, loopback: Loopback
) -> None:
    script = """
    function transform(input, context) {
      var g = context.http.get(input.baseUrl + "/thing", {"X-Key": "k1"});
      var p = context.http.post(input.baseUrl + "/make", {a: 1.5}, {"Content-Type": "application/json"});
      var u = context.http.put(input.baseUrl + "/edit", "raw text");
      var d = context.http["delete"](input.baseUrl + "/gone");
      var t = context.http.get(input.baseUrl + "/text");
      return {g: g.body, gs: g.statusCode, ct: g.headers["content-type"], p: p.body.echo, u: u.body.echo,
              d: d.body.method, t: t.body};
    }"""
    result = await run_one(tmp_path, host_http, script, {"baseUrl": loopback.url})
    assert result.error is None
    assert result.value == {
        "g": {"method": "GET", "path": "/thing", "echo": None},
        "gs": 200,
        "ct": "application/json",
        "p": '{"a":1.5}',
        "u": "raw text",
        "d": "DELETE",
        "t": "plain words",
    }
    assert [(r["method"], r["path"]) for r in loopback.requests] == [
        ("GET", "/thing"),
        ("POST", "/make"),
        ("PUT", "/edit"),
        ("DELETE", "/gone"),
        ("GET", "/text"),
    ]
    assert loopback.requests[0]["headers"]["X-Key"] == "k1"
    assert result.timings.http == 5


async def test_get_all_follows_body_next_and_meta_next(
    tmp_path: Path, host_http: HttpxHostHttp, loopback: Loopback
) -> None:
    script = "function transform(input, context) { return context.http.getAll(input.baseUrl + '/pages'); }"
    result = await run_one(tmp_path, host_http, script, {"baseUrl": loopback.url})
    assert result.error is None
    assert result.value == [0, 1, 10, 11, 20, 21]
    assert [r["path"] for r in loopback.requests] == ["/pages", "/pages?page=1", "/pages?page=2"]


async def test_get_batch_fans_out_and_keeps_the_order(
    tmp_path: Path, host_http: HttpxHostHttp, loopback: Loopback
) -> None:
    script = """
    function transform(input, context) {
      var out = context.http.getBatch([input.baseUrl + "/a", {url: input.baseUrl + "/b"},
                                       {method: "POST", url: input.baseUrl + "/c", body: {n: 1}}]);
      return out.map(function (r) { return [r.statusCode, r.body.method, r.body.path, r.body.echo]; });
    }"""
    result = await run_one(tmp_path, host_http, script, {"baseUrl": loopback.url})
    assert result.error is None
    assert result.value == [
        [200, "GET", "/a", None],
        [200, "GET", "/b", None],
        [200, "POST", "/c", '{"n":1}'],
    ]
    assert sorted(r["path"] for r in loopback.requests) == ["/a", "/b", "/c"]


async def test_a_failed_exchange_is_an_error_the_script_can_catch(
    tmp_path: Path, host_http: HttpxHostHttp
) -> None:
    script = """
    function transform(input, context) {
      try { context.http.get("http://127.0.0.1:9/nothing"); return "no error"; }
      catch (e) { return e.message.indexOf("context.http.get: GET http://127.0.0.1:9/nothing failed: ") === 0; }
    }"""
    result = await run_one(tmp_path, host_http, script, {})
    assert (result.error, result.value) == (None, True)


async def test_logs_come_back_in_order_with_the_result(tmp_path: Path, host_http: HttpxHostHttp) -> None:
    script = 'function transform(input, context) { context.log("one"); context.log({n: 2}); return null; }'
    result = await run_one(tmp_path, host_http, script, {})
    assert result.error is None
    assert result.logs == ["one", '{"n":2}']


async def test_the_order_is_parsed_by_the_engine_from_its_own_bytes(
    tmp_path: Path, host_http: HttpxHostHttp
) -> None:
    order = b'{"totalPay": 12.345678901234567890, "big": 9007199254740993, "text": "5.50", "p": 5.50}'
    script = "function transform(input) { var o = input.payload; return [o.totalPay, o.big, o.text, o.p]; }"
    result = await run_one(tmp_path, host_http, script, {"payload": msgspec.Raw(order)})
    assert result.error is None
    assert result.text == b'[12.345678901234567,9007199254740992,"5.50",5.5]'


async def test_dispatch_result_is_validated_and_the_body_keeps_the_engines_json(
    tmp_path: Path, host_http: HttpxHostHttp
) -> None:
    script = """function transform(input) {
      return {url: "http://127.0.0.1:1/x", method: "post", headers: {"A": "b"}, body: {z: 1, a: [0.1, "é"]}};
    }"""
    result = await run_one(tmp_path, host_http, script, {}, topic="order_dispatch")
    assert result.error is None
    assert result.request is not None
    assert (result.request.method, result.request.headers) == ("POST", {"A": "b"})
    assert result.request.body == '{"z":1,"a":[0.1,"é"]}'.encode()


async def test_an_invalid_dispatch_request_is_a_script_error(
    tmp_path: Path, host_http: HttpxHostHttp
) -> None:
    cases = {
        'return {url: "ftp://x", method: "POST", headers: {}, body: null};': "url must be an http(s) URL",
        'return {url: "http://x", method: "BREW", headers: {}, body: null};': "method must be one of",
        'return {url: "http://x", method: "POST", headers: {"A": 1}, body: null};': "headers must be an object",
        'return {url: "http://x", method: "POST", headers: {"A\\nB": "1"}, body: null};': "is not a valid header",
        'return {url: "http://x", method: "POST", headers: {}, body: 5};': "body must be null, a string",
        "return [1, 2];": "not a request object",
    }
    for number, (line, expected) in enumerate(cases.items()):
        result = await run_one(
            tmp_path / str(number), host_http, f"function transform() {{ {line} }}", {}, "order_dispatch"
        )
        assert result.error is not None, line
        assert expected in result.error.message, (line, result.error.message)
        assert result.error.kind == "invalid"


async def test_a_thrown_error_names_the_script_file_and_line(
    tmp_path: Path, host_http: HttpxHostHttp
) -> None:
    result = await run_one(
        tmp_path, host_http, "function transform() {\n  throw new TypeError('bad order');\n}", {}
    )
    assert result.error is not None
    path = tmp_path / "acme" / "sync_products.js"
    assert result.error.message == f"TypeError: bad order (at {path}:3:13)"
    assert result.error.kind == "throw"


async def test_timings_are_reported(tmp_path: Path, host_http: HttpxHostHttp) -> None:
    started = time.perf_counter()
    result = await run_one(
        tmp_path,
        host_http,
        "function transform() { var s = 0; for (var i = 0; i < 1e5; i++) s += i; return s; }",
        {},
    )
    assert result.value == json.loads("4999950000")
    assert 0 < result.timings.worker_cpu <= result.timings.wall <= time.perf_counter() - started


async def test_logs_and_batches_are_capped(
    tmp_path: Path, host_http: HttpxHostHttp, loopback: Loopback
) -> None:
    script = """
    function transform(input, context) {
      for (var i = 0; i < 1000; i++) context.log("line " + i + " " + "x".repeat(3000));
      var urls = [];
      for (var j = 0; j < 21; j++) urls.push(input.baseUrl + "/b" + j);
      try { context.http.getBatch(urls); } catch (e) { return e.message; }
    }"""
    result = await run_one(tmp_path, host_http, script, {"baseUrl": loopback.url})
    assert result.value == "context.http.getBatch: at most 20 requests, got 21"
    assert len(result.logs) == 200
    assert result.logs[199].startswith("line 199 x")
    assert len(result.logs[0]) == 2000
    assert loopback.requests == []


async def test_more_than_fifty_requests_in_a_call_are_refused(
    tmp_path: Path, host_http: HttpxHostHttp, loopback: Loopback
) -> None:
    script = """
    function transform(input, context) {
      for (var i = 0; i < 60; i++) {
        try { context.http.get(input.baseUrl + "/n" + i); } catch (e) { return [i, e.message]; }
      }
    }"""
    result = await run_one(tmp_path, host_http, script, {"baseUrl": loopback.url})
    assert result.value == [50, "context.http.get: more than 50 requests in one call"]
    assert len(loopback.requests) == 50


async def test_a_changed_script_is_used_once_the_catalog_is_swapped(
    tmp_path: Path, host_http: HttpxHostHttp
) -> None:
    write_script(tmp_path, "acme", "sync_products", "function transform() { return 'v1'; }")
    runtime = await start_runtime(load_catalog(BUILTIN_DIR, tmp_path), host_http)
    try:
        first = await runtime.run("acme", "sync_products", {}, deadline=soon())
        write_script(tmp_path, "acme", "sync_products", "function transform() { return 'v2'; }", "1.0.1")
        runtime.catalog = load_catalog(BUILTIN_DIR, tmp_path)
        second = await runtime.run("acme", "sync_products", {}, deadline=soon())
    finally:
        await runtime.close()
    assert (first.value, second.value) == ("v1", "v2")
