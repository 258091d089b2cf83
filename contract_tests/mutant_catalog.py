"""The deliberately broken builds the contract suite must catch, as exact text edits of the code.

Each :class:`Mutant` names the guarantee it breaks and the properties (test modules) that must fail on
it; :mod:`contract_tests.mutants` applies and runs them. An anchor must occur exactly once in its file:
when the code changes so that it does not, the mutant is rewritten with the code.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace ``anchor`` (which must occur exactly once in ``path``) by ``replacement``."""

    path: str
    anchor: str
    replacement: str


@dataclass(frozen=True, slots=True)
class Mutant:
    name: str
    breaks: str
    edits: tuple[Edit, ...]
    # The properties (test modules) that must fail on this mutant.
    caught_by: frozenset[str]


MUTANTS = (
    Mutant(
        name="reencode-order",
        breaks="byte-for-byte delivery: the order is decoded and re-encoded (msgspec) before it is signed and sent",
        edits=(
            Edit(
                "cata_sandbox/dispatch.py",
                "        if request.transformer is None:\n"
                "            hook = await self.store.active_webhook_for(",
                "        request = replace(\n"
                "            request, order_bytes=msgspec.json.encode(msgspec.json.decode(request.order_bytes))\n"
                "        )\n"
                "        if request.transformer is None:\n"
                "            hook = await self.store.active_webhook_for(",
            ),
        ),
        caught_by=frozenset({"test_hmac", "test_delivery_ids"}),
    ),
    Mutant(
        name="persist-after-send",
        breaks="persistence first: the order row is written after the outbound call, not before",
        edits=(
            Edit(
                "cata_sandbox/dispatch.py",
                "        await self.store.insert_order(conn, replace(order, route=routed[0]))\n",
                "",
            ),
            Edit(
                "cata_sandbox/dispatch.py",
                "        await self.store.record_attempt(\n",
                "        if await self.store.get_order(order.tenant_id, order.id) is None:\n"
                "            await self.store.transaction(self.store.insert_order, replace(order, route=route))\n"
                "        await self.store.record_attempt(\n",
            ),
        ),
        caught_by=frozenset({"test_persistence"}),
    ),
    Mutant(
        name="swap-reasons",
        breaks="failure reasons: the webhook and POS error-body reasons are swapped in classify.py",
        edits=(
            Edit("cata_sandbox/classify.py", "callback returned 2xx but body", "@@swapped@@"),
            Edit("cata_sandbox/classify.py", "POS returned 2xx but body", "callback returned 2xx but body"),
            Edit("cata_sandbox/classify.py", "@@swapped@@", "POS returned 2xx but body"),
        ),
        caught_by=frozenset({"test_failure_reasons"}),
    ),
    Mutant(
        name="reuse-delivery-id",
        breaks="delivery ids: every webhook request carries the same X-Cata-Delivery-ID",
        edits=(
            Edit(
                "cata_sandbox/dispatch.py",
                'WEBHOOK_ROUTE = "webhook"\n',
                'WEBHOOK_ROUTE = "webhook"\n_REUSED_DELIVERY_ID = str(uuid.uuid4())\n',
            ),
            Edit(
                "cata_sandbox/dispatch.py",
                "headers = attempt_headers(outgoing, delivery_id)",
                "headers = attempt_headers(outgoing, _REUSED_DELIVERY_ID)",
            ),
        ),
        caught_by=frozenset({"test_delivery_ids"}),
    ),
    Mutant(
        name="optional-total",
        breaks="validation up front: an order without totalPay is accepted (the field got a default)",
        edits=(
            Edit(
                "cata_sandbox/schemas.py", "    totalPay: Decimal\n", "    totalPay: Decimal = Decimal(0)\n"
            ),
        ),
        caught_by=frozenset({"test_validation"}),
    ),
    Mutant(
        name="revel-rounds-prices",
        breaks="transformer contract: the Revel script rounds item prices to cents",
        edits=(
            Edit(
                "cata_sandbox/adapters/scripts/revel/order_dispatch.js",
                "price: item.unitPrice }",
                "price: Math.round(item.unitPrice * 100) / 100 }",
            ),
        ),
        caught_by=frozenset({"test_transformers"}),
    ),
    Mutant(
        name="webhook-content-type-text",
        breaks="delivery headers: webhook deliveries say Content-Type: text/plain",
        edits=(
            Edit(
                "cata_sandbox/delivery.py", '{"Content-Type": CONTENT_TYPE}', '{"Content-Type": "text/plain"}'
            ),
        ),
        caught_by=frozenset({"test_headers"}),
    ),
    Mutant(
        name="webhook-event-underscored",
        breaks="delivery headers: X-Cata-Event says order_paid instead of the request's order.paid",
        edits=(
            Edit(
                "cata_sandbox/delivery.py",
                "headers[EVENT_HEADER] = event\n",
                'headers[EVENT_HEADER] = event.replace(".", "_")\n',
            ),
        ),
        caught_by=frozenset({"test_headers"}),
    ),
    Mutant(
        name="webhook-timestamp-millis",
        breaks="delivery headers: X-Cata-Timestamp in milliseconds instead of Unix seconds",
        edits=(
            Edit(
                "cata_sandbox/delivery.py",
                "headers[TIMESTAMP_HEADER] = str(timestamp)\n",
                "headers[TIMESTAMP_HEADER] = str(timestamp * 1000)\n",
            ),
        ),
        caught_by=frozenset({"test_headers"}),
    ),
    Mutant(
        name="transformer-gets-cata-headers",
        breaks="delivery headers: the transformer path also carries X-Cata-Delivery-ID",
        edits=(
            Edit(
                "cata_sandbox/dispatch.py",
                "if webhook else dict(outgoing.headers)",
                "if webhook else attempt_headers(outgoing, delivery_id)",
            ),
        ),
        caught_by=frozenset({"test_headers"}),
    ),
    Mutant(
        name="unrecorded-wire-header",
        breaks="delivery headers: a header goes on the wire that the transformer did not produce",
        edits=(
            Edit(
                "cata_sandbox/dispatch.py",
                "outgoing.method, outgoing.url, headers, outgoing.body, budget=budget",
                'outgoing.method, outgoing.url, headers | {"X-Powered-By": "cata"}, outgoing.body, budget=budget',
            ),
        ),
        caught_by=frozenset({"test_headers"}),
    ),
    Mutant(
        name="null-external-order-id",
        breaks="every answer: externalOrderId is null instead of an empty string when there is none",
        edits=(
            Edit(
                "cata_sandbox/schemas.py",
                "    externalOrderId: str\n    dispatched: bool\n    reason: str\n",
                "    externalOrderId: str | None\n    dispatched: bool\n    reason: str\n",
            ),
            Edit(
                "cata_sandbox/attempt_record.py",
                "        externalOrderId=external_order_id,\n        dispatched=dispatched,\n",
                "        externalOrderId=external_order_id or None,\n        dispatched=dispatched,\n",
            ),
        ),
        caught_by=frozenset({"test_answers"}),
    ),
    Mutant(
        name="not-found-is-400",
        breaks="every answer: an unknown id is answered 400 instead of the API's 404",
        edits=(Edit("cata_sandbox/app.py", "    NotFound: 404,\n", "    NotFound: 400,\n"),),
        caught_by=frozenset({"test_answers"}),
    ),
    Mutant(
        name="reason-body-cut-at-100",
        breaks="every answer: the POS body in the reason is cut at 100 characters, not 200",
        edits=(Edit("cata_sandbox/classify.py", "REASON_BODY_CHARS = 200\n", "REASON_BODY_CHARS = 100\n"),),
        caught_by=frozenset({"test_answers"}),
    ),
    Mutant(
        name="script-rounds-prices",
        breaks="money: the Revel adapter script rounds each item's price to whole units (5.50 goes out as 6)",
        edits=(
            Edit(
                "cata_sandbox/adapters/scripts/revel/order_dispatch.js",
                "var entry = { product: id, quantity: item.quantity, price: item.unitPrice };",
                "var entry = { product: id, quantity: item.quantity, price: Math.round(item.unitPrice) };",
            ),
        ),
        caught_by=frozenset({"test_adapter_kit"}),
    ),
    Mutant(
        name="lightspeed-rounds-prices",
        breaks="transformer contract: the Lightspeed script rounds each line's customItemPrice to cents",
        edits=(
            Edit(
                "cata_sandbox/adapters/scripts/lightspeed/order_dispatch.js",
                "entry.customItemPrice = present(line.unitPrice) ? line.unitPrice : 0;",
                "entry.customItemPrice = present(line.unitPrice) ? Math.round(line.unitPrice * 100) / 100 : 0;",
            ),
        ),
        caught_by=frozenset({"test_transformers"}),
    ),
    Mutant(
        name="atlas-floors-cents",
        breaks="money: the Atlas script makes cents as Math.floor(price * 100) (0.29 goes out as 28)",
        edits=(
            Edit(
                "cata_sandbox/adapters/scripts/atlas/order_dispatch.js",
                'price_cents: minorUnits(present(line.unitPrice) ? line.unitPrice : 0, places, path + ".unitPrice")',
                "price_cents: Math.floor((present(line.unitPrice) ? line.unitPrice : 0) * 100)",
            ),
        ),
        caught_by=frozenset({"test_transformers"}),
    ),
)
