"""Signing in with an API key (a session cookie), signing out."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import QueryParameter
from litestar.response import Redirect, Template

from cata_sandbox.api.dependencies import ServicesDep
from cata_sandbox.errors import Unauthorized
from cata_sandbox.inspector.render import back, page
from cata_sandbox.inspector.session import (
    LIFETIME_S,
    PREFIX,
    checked_form,
    ended_session_cookie,
    session_cookie,
    session_value,
)


class SignInPage(Controller):
    path = "/"
    include_in_schema = False

    @get("/")
    async def home(self) -> Redirect:
        return back("/orders")

    @get("/signin")
    async def form(
        self,
        request: Request[Any, Any, State],
        why: Annotated[str | None, QueryParameter(max_length=200)] = None,
    ) -> Template:
        return page(request, "signin.html", None, why=why, section="signin")

    @post("/signin", status_code=303)
    async def sign_in(self, request: Request[Any, Any, State], services: ServicesDep) -> Template | Redirect:
        fields = await checked_form(request)
        raw = fields.get("api_key", "").strip()
        try:
            caller = await services.keys.authenticate(raw)
        except Unauthorized as exc:
            detail = "enter an API key - at `api_key`" if not raw else f"{exc.detail} - at `api_key`"
            return page(request, "signin.html", None, status_code=401, error=detail, section="signin")
        found = await services.store.session_key(caller.api_key.id)
        assert found is not None
        expires = int(services.clock.now().timestamp()) + LIFETIME_S
        value = session_value(caller.api_key.id, found[1], expires)
        return Redirect(f"{PREFIX}/orders", status_code=303, cookies=[session_cookie(request, value)])

    @post("/signout", status_code=303)
    async def sign_out(self, request: Request[Any, Any, State]) -> Redirect:
        await checked_form(request)
        return Redirect(f"{PREFIX}/signin", status_code=303, cookies=[ended_session_cookie(request)])
