"""``trigger --fault tls:<problem>``: point an outlet of its own at mock_pos's HTTPS site of that fault.

A TLS fault cannot ride in an order's notes (the handshake fails before the request is read), so the
orders go to ``outlet-webhook-tls`` (a webhook to the fault site's receiver) or ``outlet-revel-tls``
(mapped to mock Revel on the fault site, mock Revel's default credentials). The partner's own outlets
stay as they are. mock_pos must serve HTTPS (``cata-sandbox up --tls``).
"""

from __future__ import annotations

from typing import Any

from cata_sandbox.partner.client import ApiError, SandboxClient

TLS_SUFFIX = "-tls"


def mock_url_of(client: SandboxClient, mock_url: str | None) -> str:
    if mock_url is None:
        reported: dict[str, Any] | None = client.sandbox_info().get("mockPos")
        if reported is None:
            raise ApiError(
                "a tls:* fault needs mock_pos's HTTPS sites, and this sandbox reports no mock_pos:"
                " run `cata-sandbox up --tls`, or pass --mock-url of a `mock-pos serve --tls`"
            )
        mock_url = str(reported["url"])
    return mock_url.rstrip("/")


def point_at_fault(client: SandboxClient, mode: str, route: str, base_outlet: str, mock_url: str) -> str:
    """Wire ``<base_outlet>-tls`` to the fault's HTTPS site; answer the outlet id and say where."""
    from cata_sandbox.dispatch import WEBHOOK_ROUTE
    from cata_sandbox.partner.up import ORDER_PAID, revel_settings
    from mock_pos.client import MockAdmin, MockAdminError

    with MockAdmin(mock_url) as admin:
        try:
            site = str(admin.tls()["faults"][mode])
        except MockAdminError as exc:
            raise ApiError(f"{exc} (a tls:* fault needs `cata-sandbox up --tls`)") from None
    outlet_id = f"{base_outlet}{TLS_SUFFIX}"
    if route == WEBHOOK_ROUTE:
        client.ensure_webhook(outlet_id, f"{site}/webhooks/{outlet_id}", [ORDER_PAID])
        return outlet_id
    if route != "revel":
        raise ApiError(
            f"a tls:* fault on Path 2 is wired for mock Revel only (--transformer revel), not {route}"
        )
    client.map_outlet(outlet_id, route, revel_settings(site))
    return outlet_id
