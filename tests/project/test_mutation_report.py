"""The mutation report reads mutmut's result lines, knows an equivalent survivor by its changed line, and
its out-of-scope lines are the ones mutmut skips."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from contract_tests.mutation_report import (
    EQUIVALENT,
    KNOWN_GAPS,
    NOT_KILLED,
    OUT_OF_SCOPE,
    RESULT_LINE,
    Survivor,
)

ROOT = Path(__file__).resolve().parents[2]


def test_result_lines_give_the_mutant_and_its_status() -> None:
    line = "    cata_sandbox.dispatch.xǁDispatcherǁredispatch__mutmut_7: survived"
    match = RESULT_LINE.match(line)
    assert match is not None
    assert (match["name"], match["status"]) == (
        "cata_sandbox.dispatch.xǁDispatcherǁredispatch__mutmut_7",
        "survived",
    )
    assert (
        RESULT_LINE.match("    cata_sandbox.classify.x_f__mutmut_1: not checked")["status"] not in NOT_KILLED
    )  # type: ignore[index]


def test_an_equivalent_survivor_is_matched_by_function_and_changed_line_not_by_number() -> None:
    known = EQUIVALENT[0]
    for number in (4, 40):
        survivor = Survivor(
            f"cata_sandbox.classify.{known.function}__mutmut_{number}",
            "survived",
            f'-    text = body.decode("utf-8", errors="replace")\n+    {known.changed}',
        )
        assert survivor.equivalent() is known


def test_a_survivor_with_another_change_is_a_gap() -> None:
    survivor = Survivor(
        "cata_sandbox.classify.x_truncate_for_reason__mutmut_9",
        "survived",
        '-    text = body.decode("utf-8", errors="replace")\n+    text = None',
    )
    assert survivor.equivalent() is None


def test_a_known_gap_is_explained_but_not_equivalent() -> None:
    gap = KNOWN_GAPS[0]
    survivor = Survivor(
        f"cata_sandbox.dispatch.{gap.function}__mutmut_3", "survived", f"-    budget = (\n+    {gap.changed}"
    )
    assert survivor.known_gap() is gap
    assert survivor.equivalent() is None  # it still counts against the score
    assert not {(e.function, e.changed) for e in EQUIVALENT} & {(g.function, g.changed) for g in KNOWN_GAPS}


def _mutmut_config() -> dict[str, Any]:
    with (ROOT / "pyproject.toml").open("rb") as handle:
        config: dict[str, Any] = tomllib.load(handle)["tool"]["mutmut"]
    return config


def test_the_lines_mutmut_skips_are_exactly_the_reported_out_of_scope_ones() -> None:
    assert _mutmut_config()["do_not_mutate_patterns"] == [entry.pattern for entry in OUT_OF_SCOPE]
    assert all(entry.reason for entry in OUT_OF_SCOPE)


def test_each_out_of_scope_pattern_still_names_exactly_one_line() -> None:
    # Like the hand-written mutants' anchors: code that moved must move its pattern too.
    lines = [
        line for path in _mutmut_config()["only_mutate"] for line in (ROOT / path).read_text().splitlines()
    ]
    for entry in OUT_OF_SCOPE:
        hits = [line for line in lines if re.search(entry.pattern, line)]
        assert len(hits) == 1, (entry.pattern, hits)


def test_a_stale_survivor_on_an_out_of_scope_line_is_reported_as_out_of_scope() -> None:
    survivor = Survivor(
        "cata_sandbox.delivery.xǁSenderǁexchange__mutmut_36",
        "survived",
        "-            status, error, failure = None, str(exc), FailureKind.NOT_SENT\n+            status, error, failure = None",
    )
    scope = survivor.out_of_scope()
    assert scope is not None
    assert scope.function == "xǁSenderǁexchange"


def test_a_block_out_of_scope_names_each_of_its_lines_at_its_indentation() -> None:
    # mutmut skips only the expressions starting on a matched line, so a block names every line; the
    # indentation keeps a pattern from matching the same text elsewhere.
    inside = Survivor(
        "cata_sandbox.pipeline.xǁScriptPipelineǁread__mutmut_28",
        "survived",
        # mutmut shows a method dedented by four spaces: this is the source's 12-space line
        "-        failed = Outcome(dispatched=False)\n+        failed = None",
    )
    scope = inside.out_of_scope()
    assert scope is not None
    assert scope.function == "xǁScriptPipelineǁread"
    deeper = Survivor(
        "cata_sandbox.pipeline.xǁScriptPipelineǁread__mutmut_28",
        "survived",
        "-            failed = Outcome(dispatched=False)\n+            failed = None",
    )
    assert deeper.out_of_scope() is None
