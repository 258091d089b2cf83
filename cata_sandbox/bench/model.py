"""The bench's vocabulary: paths, scenarios, generators, the bench order, and its error."""

from __future__ import annotations

from typing import Any, Literal

Path_ = Literal["webhook", "revel"]
Scenario = Literal["default", "isolation"]
Generator = Literal["auto", "wrk", "python"]

HEALTHY_OUTLETS = 3
ISOLATION_TARGET = 0.9
# Path 2 (a script) must keep at least this fraction of Path 1's throughput (issue 16).
PATH2_TARGET = 0.7
DIRECT = "direct"
DISPATCH = "dispatch"

# A realistic small order: the Revel path needs plus that mock Revel's default catalogue knows.
BENCH_ORDER: dict[str, Any] = {
    "orderRefNo": "BENCH-1",
    "deliveryMethod": "PICKUP",
    "createdAt": "2026-11-27T10:00:00+08:00",
    "currency": "SGD",
    "items": [
        {
            "plu": "106",
            "name": "Flat White",
            "quantity": 2,
            "unitPrice": 4.10,
            "notes": "extra hot",
            "modifiers": [{"plu": "205", "name": "Oat Milk", "quantity": 1, "unitPrice": 0.60}],
        }
    ],
    "totalPay": 8.80,
    "customer": {"firstName": "Ada", "lastName": "Lovelace", "phone": "+6590000000"},
}


class BenchError(Exception):
    """The bench could not run (a process did not start, the service refused a call, ...)."""
