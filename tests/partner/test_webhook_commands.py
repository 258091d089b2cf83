"""`cata-sandbox webhooks list|show|rotate|delete` against a running `up`, as real subprocesses."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from tests.support.up import start_up


def test_webhooks_list_show_rotate_and_delete_wrap_the_management_api(tmp_path: Path) -> None:
    up = start_up(tmp_path)
    try:
        listed = up.cli("webhooks", "list")
        assert listed.returncode == 0, listed.stderr
        header, row = listed.stdout.splitlines()
        assert header.split() == ["id", "outletId", "provider", "events", "active", "callbackUrl"]
        assert row.split() == [
            "1",
            "outlet-webhook",
            "cata",
            "order.paid",
            "yes",
            f"{up.mock_url}/webhooks/outlet-webhook",
        ]
        assert up.secret not in listed.stdout, "a listing never shows a secret"

        shown = up.cli("webhooks", "show", "1", "--secret")
        assert shown.returncode == 0, shown.stderr
        assert f"secret        {up.secret}" in shown.stdout
        assert "secret" not in up.cli("webhooks", "show", "1").stdout

        rotated = up.cli("webhooks", "rotate", "1")
        assert rotated.returncode == 0, rotated.stderr
        new_secret = rotated.stdout.split("new secret ", 1)[1].split()[0]
        assert new_secret != up.secret
        assert f"export CATA_WEBHOOK_SECRET={new_secret}" in rotated.stdout
        headers = {"X-Api-Key": up.api_key}
        stored = httpx.get(f"{up.url}/api/v1/webhooks/1/secret", headers=headers).json()["secret"]
        assert stored == new_secret

        deleted = up.cli("webhooks", "delete", "1")
        assert deleted.returncode == 0, deleted.stderr
        assert deleted.stdout.strip() == "webhook 1 deleted"
        assert json.loads(up.cli("webhooks", "list", "--json").stdout) == []
        empty = up.cli("webhooks", "list", "--outlet", "outlet-webhook")
        assert empty.stdout.strip() == (
            "no webhooks for outlet outlet-webhook: `cata-sandbox listen` or `register` adds one"
        )

        missing = up.cli("webhooks", "show", "1")
        assert missing.returncode == 1
        assert (
            missing.stderr.strip() == "Error: GET /api/v1/webhooks/1 answered HTTP 404: webhook 1 not found"
        )
    finally:
        assert up.stop() == 0
