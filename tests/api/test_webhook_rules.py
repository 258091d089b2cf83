"""One active webhook per outlet, provider and event: a second one is a 409 naming the first, and
``GET /api/v1/webhooks/{id}/secret`` gives the tenant's tools the secret of the one there is."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.support import API_KEY, Sandbox


def webhooks_of(sandbox: Sandbox, outlet: str) -> list[dict[str, object]]:
    hooks: list[dict[str, object]] = sandbox.client.get(
        "/api/v1/webhooks", params={"outletId": outlet}
    ).json()["webhooks"]
    return hooks


def test_a_second_active_webhook_for_the_same_outlet_and_event_is_a_409_naming_the_first(
    sandbox: Sandbox,
) -> None:
    first = sandbox.register("o-1", "http://127.0.0.1:9000/first")

    again = sandbox.client.post(
        "/api/v1/webhooks/register", json={"outletId": "o-1", "callbackUrl": "http://127.0.0.1:9000/second"}
    )

    assert again.status_code == 409
    body = again.json()
    assert body["code"] == 409
    assert body["isSuccess"] is False
    hook = first["id"]
    assert body["message"] == (
        f"outlet o-1 already has an active cata webhook for order.paid: webhook {hook} ->"
        f" http://127.0.0.1:9000/first. Point it elsewhere with PUT /api/v1/webhooks/{hook}"
        f" (callbackUrl, events), rotate its secret with POST /api/v1/webhooks/{hook}/rotate-secret,"
        " or deactivate it first (PUT with isActive false)"
    )
    (only,) = webhooks_of(sandbox, "o-1")
    assert only["callbackUrl"] == "http://127.0.0.1:9000/first", "nothing was stored or changed"
    secret = sandbox.client.get(f"/api/v1/webhooks/{hook}/secret").json()
    assert secret["secret"] == first["secret"], "the secret did not change"


def test_another_provider_another_outlet_or_an_inactive_webhook_do_not_clash(sandbox: Sandbox) -> None:
    first = sandbox.register("o-2", "http://127.0.0.1:9000/a")
    assert sandbox.register("o-2", "http://127.0.0.1:9000/b", provider="other")["id"] != first["id"]
    sandbox.register("o-3", "http://127.0.0.1:9000/a")
    sandbox.client.put(f"/api/v1/webhooks/{first['id']}", json={"isActive": False}).raise_for_status()
    replacement = sandbox.register("o-2", "http://127.0.0.1:9000/c")

    # Reactivating the first would make two active subscriptions again.
    back = sandbox.client.put(f"/api/v1/webhooks/{first['id']}", json={"isActive": True})

    assert back.status_code == 409
    assert f"webhook {replacement['id']} -> http://127.0.0.1:9000/c" in back.json()["message"]
    detail = sandbox.client.get(f"/api/v1/webhooks/{first['id']}").json()["webhook"]
    assert detail["isActive"] is False


def test_registrations_at_once_make_one_webhook(sandbox: Sandbox) -> None:
    def register(n: int) -> int:
        with httpx.Client(base_url=sandbox.url, headers={"X-Api-Key": API_KEY}, timeout=30) as client:
            return client.post(
                "/api/v1/webhooks/register",
                json={"outletId": "o-race", "callbackUrl": f"http://127.0.0.1:9000/{n}"},
            ).status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(register, range(8)))

    assert sorted(statuses) == [201] + [409] * 7
    assert len(webhooks_of(sandbox, "o-race")) == 1


def test_the_secret_endpoint_shows_the_current_secret_to_its_tenant_only(sandbox: Sandbox) -> None:
    hook = sandbox.register("o-4", "http://127.0.0.1:9000/s")
    rotated = sandbox.client.post(f"/api/v1/webhooks/{hook['id']}/rotate-secret").json()["webhook"]

    shown = sandbox.client.get(f"/api/v1/webhooks/{hook['id']}/secret")

    assert shown.json() == {
        "code": 200,
        "isSuccess": True,
        "message": "ok",
        "webhookId": hook["id"],
        "secret": rotated["secret"],
    }
    assert httpx.get(f"{sandbox.url}/api/v1/webhooks/{hook['id']}/secret").status_code == 401
    missing = sandbox.client.get("/api/v1/webhooks/999999/secret")
    assert missing.status_code == 404
    assert missing.json()["message"] == "webhook 999999 not found"
