"""The plugin API's public names: what a transformer package may import from cata_sandbox, guarded.

A name leaving ``__all__`` (or a module moving) breaks installed transformers, so it must be a decision
that changes this test, never a side effect of a refactor. Growing the API means adding the name here.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import cata_sandbox

PLUGIN_API = {
    "cata_sandbox.classify": {
        "NOT_DISPATCHED",
        "NO_ROUTE",
        "REASON_BODY_CHARS",
        "Outcome",
        "body_error_message",
        "decode_json_object",
        "external_id_from",
        "interpret_generic",
        "pos_reason",
        "transport_reason",
        "truncate_for_reason",
        "webhook_outcome",
        "webhook_reason",
    },
    "cata_sandbox.schemas": {
        "ApiResponse",
        "AttemptView",
        "AwareDatetime",
        "Currency",
        "Customer",
        "DeliveryMethod",
        "DispatchEnvelope",
        "DispatchResponse",
        "EVENTS",
        "Item",
        "Modifier",
        "NonEmptyStr",
        "Order",
        "OrderView",
        "OutletId",
        "OutletProviderInput",
        "OutletProviderView",
        "Payment",
        "PositiveInt",
        "ProviderName",
        "StatusEntryView",
        "StatusSkipView",
        "WebhookRegistration",
        "WebhookUpdate",
        "WebhookView",
    },
    "cata_sandbox.transformers": {
        "BUILT_IN",
        "ENTRY_POINT_GROUP",
        "OutboundRequest",
        "Outcome",
        "Transformer",
        "TransformerRegistry",
        "UnmappableOrder",
    },
}


@pytest.mark.parametrize("module_name", sorted(PLUGIN_API))
def test_plugin_modules_export_exactly_their_public_names(module_name: str) -> None:
    module = importlib.import_module(module_name)
    assert set(module.__all__) == PLUGIN_API[module_name]
    missing = [name for name in module.__all__ if not hasattr(module, name)]
    assert missing == []


def test_the_entry_point_group_keeps_its_name_and_no_python_transformer_ships() -> None:
    from cata_sandbox.transformers import BUILT_IN, ENTRY_POINT_GROUP

    assert ENTRY_POINT_GROUP == "cata_sandbox.transformers"
    # Revel is the adapter script cata_sandbox/adapters/scripts/revel/order_dispatch.js (issue 16).
    assert BUILT_IN == {}


def test_the_server_never_imports_the_partner_tools_or_the_bench() -> None:
    code = (
        "import sys, cata_sandbox.asgi, cata_sandbox.app, cata_sandbox.serving\n"
        "print('\\n'.join(m for m in sys.modules if m.startswith(('cata_sandbox.partner', 'cata_sandbox.bench'))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.split() == []


def test_no_module_of_the_service_is_over_about_350_lines() -> None:
    package = Path(cata_sandbox.__file__).parent
    long = {
        str(path.relative_to(package)): count
        for path in package.rglob("*.py")
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > 350
    }
    assert long == {}
