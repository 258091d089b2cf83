"""JavaScript adapter scripts: the catalog on disk, the sandboxed worker-pool runtime, precision findings."""

from cata_sandbox.adapters.catalog import (
    BUILTIN_DIR,
    AdapterCatalog,
    AdapterScript,
    CatalogError,
    ScriptLoadError,
    load_catalog,
)
from cata_sandbox.adapters.precision import PrecisionFinding, precision_findings
from cata_sandbox.adapters.results import DispatchRequest, HostHttp, RunResult, ScriptError, Timings
from cata_sandbox.adapters.runtime import AdapterRuntime

__all__ = [
    "BUILTIN_DIR",
    "AdapterCatalog",
    "AdapterRuntime",
    "AdapterScript",
    "CatalogError",
    "DispatchRequest",
    "HostHttp",
    "PrecisionFinding",
    "RunResult",
    "ScriptError",
    "ScriptLoadError",
    "Timings",
    "load_catalog",
    "precision_findings",
]
