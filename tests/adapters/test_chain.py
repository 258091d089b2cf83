"""run(..., then=provider): the first script's request is the provider's input.standard, in one call."""

from __future__ import annotations

import asyncio
from pathlib import Path

from cata_sandbox.adapters import AdapterRuntime, load_catalog
from tests.support.scripts import soon, write_script

STD = """function transform(input, context) {
  context.log("std ran");
  return {url: input.url, method: "POST", headers: {"X-A": "1"}, body: null};
}"""
POS = """function transform(input, context) {
  context.log("pos ran");
  return {url: input.standard.url + "/pos", method: "PUT", headers: input.standard.headers,
          body: {id: input.payload.id, std: input.standard.method}};
}"""


async def _chain(tmp_path: Path, url: str, std: str = STD):  # type: ignore[no-untyped-def]
    write_script(tmp_path, "std", "order_dispatch", std)
    write_script(tmp_path, "pos", "order_dispatch", POS)
    async with AdapterRuntime(load_catalog(tmp_path), workers=1) as runtime:
        return await runtime.run(
            "std", "order_dispatch", {"url": url, "payload": {"id": "o-1"}}, deadline=soon(), then="pos"
        )


async def test_the_provider_script_sees_the_standard_request_and_its_result_is_returned(
    tmp_path: Path,
) -> None:
    result = await _chain(tmp_path, "http://pos.test")
    assert result.error is None
    assert result.request is not None
    assert (result.request.method, result.request.url) == ("PUT", "http://pos.test/pos")
    assert result.request.headers == {"X-A": "1"}
    assert result.request.body == b'{"id":"o-1","std":"POST"}'
    assert result.logs == ["std ran", "pos ran"]


async def test_an_invalid_standard_request_stops_the_chain_with_the_check_s_words(tmp_path: Path) -> None:
    result = await _chain(tmp_path, "ftp://pos.test")
    assert result.error is not None
    assert result.error.kind == "invalid"
    assert (
        result.error.message
        == 'script returned an invalid request: url must be an http(s) URL, got "ftp://pos.test"'
    )
    assert result.logs == ["std ran"]


async def test_a_standard_script_that_throws_is_the_chain_s_error(tmp_path: Path) -> None:
    result = await _chain(
        tmp_path, "http://pos.test", 'function transform(input, context) { throw new Error("no"); }'
    )
    assert result.error is not None
    assert result.error.kind == "throw"
    assert result.error.message.startswith("Error: no (at std/order_dispatch.js:")


async def test_a_missing_provider_script_is_named(tmp_path: Path) -> None:
    write_script(tmp_path, "std", "order_dispatch", STD)
    async with AdapterRuntime(load_catalog(tmp_path), workers=1) as runtime:
        result = await runtime.run("std", "order_dispatch", {"url": "http://x"}, deadline=soon(), then="nope")
    assert result.error is not None
    assert result.error.message == "no adapter script nope/order_dispatch.js"


async def test_a_spinning_provider_does_not_hold_up_another_provider_chained_on_the_same_standard(
    tmp_path: Path,
) -> None:
    write_script(tmp_path, "std", "order_dispatch", STD)
    write_script(tmp_path, "pos", "order_dispatch", POS)
    write_script(tmp_path, "spin", "order_dispatch", "function transform(input, context) { for (;;) {} }")
    catalog = load_catalog(tmp_path)
    async with AdapterRuntime(catalog, workers=2, compute_limit=30.0) as runtime:
        call = {"url": "http://pos.test", "payload": {"id": "o-1"}}
        spinning = asyncio.ensure_future(
            runtime.run("std", "order_dispatch", call, deadline=soon(60), then="spin")
        )
        try:
            for _ in range(3):
                result = await runtime.run("std", "order_dispatch", call, deadline=soon(20), then="pos")
                assert result.error is None
            assert not spinning.done()
        finally:
            spinning.cancel()
