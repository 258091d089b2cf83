"""The transformer registry: built-in transformers plus any installed through the entry-point group
``cata_sandbox.transformers`` (name = the ``builtInTransformer`` slug, value = ``module:Class``)."""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points
from typing import Any

from cata_sandbox.transformers.base import OutboundRequest, Outcome, Transformer, UnmappableOrder

__all__ = ["OutboundRequest", "Outcome", "Transformer", "TransformerRegistry", "UnmappableOrder"]

ENTRY_POINT_GROUP = "cata_sandbox.transformers"
BUILT_IN: dict[str, str] = {}


def _load(target: str) -> Any:
    module_name, _, attr = target.partition(":")
    return getattr(importlib.import_module(module_name), attr)


class TransformerRegistry:
    """Slug → transformer. Entry points are read once, when the registry is made."""

    def __init__(self, transformers: dict[str, Transformer] | None = None) -> None:
        self._transformers: dict[str, Transformer] = dict(transformers or {})

    @classmethod
    def discover(cls) -> TransformerRegistry:
        found: dict[str, Transformer] = {}
        for slug, target in BUILT_IN.items():
            found[slug] = _instantiate(_load(target))
        for entry_point in entry_points(group=ENTRY_POINT_GROUP):
            found[entry_point.name] = _instantiate(entry_point.load())
        return cls(found)

    def get(self, slug: str) -> Transformer | None:
        return self._transformers.get(slug)

    def slugs(self) -> list[str]:
        return sorted(self._transformers)


def _instantiate(obj: Any) -> Transformer:
    instance = obj() if isinstance(obj, type) else obj
    if not isinstance(instance, Transformer):
        raise TypeError(f"{obj!r} does not implement the Transformer interface")
    return instance
