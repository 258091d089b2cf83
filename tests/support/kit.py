"""The conformance kit as a test runs it: ``adapters check`` in-process, and shipped scripts copied
into a folder with one edit (a broken script the kit must catch)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from cata_sandbox.adapters import BUILTIN_DIR
from cata_sandbox.cli import main


@dataclass(frozen=True)
class KitRun:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def report(self) -> dict[str, Any]:
        found: dict[str, Any] = json.loads(self.stdout)
        return found

    def properties(self) -> dict[str, dict[str, Any]]:
        return {f"{p['group']}: {p['name']}": p for p in self.report["properties"]}

    def failed(self) -> set[str]:
        return {name for name, p in self.properties().items() if not p["ok"]}


def kit(*args: str) -> KitRun:
    result = CliRunner().invoke(main, ["adapters", "check", *args], catch_exceptions=False)
    return KitRun(result.exit_code, result.stdout, result.stderr)


def broken_copy(root: Path, provider: str, *edits: tuple[str, str], topic: str = "order_dispatch") -> Path:
    """``root/<provider>/<topic>.js``: the shipped script with each (anchor, replacement) applied once."""
    text = (BUILTIN_DIR / provider / f"{topic}.js").read_text(encoding="utf-8")
    for anchor, replacement in edits:
        assert text.count(anchor) == 1, anchor
        text = text.replace(anchor, replacement)
    path = root / provider / f"{topic}.js"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return root
