"""Fixtures for the adapter runtime: a pool, scripts written into a folder, a loopback HTTP server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from cata_sandbox.adapters import AdapterCatalog, load_catalog
from cata_sandbox.adapters.hosthttp import HttpxHostHttp
from tests.support.scripts import Loopback, PosBench


@pytest.fixture
def loopback() -> Iterator[Loopback]:
    server = Loopback()
    server.thread.start()
    try:
        yield server
    finally:
        server.server.shutdown()
        server.server.server_close()


@pytest.fixture
def builtin() -> AdapterCatalog:
    return load_catalog()


@pytest.fixture
async def host_http() -> AsyncIterator[HttpxHostHttp]:
    http = HttpxHostHttp()
    try:
        yield http
    finally:
        await http.aclose()


@pytest.fixture(scope="module")
def pos_bench() -> Iterator[PosBench]:
    bench = PosBench()
    try:
        yield bench
    finally:
        bench.close()
