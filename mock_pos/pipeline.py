"""The path every request to a mocked counterparty takes: journal it, pick its fault, answer.

Split in two steps (:func:`admit`, then :func:`respond`) so a target can act between them — a receiver
runs its probe there — and so the journal entry exists before anything slow or destructive happens.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from mock_pos.faults import (
    Answer,
    DirectiveError,
    FaultSpec,
    RequestFacts,
    find_directive,
    mode_of,
    perform,
    scalar_text,
)
from mock_pos.state import JournalEntry, MockPosState
from mock_pos.wire import Exchange


@dataclass(slots=True)
class Admission:
    """A journaled request and the fault (if any) chosen for it."""

    entry: JournalEntry
    fault: FaultSpec | None


def decode_json(body: bytes, *, parse_float: Any = Decimal) -> Any:
    """Strict JSON: UTF-8, no NaN/Infinity, decimals exact (``Decimal`` by default); raises ``ValueError``.

    JSON nested deeper than Python's recursion limit is a ``ValueError`` too, never a crash of the mock.
    """
    try:
        return json.loads(body.decode("utf-8"), parse_float=parse_float, parse_constant=_reject_constant)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def loose_json(body: bytes) -> Any:
    """The body as JSON for fault matching, or None when it is not JSON."""
    try:
        return decode_json(body)
    except ValueError:
        return None


def outlet_id_of(exchange: Exchange, parsed: Any) -> str | None:
    """``outletId`` from the query string, else from the top level of a JSON body."""
    from_query = exchange.query_param("outletId")
    if from_query is not None:
        return from_query
    return scalar_text(parsed.get("outletId")) if isinstance(parsed, dict) else None


def admit(
    state: MockPosState,
    exchange: Exchange,
    *,
    body: bytes,
    facts: RequestFacts,
    notes: Iterable[str],
    signature_valid: bool | None = None,
) -> Admission:
    """Journal the request, then choose its fault: a notes directive first, else the first admin match."""
    entry = state.journal.record(
        target=facts.target,
        method=exchange.method,
        path=exchange.path,
        query=exchange.query,
        headers=exchange.headers,
        body=body,
        received_at=state.clock(),
    )
    entry.signature_valid = signature_valid
    spec: FaultSpec | None = None
    try:
        spec = find_directive(notes, facts.target)
    except DirectiveError as exc:
        entry.directive_error = str(exc)
    if spec is None:
        active = state.faults.take(facts)
        if active is not None:
            spec, entry.fault_id = active.spec, active.id
    entry.fault = mode_of(spec) if spec is not None else None
    return Admission(entry, spec)


async def respond(admission: Admission, exchange: Exchange, answer: Answer) -> None:
    """Answer (as disturbed by the chosen fault) and note the status sent in the journal."""
    admission.entry.response_status = await perform(admission.fault, exchange, answer)


def texts(*values: Any) -> list[str]:
    """The string values among ``values`` — notes fields may be absent or of the wrong type."""
    return [value for value in values if isinstance(value, str)]
