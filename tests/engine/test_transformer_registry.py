"""The transformer registry: built-ins, third-party transformers found only through the entry-point group
``cata_sandbox.transformers``, and plugins that are broken in every way the service must survive."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import msgspec
import pytest

from cata_sandbox.adapters import BUILTIN_DIR
from cata_sandbox.transformers import ENTRY_POINT_GROUP, Transformer, TransformerRegistry
from mock_pos.client import entry_body, entry_headers
from tests.support import ORDER, MockPos, envelope, start_sandbox, stop_sandbox

PLUGINS = Path(__file__).parent / "plugins"
ECHO_TOKEN = "echo-token-5c1d9e"


def test_no_python_transformer_ships_revel_is_a_script() -> None:
    registry = TransformerRegistry.discover()

    assert registry.slugs() == []
    assert registry.get("revel") is None
    assert (BUILTIN_DIR / "revel" / "order_dispatch.js").is_file()


def test_a_transformer_installed_only_as_an_entry_point_is_found(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(PLUGINS / "echo"))

    registry = TransformerRegistry.discover()

    assert registry.slugs() == ["echo"]
    echo = registry.get("echo")
    assert isinstance(echo, Transformer)
    assert echo is not None
    assert type(echo).__module__ == "echo_pos"
    assert echo.secret_settings == frozenset({"token"})


def test_broken_plugins_are_skipped_with_a_warning_and_the_rest_still_load(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.syspath_prepend(str(PLUGINS / "broken"))
    caplog.set_level(logging.WARNING, logger="cata_sandbox.transformers")

    registry = TransformerRegistry.discover()

    assert registry.slugs() == ["fine"]
    warnings = {r.getMessage().split(" = ")[0] for r in caplog.records if r.levelno == logging.WARNING}
    assert warnings == {
        f"transformer entry point {name}" for name in ("missing", "notone", "misnamed", "revel")
    }
    text = caplog.text
    assert "No module named 'broken_pos.nowhere'" in text
    assert "does not implement the Transformer interface" in text
    assert "registered as 'misnamed' but its slug is 'something-else'" in text
    assert "slug 'revel' is already taken by the built-in adapter script revel/order_dispatch.js" in text


def test_a_registry_refuses_a_transformer_under_another_slug(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(PLUGINS / "echo"))
    echo = TransformerRegistry.discover().get("echo")
    assert echo is not None
    with pytest.raises(TypeError, match="registered as 'lightspeed' but its slug is 'echo'"):
        TransformerRegistry({"lightspeed": echo})


def test_entry_point_group_name() -> None:
    assert ENTRY_POINT_GROUP == "cata_sandbox.transformers"
    text = (PLUGINS / "echo" / "echo_pos-0.1.0.dist-info" / "entry_points.txt").read_text()
    assert f"[{ENTRY_POINT_GROUP}]" in text


def test_an_entry_point_transformer_dispatches_over_loopback(
    database_url: str, mock_pos: MockPos, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing in cata_sandbox names ``echo``: the app's own discovery finds it on ``sys.path``."""
    monkeypatch.syspath_prepend(str(PLUGINS / "echo"))
    sandbox = start_sandbox(database_url)
    try:
        endpoint = f"{mock_pos.url}/webhooks/echo-pos"  # a receiver with no secret: it answers 200 + an id
        put = sandbox.client.put(
            "/api/v1/outlet-providers/outlet-echo",
            json={"providerSlug": "echo", "settings": {"endpoint": endpoint, "token": ECHO_TOKEN}},
        )
        assert put.status_code == 200, put.text
        assert put.json()["outletProvider"]["settings"] == {"endpoint": endpoint}
        assert put.json()["outletProvider"]["secretsSet"] == ["token"]
        bad = sandbox.client.put(
            "/api/v1/outlet-providers/outlet-echo",
            json={"providerSlug": "echo", "settings": {"endpoint": endpoint}},
        )
        assert bad.status_code == 400
        assert "`$.settings.token`" in bad.json()["message"]

        response = sandbox.dispatch(
            envelope("outlet-echo", msgspec.json.encode(ORDER), builtInTransformer="echo")
        )

        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["dispatched"], body["reason"]) == (True, "")
        assert body["externalOrderId"] != ""
        [entry] = mock_pos.journal("echo-pos")
        headers = entry_headers(entry)
        assert headers["x-echo-token"] == ECHO_TOKEN
        assert "x-cata-signature" not in headers
        assert json.loads(entry_body(entry)) == {
            "orderRefNo": ORDER["orderRefNo"],
            "event": "order.paid",
            "lines": [{"plu": item["plu"], "quantity": item["quantity"]} for item in ORDER["items"]],
        }
        stored = sandbox.order(body["orderId"])
        assert (stored["route"], stored["externalOrderId"]) == ("echo", body["externalOrderId"])
        [attempt] = stored["attempts"]
        assert attempt["requestHeaders"]["X-Echo-Token"] == "[redacted]"
        assert ECHO_TOKEN not in json.dumps(stored)
        exploded = sandbox.dispatch(
            envelope(
                "outlet-echo",
                msgspec.json.encode({**ORDER, "notes": "echo:raise"}),
                builtInTransformer="echo",
            )
        ).json()
        reason = "transformer echo failed: RuntimeError: echo exploded holding token [redacted]"
        assert (exploded["dispatched"], exploded["reason"]) == (False, reason)
        assert sandbox.order(exploded["orderId"])["status"] == "failed"
        assert len(mock_pos.journal("echo-pos")) == 1
        unknown = sandbox.dispatch(
            envelope("outlet-echo", msgspec.json.encode(ORDER), builtInTransformer="echo2")
        )
        assert unknown.status_code == 400
        assert "(known: atlas, echo, lightspeed, revel)" in unknown.json()["message"]
    finally:
        stop_sandbox(sandbox)
