"""An httpx-based :class:`~cata_sandbox.adapters.results.HostHttp`: the parent's HTTP for ``context.http``."""

from __future__ import annotations

import httpx

from cata_sandbox.adapters.results import HttpAnswer
from cata_sandbox.net.transport import pool_limits

__all__ = ["HttpxHostHttp"]


class HttpxHostHttp:
    """Plain httpx with a response body cap; the service's outbound client (with its policy) replaces it."""

    def __init__(self, client: httpx.AsyncClient | None = None, *, max_body: int = 1024 * 1024) -> None:
        self.client = client or httpx.AsyncClient(limits=pool_limits())
        self.max_body = max_body

    async def request(
        self, method: str, url: str, headers: dict[str, str], body: bytes | None, *, timeout: float
    ) -> HttpAnswer:
        request = self.client.build_request(method, url, headers=headers, content=body, timeout=timeout)
        response = await self.client.send(request, stream=True)
        try:
            data = bytearray()
            async for chunk in response.aiter_bytes():
                data += chunk
                if len(data) > self.max_body:
                    raise ValueError(f"response body over {self.max_body} bytes")
        finally:
            await response.aclose()
        return response.status_code, dict(response.headers), bytes(data)

    async def aclose(self) -> None:
        await self.client.aclose()
