"""A worker whose call has run past a soft CPU threshold is demoted to ``SCHED_IDLE``.

A script that spins then only takes a CPU the service and the other workers (nice 19) leave idle, so the
healthy outlets keep their throughput while the spinning call waits for its compute limit (its verdict is
unchanged). A replacement worker starts at the normal priority; a demoted worker whose call ended in time
is restored, or retired when the OS will not let it back up (unprivileged: ``SCHED_IDLE`` is one way).
"""

from __future__ import annotations

import os

__all__ = ["DEMOTE_AFTER", "demote", "is_demoted", "restore"]

DEMOTE_AFTER = 0.05  # seconds of one call before its worker is demoted


def demote(pid: int) -> bool:
    """``SCHED_IDLE`` for ``pid``; False when the OS has no such policy or refuses it."""
    if not hasattr(os, "SCHED_IDLE"):
        return False
    try:
        os.sched_setscheduler(pid, os.SCHED_IDLE, os.sched_param(0))
    except OSError:
        return False
    return True


def restore(pid: int) -> bool:
    """Back to ``SCHED_OTHER``; False when not allowed (then the worker is replaced instead)."""
    try:
        os.sched_setscheduler(pid, os.SCHED_OTHER, os.sched_param(0))
    except OSError:
        return False
    return True


def is_demoted(pid: int) -> bool:
    return hasattr(os, "SCHED_IDLE") and os.sched_getscheduler(pid) == os.SCHED_IDLE


_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU of ``pid`` so far (``/proc``), or None where it cannot be read."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            fields = stat.read().rsplit(b")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / _TICKS
