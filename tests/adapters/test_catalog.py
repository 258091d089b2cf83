"""The script catalog: headers, layout, overrides, and every load error naming its file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from cata_sandbox.adapters import BUILTIN_DIR, CatalogError, load_catalog
from tests.support.scripts import write_script


def load_error(root: Path) -> tuple[str, int, str]:
    with pytest.raises(CatalogError) as caught:
        load_catalog(root)
    [error] = caught.value.errors
    return error.path, error.line, error.message


def test_builtin_scripts_load_with_their_headers() -> None:
    catalog = load_catalog()
    found = {(s.provider, s.topic): (s.version, s.origin, s.has_interpret) for s in catalog}
    assert found == {
        ("_standard", "order_dispatch"): ("1.0.0", "builtin", False),
        ("revel", "order_dispatch"): ("1.0.0", "builtin", True),
        ("revel", "order_status_update"): ("1.0.0", "builtin", False),
        ("lightspeed", "order_dispatch"): ("1.0.0", "builtin", True),
        ("lightspeed", "order_status_update"): ("1.0.0", "builtin", False),
        ("atlas", "order_dispatch"): ("1.1.0", "builtin", False),
        ("atlas", "order_status_update"): ("1.0.0", "builtin", False),
    }
    assert catalog.providers("order_dispatch") == ["atlas", "lightspeed", "revel"]
    revel = catalog.get("revel", "order_dispatch")
    assert revel is not None
    assert ("totalPay", "paymentInfo.amount") in revel.prices


def test_an_extra_folder_adds_a_provider_and_overrides_a_builtin(tmp_path: Path) -> None:
    write_script(tmp_path, "acme", "order_dispatch", "function transform(input) { return 1; }")
    write_script(tmp_path, "revel", "order_dispatch", "function transform(input) { return 2; }", "9.9.9")
    catalog = load_catalog(BUILTIN_DIR, tmp_path)
    acme, revel = catalog.get("acme", "order_dispatch"), catalog.get("revel", "order_dispatch")
    assert acme is not None
    assert acme.origin == "extra"
    assert revel is not None
    assert (revel.version, revel.origin) == ("9.9.9", "extra")
    assert catalog.providers("order_dispatch") == ["acme", "atlas", "lightspeed", "revel"]


def test_a_multi_line_header_is_read_tag_by_tag(tmp_path: Path) -> None:
    path = tmp_path / "acme" / "sync_products.js"
    path.parent.mkdir()
    path.write_text(
        "/**\n * @provider acme\n * @topic sync_products\n * @version 2.1.0\n */\nfunction transform() {}\n"
    )
    script = load_catalog(tmp_path).get("acme", "sync_products")
    assert script is not None
    assert script.version == "2.1.0"


def test_provider_tag_disagreeing_with_the_folder_names_the_tag_line(tmp_path: Path) -> None:
    path = tmp_path / "acme" / "order_dispatch.js"
    path.parent.mkdir()
    path.write_text(
        "/**\n * @provider revel\n * @topic order_dispatch\n * @version 1.0.0\n */\nfunction transform() {}\n"
    )
    assert load_error(tmp_path) == (str(path), 2, "@provider 'revel' disagrees with the folder 'acme'")


def test_topic_tag_disagreeing_with_the_file_name_names_the_tag_line(tmp_path: Path) -> None:
    path = tmp_path / "acme" / "order_dispatch.js"
    path.parent.mkdir()
    path.write_text(
        "/**\n * @provider acme\n *\n * @topic order_status_update\n * @version 1.0.0 */\nfunction transform() {}\n"
    )
    assert load_error(tmp_path) == (
        str(path),
        4,
        "@topic 'order_status_update' disagrees with the file name 'order_dispatch'",
    )


def test_syntax_error_names_its_line(tmp_path: Path) -> None:
    path = write_script(tmp_path, "acme", "order_dispatch", "function transform(input) {\n  var x = ;\n}")
    file, line, message = load_error(tmp_path)
    assert (file, line) == (str(path), 3)
    assert message.startswith("SyntaxError")


def test_missing_transform_is_a_load_error(tmp_path: Path) -> None:
    path = write_script(tmp_path, "acme", "order_dispatch", "function transfrom(input) { return 1; }")
    assert load_error(tmp_path) == (str(path), 1, "the script defines no function transform(input, context)")


def test_transform_that_is_not_a_function_is_a_load_error(tmp_path: Path) -> None:
    path = write_script(tmp_path, "acme", "order_dispatch", "var transform = 5;")
    assert load_error(tmp_path)[:2] == (str(path), 1)


def test_no_header_bad_version_and_unknown_topic(tmp_path: Path) -> None:
    no_header = tmp_path / "a" / "acme" / "order_dispatch.js"
    no_header.parent.mkdir(parents=True)
    no_header.write_text("function transform() {}\n")
    assert load_error(tmp_path / "a")[1:] == (
        1,
        "no JSDoc header: the file must start with /** @provider <slug> @topic <topic> @version x.y.z */",
    )
    write_script(tmp_path / "b", "acme", "order_dispatch", "function transform() {}", version="1.0")
    assert load_error(tmp_path / "b")[1:] == (1, "@version '1.0' is not x.y.z")
    write_script(tmp_path / "c", "acme", "order_dispach", "function transform() {}")
    assert load_error(tmp_path / "c")[2].startswith("'order_dispach' is not a topic; known: ")


def test_a_top_level_infinite_loop_is_a_load_error_not_a_hang(tmp_path: Path) -> None:
    path = write_script(tmp_path, "acme", "order_dispatch", "while (true) {}\nfunction transform() {}")
    file, _, message = load_error(tmp_path)
    assert (file, message) == (
        str(path),
        "the top level did not finish within 0.5 s of CPU (an endless loop?)",
    )


def test_every_bad_script_is_reported_not_just_the_first(tmp_path: Path) -> None:
    write_script(tmp_path, "acme", "order_dispatch", "function transform( {")
    write_script(tmp_path, "beta", "order_dispatch", "function nothing() {}")
    write_script(tmp_path, "good", "order_dispatch", "function transform() {}")
    with pytest.raises(CatalogError) as caught:
        load_catalog(tmp_path)
    assert [Path(e.path).parent.name for e in caught.value.errors] == ["acme", "beta"]
    assert "acme/order_dispatch.js:" in str(caught.value)


def test_a_price_tag_takes_an_optional_minor_unit(tmp_path: Path) -> None:
    write_script(tmp_path, "cents", "order_dispatch", "function transform(i, c) { return i.standard; }")
    path = tmp_path / "cents" / "order_dispatch.js"
    header = "/** @provider cents @topic order_dispatch @version 1.0.0\n * @price totalPay total minor\n */\n"
    path.write_text(header + "function transform(i, c) { return i.standard; }\n")
    script = load_catalog(tmp_path).get("cents", "order_dispatch")
    assert script is not None
    assert script.prices == (("totalPay", "total", "minor"),)
    path.write_text(header.replace("minor", "pence") + "function transform(i, c) { return i.standard; }\n")
    with pytest.raises(CatalogError) as caught:
        load_catalog(tmp_path)
    assert [(e.line, e.message) for e in caught.value.errors] == [
        (2, "@price needs two paths and an optional unit: <order path> <body path> [minor]")
    ]
