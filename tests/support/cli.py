"""The CLI as a partner runs it: its argv, and an environment without the developer's settings."""

from __future__ import annotations

import os
import sys
from pathlib import Path

CLI = [sys.executable, "-m", "cata_sandbox.cli"]


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without the developer's CATA_* settings, the venv's scripts first on PATH."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CATA_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.update(extra)
    return env
