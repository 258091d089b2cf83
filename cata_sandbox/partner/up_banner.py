"""What ``cata-sandbox up`` prints once both servers run: URLs, key, secret, two working examples; and
with ``--tls`` mock_pos's HTTPS sites (made here, before the banner lists them)."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import TYPE_CHECKING

from cata_sandbox.partner.trigger import OUTLET_REVEL, OUTLET_WEBHOOK
from cata_sandbox.partner.up_pos import OUTLET_ATLAS, OUTLET_LIGHTSPEED
from cata_sandbox.settings import Settings

if TYPE_CHECKING:
    from cata_sandbox.partner.up import Seeded, UpOptions
    from mock_pos.tls import TlsSites

REVEL_SLUG = "revel"
CURL_ORDER = (
    '{"orderRefNo":"CURL-0001","deliveryMethod":"PICKUP","createdAt":"2026-11-27T10:00:00+08:00",'
    '"currency":"SGD","items":[{"plu":"106","name":"Flat White","quantity":2,"unitPrice":4.10,'
    '"modifiers":[{"plu":"205","name":"Oat Milk","groupName":"Milk","quantity":1,"unitPrice":0.60}]}],'
    '"totalPay":9.40}'
)


def curl_example(service_url: str, api_key: str, outlet_id: str, transformer: str | None = None) -> str:
    extra = f',"builtInTransformer":"{transformer}"' if transformer else ""
    body = f'{{"outletId":"{outlet_id}","event":"order.paid"{extra},"order":{CURL_ORDER}}}'
    return (
        f"curl -s -X POST {service_url}/api/v1/orders/dispatch -H 'X-Api-Key: {api_key}' "
        f"-H 'Content-Type: application/json' -d '{body}'"
    )


def banner(settings: Settings, service_url: str, mock_url: str, seeded: Seeded) -> str:
    revel = (
        f"mapped to mock Revel {mock_url}/revel (establishment 1)"
        if seeded.revel_mapped
        else "not mapped (see the warning above)"
    )
    lines = [
        "cata-sandbox is up (Ctrl-C stops both servers)",
        "",
        f"  dispatch service  {service_url}   OpenAPI: {service_url}/schema",
        f"  mock_pos          {mock_url}   journal: {mock_url}/__admin/journal",
        f"  inspector         {service_url}/inspector   (a web page: sign in with the key below)",
        f"  database          {settings.database_url}",
        f"  dispatch budget   {settings.dispatch_timeout_s:g}s",
        "",
        f"  API key           {seeded.api_key}",
        f"  {OUTLET_WEBHOOK:<17} webhook #{seeded.webhook_id} -> {seeded.callback_url}",
        f"  webhook secret    {seeded.webhook_secret}",
        f"  {OUTLET_REVEL:<17} {revel}",
        f"  {OUTLET_LIGHTSPEED:<17} "
        + (
            f"mapped to mock Lightspeed {mock_url}/lightspeed"
            if seeded.pos_mapped
            else "see the warning above"
        ),
        f"  {OUTLET_ATLAS:<17} "
        + (
            f"mapped to mock Atlas Kitchen {mock_url}/atlas" if seeded.pos_mapped else "see the warning above"
        ),
        "",
        "In another terminal:",
        f"  export CATA_URL={service_url} CATA_API_KEY={seeded.api_key}",
        "  cata-sandbox trigger --count 20",
        "  cata-sandbox trigger --transformer lightspeed   # or atlas, revel",
        "  cata-sandbox listen --forward-to http://127.0.0.1:9000/cata   # your own receiver, live",
        "",
        "Path 1, standard webhook (a signed POST to the mock receiver):",
        "  " + curl_example(service_url, seeded.api_key, OUTLET_WEBHOOK),
        "",
        "Path 2, built-in Revel transformer (a cart submit to mock Revel):",
        "  " + curl_example(service_url, seeded.api_key, OUTLET_REVEL, REVEL_SLUG),
        "",
    ]
    return "\n".join(lines)


def https_sites(options: UpOptions, *bound: socket.socket) -> TlsSites | None:
    """``up --tls``: mock_pos's HTTPS sites on the ports after mock_pos's (CA in ``options.tls_dir``)."""
    from cata_sandbox.partner.up import UpError
    from mock_pos.tls import TlsSites

    if options.tls_dir is None:
        return None
    try:
        return TlsSites.bind(Path(options.tls_dir), options.settings.host, options.mock_port + 1)
    except OSError as exc:
        for sock in bound:
            sock.close()
        first = options.mock_port + 1
        raise UpError(f"cannot serve HTTPS on ports {first}-{first + 7}: {exc.strerror or exc}") from None


def tls_banner(sites: TlsSites) -> str:
    from mock_pos.cli import tls_banner as lines

    return lines(sites)


def default_tls_dir(database_url: str) -> str:
    """Beside a SQLite file (``cata-sandbox-tls/`` in its folder), else in the current directory."""
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return str(Path(url.database).resolve().parent / "cata-sandbox-tls")
    return str(Path("cata-sandbox-tls").resolve())
