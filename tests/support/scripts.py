"""Helpers for the adapter runtime tests: scripts written into a folder, a loopback HTTP server, a pool,
and the shipped scripts against a real loopback mock_pos (``PosBench``)."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import msgspec

from cata_sandbox.adapters import AdapterCatalog, AdapterRuntime, load_catalog
from cata_sandbox.adapters.hosthttp import HttpxHostHttp
from mock_pos import ServerThread, create_mock_pos
from mock_pos.client import MockAdmin
from tests.support.script_runtime import SyncRuntime


def write_script(root: Path, provider: str, topic: str, body: str, version: str = "1.0.0") -> Path:
    """``root/provider/topic.js`` with a correct header and ``body`` below it."""
    path = root / provider / f"{topic}.js"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"/** @provider {provider} @topic {topic} @version {version} */\n{body}\n")
    return path


def soon(seconds: float = 5.0) -> float:
    return time.monotonic() + seconds


class Loopback:
    """A threaded HTTP server on 127.0.0.1:0 that records every request and answers by path."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                owner.requests.append(
                    {"method": self.command, "path": self.path, "headers": dict(self.headers), "body": body}
                )
                status, payload = owner.route(self.command, self.path, body)
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = _answer

        class Server(ThreadingHTTPServer):
            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # a client that gave up (the deadline tests) is not an error here

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def route(self, method: str, path: str, body: bytes) -> tuple[int, Any]:
        if path.startswith("/pages"):
            page = int(path.rsplit("=", 1)[1]) if "=" in path else 0
            nxt = f"/pages?page={page + 1}" if page < 2 else None
            if page == 1:  # Revel-style meta.next on the middle page
                return 200, {"objects": [page * 10, page * 10 + 1], "meta": {"next": nxt}}
            return 200, {"results": [page * 10, page * 10 + 1], "next": nxt and self.url + nxt}
        if path.startswith("/slow"):
            time.sleep(2.0)
            return 200, {"slow": True}
        if path.startswith("/text"):
            return 200, b"plain words"
        if path.startswith("/status/"):
            return int(path.rsplit("/", 1)[1]), {"status": "ERROR"}
        return 200, {"method": method, "path": path, "echo": body.decode() or None}


async def start_runtime(catalog: AdapterCatalog, http: HttpxHostHttp, workers: int = 1) -> AdapterRuntime:
    runtime = AdapterRuntime(catalog, workers=workers, http=http, memory_limit=32 * 1024 * 1024)
    await runtime.start()
    return runtime


class PosBench:
    """The shipped scripts in a worker runtime (on its own loop, for hypothesis tests), a HostHttp
    (httpx) that sends what they build to a real loopback mock_pos, its admin client, and a loopback
    receiver for the mocks' notifications and events."""

    def __init__(self) -> None:
        self.catalog = load_catalog()
        self.js = SyncRuntime(self.catalog)
        self.http = HttpxHostHttp()
        self.server = ServerThread(create_mock_pos()).start()
        self.admin = MockAdmin(self.server.url)
        self.receiver = Loopback()
        self.receiver.thread.start()

    def reset(self) -> None:
        """A fresh mock (default configuration, no orders) and an empty receiver."""
        self.admin.reset()
        self.receiver.requests.clear()

    def _wait(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.js.loop).result(10)

    def dispatch(self, provider: str, input: dict[str, Any]) -> Any:
        """``_standard`` then the provider's ``order_dispatch.js`` with ``input.standard``: a RunResult."""
        standard = self.js.run("_standard", "order_dispatch", input)
        assert standard.error is None, standard.error
        return self.js.run(provider, "order_dispatch", {**input, "standard": standard.value})

    def send(self, method: str, url: str, headers: dict[str, str], body: bytes | None) -> Any:
        """One exchange through the HostHttp: ``(status, headers, body bytes)``."""
        return self._wait(self.http.request(method, url, headers, body, timeout=5.0))

    def interpret(self, provider: str, answer: tuple[int, dict[str, str], bytes]) -> Any:
        """The provider's ``interpret(response)`` on an answer, its body parsed as the engine would."""
        status, headers, body = answer
        try:
            json.loads(body)
            parsed: Any = msgspec.Raw(body)
        except ValueError:
            parsed = body.decode(errors="replace")
        response = {"statusCode": status, "headers": headers, "body": parsed}
        result = self.js.run(provider, "order_dispatch", response, function="interpret")
        assert result.error is None, result.error
        return result.value

    def close(self) -> None:
        self.receiver.server.shutdown()
        self.receiver.server.server_close()
        self.admin.close()
        self._wait(self.http.aclose())
        self.server.stop()
        self.js.close()
