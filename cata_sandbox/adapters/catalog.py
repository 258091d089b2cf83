"""Adapter scripts on disk → an :class:`AdapterCatalog` by (provider, topic); errors name file and line."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "BUILTIN_DIR",
    "TOPICS",
    "AdapterCatalog",
    "AdapterScript",
    "CatalogError",
    "ScriptLoadError",
    "load_catalog",
]

BUILTIN_DIR = Path(__file__).parent / "scripts"
# The seven topics of Cata's POS adapter architecture.
TOPICS = frozenset(
    {
        "test_connection",
        "list_remote_outlets",
        "sync_outlet",
        "sync_products",
        "order_dispatch",
        "order_status_update",
        "snooze_items",
    }
)
_PROVIDER = re.compile(r"^(_standard|[a-z0-9][a-z0-9_-]{0,49})$")
_VERSION = re.compile(r"^[0-9]+\.[0-9]+\.[0-9]+$")
_HEADER = re.compile(r"\A\s*/\*\*(.*?)\*/", re.DOTALL)
_TAG = re.compile(r"@(provider|topic|version|price)\b[ \t]*([^\n@]*)")
_LINE = re.compile(r"<input>:(\d+)(?::(\d+))?")
# Top-level code runs once at load to find the functions; it gets this much CPU and memory.
_LOAD_SECONDS = 0.5
_LOAD_MEMORY = 32 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class ScriptLoadError:
    """One script that cannot be loaded, and where."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class CatalogError(Exception):
    """Some scripts failed to load; ``errors`` names each file and line."""

    def __init__(self, errors: list[ScriptLoadError]) -> None:
        self.errors = errors
        super().__init__("adapter scripts failed to load:\n" + "\n".join(f"  {e}" for e in errors))


@dataclass(frozen=True, slots=True)
class AdapterScript:
    """One loaded script: its header, its text, and where it came from."""

    provider: str
    topic: str
    version: str
    path: str
    source: str
    origin: str  # "builtin" or "extra"
    has_interpret: bool = False
    # order_status_update: ``reference(input)`` names the order ({externalReference} or {posOrderId})
    # before ``transform`` runs with that order's outlet settings.
    has_reference: bool = False
    # (order path, body path[, "minor"]) from ``@price`` tags: what precision_findings compares.
    prices: tuple[tuple[str, ...], ...] = ()
    digest: str = field(default="", compare=False)

    @property
    def label(self) -> str:
        return f"{self.provider}/{self.topic}.js"


@dataclass(frozen=True, slots=True)
class AdapterCatalog:
    """The scripts by (provider, topic); ``extra_dir`` scripts override built-in ones."""

    scripts: dict[tuple[str, str], AdapterScript]

    def get(self, provider: str, topic: str) -> AdapterScript | None:
        return self.scripts.get((provider, topic))

    def providers(self, topic: str) -> list[str]:
        return sorted(p for (p, t) in self.scripts if t == topic and p != "_standard")

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(sorted(self.scripts.values(), key=lambda s: (s.provider, s.topic)))


def load_catalog(
    builtin_dir: Path | str = BUILTIN_DIR, extra_dir: Path | str | None = None
) -> AdapterCatalog:
    """Every ``<provider>/<topic>.js`` under the directories; raises :class:`CatalogError` on any bad one."""
    scripts: dict[tuple[str, str], AdapterScript] = {}
    errors: list[ScriptLoadError] = []
    for origin, directory in (("builtin", builtin_dir), ("extra", extra_dir)):
        if directory is None:
            continue
        root = Path(directory)
        if not root.is_dir():
            errors.append(ScriptLoadError(str(root), 0, "adapter directory does not exist"))
            continue
        for path in sorted(root.glob("*/*.js")):
            loaded = load_script(path, origin)
            if isinstance(loaded, ScriptLoadError):
                errors.append(loaded)
            else:
                scripts[(loaded.provider, loaded.topic)] = loaded
    if errors:
        raise CatalogError(errors)
    return AdapterCatalog(scripts)


