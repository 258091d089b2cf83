"""The shipped Revel dispatch script behind ``build_request`` / ``interpret_response``, for the Revel tests.

One runtime per test process (started on first use). ``build_request`` gives the request the engine
would send (``script_route.script_outgoing``: headers holding a credential are the secret ones) or
raises ``UnmappableOrder`` with the script's message (without the ``Error: `` and ``(at file:line)``).
"""

from __future__ import annotations

import atexit
import re
from typing import Any

import msgspec

from cata_sandbox.adapters import load_catalog
from cata_sandbox.classify import Outcome
from cata_sandbox.script_route import ScriptCall, script_outgoing
from cata_sandbox.transformers import OutboundRequest, UnmappableOrder
from tests.support.script_runtime import SyncRuntime

_WHERE = re.compile(r"^Error: (.*?)(?: \(at [^()]*\))?$", re.DOTALL)
_CREDENTIALS = ("baseUrl", "apiKey", "apiSecret")


class ScriptRevel:
    slug = "revel"

    def __init__(self) -> None:
        self._js: SyncRuntime | None = None

    @property
    def js(self) -> SyncRuntime:
        if self._js is None:
            self._js = SyncRuntime(load_catalog())
            atexit.register(self._js.close)
        return self._js

    def build_request(self, raw: bytes, settings: dict[str, Any], event: str) -> OutboundRequest:
        outlet = {k: v for k, v in settings.items() if k not in _CREDENTIALS}
        data = {
            "providerSlug": "revel",
            **{k: settings.get(k, "") for k in _CREDENTIALS},
            "payload": msgspec.Raw(raw),
            "event": event,
            "outlet": {"settings": outlet, "refCode": "OUT-1"},
        }
        result = self.js.run("revel", "order_dispatch", data)
        if result.request is None:
            message = str(result.error)
            found = _WHERE.match(message)
            raise UnmappableOrder(found.group(1) if found else message)
        secrets = [str(settings[k]) for k in ("apiKey", "apiSecret") if settings.get(k)]
        return script_outgoing(result.request, ScriptCall("revel", {}, event), raw, secrets)

    def interpret_response(self, status: int, headers: dict[str, str], body: bytes) -> Outcome:
        try:
            msgspec.json.decode(body)
            parsed: Any = msgspec.Raw(body)
        except (msgspec.DecodeError, UnicodeDecodeError):
            parsed = body.decode("utf-8", errors="replace")
        answer = {"statusCode": status, "headers": headers, "body": parsed}
        result = self.js.run("revel", "order_dispatch", answer, function="interpret")
        assert result.error is None, result.error
        value = result.value
        return Outcome(
            dispatched=bool(value["dispatched"]),
            message=str(value.get("message", "")),
            external_order_id=str(value.get("externalOrderId", "")),
        )


REVEL = ScriptRevel()
