"""``cata-sandbox replay``: send stored orders again (redispatch) and tabulate what each did."""

from __future__ import annotations

from cata_sandbox.partner.client import ApiError, SandboxClient

REPLAY_PAGE = 500


def failed_order_ids(client: SandboxClient, outlet: str | None) -> list[str]:
    """Every failed order (of one outlet), collected before any replay moves one out of the list."""
    found: list[str] = []
    while True:
        page = client.list_orders(status="failed", outlet_id=outlet, limit=REPLAY_PAGE, offset=len(found))
        orders = page.get("orders")
        if not isinstance(orders, list) or not orders:
            return found
        found.extend(str(order["orderId"]) for order in orders)
        if len(found) >= int(str(page.get("total", 0))):
            return found


def replay_one(client: SandboxClient, order_id: str) -> dict[str, str]:
    row = {"orderId": order_id, "orderRefNo": "-", "dispatched": "no", "reason": "", "attempts": "-"}
    try:
        answer = client.redispatch(order_id)
        row["dispatched"] = "yes" if answer.get("dispatched") is True else "no"
        row["reason"] = str(answer.get("reason") or "")
        stored, _ = client.get_order(order_id)
        row["orderRefNo"] = str(stored.get("orderRefNo", "-"))
        row["attempts"] = str(len(stored.get("attempts") or []))
    except ApiError as exc:
        # The row is narrow: the status and the service's words, not the whole request line.
        row["reason"] = row["reason"] or (f"HTTP {exc.status}: {exc.detail}" if exc.status else str(exc))
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
