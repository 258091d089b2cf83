"""mock_pos on loopback for the tests, driven through its shipped admin client ``mock_pos.client``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from mock_pos.app import create_mock_pos
from mock_pos.client import MockAdmin
from mock_pos.server import ServerThread
from mock_pos.tls import TlsSites


@dataclass
class MockPos:
    """mock_pos over loopback: receivers, mock Revel, faults and the journal."""

    server: ServerThread
    client: httpx.Client
    admin: MockAdmin
    tls: TlsSites | None = None

    @property
    def url(self) -> str:
        return self.server.url

    def receiver(self, name: str, secret: str, **options: Any) -> str:
        self.admin.configure_receiver(name, secret, **options)
        return f"{self.url}/webhooks/{name}"

    def fault(self, target: str, mode: str, **params: Any) -> dict[str, Any]:
        return self.admin.add_fault({"target": target, "mode": mode, **params})

    def journal(self, target: str | None = None) -> list[dict[str, Any]]:
        return self.admin.journal(target)


@contextmanager
def running_mock_pos(tls_dir: Path | None = None) -> Iterator[MockPos]:
    """A fresh mock_pos on a free loopback port, stopped on exit; with ``tls_dir`` also its HTTPS sites
    (the sandbox CA kept in that directory)."""
    tls = TlsSites.bind(tls_dir) if tls_dir is not None else None
    server = ServerThread(create_mock_pos(tls=tls), tls=tls)
    server.start()
    client = httpx.Client(base_url=server.url, timeout=30)
    admin = MockAdmin(server.url, timeout=30)
    try:
        yield MockPos(server=server, client=client, admin=admin, tls=tls)
    finally:
        admin.close()
        client.close()
        server.stop()
