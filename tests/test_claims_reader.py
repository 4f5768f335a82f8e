"""The claim reader on arbitrary text: it never fails, and what it returns is always a path
written in the text under a change verb or a list, never invented."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from checker.domain.claimreader import grammar, markdown
from tests import examples

WORDS = st.sampled_from(
    [
        "Updated",
        "updated",
        "did",
        "not",
        "modify",
        "no",
        "changes",
        "to",
        "see",
        "the",
        "and",
        "as",
        "is",
        "unchanged",
        "new",
        "file",
        "tests",
        "for",
        "Files changed:",
        "-",
        "*",
        "1.",
        "|",
        ">",
        "```",
        "<!--",
        "-->",
        "## Summary",
        "## Follow-up",
        "?",
        ".",
        ",",
        ";",
        "(",
        ")",
        "`src/a.py`",
        "`b.py`",
        "src/c/d.ts",
        "`docs/`",
        "e.g.",
        "now",
        "fix(core):",
        "`x y`",
        "<blockquote>",
        "</blockquote>",
        "[link](https://x.y/z.py)",
        "\u200b",
        "\n",
        "\n\n",
        "- [ ]",
        "- [x]",
        "**Modified**",
        "`config.yaml`",
        "Node.js",
    ]
)


@examples.fast(ci=300)
@given(st.lists(WORDS, max_size=40).map(" ".join))
def test_claims_are_paths_written_in_the_text(text: str) -> None:
    for statement in markdown.statements(text):
        for claim in grammar.claims(statement):
            assert claim.mention.text in statement.text
            assert claim.mention.path
            assert claim.mention.path.strip("/") in claim.mention.text


@examples.fast(ci=200)
@given(st.text(max_size=400))
def test_any_text_is_read_without_error(text: str) -> None:
    for statement in markdown.statements(text, commit=True):
        grammar.claims(statement)


def test_quoted_text_that_normalises_to_nothing_is_not_a_claim() -> None:
    for statement in markdown.statements("Updated ``` * ```"):
        assert grammar.claims(statement) == []
