"""AC601-AC603: what counts as a claim, how a claimed file is matched with the change and what
the findings say, in process on changes built in memory; where claims come from (the event
file, commits, the message being written, a patch) through the real command on real
repositories."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from checker.model.finding import Finding
from tests import memory
from tests.conftest import Repo, diff_findings, event_file, pull_request_event

PROJECT: dict[str, str | bytes] = {
    "src/shop/app.py": "app = 1\n",
    "src/shop/cart.py": "cart = 1\n",
    "src/shop/payments.py": "payments = 1\n",
    "src/shop/untouched.py": "untouched = 1\n",
    "src/shop/handlers/orders.py": "orders = 1\n",
    "src/shop/utils.py": "utils = 1\n",
    "lib/utils.py": "other_utils = 1\n",
    "docs/api.md": "# API\n",
    "tests/test_cart.py": "def test_cart():\n    assert 1\n",
    "Makefile": "all:\n",
}


def event(tmp: Path, body: str, title: str = "A change", labels: tuple[str, ...] = ()) -> str:
    """A pull request by GitHub's Copilot coding agent with this description."""
    payload = pull_request_event(
        title=title,
        body=body,
        author="copilot-swe-agent[bot]",
        author_type="Bot",
        head_branch="copilot/fix-5",
        labels=labels,
    )
    return event_file(tmp, payload)


def diff_claims(repo: Repo, *args: str) -> list[dict[str, Any]]:
    """The claim findings: warnings, which fail a known agent's change and no one else's."""
    return diff_findings(repo, "--select", "AC6", *args)


def claims(
    body: str,
    head: memory.Files | None = None,
    *,
    title: str = "A change",
    labels: tuple[str, ...] = (),
    policy: str = "",
    **change: Any,
) -> list[Finding]:
    """The claim findings of a pull request with BODY whose change turns PROJECT into HEAD
    (by default: src/shop/cart.py edited)."""
    if head is None:
        head = {**PROJECT, "src/shop/cart.py": "cart = 2\n"}
    request = memory.pull_request(body, title=title, labels=labels)
    return memory.findings(
        PROJECT, head, policy=policy, select=("AC6",), pull_request=request, **change
    )


def targets(found: list[dict[str, Any]] | list[Finding]) -> set[str]:
    """The file each AC601 finding says the change does not touch."""
    marker = "does not touch "
    pairs = [
        (f.code, f.message) if isinstance(f, Finding) else (f["code"], f["message"]) for f in found
    ]
    return {
        message.split(marker, 1)[1].split()[0].rstrip(";")
        for code, message in pairs
        if code == "AC601"
    }


def setup(repo: Repo) -> None:
    repo.commit("base", PROJECT)
    repo.write("src/shop/cart.py", "cart = 2\n")


NOT_CLAIMS = """
Fixes the cart total.

## Problem
`src/shop/untouched.py` computed the total twice.

## Changes
- Updated `src/shop/cart.py` to sum once
- Did not modify `src/shop/untouched.py`
- No changes to `src/shop/payments.py` were needed
- `src/shop/app.py` is unchanged
- I left `docs/api.md` as is
- See `src/shop/utils.py` for the helper this reuses
- Added tests for `src/shop/payments.py` behaviour in a follow-up? Not in this PR.
- Fixed the crash when loading `config/settings.yaml`
- [ ] Update `Makefile` once the release is cut

Should `src/shop/handlers/orders.py` change too?

> Please update src/shop/untouched.py as well.

```python
# src/shop/untouched.py
total = sum(lines)
```

<!-- Updated src/shop/untouched.py -->

## Follow-up
- Update `docs/api.md` with the new field
"""


def test_negated_hedged_quoted_and_referenced_mentions_are_not_claims() -> None:
    assert claims(NOT_CLAIMS) == []


CLAIMS = """
## Summary
- Updated `src/shop/cart.py` to sum once
- Modified `src/shop/payments.py` to round half up
- `docs/api.md` was regenerated
- New file `src/shop/discounts.py` with the coupon rules
- The `app.py` handler now answers 422 for empty carts
- Refactored every handler in `src/shop/handlers/`

## Files changed
- `Makefile`

| File | Change |
|------|--------|
| `src/shop/untouched.py` | Removed dead code |
"""


def test_each_form_of_claim_is_reported() -> None:
    found = claims(CLAIMS)
    assert {f.code for f in found} == {"AC601"}
    assert targets(found) == {
        "src/shop/payments.py",
        "docs/api.md",
        "src/shop/discounts.py",
        "src/shop/app.py",
        "src/shop/handlers/",
        "Makefile",
        "src/shop/untouched.py",
    }
    assert all(f.path is None and f.line is None for f in found)
    created = next(f for f in found if "discounts.py" in f.message)
    assert "(no such file exists before or after the change)" in created.message
    folder = next(f for f in found if "handlers/" in f.message)
    assert "(no file below it changed)" in folder.message


