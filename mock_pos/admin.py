"""The admin API under ``/__admin``: configure receivers and mock Revel, set faults, read the journal.

Admin bodies are decoded here with msgspec (the Structs live beside what they configure); a body that
does not decode is a 400 whose message carries msgspec's JSON path of the offending field.
"""

from __future__ import annotations

import re
from typing import Any

import msgspec
from litestar import Controller, Request, Response, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, RawBody

from mock_pos.catalogue import CatalogueError, RevelConfig, check_catalogue
from mock_pos.faults import FaultSpec, FaultSpecError, check_fault
from mock_pos.outbound import OutboundError
from mock_pos.revel import finalized_event
from mock_pos.state import MockPosState, ReceiverConfig


class AdminError(Exception):
    """An admin request that cannot be served; ``status_code`` says why, ``field`` what was wrong."""

    status_code = 400

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class BadAdminInput(AdminError):
    """The body does not describe a valid request."""


class UnknownResource(AdminError):
    """The fault or order named does not exist."""

    status_code = 404


class TargetUnreachable(AdminError):
    """The finalize target could not be reached."""

    status_code = 502


def admin_error_response(_: Request[Any, Any, Any], exc: AdminError) -> Response[dict[str, Any]]:
    """The one mapping of admin errors to HTTP: ``{"error": message, "field"?: path}``."""
    content: dict[str, Any] = {"error": exc.message}
    if exc.field is not None:
        content["field"] = exc.field
    return Response(content, status_code=exc.status_code)


_AT_PATH = re.compile(r"at `\$\.?(?P<path>[^`]*)`")
_NAMED_FIELD = re.compile(r"field `(?P<name>[^`]+)`")


def _field_of(message: str) -> str | None:
    """``Expected `int`, got `str` - at `$.code`` → ``code``; missing/unknown fields are named in the text."""
    at = _AT_PATH.search(message)
    path = at["path"] if at else ""
    named = _NAMED_FIELD.search(message)
    if named:
        return f"{path}.{named['name']}" if path else named["name"]
    return path or None


def decode_input(body: bytes, type_: Any) -> Any:
    """Decode an admin body (empty means ``{}``); any failure is :class:`BadAdminInput` naming the field."""
    try:
        return msgspec.json.decode(body or b"{}", type=type_)
    except msgspec.ValidationError as exc:
        raise BadAdminInput(str(exc), _field_of(str(exc))) from exc
    except msgspec.DecodeError as exc:
        raise BadAdminInput(f"body is not valid JSON: {exc}") from exc


def refuse_tls_mode(body: bytes, tls: dict[str, Any] | None) -> None:
    """A ``tls:*`` mode is a site, not a per-request fault: say where it is instead of "unknown tag"."""
    try:
        mode = msgspec.json.decode(body or b"{}").get("mode")
    except (msgspec.DecodeError, AttributeError):
        return
    if isinstance(mode, str) and mode.startswith("tls:"):
        where = (tls or {}).get("faults", {}).get(mode)
        site = f"send to {where}" if where else "start mock_pos with --tls and send to its site"
        raise BadAdminInput(
            f"{mode} happens in the TLS handshake, before any request is read, so it is not an admin fault:"
            f" {site} (GET /__admin/tls lists the sites)",
            "mode",
        )


class FinalizeInput(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, rename="camel"):
    """Body of ``POST /__admin/revel/finalize``."""

    order_id: int
    closed: bool = True
    dining_option: int | None = None
    url: str | None = None
    headers: dict[str, str] = {}


