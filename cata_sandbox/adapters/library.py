"""The service's adapter scripts: the built-in folder plus ``--adapters DIR``, reloaded when a file changes.

The runtime reads ``library.catalog`` at every call, so a reload takes effect for the next script call.
A reload that finds a bad script keeps the scripts that were loaded and reports the file and line.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from cata_sandbox.adapters.catalog import BUILTIN_DIR, AdapterCatalog, CatalogError, load_catalog

__all__ = ["MTIME_CHECK_INTERVAL_S", "AdapterLibrary"]

log = logging.getLogger("cata_sandbox.adapters")

# At dispatch the scripts' modification times are compared at most this often.
MTIME_CHECK_INTERVAL_S = 1.0


def _stamps(directories: list[Path]) -> dict[str, float]:
    stamps: dict[str, float] = {}
    for directory in directories:
        for path in sorted(directory.glob("*/*.js")):
            try:
                stamps[str(path)] = path.stat().st_mtime
            except OSError:
                continue
    return stamps


class AdapterLibrary:
    """The loaded catalog and where it came from. Raises :class:`CatalogError` at construction."""

    def __init__(self, extra_dir: Path | str | None = None, *, builtin_dir: Path | str = BUILTIN_DIR) -> None:
        self.builtin_dir = Path(builtin_dir)
        self.extra_dir = None if extra_dir is None else Path(extra_dir)
        self.catalog: AdapterCatalog = load_catalog(self.builtin_dir, self.extra_dir)
        self._stamps = _stamps(self._directories())
        self._checked = time.monotonic()

    def _directories(self) -> list[Path]:
        return [d for d in (self.builtin_dir, self.extra_dir) if d is not None and d.is_dir()]

    def reload(self) -> AdapterCatalog:
        """Load every script again; on a bad one raise :class:`CatalogError` and keep the old catalog."""
        stamps = _stamps(self._directories())
        catalog = load_catalog(self.builtin_dir, self.extra_dir)
        self.catalog, self._stamps = catalog, stamps
        return catalog

    def refresh_if_changed(self) -> None:
        """Reload when a script was added, removed or modified (checked at most once a second)."""
        now = time.monotonic()
        if now - self._checked < MTIME_CHECK_INTERVAL_S:
            return
        self._checked = now
        if _stamps(self._directories()) == self._stamps:
            return
        try:
            self.reload()
            log.info("adapter scripts reloaded (a file changed)")
        except CatalogError as exc:
            # Remember the bad state so the error is logged once, not at every dispatch.
            self._stamps = _stamps(self._directories())
            log.error("adapter scripts changed but did not load; the previous ones stay in use: %s", exc)

    def providers(self) -> list[str]:
        """The providers with an ``order_dispatch`` script (the ``builtInTransformer`` values)."""
        return self.catalog.providers("order_dispatch")

    def standard_is_builtin(self) -> bool:
        script = self.catalog.get("_standard", "order_dispatch")
        return script is not None and script.origin == "builtin"
