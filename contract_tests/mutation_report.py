"""The mutation score of the contract suite: what ``mutmut run`` (``nox -s mutation``) killed and what survived.

Reads mutmut's results in ``mutants/``, prints killed / survived / timed out / no tests per module and
overall, the score over the mutants in scope, and each survivor's diff. Two lists keep mutants out of the
score, each entry with its reason, and both are printed with every report:

* :data:`OUT_OF_SCOPE` — source lines no contract property can observe by design; they are never mutated
  (``[tool.mutmut] do_not_mutate_patterns`` holds exactly these patterns);
* :data:`EQUIVALENT` — a survivor that behaves exactly like the original (matched by its function and
  its changed line, so renumbering does not lose it).

Every other survivor is a gap in the suite. Exits 1 below :data:`TARGET`.
"""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

TARGET = 0.90
RESULT_LINE = re.compile(r"^\s*(?P<name>\S+__mutmut_\d+): (?P<status>.+)$")
# What a run leaves that is not a kill; "not checked" (an interrupted run) is reported, never judged.
NOT_KILLED = ("survived", "timeout", "no tests", "suspicious", "segfault")
COLUMNS = ("killed", "survived", "timeout", "no tests", "equivalent", "out of scope", "not checked")


@dataclass(frozen=True, slots=True)
class Equivalent:
    """A mutant that behaves exactly like the original: ``function`` (mutmut's ``x_<name>``) with
    ``changed`` (the mutated line, stripped) as its new line."""

    function: str
    changed: str
    reason: str


@dataclass(frozen=True, slots=True)
class OutOfScope:
    """Source lines of ``function`` (mutmut's name) that mutmut does not mutate at all, and why no contract
    property can observe them. ``pattern`` is the regular expression in ``[tool.mutmut]
    do_not_mutate_patterns``; each must match exactly one line of the mutated modules (a project test)."""

    function: str
    pattern: str
    reason: str


READ_TO_THE_CAP = (
    "the loop only decides when to stop reading; the answer is cut to the cap by the slice after it"
    " whatever it read, so the outcome is the same (only an endless body would tell, and the budget ends it)"
)
NO_KIND = (
    "the failure kind is read by check-receiver only (tests/partner); the dispatch service records and"
    " answers nothing of it, so for the service under contract the mutant is the original"
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
)


@dataclass(frozen=True, slots=True)
class Survivor:
    name: str
    status: str
    diff: str

    @property
    def module(self) -> str:
        return self.name.split(".x", 1)[0]

    @property
    def function(self) -> str:
        return self.name.rsplit(".", 1)[-1].split("__mutmut_")[0]

    def _first(self, sign: str) -> str:
        lines = [
            line[1:].strip()
            for line in self.diff.splitlines()
            if line.startswith(sign) and not line.startswith(sign * 3)
        ]
        return lines[0] if lines else ""

    @property
    def changed(self) -> str:
        return self._first("+")

    @property
    def original(self) -> str:
        return self._first("-")

    @property
    def original_line(self) -> str:
        """The first removed line as it stands in the source (indentation kept, for anchored patterns)."""
        lines = [
            row[1:] for row in self.diff.splitlines() if row.startswith("-") and not row.startswith("---")
        ]
        return lines[0] if lines else ""

    def out_of_scope(self) -> OutOfScope | None:
        """The entry whose pattern matches the mutated line: mutmut skips those lines, so this happens
        only with results from before the pattern was added (a ``mutants/`` that was not regenerated)."""
        return next((o for o in OUT_OF_SCOPE if re.search(o.pattern, self.original_line)), None)

    def equivalent(self) -> Equivalent | None:
        return next((e for e in EQUIVALENT if (e.function, e.changed) == (self.function, self.changed)), None)


def _mutmut(*args: str) -> str:
    return subprocess.run(["mutmut", *args], capture_output=True, text=True, check=True).stdout


def statuses() -> dict[str, str]:
    """Every mutant's status from ``mutmut results --all true``."""
    found = {}
    for line in _mutmut("results", "--all", "true").splitlines():
        match = RESULT_LINE.match(line)
        if match:
            found[match["name"]] = match["status"]
    return found


def _diff(name: str) -> str:
    """mutmut's diff of one mutant, read in this process (``mutmut show`` per survivor costs seconds each)."""
    try:
        diff_apply = importlib.import_module("mutmut.mutation.diff_apply")
        module = name.split(".x", 1)[0]
        return str(diff_apply.get_diff_for_mutant(name, path=Path(module.replace(".", "/") + ".py")))
    except (ImportError, AttributeError, OSError):
        return _mutmut("show", name)


def survivor(name: str, status: str) -> Survivor:
    shown = _diff(name).splitlines()
    diff = "\n".join(row for row in shown if row.startswith(("+", "-")) and row[:3] not in ("+++", "---"))
    return Survivor(name, status, diff)


def classify(found: dict[str, str], left: list[Survivor]) -> dict[str, Counter[str]]:
    """Per module (and ``all``), how many mutants fell in each of :data:`COLUMNS`."""
    verdict = {s.name: s for s in left}
    table: dict[str, Counter[str]] = defaultdict(Counter)
    for name, status in found.items():
        item = verdict.get(name)
        if item is not None and item.out_of_scope() is not None:
            column = "out of scope"
        elif item is not None and item.equivalent() is not None:
            column = "equivalent"
        elif status in ("suspicious", "segfault"):
            column = "survived"
        else:
            column = status
        for module in (name.split(".x", 1)[0], "all"):
            table[module][column] += 1
    return table


def score(counts: Counter[str]) -> tuple[int, int]:
    """Killed, and the mutants it is counted against: checked, in scope, not equivalent."""
    counted = sum(counts[c] for c in ("killed", "survived", "timeout", "no tests"))
    return counts["killed"], counted


def render(table: dict[str, Counter[str]]) -> list[str]:
    rows = ["| module | mutants | " + " | ".join(COLUMNS) + " | score |", "|---" * (len(COLUMNS) + 3) + "|"]
    for module in sorted(table, key=lambda m: (m == "all", m)):
        counts = table[module]
        killed, counted = score(counts)
        share = f"{killed / counted:.1%}" if counted else "-"
        cells = " | ".join(str(counts[c]) for c in COLUMNS)
        rows.append(f"| {module} | {sum(counts.values())} | {cells} | {share} |")
    return rows


def main() -> int:
    found = statuses()
    left = [survivor(name, status) for name, status in sorted(found.items()) if status in NOT_KILLED]
    table = classify(found, left)
    killed, counted = score(table["all"])
    ratio = killed / counted if counted else 0.0
    print("\n".join(render(table)))
    print(
        f"\nscore {killed}/{counted} = {ratio:.1%} of the checked, in-scope, non-equivalent mutants killed"
        f" (target {TARGET:.0%})"
    )
    print("\nnot mutated (do_not_mutate_patterns), out of the contract's reach:")
    for entry in OUT_OF_SCOPE:
        print(f"  {entry.function} /{entry.pattern}/: {entry.reason}")
    for item in left:
        if (scope := item.out_of_scope()) is not None:
            print(f"\nout of scope  {item.name} (stale result: regenerate mutants/): {scope.reason}")
        elif (reason := item.equivalent()) is not None:
            print(f"\nequivalent  {item.name}: {reason.reason}\n{item.diff}")
    for item in left:
        if item.out_of_scope() is None and item.equivalent() is None:
            print(f"\n{item.status.upper():<10}  {item.name}\n{item.diff}")
    return 0 if ratio >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
