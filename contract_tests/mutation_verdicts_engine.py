"""The engine's (``Dispatcher``'s) survivors: :data:`DISPATCHER_EQUIVALENT`, equivalent like those of
``mutation_verdicts``, and :data:`KNOWN_GAPS`, real survivors with why no property kills them yet (they stay
in the score as survivors). ``mutation_report`` reads both."""

from __future__ import annotations

from contract_tests.mutation_verdicts import NO_HEADERS_READ, Equivalent, each

REPLAY_ROUTE = (
    "a replay's route is found from the stored order (Dispatcher._route reads order.outlet_id and"
    " order.event), never from the request's copies, and nothing after the route reads them"
)
FIRST_FORCE = (
    "force makes fresh_config refresh a refreshable OAuth token (tokenUrl + refreshToken, ADR 0006) whatever"
    " its expiresAt says; fresh_config returns any other config unchanged, force or not, and no connection"
    " of the contract suite has one: OAuth refresh is the sandbox's own, not the seed's (its retry lines are"
    " out of scope, mutation_scope.OAUTH_REFRESH)"
)
OAUTH_ONLY = (
    "fresh_config reads the tenant, the provider, the budget and force only for a connection with a"
    " refreshable OAuth token (tokenUrl + refreshToken, ADR 0006) and returns any other config unchanged at"
    " once; no connection of the contract suite has one (OAuth refresh is the sandbox's own, not the seed's)"
)
REFRESH_FAILED_ONLY = (
    "fresh_config returns text (`OAuth token refresh failed: ...`) only when refreshing a connection's OAuth"
    " token failed (ADR 0006), and no connection of the contract suite has a refreshable token"
)
IDEMPOTENCY_KEY = (
    "the claim is the dispatch request's Idempotency-Key header (README, Idempotency), the sandbox's own:"
    " the seed's idempotency is the X-Cata-Delivery-ID per attempt; no contract property sends the header"
    " (its claim_in lines are out of scope, mutation_scope.IDEMPOTENCY_KEY); tests/engine/test_idempotency.py"
)
TWIN = (
    "with the built-in _standard script (the only one the suite has) the engine may build Path 1's request"
    " by the script or by its Python twin, delivery.webhook_request: the two give the same request (the"
    " same bytes and the five headers; tests/engine/test_standard_script.py holds them equal), so taking"
    " either branch is the same delivery"
)
INTERPRET_FLOOR = (
    "the interpret deadline: max(what is left of the budget, now + 0.25 s); the mutants give interpret 0.25 s"
    " always, or no floor; the shipped interpret scripts answer in about a millisecond, so only an answer"
    " arriving within the budget's last millisecond could tell, which no fault can aim at"
)
SCRIPTED_BUDGET = (
    "the Sender's budget on a scripted route (or the scripts' deadline): what is left of the dispatch budget"
    " differs from the whole budget by the milliseconds already spent (the persisting transaction, the"
    " scripts), and the over-budget reason states the configured budget either way; no timing property can"
    " tell milliseconds apart"
)
REDACTION = (
    "redacting a connection's secret values from a build's script error and logs is the sandbox's own"
    " (README, Secrets), not the seed's; no shipped script puts a secret in its error or logs, so only a"
    " property that plants one could tell"
)
SECRET_VALUES = (
    "which config values count as secret decides what an attempt's record shows as [redacted] (the POS request"
    " body, the response's headers and body, script errors and logs; auth headers go by name): the sandbox's"
    " own (README, Secrets), not the seed's; no property reads the recorded request body or has a POS echo a"
    " secret, so only one that does could tell (tests/api/test_secrets.py checks it end to end)"
)
FINDINGS = (
    "the attempt's precisionFindings null instead of []: the README's attempt shape, not the seed's, and no"
    " property reads the field (the shipped scripts carry every price exactly, so it is [] throughout)"
)
KNOWN_LIST_WORDING = (
    "the wording of the unknown-builtInTransformer 400's known list: the properties check a 400 in the error"
    " envelope naming `$.builtInTransformer`, not the sentence, which neither the seed nor the README fixes"
)
DISPATCHER_EQUIVALENT: tuple[Equivalent, ...] = (
    Equivalent(
        "x__config",
        'found = call.input.get("config") if (call is not None) or True else None',
        "_config is only called for a scripted route's call (the route's request is None), never with None",
    ),
    Equivalent(
        "x__config",
        "return found if (isinstance(found, dict)) or True else {}",
        "provider_call always puts a dict under input.config (the connection's config, or {})",
    ),
    Equivalent(
        "xǁDispatcherǁknown_providers",
        "scripted = self.scripts.providers() if (self.scripts is not None) or True else []",
        "the service always builds its ScriptPipeline (app.py); a Dispatcher without one is for embedders",
    ),
    *each(
        "xǁDispatcherǁ_send",
        "sent_attempt reads only the initial Reading's error and logs",
        'reading = Reading(None, "")',
        "reading = Reading(NOT_DISPATCHED, None)",
        'reading = Reading(NOT_DISPATCHED, "XXXX")',
    ),
    *each(
        "xǁDispatcherǁ_send",
        "the Sender gives every exchange without a status an error text",
        'reason = transport_reason(exchange.error or "XXunknown errorXX")',
        'reason = transport_reason(exchange.error or "UNKNOWN ERROR")',
    ),
    *each("xǁDispatcherǁredispatch", REPLAY_ROUTE, "outlet_id=None,", "event=None,"),
    *each(
        "xǁDispatcherǁ_deliver",
        FIRST_FORCE,
        "outcome, reason, attempt, call, secrets = await self._attempt(order, routed, started, force=True)",
        "outcome, reason, attempt, call, secrets = await self._attempt(order, routed, started, force=None)",
    ),
    Equivalent(
        "xǁDispatcherǁ_send",
        "await self._record(order, None, attempt)",
        "Dispatcher._record does not read its route argument (the attempt carries the route)",
    ),
    Equivalent(
        "xǁDispatcherǁ_send",
        "elif call is not None or self.scripts is not None:",
        "off the webhook route only a Python plugin's route has no script call, and the suite has none (the"
        " plugin branch is out of scope); the service always has its ScriptPipeline, so `and` and `or` agree",
    ),
    *each(
        "xǁDispatcherǁ_send",
        INTERPRET_FLOOR,
        "spent = self.clock.monotonic() + started",
        "time.monotonic() - INTERPRET_FLOOR_S,",
    ),
    Equivalent(
        "xǁDispatcherǁ_send",
        "route, exchange.status, None, exchange.body, deadline=deadline",
        NO_HEADERS_READ,
    ),
    *each(
        "xǁDispatcherǁ_attempt",
        OAUTH_ONLY,
        "None, call.provider, _config(call), budget=budget, force=force",
        "order.tenant_id, None, _config(call), budget=budget, force=force",
        "order.tenant_id, call.provider, _config(call), budget=None, force=force",
        "order.tenant_id, call.provider, _config(call), budget=budget, force=None",
        "order.tenant_id, call.provider, _config(call), budget=budget, )",
    ),
    Equivalent(
        "xǁDispatcherǁ_attempt",
        "spent = self.clock.monotonic() + started",
        OAUTH_ONLY
        + "; the scripts' deadline is built from budget + spent, the configured budget whatever spent is",
    ),
    *each(
        "xǁDispatcherǁ_attempt",
        REFRESH_FAILED_ONLY,
        "built = None",
        "built = ScriptBuild(None, None)",
        "built = ScriptBuild(config)",
        "built = ScriptBuild(None, )",
        "attempt = None",
        'attempt = replace(None, script_error="")',
        "attempt = replace(attempt, script_error=None)",
        'attempt = replace(script_error="")',
        "attempt = replace(attempt, )",
        'attempt = replace(attempt, script_error="XXXX")',
    ),
    Equivalent(
        "xǁDispatcherǁ_attempt",
        "await self._record(order, None, attempt)",
        "Dispatcher._record does not read its route argument (the attempt carries the route)",
    ),
    Equivalent(
        "xǁDispatcherǁ_attempt",
        "outgoing = script_outgoing(built.request, call, None, secret_values)",
        "script_outgoing reads the order bytes only for an adapters folder's own _standard script (Path 1"
        " built by a script); the built-in one takes the Python fast path and the suite cannot install one",
    ),
    Equivalent(
        "xǁDispatcherǁ_persist",
        "return await self.store.transaction(self._persist_in, order, request, None)",
        IDEMPOTENCY_KEY,
    ),
    *each(
        "xǁDispatcherǁ_route",
        TWIN,
        "if self.scripts is not None or not self.scripts.standard_is_builtin():",
        "if self.scripts is None and not self.scripts.standard_is_builtin():",
        "if self.scripts is not None and self.scripts.standard_is_builtin():",
    ),
    Equivalent(
        "xǁDispatcherǁ_route",
        "if self.scripts is not None or self.scripts.has(request.transformer):",
        "the service always has its ScriptPipeline, so `or` differs only for a Python plugin's slug, and the"
        " suite has none (dispatch refuses an unknown builtInTransformer before routing)",
    ),
    Equivalent(
        "xǁDispatcherǁ_persist_in",
        'return routed, "XXXX"',
        "Dispatcher.dispatch reads the reason only when there is no route (routed is None)",
    ),
    *each(
        "xǁDispatcherǁdispatch",
        "the service always has providers (the shipped scripts: revel, lightspeed, atlas), so the joined"
        " list is never empty and the `none` fallback is never used",
        'known = ", ".join(self.known_providers()) or "XXnoneXX"',
        'known = ", ".join(self.known_providers()) or "NONE"',
    ),
    *each(
        "xǁDispatcherǁdispatch",
        IDEMPOTENCY_KEY,
        "outbound, reason = await self._persist(order, request, None)",
        "outbound, reason = await self._persist(order, request, )",
        "if claim is not None:",
        "raise KeyAlreadyClaimed(None) from exc",
    ),
    *each(
        "xǁDispatcherǁ__init__",
        "the Sender's callback_policy defaults to allow-private, what the suite runs (public-only refuses"
        " the loopback addresses every contract server has; mutation_scope.POLICY)",
        "callback_policy=None,",
        ")",
    ),
    Equivalent(
        "xǁDispatcherǁ__init__",
        "self.client = None",
        "Dispatcher.client is stored and never read (the Sender holds the client)",
    ),
    *each(
        "xǁDispatcherǁ__init__",
        OAUTH_ONLY.replace("fresh_config reads", "the TokenKeeper reads"),
        "self.tokens = TokenKeeper(None, self.sender, clock)",
        "self.tokens = TokenKeeper(store, None, clock)",
    ),
    Equivalent(
        "xǁDispatcherǁ__init__",
        "transport=None,",
        "without the given transport the Sender sends through the client (httpx), whose transport is the same"
        " aiohttp one: the choice of sender, invisible to the contract (mutation_scope.WHICH_SENDER)",
    ),
)
KNOWN_GAPS: tuple[Equivalent, ...] = (
    *each(
        "x_secret_config_values",
        SECRET_VALUES,
        "return [str(None) for k, v in config.items() if _SECRET_KEY.search(k) and isinstance(v, (str, int))]",
        "return [str(v) for k, v in config.items() if _SECRET_KEY.search(k) or isinstance(v, (str, int))]",
    ),
    Equivalent(
        "xǁScriptPipelineǁ_built", "return ScriptBuild(request, logs=tuple(logs), findings=None)", FINDINGS
    ),
    *each(
        "xǁDispatcherǁ_send",
        SCRIPTED_BUDGET,
        "budget = None",
        "None if (call is None) and False else self.settings.dispatch_timeout_s - (self.clock.monotonic() - started)",
        "None if (call is None) or True else self.settings.dispatch_timeout_s - (self.clock.monotonic() - started)",
        "None if call is not None else self.settings.dispatch_timeout_s - (self.clock.monotonic() - started)",
        "None if call is None else self.settings.dispatch_timeout_s + (self.clock.monotonic() - started)",
        "outgoing.method, outgoing.url, headers, outgoing.body, budget=None",
        "outgoing.method, outgoing.url, headers, outgoing.body, )",
    ),
    *each(
        "xǁDispatcherǁ_attempt",
        SCRIPTED_BUDGET,
        "budget = self.settings.dispatch_timeout_s + spent",
        "deadline = remaining_deadline(budget - spent, self.clock.monotonic() - started)",
    ),
    *each(
        "xǁDispatcherǁ_attempt",
        REDACTION,
        "str(uuid.uuid4()), order, route, reason, redacted(built, None), self.clock.now()",
        "order, route, outgoing, secret_values, started, redacted(built, None), call",
    ),
    *each(
        "xǁDispatcherǁdispatch",
        KNOWN_LIST_WORDING,
        "known = None",
        'known = ", ".join(self.known_providers()) and "none"',
        'known = "XX, XX".join(self.known_providers()) or "none"',
    ),
)
