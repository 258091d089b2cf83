"""A POS the sandbox has never seen, added as a folder of scripts (no Python): the service started with
``adapters_dir`` lists it, dispatches to it through the two-tier pipeline, and takes its status webhook.
Also: an adapters dir's ``_standard`` replaces Path 1's fast path, and a script failure keeps the order."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cata_sandbox import signing
from tests.support import envelope, start_sandbox, stop_sandbox
from tests.support.revel import order_json
from tests.support.scripts import Loopback

TOAST_DISPATCH = """/** @provider toast @topic order_dispatch @version 0.3.1 */
function transform(input, context) {
  context.log("toast order " + input.payload.orderRefNo + " for " + input.outlet.refCode);
  if (input.payload.notes === "explode") throw new Error("toast cannot take this order");
  return {
    url: input.baseUrl + "/v2/orders",
    method: "POST",
    headers: { "Content-Type": "application/json", "Toast-Key": input.apiKey },
    body: { reference: input.orderId, ref: input.payload.orderRefNo, total: input.payload.totalPay,
            menu: input.outlet.settings.menu, region: input.config.region,
            standardUrl: input.standard.url }
  };
}
function interpret(response) {
  if (response.statusCode === 201) return { dispatched: true, externalOrderId: response.body.guid };
  return { dispatched: false, message: "toast said " + response.body.error };
}
"""
TOAST_STATUS = """/** @provider toast @topic order_status_update @version 0.3.1 */
var STATES = { COOKING: "IN_PROGRESS", READY: "READY" };
function transform(input, context) {
  var event = input.payload;
  if (!event.reference) throw new Error("no reference");
  if (!STATES[event.state]) return { skip: true, reason: "state " + event.state, externalReference: event.reference };
  return { status: STATES[event.state], externalReference: event.reference, posOrderId: event.guid,
           timestamp: event.at };
}
"""
TOAST_KEY = "toast-live-key-0001"


def write(root: Path, provider: str, topic: str, text: str) -> Path:
    path = root / provider / f"{topic}.js"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.fixture
def loopback() -> Any:
    server = Loopback()
    server.thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


def test_a_new_provider_is_a_folder_of_scripts(database_url: str, tmp_path: Path, loopback: Loopback) -> None:
    dispatch_path = write(tmp_path, "toast", "order_dispatch", TOAST_DISPATCH)
    write(tmp_path, "toast", "order_status_update", TOAST_STATUS)

    def toast(method: str, path: str, body: bytes) -> tuple[int, Any]:
        sent = json.loads(body)
        if sent["ref"] == "REFUSED":
            return 409, {"error": "duplicate"}
        if sent["ref"] == "LONG":
            return 503, ("é" * 300).encode()
        return 201, {"guid": "T-" + sent["ref"]}

    loopback.route = toast  # type: ignore[method-assign]
    sandbox = start_sandbox(database_url, adapters_dir=str(tmp_path))
    try:
        listed = sandbox.client.get("/api/v1/adapters").json()["adapters"]
        assert {"provider": "toast", "topic": "order_dispatch", "version": "0.3.1", "source": str(dispatch_path),
                "hasInterpret": True} in listed  # fmt: skip
        assert {(a["provider"], a["topic"], a["source"]) for a in listed} >= {
            ("toast", "order_status_update", str(tmp_path / "toast" / "order_status_update.js")),
            ("revel", "order_dispatch", "builtin"),
            ("_standard", "order_dispatch", "builtin"),
        }
        connection = sandbox.client.put(
            "/api/v1/provider-connections/toast",
            json={"apiKey": TOAST_KEY, "baseUrl": loopback.url, "config": {"region": "sg"}},
        )
        assert connection.status_code == 200, connection.text
        assert connection.json()["providerConnection"]["secretsSet"] == ["apiKey"]
        assert TOAST_KEY not in connection.text
        mapped = sandbox.client.put(
            "/api/v1/outlet-providers/outlet-t",
            json={"providerSlug": "toast", "externalId": "toast-store-9", "settings": {"menu": "lunch"}},
        )
        assert mapped.status_code == 200, mapped.text

        raw = order_json(orderRefNo="TOAST-1")
        body = sandbox.dispatch(envelope("outlet-t", raw, builtInTransformer="toast")).json()

        assert (body["dispatched"], body["reason"], body["externalOrderId"]) == (True, "", "T-TOAST-1")
        [request] = loopback.requests
        assert request["path"] == "/v2/orders"
        assert request["headers"]["Toast-Key"] == TOAST_KEY
        assert not [name for name in request["headers"] if name.lower().startswith("x-cata-")]
        sent = json.loads(request["body"])
        assert sent == {"reference": body["orderId"], "ref": "TOAST-1", "total": json.loads(raw)["totalPay"],
                        "menu": "lunch", "region": "sg", "standardUrl": ""}  # fmt: skip
        stored = sandbox.order(body["orderId"])
        [attempt] = stored["attempts"]
        assert attempt["route"] == "toast"
        assert attempt["scriptLogs"] == ["toast order TOAST-1 for toast-store-9"]
        assert attempt["requestHeaders"]["Toast-Key"] == "[redacted]"
        assert TOAST_KEY not in json.dumps(stored)

        update = sandbox.client.post(
            "/api/v1/inbound/toast/order-status",
            json={
                "reference": body["orderId"],
                "state": "READY",
                "guid": "T-TOAST-1",
                "at": "2026-12-01T10:00:00Z",
            },
        )
        assert update.status_code == 200, update.text
        assert (update.json()["status"], update.json()["skipped"]) == ("READY", False)
        skipped = sandbox.client.post(
            "/api/v1/inbound/toast/order-status", json={"reference": body["orderId"], "state": "VOID"}
        )
        assert (skipped.status_code, skipped.json()["skipped"], skipped.json()["reason"]) == (
            200,
            True,
            "state VOID",
        )
        retry = sandbox.client.post("/api/v1/inbound/toast/order-status", json={"state": "READY"})
        assert retry.status_code == 500
        assert "no reference" in retry.json()["message"]
        assert sandbox.order(body["orderId"])["fulfilmentStatus"] == "READY"

        refused = sandbox.dispatch(
            envelope("outlet-t", order_json(orderRefNo="REFUSED"), builtInTransformer="toast")
        )
        assert (refused.json()["dispatched"], refused.json()["reason"]) == (
            False,
            # a non-2xx reason is the seed's, the POS's own body: interpret reads 2xx answers only
            'POS returned HTTP 409: {"error": "duplicate"}',
        )
        # the body is cut as the seed says: its first 200 characters (not bytes) and "..."
        long = sandbox.dispatch(
            envelope("outlet-t", order_json(orderRefNo="LONG"), builtInTransformer="toast")
        )
        assert long.json()["reason"] == "POS returned HTTP 503: " + "é" * 200 + "..."
        exploded = sandbox.dispatch(
            envelope("outlet-t", order_json(orderRefNo="X-1", notes="explode"), builtInTransformer="toast")
        ).json()
        assert exploded["dispatched"] is False
        assert exploded["reason"].startswith("transformer failed: Error: toast cannot take this order")
        kept = sandbox.order(exploded["orderId"])
        assert kept["status"] == "failed"
        [failed] = kept["attempts"]
        assert (failed["responseStatus"], failed["scriptLogs"]) == (
            None,
            ["toast order X-1 for toast-store-9"],
        )
        assert len(loopback.requests) == 3  # the exploded order was never sent
    finally:
        stop_sandbox(sandbox)


def test_an_adapters_dir_standard_script_builds_path_1(
    database_url: str, tmp_path: Path, loopback: Loopback
) -> None:
    write(
        tmp_path,
        "_standard",
        "order_dispatch",
        """/** @provider _standard @topic order_dispatch @version 2.0.0 */
