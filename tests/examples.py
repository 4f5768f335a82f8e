"""How many examples the property tests draw, in one place. Every property test has a fast
budget and, where it pays, a long run (marked `slow`); AGENTCHECK_HYPOTHESIS_PROFILE picks the
budgets: "dev" (the default, for day-to-day work: 40 examples, long runs of 300, and a sample of
the real files the corpus tests read) or "ci" (a test's own fast budget where it names one, long
runs of 10,000, every file; .ci/run sets it)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TypeVar

from hypothesis import HealthCheck, Phase, settings

T = TypeVar("T")
PROFILES = {"dev": (40, 300), "ci": (40, 10_000)}  # (fast, long)
PROFILE = os.environ.get("AGENTCHECK_HYPOTHESIS_PROFILE", "dev")
if PROFILE not in PROFILES:
    raise RuntimeError(
        f"AGENTCHECK_HYPOTHESIS_PROFILE={PROFILE!r}: use one of {', '.join(PROFILES)}."
    )


def budget(examples: int, *, shrink: bool = True) -> settings:
    """EXAMPLES examples, no deadline, no health check; without SHRINK, a failure is shown as
    found (examples read off random bytes take minutes to shrink)."""
    phases = [Phase.explicit, Phase.reuse, Phase.generate]
    if shrink:
        phases.append(Phase.shrink)
    return settings(
        max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), phases=phases
    )


def fast(*, shrink: bool = True, ci: int | None = None) -> settings:
    """The fast budget: the profile's, or CI examples in the ci profile for a test that names
    its own."""
    examples = ci if ci is not None and PROFILE == "ci" else PROFILES[PROFILE][0]
    return budget(examples, shrink=shrink)


def slow(*, shrink: bool = True, share: float = 1.0) -> settings:
    """The long run: the profile's budget, or SHARE of it for a test whose examples cost more."""
    return budget(max(1, int(PROFILES[PROFILE][1] * share)), shrink=shrink)


def sample(items: Sequence[T]) -> list[T]:
    """ITEMS whole in the ci profile; every eighth of them in dev."""
    return list(items) if PROFILE == "ci" else list(items[::8])
