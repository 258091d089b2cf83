"""Source lines no contract property can observe by design: :data:`OUT_OF_SCOPE`, each with its reason.

mutmut never mutates them: ``[tool.mutmut] do_not_mutate_patterns`` holds exactly these patterns (a project
test keeps the two equal and each pattern on one line); mutmut skips the expressions that start on a matched
line, so a block out of scope names each of its lines. ``mutation_report`` prints them with every report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class OutOfScope:
    """Source lines of ``function`` (mutmut's name) that mutmut does not mutate at all, and why no contract
    property can observe them. ``pattern`` is the regular expression in ``[tool.mutmut]
    do_not_mutate_patterns``; each must match exactly one line of the mutated modules (a project test)."""

    function: str
    pattern: str
    reason: str


def _lines(function: str, reason: str, *lines: str) -> tuple[OutOfScope, ...]:
    """One entry per source line (given with its indentation, matched whole): mutmut skips the expressions
    that start on a matched line, never a whole block, so a block out of scope names each of its lines."""
    return tuple(
        OutOfScope(function, "^" + re.escape(line).replace("\\ ", " ") + "$", reason) for line in lines
    )


WHICH_SENDER = (
    "picks which of the service's two senders carries a request (aiohttp directly, or httpx for any other"
    " transport and when proxy variables are set); both put the same request on the wire and read the"
    " answer alike (property 10 holds the httpx one to the seed; mutmut showed `or value`, always httpx,"
    " surviving every property), so the choice is invisible to the contract"
)
PROXIED = (
    "only the proxied branch sends with the client (proxy variables in the service's environment, which"
    " would redirect the suite's own clients too); the others read only its User-Agent, which the seed"
    " does not fix and Path 1 sets explicitly"
)
POLICY = (
    "callback_policy public-only refuses loopback and private addresses, where every contract server runs,"
    " so the suite runs allow-private, under which the check returns at once; tests/net covers the policy"
)
PLUGIN = (
    "the Python-plugin transformer's branch (entry points `cata_sandbox.transformers`): this project registers"
    " none, and a provider with a dispatch script is run by its script, so every Path 2 dispatch of the"
    " contract suite takes the scripted branch; tests/engine (test_transformer_registry, the echo plugin)"
    " covers plugins"
)
OWN_STANDARD = (
    "Path 1's request from an adapters folder's own _standard script (and build's path for it: a provider"
    " with a script is always built chained, in one worker message): with the built-in"
    " _standard the engine takes the Python fast path (delivery.webhook_request, measured), and the contract"
    " suite cannot install a script; tests/engine/test_standard_script.py covers it"
)
CONTEXT_HTTP = (
    "context.http for scripts: no shipped script calls context.http, and the contract"
    " suite cannot install one that does; tests/adapters (hostile, runtime) cover it"
)
INBOUND = (
    "the inbound status flow's script call: a POS's status webhook, not a dispatch"
    " guarantee of the seed (which only links to it); tests/fulfilment covers it"
)
SCRIPT_INTERPRET = (
    "interpret(response) itself failing (it throws, returns no object or no boolean `dispatched`):"
    " the shipped scripts' interpret reads every answer the suite sends (property 3's bodies, the 2xx"
    " tables; a throw would turn the seed's reason into `transformer failed: interpret: ...` and fail"
    " them), so only an adapters folder's script reaches it; tests/adapters covers it"
)
EMPTY_URL = (
    "a script that returned an empty url: each shipped script throws when its baseUrl is unset and appends"
    " a path to it, so its url is never empty (a throw is `transformer failed: ...`, property 2's failing"
    " script); only an adapters folder's script reaches this"
)
FINDINGS = (
    "the attempt's precisionFindings (a script that changed a price): the shipped scripts carry every price"
    " exactly (property 5; the kit checks `no precision finding`), so the contract suite never sees one;"
    " tests/adapters (precision) and the kit's own tests cover findings"
)
OAUTH_REFRESH = (
    "a 401 to a connection with a refreshable OAuth token (ADR 0006) refreshes the token and sends once"
    " more: the sandbox's own, the seed names no OAuth, and no connection of the contract suite has a"
    " refreshable token; tests/fulfilment/test_lightspeed_service.py and tests/mock_pos (Lightspeed's OAuth)"
    " cover it"
)
IDEMPOTENCY_KEY = (
    "claiming the dispatch request's Idempotency-Key (README, Idempotency) in the order's transaction: the"
    " sandbox's own, the seed's idempotency is the X-Cata-Delivery-ID per attempt, and no contract property"
    " sends the header; tests/engine/test_idempotency.py covers it"
)
LOG_LINE = (
    "the dispatch's one log line (and what each dispatch passes to it): operator output on the service's"
    " logger, no part of the HTTP API the contract suite drives"
)
OUT_OF_SCOPE: tuple[OutOfScope, ...] = (
    OutOfScope("xǁSenderǁ__init__", r'callback_policy: CallbackPolicy = "allow-private",', POLICY),
    OutOfScope("xǁSenderǁ__init__", r"self\.callback_policy = callback_policy", POLICY),
    OutOfScope("xǁSenderǁexchange", r"if self\.callback_policy == netpolicy\.PUBLIC_ONLY:", POLICY),
    OutOfScope(
        "xǁSenderǁexchange", r"await netpolicy\.check_destination\(url, self\.callback_policy\)", POLICY
    ),
    OutOfScope(
        "xǁSenderǁexchange", r"status, error, failure = None, str\(exc\), FailureKind\.NOT_SENT", POLICY
    ),
    OutOfScope(
        "xǁSenderǁexchange",
        r'status, error, failure = None, f"invalid URL: \{exc\}", FailureKind\.NOT_SENT',
        "registration refuses a callbackUrl that is no http(s) URL (check_callback, a 400), and a transformer"
        " builds its URL from a base URL checked the same way, so no dispatch reaches the sender with one",
    ),
    OutOfScope(
        "x__environment_proxies",
        r'name\.lower\(\) in \("http_proxy", "https_proxy", "all_proxy"\)',
        WHICH_SENDER,
    ),
    OutOfScope("x__environment_proxies", r"for name, value in os\.environ\.items\(\)", WHICH_SENDER),
    OutOfScope(
        "xǁSenderǁ__init__",
        r"self\._transport = None if _environment_proxies\(\) else transport",
        WHICH_SENDER,
    ),
    OutOfScope(
        "xǁSenderǁ__init__",
        r"self\._direct = self\._transport if isinstance\(self\._transport, AiohttpTransport\)",
        WHICH_SENDER,
    ),
    OutOfScope("x_outbound_client", r"^ {8}transport=transport,$", PROXIED),
    OutOfScope("x_outbound_client", r"timeout=httpx\.Timeout\(budget_s\),", PROXIED),
    OutOfScope("x_outbound_client", r"^ {8}follow_redirects=False,$", PROXIED),
    OutOfScope("x_outbound_client", r'headers=\{"User-Agent": USER_AGENT\},', PROXIED),
    OutOfScope("xǁSenderǁ_send_httpx", r"if self\._transport is None:", WHICH_SENDER),
    OutOfScope("xǁSenderǁ_send_httpx", r"request = self\.client\.build_request\(", PROXIED),
    OutOfScope("xǁSenderǁ_send_httpx", r"response = await self\.client\.send\(", PROXIED),
    OutOfScope("xǁDispatcherǁredispatch", r"order=decode_dispatch_order\(stored\.body\),", PLUGIN),
    OutOfScope("xǁDispatcherǁ_route", r"transformer = self\.registry\.get\(request\.transformer\)", PLUGIN),
    OutOfScope(
        "xǁDispatcherǁ_route",
        r"if transformer is None or mapping is None or mapping\.provider_slug != request\.transformer:",
        PLUGIN,
    ),
    OutOfScope(
        "xǁDispatcherǁ_route",
        r"built = plugin_request\(transformer, mapping\.settings, request\.order, order\)",
        PLUGIN,
    ),
    OutOfScope(
        "xǁDispatcherǁ_route",
        r"return built if isinstance\(built, str\) else Routed\(transformer\.slug, \*built\)",
        PLUGIN,
    ),
    OutOfScope("xǁDispatcherǁ_send", r"transformer = self\.registry\.get\(route\)", PLUGIN),
    OutOfScope("xǁDispatcherǁ_send", r"assert transformer is not None", PLUGIN),
    OutOfScope("xǁDispatcherǁ_send", r"if 200 <= exchange\.status < 300:", PLUGIN),
    OutOfScope(
        "xǁDispatcherǁ_send", r"reason = pos_reason\(exchange\.status, exchange\.body, outcome\)", PLUGIN
    ),
    OutOfScope(
        "xǁDispatcherǁ_send",
        r"^ {16}outcome = transformer\.interpret_response\(exchange\.status, exchange\.headers, exchange\.body\)$",
        PLUGIN,
    ),
    OutOfScope("xǁDispatcherǁ_send", r"^ {16}outcome = Outcome\(dispatched=False\)$", PLUGIN),
    *_lines(
        "xǁScriptPipelineǁread",
        SCRIPT_INTERPRET,
        "        if not result.ok:",
        "            failed = Outcome(dispatched=False)",
        "                failed,",
        '                TRANSFORMER_FAILED + f"interpret: {result.error}",',
        "                str(result.error),",
        "                tuple(result.logs),",
        "        value = result.value if isinstance(result.value, dict) else {}",
        "        if not isinstance(dispatched, bool):",
        '            message = "interpret(response) must return {dispatched: true|false, message?, externalOrderId?}"',
        "                Outcome(dispatched=False), TRANSFORMER_FAILED + message, message, tuple(result.logs)",
    ),
    *_lines(
        "x_standard_request",
        OWN_STANDARD,
        "    if built.body is not None:",
        "        return OutboundRequest(",
        "    base = webhook_request(built.url, order_bytes, signature, event=event, timestamp=timestamp)",
        "    headers = dict(built.headers)",
        "    for name, value in base.headers.items():",
        "        if name in _CATA_HEADERS or name == SIGNATURE_HEADER:",
        "            headers[name] = value",
        "            headers.setdefault(name, value)",
        "    return OutboundRequest(method=built.method, url=built.url, headers=headers, body=order_bytes)",
    ),
    *_lines("xǁSenderHttpǁ__init__", CONTEXT_HTTP, "        self.sender = sender"),
    *_lines(
        "xǁSenderHttpǁrequest",
        CONTEXT_HTTP,
        '        exchange = await self.sender.exchange(method, url, headers, body or b"", budget=timeout)',
        '            raise HostHttpFailed(exchange.error or "no answer")',
        "        return exchange.status, exchange.headers, exchange.body",
    ),
    *_lines(
        "xǁScriptPipelineǁcall",
        INBOUND,
        '        self, provider: str, topic: str, input: bytes, *, deadline: float, function: str = "transform"',
        "        return await self.runtime.run(provider, topic, input, deadline=deadline, function=function)",
    ),
    *_lines(
        "xǁScriptPipelineǁbuild",
        OWN_STANDARD,
        "        standard = await self.runtime.run(STANDARD, TOPIC, _encoder.encode(call), deadline=deadline)",
        "        if not standard.ok:",
        "            return _failed(standard, [])",
        "        logs = list(standard.logs)",
        "        if provider == STANDARD:",
        "            return ScriptBuild(standard.request, logs=tuple(logs))",
        '        call["standard"] = msgspec.Raw(standard.text)',
        "        result = await self.runtime.run(provider, TOPIC, _encoder.encode(call), deadline=deadline)",
        "        return self._built(provider, order_bytes, result, logs)",
    ),
    *_lines(
        "xǁScriptPipelineǁ_built",
        EMPTY_URL,
        '        if request.url == "":',
        '            return ScriptBuild(None, TRANSFORMER_FAILED + "script returned an empty url", tuple(logs))',
    ),
    *_lines(
        "xǁScriptPipelineǁ_findings",
        FINDINGS,
        "        if script is None or not script.prices or request.body is None:",
        "            found = precision_findings(order_bytes, request.body, script.prices)",
        '                "orderPath": f.order_path,',
        '                "bodyPath": f.body_path,',
        '                "order": f.order_text,',
        '                "expected": str(f.expected),',
        '                "received": f.received,',
        '                "message": str(f),',
    ),
    *_lines(
        "xǁDispatcherǁ_log",
        LOG_LINE,
        "        log_dispatch(log, order, route, dispatched, reason, (self.clock.monotonic() - started) * 1000)",
        "            self._log(order, None, False, reason, started)",
        "            self._log(stored, None, False, routed, started)",
        "        self._log(order, route, outcome.dispatched, reason, started)",
    ),
    *_lines(
        "xǁDispatcherǁ_deliver",
        OAUTH_REFRESH,
        "        if outgoing is None and attempt.response_status == 401 and refreshable(_config(call)):",
        "            again = Routed(route, None, secrets, call)",
        "            outcome, reason, attempt, _, _ = await self._attempt(order, again, started, force=True)",
    ),
    *_lines(
        "xǁDispatcherǁ_persist_in",
        IDEMPOTENCY_KEY,
        "            await claim_in(self.store, conn, order, claim)",
        "        await claim_in(self.store, conn, order, claim)",
    ),
    *_lines(
        "xǁDispatcherǁ_route",
        OWN_STANDARD,
        "                call = standard_call(order, hook.callback_url, signature, timestamp)",
        "                return Routed(WEBHOOK_ROUTE, None, [hook.secret], call)",
    ),
    *_lines(
        "xǁDispatcherǁ_route",
        PLUGIN,
        "        mapping = await self.store.outlet_provider_for(conn, order.tenant_id, order.outlet_id)",
    ),
)
