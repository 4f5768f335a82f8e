"""The labelled claims dataset (tests/claims_cases/), run through `agentcheck diff`'s command line
in process on a real repository (tests/claims_dataset.py): precision and recall of each claim
code are printed and held to their floors; the truthful half must produce no finding at all.
`python bench/claims.py` prints the same scores outside pytest."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import claims_dataset
from tests.conftest import Repo

pytestmark = pytest.mark.e2e


def test_claims_dataset_precision_and_recall(repo: Repo, tmp_path: Path) -> None:
    outcomes = claims_dataset.run_all(repo, tmp_path)
    cases = [o.case for o in outcomes]
    assert len(cases) >= 40
    truthful = [c for c in cases if c["truthful"]]
    assert len(truthful) * 2 >= len(cases), "at least half the cases are truthful"
    assert len({c["id"] for c in cases}) == len(cases)
    for outcome in outcomes:  # claims about the description name no file to place them on
        findings = outcome.result.json()["findings"]
        assert all(f["path"] is None for f in findings if f["code"] != "AC603")

    scored = claims_dataset.score(outcomes)
    report = scored.report()
    print("\n" + report)
    for problem in scored.problems:
        print("  " + problem)
    assert not scored.noisy_truthful, "\n".join(scored.noisy_truthful)
    for score in scored.scores.values():
        assert score.precision >= 0.98, report + "\n" + "\n".join(scored.problems)
        assert score.recall >= 0.9, report + "\n" + "\n".join(scored.problems)
