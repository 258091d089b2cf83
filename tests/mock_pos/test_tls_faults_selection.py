"""A TLS fault is a site of mock_pos, not a per-request fault: the admin API and the notes directive say
where it is instead of failing obscurely."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.support import running_mock_pos
from tests.support.revel import order_json


def test_an_admin_tls_fault_is_refused_naming_the_mode_and_the_site(tmp_path: Path) -> None:
    with running_mock_pos(tmp_path) as mock:
        assert mock.tls is not None
        response = mock.client.post("/__admin/faults", json={"target": "r1", "mode": "tls:expired"})
        site = mock.tls.url("tls:expired")
    assert response.status_code == 400
    assert response.json()["field"] == "mode"
    assert response.json()["error"] == (
        "tls:expired happens in the TLS handshake, before any request is read, so it is not an admin fault:"
        f" send to {site} (GET /__admin/tls lists the sites)"
    )


def test_without_tls_the_admin_api_says_how_to_get_the_sites() -> None:
    with running_mock_pos() as mock:
        listed = mock.client.get("/__admin/tls")
        fault = mock.client.post("/__admin/faults", json={"target": "r1", "mode": "tls:expired"})
    assert listed.status_code == 404
    assert "start it with `mock-pos serve --tls`" in listed.json()["error"]
    assert fault.status_code == 400
    assert "start mock_pos with --tls" in fault.json()["error"]


def test_a_tls_notes_directive_is_reported_not_acted_on() -> None:
    with running_mock_pos() as mock:
        mock.admin.configure_receiver("r1", None)
        answered = httpx.post(f"{mock.url}/webhooks/r1", content=order_json(notes="mock:tls:expired"))
        (entry,) = mock.journal("r1")
    assert answered.status_code == 200
    assert entry["directiveError"].startswith("mock:tls:expired cannot act from the notes")
