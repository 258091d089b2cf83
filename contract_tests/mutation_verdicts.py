"""Survivors that behave exactly like the original: :data:`EQUIVALENT`, matched by the mutant's function and
its changed line (so renumbering does not lose one), each with its reason; ``mutation_report`` prints them
with every report and counts them out of the score."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Equivalent:
    """A mutant that behaves exactly like the original: ``function`` (mutmut's ``x_<name>``) with
    ``changed`` (the mutated line, stripped) as its new line."""

    function: str
    changed: str
    reason: str


READ_TO_THE_CAP = (
    "the loop only decides when to stop reading; the answer is cut to the cap by the slice after it"
    " whatever it read, so the outcome is the same (only an endless body would tell, and the budget ends it)"
)
NO_KIND = (
    "the failure kind is read by check-receiver only (tests/partner); the dispatch service records and"
    " answers nothing of it, so for the service under contract the mutant is the original"
)
NON_2XX_REASON = (
    "this branch is taken for a non-2xx only, and pos_reason reads its outcome only for a 2xx (a non-2xx is"
    " `POS returned HTTP <code>: <body>` whatever the outcome says)"
)
NEVER_RAISES = (
    "the except branch cannot be reached: decode with errors='replace' never raises UnicodeDecodeError and"
    " _is_json catches it itself, so `parsed` is never this value (dead code in pipeline.read)"
)
NO_HEADERS_READ = (
    "no shipped script's interpret (revel, lightspeed, atlas) reads response.headers; only an adapters"
    " folder's script could tell, and the contract suite runs the shipped scripts (it cannot install one)"
)
REPLAY_ROUTE = (
    "a replay's route is found from the stored order (Dispatcher._route reads order.outlet_id and"
    " order.event), never from the request's copies, and nothing after the route reads them"
)
EQUIVALENT: tuple[Equivalent, ...] = (
    Equivalent(
        "x_truncate_for_reason",
        'text = body.decode(errors="replace")',
        "UTF-8 is Python's default codec for bytes.decode",
    ),
    Equivalent(
        "x_truncate_for_reason",
        'text = body.decode("UTF-8", errors="replace")',
        "codec names are case-insensitive",
    ),
    Equivalent(
        "x_verify", 'expected = sign(secret, body).encode("ASCII")', "codec names are case-insensitive"
    ),
    Equivalent("x_verify", 'given = header.strip().encode("ASCII")', "codec names are case-insensitive"),
    Equivalent(
        "x_webhook_request",
        'return OutboundRequest(method="post", url=url, headers=headers, body=body)',
        "both senders upper-case the method (aiohttp's ClientRequest and httpx.Request), so POST goes out",
    ),
    Equivalent(
        "x_webhook_request",
        'headers = {"content-type": CONTENT_TYPE}',
        "HTTP field names are case-insensitive (RFC 9110 5.1); nothing else writes Content-Type",
    ),
    *(
        Equivalent("xǁSenderǁ_send_httpx", changed, READ_TO_THE_CAP)
        for changed in ("size = 1", "size = len(chunk)", "size -= len(chunk)", "if size > cap:")
    ),
    Equivalent(
        "x_webhook_request",
        'headers = {"CONTENT-TYPE": CONTENT_TYPE}',
        "HTTP field names are case-insensitive (RFC 9110 5.1); nothing else writes Content-Type",
    ),
    Equivalent("x_decode_dispatch", 'order_bytes.decode("UTF-8")', "codec names are case-insensitive"),
    Equivalent(
        "x_sign",
        'return PREFIX + hmac.new(secret.encode("UTF-8"), body, hashlib.sha256).hexdigest()',
        "codec names are case-insensitive",
    ),
    *(
        Equivalent("xǁSenderǁexchange", changed, "every path assigns it before it is read")
        for changed in (
            'status: int | None = ""',
            'error: str | None = ""',
            'failure: FailureKind | None = ""',
        )
    ),
    *(
        Equivalent("xǁSenderǁexchange", changed, NO_KIND)
        for changed in (
            "failure = None",
            "status, error, failure = None, describe_failure(exc, url), failure_kind(None)",
            "failure=None,",
            ")",
        )
    ),
    Equivalent(
        "x__check_amount",
        "raise InvalidRequest(None)",
        "only for the non-finite branch: JSON has no NaN or Infinity (msgspec refuses them as syntax), so the"
        " branch is unreachable from a request; the negative branch's twin is killed",
    ),
    Equivalent(
        "x_webhook_outcome",
        "return interpret_generic(None, body)",
        "interpret_generic does not read its status argument (only 2xx reach it)",
    ),
    *(
        Equivalent("xǁScriptPipelineǁread", changed, NON_2XX_REASON)
        for changed in (
            "return Reading(Outcome(dispatched=False), pos_reason(status, body, None))",
            "return Reading(Outcome(dispatched=False), pos_reason(status, body, Outcome(dispatched=None)))",
            "return Reading(Outcome(dispatched=False), pos_reason(status, body, Outcome(dispatched=True)))",
        )
    ),
    Equivalent(
        "xǁScriptPipelineǁread",
        'msgspec.Raw(body) if body.strip() and _is_json(body) else body.decode("UTF-8", "replace")',
        "codec names are case-insensitive",
    ),
    *(
        Equivalent("xǁScriptPipelineǁread", changed, NEVER_RAISES)
        for changed in ("parsed = None", 'parsed = "XXXX"')
    ),
    *(
        Equivalent("xǁScriptPipelineǁread", changed, NO_HEADERS_READ)
        for changed in (
            'response = _encoder.encode({"statusCode": status, "XXheadersXX": headers, "body": parsed})',
            'response = _encoder.encode({"statusCode": status, "HEADERS": headers, "body": parsed})',
        )
    ),
    Equivalent(
        "x__failed",
        "return ScriptBuild(None, TRANSFORMER_FAILED + str(result.error), )",
        "drops the failed script's context.log lines from the attempt's scriptLogs; the shipped script the"
        " suite makes fail (Revel's plu check) logs nothing before it throws, so scriptLogs is [] either way",
    ),
    *(
        Equivalent("xǁDispatcherǁredispatch", changed, REPLAY_ROUTE)
        for changed in ("outlet_id=None,", "event=None,")
    ),
)
