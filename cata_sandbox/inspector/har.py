"""An order's attempts as a HAR 1.2 file (http://www.softwareishard.com/blog/har-12-spec/)."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import urlsplit

from cata_sandbox import __version__
from cata_sandbox.inspector.views import request_body, shown_headers
from cata_sandbox.store import Attempt, StoredOrder


def _text(body: bytes) -> dict[str, Any]:
    """HAR's content/postData text: UTF-8 as is, anything else base64 (``encoding``)."""
    try:
        return {"text": body.decode("utf-8")}
    except UnicodeDecodeError:
        return {"text": base64.b64encode(body).decode("ascii"), "encoding": "base64"}


def _pairs(headers: dict[str, str]) -> list[dict[str, str]]:
    return [{"name": name, "value": value} for name, value in shown_headers(headers)]


def _entry(order: StoredOrder, attempt: Attempt) -> dict[str, Any]:
    body = request_body(order, attempt)
    content_type = next((v for k, v in attempt.request_headers.items() if k.lower() == "content-type"), "")
    answer_type = next((v for k, v in attempt.response_headers.items() if k.lower() == "content-type"), "")
    query = urlsplit(attempt.request_url).query
    answer = attempt.response_body
    return {
        "startedDateTime": attempt.started_at.isoformat(),
        "time": round(attempt.duration_ms, 3),
        "request": {
            "method": attempt.request_method,
            "url": attempt.request_url,
            "httpVersion": "HTTP/1.1",
            "cookies": [],
            "headers": _pairs(attempt.request_headers),
            "queryString": [
                {"name": k, "value": v} for k, _, v in (p.partition("=") for p in query.split("&") if p)
            ],
            "postData": {"mimeType": content_type, **_text(body)},
            "headersSize": -1,
            "bodySize": len(body),
        },
        "response": {
            "status": attempt.response_status or 0,
            "statusText": "" if attempt.response_status else attempt.reason,
            "httpVersion": "HTTP/1.1",
            "cookies": [],
            "headers": _pairs(attempt.response_headers),
            "content": {"size": len(answer), "mimeType": answer_type, **_text(answer)},
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": len(answer) if attempt.response_status else -1,
        },
        "cache": {},
        "timings": {"send": 0, "wait": round(attempt.duration_ms, 3), "receive": 0},
        "comment": f"delivery {attempt.id}: {'dispatched' if attempt.dispatched else 'failed'}"
        + (f" ({attempt.reason})" if attempt.reason else ""),
    }


def har_of(order: StoredOrder, attempts: list[Attempt]) -> dict[str, Any]:
    first = attempts[0].started_at if attempts else order.created_at
    return {
        "log": {
            "version": "1.2",
            "creator": {"name": "cata-sandbox inspector", "version": __version__},
            "pages": [
                {
                    "startedDateTime": first.isoformat(),
                    "id": order.id,
                    "title": f"order {order.order_ref_no} ({order.id})",
                    "pageTimings": {},
                }
            ],
            "entries": [{"pageref": order.id, **_entry(order, a)} for a in attempts],
        }
    }
