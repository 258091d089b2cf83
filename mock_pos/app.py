"""Wiring of the mock_pos Litestar app: state, admin API, webhook receivers and the mocked POS APIs."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx
from litestar import Litestar
from litestar.di import Provide

from mock_pos.admin import AdminController, AdminError, admin_error_response
from mock_pos.admin_atlas import AtlasAdmin
from mock_pos.admin_lightspeed import LightspeedAdmin
from mock_pos.atlas import atlas_handler
from mock_pos.lightspeed import lightspeed_handler
from mock_pos.outbound import Outbound
from mock_pos.receivers import webhook_handler
from mock_pos.revel import revel_handler
from mock_pos.state import Clock, MockPosState, utc_now

if TYPE_CHECKING:
    from mock_pos.tls import TlsSites


def create_mock_pos(
    *,
    clock: Clock = utc_now,
    transport: httpx.AsyncBaseTransport | None = None,
    tls: TlsSites | None = None,
) -> Litestar:
    """A fresh mock_pos app with its own in-memory state.

    ``clock`` stamps journal entries and orders; ``transport`` (optional) carries the mock's own outbound
    calls — receiver probes and Revel finalize webhooks. Serve it with :class:`mock_pos.server.ServerThread`
    (or ``mock-pos serve``): the ``reset`` and 1xx faults need that server's connection registry.
    ``tls`` (the HTTPS sites the server also runs) is what ``GET /__admin/tls`` reports.
    """
    state = MockPosState(clock=clock, outbound=Outbound(transport), tls=tls.describe() if tls else None)

    def provide_state() -> MockPosState:
        return state

    return Litestar(
        route_handlers=[
            AdminController,
            LightspeedAdmin,
            AtlasAdmin,
            webhook_handler(state),
            revel_handler(state),
            lightspeed_handler(state),
            atlas_handler(state),
        ],
        dependencies={"mock": Provide(provide_state, sync_to_thread=False)},
        exception_handlers={AdminError: admin_error_response},
        openapi_config=None,
        # Whoever runs the app sets up logging, in one format (mock_pos.logs for `mock-pos serve`).
        logging_config=None,
    )
