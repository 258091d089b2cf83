"""``cata-sandbox adapters check PROVIDER_OR_DIR``: a verdict on an adapter script before it meets a POS."""

from __future__ import annotations

import json
from pathlib import Path

import click

from cata_sandbox.adapters import BUILTIN_DIR, AdapterCatalog, CatalogError, ScriptLoadError, load_catalog
from cata_sandbox.adapters.catalog import load_script
from cata_sandbox.partner.adapters_check.profiles import PROFILES
from cata_sandbox.partner.adapters_check.report import Report

__all__ = ["adapters"]


@click.group()
def adapters() -> None:
    """JavaScript adapter scripts: check one against a mock POS and against verified samples."""


@adapters.command()
@click.argument("target", metavar="PROVIDER_OR_DIR")
@click.option(
    "--adapters",
    "adapters_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Add or override providers from DIR/<provider>/<topic>.js, as `serve --adapters` does.",
)
@click.option(
    "--mock", type=click.Choice(sorted(PROFILES)), help="Run generated orders and faults against this mock."
)
@click.option(
    "--samples",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="A folder of <topic>_input.json / <topic>_output.json pairs to diff the script's output with.",
)
@click.option(
    "--examples", type=click.IntRange(1, 100_000), default=50, show_default=True, help="Generated orders."
)
@click.option(
    "--seed", type=int, default=0, show_default=True, help="The generator's seed (same seed, same orders)."
)
@click.option("--provider", default=None, help="Which provider of DIR to check, when it holds several.")
@click.option(
    "--junit-xml", type=click.Path(dir_okay=False, path_type=Path), help="Also write JUnit XML here."
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON instead of text.")
def check(
    target: str,
    adapters_dir: Path | None,
    mock: str | None,
    samples: Path | None,
    examples: int,
    seed: int,
    provider: str | None,
    junit_xml: Path | None,
    as_json: bool,
) -> None:
    """Load PROVIDER_OR_DIR's scripts and check them; exit 1 on any failure.

    PROVIDER_OR_DIR is a provider slug (built in, or from --adapters) or a folder: either
    DIR/<provider>/<topic>.js or a provider folder DIR/<topic>.js. A script that does not load is
    reported as file:line: message.

    --mock NAME starts mock_pos on a free loopback port, runs _standard then the provider's
    order_dispatch.js in the worker pool on --examples generated orders (the contract suite's
    strategies, seeded), sends each built request to the mock, reads the mock's copy back and compares
    it field by field (items, quantities, prices quantised to the currency's minor unit, modifiers,
    combos, customer, refs) and reports precision findings; then each transport and HTTP fault mode of
    the mock, checking the reason is the seed's. The first failing order is shrunk and given as a curl.

    --samples DIR runs each <topic>_input.json through the script and diffs the result with
    <topic>_output.json path by path. Progress goes to stderr; the report to stdout.
    """
    from cata_sandbox.partner.adapters_check.run import run_check

    def progress(line: str) -> None:
        click.echo(line, err=True)

    catalog, chosen = _resolve(target, adapters_dir, provider, mock)
    report = Report(chosen, mock)
    report.loaded = [f"{s.label} {s.version} ({s.path})" for s in catalog if s.provider == chosen]
    run_check(
        report, catalog, chosen, mock=mock, samples=samples, examples=examples, seed=seed, progress=progress
    )
    if junit_xml is not None:
        junit_xml.write_bytes(report.junit())
    click.echo(json.dumps(report.as_dict(), indent=2, ensure_ascii=False) if as_json else report.text())
    if not report.ok:
        raise SystemExit(1)


def _resolve(
    target: str, adapters_dir: Path | None, provider: str | None, mock: str | None
) -> tuple[AdapterCatalog, str]:
    try:
        catalog = load_catalog(BUILTIN_DIR, adapters_dir)
    except CatalogError as exc:
        _load_failed(exc.errors)
    path = Path(target)
    if not path.is_dir():
        known = sorted({s.provider for s in catalog if s.provider != "_standard"})
        if target not in known:
            raise click.UsageError(
                f"{target!r} is neither a folder nor a provider; known providers: {', '.join(known)}"
            )
        return catalog, target
    files = sorted(path.glob("*.js")) or sorted(path.glob("*/*.js"))
    loaded = [load_script(file, "extra") for file in files]
    errors = [item for item in loaded if isinstance(item, ScriptLoadError)]
    if errors:
        _load_failed(errors)
    scripts = {
        **catalog.scripts,
        **{(s.provider, s.topic): s for s in loaded if not isinstance(s, ScriptLoadError)},
    }
    found = sorted({s.provider for s in loaded if not isinstance(s, ScriptLoadError)})
    if not found:
        raise click.UsageError(f"{target} holds no <provider>/<topic>.js and no <topic>.js scripts")
    if provider is None and len(found) > 1:
        provider = mock if mock in found else None
        if provider is None:
            raise click.UsageError(
                f"{target} holds several providers ({', '.join(found)}): name one with --provider"
            )
    chosen = provider or found[0]
    if chosen not in found:
        raise click.UsageError(f"{target} has no scripts for provider {chosen!r}; it has {', '.join(found)}")
    return AdapterCatalog(scripts), chosen


def _load_failed(errors: list[ScriptLoadError]) -> None:
    for error in errors:
        click.echo(f"error: {error}", err=True)
    raise SystemExit(1)
