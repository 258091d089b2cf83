"""The inspector under test: `cata-sandbox up` (the sandbox and mock_pos on loopback) and chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from tests.support.browser import LoopbackOnly, chromium_or_skip
from tests.support.up import Up, start_up


@pytest.fixture(scope="module")
def up(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Up]:
    running = start_up(tmp_path_factory.mktemp("inspector-up"))
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_or_skip(), headless=True)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def guard(up: Up) -> LoopbackOnly:
    return LoopbackOnly(urlsplit(up.url).netloc)


@pytest.fixture
def context(browser: Browser, guard: LoopbackOnly, tmp_path: Path) -> Iterator[BrowserContext]:
    made = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 860})
    made.route("**/*", guard)
    try:
        yield made
    finally:
        made.close()
    assert guard.refused == [], f"the page asked for another host: {guard.refused}"


@pytest.fixture
def page(context: BrowserContext) -> Page:
    made = context.new_page()
    made.set_default_timeout(15_000)
    return made
