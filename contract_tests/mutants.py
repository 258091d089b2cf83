"""Each property fails when its guarantee is broken: the suite run against deliberately broken builds.

The mutants themselves are listed in :mod:`contract_tests.mutant_catalog`.

``python -m contract_tests.mutants`` (the ``nox -s mutants`` session) copies the repository to a temp
dir once per mutant, applies the mutant as exact text replacements (an anchor that is not found exactly
once is an error: the code changed, so the mutant must be rewritten), runs every property against the
copy (``PYTHONPATH`` points at it; profile ``mutant``: few derandomized examples, no shrinking), and
asserts that the properties meant to catch the break fail. The unmutated copy must pass first. The
printed matrix shows which properties caught each mutant.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from contract_tests.mutant_catalog import MUTANTS, Mutant

ROOT = Path(__file__).resolve().parent.parent
PROPERTIES = (
    "test_hmac",
    "test_persistence",
    "test_failure_reasons",
    "test_validation",
    "test_transformers",
    "test_delivery_ids",
    "test_headers",
    "test_answers",
    "test_routes",
    "test_adapter_kit",
)
IGNORED = (".git", ".venv", ".nox", ".hypothesis", "reports", "__pycache__", ".mypy_cache", ".ruff_cache")
IGNORED_PATTERNS = (*IGNORED, ".pytest_cache", "*.egg-info", "*.db", "*.db-wal", "*.db-shm", ".schemathesis")


class AnchorNotFound(Exception):
    """The code no longer reads the way the mutant expects: rewrite the mutant."""


@dataclass
class Run:
    name: str
    failed: dict[str, list[str]] = field(default_factory=dict)
    passed: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    output: str = ""

    def caught_by(self) -> set[str]:
        return {module for module, tests in self.failed.items() if tests}


def copy_repo(destination: Path) -> Path:
    target = destination / "repo"
    shutil.copytree(ROOT, target, ignore=shutil.ignore_patterns(*IGNORED_PATTERNS), symlinks=True)
    return target


def apply(mutant: Mutant, repo: Path) -> None:
    for edit in mutant.edits:
        path = repo / edit.path
        text = path.read_text(encoding="utf-8")
        count = text.count(edit.anchor)
        if count != 1:
            raise AnchorNotFound(
                f"{mutant.name}: anchor found {count} times in {edit.path} (must be exactly once):\n{edit.anchor}"
            )
        path.write_text(text.replace(edit.anchor, edit.replacement), encoding="utf-8")


def _environment(repo: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(repo), *filter(None, [env.get("PYTHONPATH")])])
    env["HYPOTHESIS_PROFILE"] = "mutant"
    env.pop("PYTEST_ADDOPTS", None)
    return env


def check_imports_from(repo: Path) -> None:
    """The copy, not the installed tree, must be what the run imports (an editable install must not win)."""
    probe = (
        "import cata_sandbox, contract_tests, mock_pos; print(cata_sandbox.__file__, contract_tests.__file__)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=repo,
        env=_environment(repo),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for path in out.split():
        if not Path(path).resolve().is_relative_to(repo.resolve()):
            raise RuntimeError(f"the run would import {path}, not the copy in {repo}")


def run_properties(name: str, repo: Path, properties: tuple[str, ...]) -> Run:
    report = repo / "mutant-junit.xml"
    command = [
        sys.executable,
        "-m",
        "pytest",
        *(f"contract_tests/{module}.py" for module in properties),
        "-q",
        "-p",
        "no:cacheprovider",
        "-o",
        "addopts=",
        f"--junitxml={report}",
    ]
    started = time.monotonic()
    done = subprocess.run(command, cwd=repo, env=_environment(repo), capture_output=True, text=True)
    run = Run(name=name, seconds=time.monotonic() - started, output=done.stdout + done.stderr)
    if not report.exists():
        raise RuntimeError(f"{name}: pytest wrote no report (exit {done.returncode}):\n{run.output[-3000:]}")
    for case in ET.parse(report).getroot().iter("testcase"):
        module = case.get("classname", "").rsplit(".", 1)[-1]
        outcome = {child.tag for child in case}
        if outcome & {"failure", "error"}:
            run.failed.setdefault(module, []).append(case.get("name", "?"))
        elif "skipped" not in outcome:
            run.passed[module] = run.passed.get(module, 0) + 1
    return run


def run_mutant(mutant: Mutant | None, properties: tuple[str, ...]) -> Run:
    with tempfile.TemporaryDirectory(prefix="cata-mutant-") as tmp:
        repo = copy_repo(Path(tmp))
        if mutant is not None:
            apply(mutant, repo)
        check_imports_from(repo)
        return run_properties(mutant.name if mutant else "unmutated", repo, properties)


def matrix(runs: list[Run], properties: tuple[str, ...]) -> str:
    width = max(len(run.name) for run in runs)
    header = " " * width + "  " + "  ".join(p.removeprefix("test_") for p in properties) + "   seconds"
    lines = [header]
    for run in runs:
        cells = []
        for prop in properties:
            label = prop.removeprefix("test_")
            mark = "CAUGHT" if run.failed.get(prop) else ("pass" if run.passed.get(prop) else "-")
            cells.append(mark.center(len(label)))
        lines.append(f"{run.name.ljust(width)}  " + "  ".join(cells) + f"   {run.seconds:7.1f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", help="run only this mutant (repeatable)")
    parser.add_argument("--jobs", type=int, default=2, help="mutants run at once (default 2)")
    args = parser.parse_args(argv)
    chosen = [m for m in MUTANTS if not args.only or m.name in args.only]
    if args.only and len(chosen) != len(args.only):
        parser.error(f"unknown mutant; known: {', '.join(m.name for m in MUTANTS)}")

    # Anchors first: a stale mutant is reported before minutes of test runs.
    with tempfile.TemporaryDirectory(prefix="cata-anchors-") as tmp:
        for mutant in chosen:
            repo = Path(tmp) / mutant.name
            for edit in mutant.edits:
                (repo / edit.path).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(ROOT / edit.path, repo / edit.path)
            apply(mutant, repo)

    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = [pool.submit(run_mutant, None, PROPERTIES)]
        futures += [pool.submit(run_mutant, mutant, PROPERTIES) for mutant in chosen]
        runs = [future.result() for future in futures]
    baseline, mutated = runs[0], runs[1:]
    print(matrix(runs, PROPERTIES))
    print(f"total {time.monotonic() - started:.1f}s")
    for run in mutated:
        failing = [f"{module}::{test}" for module, tests in sorted(run.failed.items()) for test in tests]
        print(
            f"{run.name}: {len(failing)} failing test cases: {', '.join(failing[:6])}{' ...' if len(failing) > 6 else ''}"
        )

    problems = []
    if baseline.failed:
        problems.append(f"the unmutated build fails: {baseline.failed}\n{baseline.output[-4000:]}")
    for mutant, run in zip(chosen, mutated, strict=True):
        missed = mutant.caught_by - run.caught_by()
        if missed:
            problems.append(
                f"{mutant.name} ({mutant.breaks}) was not caught by {sorted(missed)}\n{run.output[-2000:]}"
            )
    for problem in problems:
        print(f"\nFAIL: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
