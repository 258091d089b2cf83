"""The mutation report reads mutmut's result lines and knows an equivalent survivor by its changed line."""

from __future__ import annotations

from contract_tests.mutation_report import EQUIVALENT, NOT_KILLED, RESULT_LINE, Survivor


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
