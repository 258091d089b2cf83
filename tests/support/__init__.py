"""The one test harness: servers on free ports, the service, mock_pos, PostgreSQL, CLI runs and factories.

``net`` (free_port, wait_until), ``factories`` (ORDER, envelope, NOW), ``service`` (the app in a thread),
``mock`` (mock_pos in a thread, through ``mock_pos.client``), ``processes`` (``serve`` as a child process,
a database per module), ``cli`` (the CLI argv and a clean environment), ``up`` (``cata-sandbox up``),
``revel`` (mock Revel and outlet mappings), ``asgi_receiver``, ``receivers/``, ``tcp_proxy``, ``pg``.
"""

from tests.support.cli import CLI, clean_env
from tests.support.factories import NOW, ORDER, envelope
from tests.support.mock import MockPos, running_mock_pos
from tests.support.net import free_port, port_closed, wait_until
from tests.support.service import (
    API_KEY,
    Sandbox,
    connect_receiver,
    running_sandbox,
    start_sandbox,
    stop_sandbox,
)

__all__ = [
    "API_KEY",
    "CLI",
    "NOW",
    "ORDER",
    "MockPos",
    "Sandbox",
    "clean_env",
    "connect_receiver",
    "envelope",
    "free_port",
    "port_closed",
    "running_mock_pos",
    "running_sandbox",
    "start_sandbox",
    "stop_sandbox",
    "wait_until",
]
