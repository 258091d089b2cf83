"""The mutation score of the contract suite: what ``mutmut run`` (``nox -s mutation``) killed and what survived.

Reads mutmut's results in ``mutants/``, prints killed / survived / timed out / no tests, the score over the
non-equivalent mutants, and each survivor's diff. A survivor listed in :data:`EQUIVALENT` (matched by its
function and its changed line, so renumbering does not lose it) is shown with the reason it cannot be told
apart from the original; every other survivor is a gap in the suite. Exits 1 below :data:`TARGET`.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass

TARGET = 0.90
RESULT_LINE = re.compile(r"^\s*(?P<name>\S+__mutmut_\d+): (?P<status>.+)$")
# What a run leaves that is not a kill; "not checked" (an interrupted run) is reported, never judged.
NOT_KILLED = ("survived", "timeout", "no tests", "suspicious", "segfault")


@dataclass(frozen=True, slots=True)
class Equivalent:
    """A mutant that behaves exactly like the original: ``function`` (mutmut's ``x_<name>``) with
    ``changed`` (the mutated line, stripped) as its new line."""

    function: str
    changed: str
    reason: str


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
)


@dataclass(frozen=True, slots=True)
class Survivor:
    name: str
    status: str
    diff: str

    @property
    def function(self) -> str:
        return self.name.rsplit(".", 1)[-1].split("__mutmut_")[0]

    @property
    def changed(self) -> str:
        added = [
            line[1:].strip()
            for line in self.diff.splitlines()
            if line.startswith("+") and not line.startswith("+++")
        ]
        return added[0] if added else ""

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


def survivor(name: str, status: str) -> Survivor:
    shown = _mutmut("show", name).splitlines()
    diff = "\n".join(row for row in shown if row.startswith(("+", "-")) and row[:3] not in ("+++", "---"))
    return Survivor(name, status, diff)


def main() -> int:
    found = statuses()
    counts = Counter(found.values())
    left = [survivor(name, status) for name, status in sorted(found.items()) if status in NOT_KILLED]
    equivalent = [s for s in left if s.equivalent() is not None]
    gaps = [s for s in left if s.equivalent() is None]
    checked = sum(counts[status] for status in (*NOT_KILLED, "killed"))
    counted = checked - len(equivalent)
    score = counts["killed"] / counted if counted else 0.0
    print(
        f"mutants {len(found)}, checked {checked}: killed {counts['killed']}, survived {counts['survived']},"
        f" timed out {counts['timeout']}, no tests {counts['no tests']}, suspicious {counts['suspicious']};"
        f" equivalent {len(equivalent)}; not checked {counts['not checked']} (an interrupted or partial run)"
    )
    print(
        f"score {counts['killed']}/{counted} = {score:.1%} of non-equivalent checked mutants killed (target {TARGET:.0%})"
    )
    per_module = Counter(s.name.split(".x", 1)[0] for s in gaps)
    print("not killed by module: " + ", ".join(f"{module} {n}" for module, n in per_module.most_common()))
    for item in equivalent:
        reason = item.equivalent()
        print(f"\nequivalent  {item.name}: {reason.reason if reason else ''}\n{item.diff}")
    for item in gaps:
        print(f"\n{item.status.upper():<10}  {item.name}\n{item.diff}")
    return 0 if score >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
