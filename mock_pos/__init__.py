"""mock_pos: mock partner webhook receivers and a mock Revel, with fault injection, over real HTTP.

An independent counterparty of the sandbox: it never imports ``cata_sandbox``.
"""

from __future__ import annotations

from mock_pos.app import create_mock_pos
from mock_pos.server import ServerThread

__all__ = ["ServerThread", "create_mock_pos"]
