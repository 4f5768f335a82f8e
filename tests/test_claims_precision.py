"""Wrong claim findings measured on real history (issue 16), each reproduced in process on a
change of the same shape: what was read as a claim and is none."""

from __future__ import annotations

import pytest

from tests import memory

BASE: dict[str, str | bytes] = {
    "CONTRIBUTING.md": "# Contributing\n",
    ".pre-commit-hooks.yaml": "- id: check\n",
    ".github/workflows/ci.yml": "on: push\n",
    "src/app.py": "app = 1\n",
    "src/cart.py": "cart = 1\n",
    "tests/test_app.py": "def test_app():\n    assert 1\n",
}


def claim_codes(message: str, *changed: str) -> list[str]:
    head = dict(BASE)
    for path in changed:
        head[path] = str(head.get(path, "")) + "# changed\n"
    change, reader = memory.change_between(BASE, head, commits=[memory.commit(message)])
    return memory.codes(memory.run(change, reader, select=("AC6",)))


@pytest.mark.parametrize(
    "message",
    [
        # GitHub's squash merge: the bullets are the branch's commits, some undone later.
        "Fix login (#123)\n\n* add retry in src/retry.py\n\n* fix typo\n\n"
        "Co-authored-by: A <a@example.com>",
        "Speed up the cart (#45)\n\n* update docs/cart.md\n* drop src/old_cart.py again",
        "Fix login\n\nSquashed commit of the following:\n\ncommit 0123abc\n\n"
        "    Update src/retry.py",
    ],
)
def test_a_squash_merge_body_is_history(message: str) -> None:
    assert claim_codes(message, "src/app.py") == []


def test_a_squash_merge_subject_still_claims() -> None:
    assert claim_codes("Update src/cart.py (#7)\n\n* wip", "src/app.py") == ["AC601"]


@pytest.mark.parametrize(
    "message",
    [
        "update workflow to test on current branch",
        "Add a test step to the CI workflow",
        "Add test on windows to the matrix",
    ],
)
def test_test_as_a_ci_job_is_no_test_claim(message: str) -> None:
    assert claim_codes(message, ".github/workflows/ci.yml") == []


def test_a_test_noun_phrase_is_still_a_test_claim() -> None:
    assert claim_codes("Added tests for the parser", "src/app.py") == ["AC602"]


@pytest.mark.parametrize(
    "message",
    [
        "Run pre-commit on every hook of .pre-commit-hooks.yaml",
        "Follow-up to the fix in src/cart.py",
    ],
)
def test_a_file_name_in_prose_is_no_edit_claim(message: str) -> None:
    assert claim_codes(message, "src/app.py") == []


def test_a_general_statement_is_no_claim() -> None:
    assert claim_codes("Adding a line to setup.cfg is enough to enable it.", "src/app.py") == []
    assert claim_codes("Changes to pyproject.toml trigger a rebuild.", "src/app.py") == []


def test_a_file_name_matches_whatever_its_case() -> None:
    assert claim_codes("Update contributing.md", "CONTRIBUTING.md") == []


def test_a_file_of_that_exact_case_still_counts() -> None:
    base = dict(BASE, **{"docs/readme.md": "x\n", "docs/README.md": "y\n"})
    head = dict(base, **{"docs/README.md": "z\n"})
    change, reader = memory.change_between(
        base, head, commits=[memory.commit("Update docs/readme.md")]
    )
    assert memory.codes(memory.run(change, reader, select=("AC6",))) == ["AC601"]


# AC604 and AC605: denials and "only" claims the diff contradicts.


