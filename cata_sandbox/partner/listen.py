"""``cata-sandbox listen``: point an outlet's webhook at your receiver and watch every attempt live.

Like ``stripe listen --forward-to``: the outlet's webhook is registered, or reused and re-pointed (so its
secret stays the same across runs), the secret is printed with the ``export`` line a receiver needs, and
then one line per delivery attempt of that outlet follows, from the service's attempt stream (Server-Sent
Events, so it works against a sandbox on any port or machine). A dropped stream is reopened with the last
event id, so no attempt is lost or shown twice. Ctrl-C stops it.
"""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Callable
from typing import Any

import click

from cata_sandbox.partner.client import ApiError, SandboxClient
from cata_sandbox.partner.options import make_client, service_options

RECONNECT_PAUSE_S = 1.0


def attempt_line(event: dict[str, Any]) -> str:
    """One attempt as a line: time, orderRefNo, delivery id, HTTP status, latency, outcome."""
    status = event.get("responseStatus")
    outcome = "dispatched" if event.get("dispatched") else f"not dispatched: {event.get('reason', '')}"
    return "  ".join(
        [
            str(event.get("startedAt", ""))[:23].replace("T", " ") + "Z",
            str(event.get("orderRefNo", "")),
            f"delivery {event.get('deliveryId', '')}",
            "no HTTP answer" if status is None else f"HTTP {status}",
            f"{float(event.get('durationMs', 0.0)):.0f} ms",
            outcome,
        ]
    )


def follow(
    client: SandboxClient,
    outlet_id: str | None,
    show: Callable[[dict[str, Any]], None],
    note: Callable[[str], None],
    *,
    last_event_id: str | None = None,
    pause: Callable[[float], None] = time.sleep,
) -> None:
    """Show every attempt event until interrupted; a dropped stream is reopened after the last id."""
    while True:
        try:
            with client.attempt_stream(outlet_id, last_event_id) as events:
                for event in events:
                    if event.event != "attempt":
                        continue
                    show(json.loads(event.data))
                    last_event_id = event.id
            note("the attempt stream ended (the sandbox stopped?); reconnecting ...")
        except ApiError as exc:
            note(f"{exc}; reconnecting in {RECONNECT_PAUSE_S:g}s ...")
        pause(RECONNECT_PAUSE_S)


@click.command()
@click.option("--forward-to", "forward_to", required=True, help="Your receiver's URL (http:// or https://).")
@click.option(
    "--outlet",
    default="outlet-webhook",
    show_default=True,
    help="The outlet whose deliveries go to your receiver (`trigger` sends to outlet-webhook by default).",
)
@click.option(
    "--events",
    default="order.paid",
    show_default=True,
    help="Comma-separated events to subscribe (GET /api/v1/webhooks/events lists them).",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per attempt instead of a line.")
@service_options
def listen(forward_to: str, outlet: str, events: str, as_json: bool, url: str, api_key: str | None) -> None:
    """Send an outlet's deliveries to your receiver and print each attempt as it happens (Ctrl-C stops).

    Registers the outlet's webhook for --forward-to, or re-points the one it has, keeping its secret:
    the secret printed stays the same across runs and restarts until `cata-sandbox webhooks rotate`.

    \b
    cata-sandbox listen --forward-to http://127.0.0.1:9000/cata
    cata-sandbox trigger --count 5          # in another terminal: the attempts show up here
    """
    if not forward_to.startswith(("http://", "https://")):
        raise click.BadParameter("must start with http:// or https://", param_hint="--forward-to")
    wanted = [name.strip() for name in events.split(",") if name.strip()]
    if not wanted:
        raise click.BadParameter("name at least one event, e.g. order.paid", param_hint="--events")

    def note(line: str) -> None:
        click.echo(line, err=True)

    with make_client(url, api_key) as client:
        client.whoami()
        webhook, created = client.ensure_webhook(outlet, forward_to, wanted)
        secret = webhook["secret"]
        how = "registered" if created else "reused (its secret is unchanged)"
        note(f"Webhook #{webhook['id']} of {outlet} {how}: {', '.join(webhook['events'])} -> {forward_to}")
        note(f"Signing secret: {secret}")
        note("Your receiver verifies X-Cata-Signature with it; for `cata-sandbox check-receiver`:")
        note(f"  export CATA_WEBHOOK_SECRET={secret}")
        note(f"Send orders:  cata-sandbox trigger --outlet {outlet} --count 5")
        note(f"Streaming the attempts of {outlet} from {client.url} (Ctrl-C to stop) ...")
        show = _json_sink if as_json else _line_sink
        # SIGTERM (a supervisor, `kill`) ends it as Ctrl-C does: a clean stop, exit status 0. SIGINT is set
        # too: Python maps it to KeyboardInterrupt only when it was not inherited ignored (a process started
        # in the background of a script without job control ignores it), and `serve` and `up` stop on it
        # whatever they inherited.
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, _interrupt)
        try:
            follow(client, outlet, show, note)
        except KeyboardInterrupt:
            note("stopped")


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _line_sink(event: dict[str, Any]) -> None:
    click.echo(attempt_line(event))


def _json_sink(event: dict[str, Any]) -> None:
    click.echo(json.dumps(event, ensure_ascii=False))
