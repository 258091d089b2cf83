"""The conformance kit on the shipped adapter scripts: ``adapters check <provider> --mock <provider>``
(generated orders through ``_standard`` + the script to the mock, read back field by field, precision
findings, the fault modes' reasons) passes for each, and the Revel samples pass ``--samples``.

Here so the mutant runner can break a script (``script-rounds-prices``) and see the kit catch it.
"""

from __future__ import annotations

import pytest

from cata_sandbox.adapters import BUILTIN_DIR, load_catalog
from cata_sandbox.partner.adapters_check.report import Report
from cata_sandbox.partner.adapters_check.run import run_check
from contract_tests.profiles import examples


@pytest.mark.parametrize("provider", ["revel", "lightspeed", "atlas"])
def test_the_kit_passes_on_the_shipped_script(provider: str) -> None:
    samples = BUILTIN_DIR.parent / "samples" / provider
    report = Report(provider, provider)
    run_check(
        report,
        load_catalog(),
        provider,
        mock=provider,
        samples=samples if samples.is_dir() else None,
        examples=examples("kit"),
        seed=0,
        progress=lambda _: None,
    )
    failing = {f"{p.group}: {p.name}": p.first for p in report.properties if not p.ok}
    assert failing == {}, report.text()
    assert report.precision == []
