"""The pipe to one adapter worker process: start it, send a frame, read a frame with a deadline."""

from __future__ import annotations

import asyncio
import contextlib
import os
import struct
import sys
import time
from dataclasses import dataclass, field
from typing import Any

import msgspec

from cata_sandbox.adapters.results import ScriptError
from cata_sandbox.adapters.worker import MAX_FRAME

__all__ = ["Killed", "Process", "died", "ready", "receive", "script_fields", "send", "spawn"]

_LENGTH = struct.Struct(">I")
_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder()


@dataclass(eq=False)
class Process:
    process: asyncio.subprocess.Process
    seen: set[str] = field(default_factory=set)
    demoted: bool = False
    cpu_mark: float | None = None  # the worker's CPU seconds when it was demoted
    probe: float | None = None  # its CPU seconds at the last check of the call in progress
    watch: asyncio.TimerHandle | None = None

    @property
    def stdin(self) -> asyncio.StreamWriter:
        assert self.process.stdin is not None
        return self.process.stdin

    @property
    def stdout(self) -> asyncio.StreamReader:
        assert self.process.stdout is not None
        return self.process.stdout


class Killed(Exception):
    """The worker was killed or died during the call; ``error`` says why."""

    def __init__(self, error: ScriptError) -> None:
        self.error = error


def script_fields(script: Any, seen: set[str]) -> dict[str, Any]:
    """A ``run`` message's fields naming a script: its digest, its source unless the worker has it, and
    its label (errors name a shipped script by provider/topic, one from an extra folder by its path)."""
    return {
        "key": script.digest,
        "src": None if script.digest in seen else script.source,
        "label": script.path if script.origin == "extra" else script.label,
    }


async def send(process: Process, message: dict[str, Any]) -> None:
    data = _encoder.encode(message)
    try:
        process.stdin.write(_LENGTH.pack(len(data)) + data)
        await process.stdin.drain()
    except (BrokenPipeError, ConnectionResetError):
        raise Killed(ScriptError(await died(process), "crash")) from None


async def receive(
    process: Process, deadline: float, expired: ScriptError, soft: float | None = None
) -> dict[str, Any] | None:
    """The next frame by ``deadline``; None at ``soft`` if no frame has begun (nothing is consumed then:
    ``readexactly`` takes bytes only once it has them all)."""
    loop = asyncio.get_running_loop()
    try:
        if soft is not None and soft < deadline:
            try:
                async with asyncio.timeout_at(loop.time() + max(0.0, soft - time.monotonic())):
                    head = await process.stdout.readexactly(4)
            except TimeoutError:
                return None
        async with asyncio.timeout_at(loop.time() + max(0.0, deadline - time.monotonic())):
            if soft is None or soft >= deadline:
                head = await process.stdout.readexactly(4)
            (size,) = _LENGTH.unpack(head)
            if size > MAX_FRAME:
                raise Killed(ScriptError("the script's worker sent an oversized message", "crash"))
            frame: dict[str, Any] = _decoder.decode(await process.stdout.readexactly(size))
            return frame
    except TimeoutError:
        raise Killed(expired) from None
    except asyncio.IncompleteReadError:
        raise Killed(ScriptError(await died(process), "crash")) from None


async def died(process: Process) -> str:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(process.process.wait(), 1.0)
    return f"the script's worker process died (exit status {process.process.returncode})"


async def spawn() -> Process:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-I",
        "-m",
        "cata_sandbox.adapters.worker",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
    )
    return Process(process)


async def ready(wrapped: Process) -> None:
    head = await asyncio.wait_for(wrapped.stdout.readexactly(4), 30)
    hello = _decoder.decode(await wrapped.stdout.readexactly(_LENGTH.unpack(head)[0]))
    if hello.get("t") != "ready":
        raise RuntimeError("adapter worker did not start")
