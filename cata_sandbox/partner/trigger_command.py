"""The ``cata-sandbox trigger`` command: options, the fault set-up, progress and the verdict."""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from cata_sandbox.clock import SYSTEM_CLOCK
from cata_sandbox.partner.options import make_client, service_options

if TYPE_CHECKING:
    from cata_sandbox.partner.client import SandboxClient
    from cata_sandbox.partner.fake_orders import FakeOrder
    from cata_sandbox.partner.trigger import Fault


@click.command()
@click.option(
    "--outlet",
    default=None,
    help="Outlet id (default outlet-webhook, or outlet-revel with --transformer revel).",
)
@click.option(
    "--transformer", default=None, help="builtInTransformer slug, e.g. revel (default: the webhook path)."
)
@click.option(
    "--count", type=click.IntRange(1, 100_000), default=5, show_default=True, help="Orders to send."
)
@click.option("--seed", type=int, default=None, help="Seed of the generated orders (printed when omitted).")
@click.option(
    "--fault",
    default=None,
    help="Make mock_pos misbehave: status:503, error_body:Sold out, delay:40, reset, malformed, html...;"
    " or tls:expired, tls:wrong-host, tls:self-signed, tls:untrusted-ca, tls:missing-intermediate,"
    " tls:old-protocol, tls:handshake-reset (needs `up --tls`; the orders go to outlet <outlet>-tls).",
)
@click.option(
    "--fault-times",
    type=click.IntRange(min=1),
    default=None,
    help="Set --fault through mock_pos's admin API for the next N requests of each order (matched on"
    " orderRefNo) instead of a notes directive, so a replay after them succeeds.",
)
@click.option(
    "--mock-url",
    envvar="CATA_MOCK_URL",
    default=None,
    help="mock_pos's URL for --fault-times (default: the one the sandbox reports; env CATA_MOCK_URL).",
)
@click.option(
    "--concurrency", type=click.IntRange(1, 256), default=8, show_default=True, help="Dispatches in flight."
)
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON instead of a table.")
@service_options
def trigger(
    outlet: str | None,
    transformer: str | None,
    count: int,
    seed: int | None,
    fault: str | None,
    fault_times: int | None,
    mock_url: str | None,
    concurrency: int,
    as_json: bool,
    url: str,
    api_key: str | None,
) -> None:
    """Dispatch generated paid orders and check each got the outcome Cata's rules prescribe.

    The expected outcome of each fault follows the running sandbox's dispatch budget (GET /api/v1/sandbox):
    `delay:1` under a 30 s budget is dispatched, `delay:40` times out. Exit code 0 when every order had
    the expected outcome.

    \b
    cata-sandbox trigger --count 20
    cata-sandbox trigger --count 3 --fault status:503                 # every attempt of these orders fails
    cata-sandbox trigger --count 3 --fault status:503 --fault-times 1 # only the first; then:
    cata-sandbox replay --failed                                      # ... dispatched
    cata-sandbox trigger --transformer lightspeed                     # waits for Lightspeed's notifications
    cata-sandbox trigger --transformer lightspeed --fault "notification:failure:Kitchen closed"
    cata-sandbox trigger --transformer atlas --fault status:500
    """
    from cata_sandbox.dispatch import WEBHOOK_ROUTE
    from cata_sandbox.partner.fake_orders import OrderFactory
    from cata_sandbox.partner.output import console, dispatch_rows, dispatch_table
    from cata_sandbox.partner.trigger import (
        OUTLET_REVEL,
        OUTLET_WEBHOOK,
        FaultError,
        expectation,
        fire,
        parse_fault,
    )
    from cata_sandbox.partner.trigger_async import ASYNC_PROVIDERS, notification_directive

    try:
        notice = notification_directive(fault) if fault else None
        planted = parse_fault(fault) if fault and notice is None else None
    except (FaultError, ValueError) as exc:
        raise click.BadParameter(str(exc), param_hint="--fault") from None
    if notice is not None and (transformer not in ASYNC_PROVIDERS or fault_times is not None):
        raise click.UsageError(
            "--fault notification:... is mock Lightspeed's: use it with --transformer lightspeed"
        )
    if fault_times is not None and planted is None:
        raise click.UsageError("--fault-times goes with --fault (which fault, how many times)")
    tls = planted is not None and planted.mode.startswith("tls:")
    if tls and fault_times is not None:
        raise click.UsageError("a tls:* fault is a site, not a count: --fault-times does not apply")
    route = transformer or WEBHOOK_ROUTE
    outlet_id = outlet or {None: OUTLET_WEBHOOK, "revel": OUTLET_REVEL}.get(
        transformer, f"outlet-{transformer}"
    )
    seed = seed if seed is not None else secrets.randbelow(100_000)
    orders = OrderFactory().batch(
        count,
        seed,
        now=SYSTEM_CLOCK.now(),
        notes=notice
        or (planted.directive if planted is not None and fault_times is None and not tls else None),
    )
    info = (lambda line: click.echo(line, err=True)) if as_json else click.echo
    with make_client(url, api_key) as client:
        client.whoami()
        budget_s = float(client.sandbox_info()["dispatchBudgetS"])
        if planted is not None and tls:
            from cata_sandbox.partner.trigger_tls import mock_url_of, point_at_fault

            outlet_id = point_at_fault(client, planted.mode, route, outlet_id, mock_url_of(client, mock_url))
            info(f"Fault: {outlet_id} points at mock_pos's {planted.mode} HTTPS site")
        if planted is not None and fault_times is not None:
            target = _fault_target(client, route, outlet_id, mock_url)
            ids = _plant(target, planted, fault_times, orders)
            info(
                f"Fault: mock_pos answers the next {fault_times} request(s) of each order with"
                f" `{planted.directive[len('mock:') :]}` (admin faults {ids[0]}..{ids[-1]} on"
                f" {target[1]}, matched on orderRefNo); `cata-sandbox replay` after that succeeds."
            )
    expected = expectation(planted, route, budget_s)
    info(f"Dispatching {count} order(s) to {outlet_id} via {route} (seed {seed}: --seed {seed} repeats them)")
    if planted is not None and fault_times is None and not tls:
        info(f"Fault: each order's notes carry `{planted.directive}`; mock_pos acts it out.")
    if notice is not None:
        info(f"Fault: each order's notes carry `{notice}`: the notification after 200 ok is disturbed.")
    info(f"Expected: {expected.shown} ({expected.rule})")
    fired = asyncio.run(
        fire(
            url,
            api_key or "",
            orders,
            outlet_id=outlet_id,
            transformer=transformer,
            concurrency=concurrency,
            expected=expected,
            on_done=progress(count),
        )
    )
    if as_json:
        click.echo(json.dumps(dispatch_rows(fired, route), ensure_ascii=False, indent=2))
    else:
        console().print(dispatch_table(fired, route))
    dispatched = sum(1 for f in fired if f.result.dispatched)
    missed = [f for f in fired if not f.as_expected]
    if route in ASYNC_PROVIDERS and dispatched:
        missed += _async_outcomes(url, api_key, fired, notice, info)
    info(
        f"{count} order(s): {dispatched} dispatched, {count - dispatched} not dispatched; "
        f"{count - len(missed)}/{count} as expected"
    )
    if missed:
        info(f"{len(missed)} order(s) did not get the expected outcome ({expected.shown})")
        raise click.exceptions.Exit(1)


