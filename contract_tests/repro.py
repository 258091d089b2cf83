"""A shell script that replays one example against a running sandbox, printed when the example fails.

Every setup call and every dispatch of a scenario is added as a ``curl`` step and handed to hypothesis's
``note()``, which prints the notes of the failing example (and only of that one) in the test report. The
script uses ``$CATA_URL``, ``$MOCK_URL`` and ``$KEY``, so it runs against ``cata-sandbox serve`` +
``mock-pos serve`` (or ``cata-sandbox up``) on any ports. Bodies keep their exact bytes: a heredoc when
the text survives one unchanged, otherwise base64.
"""

from __future__ import annotations

import base64
import contextlib
from typing import Any

import msgspec
from hypothesis import note
from hypothesis.errors import InvalidArgument

PREAMBLE = (
    "# Reproduce against a running sandbox (cata-sandbox serve + mock-pos serve, or cata-sandbox up):\n"
    "#   export CATA_URL=http://127.0.0.1:8700 MOCK_URL=http://127.0.0.1:8701 KEY=<the sandbox API key>"
)
_HEREDOC_END = "CATA_ORDER_EOF"
_JSON = "-H 'Content-Type: application/json'"
_AUTH = '-H "X-Api-Key: $KEY"'


def shell_quote(text: str) -> str:
    """``text`` as one single-quoted shell word."""
    return "'" + text.replace("'", "'\\''") + "'"


def shell_json(value: Any, variables: dict[str, str]) -> str:
    """Compact JSON as a shell word; each text in ``variables`` becomes an expansion of its shell variable.

    ``{"url": "http://127.0.0.1:41234/x"}`` with ``{"http://127.0.0.1:41234": "MOCK_URL"}`` gives
    ``'{"url":"'"$MOCK_URL"'/x"}'``, so the step runs against the reader's servers, not the test's.
    """
    word = shell_quote(msgspec.json.encode(value).decode("utf-8"))
    for text, variable in sorted(variables.items(), key=lambda item: -len(item[0])):
        if text:
            word = word.replace(text, f"'\"${variable}\"'")
    return word


def body_step(command: str, body: bytes) -> str:
    """``command`` reading ``body`` from stdin, byte for byte."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    exact = f"printf %s {base64.b64encode(body).decode('ascii')} | base64 -d | {command} --data-binary @-"
    if text is None or "\r" in text or "\x00" in text or _HEREDOC_END in text:
        return exact
    # A heredoc adds one newline after the last line: JSON whitespace after the envelope, harmless.
    return (
        f"{command} --data-binary @- <<'{_HEREDOC_END}'\n{text}\n{_HEREDOC_END}\n"
        f"# the same bytes without the heredoc's final newline:\n# {exact}"
    )


class Steps:
    """The curl steps of one scenario, each also passed to hypothesis's ``note``.

    The test's own URLs, API key and webhook secret are written as ``$CATA_URL``, ``$MOCK_URL``, ``$KEY``
    and ``$SECRET``.
    """

    def __init__(self, cata_url: str = "", mock_url: str = "", api_key: str = "") -> None:
        self.lines: list[str] = []
        self.variables = {cata_url: "CATA_URL", mock_url: "MOCK_URL", api_key: "KEY"}

    def _add(self, line: str) -> None:
        if not self.lines:
            self._emit(PREAMBLE)
        self.lines.append(line)
        self._emit(line)

    @staticmethod
    def _emit(text: str) -> None:
        # Outside a hypothesis test (a plain pytest test or a helper) there is nothing to report to.
        with contextlib.suppress(InvalidArgument):
            note(text)

    def _json(self, value: Any) -> str:
        return shell_json(value, self.variables)

    def script(self) -> str:
        return "\n".join([PREAMBLE, *self.lines])

    def register_webhook(self, registration: dict[str, Any]) -> None:
        self._add(
            f'SECRET=$(curl -sS -X POST "$CATA_URL/api/v1/webhooks/register" {_AUTH} {_JSON} '
            f"-d {self._json(registration)} "
            '| python3 -c \'import json,sys; print(json.load(sys.stdin)["webhook"]["secret"])\')'
        )

    def configure_receiver(self, receiver: str, config: dict[str, Any], secret: str) -> None:
        self.variables[secret] = "SECRET"
        self._add(f'curl -sS -X PUT "$MOCK_URL/__admin/receivers/{receiver}" {_JSON} -d {self._json(config)}')

    def put_outlet_provider(self, outlet_id: str, body: dict[str, Any]) -> None:
        self._add(
            f'curl -sS -X PUT "$CATA_URL/api/v1/outlet-providers/{outlet_id}" {_AUTH} {_JSON} '
            f"-d {self._json(body)}"
        )

    def add_fault(self, spec: dict[str, Any]) -> None:
        self._add(f'curl -sS -X POST "$MOCK_URL/__admin/faults" {_JSON} -d {self._json(spec)}')

    def dispatch(self, body: bytes) -> None:
        self._add(body_step(f'curl -sS -X POST "$CATA_URL/api/v1/orders/dispatch" {_AUTH} {_JSON}', body))

    def redispatch(self, order_id: str) -> None:
        self._add(
            f"# ORDER_ID=<the orderId the dispatch above answered; in this run {order_id}>\n"
            f'curl -sS -X POST "$CATA_URL/api/v1/orders/$ORDER_ID/redispatch" {_AUTH}'
        )