def test_claims_match_by_suffix_rename_and_deletion() -> None:
    head = {**PROJECT, "src/shop/cart.py": "cart = 2\n", "src/shop/billing.py": "payments = 1\n"}
    del head["src/shop/payments.py"], head["docs/api.md"]
    body = (
        "- Updated `cart.py` and `shop/cart.py:12` (line 12)\n"
        "- Renamed `src/shop/payments.py` to `src/shop/billing.py`\n"
        "- Deleted the stale `docs/api.md`\n"
        "- Removed dead code from `src/shop/handlers/` \n"
    )
    found = claims(body, head, renames={"src/shop/billing.py": "src/shop/payments.py"})
    assert targets(found) == {"src/shop/handlers/"}


def test_an_ambiguous_file_name_none_of_which_changed() -> None:
    found = claims("Refactored `utils.py` for clarity.")
    assert targets(found) == {"utils.py"}
    assert "(none of the 2 files of that name changed)" in found[0].message
    # Either one changing satisfies the claim.
    head = {**PROJECT, "src/shop/cart.py": "cart = 2\n", "lib/utils.py": "other_utils = 2\n"}
    assert claims("Refactored `utils.py` for clarity.", head) == []


def test_message_quotes_the_claim_escaped_and_says_what_changed() -> None:
    body = "Updated `src/shop/payments.py`\u200b to round half up, as discussed in review."
    found = claims(body)
    assert [f.message for f in found] == [
        'the pull request description says "Updated `src/shop/payments.py`<U+200B> to round '
        'half up, as discussed in review." but the change does not touch '
        "src/shop/payments.py; it changes src/shop/cart.py"
    ]
    head = {**PROJECT, "src/shop/cart.py": "cart = 2\n", "src/shop/payments.txt": "notes\n"}
    found = claims(body, head)
    assert "did you mean src/shop/payments.txt?" in found[0].message


@pytest.mark.e2e
def test_a_claim_in_the_event_file_is_reported_without_a_location(
    repo: Repo, tmp_path: Path
) -> None:
    setup(repo)
    body = "Updated `src/shop/payments.py` to round half up."
    assert targets(diff_claims(repo, "--context", event(tmp_path, body))) == {
        "src/shop/payments.py"
    }
    text = repo.run("diff", "--select", "AC6", "--context", event(tmp_path, body))
    assert text.out.startswith("AC601 the pull request description says")  # no location


def test_long_claims_are_shortened_around_the_path() -> None:
    body = (
        "After a long investigation of the intermittent rounding failures that customers "
        "reported in the checkout flow last quarter, I finally updated `src/shop/payments.py` "
        "so that every amount is rounded once, at the very end, with the banker's rule."
    )
    message = claims(body)[0].message
    quote = message.split('"')[1]
    assert "src/shop/payments.py" in quote
    assert len(quote) <= 103
    assert quote.startswith("…")
    assert quote.endswith("…")


@pytest.mark.e2e
def test_title_commits_and_the_message_being_written(repo: Repo, tmp_path: Path) -> None:
    repo.commit("base", PROJECT)
    base = repo.git("rev-parse", "HEAD").strip()
    repo.write("src/shop/cart.py", "cart = 2\n")
    sha = repo.commit("fix: round totals in payments.py\n\nCo-authored-by: Claude <a@b.c>")
    found = diff_claims(
        repo,
        f"{base}..HEAD",
        "--context",
        event(tmp_path, "Modified `src/shop/payments.py`.", title="Update payments.py"),
    )
    assert len(found) == 1  # one finding per file, naming every place that claims it
    assert found[0]["message"].startswith('the pull request title says "Update payments.py"')
    assert found[0]["message"].endswith(f"(also in the pull request description, commit {sha[:8]})")

    repo.write("src/shop/cart.py", "cart = 3\n")
    repo.git("add", "-A")
    message = tmp_path / "COMMIT_EDITMSG"
    message.write_text(
        "Update cart.py and app.py\n\n# Please enter the commit message for your changes.\n"
        "# Updated src/shop/untouched.py\n"
    )
    found = diff_claims(repo, "--staged", "--message", str(message))
    assert [f["message"].split(" but ")[0] for f in found] == [
        'the commit message says "Update cart.py and app.py"'
    ]
    assert targets(found) == {"src/shop/app.py"}


@pytest.mark.e2e
def test_a_reverted_commit_claims_nothing(repo: Repo) -> None:
    repo.commit("base", PROJECT)
    base = repo.git("rev-parse", "HEAD").strip()
    debug = repo.commit("Add debug logging to payments.py", {"src/shop/payments.py": "p = 2\n"})
    repo.commit("Update cart.py", {"src/shop/cart.py": "cart = 2\n"})
    repo.git("revert", "--no-edit", debug)
    assert diff_claims(repo, f"{base}..HEAD") == []
    # Without the revert, the net change does not touch payments.py any more: reported.
    repo.commit("Add the logging back to payments.py", {"src/shop/payments.py": "p = 3\n"})
    repo.commit("Remove it again", {"src/shop/payments.py": "payments = 1\n"})
    found = diff_claims(repo, f"{base}..HEAD")
    assert targets(found) == {"src/shop/payments.py"}


