"""The conformance kit: ``cata-sandbox adapters check`` (a script against a mock POS and samples)."""

from cata_sandbox.partner.adapters_check.command import adapters

__all__ = ["adapters"]
