"""Precision and recall of the claim checks (AC601, AC602, AC604, AC605) on the labelled claims
dataset in tests/claims_cases/: each case is made a branch of a real repository and checked by
`agentcheck diff` (its command line, in process), exactly as tests/test_claims_dataset.py does
(the running and the scoring are tests/claims_dataset.py, shared). Prints each code's precision
and recall with its counts, the overall figures, and every wrong or missed finding.

Run: python bench/claims.py [--keep DIR]
Exit status 1 when a score is below the floor the test holds (precision 0.98, recall 0.9) or a
truthful case has a finding.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))  # the dataset and its runner live in the test package

from tests import claims_dataset  # noqa: E402
from tests.conftest import Repo  # noqa: E402

PRECISION_FLOOR = 0.98
RECALL_FLOOR = 0.9


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", type=Path, help="build the repository here and keep it")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="agentcheck-claims-"))
    try:
        start = time.perf_counter()
        outcomes = claims_dataset.run_all(Repo(work / "repo"), work)
        scored = claims_dataset.score(outcomes)
        took = time.perf_counter() - start
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    print(f"claims dataset: {scored.cases} cases ({scored.truthful} truthful), {took:.1f} s")
    print(f"{'code':<8} {'precision':>9} {'recall':>7} {'TP':>4} {'FP':>4} {'FN':>4}")
    for code, score in scored.scores.items():
        print(
            f"{code:<8} {score.precision:>9.3f} {score.recall:>7.3f} {score.true_positives:>4} "
            f"{score.false_positives:>4} {score.false_negatives:>4}"
        )
    for problem in scored.problems:
        print("  " + problem)
    for noisy in scored.noisy_truthful:
        print("  truthful case with findings: " + noisy)
    below = [
        code
        for code, score in scored.scores.items()
        if score.precision < PRECISION_FLOOR or score.recall < RECALL_FLOOR
    ]
    if below:
        print(f"below the floors (precision {PRECISION_FLOOR}, recall {RECALL_FLOOR}): {below}")
    return 1 if below or scored.noisy_truthful else 0


if __name__ == "__main__":
    sys.exit(main())