@pytest.mark.e2e
def test_patch_mode_counts_only_path_shaped_mentions(repo: Repo, tmp_path: Path) -> None:
    setup(repo)
    patch = tmp_path / "change.patch"
    patch.write_bytes(repo.git("diff").encode())
    elsewhere = tmp_path / "outside"
    elsewhere.mkdir()
    body = "- Updated `src/shop/payments.py`\n- Updated `Payments` and `orders`\n"
    result = repo.run(
        "diff",
        "--patch",
        str(patch),
        "--context",
        event(tmp_path, body),
        "--format",
        "json",
        "--select",
        "AC6",
        cwd=elsewhere,
    )
    assert result.code == 1, result.err  # the event's branch is an agent's: warnings fail
    assert targets(result.json()["findings"]) == {"src/shop/payments.py"}


def test_ac602_tests_claimed_but_none_changed() -> None:
    claim = "## Testing\n- Added unit tests for the rounding rules\n- All tests pass\n"
    found = claims(claim)
    assert memory.codes(found) == ["AC602"]
    assert found[0].message == (
        'the pull request description says "Added unit tests for the rounding rules" but no '
        "test file changed; the change touches src/shop/cart.py"
    )
    for denial in (
        "No new tests: the change is covered by existing ones.",
        "I did not add tests.",
        "Tests will be added in a follow-up.",
        "## Testing\n- [ ] Add tests for the rounding rules\n",
    ):
        assert claims(denial) == [], denial
    head = {**PROJECT, "src/shop/cart.py": "cart = 2\n"}
    head["tests/test_cart.py"] = "def test_cart():\n    assert 2\n"
    assert claims(claim, head) == []


def test_ac602_test_support_and_inline_tests_count() -> None:
    base = {**PROJECT, "src/lib.rs": "pub fn f() {}\n"}
    claim = "Added regression tests for the parser."

    def found(**changed: str) -> list[str]:
        request = memory.pull_request(claim)
        head = {**base, **changed}
        return memory.codes(memory.findings(base, head, select=("AC6",), pull_request=request))

    assert found(**{"tests/fixtures/order.json": "{}\n"}) == []
    inline = "pub fn f() {}\n\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn f_works() {}\n}\n"
    assert found(**{"src/lib.rs": inline}) == []
    assert found(**{"src/lib.rs": "pub fn f() { }\n"}) == ["AC602"]


def test_ac603_is_off_by_default_and_can_be_turned_on() -> None:
    head = {**PROJECT, "src/shop/cart.py": "cart = 2\n"}
    head["tests/test_cart.py"] = "def test_cart():\n    assert 2\n"
    body = "## Testing\n- All 48 existing tests pass\n"
    assert claims(body, head) == []
    found = claims(body, head, policy='[severity]\nAC603 = "info"\n')
    assert [(f.code, f.severity) for f in found] == [("AC603", "info")]
    assert "a diff cannot show a test run" in found[0].message


@pytest.mark.e2e
def test_a_maintainer_label_waives_ac601(repo: Repo, tmp_path: Path) -> None:
    setup(repo)
    body = "Updated `src/shop/payments.py`."
    context = event(tmp_path, body, labels=("agentcheck:allow-AC601",))
    result = repo.run("diff", "--format", "json", "--context", context)
    assert result.code == 0, result.err
    document = result.json()
    assert document["findings"] == []
    assert [f["code"] for f in document["summary"]["waived"]] == ["AC601"]


@pytest.mark.e2e
def test_explain_claim_rules(repo: Repo) -> None:
    for code in ("AC601", "AC602", "AC603"):
        result = repo.run("explain", code)
        assert result.code == 0, result.err
        assert code in result.out
    assert "default severity: off" in repo.run("explain", "AC603").out


def test_an_undo_claim_about_a_file_made_and_unmade_is_not_false() -> None:
    """An agent reverting its own edit reports the revert; the file exists on neither side of
    the change, which is no evidence against the claim. A plain edit claim about such a file
    still is."""
    from checker.domain.claimreader import grammar, markdown

    def undone(text: str) -> list[bool]:
        return [c.undone for s in markdown.statements(text) for c in grammar.claims(s)]

    assert undone("I removed docs/notes.md again.") == [True]
    assert undone("I reverted the commit that added docs/notes.md.") == [True]
    assert undone("docs/x.md was deleted.") == [True]
    assert undone("I did not remove a.md; I updated docs/notes.md.") == [False]
    assert undone("I updated docs/notes.md.") == [False]

    from tests import memory

    base = {"src/app.py": "A = 1\n"}
    changed, reader = memory.change_between(base, base)
    for message, codes in (
        ("I removed docs/notes.md again.", []),
        ("I updated docs/notes.md.", ["AC601"]),
    ):
        found = memory.run(changed._replace(final_message=message), reader, select=("AC6",))
        assert memory.codes(found) == codes, message
