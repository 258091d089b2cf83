"""The partner commands on the service API: register, check-receiver, orders, show, replay (click only).

Each parses its flags and calls the one client (``partner.client``) or a partner tool; an ``ApiError``
becomes a CLI error in one place, the ``cata-sandbox`` group (``cata_sandbox.cli``).
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from cata_sandbox.partner.options import make_client, service_options
from cata_sandbox.settings import Settings


@click.command()
@click.option("--outlet", required=True, help="Outlet id whose orders the receiver gets.")
@click.option("--callback-url", required=True, help="Your receiver's URL.")
@service_options
def register(outlet: str, callback_url: str, url: str, api_key: str | None) -> None:
    """Register your own webhook receiver for an outlet; prints the secret to configure on your side."""

    with make_client(url, api_key) as client:
        webhook = client.register_webhook(outlet, callback_url)
    click.echo(f"webhook id    {webhook['id']}")
    click.echo(f"outlet        {webhook['outletId']}")
    click.echo(f"callback URL  {webhook['callbackUrl']}")
    click.echo(f"secret        {webhook['secret']}")
    click.echo(
        "Configure the secret in your receiver (shown only now): verify X-Cata-Signature, "
        "sha256=<HMAC-SHA256 of the raw body>, on every delivery."
    )
    click.echo(f"Send it orders:   cata-sandbox trigger --outlet {outlet} --count 5")
    click.echo(
        f"Certify it:       cata-sandbox check-receiver {webhook['callbackUrl']} --secret {webhook['secret']}"
    )


@click.command("check-receiver")
@click.argument("receiver_url", metavar="URL")
@click.option(
    "--secret",
    default=None,
    envvar="CATA_WEBHOOK_SECRET",
    help="The receiver's webhook secret (env CATA_WEBHOOK_SECRET; `listen`, `register` and `up` print it).",
)
@click.option(
    "--junit-xml",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write a JUnit XML report (one testcase per check) for CI; its folder is created.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=Settings().dispatch_timeout_s,
    show_default=True,
    help="The dispatch budget in seconds: each whole exchange, to the last byte of the answer.",
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print the results as one JSON document (for machines)."
)
@click.option(
    "--ca-bundle",
    envvar="CATA_CA_BUNDLE",
    default=None,
    type=click.Path(dir_okay=False, exists=True),
    help="PEM file of authorities trusted besides the system's (env CATA_CA_BUNDLE; `up --tls` prints"
    " mock_pos's CA).",
)
def check_receiver(
    receiver_url: str,
    secret: str | None,
    junit_xml: Path | None,
    timeout: float,
    as_json: bool,
    ca_bundle: str | None,
) -> None:
    """Certify a webhook receiver: deliveries exactly as Cata sends them, forged and tampered ones too.

    Ten checks, each PASS, WARN (holds, but weakly) or FAIL, with the receiver's status, body and latency
    as evidence; the last, tls, judges an https:// receiver's certificate and protocol (an http:// one
    gets a warning). A receiver that cannot be reached ends the deliveries after the first one.
    Exit code 0 when nothing failed (warnings allowed), 1 otherwise.
    """
    from cata_sandbox.partner.check_receiver import check_receiver as certify
    from cata_sandbox.partner.check_receiver.report import (
        json_document,
        not_run_line,
        progress_line,
        summary_line,
        table,
        write_junit,
    )
    from cata_sandbox.partner.output import console

    if not receiver_url.startswith(("http://", "https://")):
        raise click.BadParameter("the receiver URL must start with http:// or https://", param_hint="URL")
    if not secret:
        raise click.UsageError(
            "no webhook secret: pass --secret or set CATA_WEBHOOK_SECRET to the secret your receiver"
            " verifies with (`listen`, `register` and `up` print it; `webhooks show ID --secret` shows it)"
        )
    if junit_xml is not None:
        try:
            junit_xml.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise click.BadParameter(
                f"cannot create the folder {junit_xml.parent} ({exc.strerror}); choose another path",
                param_hint="--junit-xml",
            ) from None

    click.echo(f"Checking {receiver_url} (budget {timeout:g}s for each whole exchange)", err=True)
    certification = certify(
        receiver_url,
        secret,
        budget_s=timeout,
        progress=lambda r: click.echo(progress_line(r), err=True),
        ca_bundle=ca_bundle,
    )
    if as_json:
        click.echo(json.dumps(json_document(certification), ensure_ascii=False, indent=2))
    else:
        console().print(table(certification))
        skipped = not_run_line(certification)
        if skipped:
            click.echo(skipped)
    if junit_xml is not None:
        try:
            write_junit(certification, junit_xml)
        except OSError as exc:
            raise click.ClickException(
                f"could not write {junit_xml} ({exc.strerror}); choose another --junit-xml path"
            ) from None
        click.echo(f"JUnit XML written to {junit_xml}", err=as_json)
    click.echo(summary_line(certification), err=as_json)
    if not certification.passed:
        raise click.exceptions.Exit(1)


@click.command()
@click.option("--failed", is_flag=True, help="Only orders that were not dispatched.")
@click.option("--stuck", is_flag=True, help="Only pending orders (persisted, never answered).")
@click.option("--outlet", default=None, help="Only this outlet's orders.")
@click.option("--limit", type=click.IntRange(1, 500), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the API's answer as JSON.")
@service_options
def orders(
    failed: bool, stuck: bool, outlet: str | None, limit: int, as_json: bool, url: str, api_key: str | None
) -> None:
    """List stored orders, newest first."""
    from cata_sandbox.partner.output import console, orders_table

    if failed and stuck:
        raise click.UsageError("--failed and --stuck exclude each other")
    status = "failed" if failed else "pending" if stuck else None
    with make_client(url, api_key) as client:
        listing = client.list_orders(status=status, outlet_id=outlet, limit=limit)
    if as_json:
        click.echo(json.dumps(listing, ensure_ascii=False, indent=2))
        return
    console().print(orders_table(listing))
    if listing.get("orders"):
        click.echo("Details of one: cata-sandbox show <orderId>")


@click.command()
@click.argument("order_id")
@click.option("--json", "as_json", is_flag=True, help="Print the API's answer as JSON.")
@service_options
def show(order_id: str, as_json: bool, url: str, api_key: str | None) -> None:
    """Show one stored order with every attempt: request and response headers, bodies, reasons."""
    from cata_sandbox.partner.output import order_bytes_of, order_detail

    with make_client(url, api_key) as client:
        order, content = client.get_order(order_id)
    if as_json:
        click.echo(content.decode("utf-8"))
        return
    click.echo(order_detail(order, order_bytes_of(content)))


@click.command()
@click.argument("order_ids", nargs=-1, metavar="[ORDER_ID]...")
@click.option("--failed", is_flag=True, help="Replay every stored order whose dispatch failed.")
@click.option("--outlet", default=None, help="With --failed: only this outlet's failed orders.")
@service_options
def replay(
    order_ids: tuple[str, ...], failed: bool, outlet: str | None, url: str, api_key: str | None
) -> None:
    """Send stored orders again: the ORDER_IDs given, or every failed order with --failed.

    Each replay goes through the order's own route (webhook or builtInTransformer) with the stored
    order bytes unchanged and a fresh X-Cata-Delivery-ID, and is stored as a new attempt
    (POST /api/v1/orders/{orderId}/redispatch). Prints one row per order: orderId, orderRefNo,
    dispatched, reason, attempts (now stored). Exits 0 only when every replayed order was dispatched.

    \b
    cata-sandbox replay 0b6f...e1            # one order
    cata-sandbox replay --failed             # every failed order
    cata-sandbox replay --failed --outlet outlet-1
    """
    from cata_sandbox.partner.replay import failed_order_ids, replay_one, replay_table

    if failed == bool(order_ids):
        raise click.UsageError("give ORDER_ID(s) or --failed, not both and not neither")
    if outlet is not None and not failed:
        raise click.UsageError("--outlet only goes with --failed")
    with make_client(url, api_key) as client:
        client.whoami()
        targets = list(order_ids) if order_ids else failed_order_ids(client, outlet)
        if not targets:
            click.echo("no failed orders to replay" + (f" for outlet {outlet}" if outlet else ""))
            return
        rows = [replay_one(client, order_id) for order_id in targets]
    click.echo(replay_table(rows))
    done = sum(row["dispatched"] == "yes" for row in rows)
    click.echo(f"{len(rows)} replayed: {done} dispatched, {len(rows) - done} not dispatched")
    if done != len(rows):
        raise click.exceptions.Exit(1)
