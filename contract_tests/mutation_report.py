"""The mutation score of the contract suite: what ``mutmut run`` (``nox -s mutation``) killed and what survived.

Reads mutmut's results in ``mutants/``, prints killed / survived / timed out / no tests per module and
overall, the score over the mutants in scope, and each survivor's diff. Two lists keep mutants out of the
score, each entry with its reason (:mod:`contract_tests.mutation_scope`, :mod:`contract_tests.mutation_verdicts`, :mod:`contract_tests.mutation_verdicts_engine`), and both are printed with every
report: :data:`OUT_OF_SCOPE` (lines no contract property can observe by design, never mutated) and
:data:`EQUIVALENT` (survivors that behave exactly like the original).

Every other survivor is a gap in the suite. Exits 1 below :data:`TARGET`.
"""

from __future__ import annotations

import importlib
import re
import shutil
import subprocess
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from contract_tests.mutation_scope import OUT_OF_SCOPE, OutOfScope
from contract_tests.mutation_verdicts import EQUIVALENT as MODULE_EQUIVALENT
from contract_tests.mutation_verdicts import Equivalent
from contract_tests.mutation_verdicts_engine import DISPATCHER_EQUIVALENT, KNOWN_GAPS

__all__ = ["EQUIVALENT", "KNOWN_GAPS", "OUT_OF_SCOPE", "Equivalent", "OutOfScope", "Survivor", "main"]

TARGET = 0.90
EQUIVALENT: tuple[Equivalent, ...] = (*MODULE_EQUIVALENT, *DISPATCHER_EQUIVALENT)
RESULT_LINE = re.compile(r"^\s*(?P<name>\S+__mutmut_\d+): (?P<status>.+)$")
# What a run leaves that is not a kill; "not checked" (an interrupted run) is reported, never judged.
NOT_KILLED = ("survived", "timeout", "no tests", "suspicious", "segfault")
COLUMNS = ("killed", "survived", "timeout", "no tests", "equivalent", "out of scope", "not checked")


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
        """The first removed line as it stands in the source (indentation kept, for anchored patterns);
        mutmut shows a method's code dedented to the function's level, so a method's line gets its four
        spaces back."""
        lines = [
            row[1:] for row in self.diff.splitlines() if row.startswith("-") and not row.startswith("---")
        ]
        if not lines:
            return ""
        return "    " + lines[0] if "ǁ" in self.function else lines[0]

    def out_of_scope(self) -> OutOfScope | None:
        """The entry whose pattern matches the mutated line: mutmut skips those lines, so this happens
        only with results from before the pattern was added (a ``mutants/`` that was not regenerated)."""
        return next((o for o in OUT_OF_SCOPE if re.search(o.pattern, self.original_line)), None)

    def equivalent(self) -> Equivalent | None:
        return next((e for e in EQUIVALENT if (e.function, e.changed) == (self.function, self.changed)), None)

    def known_gap(self) -> Equivalent | None:
        """Why no property kills this survivor yet (it still counts against the score)."""
        return next((e for e in KNOWN_GAPS if (e.function, e.changed) == (self.function, self.changed)), None)


def _mutmut(*args: str) -> str:
    # The mutmut installed beside this interpreter (a venv not on PATH), else the one on PATH.
    command = shutil.which("mutmut", path=str(Path(sys.executable).parent)) or "mutmut"
    return subprocess.run([command, *args], capture_output=True, text=True, check=True).stdout


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
    gaps = [item for item in left if item.out_of_scope() is None and item.equivalent() is None]
    for item in gaps:
        known = item.known_gap()
        why = f" (known gap: {known.reason})" if known is not None else " (not explained: a gap to look at)"
        print(f"\n{item.status.upper():<10}  {item.name}{why}\n{item.diff}")
    unexplained = [item for item in gaps if item.known_gap() is None]
    print(
        f"\nsurvivors: {len(gaps)}, of which explained in mutation_verdicts_engine.KNOWN_GAPS: {len(gaps) - len(unexplained)}"
    )
    return 0 if ratio >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