function transform(input, context) {
  context.log("standard for " + input.outlet.id);
  return { url: input.webhookUrl + "?via=js", method: "POST",
           headers: { "Content-Type": "application/json", "X-Partner-Tag": "std-2" }, body: null };
}""",
    )
    sandbox = start_sandbox(database_url, adapters_dir=str(tmp_path))
    try:
        secret = sandbox.register("outlet-w", f"{loopback.url}/hook")["secret"]
        raw = order_json(orderRefNo="STD-1")
        body = sandbox.dispatch(envelope("outlet-w", raw)).json()

        assert body["dispatched"] is True, body
        [request] = loopback.requests
        assert request["path"] == "/hook?via=js"
        assert request["body"] == raw  # byte for byte: body null is the order's own bytes
        assert request["headers"]["X-Partner-Tag"] == "std-2"
        assert request["headers"]["X-Cata-Signature"] == signing.sign(secret, raw)
        assert request["headers"]["X-Cata-Event"] == "order.paid"
        [attempt] = sandbox.order(body["orderId"])["attempts"]
        assert attempt["scriptLogs"] == ["standard for outlet-w"]
    finally:
        stop_sandbox(sandbox)


def test_a_bad_script_in_the_adapters_dir_stops_the_start_naming_file_and_line(tmp_path: Path) -> None:
    from cata_sandbox.adapters import CatalogError
    from cata_sandbox.app import create_app
    from cata_sandbox.settings import Settings

    path = write(tmp_path, "toast", "order_dispatch", "/** @provider toast @topic order_dispatch @version 1.0.0 */\n"
                 "function transform(input) {\n  return {;\n}\n")  # fmt: skip
    with pytest.raises(CatalogError) as raised:
        create_app(Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/x.db", adapters_dir=str(tmp_path)))
    assert f"{path}:3:" in str(raised.value)
