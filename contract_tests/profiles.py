"""Hypothesis profiles of the contract suite and how many examples each property gets under each.

``HYPOTHESIS_PROFILE`` picks the profile (``dev`` when unset); ``conftest.py`` registers and loads it.
A property's count is set per profile because the properties cost very different amounts: a fault that
waits out the dispatch budget costs seconds, a byte comparison milliseconds.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, Phase, settings

PROFILE_VARIABLE = "HYPOTHESIS_PROFILE"
PROFILES = ("dev", "ci", "mutant", "mutation")

# property → examples per test case (a parametrized test counts per parameter) under each profile;
# "_slow" entries are the fault variants that wait out the dispatch budget (seconds per example).
EXAMPLES: dict[str, dict[str, int]] = {
    "hmac": {"dev": 15, "ci": 200, "mutant": 8, "mutation": 30},
    "persistence": {"dev": 3, "ci": 12, "mutant": 2, "mutation": 3},
    "persistence_slow": {"dev": 1, "ci": 2, "mutant": 1, "mutation": 1},
    "reasons": {"dev": 4, "ci": 30, "mutant": 3, "mutation": 12},
    "reasons_slow": {"dev": 2, "ci": 3, "mutant": 1, "mutation": 1},
    # Path 2 on the POS whose script reads the answer (Lightspeed, Atlas): fewer, to keep ci under 4 min.
    "reasons_scripted": {"dev": 2, "ci": 12, "mutant": 1, "mutation": 4},
    "reasons_scripted_slow": {"dev": 1, "ci": 2, "mutant": 1, "mutation": 1},
    "reasons_tls": {"dev": 2, "ci": 3, "mutant": 1, "mutation": 1},
    "bodies": {"dev": 5, "ci": 40, "mutant": 3, "mutation": 40},
    "edges": {"dev": 1, "ci": 4, "mutant": 1, "mutation": 2},
    "validation_field": {"dev": 2, "ci": 8, "mutant": 2, "mutation": 2},
    "validation_envelope": {"dev": 3, "ci": 25, "mutant": 2, "mutation": 4},
    "transformer": {"dev": 8, "ci": 100, "mutant": 5, "mutation": 15},
    "transformer_scripted": {"dev": 4, "ci": 50, "mutant": 3, "mutation": 8},
    "delivery_ids": {"dev": 5, "ci": 40, "mutant": 4, "mutation": 6},
    "redispatch": {"dev": 4, "ci": 30, "mutant": 4, "mutation": 5},
    "replay": {"dev": 3, "ci": 10, "mutant": 2, "mutation": 4},
    "headers": {"dev": 5, "ci": 40, "mutant": 3, "mutation": 6},
    "answers": {"dev": 10, "ci": 60, "mutant": 6, "mutation": 15},
    "fallback": {"dev": 2, "ci": 10, "mutant": 2, "mutation": 4},
    "fallback_slow": {"dev": 1, "ci": 2, "mutant": 1, "mutation": 1},
    "routes": {"dev": 4, "ci": 20, "mutant": 3, "mutation": 4},
    # orders per shipped script through the conformance kit (milliseconds each, against its mock)
    "kit": {"dev": 20, "ci": 60, "mutant": 15, "mutation": 10},
}


def active() -> str:
    name = os.environ.get(PROFILE_VARIABLE, "dev")
    if name not in PROFILES:
        raise ValueError(f"{PROFILE_VARIABLE}={name!r}: the contract suite knows {', '.join(PROFILES)}")
    return name


def examples(prop: str) -> int:
    """How many examples ``prop`` runs under the active profile."""
    return EXAMPLES[prop][active()]


def register() -> None:
    common = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True)
    settings.register_profile("dev", common, max_examples=10)
    settings.register_profile("ci", common, max_examples=100)
    # Mutation runs only need to know *whether* a property fails: no shrinking, no example database.
    settings.register_profile(
        "mutant",
        common,
        max_examples=5,
        phases=[Phase.explicit, Phase.generate],
        database=None,
        derandomize=True,
    )
    # mutmut (`nox -s mutation`) runs the suite once per generated mutant: more examples than `mutant`,
    # so that a mutant is killed by the suite's power rather than by luck, still derandomized.
    settings.register_profile(
        "mutation",
        common,
        max_examples=10,
        phases=[Phase.explicit, Phase.generate],
        database=None,
        derandomize=True,
    )
