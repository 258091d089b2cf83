"""``cata-sandbox check-receiver``: certify a partner's webhook receiver with deliveries as Cata sends them.

Some deliveries are correct and must be accepted; some are forged, tampered or unsigned and must be
refused, by the dispatch engine's own reading of an answer. Each check is named and passes, passes with a
warning, fails or was not run, and says why with the receiver's status, body and latency.
:mod:`~cata_sandbox.partner.check_receiver.runner` sends,
:mod:`~cata_sandbox.partner.check_receiver.judge` decides, :mod:`~cata_sandbox.partner.check_receiver.report`
shows.
"""

from __future__ import annotations

from cata_sandbox.partner.check_receiver.bodies import (
    ascii_escaped,
    non_ascii_order,
    tamper_one_byte,
    unusual_json,
)
from cata_sandbox.partner.check_receiver.model import Answer, Certification, CheckResult, Verdict
from cata_sandbox.partner.check_receiver.report import json_document, junit_xml, summary_line, write_junit
from cata_sandbox.partner.check_receiver.runner import CHECKS, ReceiverChecker, check_receiver

__all__ = [
    "CHECKS",
    "Answer",
    "Certification",
    "CheckResult",
    "ReceiverChecker",
    "Verdict",
    "ascii_escaped",
    "check_receiver",
    "json_document",
    "junit_xml",
    "non_ascii_order",
    "summary_line",
    "tamper_one_byte",
    "unusual_json",
    "write_junit",
]
