"""A client of mock_pos's admin API (``/__admin``), shipped beside the server it talks to."""

from __future__ import annotations

import base64
from typing import Any

import httpx


def entry_body(entry: dict[str, Any]) -> bytes:
    """The exact bytes a journal entry recorded (the journal carries them base64-encoded)."""
    return base64.b64decode(entry["bodyBase64"])


def entry_headers(entry: dict[str, Any]) -> dict[str, str]:
    """A journal entry's request headers by lower-case name (the journal keeps them as a list of pairs)."""
    return {name.lower(): value for name, value in entry["headers"]}


class MockAdminError(Exception):
    """mock_pos refused an admin call or could not be reached; the message is one line."""


class MockAdmin:
    """Blocking calls to a running mock_pos's admin API."""

    def __init__(self, url: str, *, timeout: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self.http = httpx.Client(base_url=self.url, timeout=timeout)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> MockAdmin:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _call(self, method: str, path: str, expected: int, **kwargs: Any) -> Any:
        try:
            response = self.http.request(method, f"/__admin{path}", **kwargs)
        except httpx.HTTPError as exc:
            raise MockAdminError(f"cannot reach mock_pos at {self.url}: {exc}") from None
        if response.status_code != expected:
            try:
                detail = response.json().get("error", response.text[:200])
            except (ValueError, AttributeError):
                detail = response.text[:200]
            raise MockAdminError(
                f"mock_pos {method} /__admin{path} answered HTTP {response.status_code}: {detail}"
            )
        return response.json() if response.content else None

    def get(self, path: str) -> Any:
        """``GET /__admin<path>``, decoded: any read of the admin API without a method of its own."""
        return self._call("GET", path, 200)

    def health(self) -> dict[str, Any]:
        found: dict[str, Any] = self._call("GET", "/health", 200)
        return found

    def add_fault(self, spec: dict[str, Any]) -> dict[str, Any]:
        """Activate a fault (``{"target", "mode", <params>, "times"?, "match"?}``); returns it with its id."""
        fault: dict[str, Any] = self._call("POST", "/faults", 201, json=spec)
        return fault

    def faults(self) -> list[dict[str, Any]]:
        active: list[dict[str, Any]] = self._call("GET", "/faults", 200)
        return active

    def remove_fault(self, fault_id: int) -> None:
        self._call("DELETE", f"/faults/{fault_id}", 204)

    def configure_receiver(self, name: str, secret: str | None, **options: Any) -> dict[str, Any]:
        """Create or change receiver ``name`` (``options``: its other settings, such as a probe)."""
        body = {**({} if secret is None else {"secret": secret}), **options}
        config: dict[str, Any] = self._call("PUT", f"/receivers/{name}", 200, json=body)
        return config

    def journal(self, target: str | None = None) -> list[dict[str, Any]]:
        entries: list[dict[str, Any]] = self._call(
            "GET", "/journal", 200, params={"target": target} if target else None
        )
        return entries

    def revel(self) -> dict[str, Any]:
        config: dict[str, Any] = self._call("GET", "/revel", 200)
        return config

    def configure_revel(self, config: dict[str, Any]) -> dict[str, Any]:
        updated: dict[str, Any] = self._call("PUT", "/revel", 200, json=config)
        return updated


def read_journal(url: str, target: str | None = None, *, timeout: float = 10.0) -> list[dict[str, Any]]:
    """One read of the journal of the mock_pos at ``url`` (a client opened and closed for it)."""
    with MockAdmin(url, timeout=timeout) as admin:
        return admin.journal(target)
