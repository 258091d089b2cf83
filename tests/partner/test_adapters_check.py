"""``cata-sandbox adapters check``: the shipped scripts pass against their mocks; broken scripts fail
on the property they break, with the first failing order shrunk, a curl, and the precision findings."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest

from cata_sandbox.partner.adapters_check.compare import FIELD_PROPERTIES
from cata_sandbox.partner.adapters_check.faults import FAULT_CASES
from tests.support.kit import broken_copy, kit

ROUND_ITEM = (
    "var entry = { product: id, quantity: item.quantity, price: item.unitPrice };",
    "var entry = { product: id, quantity: item.quantity, price: Math.round(item.unitPrice) };",
)


@pytest.mark.parametrize("provider", ["revel", "lightspeed", "atlas"])
def test_the_shipped_script_passes_against_its_mock(provider: str) -> None:
    run = kit(provider, "--mock", provider, "--examples", "15", "--json")
    assert run.exit_code == 0, run.stdout
    properties = run.properties()
    for name in ("script runs", "mock accepts", *FIELD_PROPERTIES, "precision"):
        assert properties[f"orders: {name}"] == {
            "group": "orders",
            "name": name,
            "ok": True,
            "passed": 15,
            "failed": 0,
            "first": "",
        }
    assert {f"faults: {name}" for name, _ in FAULT_CASES} <= set(properties)
    timings = run.report["timings"]
    assert timings["calls"] == 15
    assert 0 < timings["wallMedianMs"] <= timings["wallP95Ms"]
    assert 0 < timings["workerCpuMedianMs"] <= timings["workerCpuP95Ms"]
    assert run.report["shrunk"] is None
    assert "orders: 15/15 sent, 0 properties broken so far" in run.stderr  # progress, on stderr


def test_a_script_that_rounds_prices_fails_the_price_property_with_a_precision_finding(
    tmp_path: Path,
) -> None:
    folder = broken_copy(tmp_path, "revel", ROUND_ITEM)
    run = kit(str(folder), "--mock", "revel", "--examples", "20", "--json")
    assert run.exit_code == 1
    assert run.failed() == {"orders: prices", "orders: precision"}
    report = run.report
    assert report["shrunk"]["property"] == "prices"
    assert report["shrunk"]["why"].startswith("$.items[0].price: expected ")
    # Shrunk: one item, nothing optional left but what the schema requires.
    assert report["shrunk"]["order"].count('"plu"') == 1
    assert report["shrunk"]["curl"].startswith("curl -sS -X POST ")
    assert any(
        f.startswith("items[") and ".price: the POS received " in f for f in report["precisionFindings"]
    )


def test_the_curl_of_the_shrunk_order_is_the_request_the_script_built(tmp_path: Path) -> None:
    folder = broken_copy(tmp_path, "revel", ROUND_ITEM)
    run = kit(str(folder), "--mock", "revel", "--examples", "10", "--json")
    words = shlex.split(run.report["shrunk"]["curl"])
    assert words[:5] == ["curl", "-sS", "-X", "POST", words[4]]
    assert words[4].endswith("/revel/specialresources/cart/submit")
    assert "Content-Type: text/plain" in words
    body = words[words.index("--data-binary") + 1]
    assert '"skin":"weborder"' in body


def test_a_script_that_drops_a_modifier_fails_the_modifier_property(tmp_path: Path) -> None:
    folder = broken_copy(
        tmp_path,
        "revel",
        ("var modifiers = item.modifiers || [];", "var modifiers = (item.modifiers || []).slice(1);"),
    )
    run = kit(str(folder), "--mock", "revel", "--examples", "20", "--json")
    assert run.exit_code == 1
    assert "orders: modifiers" in run.failed()
    assert "orders: items" not in run.failed()
    assert run.report["shrunk"]["property"] == "modifiers"
    assert run.report["shrunk"]["why"].endswith("modifiers: expected 1 entries, got 0 entries")


def test_a_script_that_throws_fails_script_runs_and_names_the_error(tmp_path: Path) -> None:
    folder = broken_copy(
        tmp_path,
        "revel",
        ("  var order = input.payload;\n", '  var order = input.payload;\n  throw new Error("kit boom");\n'),
    )
    run = kit(str(folder), "--mock", "revel", "--examples", "5", "--json")
    assert run.exit_code == 1
    assert "orders: script runs" in run.failed()
    first = run.properties()["orders: script runs"]["first"]
    assert first.startswith("the script failed: Error: kit boom (at ")
    assert run.report["scriptErrors"][0].startswith("Error: kit boom (at ")
    # No order reached the mock: the fault modes have no known-good order to disturb.
    assert (
        run.properties()["faults: a known-good order"]["first"]
        == "no generated order was accepted by the mock"
    )


def test_without_interpret_the_fault_reasons_are_the_seeds_exactly(tmp_path: Path) -> None:
    script = Path(broken_copy(tmp_path, "revel")) / "revel" / "order_dispatch.js"
    text = script.read_text()
    script.write_text(text[: text.index("// Reads a 2xx answer")])
    run = kit(str(tmp_path), "--mock", "revel", "--examples", "3", "--json")
    assert run.exit_code == 0, run.stdout
    assert run.report["notes"] == []
    assert all(p["ok"] for name, p in run.properties().items() if name.startswith("faults: "))


def test_an_interpret_that_returns_no_verdict_breaks_the_reason_template(tmp_path: Path) -> None:
    folder = broken_copy(
        tmp_path,
        "revel",
        (
            "function interpret(response) {\n",
            'function interpret(response) {\n  if (typeof response.body === "string") return {};\n',
        ),
    )
    run = kit(str(folder), "--mock", "revel", "--examples", "3", "--json")
    assert run.exit_code == 1
    # The 2xx answer whose body is not JSON; a non-2xx never reaches interpret (its reason is the seed's body).
    assert run.failed() == {"faults: malformed"}
    assert run.properties()["faults: malformed"]["first"] == (
        "expected POS returned 2xx but body indicated error: <message>; got dispatched=False, reason "
        '"transformer failed: interpret(response) must return {dispatched: true|false, message?, externalOrderId?}"'
    )
