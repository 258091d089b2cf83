"""The adapter worker process: runs one script call at a time in a warm, locked-down quickjs-ng context.

Frames are a 4-byte big-endian length and a msgspec JSON object. Parent → worker: ``run`` (a call) and
``http`` (the answer to the script's ``context.http`` request). Worker → parent: ``http`` (a request the
script made, which the parent performs), ``log`` (a ``context.log`` line) and ``done`` (the result).
The parent enforces the deadline by killing this process; the worker enforces memory and stack limits.
"""

from __future__ import annotations

import contextlib
import os
import re
import struct
import sys
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, BinaryIO

import msgspec

_LENGTH = struct.Struct(">I")
MAX_FRAME = 64 * 1024 * 1024
MAX_WARM = 16  # script versions kept compiled per worker
MAX_CALLS_PER_CONTEXT = 5000
MAX_LOG_LINES = 200  # a call's context.log lines past this are dropped
_FRAME_SITE = re.compile(r"^\s*at (\S+)(?: \((.*)\))?$")
_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder()


def write_frame(stream: BinaryIO, message: dict[str, Any]) -> None:
    data = _encoder.encode(message)
    stream.write(_LENGTH.pack(len(data)) + data)
    stream.flush()


def read_frame(stream: BinaryIO) -> dict[str, Any] | None:
    head = stream.read(4)
    if len(head) < 4:
        return None
    (size,) = _LENGTH.unpack(head)
    if size > MAX_FRAME:
        raise ValueError(f"frame of {size} bytes is over the limit")
    data = stream.read(size)
    if len(data) < size:
        return None
    message: dict[str, Any] = _decoder.decode(data)
    return message


def where(stack: str, label: str) -> str:
    """``label:line:col`` of the first stack frame that is the script's own (prelude frames are skipped)."""
    for line in stack.splitlines():
        match = _FRAME_SITE.match(line)
        if match is None:
            continue
        name, site = match.group(1), match.group(2) or match.group(1)
        if name.startswith("__cata") or "<input>" not in site:
            continue
        return site.replace("<input>", label)
    return label


@dataclass(eq=False)
class _Warm:
    """One script version compiled in its own locked-down context; ``runner`` makes a call."""

    context: Any
    runner: Any
    calls: int = 0


