"""``adapters check`` as a command: --samples diffs, JUnit XML, load errors with file:line, exit codes, --help."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

from cata_sandbox.adapters import BUILTIN_DIR
from tests.support.kit import broken_copy, kit

SAMPLES = BUILTIN_DIR.parent / "samples" / "revel"


def test_the_shipped_revel_samples_pass() -> None:
    run = kit("revel", "--samples", str(SAMPLES), "--json")
    assert run.exit_code == 0, run.stdout
    assert run.properties() == {
        "samples: order_dispatch": {
            "group": "samples",
            "name": "order_dispatch",
            "ok": True,
            "passed": 1,
            "failed": 0,
            "first": "",
        },
        "samples: order_status_update": {
            "group": "samples",
            "name": "order_status_update",
            "ok": True,
            "passed": 1,
            "failed": 0,
            "first": "",
        },
    }


def test_a_sample_that_disagrees_is_diffed_path_by_path(tmp_path: Path) -> None:
    shutil.copytree(SAMPLES, tmp_path / "s")
    output = tmp_path / "s" / "order_dispatch_output.json"
    expected = json.loads(output.read_text())
    expected["body"]["items"][0]["price"] = 5.49
    expected["body"]["orderInfo"]["notes"] = "call me"
    del expected["headers"]["Accept"]
    output.write_text(json.dumps(expected))
    run = kit("revel", "--samples", str(tmp_path / "s"), "--json")
    assert run.exit_code == 1
    assert run.failed() == {"samples: order_dispatch"}
    assert run.properties()["samples: order_dispatch"]["first"] == (
        "$.body.items[0].price: expected 5.49, got 5.5; "
        '$.body.orderInfo.notes: expected "call me", got ""; '
        '$.headers.Accept: not expected, got "application/json"'
    )


def test_a_sample_input_without_its_output_fails(tmp_path: Path) -> None:
    (tmp_path / "order_dispatch_input.json").write_bytes((SAMPLES / "order_dispatch_input.json").read_bytes())
    run = kit("revel", "--samples", str(tmp_path), "--json")
    assert run.exit_code == 1
    assert run.properties()["samples: order_dispatch"]["first"] == (
        "order_dispatch_input.json has no order_dispatch_output.json beside it"
    )


def test_a_script_is_checked_against_the_samples_from_a_provider_folder(tmp_path: Path) -> None:
    folder = broken_copy(tmp_path, "revel", ('skin: "weborder",', 'skin: "kiosk",'))
    run = kit(str(folder / "revel"), "--samples", str(SAMPLES), "--json")
    assert run.exit_code == 1
    assert run.properties()["samples: order_dispatch"]["first"] == (
        '$.body.skin: expected "weborder", got "kiosk"'
    )
    assert run.properties()["samples: order_status_update"]["ok"] is True  # the shipped one still


def test_junit_xml_names_each_property_and_its_failure(tmp_path: Path) -> None:
    shutil.copytree(SAMPLES, tmp_path / "s")
    output = tmp_path / "s" / "order_status_update_output.json"
    output.write_text(output.read_text().replace("32759", "1"))
    report = tmp_path / "kit.xml"
    run = kit("revel", "--samples", str(tmp_path / "s"), "--junit-xml", str(report))
    assert run.exit_code == 1
    suite = ET.parse(report).getroot().find("testsuite")
    assert suite is not None
    assert (suite.get("name"), suite.get("tests"), suite.get("failures")) == (
        "adapters check revel",
        "2",
        "1",
    )
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert set(cases) == {"order_dispatch", "order_status_update"}
    assert cases["order_dispatch"].find("failure") is None
    failure = cases["order_status_update"].find("failure")
    assert failure is not None
    assert failure.get("message") == '$.posOrderId: expected "1", got "32759"'
    assert cases["order_status_update"].get("classname") == "revel.samples"
    assert "FAIL  samples: order_status_update" in run.stdout  # the text report, without --json


def test_a_script_that_does_not_load_is_named_with_its_line(tmp_path: Path) -> None:
    script = tmp_path / "newpos" / "order_dispatch.js"
    script.parent.mkdir()
    script.write_text(
        "/** @provider newpos @topic order_dispatch @version 1.0.0 */\nfunction transform(input {\n"
    )
    run = kit(str(tmp_path), "--mock", "revel")
    assert run.exit_code == 1
    assert run.stderr.startswith(f"error: {script}:2: SyntaxError")
    assert run.stdout == ""


def test_an_unknown_provider_is_a_usage_error_listing_the_known_ones() -> None:
    run = kit("nosuchpos")
    assert run.exit_code == 2
    assert (
        "'nosuchpos' is neither a folder nor a provider; known providers: atlas, lightspeed, revel"
        in run.stderr
    )


def test_a_new_provider_from_adapters_is_checked_against_a_mock(tmp_path: Path) -> None:
    broken_copy(tmp_path, "revel")
    (tmp_path / "revel").rename(tmp_path / "revel2")
    script = tmp_path / "revel2" / "order_dispatch.js"
    script.write_text(script.read_text().replace("@provider revel", "@provider revel2"))
    run = kit("revel2", "--adapters", str(tmp_path), "--mock", "revel", "--examples", "3", "--json")
    assert run.exit_code == 0, run.stdout
    assert run.report["provider"] == "revel2"
    assert run.report["scripts"] == [f"revel2/order_dispatch.js 1.0.0 ({script})"]


def test_help_explains_the_options() -> None:
    run = kit("--help")
    assert run.exit_code == 0
    for words in ("PROVIDER_OR_DIR", "--mock", "--samples", "--examples", "--seed", "--junit-xml", "--json"):
        assert words in run.stdout
    assert "exit 1 on any failure" in run.stdout


def test_without_mock_or_samples_the_scripts_are_only_loaded(tmp_path: Path) -> None:
    folder = broken_copy(tmp_path, "revel")
    run = kit(str(folder), "--json")
    assert run.exit_code == 0
    assert run.report["properties"] == []
    assert run.report["scripts"] == [
        f"revel/order_dispatch.js 1.0.0 ({folder / 'revel' / 'order_dispatch.js'})",
        f"revel/order_status_update.js 1.0.0 ({BUILTIN_DIR / 'revel' / 'order_status_update.js'})",
    ]
