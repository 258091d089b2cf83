"""``--samples DIR``: each ``<topic>_input.json`` run through the script, its result diffed with
``<topic>_output.json`` path by path, numbers as exact decimals (``$.x: expected 5.5, got 5.49``).

The input is the script's ``input`` as the engine builds it; its values are passed on as their JSON text,
so the engine's own ``JSON.parse`` reads the payload's numbers. For ``order_dispatch`` the standard script
runs first and its result becomes ``input.standard`` (unless the sample gives one).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import msgspec

from cata_sandbox.partner.adapters_check.compare import json_differences
from cata_sandbox.partner.adapters_check.harness import Harness
from cata_sandbox.partner.adapters_check.report import Report

__all__ = ["check_samples"]

_SUFFIX = "_input.json"


def check_samples(
    report: Report, harness: Harness, provider: str, directory: Path, progress: Callable[[str], None]
) -> None:
    pairs = sorted(directory.glob(f"*{_SUFFIX}"))
    if not pairs:
        report.prop("samples", str(directory)).record(False, f"no *{_SUFFIX} files in {directory}")
    for path in pairs:
        topic = path.name[: -len(_SUFFIX)]
        prop = report.prop("samples", topic)
        prop.record(*_one(harness, provider, topic, path, path.with_name(f"{topic}_output.json")))
        progress(f"samples: {topic}")


def _one(harness: Harness, provider: str, topic: str, source: Path, target: Path) -> tuple[bool, str]:
    if not target.is_file():
        return False, f"{source.name} has no {target.name} beside it"
    try:
        input = msgspec.json.decode(source.read_bytes(), type=dict[str, msgspec.Raw])
        expected = json.loads(target.read_bytes(), parse_float=Decimal)
    except (msgspec.DecodeError, ValueError) as exc:
        return False, f"{source.name} or {target.name} is not a JSON object: {exc}"
    if harness.catalog.get(provider, topic) is None:
        return False, f"no script {provider}/{topic}.js for {source.name}"
    if topic == "order_dispatch" and "standard" not in input:
        result = harness.build(provider, dict(input))
    else:
        result = harness.run(provider, topic, dict(input))
    if result.error is not None:
        return False, f"the script failed: {result.error.message}"
    lines = json_differences(expected, json.loads(result.text, parse_float=Decimal))
    if not lines:
        return True, ""
    more = f" (and {len(lines) - 5} more)" if len(lines) > 5 else ""
    return False, "; ".join(lines[:5]) + more