class Worker:
    """State of one worker process: warm contexts by script digest, the call in progress."""

    def __init__(self, reader: BinaryIO, writer: BinaryIO) -> None:
        self.reader = reader
        self.writer = writer
        self.sources: dict[str, str] = {}
        self.warm: OrderedDict[str, _Warm] = OrderedDict()
        self.call: int | None = None
        self.logged = 0
        self.recycled = 0

    def host(self, token: Any, text: str) -> str:
        """``context.http``: ask the parent, block for the answer. Refused outside the call it belongs to."""
        if self.call is None or token != self.call:
            return '{"error":"refused: the call this context belonged to has ended"}'
        write_frame(self.writer, {"t": "http", "call": self.call, "req": text})
        answer = read_frame(self.reader)
        if answer is None or answer.get("t") != "http" or answer.get("call") != self.call:
            os._exit(3)  # the parent is gone or out of step: nothing sensible is left to do
        return str(answer["res"])

    def log(self, token: Any, text: str) -> None:
        self.logged += 1
        if self.call is not None and token == self.call and self.logged <= MAX_LOG_LINES:
            write_frame(self.writer, {"t": "log", "call": self.call, "line": text[:2000]})

    def _compile(self, key: str, job: dict[str, Any]) -> _Warm:
        import quickjs

        from cata_sandbox.adapters.prelude import FACTORY_HEAD, FACTORY_TAIL, PRELUDE

        context = quickjs.Context()
        context.set_memory_limit(job["mem"])
        context.set_max_stack_size(job["stack"])
        context.add_callable("__cata_host", lambda token, text: self.host(token, str(text)))
        context.add_callable("__cata_log", lambda token, text: self.log(token, str(text)))
        context.eval(PRELUDE)
        context.eval(FACTORY_HEAD + self.sources[key] + FACTORY_TAIL)
        runner = context.eval("__cata_install(__cata_factory)")
        warm = _Warm(context, runner)
        self.warm[key] = warm
        while len(self.warm) > MAX_WARM:
            self.warm.popitem(last=False)
        return warm

    def run(self, job: dict[str, Any]) -> dict[str, Any]:
        """One call; with ``then`` (a dispatch chain) the standard script's request, checked, goes on to
        the provider's script as ``input.standard`` in the same message (one round trip, not two)."""
        started = time.process_time()
        outcome = self._run_one(job, job["key"], job["label"], job.get("src"), job["input"])
        then = job.get("then")
        if then is not None and outcome["ok"]:
            from cata_sandbox.adapters.results import ScriptError, dispatch_request

            checked = dispatch_request(outcome["value"].encode())
            if isinstance(checked, ScriptError):
                outcome = {"ok": False, "kind": checked.kind, "error": checked.message}
            else:
                given: str = job["input"]
                chained = given[: given.rindex("}")] + ',"standard":' + outcome["value"] + "}"
                outcome = self._run_one(job, then["key"], then["label"], then.get("src"), chained)
        outcome |= {
            "t": "done",
            "call": job["call"],
            "cpu": time.process_time() - started,
            "recycled": self.recycled,
        }
        return outcome

    def _run_one(
        self, job: dict[str, Any], key: str, label: str, source: str | None, given: str
    ) -> dict[str, Any]:
        import quickjs

        call: int = job["call"]
        if source is not None:
            self.sources[key] = source
        outcome: dict[str, Any]
        warm = self.warm.get(key)
        try:
            if warm is None:
                warm = self._compile(key, job)
            else:
                self.warm.move_to_end(key)
            self.call = call
            self.logged = 0
            warm.calls += 1
            text = str(warm.runner(job["fn"], given, call))
            self.call = None
            outcome = self._outcome(text, label, job["maxResult"])
        except quickjs.StackOverflow:
            outcome = {
                "ok": False,
                "kind": "stack",
                "error": "script exceeded the stack limit (deep recursion)",
            }
        except quickjs.JSException as exc:
            outcome = self._engine_error(exc, label)
        except Exception as exc:  # the binding's own failures (a value it cannot convert, ...)
            outcome = {
                "ok": False,
                "kind": "engine",
                "error": f"the engine failed: {type(exc).__name__}: {exc}",
            }
        finally:
            self.call = None
        if outcome.get("kind") == "memory":
            outcome = _memory_error(job["mem"])
        elif outcome.get("kind") == "memory-or-null":
            # The engine throws null when memory is so short that it cannot make an error, and the
            # heap is freed again by the time the call returns: the two cannot be told apart.
            megabytes = job["mem"] // (1024 * 1024)
            outcome = {
                "ok": False,
                "kind": "memory",
                "error": f"script threw null or exceeded its memory limit ({megabytes} MB)",
            }
        # Recycle the context after any failure, and whenever the call left a pending job behind
        # (a Promise callback or queueMicrotask): it never runs in a later call.
        if warm is not None and (
            not outcome["ok"] or warm.calls >= MAX_CALLS_PER_CONTEXT or _pending(warm.context)
        ):
            self.warm.pop(key, None)
            self.recycled += 1
        return outcome

    @staticmethod
    def _outcome(text: str, label: str, max_result: int) -> dict[str, Any]:
        if text.startswith("V"):
            if len(text) - 1 > max_result:
                return {
                    "ok": False,
                    "kind": "size",
                    "error": f"script result is {len(text) - 1} bytes, over the {max_result}-byte limit",
                }
            return {"ok": True, "value": text[1:]}
        problem = _decoder.decode(text[1:])
        if problem.get("error"):
            name, message = problem["name"], problem["message"]
            if name == "RangeError" and "call stack" in message:
                return {
                    "ok": False,
                    "kind": "stack",
                    "error": "script exceeded the stack limit (deep recursion)",
                }
            if name == "InternalError" and message == "out of memory":
                return {"ok": False, "kind": "memory", "error": ""}
            return {
                "ok": False,
                "kind": "throw",
                "error": f"{name}: {message} (at {where(problem['stack'], label)})",
            }
        value = problem["value"]
        if value == "null":
            return {"ok": False, "kind": "memory-or-null", "error": "script threw a non-Error value: null"}
        return {"ok": False, "kind": "throw", "error": f"script threw a non-Error value: {value[:500]}"}

    @staticmethod
    def _engine_error(exc: Exception, label: str) -> dict[str, Any]:
        text = str(exc).strip()
        first = text.splitlines()[0] if text else "error"
        if "out of memory" in first or first == "null":
            return {"ok": False, "kind": "memory", "error": ""}
        site = re.search(r"<input>:(\d+:\d+)", text)
        at = f" (at {label}:{site.group(1)})" if site else ""
        return {"ok": False, "kind": "engine", "error": f"{first}{at}"}


def _pending(context: Any) -> bool:
    """Whether a job is queued; it is run (under a CPU limit, which refuses every host call) to find out."""
    context.set_time_limit(0.005)
    try:
        return bool(context.execute_pending_job())
    except Exception:
        return True
    finally:
        context.set_time_limit(-1)


def _memory_error(limit: int) -> dict[str, Any]:
    return {
        "ok": False,
        "kind": "memory",
        "error": f"script exceeded its memory limit ({limit // (1024 * 1024)} MB)",
    }


WORKER_NICENESS = 19


def main() -> None:
    reader, writer = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print must never corrupt the pipe
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ImportError, ValueError, OSError):
        pass
    # Below the service in the scheduler: a script spinning on a CPU must not slow the event loop that
    # answers /health and the other outlets' dispatches.
    with contextlib.suppress(OSError):
        os.nice(WORKER_NICENESS)
    worker = Worker(reader, writer)
    write_frame(writer, {"t": "ready", "pid": os.getpid()})
    while True:
        job = read_frame(reader)
        if job is None:
            return
        if job.get("t") == "run":
            write_frame(writer, worker.run(job))


if __name__ == "__main__":
    main()
