"""The attempt stream endpoint: Server-Sent Events of the tenant's delivery attempts."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.params import HeaderParameter, QueryParameter
from litestar.response import ServerSentEvent

from cata_sandbox.api.attempt_stream import attempt_events
from cata_sandbox.api.dependencies import CallerDep, ServicesDep
from cata_sandbox.errors import InvalidRequest
from cata_sandbox.schemas import OutletId

MAX_SEQ = 2**53 - 1


def stream_start(last_event_id: str | None, after: int | None) -> int | None:
    """Where the stream starts: after ``Last-Event-ID`` (as EventSource resends it), else ``after``."""
    if last_event_id is None or last_event_id == "":
        return after
    if not last_event_id.isascii() or not last_event_id.isdigit() or int(last_event_id) > MAX_SEQ:
        raise InvalidRequest(
            f"Last-Event-ID must be the id of an attempt event (a whole number), not {last_event_id[:40]!r}"
        )
    return int(last_event_id)


class AttemptController(Controller):
    path = "/api/v1/attempts"
    tags = ["Partner H2H"]

    @get(
        "/stream",
        summary="Stream delivery attempts as they happen (Server-Sent Events)",
        media_type="text/event-stream",
    )
    async def stream(
        self,
        caller: CallerDep,
        services: ServicesDep,
        outlet_id: Annotated[OutletId | None, QueryParameter(name="outletId")] = None,
        after: Annotated[int | None, QueryParameter(ge=0, le=MAX_SEQ)] = None,
        last_event_id: Annotated[str | None, HeaderParameter(name="Last-Event-ID")] = None,
    ) -> ServerSentEvent:
        start = stream_start(last_event_id, after)
        return ServerSentEvent(
            attempt_events(services.store, caller.tenant_id, outlet_id=outlet_id, after=start),
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )
