"""The servers under contract: the dispatch service and mock_pos, in-process or already running.

Everything the properties do goes over HTTP — the service's public API and mock_pos's admin API — so the
same tests run against servers started here on ephemeral loopback ports or against live URLs
(``--cata-url``, ``--mock-url``, ``--api-key``). Each example works in a :class:`Scenario` of its own:
a fresh outlet id and a fresh receiver name, so examples never see each other's orders or requests.
"""

from __future__ import annotations

import contextlib
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest

from contract_tests import repro
from mock_pos.client import MockAdmin, MockAdminError, entry_body, entry_header_values

IN_PROCESS_API_KEY = "contract-key"
DEFAULT_BUDGET_S = 1.0
# How far X-Cata-Timestamp may be from mock_pos's clock when the request arrives: one machine's clock in
# process; live servers on two machines add their clock difference (--clock-tolerance).
DEFAULT_CLOCK_TOLERANCE_S = 2.0


@dataclass(frozen=True, slots=True)
class Target:
    """Where the two servers are, the key of a tenant, and the service's dispatch budget."""

    cata_url: str
    mock_url: str
    api_key: str
    budget_s: float
    # In-process servers serve nobody else, so tenant-wide counts are meaningful there.
    exclusive: bool
    # Live servers' budget: from GET /api/v1/sandbox, or --dispatch-budget; unknown when neither says it.
    budget_known: bool = True
    clock_tolerance_s: float = DEFAULT_CLOCK_TOLERANCE_S


@contextlib.contextmanager
def in_process(
    budget_s: float = DEFAULT_BUDGET_S, transport: httpx.AsyncBaseTransport | None = None
) -> Iterator[Target]:
    """The real service (SQLite in a temp dir) and mock_pos on ephemeral loopback ports; ``transport``
    is the service's outbound transport (None: its own aiohttp one)."""
    from cata_sandbox.app import create_app
    from cata_sandbox.settings import Settings
    from mock_pos.app import create_mock_pos
    from mock_pos.server import ServerThread
    from mock_pos.tls import TlsSites

    with tempfile.TemporaryDirectory(prefix="cata-contract-") as tmp:
        # mock_pos also serves its HTTPS sites (the TLS faults); the service trusts its CA.
        tls = TlsSites.bind(Path(tmp) / "tls")
        settings = Settings(
            database_url=f"sqlite:///{Path(tmp) / 'contract.db'}",
            api_key=IN_PROCESS_API_KEY,
            dispatch_timeout_s=budget_s,
            ca_bundle=str(tls.authority.ca_file),
        )
        with (
            ServerThread(create_app(settings, transport=transport)) as cata,
            ServerThread(create_mock_pos(tls=tls), tls=tls) as mock,
        ):
            yield Target(cata.url, mock.url, IN_PROCESS_API_KEY, budget_s, exclusive=True)


def live(cata_url: str, mock_url: str, api_key: str, budget_s: float | None) -> Target:
    """Already running servers; checks that both answer and that the key is accepted.

    The service's dispatch budget comes from ``GET /api/v1/sandbox``; ``budget_s`` (``--dispatch-budget``)
    overrides it.
    """
    target = Target(cata_url.rstrip("/"), mock_url.rstrip("/"), api_key, DEFAULT_BUDGET_S, exclusive=False)
    wait_until_up(target)
    if budget_s is None:
        budget_s = reported_budget(target)
    return Target(
        target.cata_url,
        target.mock_url,
        api_key,
        budget_s or DEFAULT_BUDGET_S,
        exclusive=False,
        budget_known=budget_s is not None,
    )


def reported_budget(target: Target) -> float | None:
    """The dispatch budget the running service reports, or None when it reports none."""
    try:
        answer = httpx.get(
            f"{target.cata_url}/api/v1/sandbox", headers={"X-Api-Key": target.api_key}, timeout=5
        )
        return float(answer.json()["dispatchBudgetS"]) if answer.status_code == 200 else None
    except (httpx.HTTPError, ValueError, KeyError, TypeError):
        return None


def wait_until_up(target: Target, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    problem = ""
    while time.monotonic() < deadline:
        try:
            health = httpx.get(f"{target.cata_url}/health", timeout=2)
            with MockAdmin(target.mock_url, timeout=2) as admin:
                admin.health()
            if health.status_code == 200:
                whoami = httpx.get(
                    f"{target.cata_url}/api/v1/auth/whoami", headers={"X-Api-Key": target.api_key}, timeout=2
                )
                if whoami.status_code != 200:
                    raise RuntimeError(f"--api-key is not accepted by {target.cata_url}: {whoami.text}")
                return
            problem = f"health {health.status_code}"
        except (httpx.HTTPError, MockAdminError) as exc:
            problem = str(exc)
        time.sleep(0.1)
    raise RuntimeError(f"servers not reachable within {timeout}s: {problem}")


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex}"


class Servers:
    """HTTP clients of both servers for one test session."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self.cata = httpx.Client(
            base_url=target.cata_url,
            headers={"X-Api-Key": target.api_key},
            timeout=target.budget_s + 30,
            # Idle connections dropped after 1 s, before a server's keep-alive timeout (5 s in uvicorn
            # and Node.js) can close one under the next request.
            limits=httpx.Limits(keepalive_expiry=1.0),
        )
        self.admin = MockAdmin(target.mock_url, timeout=30)

    def close(self) -> None:
        self.cata.close()
        self.admin.close()

    def skip_unless_budget_known(self, variant: str) -> None:
        """Over-budget faults need the service's budget; live servers state it with --dispatch-budget."""
        if variant.endswith("over-budget") and not self.target.budget_known:
            pytest.skip(
                "over-budget faults need the service's budget: it reports none at GET /api/v1/sandbox;"
                " pass --dispatch-budget S (its --dispatch-timeout)"
            )

    def scenario(self) -> Scenario:
        target = self.target
        return Scenario(self, steps=repro.Steps(target.cata_url, target.mock_url, target.api_key))


@dataclass
class Scenario:
    """One example's world: a unique outlet and receiver; every setup call is noted as a curl step."""

    servers: Servers
    outlet_id: str = field(default_factory=lambda: new_id("ct-outlet"))
    receiver: str = field(default_factory=lambda: new_id("ct-recv"))
    order_ref: str = field(default_factory=lambda: new_id("CT"))
    steps: repro.Steps = field(default_factory=repro.Steps)

    @property
    def cata(self) -> httpx.Client:
        return self.servers.cata

    @property
    def admin(self) -> MockAdmin:
        return self.servers.admin

    @property
    def target(self) -> Target:
        return self.servers.target

    @property
    def receiver_url(self) -> str:
        return f"{self.target.mock_url}/webhooks/{self.receiver}"

    def tls_site(self, mode: str) -> str:
        """The base URL of mock_pos's HTTPS site of TLS fault ``mode``; skips when mock_pos serves no HTTPS
        (a live mock_pos started without ``--tls``)."""
        try:
            sites: dict[str, str] = self.admin.tls()["faults"]
        except MockAdminError:
            pytest.skip("mock_pos serves no HTTPS (start it with `mock-pos serve --tls`)")
        return sites[mode]

    # --- setup ------------------------------------------------------------------------------

    def webhook(self, *, probe: bool = False, base_url: str | None = None) -> str:
        """Register the mock receiver as the outlet's webhook; the secret is wired on both sides.
        ``base_url`` reaches mock_pos elsewhere (one of its HTTPS sites)."""
        url = f"{base_url}/webhooks/{self.receiver}" if base_url else self.receiver_url
        registration = {"outletId": self.outlet_id, "callbackUrl": url}
        self.steps.register_webhook(registration)
        response = self.cata.post("/api/v1/webhooks/register", json=registration)
        assert response.status_code == 201, response.text
        secret: str = response.json()["webhook"]["secret"]
        config: dict[str, Any] = {"secret": secret}
        if probe:
            config["probe"] = {
                "url": f"{self.target.cata_url}/api/v1/orders?outletId={self.outlet_id}",
                "headers": {"X-Api-Key": self.target.api_key},
            }
        self.steps.configure_receiver(self.receiver, config, secret)
        self.admin.configure_receiver(
            self.receiver, secret, **{k: v for k, v in config.items() if k != "secret"}
        )
        return secret

    def outlet_provider(self, slug: str, settings: dict[str, Any]) -> None:
        """Map the outlet to POS provider ``slug`` with these per-outlet settings."""
        body = {"providerSlug": slug, "settings": settings}
        self.steps.put_outlet_provider(self.outlet_id, body)
        response = self.cata.put(f"/api/v1/outlet-providers/{self.outlet_id}", json=body)
        assert response.status_code in (200, 201), response.text

    def fault(self, spec: dict[str, Any]) -> dict[str, Any]:
        self.steps.add_fault(spec)
        return self.admin.add_fault(spec)

    def remove_fault(self, fault_id: int) -> None:
        # A fault for the next N requests is gone once used up: removing it then changes nothing.
        with contextlib.suppress(MockAdminError):
            self.admin.remove_fault(fault_id)

    # --- acting -------------------------------------------------------------------------------

    def dispatch(self, body: bytes) -> httpx.Response:
        self.steps.dispatch(body)
        return self.cata.post(
            "/api/v1/orders/dispatch", content=body, headers={"Content-Type": "application/json"}
        )

    def redispatch(self, order_id: str) -> httpx.Response:
        self.steps.redispatch(order_id)
        return self.cata.post(f"/api/v1/orders/{order_id}/redispatch")

    # --- observing ----------------------------------------------------------------------------

    def journal(self, target: str | None = None) -> list[dict[str, Any]]:
        return self.admin.journal(target or self.receiver)

    def stored_orders(self) -> list[dict[str, Any]]:
        response = self.cata.get("/api/v1/orders", params={"outletId": self.outlet_id, "limit": 500})
        assert response.status_code == 200, response.text
        listing = response.json()
        assert listing["total"] == len(listing["orders"]), listing
        orders: list[dict[str, Any]] = listing["orders"]
        return orders

    def stored_order(self, order_id: str) -> dict[str, Any]:
        response = self.cata.get(f"/api/v1/orders/{order_id}")
        assert response.status_code == 200, response.text
        order: dict[str, Any] = response.json()["order"]
        return order

    def tenant_order_total(self) -> int:
        response = self.cata.get("/api/v1/orders", params={"limit": 1})
        assert response.status_code == 200, response.text
        total: int = response.json()["total"]
        return total

    def mock_admin(self, path: str) -> Any:
        """``GET /__admin/<path>`` of mock_pos, decoded."""
        return self.admin.get(f"/{path}")


def body_of(entry: dict[str, Any]) -> bytes:
    """The raw request body of a mock_pos journal entry."""
    return entry_body(entry)


def headers_of(entry: dict[str, Any]) -> dict[str, list[str]]:
    """Journal headers by lower-case name (every value kept: a header sent twice is a finding)."""
    return entry_header_values(entry)


def decode(text: bytes | str) -> Any:
    return msgspec.json.decode(text)
