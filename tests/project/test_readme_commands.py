"""The README's two commands, `.ci/run` and the lock stay in step."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from mock_pos.client import MockAdmin

ROOT = Path(__file__).resolve().parents[2]


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text[text.index("## The two commands") :]
    block = section[
        section.index("```bash") + len("```bash") : section.index("```", section.index("```bash") + 7)
    ]
    return [line for line in block.strip().splitlines() if line and not line.startswith("#")]


def test_the_readme_has_two_commands_and_ci_runs_the_second_verbatim() -> None:
    install, test = readme_commands()

    assert install.endswith("cata-sandbox up")
    assert test.endswith("nox")
    assert test in (ROOT / ".ci/run").read_text().splitlines()
    # Both install the tools from the same hashed pin file, and the project from the lock.
    assert install.split(" && ")[:2] == test.split(" && ")[:2]
    assert "-r .ci/tools.txt" in install
    assert "--locked" in install


def test_the_tool_pins_match_their_source() -> None:
    wanted = dict(
        line.split("==")
        for line in (ROOT / ".ci/tools.in").read_text().splitlines()
        if line and not line.startswith("#")
    )
    pinned = dict(
        re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", (ROOT / ".ci/tools.txt").read_text(), re.MULTILINE)
    )
    assert wanted.items() <= pinned.items()
    assert "--hash=sha256:" in (ROOT / ".ci/tools.txt").read_text()


def _copy_project(target: Path) -> None:
    for name in ("pyproject.toml", "uv.lock", "README.md", "noxfile.py"):
        shutil.copy(ROOT / name, target / name)
    for package in ("cata_sandbox", "mock_pos", "contract_tests"):
        (target / package).mkdir()
        (target / package / "__init__.py").write_text("")


def _nox_lock(project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nox", "-s", "lock", "--no-color"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_a_range_changed_without_relocking_fails_the_default_run_saying_to_relock(tmp_path: Path) -> None:
    _copy_project(tmp_path)
    in_step = _nox_lock(tmp_path)
    assert in_step.returncode == 0, in_step.stdout + in_step.stderr
    pyproject = tmp_path / "pyproject.toml"
    text = pyproject.read_text()
    assert '"click>=8.1"' in text
    pyproject.write_text(text.replace('"click>=8.1"', '"click>=8.1,<8.1.5"'))

    out_of_step = _nox_lock(tmp_path)

    assert out_of_step.returncode != 0
    assert (
        "uv.lock is out of step with pyproject.toml: run `uv lock`" in out_of_step.stdout + out_of_step.stderr
    )


def test_the_lock_check_runs_first_in_the_default_run_and_latest_only_on_demand() -> None:
    listed = subprocess.run(
        [sys.executable, "-m", "nox", "--list", "--no-color"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    rows = re.findall(r"^([*-]) (\w+) -> ", listed.stdout, re.MULTILINE)
    selected = [name for mark, name in rows if mark == "*"]
    assert selected == ["lock", "lint", "typecheck", "tests", "contract", "mutants", "fuzz"]
    assert ("-", "latest") in rows


def _tracked_tree(target: Path) -> None:
    """The project as a fresh clone of this tree would have it (tracked and new files, uncommitted too)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    )
    for name in filter(None, listed.stdout.decode().split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def test_the_readmes_first_command_installs_from_the_lock_and_brings_up_the_sandbox(tmp_path: Path) -> None:
    install, _ = readme_commands()
    clone = tmp_path / "clone"
    clone.mkdir()
    _tracked_tree(clone)
    port, mock_port = _free_port(), _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CATA_", "VIRTUAL_ENV", "UV_PROJECT"))}
    log = (tmp_path / "up.log").open("wb")
    # The README's command as written, on free ports instead of 8700/8701 (the test's only edit to it).
    process = subprocess.Popen(
        ["bash", "-c", f"{install} --port {port} --mock-port {mock_port}"],
        cwd=clone,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 300
        while True:
            assert process.poll() is None, (tmp_path / "up.log").read_text()
            assert time.monotonic() < deadline, (
                "the sandbox did not come up: " + (tmp_path / "up.log").read_text()
            )
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).json() == {"status": "healthy"}:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        with MockAdmin(f"http://127.0.0.1:{mock_port}", timeout=2) as admin:
            assert admin.health() == {"status": "ok"}
        installed = subprocess.run(
            [
                str(clone / ".tools/bin/uv"),
                "pip",
                "list",
                "--format=freeze",
                "--python",
                str(clone / ".venv"),
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        locked = (ROOT / "uv.lock").read_text()
        for line in installed.splitlines():
            name, _, version = line.partition("==")
            if version and name.lower() != "cata-sandbox":
                assert f'name = "{name.lower()}"\nversion = "{version}"' in locked, line
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            raise
        log.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port
