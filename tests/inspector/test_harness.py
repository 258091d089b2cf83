"""The browser harness itself: without chromium the browser tests skip, saying how to install it."""

from __future__ import annotations

import pytest

from tests.support import browser


def test_without_chromium_the_tests_skip_saying_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(browser, "CHROMIUM", "/nonexistent/chromium")
    monkeypatch.setattr(browser.shutil, "which", lambda _: None)
    with pytest.raises(pytest.skip.Exception, match="apt-get install -y chromium"):
        browser.chromium_or_skip(module=True)


def test_only_the_sandbox_host_is_let_through() -> None:
    class Request:
        def __init__(self, url: str) -> None:
            self.url = url

    class Route:
        def __init__(self, url: str) -> None:
            self.request = Request(url)
            self.went = ""

        def continue_(self) -> None:
            self.went = "on"

        def abort(self) -> None:
            self.went = "aborted"

    guard = browser.LoopbackOnly("127.0.0.1:8700")
    ours, cdn, other_port = (
        Route("http://127.0.0.1:8700/inspector"),
        Route("https://cdn.example/x.js"),
        Route("http://127.0.0.1:8701/x"),
    )
    for route in (ours, cdn, other_port):
        guard(route)
    assert (ours.went, cdn.went, other_port.went) == ("on", "aborted", "aborted")
    assert guard.refused == ["https://cdn.example/x.js", "http://127.0.0.1:8701/x"]
