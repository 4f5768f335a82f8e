"""Globs agree with pathspec's own gitignore matching, whatever fast paths they take."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from pathspec import GitIgnoreSpec

from checker.globs import Globs, check_pattern

SEGMENTS = st.sampled_from(["a", "b", "src", "x.py", "yarn.lock", "CODEOWNERS", ".github", "d-1"])
PATHS = st.lists(SEGMENTS, min_size=1, max_size=5).map("/".join)
PATTERN_PARTS = st.sampled_from(
    [
        "a",
        "b",
        "src",
        "*",
        "**",
        "*.py",
        "x.py",
        "yarn.lock",
        "CODEOWNERS",
        ".github",
        "d-?",
        "[ab]",
    ]
)


@st.composite
def patterns(draw: st.DrawFn) -> str:
    parts = draw(st.lists(PATTERN_PARTS, min_size=1, max_size=4))
    pattern = "/".join(parts)
    if draw(st.booleans()):
        pattern = "/" + pattern
    if draw(st.booleans()):
        pattern += "/"
    return pattern


@settings(max_examples=400, deadline=None)
@given(
    st.lists(patterns(), min_size=1, max_size=6),
    st.lists(PATHS, min_size=1, max_size=8),
    st.booleans(),
)
def test_globs_match_as_gitignore_does(found: list[str], paths: list[str], negate: bool) -> None:
    listed = [p for p in found if check_pattern(p) is None]
    if not listed:
        return
    if negate and len(listed) > 1:
        listed[-1] = "!" + listed[-1]
    ours = Globs(listed)
    reference = GitIgnoreSpec.from_lines(listed)
    for path in paths:
        assert ours.match(path) == reference.match_file(path), (listed, path)


def test_first_match_names_the_deciding_pattern() -> None:
    globs = Globs(["*.lock", "**/yarn.lock", "deploy/**"])
    assert globs.first_match("web/yarn.lock") == "**/yarn.lock"
    assert globs.first_match("deploy/a/b.yaml") == "deploy/**"
    assert globs.first_match("src/a.py") is None


def test_bad_patterns_are_named() -> None:
    assert check_pattern("") is not None
    assert check_pattern("[") is not None
    assert check_pattern("# comment") is not None
    assert check_pattern("src/**") is None
