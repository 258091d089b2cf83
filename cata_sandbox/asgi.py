"""ASGI entry point for uvicorn workers: settings come from ``CATA_*`` variables (the CLI sets them)."""

from __future__ import annotations

import logging

from litestar import Litestar

from cata_sandbox.app import create_app
from cata_sandbox.settings import Settings


def configure_logging(level: str) -> None:
    logger = logging.getLogger("cata_sandbox")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(level.upper())
    logger.propagate = False


def app_from_env() -> Litestar:
    settings = Settings.from_env()
    configure_logging(settings.log_level)
    return create_app(settings)
