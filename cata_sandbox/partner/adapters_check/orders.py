"""Generated orders through the pipeline to a mock, its copy read back and compared field by field.

Two hypothesis runs with the same seed: a survey (generation only, nothing raised) that scores every
property on every example, then, if a property broke, a run that raises on that property so hypothesis
shrinks the order; the last failing call is the minimal order.
"""

from __future__ import annotations

import contextlib
import copy
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import msgspec
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as hypothesis_seed

from cata_sandbox.adapters import precision_findings
from cata_sandbox.adapters.precision import MINOR_UNITS
from cata_sandbox.partner.adapters_check.compare import FIELD_PROPERTIES, differences
from cata_sandbox.partner.adapters_check.harness import Harness, Sent
from cata_sandbox.partner.adapters_check.report import Report, curl
from cata_sandbox.partner.adapters_check.views import MockProfile
from cata_sandbox.pipeline import TRANSFORMER_FAILED
from contract_tests.strategies import orders
from mock_pos.client import MockAdmin

__all__ = ["ORDER_PROPERTIES", "Checked", "OrderCheck"]

ORDER_PROPERTIES = ("script runs", "mock accepts", *FIELD_PROPERTIES, "precision")
_EXACT = msgspec.json.Encoder(decimal_format="number")


@dataclass
class Checked:
    raw: bytes
    sent: Sent
    failures: dict[str, str] = field(default_factory=dict)
    findings: list[str] = field(default_factory=list)
    judged: tuple[str, ...] = ()


def script_error(sent: Sent) -> str:
    """The script's error without the pipeline's ``transformer failed:`` prefix."""
    return sent.error.removeprefix(TRANSFORMER_FAILED)


class _Broken(Exception):
    pass


class OrderCheck:
    def __init__(
        self,
        harness: Harness,
        profile: MockProfile,
        admin: MockAdmin,
        mock_url: str,
        provider: str,
        progress: Callable[[str], None],
    ) -> None:
        self.harness, self.profile, self.admin, self.provider = harness, profile, admin, provider
        self.mock_url = mock_url
        self.progress = progress
        self.base = profile.connect(admin, mock_url)
        self.count = itertools.count(1)
        self.accepted: bytes | None = None  # a known-good order, for the fault modes

    def input(self, raw: bytes) -> dict[str, Any]:
        return {**self.base, "orderId": f"kit-{next(self.count)}", "payload": msgspec.Raw(raw)}

    def one(self, order: dict[str, Any]) -> Checked:
        order = self.profile.prepare(copy.deepcopy(order))
        raw = _EXACT.encode(order)
        before = len(self.profile.held(self.admin))
        input = self.input(raw)
        sent = self.harness.dispatch(self.provider, input, raw)
        checked = Checked(raw, sent)
        if sent.error:
            checked.failures["script runs"] = f"the script failed: {script_error(sent)}"
            checked.judged = ("script runs",)
            return checked
        new = self.profile.held(self.admin)[before:]
        judged = ["script runs", "mock accepts"]
        if not sent.dispatched or len(new) != 1:
            why = sent.reason or f"the mock answered as a success but holds {len(new)} new orders"
            checked.failures["mock accepts"] = why
            checked.judged = tuple(judged)
            return checked
        self.accepted = self.accepted or raw
        exact = json.loads(raw, parse_float=Decimal)
        places = MINOR_UNITS.get(str(exact.get("currency", "")), 2)
        for difference in differences(
            self.profile.cata_view(exact, input["orderId"]), self.profile.pos_view(new[0], exact), places
        ):
            checked.failures.setdefault(difference.prop, str(difference))
        judged += FIELD_PROPERTIES
        script = self.harness.catalog.get(self.provider, "order_dispatch")
        request = sent.request
        if script is not None and script.prices and request is not None and request.body is not None:
            checked.findings = [str(f) for f in precision_findings(raw, request.body, script.prices)]
            judged.append("precision")
            if checked.findings:
                checked.failures["precision"] = checked.findings[0]
        checked.judged = tuple(judged)
        return checked

    def _settings(self, examples: int, phases: list[Phase]) -> settings:
        return settings(
            max_examples=examples,
            database=None,
            deadline=None,
            phases=phases,
            verbosity=Verbosity.quiet,
            suppress_health_check=list(HealthCheck),
        )

    def survey(self, report: Report, examples: int, seed: int) -> None:
        for name in ORDER_PROPERTIES:
            report.prop("orders", name)
        done = itertools.count(1)

        @hypothesis_seed(seed)
        @self._settings(examples, [Phase.generate])
        @given(order=orders(self.profile.shape))
        def run(order: dict[str, Any]) -> None:
            checked = self.one(order)
            for name in checked.judged:
                report.prop("orders", name).record(
                    name not in checked.failures, checked.failures.get(name, "")
                )
            for finding in checked.findings:
                if finding not in report.precision:
                    report.precision.append(finding)
            sent = checked.sent
            if sent.error and script_error(sent) not in report.script_errors:
                report.script_errors.append(script_error(sent))
            if not sent.error:
                report.walls.append(sent.wall)
                report.cpus.append(sent.worker_cpu)
            number = next(done)
            if number % 10 == 0 or number == examples:
                broken = sum(1 for p in report.properties if not p.ok)
                self.progress(f"orders: {number}/{examples} sent, {broken} properties broken so far")

        run()

    def shrink(self, report: Report, examples: int, seed: int) -> None:
        broken = next((p for p in report.properties if p.group == "orders" and not p.ok), None)
        if broken is None:
            return
        self.progress(f"orders: shrinking the first order that breaks {broken.name!r}")
        last: list[Checked] = []

        @hypothesis_seed(seed)
        @self._settings(examples, [Phase.generate, Phase.shrink])
        @given(order=orders(self.profile.shape))
        def run(order: dict[str, Any]) -> None:
            checked = self.one(order)
            if broken.name in checked.failures:
                last.append(checked)
                raise _Broken

        # Raises the minimal example's failure, replayed last (or hypothesis's Flaky).
        with contextlib.suppress(Exception):
            run()
        if not last:
            report.shrunk = {"property": broken.name, "order": None, "why": "the failure did not recur"}
            return
        minimal = last[-1]
        request = minimal.sent.request
        report.shrunk = {
            "property": broken.name,
            "order": minimal.raw.decode(),
            "why": minimal.failures[broken.name],
            "curl": curl(request) if request is not None else None,
        }
