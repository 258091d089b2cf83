"""Service settings: defaults, then ``CATA_*`` environment variables, then explicit overrides (CLI flags)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any, Literal

CallbackPolicy = Literal["allow-private", "public-only"]

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./cata-sandbox.db"


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the service can be told. Passed into ``create_app``; nothing reads the env at import."""

    database_url: str = DEFAULT_DATABASE_URL
    host: str = "127.0.0.1"
    port: int = 8700
    dispatch_timeout_s: float = 30.0
    api_key: str | None = None
    response_body_cap: int = 64 * 1024
    max_request_bytes: int = 1024 * 1024
    callback_policy: CallbackPolicy = "allow-private"
    log_level: str = "info"
    # mock_pos's base URL when one runs beside the service (`up` sets it); shown by GET /api/v1/sandbox.
    mock_url: str | None = None
    # A folder of adapter scripts (<provider>/<topic>.js) that adds to or overrides the built-in ones.
    adapters_dir: str | None = None
    # Worker processes running adapter scripts (each runs one call at a time).
    adapter_workers: int = min(2, os.cpu_count() or 1)
    # A PEM file of certificate authorities trusted for outbound HTTPS on top of the system's bundle
    # (`up --tls` sets mock_pos's sandbox CA). Env CATA_CA_BUNDLE.
    ca_bundle: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Build settings from ``CATA_<NAME>`` variables; non-``None`` overrides win."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for field in fields(cls):
            for name in _env_names(field.name):
                if name in env and env[name] != "":
                    values[field.name] = _coerce(field.name, field.type, env[name])
                    break
        values.update({k: v for k, v in overrides.items() if v is not None})
        return replace(cls(), **values)


def _env_names(field_name: str) -> list[str]:
    upper = field_name.upper()
    names = [f"CATA_{upper}"]
    if upper.endswith("_S"):
        names.append(f"CATA_{upper[:-2]}")
    else:
        names.append(f"CATA_{upper}_S")
    return names


def _coerce(name: str, annotation: Any, raw: str) -> Any:
    kind = str(annotation)
    try:
        if kind.startswith("int"):
            return int(raw)
        if kind.startswith("float"):
            return float(raw)
    except ValueError as exc:
        raise ValueError(f"environment variable for {name!r}: {raw!r} is not a number") from exc
    if name == "ca_bundle" and not os.path.isfile(raw):
        raise ValueError(f"CATA_CA_BUNDLE {raw!r} is not a file (a PEM file of trusted authorities)")
    if "CallbackPolicy" in kind and raw not in ("allow-private", "public-only"):
        raise ValueError(f"callback_policy must be 'allow-private' or 'public-only', not {raw!r}")
    return raw
