"""Survivors that behave exactly like the original: :data:`EQUIVALENT`, matched by the mutant's function and
its changed line (so renumbering does not lose one), each with its reason; ``mutation_report`` prints them
with every report and counts them out of the score. The engine's (``Dispatcher``'s) verdicts and the
known gaps are in :mod:`contract_tests.mutation_verdicts_engine`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Equivalent:
    """A mutant that behaves exactly like the original: ``function`` (mutmut's ``x_<name>``) with
    ``changed`` (the mutated line, stripped) as its new line."""

    function: str
    changed: str
    reason: str


def each(function: str, reason: str, *changed: str) -> tuple[Equivalent, ...]:
    """One entry per changed line of ``function``, all for the same reason."""
    return tuple(Equivalent(function, line, reason) for line in changed)


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
NO_HEADERS_READ = (
    "no shipped script's interpret (revel, lightspeed, atlas) reads response.headers; only an adapters"
    " folder's script could tell, and the contract suite runs the shipped scripts (it cannot install one)"
)
SHIPPED_MESSAGE = (
    "every shipped interpret (revel, lightspeed, atlas) returns a non-empty string message with"
    " dispatched: false (Revel words the seed's `no error message in the response body` itself), so the"
    " engine's own check and fallback never apply to the service under contract"
)
LATER_DEADLINE = (
    "a later deadline only lets a slow script run longer; the shipped scripts finish in milliseconds, far"
    " inside any budget (the outbound call has its own budget in the Sender), so nothing the contract sees"
    " changes; tests/adapters (the compute limit, the hostile matrix) cover deadlines"
)
NO_FINDINGS = (
    "precision findings flag a script that changed a price; the shipped scripts carry every price exactly"
    " (property 5, the kit's `no precision finding`), so there is never a finding to drop or add (the"
    " rest of _findings is out of scope; this line is word for word one of read's)"
)
TWO_STEP = (
    "runs the same two scripts in two worker messages instead of one: the provider script gets the"
    " standard's request as input.standard either way (tests/adapters/test_chain.py); chaining only saves"
    " a round trip"
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
    *each(
        "xǁSenderǁ_send_httpx",
        READ_TO_THE_CAP,
        "size = 1",
        "size = len(chunk)",
        "size -= len(chunk)",
        "if size > cap:",
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
    *each(
        "xǁSenderǁexchange",
        "every path assigns it before it is read",
        'status: int | None = ""',
        'error: str | None = ""',
        'failure: FailureKind | None = ""',
    ),
    *each(
        "xǁSenderǁexchange",
        NO_KIND,
        "failure = None",
        "status, error, failure = None, describe_failure(exc, url), failure_kind(None)",
        "failure=None,",
        ")",
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
    *each(
        "xǁScriptPipelineǁread",
        NON_2XX_REASON,
        "return Reading(Outcome(dispatched=False), pos_reason(status, body, None))",
        "return Reading(Outcome(dispatched=False), pos_reason(status, body, Outcome(dispatched=None)))",
        "return Reading(Outcome(dispatched=False), pos_reason(status, body, Outcome(dispatched=True)))",
    ),
    Equivalent(
        "xǁScriptPipelineǁread",
        'parsed: Any = msgspec.Raw(body) if json_body else body.decode("UTF-8", "replace")',
        "codec names are case-insensitive",
    ),
    Equivalent(
        "xǁScriptPipelineǁread",
        "outcome = interpret_generic(None, body)",
        "interpret_generic does not read its status argument (only 2xx reach it)",
    ),
    *each(
        "xǁScriptPipelineǁread",
        NO_HEADERS_READ,
        'response = _encoder.encode({"statusCode": status, "XXheadersXX": headers, "body": parsed})',
        'response = _encoder.encode({"statusCode": status, "HEADERS": headers, "body": parsed})',
    ),
    Equivalent(
        "x__failed",
        "return ScriptBuild(None, TRANSFORMER_FAILED + str(result.error), )",
        "drops the failed script's context.log lines from the attempt's scriptLogs; the shipped script the"
        " suite makes fail (Revel's plu check) logs nothing before it throws, so scriptLogs is [] either way",
    ),
    *each(
        "xǁScriptPipelineǁread",
        SHIPPED_MESSAGE,
        'message = said if (isinstance(said, str)) or True else ""',
        'message = said if isinstance(said, str) else "XXXX"',
        'outcome = Outcome(dispatched=False, message=message or "XXno error message in the response bodyXX")',
        'outcome = Outcome(dispatched=False, message=message or "NO ERROR MESSAGE IN THE RESPONSE BODY")',
    ),
    *each(
        "x_remaining_deadline",
        LATER_DEADLINE,
        "return time.monotonic() + max(1.0, budget_s - spent_s)",
        "return time.monotonic() + max(0.0, budget_s + spent_s)",
    ),
    *each(
        "xǁScriptPipelineǁ_findings",
        NO_FINDINGS,
        "script = None",
        "script = self.library.catalog.get(None, TOPIC)",
        "script = self.library.catalog.get(provider, None)",
    ),
    Equivalent(
        "xǁScriptPipelineǁbuild",
        "if provider != STANDARD or self.has(provider):",
        "differs only for provider _standard, which build gets only for an adapters folder's own _standard"
        " (the built-in one takes the Python fast path), and the contract suite cannot install a script",
    ),
    Equivalent(
        "xǁScriptPipelineǁ_built",
        "if not result.ok and result.request is None:",
        "a dispatch script's result is ok exactly when it carries a request (AdapterRuntime.run turns a value"
        " that is no valid request into an error), so the two conditions agree",
    ),
    Equivalent(
        "xǁScriptPipelineǁ_built",
        "logs = result.logs",
        "on the chained path, the only one the contract reaches (the other is for an own _standard), logs is"
        " the empty list build passes, so the sum is result.logs",
    ),
    *each(
        "xǁScriptPipelineǁ_built",
        NO_FINDINGS,
        "return ScriptBuild(request, logs=tuple(logs), )",
        "return ScriptBuild(request, logs=tuple(logs), findings=self._findings(None, order_bytes, request))",
    ),
    Equivalent(
        "xǁScriptPipelineǁ_built",
        "return ScriptBuild(request, findings=self._findings(provider, order_bytes, request))",
        "drops the scripts' context.log lines; no shipped dispatch script calls context.log",
    ),
    Equivalent(
        "xǁScriptPipelineǁbuild",
        "return self._built(None, order_bytes, chained, [])",
        "_built reads the provider only to look up its precision findings, and the shipped scripts never have"
        " one (property 5, the kit)",
    ),
    *each(
        "xǁScriptPipelineǁbuild",
        TWO_STEP,
        "if provider == STANDARD and self.has(provider):",
        "if provider != STANDARD and self.has(None):",
    ),
    Equivalent(
        "xǁScriptPipelineǁread",
        "return Reading(outcome, pos_reason(status, body, outcome), )",
        "drops interpret's context.log lines from the attempt; no shipped interpret logs anything",
    ),
    *each(
        "xǁScriptPipelineǁread",
        "only a 2xx reaches this return, and pos_reason reads the body only for a non-2xx",
        "return Reading(outcome, pos_reason(status, None, outcome), logs=tuple(result.logs))",
        "return Reading(outcome, pos_reason(status, None, outcome))",
    ),
)
