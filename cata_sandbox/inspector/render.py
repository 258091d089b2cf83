"""Rendering a page: the Jinja environment (templates shipped in the package), the shared context, errors."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from litestar import Request, Response
from litestar.datastructures import State
from litestar.exceptions import HTTPException
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect, Template
from litestar.template.config import TemplateConfig

from cata_sandbox import __version__
from cata_sandbox.errors import Conflict, InvalidRequest, NotFound, SandboxError, Unauthorized
from cata_sandbox.inspector.session import (
    CSRF_FIELD,
    PREFIX,
    CsrfRefused,
    NotSignedIn,
    Session,
    csrf_for,
)

log = logging.getLogger("cata_sandbox.inspector")

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
NAV = (
    ("orders", "Orders"),
    ("webhooks", "Webhooks & outlets"),
    ("mock", "mock_pos"),
    ("adapters", "Adapters"),
)
# The inspector's own words for each domain error (the API's statuses, as app.py maps them).
STATUS_OF: tuple[tuple[type[SandboxError], int], ...] = (
    (InvalidRequest, 400),
    (Unauthorized, 401),
    (NotFound, 404),
    (Conflict, 409),
)


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(prefix=PREFIX, nav=NAV, version=__version__, csrf_field=CSRF_FIELD)
    return env


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(environment()))


def page(
    request: Request[Any, Any, State],
    name: str,
    session: Session | None,
    *,
    status_code: int = 200,
    **context: Any,
) -> Template:
    """Template ``name`` with what every page shows: the CSRF token, the tenant, the active section."""
    token, cookie = csrf_for(request)
    return Template(
        template_name=name,
        context={"csrf": token, "session": session, "section": "", **context},
        status_code=status_code,
        cookies=[cookie] if cookie else None,
        headers={"Cache-Control": "no-store", "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin"},
    )


def back(path: str, **params: str) -> Redirect:
    """303 to an inspector page after a form (the browser then GETs it: a reload does not repost)."""
    return Redirect(f"{PREFIX}{path}", status_code=303, query_params=params or None)


def _error_page(request: Request[Any, Any, State], code: int, title: str, message: str) -> Response[Any]:
    return page(request, "error.html", None, status_code=code, title=title, message=message)


def domain_error(request: Request[Any, Any, State], exc: SandboxError) -> Response[Any]:
    code = next((c for kind, c in STATUS_OF if isinstance(exc, kind)), 400)
    title = {400: "Bad request", 401: "Not signed in", 404: "Not found", 409: "Not allowed now"}[code]
    return _error_page(request, code, title, exc.detail)


def http_error(request: Request[Any, Any, State], exc: HTTPException) -> Response[Any]:
    extra = getattr(exc, "extra", None)
    detail = str(exc.detail)
    if isinstance(extra, list) and extra:
        detail += ": " + "; ".join(
            f"{item.get('message', '')} - `{item.get('key', '')}`" if isinstance(item, dict) else str(item)
            for item in extra
        )
    return _error_page(request, exc.status_code, "Request refused", detail)


def csrf_refused(request: Request[Any, Any, State], exc: CsrfRefused) -> Response[Any]:
    log.warning("inspector form refused: no valid CSRF token path=%s", request.url.path)
    return _error_page(request, 403, "Refused", str(exc))


def not_signed_in(request: Request[Any, Any, State], exc: NotSignedIn) -> Response[Any]:
    if request.url.path.endswith(("/stream", "/counts")):
        # Read by the page's script (EventSource, fetch), not shown: a status it can act on.
        return Response({"message": str(exc)}, status_code=401)
    # A page or a form (say, after the session expired): the sign-in page, saying why.
    return Redirect(f"{PREFIX}/signin", status_code=303, query_params={"why": str(exc)})  # type: ignore[return-value]


EXCEPTION_HANDLERS: dict[Any, Any] = {
    SandboxError: domain_error,
    HTTPException: http_error,
    CsrfRefused: csrf_refused,
    NotSignedIn: not_signed_in,
}
