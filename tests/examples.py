"""How many examples the property tests draw, in one place. Every property test has a fast
budget and a long run (marked `slow`); AGENTCHECK_HYPOTHESIS_PROFILE picks the budgets: "dev"
(the default: 40 examples, long runs of 300) for day-to-day work, "ci" (40, long runs of
10,000; .ci/run sets it) for CI."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, Phase, settings

PROFILES = {"dev": (40, 300), "ci": (40, 10_000)}  # (fast, long)
_profile = os.environ.get("AGENTCHECK_HYPOTHESIS_PROFILE", "dev")
if _profile not in PROFILES:
    raise RuntimeError(
        f"AGENTCHECK_HYPOTHESIS_PROFILE={_profile!r}: use one of {', '.join(PROFILES)}."
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


def fast(*, shrink: bool = True) -> settings:
    return budget(PROFILES[_profile][0], shrink=shrink)


def slow(*, shrink: bool = True, share: float = 1.0) -> settings:
    """The long run: the profile's budget, or SHARE of it for a test whose examples cost more."""
    return budget(max(1, int(PROFILES[_profile][1] * share)), shrink=shrink)
