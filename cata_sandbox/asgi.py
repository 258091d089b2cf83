"""ASGI entry point for uvicorn workers: settings come from ``CATA_*`` variables (the CLI sets them)."""

from __future__ import annotations

import logging
import time

from litestar import Litestar

from cata_sandbox.app import create_app
from cata_sandbox.settings import Settings


class LineFormatter(logging.Formatter):
    """``<time> <level> <logger>: <message>``, the time text made once per second.

    The service logs one line per dispatch; under load, ``time.strftime`` in the stock ``formatTime``
    was over half of a line's cost (profiled; README, Performance).
    """

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")
        self._second = -1
        self._second_text = ""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        second = int(record.created)
        if second != self._second:  # handlers format under their lock: no race on the cache
            self._second_text = time.strftime("%Y-%m-%d %H:%M:%S", self.converter(record.created))
            self._second = second
        return f"{self._second_text},{int(record.msecs):03d}"


def configure_logging(level: str) -> None:
    """The service process's logging: one stderr handler for ``cata_sandbox``.

    It also turns off what the log records would gather and the format never shows (caller frame,
    thread, process names), as the logging HOWTO's "Optimization" section describes.
    """
    logging._srcfile = None  # type: ignore[attr-defined]  # no caller lookup (HOWTO, Optimization)
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    logger = logging.getLogger("cata_sandbox")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(LineFormatter())
        logger.addHandler(handler)
    logger.setLevel(level.upper())
    logger.propagate = False


def app_from_env() -> Litestar:
    settings = Settings.from_env()
    configure_logging(settings.log_level)
    return create_app(settings)
