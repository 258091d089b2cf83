"""The Python transformer registry: plugins installed through the entry-point group
``cata_sandbox.transformers`` (name = the ``builtInTransformer`` slug, value = ``module:Class``).

The shipped POS mappings (Revel, Lightspeed, Atlas) are adapter scripts (``cata_sandbox/adapters/scripts``),
run by the engine's script pipeline; a plugin is one more source of transformers beside them."""

from __future__ import annotations

import importlib
import logging
from importlib.metadata import entry_points
from typing import Any

from cata_sandbox.transformers.base import OutboundRequest, Outcome, Transformer, UnmappableOrder

__all__ = [
    "BUILT_IN",
    "ENTRY_POINT_GROUP",
    "OutboundRequest",
    "Outcome",
    "Transformer",
    "TransformerRegistry",
    "UnmappableOrder",
]

log = logging.getLogger("cata_sandbox.transformers")

ENTRY_POINT_GROUP = "cata_sandbox.transformers"
# No Python transformer ships any more: Revel is adapters/scripts/revel/order_dispatch.js.
BUILT_IN: dict[str, str] = {}


def _load(target: str) -> Any:
    module_name, _, attr = target.partition(":")
    return getattr(importlib.import_module(module_name), attr)


class TransformerRegistry:
    """Slug → transformer. Entry points are read once, when the registry is made."""

    def __init__(self, transformers: dict[str, Transformer] | None = None) -> None:
        self._transformers: dict[str, Transformer] = dict(transformers or {})
        for slug, transformer in self._transformers.items():
            _check_slug(slug, transformer)

    @classmethod
    def discover(cls) -> TransformerRegistry:
        """The built-ins, then every entry point of the group on the current ``sys.path``.

        A built-in that fails to load is a bug and raises. A third-party entry point that fails to
        load, is not a transformer, is named differently from its ``slug``, or claims a built-in slug
        (a shipped adapter script's provider included) is logged and skipped: one broken plugin must
        not take the service (and Path 1) down.
        """
        found: dict[str, Transformer] = {}
        scripted = _shipped_script_providers()
        for slug, target in BUILT_IN.items():
            found[slug] = _check_slug(slug, _instantiate(_load(target)))
        for entry_point in entry_points(group=ENTRY_POINT_GROUP):
            slug = entry_point.name
            try:
                transformer = _check_slug(slug, _instantiate(entry_point.load()))
            except Exception as exc:
                log.warning("transformer entry point %s = %s skipped: %s", slug, entry_point.value, exc)
                continue
            if slug in scripted:
                log.warning(
                    "transformer entry point %s = %s skipped: slug %r is already taken by the built-in"
                    " adapter script %s/order_dispatch.js",
                    slug,
                    entry_point.value,
                    slug,
                    slug,
                )
                continue
            existing = found.get(slug)
            if existing is not None and type(existing) is not type(transformer):
                log.warning(
                    "transformer entry point %s = %s skipped: slug %r is already taken by %s",
                    slug,
                    entry_point.value,
                    slug,
                    type(existing).__qualname__,
                )
                continue
            found[slug] = transformer
        return cls(found)

    def get(self, slug: str) -> Transformer | None:
        return self._transformers.get(slug)

    def slugs(self) -> list[str]:
        return sorted(self._transformers)

    def __contains__(self, slug: object) -> bool:
        return slug in self._transformers


def _shipped_script_providers() -> set[str]:
    from cata_sandbox.adapters.catalog import BUILTIN_DIR

    return {path.parent.name for path in BUILTIN_DIR.glob("*/order_dispatch.js")}


def _instantiate(obj: Any) -> Transformer:
    instance = obj() if isinstance(obj, type) else obj
    if not isinstance(instance, Transformer):
        raise TypeError(f"{obj!r} does not implement the Transformer interface")
    return instance


def _check_slug(slug: str, transformer: Transformer) -> Transformer:
    # The engine records the route as ``transformer.slug`` and looks it up again to read the answer.
    if transformer.slug != slug:
        raise TypeError(f"registered as {slug!r} but its slug is {transformer.slug!r}")
    return transformer