def load_script(path: Path, origin: str = "extra") -> AdapterScript | ScriptLoadError:
    """One script, checked: header agrees with its path, it compiles, it defines ``transform``."""
    shown = str(path)
    provider, topic = path.parent.name, path.stem
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return ScriptLoadError(shown, 0, f"cannot read the script: {exc}")
    if not _PROVIDER.match(provider):
        return ScriptLoadError(
            shown, 0, f"folder {provider!r} is not a provider slug (lowercase, digits, - or _)"
        )
    if topic not in TOPICS:
        return ScriptLoadError(shown, 0, f"{topic!r} is not a topic; known: {', '.join(sorted(TOPICS))}")
    header = _HEADER.match(source)
    if header is None:
        return ScriptLoadError(
            shown,
            1,
            "no JSDoc header: the file must start with /** @provider <slug> @topic <topic> @version x.y.z */",
        )
    tags: dict[str, tuple[str, int]] = {}
    prices: list[tuple[str, ...]] = []
    for tag in _TAG.finditer(header.group(1)):
        line = source.count("\n", 0, header.start(1) + tag.start()) + 1
        name, value = tag.group(1), tag.group(2).strip()
        if name == "price":
            pair = value.split()
            if len(pair) not in (2, 3) or pair[2:] not in ([], ["minor"]):
                usage = "@price needs two paths and an optional unit: <order path> <body path> [minor]"
                return ScriptLoadError(shown, line, usage)
            prices.append(tuple(pair))
        else:
            tags[name] = (value, line)
    for name in ("provider", "topic", "version"):
        if name not in tags:
            return ScriptLoadError(shown, 1, f"the JSDoc header has no @{name}")
    if tags["provider"][0] != provider:
        value, line = tags["provider"]
        return ScriptLoadError(shown, line, f"@provider {value!r} disagrees with the folder {provider!r}")
    if tags["topic"][0] != topic:
        value, line = tags["topic"]
        return ScriptLoadError(shown, line, f"@topic {value!r} disagrees with the file name {topic!r}")
    if not _VERSION.match(tags["version"][0]):
        value, line = tags["version"]
        return ScriptLoadError(shown, line, f"@version {value!r} is not x.y.z")
    found = _functions(source)
    if isinstance(found, tuple):
        line, message = found
        return ScriptLoadError(shown, line, message)
    if found.get("transform") != "function":
        return ScriptLoadError(shown, 1, "the script defines no function transform(input, context)")
    for optional in ("interpret", "reference"):
        if found.get(optional) not in ("function", "undefined"):
            return ScriptLoadError(shown, 1, f"{optional} is defined but is not a function")
    return AdapterScript(
        provider=provider,
        topic=topic,
        version=tags["version"][0],
        path=shown,
        source=source,
        origin=origin,
        has_interpret=found.get("interpret") == "function",
        has_reference=found.get("reference") == "function",
        prices=tuple(prices),
        digest=hashlib.sha256(source.encode()).hexdigest(),
    )


def _functions(source: str) -> dict[str, str] | tuple[int, str]:
    """Run the top level once under a CPU and memory limit (no host functions) and see what it defines."""
    import quickjs

    context = quickjs.Context()
    context.set_memory_limit(_LOAD_MEMORY)
    context.set_time_limit(_LOAD_SECONDS)
    try:
        context.eval(source)
        kinds = context.eval("[typeof transform, typeof interpret, typeof reference].join(',')")
    except quickjs.JSException as exc:
        text = str(exc)
        where = _LINE.search(text)
        line = int(where.group(1)) if where else 1
        first = text.strip().splitlines()[0] if text.strip() else "error"
        if first == "null" or "out of memory" in first:
            first = f"the top level ran out of memory ({_LOAD_MEMORY // (1024 * 1024)} MB)"
        elif first == "InternalError: interrupted":
            first = f"the top level did not finish within {_LOAD_SECONDS} s of CPU (an endless loop?)"
        return line, first
    transform, interpret, reference = str(kinds).split(",")
    return {"transform": transform, "interpret": interpret, "reference": reference}
