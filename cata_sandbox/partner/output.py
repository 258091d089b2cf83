"""What the partner-facing commands print: tables of dispatches and stored orders, one order in detail."""

from __future__ import annotations

import shutil
import sys
from typing import IO, Any

import msgspec
from rich.console import Console
from rich.table import Table

from cata_sandbox.partner.trigger import Fired

BODY_PREVIEW_CHARS = 600
ORDER_PREVIEW_CHARS = 2000


def console(file: IO[str] | None = None) -> Console:
    """A console that keeps long reasons readable when piped (rich would assume 80 columns)."""
    target = file or sys.stdout
    width = None if target.isatty() else max(shutil.get_terminal_size((160, 24)).columns, 160)
    return Console(file=target, width=width, highlight=False, soft_wrap=False)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text) - limit} more characters)"


def _one_line(text: str) -> str:
    """A reason as one table cell: an HTML body's line breaks shown, not acted on."""
    return text.replace("\r", "").replace("\n", "\\n")


def dispatch_table(fired: list[Fired], route: str) -> Table:
    table = Table(title="Dispatches", title_justify="left")
    for name, justify in (
        ("orderRefNo", "left"),
        ("route", "left"),
        ("dispatched", "left"),
        ("externalOrderId", "left"),
        ("reason", "left"),
        ("latency ms", "right"),
        ("as expected", "left"),
    ):
        table.add_column(name, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for item in fired:
        result = item.result
        table.add_row(
            item.order.order_ref_no,
            route,
            "yes" if result.dispatched else "no",
            str(result.body.get("externalOrderId", "")),
            _one_line(result.reason),
            f"{result.latency_ms:.0f}",
            "yes" if item.as_expected else "NO",
        )
    return table


def dispatch_rows(fired: list[Fired], route: str) -> list[dict[str, Any]]:
    return [
        {
            "orderRefNo": item.order.order_ref_no,
            "orderId": item.result.body.get("orderId", ""),
            "route": route,
            "dispatched": item.result.dispatched,
            "externalOrderId": item.result.body.get("externalOrderId", ""),
            "reason": item.result.reason,
            "latencyMs": round(item.result.latency_ms, 1),
            "asExpected": item.as_expected,
        }
        for item in fired
    ]


def orders_table(listing: dict[str, Any]) -> Table:
    orders = listing.get("orders", [])
    total = listing.get("total", len(orders))
    table = Table(title=f"Orders ({len(orders)} of {total}, newest first)", title_justify="left")
    for name in ("orderId", "orderRefNo", "outlet", "route", "status", "reason", "created"):
        table.add_column(name, overflow="fold")
    for order in orders:
        table.add_row(
            order["orderId"],
            order["orderRefNo"],
            order["outletId"],
            order.get("route") or "-",
            order["status"],
            _one_line(order.get("reason", "")),
            str(order.get("createdAt", ""))[:19].replace("T", " "),
        )
    return table


def _headers(headers: dict[str, str]) -> list[str]:
    return [f"      {name}: {value}" for name, value in headers.items()] or ["      (none)"]


def order_detail(order: dict[str, Any], order_bytes: bytes) -> str:
    """One stored order and each attempt: request line and headers, response status, headers, body."""
    lines = [
        f"order {order['orderId']}  ({order['orderRefNo']})",
        f"  outlet             {order['outletId']}",
        f"  event              {order['event']}",
        f"  route              {order.get('route') or '-'}"
        + (
            f"  (builtInTransformer {order['builtInTransformer']})" if order.get("builtInTransformer") else ""
        ),
        f"  status             {order['status']}",
        f"  reason             {order.get('reason') or '-'}",
        f"  externalOrderId    {order.get('externalOrderId') or '-'}",
        f"  created / updated  {order['createdAt']} / {order['updatedAt']}",
        f"  order JSON         {_cut(order_bytes.decode('utf-8', 'replace'), ORDER_PREVIEW_CHARS)}",
    ]
    attempts = order.get("attempts", [])
    lines.append(f"  attempts           {len(attempts)}")
    for number, attempt in enumerate(attempts, start=1):
        status = attempt.get("responseStatus")
        lines += [
            "",
            f"  attempt {number}: delivery {attempt['deliveryId']}  route {attempt['route']}"
            f"  started {attempt['startedAt']}  {attempt['durationMs']:.1f} ms",
            f"    request   {attempt['requestMethod']} {attempt['requestUrl']}",
            "    request headers",
            *_headers(attempt.get("requestHeaders", {})),
            f"    response  {'no HTTP answer' if status is None else f'HTTP {status}'}",
            "    response headers",
            *_headers(attempt.get("responseHeaders", {})),
            f"    response body  {_cut(attempt.get('responseBody', ''), BODY_PREVIEW_CHARS) or '(empty)'}",
            f"    dispatched     {'yes' if attempt['dispatched'] else 'no'}",
            f"    reason         {attempt.get('reason') or '-'}",
            f"    externalOrderId {attempt.get('externalOrderId') or '-'}",
        ]
    return "\n".join(lines)


class _OrderBytes(msgspec.Struct):
    order: msgspec.Raw


class _OrderResponse(msgspec.Struct):
    order: _OrderBytes


def order_bytes_of(response_body: bytes) -> bytes:
    """The stored order's JSON exactly as the service returned it (prices keep their text)."""
    return bytes(msgspec.json.decode(response_body, type=_OrderResponse).order.order)
