"""A real browser for the inspector's tests: Debian's chromium driven by Playwright, on loopback only.

``playwright install`` cannot download a browser here, so the tests use the system's chromium (the
``chromium`` package; ``.ci/run`` installs it when missing) and skip, saying how to install it, without it.
Every request the page makes goes through :class:`LoopbackOnly`: a request to any host but the sandbox's
is aborted and recorded, and the test fails on it.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

CHROMIUM = "/usr/bin/chromium"
INSTALL_HINT = "apt-get install -y chromium"
SKIP_MESSAGE = f"the inspector's browser tests need Debian's chromium at {CHROMIUM}: {INSTALL_HINT}"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "reports" / "inspector"


def chromium_or_skip(*, module: bool = False) -> str:
    """The chromium executable, or a skip (of the calling test module with ``module``) saying how to install it."""
    if Path(CHROMIUM).exists():
        return CHROMIUM
    found = shutil.which("chromium")
    if found:
        return found
    pytest.skip(SKIP_MESSAGE, allow_module_level=module)


@dataclass
class LoopbackOnly:
    """Route handler of a browser context: requests to ``netloc`` go on, any other host is aborted."""

    netloc: str
    refused: list[str] = field(default_factory=list)

    def __call__(self, route: object) -> None:
        request = route.request  # type: ignore[attr-defined]
        if urlsplit(request.url).netloc == self.netloc:
            route.continue_()  # type: ignore[attr-defined]
        else:
            self.refused.append(request.url)
            route.abort()  # type: ignore[attr-defined]


def screenshot(page: object, name: str) -> Path:
    """A full-page screenshot under reports/inspector/ (not committed)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    return path


def sign_in(page: Any, url: str, key: str) -> None:
    """Sign in on the inspector at ``url`` with API key ``key`` (the page then shows the orders)."""
    page.goto(f"{url}/inspector/signin")
    page.get_by_label("API key").fill(key)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


def signed_in_client(url: str, key: str) -> Any:
    """An httpx client signed in to the inspector at ``url`` (its cookies kept), and its CSRF token."""
    import re

    import httpx

    client = httpx.Client(base_url=url, timeout=30)
    form = client.get("/inspector/signin")
    found = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert found, form.text[:300]
    signed = client.post("/inspector/signin", data={"csrf": found.group(1), "api_key": key})
    assert signed.status_code == 303, signed.text[:300]
    client.headers["X-Test-Csrf"] = found.group(1)
    return client
