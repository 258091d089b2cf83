"""``cata-sandbox replay``: send stored orders again (redispatch) and tabulate what each did."""

from __future__ import annotations

import httpx

from cata_sandbox.partner.client import ApiError, SandboxClient

REPLAY_PAGE = 500


def replay_call(
    client: SandboxClient, method: str, path: str, params: dict[str, str | int] | None = None
) -> dict[str, object]:
    """The JSON answer of one call; anything but a 200 is ApiError("HTTP <code>: <the service's message>")."""
    try:
        response = client.http.request(method, path, params=params)
    except httpx.HTTPError as exc:
        raise ApiError(f"cannot reach the sandbox at {client.url}: {exc}") from None
    try:
        document = response.json()
    except ValueError:
        document = None
    if response.status_code != 200 or not isinstance(document, dict):
        message = document.get("message") if isinstance(document, dict) else None
        raise ApiError(f"HTTP {response.status_code}: {message or response.text[:200]}")
    return document


def failed_order_ids(client: SandboxClient, outlet: str | None) -> list[str]:
    """Every failed order (of one outlet), collected before any replay moves one out of the list."""
    found: list[str] = []
    while True:
        params: dict[str, str | int] = {"status": "failed", "limit": REPLAY_PAGE, "offset": len(found)}
        if outlet is not None:
            params["outletId"] = outlet
        page = replay_call(client, "GET", "/api/v1/orders", params=params)
        orders = page.get("orders")
        if not isinstance(orders, list) or not orders:
            return found
        found.extend(str(order["orderId"]) for order in orders)
        if len(found) >= int(str(page.get("total", 0))):
            return found


def replay_one(client: SandboxClient, order_id: str) -> dict[str, str]:
    row = {"orderId": order_id, "orderRefNo": "-", "dispatched": "no", "reason": "", "attempts": "-"}
    try:
        answer = replay_call(client, "POST", f"/api/v1/orders/{order_id}/redispatch")
        row["dispatched"] = "yes" if answer.get("dispatched") is True else "no"
        row["reason"] = str(answer.get("reason") or "")
        stored = replay_call(client, "GET", f"/api/v1/orders/{order_id}")["order"]
        assert isinstance(stored, dict)
        row["orderRefNo"] = str(stored.get("orderRefNo", "-"))
        row["attempts"] = str(len(stored.get("attempts") or []))
    except ApiError as exc:
        row["reason"] = row["reason"] or str(exc)
    return row


def _cut_cell(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def replay_table(rows: list[dict[str, str]]) -> str:
    columns = ["orderId", "orderRefNo", "dispatched", "reason", "attempts"]
    cells = [[_cut_cell(row[c]) for c in columns] for row in rows]
    widths = [max(len(c), *(len(line[i]) for line in cells)) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    lines += ["  ".join(v.ljust(w) for v, w in zip(line, widths, strict=True)).rstrip() for line in cells]
    return "\n".join(lines)
