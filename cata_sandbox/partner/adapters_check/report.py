"""The kit's verdict: properties passed or failed, the first failure shrunk, and its three renderings
(text for people, ``--json`` for machines, ``--junit-xml`` for CI)."""

from __future__ import annotations

import shlex
import statistics
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any

from cata_sandbox.adapters import DispatchRequest

__all__ = ["Property", "Report", "curl"]


@dataclass
class Property:
    """One property over every example: how many held, how many broke it, and the first break."""

    group: str  # orders, faults, samples
    name: str
    passed: int = 0
    failed: int = 0
    first: str = ""

    @property
    def ok(self) -> bool:
        return self.failed == 0

    def record(self, ok: bool, why: str = "") -> None:
        if ok:
            self.passed += 1
            return
        self.failed += 1
        if not self.first:
            self.first = why


@dataclass
class Report:
    provider: str
    mock: str | None = None
    properties: list[Property] = field(default_factory=list)
    shrunk: dict[str, Any] | None = None  # {"property", "order", "why", "curl"}
    precision: list[str] = field(default_factory=list)
    script_errors: list[str] = field(default_factory=list)
    walls: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)
    loaded: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # passes worth knowing (a script's own reading)

    def prop(self, group: str, name: str) -> Property:
        for found in self.properties:
            if (found.group, found.name) == (group, name):
                return found
        made = Property(group, name)
        self.properties.append(made)
        return made

    @property
    def ok(self) -> bool:
        return all(p.ok for p in self.properties)

    def timings(self) -> dict[str, float] | None:
        if not self.walls:
            return None
        return {
            "calls": len(self.walls),
            "wallMedianMs": round(statistics.median(self.walls) * 1000, 3),
            "wallP95Ms": round(_p95(self.walls) * 1000, 3),
            "workerCpuMedianMs": round(statistics.median(self.cpus) * 1000, 3),
            "workerCpuP95Ms": round(_p95(self.cpus) * 1000, 3),
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "mock": self.mock,
            "ok": self.ok,
            "scripts": self.loaded,
            "properties": [
                {
                    "group": p.group,
                    "name": p.name,
                    "ok": p.ok,
                    "passed": p.passed,
                    "failed": p.failed,
                    "first": p.first,
                }
                for p in self.properties
            ],
            "shrunk": self.shrunk,
            "precisionFindings": self.precision,
            "scriptErrors": self.script_errors,
            "notes": self.notes,
            "timings": self.timings(),
        }

    def text(self) -> str:
        lines = [f"adapters check {self.provider}" + (f" --mock {self.mock}" if self.mock else "")]
        lines += [f"  script {label}" for label in self.loaded]
        for p in self.properties:
            mark = "PASS" if p.ok else "FAIL"
            lines.append(f"  {mark}  {p.group}: {p.name:<24} {p.passed} passed, {p.failed} failed")
            if p.first:
                lines.append(f"        first: {p.first}")
        if self.shrunk:
            lines.append(f"  first failing order ({self.shrunk['property']}), shrunk:")
            lines.append(f"    {self.shrunk['order']}")
            lines.append(f"    why: {self.shrunk['why']}")
            if self.shrunk.get("curl"):
                lines.append("  reproduce:")
                lines += [f"    {line}" for line in self.shrunk["curl"].splitlines()]
        if self.notes:
            lines.append("  notes:")
            lines += [f"    {note}" for note in self.notes]
        if self.precision:
            lines.append(f"  precision findings ({len(self.precision)}):")
            lines += [f"    {finding}" for finding in self.precision[:10]]
        if self.script_errors:
            lines.append(f"  script errors ({len(self.script_errors)} distinct):")
            lines += [f"    {error}" for error in self.script_errors[:10]]
        if (timing := self.timings()) is not None:
            lines.append(
                f"  time per dispatch (_standard + script, {timing['calls']} calls): wall median "
                f"{timing['wallMedianMs']} ms, p95 {timing['wallP95Ms']} ms; worker CPU median "
                f"{timing['workerCpuMedianMs']} ms, p95 {timing['workerCpuP95Ms']} ms"
            )
        failed = sum(1 for p in self.properties if not p.ok)
        lines.append(
            "result: " + ("PASS" if self.ok else f"FAIL ({failed} of {len(self.properties)} properties)")
        )
        return "\n".join(lines)

    def junit(self) -> bytes:
        suite = ET.Element(
            "testsuite",
            name=f"adapters check {self.provider}",
            tests=str(len(self.properties)),
            failures=str(sum(1 for p in self.properties if not p.ok)),
        )
        for p in self.properties:
            case = ET.SubElement(suite, "testcase", classname=f"{self.provider}.{p.group}", name=p.name)
            if not p.ok:
                failure = ET.SubElement(case, "failure", message=p.first[:500])
                failure.text = f"{p.failed} of {p.passed + p.failed} failed; first: {p.first}"
        root = ET.Element("testsuites")
        root.append(suite)
        data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
        return data


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def curl(request: DispatchRequest) -> str:
    """A shell command that sends exactly this request."""
    parts = ["curl", "-sS", "-X", request.method, shlex.quote(request.url)]
    for name, value in request.headers.items():
        parts += ["-H", shlex.quote(f"{name}: {value}")]
    if request.body is not None:
        parts += ["--data-binary", shlex.quote(request.body.decode("utf-8", errors="replace"))]
    return " ".join(parts)