def _async_outcomes(
    url: str, api_key: str | None, fired: list[Any], notice: str | None, info: Callable[[str], None]
) -> list[Any]:
    """Wait for each dispatched order's asynchronous outcome; those that are not the expected one."""
    from cata_sandbox.partner.trigger_async import await_outcomes

    wanted = "REJECTED" if notice and notice.startswith("mock-notification:failure") else "ACCEPTED"
    if notice and notice.startswith("mock-notification:never"):
        wanted = "PAID"
    sent = [(str(f.result.body["orderId"]), f.order.order_ref_no) for f in fired if f.result.dispatched]
    info(f"Waiting for the POS's notifications (expected: {wanted})...")
    with make_client(url, api_key) as client:
        outcomes = await_outcomes(client, sent, timeout=3.0 if wanted == "PAID" else 15.0)
    for outcome in outcomes:
        info(outcome.line)
    return [o for o in outcomes if (o.status or "PAID") != wanted]


def _fault_target(client: SandboxClient, route: str, outlet_id: str, mock_url: str | None) -> tuple[str, str]:
    """(mock_pos URL, fault target) for admin faults: the outlet's mock receiver, or mock Revel."""
    from cata_sandbox.dispatch import WEBHOOK_ROUTE
    from cata_sandbox.partner.client import ApiError

    if mock_url is None:
        reported: dict[str, Any] | None = client.sandbox_info().get("mockPos")
        if reported is None:
            raise ApiError(
                "--fault-times sets the fault through mock_pos's admin API, and this sandbox reports no"
                " mock_pos (it was not started by `cata-sandbox up`): pass --mock-url or set CATA_MOCK_URL"
            )
        mock_url = str(reported["url"])
    mock_url = mock_url.rstrip("/")
    if route != WEBHOOK_ROUTE:
        return mock_url, route
    hooks = [h for h in client.list_webhooks(outlet_id) if h["isActive"] and "order.paid" in h["events"]]
    receivers = f"{mock_url}/webhooks/"
    if not hooks or not hooks[-1]["callbackUrl"].startswith(receivers):
        where = hooks[-1]["callbackUrl"] if hooks else "no active webhook"
        raise ApiError(
            f"--fault-times needs {outlet_id}'s webhook to point at a mock_pos receiver ({receivers}<name>),"
            f" not {where}: faults of your own receiver are yours to make"
        )
    return mock_url, hooks[-1]["callbackUrl"][len(receivers) :]


def _plant(target: tuple[str, str], fault: Fault, times: int, orders: list[FakeOrder]) -> list[int]:
    from cata_sandbox.partner.client import ApiError
    from cata_sandbox.partner.trigger import admin_fault
    from mock_pos.client import MockAdmin, MockAdminError

    mock_url, name = target
    with MockAdmin(mock_url) as admin:
        try:
            return [
                int(
                    admin.add_fault(
                        admin_fault(fault, target=name, order_ref_no=o.order_ref_no, times=times)
                    )["id"]
                )
                for o in orders
            ]
        except MockAdminError as exc:
            raise ApiError(str(exc)) from None


def progress(total: int) -> Callable[[int, int], None] | None:
    """A line on stderr every 10% for large batches (none for small ones): sent, not yet judged."""
    if total < 50:
        return None
    step = max(total // 10, 1)

    def report(done: int, of: int) -> None:
        if done % step == 0 or done == of:
            click.echo(f"sent {done}/{of} ({done * 100 // of}%)", err=True)

    return report