class AdminController(Controller):
    """Everything a test needs to set up, disturb and observe the mocked counterparties."""

    path = "/__admin"
    tags = ["admin"]

    @get("/health")
    async def health(self) -> dict[str, str]:
        """Liveness."""
        return {"status": "ok"}

    @get("/tls")
    async def tls(self, mock: NamedDependency[MockPosState]) -> dict[str, Any]:
        """The sandbox CA file and the HTTPS URL of the valid site and of each TLS fault."""
        if mock.tls is None:
            raise UnknownResource("mock_pos serves no HTTPS: start it with `mock-pos serve --tls`")
        return mock.tls

    @post("/reset", status_code=200)
    async def reset(self, mock: NamedDependency[MockPosState]) -> dict[str, str]:
        """Clear faults, journal, receivers and Revel orders; Revel back to its default catalogue."""
        mock.reset()
        return {"status": "ok"}

    @get("/journal")
    async def journal(
        self, mock: NamedDependency[MockPosState], target: FromQuery[str | None] = None
    ) -> list[dict[str, Any]]:
        """Every request received by receivers and mock Revel, in order."""
        return [entry.view() for entry in mock.journal.entries(target)]

    @delete("/journal")
    async def clear_journal(self, mock: NamedDependency[MockPosState]) -> None:
        """Forget the journal."""
        mock.journal.clear()

    @get("/receivers")
    async def receivers(self, mock: NamedDependency[MockPosState]) -> list[dict[str, Any]]:
        """Configured receivers."""
        return mock.receivers.views()

    @put("/receivers/{name:str}")
    async def configure_receiver(
        self, mock: NamedDependency[MockPosState], name: FromPath[str], body: RawBody
    ) -> dict[str, Any]:
        """Set a receiver's secret (and optional probe)."""
        config: ReceiverConfig = decode_input(body, ReceiverConfig)
        mock.receivers.configure(name, config)
        return {"name": name, **msgspec.to_builtins(config)}

    @get("/revel")
    async def revel_config(self, mock: NamedDependency[MockPosState]) -> dict[str, Any]:
        """Mock Revel's configuration (prices as decimal strings)."""
        shown: dict[str, Any] = msgspec.to_builtins(mock.revel.config)
        return shown

    @put("/revel")
    async def configure_revel(self, mock: NamedDependency[MockPosState], body: RawBody) -> dict[str, Any]:
        """Replace mock Revel's credentials, catalogue and options."""
        config: RevelConfig = decode_input(body, RevelConfig)
        try:
            check_catalogue(config)
        except CatalogueError as exc:
            raise BadAdminInput(str(exc), exc.field) from exc
        mock.revel.configure(config)
        shown: dict[str, Any] = msgspec.to_builtins(config)
        return shown

    @get("/revel/orders")
    async def revel_orders(self, mock: NamedDependency[MockPosState]) -> list[dict[str, Any]]:
        """Every order mock Revel accepted, decimals as strings of their exact text."""
        return [order.view() for order in mock.revel.orders]

    @post("/revel/finalize", status_code=200)
    async def finalize(self, mock: NamedDependency[MockPosState], body: RawBody) -> dict[str, Any]:
        """POST an ``order.finalized`` webhook for an accepted order; returns what the target answered."""
        request: FinalizeInput = decode_input(body, FinalizeInput)
        order = mock.revel.find(request.order_id)
        if order is None:
            raise UnknownResource(f"order {request.order_id} does not exist", "orderId")
        url = request.url or mock.revel.config.webhook_url
        if url is None:
            raise BadAdminInput("no url given and no webhookUrl configured", "url")
        event = finalized_event(
            order, closed=request.closed, dining_option=request.dining_option, now=mock.clock()
        )
        headers = {"Content-Type": "application/json", **request.headers}
        try:
            answered = await mock.outbound.request("POST", url, headers=headers, content=event)
        except OutboundError as exc:
            raise TargetUnreachable(str(exc), "url") from exc
        return {"status": answered.status, "body": answered.text}

    @post("/faults", status_code=201)
    async def add_fault(self, mock: NamedDependency[MockPosState], body: RawBody) -> dict[str, Any]:
        """Activate a fault; answers with it, including its ``id``."""
        refuse_tls_mode(body, mock.tls)
        spec: FaultSpec = decode_input(body, FaultSpec)
        try:
            check_fault(spec)
        except FaultSpecError as exc:
            raise BadAdminInput(str(exc), exc.field) from exc
        return mock.faults.add(spec).view()

    @get("/faults")
    async def faults(self, mock: NamedDependency[MockPosState]) -> list[dict[str, Any]]:
        """Active faults in the order they are checked, with their remaining counts."""
        return [fault.view() for fault in mock.faults]

    @delete("/faults")
    async def clear_faults(self, mock: NamedDependency[MockPosState]) -> None:
        """Remove every fault."""
        mock.faults.clear()

    @delete("/faults/{fault_id:int}")
    async def remove_fault(self, mock: NamedDependency[MockPosState], fault_id: FromPath[int]) -> None:
        """Remove one fault."""
        if not mock.faults.remove(fault_id):
            raise UnknownResource(f"fault {fault_id} does not exist", "id")
