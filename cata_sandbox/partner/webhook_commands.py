"""``cata-sandbox webhooks list|show|rotate|delete``: the webhook management API from the command line."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import click

from cata_sandbox.partner.client import SandboxClient
from cata_sandbox.partner.options import make_client, service_options


def _run(url: str, api_key: str | None, call: Callable[[SandboxClient], Any]) -> Any:
    with make_client(url, api_key) as client:
        return call(client)


def webhook_table(hooks: list[dict[str, Any]]) -> str:
    columns = ["id", "outletId", "provider", "events", "active", "callbackUrl"]
    rows = [
        [
            str(h["id"]),
            h["outletId"],
            h["provider"],
            ",".join(h["events"]),
            "yes" if h["isActive"] else "no",
            h["callbackUrl"],
        ]
        for h in hooks
    ]
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return "\n".join(lines)


def webhook_detail(hook: dict[str, Any], secret: str | None) -> str:
    lines = [
        f"webhook       {hook['id']}",
        f"outlet        {hook['outletId']}",
        f"provider      {hook['provider']}",
        f"events        {', '.join(hook['events'])}",
        f"callback URL  {hook['callbackUrl']}",
        f"active        {'yes' if hook['isActive'] else 'no'}",
        f"created       {hook['createdAt']}",
        f"updated       {hook['updatedAt']}",
    ]
    if secret is not None:
        lines.append(f"secret        {secret}")
    return "\n".join(lines)


@click.group()
def webhooks() -> None:
    """List, inspect, rotate and delete the tenant's webhooks (the /api/v1/webhooks API).

    \b
    cata-sandbox webhooks list --outlet outlet-webhook
    cata-sandbox webhooks show 1 --secret
    cata-sandbox webhooks rotate 1
    cata-sandbox webhooks delete 1
    """


@webhooks.command("list")
@click.option("--outlet", default=None, help="Only this outlet's webhooks.")
@click.option("--json", "as_json", is_flag=True, help="Print the webhooks as JSON.")
@service_options
def list_command(outlet: str | None, as_json: bool, url: str, api_key: str | None) -> None:
    """The tenant's webhooks (deleted ones are not shown); secrets never appear here."""
    hooks: list[dict[str, Any]] = _run(url, api_key, lambda client: client.list_webhooks(outlet))
    if as_json:
        click.echo(json.dumps(hooks, ensure_ascii=False, indent=2))
    elif not hooks:
        click.echo(
            "no webhooks"
            + (f" for outlet {outlet}" if outlet else "")
            + ": `cata-sandbox listen` or `register` adds one"
        )
    else:
        click.echo(webhook_table(hooks))


@webhooks.command("show")
@click.argument("webhook_id", type=click.IntRange(min=1))
@click.option("--secret", "with_secret", is_flag=True, help="Also print the signing secret.")
@click.option("--json", "as_json", is_flag=True, help="Print the webhook as JSON.")
@service_options
def show_command(webhook_id: int, with_secret: bool, as_json: bool, url: str, api_key: str | None) -> None:
    """One webhook; with --secret also its signing secret (to configure a receiver again)."""

    def call(client: SandboxClient) -> tuple[dict[str, Any], str | None]:
        return client.get_webhook(webhook_id), client.webhook_secret(webhook_id) if with_secret else None

    hook, secret = _run(url, api_key, call)
    if as_json:
        click.echo(
            json.dumps({**hook, **({"secret": secret} if secret else {})}, ensure_ascii=False, indent=2)
        )
        return
    click.echo(webhook_detail(hook, secret))


@webhooks.command("rotate")
@click.argument("webhook_id", type=click.IntRange(min=1))
@service_options
def rotate_command(webhook_id: int, url: str, api_key: str | None) -> None:
    """Give a webhook a new signing secret (the old one stops working at once)."""
    hook: dict[str, Any] = _run(url, api_key, lambda client: client.rotate_secret(webhook_id))
    click.echo(f"webhook {hook['id']} of {hook['outletId']}: new secret {hook['secret']}")
    click.echo("Deliveries are signed with it from now on; configure it in your receiver:")
    click.echo(f"  export CATA_WEBHOOK_SECRET={hook['secret']}")


@webhooks.command("delete")
@click.argument("webhook_id", type=click.IntRange(min=1))
@service_options
def delete_command(webhook_id: int, url: str, api_key: str | None) -> None:
    """Delete a webhook (soft: its orders and attempts stay); its outlet's orders then have no route."""
    _run(url, api_key, lambda client: client.delete_webhook(webhook_id))
    click.echo(f"webhook {webhook_id} deleted")
