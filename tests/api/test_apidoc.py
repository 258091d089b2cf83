"""The OpenAPI document is an integrator's reference: valid OpenAPI 3.1, the delivery as a `webhooks`
entry, a description and examples for every operation; the docs page works offline."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from openapi_spec_validator import validate

from tests.support import Sandbox, start_sandbox, stop_sandbox

METHODS = ("get", "put", "post", "delete", "patch")


@pytest.fixture
def sqlite_sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    """The document does not depend on the database: SQLite only."""
    running = start_sandbox(f"sqlite:///{tmp_path / 'doc.db'}")
    try:
        yield running
    finally:
        stop_sandbox(running)


@pytest.fixture
def document(sqlite_sandbox: Sandbox) -> dict[str, Any]:
    sandbox = sqlite_sandbox
    response = httpx.get(f"{sandbox.url}/schema/openapi.json")
    assert response.status_code == 200
    found: dict[str, Any] = response.json()
    return found


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def test_the_document_validates_as_openapi_3_1(document: dict[str, Any]) -> None:
    assert document["openapi"].startswith("3.1")
    validate(document)  # raises with the offending part when it is not valid OpenAPI 3.1


def test_every_operation_has_a_description_and_examples(document: dict[str, Any]) -> None:
    found = operations(document)
    assert len(found) >= 20
    for method, path, operation in found:
        where = f"{method.upper()} {path}"
        assert operation.get("description"), where
        body = operation.get("requestBody")
        if body is not None:
            assert all("example" in media for media in body["content"].values()), where
        for parameter in operation.get("parameters", []):
            assert "example" in parameter, f"{where}: parameter {parameter['name']}"
        answers = operation["responses"]
        success = [status for status in answers if status.startswith("2")]
        assert success, where
        for status, answer in answers.items():
            for media in answer.get("content", {}).values():
                assert "example" in media or "examples" in media, f"{where} {status}"


def test_the_dispatch_examples_show_the_order_and_the_answer(document: dict[str, Any]) -> None:
    dispatch = document["paths"]["/api/v1/orders/dispatch"]["post"]
    request = dispatch["requestBody"]["content"]["application/json"]["example"]
    assert request["event"] == "order.paid"
    assert request["order"]["orderRefNo"] == "CATA-1001"
    answer = dispatch["responses"]["200"]["content"]["application/json"]["example"]
    assert set(answer) == {
        "code",
        "isSuccess",
        "message",
        "orderId",
        "externalOrderId",
        "dispatched",
        "reason",
    }


def test_the_delivery_is_the_order_paid_webhook_with_its_headers_and_answers(
    document: dict[str, Any],
) -> None:
    delivery = document["webhooks"]["order.paid"]["post"]
    headers = {p["name"]: p for p in delivery["parameters"] if p["in"] == "header"}
    assert set(headers) == {"X-Cata-Signature", "X-Cata-Event", "X-Cata-Delivery-ID", "X-Cata-Timestamp"}
    assert "HMAC-SHA256 of the raw request body" in headers["X-Cata-Signature"]["description"]
    assert delivery["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Order"
    }
    assert "Order" in document["components"]["schemas"]
    answers = delivery["responses"]
    assert {"2XX", "4XX", "default"} <= set(answers)
    accepted, refused = answers["2XX"]["content"]["application/json"]["schema"]["oneOf"]
    assert {"externalOrderId", "orderId", "id"} <= set(accepted["properties"])
    assert refused["required"] == ["status"]
    for words in ("byte for byte", "What counts as a failure", "dispatchBudgetS"):
        assert words in delivery["description"]


def test_the_docs_page_loads_every_asset_from_the_sandbox_itself(sqlite_sandbox: Sandbox) -> None:
    sandbox = sqlite_sandbox
    page = httpx.get(f"{sandbox.url}/schema")
    assert page.status_code == 200
    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", page.text)
    assert len(assets) >= 3
    for asset in assets:
        assert asset.startswith("/"), f"{asset} is not served by the sandbox"
        fetched = httpx.get(f"{sandbox.url}{asset}")
        assert fetched.status_code == 200, asset
        assert len(fetched.content) > 100, asset
    assert any(asset.endswith("swagger-ui-bundle.js") for asset in assets)
    assert "/schema/openapi.json" in page.text or '"openapi"' in page.text