@pytest.mark.parametrize(
    ("message", "changed", "expected"),
    [
        (
            "Fix rounding\n\nI did not touch the tests.",
            ("src/app.py", "tests/test_app.py"),
            "AC604",
        ),
        ("Fix rounding\n\nI did not touch the tests.", ("src/app.py",), None),
        ("Fix rounding\n\nNo changes to src/cart.py were needed.", ("src/cart.py",), "AC604"),
        ("Fix rounding\n\nDid not modify `src/cart.py`.", ("src/app.py",), None),
        ("Fix rounding\n\nno test files changed", ("tests/test_app.py",), "AC604"),
        # Plans, instructions, conditions and other subjects deny nothing about this change.
        ("Fix rounding\n\nI will not touch `src/cart.py`.", ("src/cart.py",), None),
        ("Fix rounding\n\nDo not edit src/cart.py by hand.", ("src/cart.py",), None),
        ("Fix rounding\n\nThe old code did not update src/cart.py.", ("src/cart.py",), None),
        ("Fix rounding\n\nCheck whether we did not modify src/cart.py", ("src/cart.py",), None),
        ("Fix rounding\n\nOnly src/app.py changed.", ("src/app.py", "tests/test_app.py"), "AC605"),
        ("Fix rounding\n\nOnly src/app.py changed.", ("src/app.py",), None),
        (
            "Fix rounding\n\nI only modified `app.py` and `cart.py`.",
            ("src/app.py", "src/cart.py"),
            None,
        ),
        ("Fix rounding\n\nThe changes are limited to src/.", ("src/app.py", "src/cart.py"), None),
        # A list with an item that is no path names a set the diff cannot be compared with.
        (
            "Fix rounding\n\nOnly `app.py` and the docs were changed.",
            ("src/app.py", "CONTRIBUTING.md"),
            None,
        ),
        (
            "Fix rounding\n\nIt only updates the cache when src/app.py changes.",
            ("src/cart.py",),
            None,
        ),
    ],
)
def test_denials_and_only_claims(
    message: str, changed: tuple[str, ...], expected: str | None
) -> None:
    found = [c for c in claim_codes(message, *changed) if c in ("AC604", "AC605")]
    assert found == ([expected] if expected else []), message


# The block structure read by a CommonMark parser.


def description_codes(body: str, *changed: str) -> list[str]:
    head = dict(BASE)
    for path in changed:
        head[path] = str(head.get(path, "")) + "# changed\n"
    change, reader = memory.change_between(BASE, head, pull_request=memory.pull_request(body))
    return memory.codes(memory.run(change, reader, select=("AC6",)))


def test_an_indented_code_block_is_no_prose() -> None:
    body = "Fixed the cart.\n\nRun it with:\n\n    git add src/retry.py\n    make run\n"
    assert description_codes(body, "src/cart.py") == []
    # Indented under a list item it is the item's text, not code.
    listed = "Changes:\n\n- Cart fixes\n\n    Updated src/retry.py as well\n"
    assert description_codes(listed, "src/cart.py") == ["AC601"]


def test_a_setext_heading_sets_the_section() -> None:
    body = (
        "Fix the cart total\n\nBackground\n----------\n\nUpdated src/retry.py last year, "
        "which broke the total.\n\nChanges\n=======\n\n- Updated `src/cart.py`\n"
    )
    assert description_codes(body, "src/cart.py") == []
    assert description_codes(body, "src/app.py") == ["AC601"]


def test_a_path_in_a_purpose_clause_is_no_claim() -> None:
    # click 42235de0: the sdist include was fixed to ship the renamed changelog.
    message = "Fix `sdist` include to ship `CHANGES.md` after changelog rename (#3685)"
    assert claim_codes(message, "src/app.py") == []


def test_a_leading_underscore_is_part_of_the_file_name() -> None:
    # click d15f3c23: `_compat.py` was read as compat.py, a file nobody has.
    base = dict(BASE, **{"src/_compat.py": "MAC = False\n"})
    head = dict(base, **{"src/_compat.py": "MAC = True\n"})
    message = "Add a MAC platform constant in `_compat.py` and use it to skip"
    change, reader = memory.change_between(base, head, commits=[memory.commit(message)])
    assert memory.codes(memory.run(change, reader, select=("AC6",))) == []
    assert claim_codes("Update _src/cart.py_ for totals", "src/cart.py") == []
