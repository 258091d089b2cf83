"""mock_pos's log lines: the same ``<time> <level> <logger>: <message>`` shape as the dispatch service's."""

from __future__ import annotations

from typing import Any

# The dispatch service writes this shape too (cata_sandbox.asgi.LineFormatter); mock_pos keeps its own copy
# because it never imports cata_sandbox.
LINE_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def log_config(level: str) -> dict[str, Any]:
    """``logging.config.dictConfig`` of ``mock-pos serve``: uvicorn's records and its own, one format."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"line": {"format": LINE_FORMAT}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "line"}},
        "loggers": {
            "uvicorn": {"handlers": ["stderr"], "level": level.upper(), "propagate": False},
            "uvicorn.access": {"handlers": ["stderr"], "level": level.upper(), "propagate": False},
            "mock_pos": {"handlers": ["stderr"], "level": level.upper(), "propagate": False},
        },
        "root": {"handlers": ["stderr"], "level": "WARNING"},
    }
