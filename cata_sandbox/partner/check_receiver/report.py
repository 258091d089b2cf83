"""How a certification is shown: the summary line, the table, the JSON document and the JUnit XML report."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.table import Table

from cata_sandbox.clock import SYSTEM_CLOCK
from cata_sandbox.partner.check_receiver.model import Certification, CheckResult, Verdict, body_preview

SUITE_NAME = "cata-sandbox check-receiver"
LABELS = {Verdict.PASS: "PASS", Verdict.WARN: "WARN", Verdict.FAIL: "FAIL", Verdict.NOT_RUN: "NOT RUN"}


def _counted(count: int, singular: str, plural: str) -> str:
    return f"{count} {singular if count == 1 else plural}"


def summary_line(certification: Certification) -> str:
    """``7 passed, 1 failed, 1 warning``, then what failed or warned, or that the receiver passes."""
    passed, warned, failed, not_run = (
        certification.with_verdict(verdict)
        for verdict in (Verdict.PASS, Verdict.WARN, Verdict.FAIL, Verdict.NOT_RUN)
    )
    parts = [f"{len(passed)} passed"]
    if failed:
        parts.append(f"{len(failed)} failed")
    if warned:
        parts.append(_counted(len(warned), "warning", "warnings"))
    if not_run:
        parts.append(f"{len(not_run)} not run")
    line = ", ".join(parts)
    if not failed:
        verdict = "the receiver behaves as Cata expects"
        if warned:
            verdict = "the receiver passes; read the " + ("warning" if len(warned) == 1 else "warnings")
        return f"{line}: {verdict}"
    details = ["failed: " + ", ".join(_named(result) for result in failed)]
    if warned:
        details.append("warned: " + ", ".join(_named(result) for result in warned))
    return f"{line} — {'; '.join(details)}"


def _named(result: CheckResult) -> str:
    return f"{result.name} ({result.kind})" if result.kind else result.name


def progress_line(result: CheckResult) -> str:
    return f"  {LABELS[result.verdict]:<4}  {result.name}"


def table(certification: Certification) -> Table:
    """One row per check that ran; the checks that did not run are named in the summary."""
    rendered = Table(title=f"check-receiver {certification.url}", title_justify="left")
    for name in ("check", "result", "latency ms", "explanation"):
        rendered.add_column(name, overflow="fold")
    for result in certification.results:
        if result.verdict is Verdict.NOT_RUN:
            continue
        rendered.add_row(
            result.name,
            LABELS[result.verdict],
            "-" if result.latency_ms is None else f"{result.latency_ms:.0f}",
            f"{result.title}: {result.explanation}",
        )
    return rendered


def not_run_line(certification: Certification) -> str | None:
    skipped = certification.with_verdict(Verdict.NOT_RUN)
    if not skipped:
        return None
    return (
        f"not run: {', '.join(r.name for r in skipped)} ({skipped[0].explanation.removeprefix('not run: ')})"
    )


def json_document(certification: Certification) -> dict[str, Any]:
    """Everything the run found, for machines: counts, each check, each delivery's answer."""
    return {
        "receiverUrl": certification.url,
        "budgetSeconds": certification.budget_s,
        "passed": certification.passed,
        "summary": summary_line(certification),
        "counts": {
            "passed": len(certification.with_verdict(Verdict.PASS)),
            "failed": len(certification.with_verdict(Verdict.FAIL)),
            "warnings": len(certification.with_verdict(Verdict.WARN)),
            "notRun": len(certification.with_verdict(Verdict.NOT_RUN)),
        },
        "checks": [
            {
                "name": result.name,
                "title": result.title,
                "verdict": result.verdict.value,
                "kind": result.kind,
                "explanation": result.explanation,
                "latencyMs": None if result.latency_ms is None else round(result.latency_ms, 1),
            }
            for result in certification.results
        ],
        "deliveries": [
            {
                "name": answer.delivery,
                "status": answer.status,
                "accepted": answer.accepted,
                "latencyMs": round(answer.latency_ms, 1),
                "error": answer.error,
                "bodyPreview": body_preview(answer.body) if answer.answered else None,
            }
            for answer in certification.answers
        ],
    }


def junit_xml(certification: Certification, now: datetime | None = None) -> bytes:
    """One ``testcase`` per check: a failure carries ``failure``, a warning a ``warning`` property and
    ``system-out``, a check that did not run ``skipped``. The suite's time counts each delivery once."""
    stamp = (now or SYSTEM_CLOCK.now()).astimezone(UTC).replace(microsecond=0, tzinfo=None)
    results = certification.results
    suites = ET.Element("testsuites", name=SUITE_NAME)
    suite = ET.SubElement(
        suites,
        "testsuite",
        name=SUITE_NAME,
        tests=str(len(results)),
        failures=str(len(certification.with_verdict(Verdict.FAIL))),
        errors="0",
        skipped=str(len(certification.with_verdict(Verdict.NOT_RUN))),
        time=f"{certification.total_ms / 1000:.3f}",
        timestamp=stamp.isoformat(),
        hostname="cata-sandbox",
    )
    properties = ET.SubElement(suite, "properties")
    ET.SubElement(properties, "property", name="receiverUrl", value=certification.url)
    ET.SubElement(properties, "property", name="budgetSeconds", value=f"{certification.budget_s:g}")
    ET.SubElement(properties, "property", name="summary", value=summary_line(certification))
    for result in results:
        case = ET.SubElement(
            suite,
            "testcase",
            classname="check-receiver",
            name=result.name,
            time=f"{result.time_ms / 1000:.3f}",
        )
        if result.verdict is Verdict.FAIL:
            failure = ET.SubElement(
                case, "failure", message=result.explanation, type=result.kind or "ReceiverCheckFailed"
            )
            failure.text = f"{result.title}: {result.explanation}"
        elif result.verdict is Verdict.NOT_RUN:
            ET.SubElement(case, "skipped", message=result.explanation)
        elif result.verdict is Verdict.WARN:
            warning = ET.SubElement(case, "properties")
            ET.SubElement(warning, "property", name="warning", value=f"{result.kind}: {result.explanation}")
            ET.SubElement(case, "system-out").text = f"WARNING ({result.kind}): {result.explanation}"
        else:
            ET.SubElement(case, "system-out").text = result.explanation
    ET.indent(suites)
    document: bytes = ET.tostring(suites, encoding="utf-8", xml_declaration=True)
    return document


def write_junit(certification: Certification, path: Path) -> None:
    """Write the report, creating its folder when it does not exist."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(junit_xml(certification))
