"""How many examples the property tests draw, in one place. Every property test has a fast
budget (the default suite) and a slow one (`-m slow`, which CI runs); the
AGENTCHECK_HYPOTHESIS_PROFILE variable picks the fast budget: "ci" (40 examples, the default) or
"dev" (10, for a quick run while editing)."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, Phase, settings

PROFILES = {"dev": 10, "ci": 40}
_profile = os.environ.get("AGENTCHECK_HYPOTHESIS_PROFILE", "ci")
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
    return budget(PROFILES[_profile], shrink=shrink)


def slow(*, shrink: bool = True) -> settings:
    return budget(10_000, shrink=shrink)
