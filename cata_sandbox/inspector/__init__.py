"""The inspector: a web page at ``/inspector`` served by the sandbox itself (issue 18).

Server-rendered HTML (Jinja templates and a little hand-written JavaScript, all shipped in this package:
no CDN, no build step). Signing in takes an API key and keeps a signed session cookie; everything shown
is that tenant's. The pages call the same store, dispatcher and fulfilment service as the API controllers.
"""

from __future__ import annotations

from litestar import Router
from litestar.di import Provide
from litestar.static_files import create_static_files_router

from cata_sandbox.inspector.pages.adapters import AdaptersPage
from cata_sandbox.inspector.pages.auth import SignInPage
from cata_sandbox.inspector.pages.mock import MockPanel
from cata_sandbox.inspector.pages.order import OrderPage
from cata_sandbox.inspector.pages.orders import OrdersPage
from cata_sandbox.inspector.pages.webhooks import WebhooksPage
from cata_sandbox.inspector.render import EXCEPTION_HANDLERS, STATIC, template_config
from cata_sandbox.inspector.session import PREFIX, provide_session

__all__ = ["PREFIX", "router", "template_config"]


def router() -> Router:
    """Every inspector page under ``/inspector``, with its own error pages and the session dependency."""
    return Router(
        path=PREFIX,
        route_handlers=[
            SignInPage,
            OrdersPage,
            OrderPage,
            WebhooksPage,
            MockPanel,
            AdaptersPage,
            create_static_files_router(path="/static", directories=[STATIC], include_in_schema=False),
        ],
        dependencies={"session": Provide(provide_session)},
        exception_handlers=EXCEPTION_HANDLERS,
        include_in_schema=False,
    )
