"""The mock_pos panel: add, list and clear faults (every mode), read the journal; through mock_pos.client."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import anyio.to_thread
import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template

from cata_sandbox.api.dependencies import ServicesDep
from cata_sandbox.errors import InvalidRequest
from cata_sandbox.inspector.render import back, page
from cata_sandbox.inspector.session import Session, checked_form
from cata_sandbox.inspector.views import pretty
from mock_pos import faults
from mock_pos.client import MockAdmin, MockAdminError, entry_body

SessionDep = NamedDependency[Session]
T = TypeVar("T")
TARGETS = ("outlet-webhook", "revel", "lightspeed", "lightspeed-oauth", "atlas")
JOURNAL_SHOWN = 50
MATCH_FIELDS = (
    ("orderRefNo", "match_orderRefNo"),
    ("outletId", "match_outletId"),
    ("establishmentId", "match_establishmentId"),
)


def mode_parameters() -> dict[str, list[tuple[str, str]]]:
    """Each fault mode's own parameters with their defaults, from mock_pos's fault specs."""
    shown: dict[str, list[tuple[str, str]]] = {}
    for spec in faults.FaultSpec.__args__:  # type: ignore[attr-defined]
        mode = str(spec.__struct_config__.tag)
        own = [f for f in msgspec.structs.fields(spec) if f.name not in ("target", "times", "match")]
        shown[mode] = [(f.encode_name, "required" if f.required else json.dumps(f.default)) for f in own]
    return shown


async def call_mock(url: str, action: Callable[[MockAdmin], T]) -> T:
    def run() -> T:
        with MockAdmin(url, timeout=5.0) as admin:
            return action(admin)

    try:
        return await anyio.to_thread.run_sync(run)
    except MockAdminError as exc:
        raise InvalidRequest(str(exc)) from None


def fault_spec(fields: dict[str, str]) -> dict[str, Any]:
    """The admin API's fault body from the panel's form; a bad field is a 400 naming it."""
    spec: dict[str, Any] = {"target": fields.get("target", "").strip(), "mode": fields.get("mode", "")}
    if spec["mode"] not in faults.FAULT_MODES:
        raise InvalidRequest(f"mode must be one of {', '.join(faults.FAULT_MODES)} - at `mode`")
    text = fields.get("params", "").strip()
    if text:
        try:
            params = json.loads(text)
        except ValueError:
            raise InvalidRequest(
                'parameters must be a JSON object, e.g. {"code": 503} - at `params`'
            ) from None
        if not isinstance(params, dict):
            raise InvalidRequest('parameters must be a JSON object, e.g. {"code": 503} - at `params`')
        spec.update({k: v for k, v in params.items() if k not in ("target", "mode")})
    if fields.get("times", "").strip():
        if not fields["times"].strip().isdigit():
            raise InvalidRequest("times must be a whole number of requests - at `times`")
        spec["times"] = int(fields["times"])
    match: dict[str, Any] = {
        key: fields[name].strip() for key, name in MATCH_FIELDS if fields.get(name, "").strip()
    }
    header = fields.get("match_header", "").strip()
    if header:
        name, colon, value = header.partition(":")
        if not colon or not name.strip():
            raise InvalidRequest("a header to match is written `Name: value` - at `match_header`")
        match["header"] = {name.strip(): value.strip()}
    if match:
        spec["match"] = match
    return spec


def journal_rows(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for entry in entries[-JOURNAL_SHOWN:][::-1]:
        rows.append({**entry, "body": pretty(entry_body(entry)), "headers": entry.get("headers", [])})
    return rows


class MockPanel(Controller):
    path = "/mock"
    include_in_schema = False

    @get("/")
    async def panel(
        self,
        request: Request[Any, Any, State],
        session: SessionDep,
        services: ServicesDep,
        target: Annotated[str | None, QueryParameter(max_length=100)] = None,
    ) -> Template:
        url = services.settings.mock_url
        active: list[dict[str, Any]] = []
        journal: list[dict[str, Any]] = []
        problem = None
        if url:
            try:
                active = await call_mock(url, lambda admin: admin.faults())
                journal = await call_mock(url, lambda admin: admin.journal(target or None))
            except InvalidRequest as exc:
                problem = exc.detail
        return page(
            request,
            "mock.html",
            session,
            section="mock",
            mock_url=url,
            problem=problem,
            faults=active,
            journal=journal_rows(journal),
            journal_total=len(journal),
            target=target or "",
            modes=faults.FAULT_MODES,
            parameters=mode_parameters(),
            targets=TARGETS,
            notice=request.query_params.get("notice"),
        )

    def _url(self, services: Any) -> str:
        if not services.settings.mock_url:
            raise InvalidRequest(
                "mock_pos is not running beside this sandbox (start both with `cata-sandbox up`)"
            )
        return str(services.settings.mock_url)

    @post("/faults", status_code=303)
    async def add(
        self, request: Request[Any, Any, State], session: SessionDep, services: ServicesDep
    ) -> Redirect:
        spec = fault_spec(await checked_form(request))
        added = await call_mock(self._url(services), lambda admin: admin.add_fault(spec))
        return back("/mock", notice=f"fault #{added.get('id')} added ({spec['mode']} on {spec['target']})")

    @post("/faults/clear", status_code=303)
    async def clear(
        self, request: Request[Any, Any, State], session: SessionDep, services: ServicesDep
    ) -> Redirect:
        await checked_form(request)

        def clear_all(admin: MockAdmin) -> int:
            active = admin.faults()
            for fault in active:
                admin.remove_fault(int(fault["id"]))
            return len(active)

        cleared = await call_mock(self._url(services), clear_all)
        return back("/mock", notice=f"{cleared} fault(s) cleared")

    @post("/faults/{fault_id:int}/delete", status_code=303)
    async def remove(
        self,
        request: Request[Any, Any, State],
        fault_id: FromPath[int],
        session: SessionDep,
        services: ServicesDep,
    ) -> Redirect:
        await checked_form(request)
        await call_mock(self._url(services), lambda admin: admin.remove_fault(fault_id))
        return back("/mock", notice=f"fault #{fault_id} removed")
